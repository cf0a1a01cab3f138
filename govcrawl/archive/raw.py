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
from typing import Any

import sqlite_utils

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


def store_capture(db: sqlite_utils.Database, data: bytes, media_type: str | None,
                  fetched_at: str) -> str:
    """Keep the bytes once per sha256 (compressed); return the sha256."""
    sha = hashlib.sha256(data).hexdigest()
    db.execute(
        "INSERT OR IGNORE INTO captures (sha256, size, media_type, content, compression, "
        "first_fetched_at) VALUES (?, ?, ?, ?, 'zlib', ?)",
        [sha, len(data), media_type, zlib.compress(data, 6), fetched_at])
    return sha


def capture_bytes(db: sqlite_utils.Database, sha256: str) -> bytes:
    row = db.execute("SELECT content, compression FROM captures WHERE sha256 = ?", [sha256]).fetchone()
    if row is None:
        raise KeyError(sha256)
    return zlib.decompress(row[0]) if row[1] == "zlib" else row[0]


def record_fetch(db: sqlite_utils.Database, fetch: Fetch) -> Fetch:
    """Store the raw side of a fetch: the capture (if any) and the fetch row."""
    if fetch.body is not None and fetch.status == 200:
        fetch.sha256 = store_capture(db, fetch.body, fetch.media_type, fetch.fetched_at)
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
