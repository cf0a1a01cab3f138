"""Chinese full-text search over the archive (the index itself: govcrawl.archive.fulltext).

A query becomes the phrase of its own character pairs, which matches exactly where the
characters occur in that order: what a substring scan finds.  In SQL:
``... MATCH '"信息 息公 公开"'`` (see :func:`fts_query`); Datasette gets the same through
the project's plugin.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import sqlite_utils
from markupsafe import Markup

from govcrawl.archive.fulltext import BARRIER, document, normalise, tokens

MAX_QUERY = 200  # characters: a query is a few words; a huge one must not cost gigabytes


# A snippet's hit as Datasette's SQL function marks it: invisible separators make the marks
# unambiguous, and the page shows them as <mark> (highlighted), an API as 【】 (plain).
MARK_OPEN, MARK_CLOSE = "\u2063【", "】\u2063"


def highlighted(snippet: str) -> Markup:
    """A marked snippet as HTML, its hit in <mark>."""
    escaped = html.escape(snippet)
    return Markup(escaped.replace(html.escape(MARK_OPEN), "<mark>").replace(html.escape(MARK_CLOSE), "</mark>"))


def plain(snippet: str) -> str:
    """A marked snippet as text, its hit between 【】 as the command line shows it."""
    return snippet.replace(MARK_OPEN, "【").replace(MARK_CLOSE, "】")


class QueryError(ValueError):
    """A query the index is not asked (too long)."""


def fts_query(query: str) -> str:
    """An FTS5 MATCH expression finding the texts that contain every term of ``query``.

    Terms are separated by spaces; each becomes the phrase of its pairs, a term of one
    character a prefix query (every character of a text begins an index token).  A query
    with nothing searchable matches nothing (rather than everything, or an error).
    """
    if len(query) > MAX_QUERY:
        raise QueryError(f"query too long ({len(query)} characters; at most {MAX_QUERY})")
    phrases = []
    for term in query.split():
        found = [t for t in tokens(term, query=True) if t != BARRIER]
        if len(found) == 1 and len(found[0]) == 1 and len(tokens(term, query=True)) == 1:
            phrases.append(f'"{found[0]}" *')
        elif found:
            phrases.append('"' + " ".join(tokens(term, query=True)) + '"')
    return " ".join(phrases) if phrases else f'"{BARRIER}{BARRIER}"'


def searchable(query: str) -> bool:
    """Whether the query has a term the index can look up."""
    return bool(query.split())


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
    """How many reports contain every term of the query (none for an empty query)."""
    if not searchable(query):
        return 0
    return db.execute(f"SELECT COUNT(*) FROM report_search s WHERE {_MATCHING}", [fts_query(query)]).fetchone()[0]


def search(db: sqlite_utils.Database, query: str, limit: int | None = None) -> list[Hit]:
    """Reports whose latest version contains every term of the query, newest year first
    (within a year, by agency after a rebuild; reports indexed since come first).

    Only the hits returned are read in full (for their snippets).
    """
    if not searchable(query):
        return []
    rows = db.execute(
        "SELECT s.report_id, s.agency, s.year, s.title, s.url, s.version_id FROM (SELECT rowid FROM "
        "report_search_fts WHERE report_search_fts MATCH ? ORDER BY rowid DESC LIMIT ?) f "
        "JOIN report_search s ON s.id = f.rowid ORDER BY s.id DESC", [fts_query(query), limit or -1]).fetchall()
    texts = [db.execute("SELECT text FROM versions WHERE version_id = ?", [r[5]]).fetchone()[0] for r in rows]
    return [Hit(r[0], r[1], r[2], r[3], snippet(document(r[3], text), query), r[4])
            for r, text in zip(rows, texts, strict=True)]
