"""The workspace store: one DuckDB file with the events, accounts, contacts, quarantine and load records.

Tables are created and migrated here only; every other module reads and writes through SQL on the
connection this module opens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from cxmap.errors import Busy, BusyHere, CxmapError

STORE_FILE = "cxmap.duckdb"
SCHEMA_VERSION = 1

# Timestamps are stored as naive TIMESTAMP holding UTC (the same on every engine).
SCHEMA = """
CREATE TABLE IF NOT EXISTS cxmap_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS loads (
    load_id INTEGER PRIMARY KEY,
    kind VARCHAR NOT NULL,            -- events | accounts | contacts
    sources VARCHAR[] NOT NULL,       -- the files read
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    scale VARCHAR,
    columns VARCHAR,                  -- the --columns mapping as given, JSON
    rows_read BIGINT NOT NULL,
    loaded BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    quarantined BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    event_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    account_id VARCHAR,
    "timestamp" TIMESTAMP NOT NULL,
    touchpoint VARCHAR NOT NULL,
    channel VARCHAR,
    department VARCHAR,
    score DOUBLE,
    scale VARCHAR,
    emotion DOUBLE,
    emotion_source VARCHAR,           -- 'score' or the sentiment model's name, e.g. 'vader'
    nps_class VARCHAR,                -- promoter | passive | detractor, for the nps scale
    comment VARCHAR,
    attributes JSON,                  -- every other source column, as text
    load_id INTEGER NOT NULL,
    "row" BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    account_id VARCHAR NOT NULL,
    name VARCHAR,
    started_at DATE,
    segment VARCHAR,
    owner VARCHAR,
    attributes JSON,
    load_id INTEGER NOT NULL,
    "row" BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS contacts (
    customer_id VARCHAR NOT NULL,
    account_id VARCHAR,
    added_at DATE,
    role VARCHAR,
    name VARCHAR,
    attributes JSON,
    load_id INTEGER NOT NULL,
    "row" BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
    load_id INTEGER NOT NULL,
    file VARCHAR NOT NULL,
    line BIGINT,
    reason VARCHAR NOT NULL,
    raw VARCHAR
);
CREATE TABLE IF NOT EXISTS sentiment_cache (
    comment_hash VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    compound DOUBLE NOT NULL,
    PRIMARY KEY (comment_hash, model)
);
"""


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, *, commit: bool = True) -> Iterator[None]:
    """Run the block as one transaction: committed when it ends normally (rolled back when `commit` is
    false, as for a preview), rolled back when it raises, so the store holds all of it or none."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT" if commit else "ROLLBACK")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store; a clear one-line error when it is missing, locked or not a cxmap store."""
    if not path.is_file():
        raise CxmapError(f"{path.parent}: not a cxmap workspace (no {STORE_FILE}); run `cxmap init {path.parent}`")
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise Busy(f"{path}: the store is in use by another cxmap process; try again when it ends") from None
        raise CxmapError(f"{path}: cannot open the store: {text.splitlines()[0]}") from None
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        # DuckDB: this process has the store open in another mode (a reader of the web app) until it closes it
        error = BusyHere if "different configuration" in first else CxmapError
        raise error(f"{path}: not a readable cxmap store: {first}") from None
    con.execute("SET TimeZone = 'UTC'")
    return con


def create(path: Path) -> None:
    """Create an empty store at `path` with the current schema."""
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA)
        con.execute(
            "INSERT INTO cxmap_meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
            [str(SCHEMA_VERSION)],
        )
    finally:
        con.close()


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Bring an older store up to the current schema (all statements are idempotent)."""
    row = con.execute("SELECT value FROM cxmap_meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        raise CxmapError(
            f"this workspace was written by a newer cxmap (store schema {version}); upgrade cxmap to read it"
        )
    if version < SCHEMA_VERSION:
        con.execute(SCHEMA)
        con.execute("INSERT OR REPLACE INTO cxmap_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
