"""What the end of every run does to the archive, after the pages are stored: the full-text
index, the wide table and the dashboard's sums brought up to date, and new captures
compressed with their portal's dictionary (one trained where a portal has enough pages)."""

from __future__ import annotations

import sqlite_utils

from govcrawl.archive import fulltext, raw, schema, wide


def after_run(db: sqlite_utils.Database) -> dict[str, int]:
    """Inside the caller's transaction; returns what changed."""
    counts = {"indexed": fulltext.refresh(db), "placed": schema.place_reports(db), "wide": wide.refresh(db)}
    counts.update(raw.compact_captures(db))
    return counts


def reclaim(db: sqlite_utils.Database) -> None:
    """Give the pages a run freed (captures recompressed, derived rows replaced) back to the
    file system; outside any transaction (an archive made before auto_vacuum keeps them
    until a VACUUM)."""
    if not db.conn.in_transaction:
        db.conn.executescript("PRAGMA incremental_vacuum;")  # a script steps it to the end


def rebuild(db: sqlite_utils.Database) -> None:
    """After a reextract: the index and the derived summaries made afresh."""
    schema.recreate_index(db)
    fulltext.refresh(db)
    schema.place_reports(db)
    wide.rebuild(db)
