"""The JSON shapes of the public CLI contract: what `warmline ... --json` prints, one function per kind.

Scripts depend on these keys and their meaning, so a shape changes only by adding a key. Each takes
the core's read model (and the line's zone where it holds times) and returns plain data; the CLI
prints it through cli/output.emit (text.json_dumps escapes every control character). What a viewer
may see is decided by the core and by the viewer passed in (person_json, note_json), never here.
"""

from __future__ import annotations


def person_json(p, tags: list[tuple[str, str]] | None = None, line=None, *, viewer) -> dict:
    from ..people import login_seen_by

    data = {
        "handle": p.handle,
        "name": p.name,
        "role": p.role,
        "active": p.active,
        "languages": list(p.languages),
        "pronouns": p.pronouns,
    }
    if viewer.is_coordinator or viewer.id == p.id:  # an OS login is theirs and coordinators'
        data["login"] = login_seen_by(viewer, p)
    if line is not None and (viewer.is_coordinator or viewer.id == p.id):  # so are limits and rest
        limits = p.limits(line)
        data["limits"] = {
            "max_hours_week": limits.max_hours_week,
            "max_shifts_week": limits.max_shifts_week,
            "min_rest_hours": limits.min_rest_hours,
            "max_overnights_month": limits.max_overnights_month,
        }
    if tags is not None:
        data["tags"] = [{"id": t, "state": s} for t, s in tags]
    return data


def shift_json(v, tz) -> dict:
    from ..times import local_iso

    s = v.shift
    return {
        "id": s.id,
        "series_id": s.series_id,
        "start": local_iso(s.start_utc, tz),
        "end": local_iso(s.end_utc, tz),
        "start_utc": s.start_utc.isoformat().replace("+00:00", "Z"),
        "end_utc": s.end_utc.isoformat().replace("+00:00", "Z"),
        "hours": round(s.hours, 4),
        "seats": s.seats,
        "backup_seats": s.backup_seats,
        "peers": [a.handle for a in v.peers],
        "backup": [a.handle for a in v.backups],
        "open_seats": v.open_seats,
        "open_backup_seats": v.open_backup_seats,
        "cover_requested": [r.handle for r in v.cover],
        "status": s.status,
        "note": s.note,
    }


def series_json(s) -> dict:
    return {
        "id": s.id,
        "rule": s.rule,
        "first_day": s.first_day,
        "start_time": s.start_time,
        "end_time": s.end_time,
        "tz": s.tz,
        "seats": s.seats,
        "backup_seats": s.backup_seats,
        "until": s.until_day,
        "note": s.note,
        "status": s.status,
    }


def assignment_json(a, extra: dict | None = None) -> dict:
    return {"shift_id": a.shift_id, "handle": a.handle, "role": a.role} | (extra or {})


def _tag_ref(tag) -> dict:
    return {"id": tag.id, "label": tag.label}


def match_json(result, tz, escalation: str) -> dict:
    from ..times import local_iso

    return {
        "at": local_iso(result.at, tz),
        "needs": [_tag_ref(t) for t in result.needs],
        "language": _tag_ref(result.language) if result.language else None,
        "prefer": [_tag_ref(t) for t in result.prefer],
        "shifts": list(result.shift_ids),
        "candidates": [
            {
                "handle": m.handle,
                "name": m.name,
                "role": m.role,
                "shift_id": m.shift_id,
                "score": m.score,
                "shares": list(m.shares),
                "related": list(m.related),
                "preferences": list(m.preferences),
                "language": m.language,
                "busy": m.busy,
                "busy_since": local_iso(m.busy_since, tz) if m.busy_since else None,
                "calls_taken": m.calls_taken,
            }
            for m in result.candidates
        ],
        "unmet": [_tag_ref(t) for t in result.unmet],
        "next": [
            {
                "shift_id": n.shift_id,
                "start": local_iso(n.start, tz),
                "end": local_iso(n.end, tz),
                "need": n.need,
                "need_label": n.need_label,
                "handles": list(n.handles),
            }
            for n in result.next
        ],
        "without_language": result.without_language,
        "escalation": escalation,
    }


def goal_json(g) -> dict:
    return {
        "id": g.id,
        "tag": g.tag_id,
        "label": g.label,
        "days": g.days,
        "days_text": g.days_text,
        "from": f"{g.start:%H:%M}",
        "to": f"{g.end:%H:%M}",
        "min_people": g.min_people,
        "active": g.active,
        "created_at": g.created_at,
    }


