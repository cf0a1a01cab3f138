"""The archive's Chinese full-text index: overlapping bigrams in an ordinary FTS5 table.

FTS5's default tokenizer treats a run of Chinese characters as one token, so 复议 never
matches inside 行政复议案件; the trigram tokenizer needs three characters.  So the text is
indexed as the overlapping pairs of its characters (信息公开 → 信息 息公 公开; digits and
letters alike, so 012年 is found inside 2012年), and a query becomes the phrase of its
own pairs (govcrawl.research.search): a phrase matches exactly where the characters
occur in that order, which is what a substring scan finds.  A token that cannot occur in
text separates runs broken by punctuation, so pairs never join across a comma.

The index (``report_search`` and the contentless ``report_search_fts``) covers each
report's latest version and is rebuilt from the derived tables by :func:`refresh`, so it
is derived like them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlite_utils

_RUNS = re.compile(r"([^\W_]+)|(\s+)|(.)", re.S)  # word characters (Chinese, digits, letters) | space | other
BARRIER = "ǂ"  # a letter FTS5 indexes as a token, and no report text has
# The barrier must survive FTS5's own tokenizer as one token:
assert BARRIER.isalpha()


def normalise(text: str) -> str:
    """What is indexed and what a query is compared with: NFKC (full-width → half-width,
    Kangxi radicals from PDFs → ordinary characters), case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def tokens(text: str, query: bool = False) -> list[str]:
    """The index tokens of a text: the overlapping pairs of each run of word characters (a
    run of one character is itself), the barrier between runs — and, once per text, each
    character that begins no token, with the barrier (开ǂ): every character of the text
    then begins a token, so one character is found by a prefix query (开*).

    ``query``: a query term's tokens (no such end tokens: the text's run may go on).
    """
    out: list[str] = []
    ends: set[str] = set()
    pending_barrier = False
    for word, _space, _other in _RUNS.findall(normalise(text)):
        if not word:
            pending_barrier = bool(out)
            continue
        if pending_barrier:
            out.append(BARRIER)
            pending_barrier = False
        out.extend([word] if len(word) == 1 else [word[i:i + 2] for i in range(len(word) - 1)])
        ends.add(word[-1])
    if not query:
        starts = {token[0] for token in out}
        out.extend(char + BARRIER for char in sorted(ends - starts))
    return out


def agency_level(agency: str | None) -> str | None:
    """government | department | street (乡镇 and 街道) from the agency's name."""
    if not agency:
        return None
    if re.search(r"(街道办事处|街道|[镇乡]人民政府|[镇乡]政府)$", agency):
        return "street"
    if re.search(r"(区|县|市|旗)人民政府$", agency):
        return "government"
    return "department"


def document(title: str | None, text: str | None) -> str:
    """The searchable text of a version: its title and its sections."""
    return f"{title or ''}\n{text or ''}"


def portal_info(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    return {row[0]: {"province": row[1], "district": row[2]}
            for row in db.execute("SELECT portal_id, province, district FROM portals").fetchall()}


def refresh(db: sqlite_utils.Database) -> int:
    """Bring the index up to date with each report's latest version; returns rows changed.

    Incremental: only reports whose latest version moved (or that are new) are
    re-indexed and only their texts are read, so a re-crawl that changed nothing costs
    a query over the reports, not a read of every report's text.
    """
    portals = portal_info(db)
    current = db.execute(
        "SELECT r.report_id, r.latest_version_id, r.agency, r.year, r.template, r.published, "
        "r.gone_at, v.title, s.id, s.version_id, "
        "(SELECT portal_id || char(9) || url FROM sources WHERE version_id = r.latest_version_id "
        " ORDER BY gone_at IS NOT NULL, url LIMIT 1), "
        "s.gone_at, s.published, s.url, s.portal_id, s.province, s.district "
        "FROM reports r JOIN versions v ON v.version_id = r.latest_version_id "
        "LEFT JOIN report_search s ON s.report_id = r.report_id ORDER BY r.year, r.agency DESC, r.report_id DESC"
    ).fetchall()
    changed = 0
    around = ("gone_at", "published", "url", "portal_id", "province", "district")
    for (report_id, version_id, agency, year, template, published, gone_at, title,
         row_id, indexed_version, source, *indexed_around) in current:
        portal_id, url = (source or "\t").split("\t", 1)
        portal = portals.get(portal_id, {})
        row = {"report_id": report_id, "version_id": version_id, "agency": agency, "year": year,
               "template": template, "level": agency_level(agency), "portal_id": portal_id or None,
               "province": portal.get("province"), "district": portal.get("district"), "title": title,
               "published": published, "gone_at": gone_at, "url": url or None}
        if row_id is not None and indexed_version == version_id:
            # The same text: only what is around it may have moved (gone, a source elsewhere);
            # a run that moved nothing writes nothing.
            moved = {k: row[k] for k in around}
            if list(moved.values()) != indexed_around:
                db.execute("UPDATE report_search SET " + ", ".join(f"{k} = ?" for k in moved) + " WHERE id = ?",
                           [*moved.values(), row_id])
            continue
        if row_id is not None:
            _delete_fts(db, row_id)
            db.execute("DELETE FROM report_search WHERE id = ?", [row_id])
        new_id = _next_id(db, year)
        db.execute(f"INSERT INTO report_search (id, {', '.join(row)}) VALUES (?, {', '.join('?' * len(row))})",
                   [new_id, *row.values()])
        text = db.execute("SELECT text FROM versions WHERE version_id = ?", [version_id]).fetchone()[0]
        db.execute("INSERT INTO report_search_fts (rowid, body) VALUES (?, ?)",
                   [new_id, " ".join(tokens(document(title, text)))])
        db.execute("INSERT OR REPLACE INTO report_search_state (id, version_id) VALUES (?, ?)",
                   [new_id, version_id])
        changed += 1
    # Reports no longer in the archive (a reextract dropped them): out of the index too.
    for (row_id,) in db.execute("SELECT id FROM report_search WHERE report_id NOT IN "
                                "(SELECT report_id FROM reports)").fetchall():
        _delete_fts(db, row_id)
        db.execute("DELETE FROM report_search WHERE id = ?", [row_id])
        changed += 1
    return changed


def _next_id(db: sqlite_utils.Database, year: int | None) -> int:
    """Row ids ordered by year (year × 1,000,000 + a sequence): the index returns its
    rows in id order, so "newest first, first 20" stops after 20 rows instead of
    sorting every hit (a common word is in every report)."""
    base = (year or 0) * 1_000_000
    last = db.execute("SELECT MAX(id) FROM report_search WHERE id BETWEEN ? AND ?",
                      [base, base + 999_999]).fetchone()[0]
    return (last or base) + 1


def _delete_fts(db: sqlite_utils.Database, row_id: int) -> None:
    state = db.execute("SELECT s.version_id, v.title, v.text FROM report_search_state s "
                       "LEFT JOIN versions v ON v.version_id = s.version_id WHERE s.id = ?",
                       [row_id]).fetchone()
    if state and state[0] is not None and (state[1] is not None or state[2] is not None):
        db.execute("INSERT INTO report_search_fts (report_search_fts, rowid, body) VALUES ('delete', ?, ?)",
                   [row_id, " ".join(tokens(document(state[1], state[2])))])
    db.execute("DELETE FROM report_search_state WHERE id = ?", [row_id])
