"""The archive: the whole SQLite schema in one place, and the functions that write it.

Two kinds of tables:

- **raw** (never rebuilt): ``captures`` (compressed bytes, once per sha256), ``fetches``
  (every response: url, status, headers, ETag/Last-Modified, when), ``crawl_runs``,
  ``errors`` (per-URL reasons), ``disappearances`` (a source missing from a completed run);
- **derived** (rebuilt by ``govcrawl reextract`` from the raw ones, byte for byte):
  ``reports``, ``versions``, ``sources``, ``metrics``, ``cells``, ``checks``,
  ``sections``, ``pages``, ``attachments``.

Every write of one fetched page happens in one transaction, so a killed crawl leaves a
consistent database.  The crawl pipelines and ``reextract`` call the same
:func:`apply_fetch`, which is what makes re-extraction reproduce the crawl exactly.
"""

from __future__ import annotations

import collections
import hashlib
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from govcrawl.extract import keys as K
from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.record import extract_bytes

SCHEMA_VERSION = 2  # 2: portals, full-text index

RAW_TABLES = ("captures", "fetches", "crawl_runs", "errors", "disappearances", "ingested")
DERIVED_TABLES = ("reports", "versions", "sources", "metrics", "cells", "checks", "sections",
                  "pages", "attachments", "conflicts")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS portals (
    portal_id TEXT PRIMARY KEY, name TEXT, province TEXT, city TEXT, district TEXT, code TEXT,
    homepage TEXT, cms TEXT, verified INTEGER, demo INTEGER, updated_at TEXT);
CREATE TABLE IF NOT EXISTS ingested (
    item_id TEXT PRIMARY KEY, run_id INTEGER);
CREATE TABLE IF NOT EXISTS captures (
    sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, media_type TEXT,
    content BLOB NOT NULL, compression TEXT NOT NULL DEFAULT 'zlib', first_fetched_at TEXT);
CREATE TABLE IF NOT EXISTS fetches (
    id INTEGER PRIMARY KEY, run_id INTEGER, url TEXT NOT NULL, portal_id TEXT,
    kind TEXT NOT NULL, status INTEGER NOT NULL, sha256 TEXT, etag TEXT, last_modified TEXT,
    headers TEXT, referer TEXT, listing_title TEXT, fetched_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS fetches_url ON fetches(url, id);
CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
    portals TEXT, counts TEXT, command TEXT);