def coverage_json(report, tz) -> dict:
    from ..times import local_iso

    return {
        "from": local_iso(report.start, tz),
        "to": local_iso(report.end, tz),
        "score": None if report.score is None else round(report.score, 4),
        "demand_total": round(report.demand_total, 4),
        "demand_covered": round(report.demand_covered, 4),
        "demand_weeks": report.demand_weeks,
        "goals": [goal_json(g) for g in report.goals],
        "shifts": [
            {
                "id": s.shift_id,
                "start": local_iso(s.start, tz),
                "end": local_iso(s.end, tz),
                "peers": list(s.peers),
                "backup": list(s.backup),
                "open_seats": s.open_seats,
                "open_backup_seats": s.open_backup_seats,
                "goals": [
                    {"goal_id": g.goal_id, "tag": g.tag_id, "label": g.label, "min_people": g.min_people,
                     "have": g.have, "met": g.met, "handles": list(g.handles)}
                    for g in s.goals
                ],
                "demand": [
                    {"tag": d.tag_id, "label": d.label, "expected": round(d.expected, 4), "covered": d.covered}
                    for d in s.demand
                ],
                "expected_calls": round(s.expected_calls, 4),
                "covered_calls": round(s.covered_calls, 4),
            }
            for s in report.shifts
        ],
        "gaps": [_gap_json(g, tz) for g in report.gaps],
        "past_gaps": [_gap_json(g, tz) for g in report.past_gaps],
        "demand_by_hour": {t: [round(v, 4) for v in row] for t, row in report.demand_by_hour.items()},
        "labels": report.labels,
    }


def _gap_json(g, tz) -> dict:
    from ..times import local_iso

    return {
        "kind": g.kind,
        "shift_id": g.shift_id,
        "start": local_iso(g.start, tz),
        "end": local_iso(g.end, tz),
        "tag": g.tag_id,
        "label": g.label,
        "goal_id": g.goal_id,
        "need": g.need,
        "have": g.have,
        "expected": round(g.expected, 4),
        "fillable": g.fillable,
        "fillers": [{"handle": f.handle, "name": f.name, "shifts_in_range": f.shifts_in_range} for f in g.fillers],
        "no_shift": g.no_shift,
    }


def window_json(w) -> dict:
    from ..coverage import DAY_CODES

    return {"day": DAY_CODES[w.weekday], "weekday": w.weekday, "from": f"{w.start:%H:%M}", "to": f"{w.end:%H:%M}", "kind": w.kind}


def time_off_json(t) -> dict:
    return {
        "id": t.id, "handle": t.handle, "first_day": t.first_day.isoformat(), "last_day": t.last_day.isoformat(),
        "days": t.days, "created_at": t.created_at,
    }


def clash_json(k, tz) -> dict:
    from ..times import local_iso

    return {"shift_id": k.shift_id, "start": local_iso(k.start, tz), "end": local_iso(k.end, tz), "handle": k.handle,
            "rule": k.rule, "message": k.message}


def availability_json(a) -> dict:
    return {
        "handle": a.handle,
        "any_time": a.any_time,
        "available": [window_json(w) for w in a.available],
        "preferred": [window_json(w) for w in a.preferred],
        "time_off": [time_off_json(t) for t in a.time_off],
    }


def swap_json(s, tz) -> dict:
    from ..times import local_iso

    return {
        "id": s.id, "status": s.status,
        "from": s.from_handle, "from_shift": s.from_shift_id, "from_start": local_iso(s.from_start, tz),
        "from_end": local_iso(s.from_end, tz),
        "to": s.to_handle, "to_shift": s.to_shift_id, "to_start": local_iso(s.to_start, tz), "to_end": local_iso(s.to_end, tz),
        "created_at": local_iso(s.created_at, tz), "decided_at": local_iso(s.decided_at, tz) if s.decided_at else None,
        "approved_by": s.approved_by, "waiting_for": s.waiting_for or None,
    }


def load_json(report, tz) -> dict:
    from ..times import local_iso

    def person(p) -> dict:
        return {
            "handle": p.handle, "name": p.name, "role": p.role, "active": p.active,
            "limits": {"max_hours_week": p.limits.max_hours_week, "max_shifts_week": p.limits.max_shifts_week,
                       "min_rest_hours": p.limits.min_rest_hours, "max_overnights_month": p.limits.max_overnights_month},
            "hours_week": round(p.hours_week, 4), "shifts_week": p.shifts_week, "hours_month": round(p.hours_month, 4),
            "overnights_month": p.overnights_month, "hours": round(p.hours, 4), "shifts": p.shifts,
            "overnights": p.overnights, "streak": p.streak, "level": p.level or None,
            "weeks": [{"week": w.week.isoformat(), "hours": round(w.hours, 4), "shifts": w.shifts} for w in p.weeks],
        }

    spread = report.spread
    return {
        "from": local_iso(report.start, tz), "to": local_iso(report.end, tz),
        "week": report.week.isoformat(), "month": report.month.isoformat()[:7],
        "people": [person(p) for p in report.people],
        "flags": [
            {"handle": f.handle, "rule": f.rule, "level": f.level, "period": f.period.isoformat(), "value": round(f.value, 4),
             "limit": f.limit, "message": f.message}
            for f in report.flags
        ],
        "spread": None if spread is None else {
            "people": spread.people, "total_hours": round(spread.total_hours, 4), "mean_hours": round(spread.mean_hours, 4),
            "max_hours": round(spread.max_hours, 4), "min_hours": round(spread.min_hours, 4),
            "max_handles": list(spread.max_handles), "min_handles": list(spread.min_handles), "gini": round(spread.gini, 4),
        },
    }


