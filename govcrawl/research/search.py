"""Chinese full-text search over the archive: overlapping bigrams in an ordinary FTS5 table.

FTS5's default tokenizer treats a run of Chinese characters as one token, so 复议 never
matches inside 行政复议案件; the trigram tokenizer needs three characters.  So the text is
indexed as the overlapping pairs of its characters (信息公开 → 信息 息公 公开; digits and
letters alike, so 012年 is found inside 2012年), and a query becomes the phrase of its
own pairs: a phrase matches exactly where the characters occur in that order, which is
what a substring scan finds.  A token that cannot occur in text separates runs broken by
punctuation, so pairs never join across a comma.

The index (``report_search`` and the contentless ``report_search_fts``) covers each
report's latest version and is rebuilt from the derived tables by :func:`refresh`, so it
is derived like them.  In SQL: ``... MATCH '"信息 息公 公开"'`` (see :func:`fts_query`);
Datasette gets the same through the project's plugin.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import sqlite_utils

_RUNS = re.compile(r"([^\W_]+)|(\s+)|(.)", re.S)  # word characters (Chinese, digits, letters) | space | other
BARRIER = "ǂ"  # a letter FTS5 indexes as a token, and no report text has

SCHEMA = """
CREATE TABLE IF NOT EXISTS report_search (
    id INTEGER PRIMARY KEY, report_id TEXT NOT NULL UNIQUE, version_id TEXT NOT NULL,
    agency TEXT, year INTEGER, template TEXT, level TEXT, portal_id TEXT, province TEXT,
    district TEXT, title TEXT, published TEXT, gone_at TEXT, url TEXT);
CREATE INDEX IF NOT EXISTS report_search_year ON report_search(year, agency);
CREATE VIRTUAL TABLE IF NOT EXISTS report_search_fts USING fts5(
    body, content='', tokenize='unicode61 remove_diacritics 0');
CREATE TABLE IF NOT EXISTS report_search_state (id INTEGER PRIMARY KEY, version_id TEXT);
"""
# report_search_state remembers what each FTS row was built from: a contentless FTS5
# row can only be deleted by giving back the tokens it was built with.
# The barrier must survive FTS5's own tokenizer as one token:
assert BARRIER.isalpha()


def normalise(text: str) -> str:
    """What is indexed and what a query is compared with: NFKC (full-width → half-width,
    Kangxi radicals from PDFs → ordinary characters), case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def tokens(text: str) -> list[str]:
    """The index tokens of a text: pairs of Chinese characters, whole words otherwise."""
    out: list[str] = []
    pending_barrier = False
    for word, _space, _other in _RUNS.findall(normalise(text)):
        if not word:
            pending_barrier = bool(out)
            continue
        if pending_barrier:
            out.append(BARRIER)
            pending_barrier = False
        out.extend([word] if len(word) == 1 else [word[i:i + 2] for i in range(len(word) - 1)])
    return out


def fts_query(query: str) -> str:
    """An FTS5 MATCH expression finding the texts that contain every term of ``query``.

    Terms are separated by spaces; each becomes the phrase of its pairs.  A query with
    nothing searchable matches nothing (rather than everything, or an error).
    """
    phrases = []
    for term in query.split():
        found = [t for t in tokens(term) if t != BARRIER]
        if found:
            phrases.append('"' + " ".join(tokens(term)) + '"')
    return " ".join(phrases) if phrases else f'"{BARRIER}{BARRIER}"'


def searchable(query: str) -> bool:
    """Whether the index can answer: every term has two characters in a row (a single
    character is indexed only where it stands alone)."""
    terms = query.split()
    return bool(terms) and all(any(len(t) > 1 for t in tokens(term)) for term in terms)


def contains(text: str, query: str) -> bool:
    """The substring scan the index answers for: every term occurs in the text."""
    folded = normalise(text)
    return all(normalise(term) in folded for term in query.split())


def snippet(text: str, query: str, width: int = 36, mark: tuple[str, str] = ("【", "】")) -> str:
    """The first hit of the query in its context, the hit marked."""
    best = None
    folded = None
    for term in query.split():
        at = text.find(term)  # most hits are verbatim; normalising a whole report is the slow path
        if at < 0:
            folded = folded if folded is not None else normalise(text)
            at = folded.find(normalise(term))
        if at >= 0 and (best is None or at < best[0]):
            best = (at, len(term))
    if best is None:
        return re.sub(r"\s+", " ", text[: width * 2])
    at, length = best
    # NFKC keeps the length of Chinese text; for other text the offsets are approximate.
    start, end = max(0, at - width), min(len(text), at + length + width)
    def flat(part: str) -> str:
        return re.sub(r"\s+", " ", part)

    return ("…" if start else "") + flat(text[start:at]) + mark[0] + text[at:at + length] + mark[1] + \
        flat(text[at + length:end]) + ("…" if end < len(text) else "")


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