CREATE TABLE IF NOT EXISTS errors (
    id INTEGER PRIMARY KEY, run_id INTEGER, url TEXT NOT NULL, portal_id TEXT, status INTEGER,
    reason TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS disappearances (
    id INTEGER PRIMARY KEY, run_id INTEGER, url TEXT NOT NULL, portal_id TEXT, at TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS reports (
    report_id TEXT PRIMARY KEY, agency TEXT, year INTEGER, template TEXT, title TEXT,
    latest_version_id TEXT, versions INTEGER NOT NULL, first_seen TEXT, last_seen TEXT,
    published TEXT, gone_at TEXT);
CREATE INDEX IF NOT EXISTS reports_agency_year ON reports(agency, year);
CREATE INDEX IF NOT EXISTS reports_year ON reports(year);
CREATE TABLE IF NOT EXISTS versions (
    version_id TEXT PRIMARY KEY, report_id TEXT NOT NULL, fingerprint TEXT NOT NULL,
    capture_sha256 TEXT, title TEXT, agency TEXT, year INTEGER, template TEXT,
    period_start TEXT, period_end TEXT, published TEXT, contact_agency TEXT, address TEXT,
    postcode TEXT, phone TEXT, fax TEXT, email TEXT, warnings TEXT, text TEXT,
    first_seen TEXT, last_seen TEXT, supersedes TEXT, superseded_by TEXT);
CREATE INDEX IF NOT EXISTS versions_report ON versions(report_id);
CREATE TABLE IF NOT EXISTS sources (
    version_id TEXT NOT NULL, url TEXT NOT NULL, portal_id TEXT, first_seen TEXT, last_seen TEXT,
    gone_at TEXT, PRIMARY KEY (version_id, url));
CREATE INDEX IF NOT EXISTS sources_url ON sources(url);
CREATE TABLE IF NOT EXISTS metrics (
    version_id TEXT NOT NULL, key TEXT NOT NULL, "table" TEXT, "row" TEXT, col TEXT,
    value REAL, derived_from TEXT, PRIMARY KEY (version_id, key));
CREATE INDEX IF NOT EXISTS metrics_key ON metrics(key);
CREATE TABLE IF NOT EXISTS cells (
    version_id TEXT NOT NULL, seq INTEGER NOT NULL, "table" TEXT, "row" TEXT, col TEXT,
    value REAL, raw TEXT, label TEXT, blank INTEGER, derived_from TEXT, derived INTEGER,
    PRIMARY KEY (version_id, seq));
CREATE TABLE IF NOT EXISTS checks (
    version_id TEXT NOT NULL, seq INTEGER NOT NULL, rule TEXT, "row" TEXT, col TEXT,
    status TEXT, "left" REAL, "right" REAL, PRIMARY KEY (version_id, seq));
CREATE INDEX IF NOT EXISTS checks_status ON checks(status, rule);
CREATE TABLE IF NOT EXISTS sections (
    version_id TEXT NOT NULL, number INTEGER NOT NULL, heading TEXT, text TEXT,
    PRIMARY KEY (version_id, number));
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, portal_id TEXT, kind TEXT, status INTEGER, sha256 TEXT,
    report_id TEXT, version_id TEXT, reason TEXT, last_fetch_id INTEGER, extracted_sha256 TEXT);
CREATE TABLE IF NOT EXISTS conflicts (
    report_id TEXT NOT NULL, key TEXT NOT NULL, version_id TEXT NOT NULL, value REAL,
    other_version_id TEXT NOT NULL, other_value REAL,
    PRIMARY KEY (report_id, key, other_version_id));
CREATE TABLE IF NOT EXISTS attachments (
    page_url TEXT NOT NULL, url TEXT NOT NULL, sha256 TEXT, status INTEGER,
    PRIMARY KEY (page_url, url));
"""


def now_iso() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def open_db(path: str, memory: bool = False) -> sqlite_utils.Database:
    """The archive, shaped and in WAL mode; `memory=True` for tests."""
    db = sqlite_utils.Database(memory=True) if memory else sqlite_utils.Database(path)
    if not memory:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=10000")
    ensure_db_shape(db)
    return db


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Create or migrate the schema; idempotent."""
    from govcrawl.research import search

    db.conn.executescript(_SCHEMA)
    db.conn.executescript(search.SCHEMA)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    has_view = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'report_metrics_wide'").fetchone()
    if version < SCHEMA_VERSION or not has_view:
        # The wide view has a column per canonical key: rebuilt when the schema version
        # moves (bump SCHEMA_VERSION when keys are added), not on every open.
        _create_wide_view(db)
        if version < 2:  # archives from before the full-text index: build it once
            with db.conn:
                refresh_search(db)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def _create_wide_view(db: sqlite_utils.Database) -> None:
    """One row per report (its latest version), one column per canonical metric key."""
    columns = ",\n  ".join(
        f"MAX(CASE WHEN m.key = '{k.key}' THEN m.value END) AS \"{k.key}\"" for k in K.all_keys())
    db.execute("DROP VIEW IF EXISTS report_metrics_wide")
    db.execute(
        "CREATE VIEW report_metrics_wide AS SELECT r.report_id, r.agency, r.year, r.template, "
        f"r.published, r.gone_at,\n  {columns}\nFROM reports r LEFT JOIN metrics m "
        "ON m.version_id = r.latest_version_id GROUP BY r.report_id")


# --- captures -------------------------------------------------------------------------------

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


# --- identity -------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def report_id_for(record: dict[str, Any], url: str) -> str:
    """A stable id from agency + year (the same report on two portals is one report)."""
    agency = _SPACE.sub("", record.get("agency") or "")
    basis = f"{agency}|{record.get('year')}" if agency else f"url|{url}|{record.get('year')}"
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def fingerprint(record: dict[str, Any]) -> str:
    """What makes a version: its figures and its normalised text (not the page chrome)."""
    text = "\n".join(_SPACE.sub("", s["text"]) for s in record["sections"])
    basis = json.dumps({"title": record["title"], "agency": record["agency"], "year": record["year"],
                        "metrics": record["metrics"], "text": text,
                        "contact": record["contact"], "period": [record["period_start"],
                                                                  record["period_end"]]},
                       ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


# --- applying one fetch ---------------------------------------------------------------------

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
    headers: dict[str, str] | None = None
    referer: str | None = None
    listing_title: str | None = None
    media_type: str | None = None
    body: bytes | None = None
    sha256: str | None = None
    id: int | None = None


@dataclass
class Outcome:
    """What one fetch did to the archive (counted per crawl run)."""

    extracted: bool = False
    new_report: bool = False
    new_version: bool = False
    unchanged: bool = False
    not_report: bool = False
    error: str | None = None


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


def apply_fetch(db: sqlite_utils.Database, fetch: Fetch, data: bytes | None = None,
                record: dict[str, Any] | None = None, not_report: str | None = None) -> Outcome:
    """Update the derived tables for one recorded fetch (the crawl and reextract share this).

    The crawl passes the record its extract pipeline made; reextract lets this extract.
    An attachment that reads as a report joins the report of the page that links it.
    """
    if fetch.kind == "attachment":
        outcome = _apply_attachment(db, fetch)
        if fetch.status not in (200, 304) or fetch.sha256 is None:
            return outcome
        done = db.execute("SELECT extracted_sha256, version_id FROM pages WHERE url = ?",
                          [fetch.url]).fetchone()
        if done and done[0] == fetch.sha256:
            _touch(db, fetch, done[1])
            return Outcome(unchanged=True)
        if record is None and not_report is None:
            try:
                record = extract_bytes(data if data is not None else capture_bytes(db, fetch.sha256),
                                       fetch.url)
            except ExtractionError as exc:
                not_report = exc.reason
        if record is None:
            _set_page(db, fetch, "attachment", None, None, not_report)
            return Outcome(extracted=True, not_report=True)
        outcome = Outcome(extracted=True)
        _store_record(db, fetch, record, outcome, _referring_report(db, fetch, record))
        return outcome
    page = db.execute("SELECT extracted_sha256, version_id, kind FROM pages WHERE url = ?",
                      [fetch.url]).fetchone()
    if fetch.status not in (200, 304) or fetch.sha256 is None:
        db.execute("INSERT INTO pages (url, portal_id, kind, status, last_fetch_id) VALUES (?,?,?,?,?) "
                   "ON CONFLICT(url) DO UPDATE SET status = excluded.status, "
                   "last_fetch_id = excluded.last_fetch_id",
                   [fetch.url, fetch.portal_id, "error", fetch.status, fetch.id])
        return Outcome(error=f"HTTP {fetch.status}")
    if page and page[0] == fetch.sha256:
        # Same bytes as last time (a 304 or an unchanged 200): no extraction, just seen.
        _touch(db, fetch, page[1])
        return Outcome(unchanged=True)
    body = data if data is not None else capture_bytes(db, fetch.sha256)
    _note_attachments(db, fetch, body)
    if record is None and not_report is None:
        try:
            record = extract_bytes(body, fetch.url, fetch.media_type or None)
        except ExtractionError as exc:
            not_report = exc.reason
    if not_report is not None or record is None:
        _set_page(db, fetch, "not_report", None, None, not_report)
        return Outcome(extracted=True, not_report=True)
    outcome = Outcome(extracted=True)
    _store_record(db, fetch, record, outcome)
    return outcome


def _touch(db: sqlite_utils.Database, fetch: Fetch, version_id: str | None) -> None:
    db.execute("UPDATE pages SET status = ?, last_fetch_id = ? WHERE url = ?",
               [fetch.status, fetch.id, fetch.url])
    if version_id:
        db.execute("UPDATE sources SET last_seen = ?, gone_at = NULL WHERE version_id = ? AND url = ?",
                   [fetch.fetched_at, version_id, fetch.url])
        db.execute("UPDATE versions SET last_seen = MAX(COALESCE(last_seen, ''), ?) WHERE version_id = ?",
                   [fetch.fetched_at, version_id])
        db.execute("UPDATE reports SET last_seen = MAX(COALESCE(last_seen, ''), ?), gone_at = NULL "
                   "WHERE report_id = (SELECT report_id FROM versions WHERE version_id = ?)",
                   [fetch.fetched_at, version_id])


def _set_page(db, fetch: Fetch, kind: str, report_id: str | None, version_id: str | None,
              reason: str | None) -> None:
    db.execute(
        "INSERT INTO pages (url, portal_id, kind, status, sha256, report_id, version_id, reason, "
        "last_fetch_id, extracted_sha256) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET "
        "kind = excluded.kind, status = excluded.status, sha256 = excluded.sha256, "
        "report_id = excluded.report_id, version_id = excluded.version_id, reason = excluded.reason, "
        "last_fetch_id = excluded.last_fetch_id, extracted_sha256 = excluded.extracted_sha256",
        [fetch.url, fetch.portal_id, kind, fetch.status, fetch.sha256, report_id, version_id, reason,
         fetch.id, fetch.sha256])


def _store_record(db: sqlite_utils.Database, fetch: Fetch, record: dict[str, Any],
                  outcome: Outcome, report_id: str | None = None) -> None:
    """One extracted document → its report, version and source.

    A version supersedes another only when the same URL served both (a revision); a
    report page and its attachment, or two portals, give versions side by side, and the
    report's figures come from the most complete one still served.
    """
    # The dedupe pipeline computed these already; reextract computes them here.
    report_id = report_id or record.get("_report_id") or report_id_for(record, fetch.url)
    digest = record.get("_fingerprint") or fingerprint(record)
    version_id = digest[:24]
    seen = fetch.fetched_at
    report = db.execute("SELECT 1 FROM reports WHERE report_id = ?", [report_id]).fetchone()
    existing = db.execute("SELECT 1 FROM versions WHERE version_id = ?", [version_id]).fetchone()
    if not existing:
        outcome.new_version = True
        previous = db.execute(
            "SELECT s.version_id FROM sources s JOIN versions v ON v.version_id = s.version_id "
            "WHERE s.url = ? AND v.report_id = ? AND s.gone_at IS NULL ORDER BY s.last_seen DESC LIMIT 1",
            [fetch.url, report_id]).fetchone()
        supersedes = previous[0] if previous else None
        contact = record["contact"]
        text = "\n\n".join(f"{s['heading']}\n{s['text']}" for s in record["sections"])
        db.execute(
            "INSERT INTO versions (version_id, report_id, fingerprint, capture_sha256, title, agency, "
            "year, template, period_start, period_end, published, contact_agency, address, postcode, "
            "phone, fax, email, warnings, text, first_seen, last_seen, supersedes) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [version_id, report_id, digest, fetch.sha256, record["title"],
             record["agency"], record["year"], record["template"], record["period_start"],
             record["period_end"], record["published"], contact["agency"], contact["address"],
             contact["postcode"], contact["phone"], contact["fax"], contact["email"],
             json.dumps(record["warnings"], ensure_ascii=False), text, seen, seen, supersedes])
        if supersedes:
            db.execute("UPDATE versions SET superseded_by = ? WHERE version_id = ?",
                       [version_id, supersedes])
        _store_details(db, version_id, record)
    else:
        # The same version from another page: keep the smallest capture, so that which page
        # was fetched first does not change the archive.
        db.execute("UPDATE versions SET last_seen = MAX(COALESCE(last_seen, ''), ?), "
                   "capture_sha256 = MIN(capture_sha256, ?) WHERE version_id = ?",
                   [seen, fetch.sha256, version_id])
    if report is None:
        outcome.new_report = True
        db.execute(
            "INSERT INTO reports (report_id, agency, year, template, title, latest_version_id, versions, "
            "first_seen, last_seen, published, gone_at) VALUES (?,?,?,?,?,?,?,?,?,?,NULL)",
            [report_id, record["agency"], record["year"], record["template"], record["title"],
             version_id, 1, seen, seen, record["published"]])
    db.execute(
        "INSERT INTO sources (version_id, url, portal_id, first_seen, last_seen, gone_at) "
        "VALUES (?,?,?,?,?,NULL) ON CONFLICT(version_id, url) DO UPDATE SET "
        "last_seen = excluded.last_seen, gone_at = NULL",
        [version_id, fetch.url, fetch.portal_id, seen, seen])
    # A revised page: the version it served before is no longer served there.
    db.execute("UPDATE sources SET gone_at = ? WHERE url = ? AND version_id != ? AND gone_at IS NULL",
               [seen, fetch.url, version_id])
    _refresh_report(db, report_id, seen)
    _set_page(db, fetch, "report" if fetch.kind == "report" else "attachment", report_id,
              version_id, None)


def _refresh_report(db: sqlite_utils.Database, report_id: str, seen: str) -> None:
    """The report's current version: the most complete one still served, newest on a tie."""
    row = db.execute(
        "SELECT v.version_id, v.template, v.title, "
        " (SELECT COUNT(*) FROM metrics m WHERE m.version_id = v.version_id) AS figures "
        "FROM versions v WHERE v.report_id = ? AND EXISTS (SELECT 1 FROM sources s WHERE "
        " s.version_id = v.version_id AND s.gone_at IS NULL) "
        "ORDER BY figures DESC, v.first_seen DESC, v.version_id LIMIT 1", [report_id]).fetchone()
    count = db.execute("SELECT COUNT(*) FROM versions WHERE report_id = ?", [report_id]).fetchone()[0]
    if row:
        db.execute("UPDATE reports SET latest_version_id = ?, template = ?, title = ?, versions = ?, "
                   "last_seen = MAX(COALESCE(last_seen, ''), ?), gone_at = NULL WHERE report_id = ?",
                   [row[0], row[1], row[2], count, seen, report_id])
        # Sources that disagree (a page and its attachment, two portals): every figure
        # where another version still served says otherwise.
        db.execute("DELETE FROM conflicts WHERE report_id = ?", [report_id])
        db.execute(
            "INSERT INTO conflicts (report_id, key, version_id, value, other_version_id, other_value) "
            # CROSS JOIN pins the order: the report's few versions first, then primary-key
            # lookups; joining on the key index instead costs a scan of the whole archive.
            "SELECT ?, a.key, a.version_id, a.value, b.version_id, b.value FROM versions v "
            "CROSS JOIN metrics b ON b.version_id = v.version_id "
            "CROSS JOIN metrics a ON a.version_id = ? AND a.key = b.key "
            "WHERE v.report_id = ? AND v.version_id != ? AND a.value != b.value "
            "AND EXISTS (SELECT 1 FROM sources s WHERE s.version_id = b.version_id AND s.gone_at IS NULL)",
            [report_id, row[0], report_id, row[0]])


def split_key(key: str) -> tuple[str, str, str]:
    """'requests.denied.state_secret.total' → ('requests', 'denied.state_secret', 'total')."""
    table, rest = key.split(".", 1)
    row, col = rest.rsplit(".", 1)
    return table, row, col


def _store_details(db: sqlite_utils.Database, version_id: str, record: dict[str, Any]) -> None:
    prose = {f"{c['table']}.{c['row']}.{c['col']}": c["derived_from"]
             for c in record["cells"] if c.get("derived_from")}
    db.conn.executemany(
        'INSERT INTO metrics (version_id, key, "table", "row", col, value, derived_from) '
        "VALUES (?,?,?,?,?,?,?)",
        [(version_id, key, *split_key(key), value, prose.get(key))
         for key, value in record["metrics"].items()])
    db.conn.executemany(
        'INSERT INTO cells (version_id, seq, "table", "row", col, value, raw, label, blank, '
        "derived_from, derived) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [(version_id, seq, c["table"], c["row"], c["col"], c["value"], c["raw"], c["label"],
          int(bool(c.get("blank"))), c.get("derived_from"), int(bool(c.get("derived"))))
         for seq, c in enumerate(record["cells"])])
    db.conn.executemany(
        'INSERT INTO checks (version_id, seq, rule, "row", col, status, "left", "right") '
        "VALUES (?,?,?,?,?,?,?,?)",
        [(version_id, seq, c["rule"], c["row"], c["col"], c["status"], c["left"], c["right"])
         for seq, c in enumerate(record["checks"])])
    db.conn.executemany(
        "INSERT OR REPLACE INTO sections (version_id, number, heading, text) VALUES (?,?,?,?)",
        [(version_id, s["number"], s["heading"], s["text"]) for s in record["sections"]])


