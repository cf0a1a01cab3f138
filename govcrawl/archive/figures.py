"""How a version's figures, checks and sections are stored: once each, compactly.

``figures`` holds every cell read (its place an integer ``metric_keys`` id, its label a
``labels`` id, its printed text only when it is not just the figure); a metric is a flag
on the cell it was read from.  ``check_results`` holds the checks with their rule and
status as codes, ``section_spans`` where each section stands in the version's text.
The views ``metrics``, ``cells``, ``checks`` and ``sections`` (govcrawl.archive.schema)
show them as they were stored before: one writer here, for the crawl, ``reextract`` and
the migration of older archives alike.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

# figures.flags
METRIC, BLANK, COMPUTED, FROM_PROSE, METRIC_ONLY = 1, 2, 4, 8, 16
# check_results.rule and .status: 1, 2, … in this order
CHECK_RULES = ("requests.balance", "requests.results_sum", "requests.column_sum", "appeals.total")
CHECK_STATUSES = ("pass", "fail", "not_assessable")


def split_key(key: str) -> tuple[str, str, str]:
    """'requests.denied.state_secret.total' → ('requests', 'denied.state_secret', 'total')."""
    table, rest = key.split(".", 1)
    row, col = rest.rsplit(".", 1)
    return table, row, col


def section_spans(vid: int, sections: list[dict[str, Any]]) -> list[tuple[int, int, int, int, int]]:
    """Where each section stands in the version's text ("heading\ntext" joined by blank lines):
    the text is stored once, the sections view cuts it."""
    out, start = [], 1
    for section in sections:
        heading, text = section["heading"], section["text"]
        out.append((vid, section["number"], start, len(heading), len(text)))
        start += len(heading) + 1 + len(text) + 2
    return out


def store_checks(db: sqlite_utils.Database, vid: int, checks: list[dict[str, Any]]) -> None:
    """A version's checks: rule and status as codes, the row and column checked as a place."""
    places = _places(db, {f"{c['rule'].split('.')[0]}.{c['row'] or ''}.{c['col'] or ''}" for c in checks})
    db.conn.executemany(
        'INSERT INTO check_results (vid, seq, rule, key_id, status, "left", "right") VALUES (?,?,?,?,?,?,?)',
        [(vid, seq, CHECK_RULES.index(c["rule"]) + 1,
          places[f"{c['rule'].split('.')[0]}.{c['row'] or ''}.{c['col'] or ''}"],
          CHECK_STATUSES.index(c["status"]) + 1, c["left"], c["right"]) for seq, c in enumerate(checks)])


def _places(db: sqlite_utils.Database, wanted: set[str]) -> dict[str, int]:
    """metric_keys ids of these positions ('table.row.col', parts may be empty), added if new."""
    places = dict(db.execute("SELECT position, key_id FROM metric_keys").fetchall())
    for position in sorted(wanted - places.keys()):
        table, rest = position.split(".", 1)
        row, col = rest.rsplit(".", 1)  # a row key may hold dots (denied.state_secret); tables and columns not
        places[position] = db.execute(
            'INSERT INTO metric_keys (position, "table", "row", col) VALUES (?,?,?,?)',
            [position, table or None, row or None, col or None]).lastrowid
    return places


def store_figures(db: sqlite_utils.Database, vid: int, cells: list[dict[str, Any]],
                  metrics: dict[str, tuple[float, str | None]]) -> None:
    """A version's cells and metrics, stored once: each cell a row of ``figures``; a metric is
    the flag on the cell it was read from (one with no cell behind it gets a row of its own).
    ``metrics``: key → (value, derived_from)."""
    places = _places(db, {_position(c) for c in cells} | {_position(dict(zip(("table", "row", "col"), split_key(k),
                                                                            strict=True))) for k in metrics})
    labels = _label_ids(db, {c["label"] for c in cells if c.get("label") is not None})
    chosen: dict[str, int] = {}
    rows = []
    for seq, cell in enumerate(cells):
        key = f"{cell['table']}.{cell['row']}.{cell['col']}" if cell["row"] and cell["col"] else None
        flags = (BLANK if cell.get("blank") else 0) | (COMPUTED if cell.get("derived") else 0) | (
            FROM_PROSE if cell.get("derived_from") else 0)
        if key in metrics and key not in chosen and cell["value"] is not None and cell["value"] == metrics[key][0]:
            chosen[key] = seq
            flags |= METRIC
        rows.append([vid, seq, places[_position(cell)], cell["value"], _raw_kept(cell["value"], cell["raw"]),
                     labels.get(cell.get("label")), flags])
    for key, (value, derived_from) in metrics.items():
        if key not in chosen:  # a metric no cell gave (older archives): kept, not shown as a cell
            place = places[_position(dict(zip(("table", "row", "col"), split_key(key), strict=True)))]
            rows.append([vid, len(rows), place, value, None, None,
                         METRIC | METRIC_ONLY | (FROM_PROSE if derived_from else 0)])
    db.conn.executemany("INSERT INTO figures (vid, seq, key_id, value, raw, label_id, flags) VALUES (?,?,?,?,?,?,?)",
                        rows)


def _position(cell: dict[str, Any]) -> str:
    return f"{cell['table'] or ''}.{cell['row'] or ''}.{cell['col'] or ''}"


def _raw_kept(value: Any, raw: str | None) -> str | None:
    """The printed text, unless it is just the figure (the cells view writes it back)."""
    if raw is None:
        return None if value is None else raw
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer() \
            and abs(value) < 2 ** 53 and raw == str(int(value)):
        return None
    return raw


def _label_ids(db: sqlite_utils.Database, labels: set[str]) -> dict[str | None, int]:
    if not labels:
        return {}
    wanted = sorted(labels)
    found: dict[str | None, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(db.execute(f"SELECT label, label_id FROM labels WHERE label IN ({','.join('?' * len(chunk))})",
                                chunk).fetchall())
    for label in wanted:
        if label not in found:
            found[label] = db.execute("INSERT INTO labels (label) VALUES (?)", [label]).lastrowid
    return found


def store_changes(db: sqlite_utils.Database, new_vid: int, old_vid: int) -> None:
    """A revision's diff, kept when it is stored: the revisions query reads a few rows
    instead of comparing every figure of every revised version."""
    def metrics(vid: int) -> dict[str, float]:
        return dict(db.execute("SELECT k.key, f.value FROM figures f JOIN metric_keys k ON k.key_id = f.key_id "
                               "WHERE f.vid = ? AND f.flags & 1", [vid]).fetchall())

    new, old = metrics(new_vid), metrics(old_vid)
    ids = dict(db.execute("SELECT vid, version_id FROM versions WHERE vid IN (?, ?)", [new_vid, old_vid]).fetchall())
    db.conn.executemany(
        "INSERT OR REPLACE INTO changes (new_version_id, key, old_version_id, before, after) VALUES (?,?,?,?,?)",
        [(ids[new_vid], key, ids[old_vid], old.get(key), new.get(key))
         for key in sorted(new.keys() | old.keys()) if old.get(key) != new.get(key)])
