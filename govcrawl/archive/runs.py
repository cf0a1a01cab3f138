"""Crawl runs: opened, closed with their counts; a run left open by a killed crawl is aborted."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from govcrawl.clock import now_iso


def start_run(db: sqlite_utils.Database, portals: list[str], command: str) -> tuple[int, str]:
    """Open a crawl run; runs left 'running' by a killed crawl are closed as 'aborted'."""
    started = now_iso()
    with db.conn:
        db.execute("UPDATE crawl_runs SET status = 'aborted' WHERE status = 'running'")
        cursor = db.execute(
            "INSERT INTO crawl_runs (started_at, status, portals, command) VALUES (?, 'running', ?, ?)",
            [started, json.dumps(portals), command])
    return cursor.lastrowid, started


def finish_run(db: sqlite_utils.Database, run_id: int, status: str, counts: dict[str, int]) -> None:
    with db.conn:
        db.execute("UPDATE crawl_runs SET finished_at = ?, status = ?, counts = ? WHERE id = ?",
                   [now_iso(), status, json.dumps(counts, sort_keys=True), run_id])


# --- what a run proves about each portal ------------------------------------------------------

READ_OUTCOMES = ("listing", "empty")


@dataclass(frozen=True)
class Verdict:
    """Was a portal read completely in a run, and if not, why (the first problem)."""

    status: str  # complete | incomplete | blocked | unreached
    reason: str | None
    listing_pages: int

    @property
    def complete(self) -> bool:
        return self.status == "complete"


def portal_verdicts(db: sqlite_utils.Database, run_id: int, portal_ids: list[str]) -> dict[str, Verdict]:
    """Each portal's verdict from the listing pages the run asked for (table listings).

    Complete: every listing page asked for was fetched and read as a listing (or said it
    had no items).  Blocked: a challenge or refusal stood in the way.  Unreached: not one
    listing page was read.  Otherwise incomplete, with the first problem as the reason.
    """
    rows: dict[str, list[tuple[str, str | None, str]]] = {p: [] for p in portal_ids}
    for portal_id, outcome, reason, url in db.execute(
            "SELECT portal_id, outcome, reason, url FROM listings WHERE run_id = ? ORDER BY id", [run_id]):
        rows.setdefault(portal_id, []).append((outcome, reason, url))
    out = {}
    for portal_id, listed in rows.items():
        read = sum(1 for outcome, _, _ in listed if outcome in READ_OUTCOMES)
        problems = [(outcome, f"{url}: {reason or outcome}") for outcome, reason, url in listed
                    if outcome not in READ_OUTCOMES]
        if not listed:
            out[portal_id] = Verdict("unreached", "no listing page was fetched", 0)
        elif any(outcome == "blocked" for outcome, _ in problems):
            out[portal_id] = Verdict("blocked", next(r for o, r in problems if o == "blocked"), read)
        elif problems:
            out[portal_id] = Verdict("unreached" if not read else "incomplete", problems[0][1], read)
        else:
            out[portal_id] = Verdict("complete", None, read)
    return out


def record_verdicts(db: sqlite_utils.Database, run_id: int, verdicts: dict[str, Verdict],
                    gone: dict[str, int]) -> None:
    """The run's word on each portal (table portal_runs), inside the caller's transaction."""
    for portal_id, verdict in sorted(verdicts.items()):
        db.execute("INSERT OR REPLACE INTO portal_runs (run_id, portal_id, status, reason, listing_pages, gone) "
                   "VALUES (?,?,?,?,?,?)", [run_id, portal_id, verdict.status, verdict.reason,
                                            verdict.listing_pages, gone.get(portal_id, 0)])


def unlisted_sources(db: sqlite_utils.Database, run_id: int,
                     portal_ids: list[str]) -> list[tuple[str, str, str, str | None]]:
    """(url, portal, kind, referer) of the sources still served as far as the archive knows
    that this run has not asked for: a complete portal's listing no longer leads to them, so
    their own URLs are asked before anything is marked gone."""
    if not portal_ids:
        return []
    marks = ", ".join("?" * len(portal_ids))
    return [tuple(row) for row in db.execute(
        f"SELECT s.url, s.portal_id, COALESCE(p.kind, 'report'), "
        f" (SELECT page_url FROM attachments a WHERE a.url = s.url ORDER BY page_url LIMIT 1) "
        f"FROM sources s LEFT JOIN pages p ON p.url = s.url "
        f"WHERE s.gone_at IS NULL AND s.portal_id IN ({marks}) "
        f"AND NOT EXISTS (SELECT 1 FROM fetches f WHERE f.url = s.url AND f.run_id = ?) "
        f"AND NOT EXISTS (SELECT 1 FROM errors e WHERE e.url = s.url AND e.run_id = ?) "
        f"GROUP BY s.url ORDER BY s.url", [*portal_ids, run_id, run_id]).fetchall()]


def close_portals(db: sqlite_utils.Database, run_id: int, portal_ids: list[str], at: str,
                  finished: bool) -> tuple[dict[str, Verdict], dict[str, int]]:
    """End of a run: each portal's verdict recorded, and — when the crawl ran to its end —
    the sources of its complete portals proven gone marked gone.  In the caller's transaction."""
    from govcrawl.archive.versions import mark_gone

    verdicts = portal_verdicts(db, run_id, portal_ids)
    complete = sorted(p for p, v in verdicts.items() if v.complete)
    gone = mark_gone(db, run_id, complete, at) if finished else {}
    record_verdicts(db, run_id, verdicts, gone)
    return verdicts, gone