def _referring_report(db: sqlite_utils.Database, fetch: Fetch, record: dict[str, Any]) -> str | None:
    """The report of the page linking this attachment (文字版 and 全真版 are one report)."""
    row = db.execute("SELECT p.report_id, r.year FROM pages p JOIN reports r ON r.report_id = p.report_id "
                     "WHERE p.url = ?", [fetch.referer or ""]).fetchone()
    if row and (record.get("year") in (None, row[1])):
        return row[0]
    return None


def _note_attachments(db: sqlite_utils.Database, fetch: Fetch, body: bytes) -> None:
    """Attachments a report page links to, pending until fetched (so a resumed crawl fetches them)."""
    from govcrawl.crawl.discovery import attachment_links

    host = fetch.url.split("/")[2] if "//" in fetch.url else None
    for url in attachment_links(body, fetch.url, {host} if host else None):
        db.execute("INSERT INTO attachments (page_url, url) VALUES (?, ?) ON CONFLICT DO NOTHING",
                   [fetch.url, url])


def _apply_attachment(db: sqlite_utils.Database, fetch: Fetch) -> Outcome:
    db.execute("INSERT INTO attachments (page_url, url, sha256, status) VALUES (?,?,?,?) "
               "ON CONFLICT(page_url, url) DO UPDATE SET sha256 = COALESCE(excluded.sha256, sha256), "
               "status = excluded.status",
               [fetch.referer or "", fetch.url, fetch.sha256, fetch.status])
    return Outcome(unchanged=fetch.status == 304)


