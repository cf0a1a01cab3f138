"""The raw side of the archive: what the crawl saw, written once and never rebuilt.

Captures (the bytes, compressed, once per sha256), fetches (every response with its
validators), per-URL errors, the registry entries crawled, and the validators a re-crawl
sends back (If-None-Match / If-Modified-Since).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlite_utils
import zstandard

from govcrawl.clock import now_iso


@dataclass
class Fetch:
    """One response as the crawl saw it (the raw row, plus its bytes when status is 200)."""

    url: str
    portal_id: str | None
    kind: str  # report | attachment
    status: int
    fetched_at: str
    run_id: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    referer: str | None = None
    headers: dict[str, str] | None = None  # as served, lower-cased names
    listing_title: str | None = None
    media_type: str | None = None
    body: bytes | None = None  # only for a 200
    sha256: str | None = None
    id: int | None = None


ZSTD_LEVEL = 9  # 0.3 ms a page; 15 and above gain ~2% for ten times the time
DICT_MIN_SAMPLES = 16  # captures of a portal before a dictionary is trained for it
DICT_MAX_BYTES = 64 * 1024


def store_capture(db: sqlite_utils.Database, data: bytes, media_type: str | None,
                  fetched_at: str, portal_id: str | None = None) -> str:
    """Keep the bytes once per sha256, compressed (with the portal's dictionary when it has
    one); return the sha256."""
    sha = hashlib.sha256(data).hexdigest()
    if db.execute("SELECT 1 FROM captures WHERE sha256 = ?", [sha]).fetchone():
        return sha
    method, content = "zstd", _compressor(None).compress(data)
    if portal_id and _is_page(media_type):
        found = db.execute("SELECT dict_id, content FROM capture_dicts WHERE scope = ? ORDER BY dict_id DESC LIMIT 1",
                           [portal_id]).fetchone()
        if found and found[1]:
            with_dict = _compressor(found[1]).compress(data)
            if len(with_dict) < len(content):
                method, content = f"zstd:{found[0]}", with_dict
    db.execute(
        "INSERT INTO captures (sha256, size, media_type, content, compression, first_fetched_at) "
        "VALUES (?, ?, ?, ?, ?, ?)", [sha, len(data), media_type, content, method, fetched_at])
    return sha


def capture_bytes(db: sqlite_utils.Database, sha256: str) -> bytes:
    row = db.execute("SELECT content, compression FROM captures WHERE sha256 = ?", [sha256]).fetchone()
    if row is None:
        raise KeyError(sha256)
    return _decompress(db, row[0], row[1])


def _decompress(db: sqlite_utils.Database, content: bytes, method: str) -> bytes:
    if method == "zlib":
        return zlib.decompress(content)
    if method == "zstd":
        return _decompressor(None).decompress(content)
    if method.startswith("zstd:"):
        found = db.execute("SELECT content FROM capture_dicts WHERE dict_id = ?", [int(method[5:])]).fetchone()
        if found is None:
            raise KeyError(f"capture dictionary {method[5:]} missing")
        return _decompressor(found[0]).decompress(content)
    if method in ("", "none"):
        return content
    raise ValueError(f"unknown capture compression {method!r}")


def _is_page(media_type: str | None) -> bool:
    """Pages share their portal's frame; PDFs and Office files are compressed already."""
    return media_type is None or media_type.startswith("text/")


@lru_cache(maxsize=64)
def _compressor(dictionary: bytes | None) -> zstandard.ZstdCompressor:
    if dictionary is None:
        return zstandard.ZstdCompressor(level=ZSTD_LEVEL)
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL, dict_data=zstandard.ZstdCompressionDict(dictionary))


@lru_cache(maxsize=64)
def _decompressor(dictionary: bytes | None) -> zstandard.ZstdDecompressor:
    if dictionary is None:
        return zstandard.ZstdDecompressor()
    return zstandard.ZstdDecompressor(dict_data=zstandard.ZstdCompressionDict(dictionary))


