"""Reports and their versions: what one fetched page does to the derived tables.

:func:`apply_fetch` is the one writer of the derived tables, for the crawl and for
``reextract`` alike, which is what makes re-extraction reproduce the crawl exactly.  It
is given what reading the page gave (:class:`Reading`: the record and its identity, or
the reason there is none) — storage never reads pages itself — and asks for it only
when the bytes differ from those last read for the URL.

A revision is a new version (the old one kept); one report on several portals, or a
page and its attachment, is one report with several sources; a report whose every
source is gone is kept and marked gone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from govcrawl.archive.figures import section_spans, store_changes, store_checks, store_figures
from govcrawl.archive.identity import fingerprint, report_id_for
from govcrawl.archive.raw import Fetch


@dataclass
class Reading:
    """What reading one page's bytes gave: a record with its identity, or the reason there
    is none; and the attachment links a report page carries."""

    record: dict[str, Any] | None = None
    reason: str | None = None
    report_id: str | None = None
    fingerprint: str | None = None
    attachments: list[str] = field(default_factory=list)

    def identify(self, url: str) -> Reading:
        """Compute the record's identity (the dedupe stage; the store never recomputes it)."""
        if self.record is not None:
            self.report_id, self.fingerprint = report_id_for(self.record, url), fingerprint(self.record)
        return self

    @classmethod
    def of(cls, record: dict[str, Any] | None, reason: str | None, url: str,
           attachments: list[str] | None = None) -> Reading:
        """A page's reading with its identity computed."""
        reading = cls(record, None if record is not None else reason or "no record",
                      attachments=list(attachments or []))
        return reading.identify(url)


@dataclass
class Outcome:
    """What one fetch did to the archive (counted per crawl run)."""

    extracted: bool = False
    new_report: bool = False
    new_version: bool = False
    unchanged: bool = False
    not_report: bool = False
    error: str | None = None


Reader = Callable[[], Reading]


