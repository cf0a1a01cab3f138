"""``govcrawl reextract``: rebuild every derived table from the raw ones, no network.

The recorded fetches and disappearances are replayed in the order they happened,
through the same :func:`~govcrawl.archive.versions.apply_fetch` the crawl writes with.
Reading the pages is not storage's job: the caller gives a :class:`PageReader` (the
CLI gives the extractor's, in a process pool that reads ahead of the writes), and the
rows are the same however the pages are read, since reading is a pure function of the
bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlite_utils

from govcrawl.archive import schema, upkeep
from govcrawl.archive.raw import Fetch, capture_bytes, iter_fetches
from govcrawl.archive.versions import Reading, apply_disappearance, apply_fetch


@dataclass(frozen=True)
class ReadTask:
    """One stored page to read: where its bytes are and what kind of page it was."""

    fetch_id: int
    url: str
    kind: str  # report | attachment
    sha256: str


class PageReader(Protocol):
    """Reads stored pages: (record, reason, attachment links) per task.

    ``plan`` names every task the replay will ask for, in order, and how to load a
    capture's bytes by its sha256, so that a reader may read ahead; ``read`` may still be
    asked for a task it was not told of.
    """

    def plan(self, tasks: list[ReadTask], load: Callable[[str], bytes]) -> None: ...

    def read(self, task: ReadTask) -> tuple[dict[str, Any] | None, str | None, list[str]]: ...

    def close(self) -> None: ...


def _tasks_ahead(fetches: list[Fetch]) -> list[ReadTask]:
    """The fetches a replay will read: a 200 whose bytes differ from the last ones read
    for its URL (apply_fetch decides; this only predicts, to read ahead)."""
    last: dict[str, str] = {}
    tasks = []
    for fetch in fetches:
        if fetch.status == 200 and fetch.sha256 and last.get(fetch.url) != fetch.sha256:
            tasks.append(ReadTask(fetch.id or 0, fetch.url, fetch.kind, fetch.sha256))
            last[fetch.url] = fetch.sha256
    return tasks


def reextract(db: sqlite_utils.Database, reader: PageReader,
              progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Rebuild every derived table and the full-text index from the raw tables; idempotent.

    One transaction: the archive shows either the old derived tables or the new ones.
    """
    db.conn.commit()
    db.execute("BEGIN")
    for table in schema.DERIVED_TABLES:
        db.execute(f"DELETE FROM {table}")
    counts = {"fetches": 0, "extracted": 0, "reports": 0, "versions": 0}
    fetches = iter_fetches(db)
    events: list[tuple[str, int, int, Any]] = [(f.fetched_at, 0, f.id or 0, f) for f in fetches]
    events += [(at, 1, did, (url, at)) for did, url, at in
               db.execute("SELECT id, url, at FROM disappearances ORDER BY id").fetchall()]
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    reader.plan(_tasks_ahead(fetches), lambda sha: capture_bytes(db, sha))
    try:
        for _, kind, _, payload in events:
            if kind == 1:
                apply_disappearance(db, *payload)
                continue
            outcome = apply_fetch(db, payload, _reading(reader, payload))
            counts["fetches"] += 1
            if progress:
                progress(1)
            counts["extracted"] += int(outcome.extracted)
            counts["reports"] += int(outcome.new_report)
            counts["versions"] += int(outcome.new_version)
        upkeep.rebuild(db)
    except BaseException:
        db.conn.rollback()
        raise
    finally:
        reader.close()
    db.conn.commit()
    return counts


def _reading(reader: PageReader, fetch: Fetch) -> Callable[[], Reading]:
    def read() -> Reading:
        record, reason, attachments = reader.read(ReadTask(fetch.id or 0, fetch.url, fetch.kind, fetch.sha256 or ""))
        return Reading.of(record, reason, fetch.url, attachments)
    return read