def mark_gone(db: sqlite_utils.Database, run_id: int, portal_ids: list[str], run_started: str,
              at: str) -> int:
    """After a completed run: sources of these portals not seen in it are gone (recorded raw)."""
    gone = 0
    for portal_id in portal_ids:
        rows = db.execute(
            "SELECT url FROM sources WHERE portal_id = ? GROUP BY url "
            "HAVING MAX(last_seen) < ? AND SUM(gone_at IS NULL) > 0 ORDER BY url",
            [portal_id, run_started]).fetchall()
        for (url,) in rows:
            db.execute("INSERT INTO disappearances (run_id, url, portal_id, at) VALUES (?,?,?,?)",
                       [run_id, url, portal_id, at])
            apply_disappearance(db, url, at)
            gone += 1
    return gone


def apply_disappearance(db: sqlite_utils.Database, url: str, at: str) -> None:
    """A source is gone; a report all of whose sources are gone is gone (kept, marked)."""
    db.execute("UPDATE sources SET gone_at = ? WHERE url = ? AND gone_at IS NULL", [at, url])
    db.execute(
        "UPDATE reports SET gone_at = ? WHERE gone_at IS NULL AND report_id IN ("
        " SELECT v.report_id FROM versions v JOIN sources s ON s.version_id = v.version_id"
        " WHERE s.url = ?) AND NOT EXISTS (SELECT 1 FROM versions v2 JOIN sources s2 ON"
        " s2.version_id = v2.version_id WHERE v2.report_id = reports.report_id AND s2.gone_at IS NULL)",
        [at, url])


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