def compact_captures(db: sqlite_utils.Database, at: str | None = None) -> dict[str, int]:
    """Train a dictionary for each portal with enough pages and none yet (kept only where it
    pays: the pages with it plus the dictionary smaller than without; an attempt that does
    not pay is recorded, and retried once the portal has twice the pages), then recompress
    in zstd what is not yet: zlib captures, and a portal's pages not under its dictionary.
    Every capture rewritten is decoded back and checked against its sha256 first.
    Returns counts: dictionaries trained, captures rewritten, bytes saved."""
    counts = {"dictionaries": 0, "rewritten": 0, "saved": 0}
    portal_of: dict[str, str] = {}
    for sha, portal_id in db.execute("SELECT sha256, portal_id FROM fetches WHERE sha256 IS NOT NULL "
                                     "AND portal_id IS NOT NULL ORDER BY id"):
        portal_of.setdefault(sha, portal_id)
    latest: dict[str, tuple[int, bytes, int]] = {}  # portal → (dict_id, content (b"" if it did not pay), samples)
    for dict_id, scope, content, samples in db.execute(
            "SELECT dict_id, scope, content, samples FROM capture_dicts ORDER BY dict_id"):
        latest[scope] = (dict_id, content, samples or 0)
    by_portal: dict[str | None, list[tuple[str, str]]] = {}
    for sha, method, media_type in db.execute("SELECT sha256, compression, media_type FROM captures ORDER BY rowid"):
        by_portal.setdefault(portal_of.get(sha) if _is_page(media_type) else None, []).append((sha, method))
    for portal_id, captures in by_portal.items():
        attempt = latest.get(portal_id) if portal_id else None
        if portal_id and len(captures) >= DICT_MIN_SAMPLES and (
                attempt is None or (not attempt[1] and len(captures) >= 2 * attempt[2])):
            attempt = _train(db, portal_id, captures, at or now_iso())
            latest[portal_id] = attempt
            counts["dictionaries"] += int(bool(attempt[1]))
        dictionary = (attempt[0], attempt[1]) if attempt and attempt[1] else None
        wanted = f"zstd:{dictionary[0]}" if dictionary else "zstd"
        for sha, method in captures:
            if method == wanted or (dictionary is None and method.startswith("zstd")):
                continue
            content = db.execute("SELECT content FROM captures WHERE sha256 = ?", [sha]).fetchone()[0]
            data = _decompress(db, content, method)
            if hashlib.sha256(data).hexdigest() != sha:
                raise ValueError(f"capture {sha} does not decode to its digest: left as it is")
            new_method, new = "zstd", _compressor(None).compress(data)
            if dictionary is not None:
                with_dict = _compressor(dictionary[1]).compress(data)
                if len(with_dict) < len(new):
                    new_method, new = wanted, with_dict
            check = _decompressor(dictionary[1] if new_method != "zstd" and dictionary else None)
            if new_method == method or check.decompress(new) != data:
                continue
            db.execute("UPDATE captures SET content = ?, compression = ? WHERE sha256 = ?", [new, new_method, sha])
            counts["rewritten"] += 1
            counts["saved"] += len(content) - len(new)
    return counts


