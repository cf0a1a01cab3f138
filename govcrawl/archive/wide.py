"""The wide table (one row per report, one column per canonical key) and the yearly sums the
dashboard draws, materialised from the figures of each report's latest version.

Both are derived: :func:`refresh` brings them up to date at the end of each run (only
reports whose latest version or facets changed are rewritten), :func:`rebuild` makes
them afresh after a ``reextract`` or a change of the canonical keys.  A view that
pivoted the figures on every request took seconds at 20,000 reports; a table answers a
page from its indexes.
"""

from __future__ import annotations

from collections import defaultdict

import sqlite_utils

from govcrawl.extract import keys as K

WIDE_TABLE = "report_metrics_wide"
_FACETS = ("agency", "year", "template", "published", "gone_at", "portal_id", "division_code", "province", "city",
           "district", "level")


def _key_columns() -> list[str]:
    return [k.key for k in K.all_keys()]


def refresh(db: sqlite_utils.Database) -> int:
    """Rewrite the rows of reports that are new or changed, drop those of reports no longer
    archived, and recompute the yearly sums; returns rows written."""
    stale = [row[0] for row in db.execute(
        f"SELECT r.report_id FROM reports r LEFT JOIN {WIDE_TABLE} w ON w.report_id = r.report_id "
        "WHERE w.report_id IS NULL OR w.version_id IS NOT r.latest_version_id OR "
        + " OR ".join(f"w.{c} IS NOT r.{c}" for c in _FACETS)).fetchall()]
    db.execute(f"DELETE FROM {WIDE_TABLE} WHERE report_id NOT IN (SELECT report_id FROM reports)")
    keys = _key_columns()
    columns = ["report_id", *_FACETS, "version_id", "checks_failed", *keys]
    insert = (f"INSERT OR REPLACE INTO {WIDE_TABLE} (" + ", ".join(f'"{c}"' for c in columns)
              + ") VALUES (" + ", ".join("?" * len(columns)) + ")")
    for start in range(0, len(stale), 400):
        chunk = stale[start:start + 400]
        marks = ",".join("?" * len(chunk))
        reports = db.execute(
            "SELECT r.report_id, " + ", ".join(f"r.{c}" for c in _FACETS) + ", r.latest_version_id, "
            "(SELECT COUNT(*) FROM check_results c WHERE c.vid = v.vid AND c.status = 2) "
            "FROM reports r JOIN versions v ON v.version_id = r.latest_version_id "
            f"WHERE r.report_id IN ({marks})", chunk).fetchall()
        figures: dict[str, dict[str, float]] = defaultdict(dict)
        for report_id, key, value in db.execute(
                "SELECT r.report_id, k.key, f.value FROM reports r "
                "JOIN versions v ON v.version_id = r.latest_version_id "
                "JOIN figures f ON f.vid = v.vid AND f.flags & 1 JOIN metric_keys k ON k.key_id = f.key_id "
                f"WHERE r.report_id IN ({marks})", chunk).fetchall():
            figures[report_id][key] = value
        db.conn.executemany(insert, [(*report, *(figures[report[0]].get(k) for k in keys)) for report in reports])
    refresh_yearly(db)
    return len(stale)


def rebuild(db: sqlite_utils.Database) -> int:
    db.execute(f"DELETE FROM {WIDE_TABLE}")
    return refresh(db)


def _yearly_keys() -> list[str]:
    """The totals the dashboard sums (every row's total column, and the prose-only totals)."""
    return [k.key for k in K.all_keys() if k.col == "total"]


def refresh_yearly(db: sqlite_utils.Database) -> None:
    """Sums per year, agency level and key: one pass over the wide table."""
    keys = _yearly_keys()
    selected = ", ".join(f'COUNT(w."{k}"), SUM(w."{k}")' for k in keys)
    rows = db.execute(
        f"SELECT w.year, COALESCE(w.level, 'unknown'), {selected} FROM {WIDE_TABLE} w WHERE w.year IS NOT NULL "
        "GROUP BY w.year, COALESCE(w.level, 'unknown')").fetchall()
    db.execute("DELETE FROM yearly")
    db.conn.executemany(
        "INSERT INTO yearly (year, level, key, reports, total) VALUES (?,?,?,?,?)",
        [(row[0], row[1], key, row[2 + 2 * i], row[3 + 2 * i])
         for row in rows for i, key in enumerate(keys) if row[2 + 2 * i]])
