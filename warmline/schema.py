"""The schema warmline creates, and how a file's schema differs from it.

The reference for schema version N is built by running MIGRATIONS[:N] in a fresh in-memory
database, so it is exactly what warmline would have made. A file is compared with it object by
object (tables, indexes, triggers, views: type, name, table and SQL with whitespace outside
string literals normalised) and column by column (PRAGMA table_xinfo). Anything the code did not
create, anything missing and anything changed is a difference: a rota must hold no trigger or
view warmline did not write, because those run on warmline's own statements.

Reading sqlite_schema and PRAGMA table_xinfo runs none of the file's triggers or views.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache

# Tables SQLite itself makes for ANALYZE / PRAGMA optimize: statistics, never code.
_SQLITE_OWN = frozenset({"sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4"})
# The two tables Litestream adds to a database it replicates (`warmline replicate`): data, never
# code. Passed over only with exactly these definitions; anything else under their names differs.
_LITESTREAM_OWN = {
    "_litestream_seq": "CREATE TABLE _litestream_seq (id INTEGER PRIMARY KEY, seq INTEGER)",
    "_litestream_lock": "CREATE TABLE _litestream_lock (id INTEGER)",
}
_LITERAL = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")")


def normalise_sql(sql: str | None) -> str | None:
    """The SQL with every run of whitespace outside quoted literals made one space."""
    if sql is None:
        return None
    parts = _LITERAL.split(sql)
    out = []
    for n, part in enumerate(parts):
        if n % 2:
            out.append(part)
        else:  # keep one space where there was any, so "a  b" and "a\n b" read the same
            out.append(re.sub(r"\s+", " ", part))
    return "".join(out).strip()


Objects = dict[tuple[str, str], tuple[str, str | None]]
Columns = dict[str, tuple[tuple, ...]]


def _objects(conn: sqlite3.Connection) -> Objects:
    found: Objects = {}
    for kind, name, table, sql in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema"):
        if kind == "table" and name in _SQLITE_OWN:
            continue
        if kind == "table" and name in _LITESTREAM_OWN and normalise_sql(sql) == _LITESTREAM_OWN[name]:
            continue
        found[(kind, name)] = (table, normalise_sql(sql))
    return found


def _columns(conn: sqlite3.Connection, table: str) -> tuple[tuple, ...]:
    quoted = '"' + table.replace('"', '""') + '"'
    return tuple(tuple(row) for row in conn.execute(f"PRAGMA table_xinfo({quoted})"))


# The digest of what MIGRATIONS create for the current schema version (`digest(reference(N)[0])`),
# so that opening a rota, on every command and at the app's start, compares the file's schema
# without building the reference (~10 ms of running every migration in memory). A file whose
# digest differs is compared object by object to say how. tests/unit/test_storage.py fails,
# naming the new value, when a migration is added and this is not updated.
CURRENT = (
    13,
    "206150d1dd806a30abd83cb674e20f9e6c666380e94b94725e898d64b181a0c1"
    "6372124d140079a1d5ff8f0012f6c9c838c02b0742acdc4a1206dc368f3f9657",
)


def digest(objects: Objects) -> str:
    """A SHA-512 over the objects (type, name, table, normalised SQL), in a fixed order."""
    try:  # the module `random` has already loaded on every path (hashlib would add ~3 ms to each start)
        from _sha512 import sha512
    except ImportError:  # Python 3.12 and later name it _sha2
        from hashlib import sha512

    h = sha512()
    for (kind, name), (table, sql) in sorted(objects.items()):
        h.update(repr((kind, name, table, sql)).encode())
        h.update(b"\n")
    return h.hexdigest()


@lru_cache(maxsize=None)
def reference(version: int) -> tuple[Objects, Columns]:
    """The objects and columns warmline creates for schema `version` (1 to the current one)."""
    from .migrations import MIGRATIONS

    if not 0 <= version <= len(MIGRATIONS):
        raise ValueError(f"no schema version {version}")
    conn = sqlite3.connect(":memory:")
    try:
        for step in MIGRATIONS[:version]:
            for statement in step:
                conn.execute(statement)
        objects = _objects(conn)
        columns = {name: _columns(conn, name) for (kind, name) in objects if kind == "table"}
    finally:
        conn.close()
    return objects, columns


def differences(conn: sqlite3.Connection, version: int) -> list[str]:
    """Every way the schema of the file open on `conn` differs from what warmline creates for `version`.

    An empty list means the file holds exactly warmline's tables, columns, indexes and triggers.
    """
    actual = _objects(conn)
    if (version, digest(actual)) == CURRENT:
        # Exactly the objects, with exactly the SQL, warmline creates: the columns are read from
        # that SQL, so they are the same too.
        return []
    expected, expected_columns = reference(version)
    found: list[str] = []
    for key in sorted(actual.keys() - expected.keys()):
        kind, name = key
        table = actual[key][0]
        where = f" on {table}" if kind in ("trigger", "index") and table != name else ""
        found.append(f"{kind} {_name(name)}{where} was not created by warmline")
    for key in sorted(expected.keys() - actual.keys()):
        kind, name = key
        found.append(f"{kind} {_name(name)} is missing")
    for key in sorted(expected.keys() & actual.keys()):
        kind, name = key
        if actual[key] != expected[key]:
            found.append(f"{kind} {_name(name)} is not the one warmline creates (its definition was changed)")
        elif kind == "table" and _columns(conn, name) != expected_columns[name]:
            found.append(f"table {_name(name)} has columns warmline did not create")
    return found


def _name(name: str) -> str:
    from .text import safe

    return repr(safe(name))


def describe(found: list[str], limit: int = 3) -> str:
    """A short, one-line summary of `differences` for an error message."""
    shown = "; ".join(found[:limit])
    more = len(found) - limit
    return shown + (f"; and {more} more" if more > 0 else "")