def _train(db: sqlite_utils.Database, portal_id: str, captures: list[tuple[str, str]],
           at: str) -> tuple[int, bytes, int]:
    """A dictionary from (up to 300 of) the portal's pages; recorded empty if it does not pay."""
    samples = []
    for sha, method in captures[-300:]:
        content = db.execute("SELECT content FROM captures WHERE sha256 = ?", [sha]).fetchone()[0]
        samples.append(_decompress(db, content, method))
    size = min(DICT_MAX_BYTES, max(4096, sum(map(len, samples)) // 20))
    try:
        dictionary = zstandard.train_dictionary(size, samples).as_bytes()
    except zstandard.ZstdError:  # too few or too uniform samples
        dictionary = b""
    if dictionary:
        plain = sum(len(_compressor(None).compress(d)) for d in samples)
        with_dict = sum(len(_compressor(dictionary).compress(d)) for d in samples)
        if (plain - with_dict) * len(captures) / len(samples) <= len(dictionary):
            dictionary = b""
    dict_id = db.execute("INSERT INTO capture_dicts (scope, samples, content, trained_at) VALUES (?,?,?,?)",
                         [portal_id, len(captures), dictionary, at]).lastrowid
    return dict_id, dictionary, len(captures)


def record_fetch(db: sqlite_utils.Database, fetch: Fetch) -> Fetch:
    """Store the raw side of a fetch: the capture (if any) and the fetch row."""
    if fetch.body is not None and fetch.status == 200:
        fetch.sha256 = store_capture(db, fetch.body, fetch.media_type, fetch.fetched_at, fetch.portal_id)
    elif fetch.status == 304 and fetch.sha256 is None:
        previous = db.execute(
            "SELECT sha256 FROM fetches WHERE url = ? AND status = 200 ORDER BY id DESC LIMIT 1",
            [fetch.url]).fetchone()
        fetch.sha256 = previous[0] if previous else None
    cursor = db.execute(
        "INSERT INTO fetches (run_id, url, portal_id, kind, status, sha256, etag, last_modified, "
        "headers, referer, listing_title, fetched_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [fetch.run_id, fetch.url, fetch.portal_id, fetch.kind, fetch.status, fetch.sha256,
         fetch.etag, fetch.last_modified, json.dumps(fetch.headers or {}, sort_keys=True),
         fetch.referer, fetch.listing_title, fetch.fetched_at])
    fetch.id = cursor.lastrowid
    return fetch


def iter_fetches(db: sqlite_utils.Database) -> list[Fetch]:
    """Every recorded fetch, in the order it happened."""
    return [Fetch(id=row[0], run_id=row[1], url=row[2], portal_id=row[3], kind=row[4], status=row[5],
                  sha256=row[6], etag=row[7], last_modified=row[8], referer=row[9], listing_title=row[10],
                  fetched_at=row[11])
            for row in db.execute(
                "SELECT id, run_id, url, portal_id, kind, status, sha256, etag, last_modified, "
                "referer, listing_title, fetched_at FROM fetches ORDER BY id").fetchall()]


def add_error(db: sqlite_utils.Database, run_id: int | None, url: str, portal_id: str | None,
              status: int | None, reason: str, at: str | None = None) -> None:
    """One per-URL error, inside the caller's transaction."""
    db.execute("INSERT INTO errors (run_id, url, portal_id, status, reason, at) VALUES (?,?,?,?,?,?)",
               [run_id, url, portal_id, status, reason, at or now_iso()])


def record_portals(db: sqlite_utils.Database, portals: list[Any]) -> None:
    """The registry entries a run crawls, so the archive names its portals (facets, search)."""
    at = now_iso()
    with db.conn:
        for p in portals:
            db.execute(
                "INSERT OR REPLACE INTO portals (portal_id, name, province, city, district, code, "
                "homepage, cms, verified, demo, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [p.id, p.name, p.province, p.city, p.district, p.code, p.homepage, p.cms,
                 int(p.verified), int(p.demo), at])


# --- conditional requests -------------------------------------------------------------------

def validators(db: sqlite_utils.Database) -> dict[str, tuple[str | None, str | None]]:
    """url → (ETag, Last-Modified) of its last good response, for conditional re-fetches."""
    rows = db.execute(
        "SELECT url, etag, last_modified FROM fetches WHERE id IN "
        "(SELECT MAX(id) FROM fetches WHERE status IN (200, 304) GROUP BY url)").fetchall()
    return {url: (etag, modified) for url, etag, modified in rows if etag or modified}


def known_attachments(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """page url → its attachment urls, to revalidate them when the page answers 304."""
    out: dict[str, list[str]] = {}
    for page_url, url in db.execute("SELECT page_url, url FROM attachments ORDER BY page_url, url"):
        out.setdefault(page_url, []).append(url)
    return out
