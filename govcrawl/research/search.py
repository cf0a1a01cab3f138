"""Chinese full-text search over the archive (the index itself: govcrawl.archive.fulltext).

A query becomes the phrase of its own character pairs, which matches exactly where the
characters occur in that order: what a substring scan finds.  In SQL:
``... MATCH '"信息 息公 公开"'`` (see :func:`fts_query`); Datasette gets the same through
the project's plugin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

from govcrawl.archive.fulltext import BARRIER, document, normalise, tokens


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