def apply_fetch(db: sqlite_utils.Database, fetch: Fetch, read: Reader) -> Outcome:
    """Update the derived tables for one recorded fetch.

    ``read`` gives the page's reading; it is called only when these bytes were not read
    for this URL before.  An attachment that reads as a report joins the report of the
    page that links it.
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
        reading = read()
        if reading.record is None:
            _set_page(db, fetch, "attachment", None, None, reading.reason)
            return Outcome(extracted=True, not_report=True)
        outcome = Outcome(extracted=True)
        _store_record(db, fetch, reading, outcome, _referring_report(db, fetch, reading.record))
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
    reading = read()
    for url in reading.attachments:  # pending until fetched, so that a resumed crawl fetches them
        db.execute("INSERT INTO attachments (page_url, url) VALUES (?, ?) ON CONFLICT DO NOTHING",
                   [fetch.url, url])
    if reading.record is None:
        _set_page(db, fetch, "not_report", None, None, reading.reason)
        return Outcome(extracted=True, not_report=True)
    outcome = Outcome(extracted=True)
    _store_record(db, fetch, reading, outcome)
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


def _store_record(db: sqlite_utils.Database, fetch: Fetch, reading: Reading,
                  outcome: Outcome, report_id: str | None = None) -> None:
    """One extracted document → its report, version and source.

    A version supersedes another only when the same URL served both (a revision); a
    report page and its attachment, or two portals, give versions side by side, and the
    report's figures come from the most complete one still served.
    """
    record = reading.record
    if record is None or not (reading.report_id and reading.fingerprint):
        raise ValueError(f"{fetch.url}: a reading stored without its identity (Reading.of computes it)")
    report_id = report_id or reading.report_id
    digest = reading.fingerprint
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
        vid = db.execute("SELECT COALESCE(MAX(vid), 0) + 1 FROM versions").fetchone()[0]
        db.execute(
            "INSERT INTO versions (version_id, report_id, fingerprint, capture_sha256, title, agency, "
            "year, template, period_start, period_end, published, contact_agency, address, postcode, "
            "phone, fax, email, warnings, text, first_seen, last_seen, supersedes, vid) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [version_id, report_id, digest, fetch.sha256, record["title"],
             record["agency"], record["year"], record["template"], record["period_start"],
             record["period_end"], record["published"], contact["agency"], contact["address"],
             contact["postcode"], contact["phone"], contact["fax"], contact["email"],
             json.dumps(record["warnings"], ensure_ascii=False), text, seen, seen, supersedes, vid])
        if supersedes:
            db.execute("UPDATE versions SET superseded_by = ? WHERE version_id = ?",
                       [version_id, supersedes])
        _store_details(db, vid, record)
        if supersedes:
            old_vid = db.execute("SELECT vid FROM versions WHERE version_id = ?", [supersedes]).fetchone()[0]
            store_changes(db, vid, old_vid)
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
        " (SELECT COUNT(*) FROM figures f WHERE f.vid = v.vid AND f.flags & 1) AS figures, v.vid "
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
            # range reads of their figures.
            "SELECT ?, k.key, ?, a.value, v.version_id, b.value FROM versions v "
            "CROSS JOIN figures b ON b.vid = v.vid AND b.flags & 1 "
            "CROSS JOIN figures a ON a.vid = ? AND a.key_id = b.key_id AND a.flags & 1 "
            "JOIN metric_keys k ON k.key_id = a.key_id "
            "WHERE v.report_id = ? AND v.version_id != ? AND a.value != b.value "
            "AND EXISTS (SELECT 1 FROM sources s WHERE s.version_id = v.version_id AND s.gone_at IS NULL)",
            [report_id, row[0], row[4], report_id, row[0]])


def _store_details(db: sqlite_utils.Database, vid: int, record: dict[str, Any]) -> None:
    prose = {f"{c['table']}.{c['row']}.{c['col']}": c["derived_from"]
             for c in record["cells"] if c.get("derived_from")}
    store_figures(db, vid, record["cells"], {k: (v, prose.get(k)) for k, v in record["metrics"].items()})
    store_checks(db, vid, record["checks"])
    db.conn.executemany(
        "INSERT OR REPLACE INTO section_spans (vid, number, start, heading_length, length) VALUES (?,?,?,?,?)",
        section_spans(vid, record["sections"]))


def _referring_report(db: sqlite_utils.Database, fetch: Fetch, record: dict[str, Any]) -> str | None:
    """The report of the page linking this attachment (文字版 and 全真版 are one report)."""
    row = db.execute("SELECT p.report_id, r.year FROM pages p JOIN reports r ON r.report_id = p.report_id "
                     "WHERE p.url = ?", [fetch.referer or ""]).fetchone()
    if row and (record.get("year") in (None, row[1])):
        return row[0]
    return None


def _apply_attachment(db: sqlite_utils.Database, fetch: Fetch) -> Outcome:
    db.execute("INSERT INTO attachments (page_url, url, sha256, status) VALUES (?,?,?,?) "
               "ON CONFLICT(page_url, url) DO UPDATE SET sha256 = COALESCE(excluded.sha256, sha256), "
               "status = excluded.status",
               [fetch.referer or "", fetch.url, fetch.sha256, fetch.status])
    return Outcome(unchanged=fetch.status == 304)


def mark_gone(db: sqlite_utils.Database, run_id: int, portal_ids: list[str], at: str) -> dict[str, int]:
    """Sources proven gone in this run: of these portals (each read completely in the run),
    whose own URL last answered 404 or 410, or redirected to the home page, in the run.
    Recorded raw (disappearances) and applied; returns how many per portal.

    Absence from a listing is never proof: a source the listing no longer shows is asked
    for in the run (govcrawl.archive.runs.unlisted_sources) and stays unless it answers so.
    """
    gone: dict[str, int] = {}
    for portal_id in portal_ids:
        rows = db.execute(
            "SELECT s.url FROM sources s WHERE s.portal_id = ? AND s.gone_at IS NULL "
            "AND (SELECT f.status FROM fetches f WHERE f.url = s.url AND f.run_id = ? ORDER BY f.id DESC LIMIT 1) "
            "  IN (404, 410) "
            "OR s.portal_id = ? AND s.gone_at IS NULL AND EXISTS (SELECT 1 FROM errors e WHERE e.url = s.url "
            "  AND e.run_id = ? AND e.reason LIKE 'deleted:%') AND NOT EXISTS (SELECT 1 FROM fetches f "
            "  WHERE f.url = s.url AND f.run_id = ? AND f.status IN (200, 304)) "
            "GROUP BY s.url ORDER BY s.url", [portal_id, run_id, portal_id, run_id, run_id]).fetchall()
        for (url,) in rows:
            db.execute("INSERT INTO disappearances (run_id, url, portal_id, at) VALUES (?,?,?,?)",
                       [run_id, url, portal_id, at])
            apply_disappearance(db, url, at)
        gone[portal_id] = len(rows)
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