# --- re-extraction ----------------------------------------------------------------------------

def iter_fetches(db: sqlite_utils.Database) -> Iterator[Fetch]:
    """Every recorded fetch, in the order it happened, with its disappearances interleaved."""
    for row in db.execute(
            "SELECT id, run_id, url, portal_id, kind, status, sha256, etag, last_modified, "
            "referer, listing_title, fetched_at FROM fetches ORDER BY id").fetchall():
        yield Fetch(id=row[0], run_id=row[1], url=row[2], portal_id=row[3], kind=row[4],
                    status=row[5], sha256=row[6], etag=row[7], last_modified=row[8],
                    referer=row[9], listing_title=row[10], fetched_at=row[11])


def _extractions_ahead(fetches: list[Fetch]) -> set[int]:
    """The fetches a replay will extract: a 200 whose bytes differ from the last ones
    extracted for its URL (apply_fetch decides; this only predicts, to read ahead)."""
    last: dict[str, str] = {}
    ahead = set()
    for fetch in fetches:
        if fetch.status == 200 and fetch.sha256 and last.get(fetch.url) != fetch.sha256:
            ahead.add(fetch.id)
            last[fetch.url] = fetch.sha256
    return ahead


def reextract(db: sqlite_utils.Database, workers: int = 0) -> dict[str, int]:
    """Rebuild every derived table from the raw ones; no network.  Idempotent.

    One transaction: the archive shows either the old derived tables or the new ones.
    With ``workers`` > 0, pages are read ahead in that many processes while this one
    writes; the rows are the same (extraction is a pure function of the bytes).
    """
    db.conn.commit()
    db.execute("BEGIN")
    for table in DERIVED_TABLES:
        db.execute(f"DELETE FROM {table}")
    counts = {"fetches": 0, "extracted": 0, "reports": 0, "versions": 0}
    events: list[tuple[str, int, str, Any]] = []
    for fetch in iter_fetches(db):
        events.append((fetch.fetched_at, 0, str(fetch.id), fetch))
    for did, url, at in db.execute("SELECT id, url, at FROM disappearances ORDER BY id").fetchall():
        events.append((at, 1, str(did), (url, at)))
    events.sort(key=lambda e: (e[0], e[1], int(e[2])))
    reader = _ReadAhead(db, [e[3] for e in events if e[1] == 0], workers) if workers > 0 else None
    try:
        for _, kind, _, payload in events:
            if kind == 0:
                outcome = apply_fetch(db, payload, *(reader.take(payload) if reader else ()))
                counts["fetches"] += 1
                counts["extracted"] += int(outcome.extracted)
                counts["reports"] += int(outcome.new_report)
                counts["versions"] += int(outcome.new_version)
            else:
                apply_disappearance(db, *payload)
        refresh_search(db, rebuild=True)
    except BaseException:
        db.conn.rollback()
        raise
    finally:
        if reader:
            reader.close()
    db.conn.commit()
    return counts


