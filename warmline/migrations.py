"""The numbered migrations that build a warmline rota's schema, step by step.

MIGRATIONS[n - 1] upgrades schema n - 1 to n; db.open_db applies them (db.MIGRATIONS is this list,
db.SCHEMA_VERSION its length), and schema.py builds the reference a file is compared with from
them. Only data here: it imports nothing, so neither db nor schema imports the other to reach it.
A new migration: append a step, then update schema.CURRENT's digest (tests/unit/test_storage.py
names the new value).
"""

from __future__ import annotations


def _outbox_with_kinds(kinds: str) -> list[str]:
    """Rebuild the notification outbox with another `kind` CHECK (SQLite cannot alter a CHECK).

    Migrations 12 and 13 differ only in the kinds; the statements are as they were written, so the
    schema SQLite stores (and schema.CURRENT's digest) is what it was.
    """
    return [
        f"""CREATE TABLE notification_new (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES person(id),
            kind TEXT NOT NULL
                CHECK (kind IN ({kinds})),
            shift_id INTEGER REFERENCES shift(id),
            event_utc TEXT NOT NULL,
            due_utc TEXT NOT NULL,
            expires_utc TEXT,
            title TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '',
            dedupe TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'expired')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_utc TEXT,
            claim_token TEXT,
            claimed_at TEXT,
            sent_at TEXT,
            channel TEXT,
            last_error TEXT,
            shown_in_app_at TEXT,
            created_at TEXT NOT NULL,
            meeting_id INTEGER REFERENCES triad_meeting(id),
            debrief_id INTEGER
        )""",
        """INSERT INTO notification_new (id, person_id, kind, shift_id, event_utc, due_utc, expires_utc, title,
               body, dedupe, state, attempts, next_attempt_utc, claim_token, claimed_at, sent_at, channel,
               last_error, shown_in_app_at, created_at, meeting_id, debrief_id)
           SELECT id, person_id, kind, shift_id, event_utc, due_utc, expires_utc, title, body, dedupe, state,
               attempts, next_attempt_utc, claim_token, claimed_at, sent_at, channel, last_error,
               shown_in_app_at, created_at, meeting_id, debrief_id FROM notification""",
        "DROP TABLE notification",
        "ALTER TABLE notification_new RENAME TO notification",
        "CREATE INDEX notification_person_state ON notification (person_id, state, due_utc)",
        "CREATE INDEX notification_state_event ON notification (state, kind, event_utc)",
    ]