def refresh(db: sqlite_utils.Database, portals: dict[str, dict[str, Any]] | None = None) -> int:
    """Bring the index up to date with each report's latest version; returns rows changed.

    Incremental: only reports whose latest version moved (or that are new) are
    re-indexed and only their texts are read, so a re-crawl that changed nothing costs
    a query over the reports, not a read of every report's text.
    """
    db.conn.executescript(SCHEMA)
    portals = portals or {}
    current = db.execute(
        "SELECT r.report_id, r.latest_version_id, r.agency, r.year, r.template, r.published, "
        "r.gone_at, v.title, s.id, s.version_id, "
        "(SELECT portal_id || char(9) || url FROM sources WHERE version_id = r.latest_version_id "
        " ORDER BY gone_at IS NOT NULL, url LIMIT 1) "
        "FROM reports r JOIN versions v ON v.version_id = r.latest_version_id "
        "LEFT JOIN report_search s ON s.report_id = r.report_id ORDER BY r.year, r.agency DESC, r.report_id DESC"
    ).fetchall()
    changed = 0
    for (report_id, version_id, agency, year, template, published, gone_at, title,
         row_id, indexed_version, source) in current:
        portal_id, url = (source or "\t").split("\t", 1)
        portal = portals.get(portal_id, {})
        row = {"report_id": report_id, "version_id": version_id, "agency": agency, "year": year,
               "template": template, "level": agency_level(agency), "portal_id": portal_id or None,
               "province": portal.get("province"), "district": portal.get("district"), "title": title,
               "published": published, "gone_at": gone_at, "url": url or None}
        if row_id is not None and indexed_version == version_id:
            db.execute("UPDATE report_search SET gone_at = ?, published = ?, url = ? WHERE id = ? "
                       "AND (gone_at IS NOT ? OR published IS NOT ? OR url IS NOT ?)",
                       [gone_at, published, url or None, row_id, gone_at, published, url or None])
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


def rebuild(db: sqlite_utils.Database, portals: dict[str, dict[str, Any]] | None = None) -> int:
    """Drop and rebuild the whole index (after a reextract, whose versions are new rows)."""
    db.execute("DROP TABLE IF EXISTS report_search_fts")
    db.execute("DROP TABLE IF EXISTS report_search")
    db.execute("DROP TABLE IF EXISTS report_search_state")
    return refresh(db, portals)


@dataclass
class Hit:
    report_id: str
    agency: str
    year: int
    title: str
    snippet: str
    url: str | None


_MATCHING = "s.id IN (SELECT rowid FROM report_search_fts WHERE report_search_fts MATCH ?)"


def count(db: sqlite_utils.Database, query: str) -> int:
    """How many reports contain every term of the query."""
    if searchable(query):
        return db.execute(f"SELECT COUNT(*) FROM report_search s WHERE {_MATCHING}",
                          [fts_query(query)]).fetchone()[0]
    return len(_scan(db, query))


def _scan(db: sqlite_utils.Database, query: str) -> list[tuple]:
    return [r for r in db.execute(
        "SELECT s.report_id, s.agency, s.year, s.title, s.url, s.version_id, v.text FROM report_search s "
        "JOIN versions v ON v.version_id = s.version_id ORDER BY s.id DESC").fetchall()
        if contains(document(r[3], r[6]), query)]


def search(db: sqlite_utils.Database, query: str, limit: int | None = None) -> list[Hit]:
    """Reports whose latest version contains every term of the query, newest year first
    (within a year, by agency after a rebuild; reports indexed since come first).

    Only the hits returned are read in full (for their snippets).  A term of a single
    character cannot use the index: such queries fall back to a scan (correct, slower).
    """
    if searchable(query):
        rows = db.execute(
            "SELECT s.report_id, s.agency, s.year, s.title, s.url, s.version_id FROM (SELECT rowid FROM "
            "report_search_fts WHERE report_search_fts MATCH ? ORDER BY rowid DESC LIMIT ?) f "
            "JOIN report_search s ON s.id = f.rowid ORDER BY s.id DESC", [fts_query(query), limit or -1]).fetchall()
        texts = [db.execute("SELECT text FROM versions WHERE version_id = ?", [r[5]]).fetchone()[0] for r in rows]
    else:
        rows = _scan(db, query)[: limit or None]
        texts = [r[6] for r in rows]
    return [Hit(r[0], r[1], r[2], r[3], snippet(document(r[3], text), query), r[4])
            for r, text in zip(rows, texts, strict=True)]