class _ReadAhead:
    """Extractions submitted to a process pool a window ahead of the replay that needs them."""

    def __init__(self, db: sqlite_utils.Database, fetches: list[Fetch], workers: int) -> None:
        from govcrawl.extract.pool import ExtractionPool

        self.db = db
        ahead = _extractions_ahead(fetches)
        self.queue = collections.deque(f for f in fetches if f.id in ahead)
        self.pool = ExtractionPool(workers)
        self.window = workers * 4
        self.pending: dict[int, tuple[Any, bytes, str | None]] = {}
        self._fill()

    def _fill(self) -> None:
        while self.queue and len(self.pending) < self.window:
            fetch = self.queue.popleft()
            body = capture_bytes(self.db, fetch.sha256)
            media_type = (fetch.media_type or None) if fetch.kind == "report" else None
            self.pending[fetch.id] = (self.pool.submit(body, fetch.url, media_type), body, media_type)

    def take(self, fetch: Fetch) -> tuple[bytes, dict[str, Any] | None, str | None] | tuple[()]:
        """(bytes, record, reason) for apply_fetch when this fetch was read ahead; else ()."""
        entry = self.pending.pop(fetch.id, None)
        if entry is None:
            return ()
        future, body, media_type = entry
        record, reason = self.pool.result(future, body, fetch.url, media_type)
        self._fill()
        return body, record, reason

    def close(self) -> None:
        self.pool.close()