# Numbered migrations: MIGRATIONS[n - 1] upgrades schema n - 1 to n. Append only;
# never edit a released step (a database made by it may exist somewhere).
MIGRATIONS: list[list[str]] = [
    # 1: the rota core
    [
        """CREATE TABLE line (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            tz TEXT NOT NULL,
            escalation TEXT NOT NULL,
            drop_cutoff_hours INTEGER NOT NULL DEFAULT 48 CHECK (drop_cutoff_hours >= 0),
            horizon_weeks INTEGER NOT NULL DEFAULT 12 CHECK (horizon_weeks BETWEEN 1 AND 520),
            default_max_hours_week REAL NOT NULL DEFAULT 20,
            default_max_shifts_week INTEGER NOT NULL DEFAULT 5,
            default_min_rest_hours REAL NOT NULL DEFAULT 8,
            default_max_overnights_month INTEGER NOT NULL DEFAULT 4,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE person (
            id INTEGER PRIMARY KEY,
            handle TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('volunteer', 'coordinator')),
            login TEXT UNIQUE,
            passphrase_hash TEXT,
            pronouns TEXT,
            max_hours_week REAL CHECK (max_hours_week IS NULL OR max_hours_week >= 0),
            max_shifts_week INTEGER CHECK (max_shifts_week IS NULL OR max_shifts_week >= 0),
            min_rest_hours REAL CHECK (min_rest_hours IS NULL OR min_rest_hours >= 0),
            max_overnights_month INTEGER
                CHECK (max_overnights_month IS NULL OR max_overnights_month >= 0),
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE tag (
            id TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            family TEXT NOT NULL
                CHECK (family IN ('experience', 'circumstance', 'identity', 'language')),
            aliases TEXT NOT NULL DEFAULT '[]',
            related TEXT NOT NULL DEFAULT '[]'
        )""",
        """CREATE TABLE person_tag (
            person_id INTEGER NOT NULL REFERENCES person(id),
            tag_id TEXT NOT NULL REFERENCES tag(id),
            state TEXT NOT NULL CHECK (state IN ('offered', 'paused')),
            PRIMARY KEY (person_id, tag_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE person_language (
            person_id INTEGER NOT NULL REFERENCES person(id),
            tag_id TEXT NOT NULL REFERENCES tag(id),
            PRIMARY KEY (person_id, tag_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            rule TEXT NOT NULL,
            first_day TEXT NOT NULL,
            start_time TEXT NOT NULL,
            end_time TEXT NOT NULL,
            tz TEXT NOT NULL,
            seats INTEGER NOT NULL CHECK (seats >= 0),
            backup_seats INTEGER NOT NULL CHECK (backup_seats >= 0),
            until_day TEXT,
            note TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
            expanded_to TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        )""",
        """CREATE TABLE shift (
            id INTEGER PRIMARY KEY,
            series_id INTEGER REFERENCES series(id),
            occurrence TEXT,
            start_utc TEXT NOT NULL,
            end_utc TEXT NOT NULL,
            start_local TEXT NOT NULL,
            end_local TEXT NOT NULL,
            tz TEXT NOT NULL,
            seats INTEGER NOT NULL CHECK (seats >= 0),
            backup_seats INTEGER NOT NULL CHECK (backup_seats >= 0),
            note TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
            detached INTEGER NOT NULL DEFAULT 0 CHECK (detached IN (0, 1)),
            version INTEGER NOT NULL DEFAULT 1,
            CHECK (end_utc > start_utc),
            UNIQUE (series_id, occurrence)
        )""",
        "CREATE INDEX shift_start ON shift (start_utc)",
        """CREATE TABLE assignment (
            id INTEGER PRIMARY KEY,
            shift_id INTEGER NOT NULL REFERENCES shift(id),
            person_id INTEGER NOT NULL REFERENCES person(id),
            role TEXT NOT NULL CHECK (role IN ('peer', 'backup')),
            created_at TEXT NOT NULL,
            UNIQUE (shift_id, person_id)
        )""",
        "CREATE INDEX assignment_person ON assignment (person_id)",
        """CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    ],
    # 2: late drops become cover requests; sign-in lockout
    [
        """CREATE TABLE cover_request (
            id INTEGER PRIMARY KEY,
            shift_id INTEGER NOT NULL REFERENCES shift(id),
            person_id INTEGER NOT NULL REFERENCES person(id),
            role TEXT NOT NULL CHECK (role IN ('peer', 'backup')),
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'taken', 'withdrawn')),
            taken_by INTEGER REFERENCES person(id),
            closed_at TEXT
        )""",
        """CREATE UNIQUE INDEX cover_request_open
           ON cover_request (shift_id, person_id) WHERE status = 'open'""",
        "ALTER TABLE person ADD COLUMN failed_signins INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE person ADD COLUMN locked_until TEXT",
    ],
    # 3: matching — busy on a call, the anonymous call log (time and need tags only), coverage goals
    [
        "ALTER TABLE assignment ADD COLUMN busy_since TEXT",
        """CREATE TABLE call (
            id INTEGER PRIMARY KEY,
            at_utc TEXT NOT NULL,
            taken_by INTEGER REFERENCES person(id)
        )""",
        "CREATE INDEX call_at ON call (at_utc)",
        """CREATE TABLE call_need (
            call_id INTEGER NOT NULL REFERENCES call(id),
            tag_id TEXT NOT NULL REFERENCES tag(id),
            PRIMARY KEY (call_id, tag_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE coverage_goal (
            id INTEGER PRIMARY KEY,
            tag_id TEXT NOT NULL REFERENCES tag(id),
            days TEXT NOT NULL,
            start_time TEXT NOT NULL,
            end_time TEXT NOT NULL,
            min_people INTEGER NOT NULL DEFAULT 1 CHECK (min_people >= 1),
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL
        )""",
    ],
    # 4: availability, time off, preferred times, swaps
    [
        """CREATE TABLE availability (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES person(id),
            kind TEXT NOT NULL DEFAULT 'available' CHECK (kind IN ('available', 'preferred')),
            weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
            start_time TEXT NOT NULL,
            end_time TEXT NOT NULL
        )""",
        "CREATE INDEX availability_person ON availability (person_id)",
        """CREATE TABLE time_off (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES person(id),
            first_day TEXT NOT NULL,
            last_day TEXT NOT NULL,
            created_at TEXT NOT NULL,
            CHECK (last_day >= first_day)
        )""",
        "CREATE INDEX time_off_person ON time_off (person_id)",
        """CREATE TABLE swap (
            id INTEGER PRIMARY KEY,
            from_person INTEGER NOT NULL REFERENCES person(id),
            from_shift INTEGER NOT NULL REFERENCES shift(id),
            to_person INTEGER NOT NULL REFERENCES person(id),
            to_shift INTEGER NOT NULL REFERENCES shift(id),
            status TEXT NOT NULL DEFAULT 'proposed'
                CHECK (status IN ('proposed', 'accepted', 'declined', 'withdrawn', 'done', 'refused')),
            created_at TEXT NOT NULL,
            decided_at TEXT,
            approved_by INTEGER REFERENCES person(id)
        )""",
        "ALTER TABLE line ADD COLUMN swaps_need_approval INTEGER NOT NULL DEFAULT 0",
    ],
    # 5: handoff notes and their acknowledgements; the notification outbox and each person's settings
    [
        """CREATE TABLE handoff_note (
            id INTEGER PRIMARY KEY,
            shift_id INTEGER NOT NULL REFERENCES shift(id),
            author_id INTEGER NOT NULL REFERENCES person(id),
            body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 1000),
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX handoff_note_shift ON handoff_note (shift_id)",
        "CREATE INDEX handoff_note_created ON handoff_note (created_at)",
        """CREATE TABLE handoff_ack (
            note_id INTEGER NOT NULL REFERENCES handoff_note(id),
            person_id INTEGER NOT NULL REFERENCES person(id),
            at TEXT NOT NULL,
            PRIMARY KEY (note_id, person_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE notification (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES person(id),
            kind TEXT NOT NULL
                CHECK (kind IN ('reminder', 'handoff', 'note', 'changed', 'cancelled', 'cover', 'unacked')),
            shift_id INTEGER REFERENCES shift(id),
            event_utc TEXT NOT NULL,
            due_utc TEXT NOT NULL,
            expires_utc TEXT,
            title TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '',
            dedupe TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'expired')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_utc TEXT,
            claim_token TEXT,
            claimed_at TEXT,
            sent_at TEXT,
            channel TEXT,
            last_error TEXT,
            shown_in_app_at TEXT,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX notification_person_state ON notification (person_id, state, due_utc)",
        "CREATE INDEX notification_state_event ON notification (state, kind, event_utc)",
        """CREATE TABLE notify_pref (
            person_id INTEGER PRIMARY KEY REFERENCES person(id),
            channels TEXT NOT NULL DEFAULT 'desktop,app',
            lead_minutes TEXT NOT NULL DEFAULT '60,15',
            quiet_start TEXT,
            quiet_end TEXT,
            CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
        )""",
    ],
    # 6: the audit log refuses INSERT OR REPLACE over an existing row: REPLACE deletes the old row
    # without firing the delete trigger (SQLite fires it only with recursive_triggers on).
    [
        """CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
           WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    ],
    # 7: calendars. Who was taken off which shift (every DELETE FROM assignment, whatever removed it),
    # so their next export marks it cancelled; and each feed's last content of each event, so SEQUENCE
    # and LAST-MODIFIED move whenever the event changes.
    [
        """CREATE TABLE assignment_removed (
            shift_id INTEGER NOT NULL,
            person_id INTEGER NOT NULL,
            role TEXT NOT NULL,
            PRIMARY KEY (shift_id, person_id)
        ) WITHOUT ROWID""",
        """CREATE TRIGGER assignment_removed_record AFTER DELETE ON assignment
           BEGIN INSERT OR REPLACE INTO assignment_removed (shift_id, person_id, role)
           VALUES (OLD.shift_id, OLD.person_id, OLD.role); END""",
        """CREATE TRIGGER assignment_removed_undo AFTER INSERT ON assignment
           BEGIN DELETE FROM assignment_removed WHERE shift_id = NEW.shift_id AND person_id = NEW.person_id; END""",
        """CREATE TABLE feed_event (
            feed TEXT NOT NULL,
            uid TEXT NOT NULL,
            digest TEXT NOT NULL,
            sequence INTEGER NOT NULL CHECK (sequence >= 0),
            modified_utc TEXT NOT NULL,
            PRIMARY KEY (feed, uid)
        ) WITHOUT ROWID""",
    ],
    # 8: SSH keys (issue 14): each person's public keys, so the marked block in an authorized_keys
    # file can be rebuilt from the rota (warmline/keys.py). One key belongs to one person.
    [
        """CREATE TABLE ssh_key (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES person(id),
            key_type TEXT NOT NULL,
            key_base64 TEXT NOT NULL,
            fingerprint TEXT NOT NULL UNIQUE,
            comment TEXT NOT NULL DEFAULT '',
            authorized_keys TEXT NOT NULL,
            added_at TEXT NOT NULL,
            added_by TEXT NOT NULL
        )""",
        "CREATE INDEX ssh_key_person ON ssh_key (person_id)",
    ],
    # 9: push destinations (issue 14): each person's own Apprise URLs (warmline/notify/push.py). A URL
    # holds its service's token, so it is only ever shown masked (scheme and a short hash).
    [
        """CREATE TABLE push_destination (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES person(id),
            url TEXT NOT NULL,
            added_at TEXT NOT NULL,
            UNIQUE (person_id, url)
        )""",
    ],
    # 10: triads (issue 16, warmline/triads.py). A person's own opt-in (timestamped; leaving deletes it);
    # triads with their recurring meeting (weekly or fortnightly, an hour, local wall time in the line's
    # zone, like a series); members in their fixed narrator order (left_at once they leave); and each
    # meeting expanded like a shift (UTC, local wall time and zone) with its narrator, so a turn swap is
    # two narrators exchanged. Nothing said in a meeting is stored: only that it is scheduled.
    # The notification outbox is rebuilt (SQLite cannot alter a CHECK) to take issue 16's kinds
    # ('meeting' reminders; 'debrief', 'debrief-taken', 'debrief-open') and a reference to the
    # meeting or the debrief a row is about (shift_id stays nullable; debrief_id names H11's table).
    [
        """CREATE TABLE triad_optin (
            person_id INTEGER PRIMARY KEY REFERENCES person(id),
            joined_at TEXT NOT NULL
        )""",
        """CREATE TABLE triad (
            id INTEGER PRIMARY KEY,
            rule TEXT NOT NULL CHECK (rule IN ('weekly', 'fortnightly')),
            first_day TEXT NOT NULL,
            start_time TEXT NOT NULL,
            end_time TEXT NOT NULL,
            tz TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            ended_at TEXT
        )""",
        """CREATE TABLE triad_member (
            triad_id INTEGER NOT NULL REFERENCES triad(id),
            person_id INTEGER NOT NULL REFERENCES person(id),
            position INTEGER NOT NULL CHECK (position >= 0),
            left_at TEXT,
            PRIMARY KEY (triad_id, person_id),
            UNIQUE (triad_id, position)
        ) WITHOUT ROWID""",
        "CREATE INDEX triad_member_person ON triad_member (person_id)",
        """CREATE TABLE triad_meeting (
            id INTEGER PRIMARY KEY,
            triad_id INTEGER NOT NULL REFERENCES triad(id),
            number INTEGER NOT NULL CHECK (number >= 0),
            start_utc TEXT NOT NULL,
            end_utc TEXT NOT NULL,
            start_local TEXT NOT NULL,
            end_local TEXT NOT NULL,
            tz TEXT NOT NULL,
            narrator_id INTEGER REFERENCES person(id),
            status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
            CHECK (end_utc > start_utc),
            UNIQUE (triad_id, number)
        )""",
        "CREATE INDEX triad_meeting_start ON triad_meeting (start_utc)",
        """CREATE TABLE notification_new (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES person(id),
            kind TEXT NOT NULL
                CHECK (kind IN ('reminder', 'handoff', 'note', 'changed', 'cancelled', 'cover', 'unacked',
                                'meeting', 'debrief', 'debrief-taken', 'debrief-open')),
            shift_id INTEGER REFERENCES shift(id),
            event_utc TEXT NOT NULL,
            due_utc TEXT NOT NULL,
            expires_utc TEXT,
            title TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '',
            dedupe TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'expired')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_utc TEXT,
            claim_token TEXT,
            claimed_at TEXT,
            sent_at TEXT,
            channel TEXT,
            last_error TEXT,
            shown_in_app_at TEXT,
            created_at TEXT NOT NULL,
            meeting_id INTEGER REFERENCES triad_meeting(id),
            debrief_id INTEGER
        )""",
        """INSERT INTO notification_new (id, person_id, kind, shift_id, event_utc, due_utc, expires_utc, title,
               body, dedupe, state, attempts, next_attempt_utc, claim_token, claimed_at, sent_at, channel,
               last_error, shown_in_app_at, created_at)
           SELECT id, person_id, kind, shift_id, event_utc, due_utc, expires_utc, title, body, dedupe, state,
               attempts, next_attempt_utc, claim_token, claimed_at, sent_at, channel, last_error,
               shown_in_app_at, created_at FROM notification""",
        "DROP TABLE notification",
        "ALTER TABLE notification_new RENAME TO notification",
        "CREATE INDEX notification_person_state ON notification (person_id, state, due_utc)",
        "CREATE INDEX notification_state_event ON notification (state, kind, event_utc)",
    ],
    # 11: debriefs (issue 16, warmline/debrief.py): a request (who asked, from which shift, when; taken by
    # whom and when; whether the asker shares their name with the coordinators' counts) and the people it
    # went to (the shift's backups, the triad, the coordinators). No reason and no free text: none is taken.
    # And `people forget` (warmline/privacy.py): the audit log stays append-only, except that while an
    # audit_redaction row is open (only inside forget's own transaction) the actor, subject and detail of
    # existing rows may be rewritten, to replace a forgotten person's name, handle and login by a pseudonym.
    [
        """CREATE TABLE debrief (
            id INTEGER PRIMARY KEY,
            asker_id INTEGER NOT NULL REFERENCES person(id),
            shift_id INTEGER REFERENCES shift(id),
            asked_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'taken')),
            taken_by INTEGER REFERENCES person(id),
            taken_at TEXT,
            escalated_at TEXT,
            shared INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
            CHECK ((status = 'taken') = (taken_by IS NOT NULL AND taken_at IS NOT NULL))
        )""",
        "CREATE INDEX debrief_asked ON debrief (asked_at)",
        "CREATE INDEX debrief_asker ON debrief (asker_id, status)",
        """CREATE TABLE debrief_recipient (
            debrief_id INTEGER NOT NULL REFERENCES debrief(id),
            person_id INTEGER NOT NULL REFERENCES person(id),
            why TEXT NOT NULL CHECK (why IN ('backup', 'triad', 'coordinator')),
            PRIMARY KEY (debrief_id, person_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX debrief_recipient_person ON debrief_recipient (person_id)",
        """CREATE TABLE audit_redaction (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            pseudonym TEXT NOT NULL,
            rows INTEGER NOT NULL DEFAULT 0,
            open INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1))
        )""",
        """CREATE TRIGGER audit_redaction_no_delete BEFORE DELETE ON audit_redaction
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        "DROP TRIGGER audit_no_update",
        """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
           WHEN NOT EXISTS (SELECT 1 FROM audit_redaction WHERE open = 1)
             OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.action IS NOT OLD.action
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    ],
    # 12: consent to lived-experience tags (issue 15, warmline/consent.py). A coordinator's tag for someone
    # else is 'proposed' and used for matching only once the person accepts it ('offered'). Every step is a
    # row of the person's consent history, append-only (no UPDATE; DELETE only while `people forget` holds
    # an audit_redaction row open, as for the audit log). Tags offered before this migration stay offered
    # (a line must not silently lose its matching), each with a 'before-consent' row saying so. The
    # notification outbox is rebuilt (SQLite cannot alter a CHECK) to take the kind 'proposal': the person
    # is told a coordinator proposed an experience for their profile, never which one.
    [
        """CREATE TABLE person_tag_new (
            person_id INTEGER NOT NULL REFERENCES person(id),
            tag_id TEXT NOT NULL REFERENCES tag(id),
            state TEXT NOT NULL CHECK (state IN ('proposed', 'offered', 'paused')),
            PRIMARY KEY (person_id, tag_id)
        ) WITHOUT ROWID""",
        "INSERT INTO person_tag_new (person_id, tag_id, state) SELECT person_id, tag_id, state FROM person_tag",
        "DROP TABLE person_tag",
        "ALTER TABLE person_tag_new RENAME TO person_tag",
        """CREATE TABLE tag_consent (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES person(id),
            tag_id TEXT NOT NULL REFERENCES tag(id),
            what TEXT NOT NULL CHECK (what IN ('proposed', 'accepted', 'declined', 'offered', 'paused', 'resumed',
                                               'removed', 'added', 'before-consent')),
            by_id INTEGER REFERENCES person(id),
            at TEXT NOT NULL
        )""",
        "CREATE INDEX tag_consent_person ON tag_consent (person_id, id)",
        """CREATE TRIGGER tag_consent_no_update BEFORE UPDATE ON tag_consent
           BEGIN SELECT RAISE(ABORT, 'the consent history is append-only'); END""",
        """CREATE TRIGGER tag_consent_no_delete BEFORE DELETE ON tag_consent
           WHEN NOT EXISTS (SELECT 1 FROM audit_redaction WHERE open = 1)
           BEGIN SELECT RAISE(ABORT, 'the consent history is append-only'); END""",
        """INSERT INTO tag_consent (person_id, tag_id, what, by_id, at)
           SELECT person_id, tag_id, 'before-consent', NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
           FROM person_tag ORDER BY person_id, tag_id""",
        *_outbox_with_kinds(
            """'reminder', 'handoff', 'note', 'changed', 'cancelled', 'cover', 'unacked',
                                'meeting', 'debrief', 'debrief-taken', 'debrief-open', 'proposal'"""
        ),
    ],
    # 13: swaps with notice (issue 15, warmline/notify/swap_notices.py). The notification outbox is rebuilt
    # (SQLite cannot alter a CHECK) to take three kinds: 'swap' (to the person asked: someone proposes a
    # swap with them), 'swap-approval' (to the coordinators: an accepted swap waits for approval) and
    # 'swap-decided' (to the people in a swap: it was accepted, done, declined, withdrawn or refused).
    [
        *_outbox_with_kinds(
            """'reminder', 'handoff', 'note', 'changed', 'cancelled', 'cover', 'unacked',
                                'meeting', 'debrief', 'debrief-taken', 'debrief-open', 'proposal',
                                'swap', 'swap-approval', 'swap-decided'"""
        ),
    ],
]