def autofill_json(proposal, tz, applied: bool) -> dict:
    from ..times import local_iso

    score = proposal.score
    return {
        "from": local_iso(proposal.start, tz), "to": local_iso(proposal.end, tz),
        "engine": proposal.engine, "requested": proposal.requested, "notice": proposal.notice or None,
        "optimal": proposal.optimal, "seconds": round(proposal.seconds, 3), "applied": applied,
        "open_seats": proposal.seats_open,
        "placements": [
            {"shift_id": p.shift_id, "start": local_iso(p.start, tz), "end": local_iso(p.end, tz), "handle": p.handle,
             "role": p.role, "preferred": p.preferred, "goals": list(p.goals), "needs": list(p.needs)}
            for p in proposal.placements
        ],
        "left_open": [
            {"shift_id": o.shift_id, "start": local_iso(o.start, tz), "end": local_iso(o.end, tz), "role": o.role,
             "count": o.count, "eligible": o.eligible, "reason": o.reason}
            for o in proposal.left_open
        ],
        "score": {"seats": score.seats, "goals": score.goals, "demand": score.demand,
                  "seat_hours": score.seat_hours, "fairness": score.fairness, "preferred": score.preferred},
        "gini_before": round(proposal.gini_before, 4), "gini_after": round(proposal.gini_after, 4),
    }


# (handoff and notify commands go here)


def note_json(n, tz, viewer, moment) -> dict:
    from ..times import local_iso

    mine = n.reader(viewer.id)
    return {
        "id": n.id,
        "shift_id": n.shift_id,
        "author": n.author_handle,
        "written_at": local_iso(n.created_at, tz),
        "next_shift_ids": list(n.next_shift_ids),
        "change_at": local_iso(n.change_at, tz) if n.change_at else None,
        "note": n.body,
        "readers": [
            {"handle": r.handle, "role": r.role, "acked_at": local_iso(r.acked_at, tz) if r.acked_at else None}
            for r in n.readers
        ],
        "unacked": [r.handle for r in n.unacked],
        "for_me": mine is not None,
        "acked": bool(mine and mine.acked_at),
        "overdue": n.overdue(moment),
    }


def prefs_json(handle: str, prefs, push: list[str] | None = None) -> dict:
    return {
        "handle": handle,
        "channels": list(prefs.channels),
        "lead_minutes": list(prefs.leads),
        "quiet": "-".join(prefs.quiet) if prefs.quiet else None,
        "push": list(push or []),  # masked: the scheme and a number, never the URL
    }


def debrief_json(d, tz) -> dict:
    """The public JSON shape of one debrief request as its viewer may see it."""
    from ..times import local_iso

    return {
        "id": d.id,
        "asked_at": local_iso(d.asked_at, tz),
        "asker": d.asker_handle,
        "asker_name": d.asker_name,
        "you": d.role,
        "status": d.status,
        "taken_at": local_iso(d.taken_at, tz) if d.taken_at else None,
        "taken_by": d.taken_by_handle,
        "taken_by_name": d.taken_by_name,
        "taken_by_you": d.taken_by_you,
        "escalated": d.escalated,
        "shared": d.shared if d.role == "asker" else None,
    }


def key_json(k) -> dict:
    from ..db import iso_utc

    return {
        "handle": k.handle,
        "type": k.key_type,
        "fingerprint": k.fingerprint,
        "comment": k.comment,
        "authorized_keys": k.authorized_keys,
        "added_at": iso_utc(k.added_at),
        "added_by": k.added_by,
        "active": k.active,
    }


def line_json(s, changed: tuple[str, ...] | None = None) -> dict:
    """The line's settings (line.LineSettings); after `line set`, which of them changed."""
    data = {
        "name": s.name,
        "tz": s.tz,
        "escalation": s.escalation,
        "drop_cutoff_hours": s.drop_cutoff_hours,
        "swaps_need_approval": s.swaps_need_approval,
    }
    if changed is not None:
        data["changed"] = list(changed)
    return data


def consent_json(step, tz, person_handle: str) -> dict:
    """One step of `warmline tags history --json`: at (line's zone), tag, label, what, by (handle or null), text."""
    from ..db import parse_utc
    from ..times import local_iso
    from .consent import what_text

    return {
        "at": local_iso(parse_utc(step.at), tz),
        "tag": step.tag_id,
        "label": step.label,
        "what": step.what,
        "by": step.by,
        "text": what_text(step, person_handle),
    }