def store_item(db: sqlite_utils.Database, item: Any, run_id: int | None) -> list[str]:
    """Write one crawled page or error (the crawl's store pipeline and `govcrawl ingest`).

    Runs inside the caller's transaction, in a savepoint of its own: a page that fails
    to store leaves no half-write.  Returns the counters it moves (store/<name>_count).
    """
    from govcrawl.crawl.items import ErrorItem

    if isinstance(item, ErrorItem):
        db.execute("INSERT INTO errors (run_id, url, portal_id, status, reason, at) VALUES (?,?,?,?,?,?)",
                   [run_id, item.url, item.portal_id, item.status, item.reason, now_iso()])
        return ["errors"]
    headers = {k.lower(): v for k, v in item.headers.items()}
    fetch = Fetch(url=item.url, portal_id=item.portal_id, kind=item.kind, status=item.status,
                  fetched_at=item.fetched_at, run_id=run_id, etag=headers.get("etag"),
                  last_modified=headers.get("last-modified"), headers=headers,
                  referer=item.referer, listing_title=item.listing_title,
                  media_type=item.media_type, body=item.body if item.status == 200 else None)
    counters = []
    db.execute("SAVEPOINT page")
    try:
        record_fetch(db, fetch)
        outcome = apply_fetch(db, fetch, item.body or None, record=item.record, not_report=item.not_report)
        if item.status not in (200, 304):
            db.execute("INSERT INTO errors (run_id, url, portal_id, status, reason, at) VALUES (?,?,?,?,?,?)",
                       [run_id, item.url, item.portal_id, item.status, f"HTTP {item.status}", item.fetched_at])
            counters.append("errors")
    except Exception:
        db.execute("ROLLBACK TO page")  # this page only; the batch stays good
        db.execute("RELEASE page")
        raise
    db.execute("RELEASE page")
    counters.append(f"{item.kind}_fetches")
    counters += [name for name in ("new_report", "new_version", "unchanged", "not_report") if getattr(outcome, name)]
    if item.status == 304:
        counters.append("not_modified")
    return counters


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


