"""Crawl runs: opened, closed with their counts; a run left open by a killed crawl is aborted."""

from __future__ import annotations

import json

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