def portal_info(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    return {row[0]: {"province": row[1], "district": row[2]}
            for row in db.execute("SELECT portal_id, province, district FROM portals").fetchall()}


def refresh_search(db: sqlite_utils.Database, rebuild: bool = False) -> int:
    """Bring the full-text index in line with the reports (see govcrawl.research.search)."""
    from govcrawl.research import search

    return (search.rebuild if rebuild else search.refresh)(db, portal_info(db))


# --- crawl runs -------------------------------------------------------------------------------

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


def record_error(db: sqlite_utils.Database, run_id: int | None, url: str, portal_id: str | None,
                 status: int | None, reason: str) -> None:
    with db.conn:
        db.execute("INSERT INTO errors (run_id, url, portal_id, status, reason, at) VALUES (?,?,?,?,?,?)",
                   [run_id, url, portal_id, status, reason, now_iso()])


HISTORY_COLUMNS = ("first_seen", "last_seen", "gone_at", "last_fetch_id", "status")


def derived_snapshot(db: sqlite_utils.Database, ignore_history: bool = False) -> dict[str, list]:
    """The derived tables as sorted rows (for comparing two archives or two rebuilds).

    ``ignore_history`` leaves out when things were seen and how the last fetch answered
    (200 or 304), which differ between two crawls of the same pages.
    """
    out = {}
    for table in (*DERIVED_TABLES, "report_search"):
        if not db[table].exists():
            continue
        columns = [c.name for c in db[table].columns if c.name != "id"]
        if ignore_history:
            columns = [c for c in columns if c not in HISTORY_COLUMNS]
        quoted = ", ".join(f'"{c}"' for c in columns)
        out[table] = sorted(tuple(r) for r in db.execute(f"SELECT {quoted} FROM {table}").fetchall())
    return out
