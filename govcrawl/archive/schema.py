"""The archive's schema, in one place: every table, column, index and view, what each
means, and the ordered migrations that bring an older archive to it.

The tables are data (:data:`TABLES`): the DDL, the Datasette metadata and the README's
table list all come from here, so a new column is written once.  Three kinds:

- **raw** (never rebuilt): what the crawl saw — captures, fetches, runs, errors,
  disappearances, the registry entries crawled;
- **derived** (rebuilt by ``govcrawl reextract`` from the raw ones): reports, versions,
  figures, checks, the full-text index;
- **index**: the full-text index over the derived tables (refreshed after each run,
  rebuilt by ``reextract``);
- **internal**: bookkeeping that is neither (which pages a distributed writer has written).

A new archive is created from :data:`TABLES` at :data:`SCHEMA_VERSION`.  An older one
(``PRAGMA user_version`` lower) runs the steps of :data:`MIGRATIONS` above its version,
in order, in one transaction; a test checks that a migrated archive has exactly the
shape of a new one, so a change to :data:`TABLES` without its migration cannot land.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils

from govcrawl.extract import keys as K


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "TEXT"
    description: str = ""
    constraint: str = ""  # NOT NULL, DEFAULT …, PRIMARY KEY, UNIQUE

    def ddl(self) -> str:
        return " ".join(p for p in (f'"{self.name}"', self.type, self.constraint) if p)


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    kind: str  # raw | derived | index | internal
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    indexes: tuple[Index, ...] = ()
    hidden: bool = False  # not shown in Datasette's table list
    virtual: str | None = None  # an FTS5 table: its USING clause

    def ddl(self) -> list[str]:
        if self.virtual:
            return [f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.name} USING {self.virtual}"]
        parts = [c.ddl() for c in self.columns]
        if self.primary_key:
            parts.append("PRIMARY KEY (" + ", ".join(f'"{c}"' for c in self.primary_key) + ")")
        out = [f"CREATE TABLE IF NOT EXISTS {self.name} (\n    " + ",\n    ".join(parts) + ")"]
        out += [f"CREATE INDEX IF NOT EXISTS {i.name} ON {self.name}(" + ", ".join(f'"{c}"' for c in i.columns) + ")"
                for i in self.indexes]
        return out

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, type_: str = "TEXT", description: str = "", constraint: str = "") -> Column:
    return Column(name, type_, description, constraint)


# Columns that mean the same wherever they stand (a column's own description wins).
COMMON_DESCRIPTIONS = {
    "id": "Row id", "run_id": "The crawl run (crawl_runs.id)", "report_id": "The report (reports.report_id)",
    "version_id": "The version (versions.version_id)", "agency": "Reporting agency (发布机关)",
    "year": "Year reported on (报告年度)", "template": "Layout: legacy, 2019 or 2021",
    "title": "Title as published", "published": "Publication date stated by the report or page",
    "gone_at": "When it disappeared from its portal (kept, marked gone)", "first_seen": "First crawled (UTC)",
    "last_seen": "Last seen on a portal (UTC)", "portal_id": "Registry id of the portal (portals.portal_id)",
    "url": "URL", "key": "Canonical key (table.row.column; see the data dictionary)",
    "table": "Statistical table: proactive, requests or appeals", "row": "Canonical row of the table",
    "col": "Canonical column of the table", "value": "The figure (counts; fees in 万元)",
    "derived_from": "'text' when read from prose rather than a table", "seq": "Order within the version",
    "status": "HTTP status, or the check's outcome", "at": "When (UTC)", "sha256": "Digest of the bytes (captures)",
}

TABLES: tuple[Table, ...] = (
    # --- raw ------------------------------------------------------------------------------------
    Table("portals", "raw", "The registry entries crawled into this archive.", (
        _c("portal_id", constraint="PRIMARY KEY"), _c("name", description="Province, city and district"),
        _c("province", description="Province"), _c("city", description="City"),
        _c("district", description="District or county"), _c("code", description="GB/T 2260 division code"),
        _c("homepage", description="Home page"), _c("cms", description="CMS family hint"),
        _c("verified", "INTEGER", "1 when a crawl confirmed the listing URLs"),
        _c("demo", "INTEGER", "1 for the bundled demo portals"),
        _c("updated_at", description="When the entry was recorded (UTC)"))),
    Table("captures", "raw", "Raw bytes of every page and attachment fetched, compressed, once per sha256.", (
        _c("sha256", constraint="PRIMARY KEY"), _c("size", "INTEGER", "Bytes before compression", "NOT NULL"),
        _c("media_type", description="Media type sniffed from the bytes"),
        _c("content", "BLOB", "The bytes, compressed", "NOT NULL"),
        _c("compression", description="How content is compressed", constraint="NOT NULL DEFAULT 'zlib'"),
        _c("first_fetched_at", description="When these bytes were first fetched (UTC)")), hidden=True),
    Table("fetches", "raw", "Every HTTP fetch: status, validators, the sha256 of the bytes (raw, for provenance).", (
        _c("id", "INTEGER", constraint="PRIMARY KEY"), _c("run_id", "INTEGER"), _c("url", constraint="NOT NULL"),
        _c("portal_id"), _c("kind", description="report or attachment", constraint="NOT NULL"),
        _c("status", "INTEGER", constraint="NOT NULL"), _c("sha256"),
        _c("etag", description="ETag served"), _c("last_modified", description="Last-Modified served"),
        _c("headers", description="Response headers (JSON)"), _c("referer", description="Page that linked it"),
        _c("listing_title", description="Link text in the listing"),
        _c("fetched_at", description="When (UTC)", constraint="NOT NULL")),
        indexes=(Index("fetches_url", ("url", "id")),)),
    Table("crawl_runs", "raw", "Each crawl: start, end, status and counts (JSON).", (
        _c("id", "INTEGER", constraint="PRIMARY KEY"),
        _c("started_at", description="Start (UTC)", constraint="NOT NULL"),
        _c("finished_at", description="End (UTC)"),
        _c("status", description="running, finished, incomplete (reason) or aborted (killed)", constraint="NOT NULL"),
        _c("portals", description="Portals crawled (JSON)"),
        _c("counts", description="Counts (JSON: pages, extractions, bytes, …)"),
        _c("command", description="The command that ran it"))),
    Table("errors", "raw", "Per-URL errors with their reasons (HTTP status, parse failures, deleted pages).", (
        _c("id", "INTEGER", constraint="PRIMARY KEY"), _c("run_id", "INTEGER"), _c("url", constraint="NOT NULL"),
        _c("portal_id"), _c("status", "INTEGER", "HTTP status, if any"),
        _c("reason", description="Why: HTTP status, deleted page, parse failure, …", constraint="NOT NULL"),
        _c("at", constraint="NOT NULL"))),
    Table("disappearances", "raw",
          "Sources proven gone: their portal's listing read completely and their own URL answering 404, 410 "
          "or a redirect to the home page, in the same run.", (
        _c("id", "INTEGER", constraint="PRIMARY KEY"), _c("run_id", "INTEGER"), _c("url", constraint="NOT NULL"),
        _c("portal_id"), _c("at", constraint="NOT NULL"))),
    Table("listings", "raw",
          "Every listing page a run asked for, and what it was (the proof a portal was read whole).", (
        _c("id", "INTEGER", constraint="PRIMARY KEY"), _c("run_id", "INTEGER"), _c("url", constraint="NOT NULL"),
        _c("portal_id"), _c("status", "INTEGER", "HTTP status, if any"),
        _c("outcome", description="listing (report, item or pager links found), empty (a 'no items' page), "
                                  "unrecognised, blocked (a challenge page), error, or limit (not fetched: a "
                                  "limit was reached)", constraint="NOT NULL"),
        _c("reason", description="Why it is not a listing"),
        _c("reports", "INTEGER", "Report links found"), _c("pages", "INTEGER", "Further listing pages found"),
        _c("at", constraint="NOT NULL")),
        indexes=(Index("listings_run", ("run_id", "portal_id")),)),
    Table("portal_runs", "raw", "Each portal of each run: was it read completely, and if not, why.", (
        _c("run_id", "INTEGER", constraint="NOT NULL"), _c("portal_id", constraint="NOT NULL"),
        _c("status", description="complete, incomplete, blocked (a challenge or a refusal) or unreached "
                                 "(not one listing page read)", constraint="NOT NULL"),
        _c("reason", description="The first listing problem of the run"),
        _c("listing_pages", "INTEGER", "Listing pages read"), _c("gone", "INTEGER", "Sources proven gone")),
        primary_key=("run_id", "portal_id")),
    # --- internal -------------------------------------------------------------------------------
    Table("ingested", "internal", "Pages written by a distributed crawl's writer (so that a restart repeats none).", (
        _c("item_id", description="Id of a page a distributed crawl's writer has written", constraint="PRIMARY KEY"),
        _c("run_id", "INTEGER"))),
    # --- derived --------------------------------------------------------------------------------
    Table("reports", "derived",
          "One row per report (an agency's report for a year), whatever its versions and sources.", (
        _c("report_id", description="Stable id from the agency and the year", constraint="PRIMARY KEY"),
        _c("agency"), _c("year", "INTEGER"), _c("template"), _c("title", description="Title of the latest version"),
        _c("latest_version_id", description="The version shown by default (most complete one still served)"),
        _c("versions", "INTEGER", "How many versions were seen", "NOT NULL"), _c("first_seen"), _c("last_seen"),
        _c("published"),
        _c("gone_at", description="When every source of the report disappeared from its portal (kept, marked gone)")),
        indexes=(Index("reports_agency_year", ("agency", "year")), Index("reports_year", ("year",)))),
    Table("versions", "derived",
          "Every distinct version of a report: a silent revision is a new version, the old kept.", (
        _c("version_id", constraint="PRIMARY KEY"), _c("report_id", constraint="NOT NULL"),
        _c("fingerprint", description="Digest of the normalised text and figures", constraint="NOT NULL"),
        _c("capture_sha256", description="Raw bytes this version was extracted from (captures)"),
        _c("title"), _c("agency"), _c("year", "INTEGER"), _c("template"),
        _c("period_start", description="Statistical period start (统计期限)"),
        _c("period_end", description="Statistical period end"), _c("published"),
        _c("contact_agency", description="Contact office named by the report"),
        _c("address", description="Contact address"), _c("postcode", description="Postcode"),
        _c("phone", description="Telephone"), _c("fax", description="Fax"), _c("email", description="E-mail"),
        _c("warnings", description="What the extractor noticed (JSON list)"),
        _c("text", description="The report's text (its sections)"), _c("first_seen"), _c("last_seen"),
        _c("supersedes", description="The version this one revised"),
        _c("superseded_by", description="The version that revised this one")),
        indexes=(Index("versions_report", ("report_id",)),)),
    Table("sources", "derived", "Every URL (and portal) where a version was seen.", (
        _c("version_id", constraint="NOT NULL"), _c("url", description="Page or attachment URL", constraint="NOT NULL"),
        _c("portal_id"), _c("first_seen"), _c("last_seen"),
        _c("gone_at", description="When this URL stopped serving this version")),
        primary_key=("version_id", "url"), indexes=(Index("sources_url", ("url",)),)),
    Table("metrics", "derived", "The figures of each version, long form: one row per canonical key.", (
        _c("version_id", constraint="NOT NULL"), _c("key", constraint="NOT NULL"), _c("table"), _c("row"),
        _c("col"), _c("value", "REAL"), _c("derived_from")),
        primary_key=("version_id", "key"), indexes=(Index("metrics_key", ("key",)),)),
    Table("cells", "derived", "Every table cell read, with its label and raw text (provenance for the metrics).", (
        _c("version_id", constraint="NOT NULL"), _c("seq", "INTEGER", constraint="NOT NULL"), _c("table"),
        _c("row"), _c("col"), _c("value", "REAL"), _c("raw", description="The cell as printed"),
        _c("label", description="The row label as printed"),
        _c("blank", "INTEGER", "1 when the cell was empty, '/' or '-' (read as 0)"), _c("derived_from"),
        _c("derived", "INTEGER", "1 when the cell was computed (a total from its parts), not printed")),
        primary_key=("version_id", "seq")),
    Table("checks", "derived", "Consistency checks (勾稽关系) of each version, both sides of each equation.", (
        _c("version_id", constraint="NOT NULL"), _c("seq", "INTEGER", constraint="NOT NULL"),
        _c("rule", description="requests.balance, requests.results_sum, requests.column_sum or appeals.total"),
        _c("row"), _c("col"), _c("status", description="pass, fail or not_assessable"),
        _c("left", "REAL", "Left side"), _c("right", "REAL", "Right side")),
        primary_key=("version_id", "seq"), indexes=(Index("checks_status", ("status", "rule")),)),
    Table("sections", "derived", "The six sections of each version, by number.", (
        _c("version_id", constraint="NOT NULL"), _c("number", "INTEGER", "Section number (1–6)", "NOT NULL"),
        _c("heading", description="Heading as printed"), _c("text", description="The section's text")),
        primary_key=("version_id", "number")),
    Table("pages", "derived", "What each fetched URL is: a report page, an attachment, not a report, an error.", (
        _c("url", constraint="PRIMARY KEY"), _c("portal_id"), _c("kind"), _c("status", "INTEGER"), _c("sha256"),
        _c("report_id"), _c("version_id"), _c("reason"), _c("last_fetch_id", "INTEGER"), _c("extracted_sha256")),
        hidden=True),
    Table("conflicts", "derived",
          "Figures on which two versions still served disagree (a page and its attachment, two portals).", (
        _c("report_id", constraint="NOT NULL"), _c("key", constraint="NOT NULL"),
        _c("version_id", constraint="NOT NULL"), _c("value", "REAL"),
        _c("other_version_id", description="The version that says otherwise", constraint="NOT NULL"),
        _c("other_value", "REAL", "What it says")),
        primary_key=("report_id", "key", "other_version_id")),
    Table("attachments", "derived", "The attachments each report page links, and what fetching them gave.", (
        _c("page_url", constraint="NOT NULL"), _c("url", constraint="NOT NULL"), _c("sha256"), _c("status", "INTEGER")),
        primary_key=("page_url", "url"), hidden=True),
    Table("report_search", "index", "One row per report, latest version: the full-text index's rows, with facets.", (
        _c("id", "INTEGER", "year × 1,000,000 + a sequence: sorting by id is newest year first, and fast",
           "PRIMARY KEY"),
        _c("report_id", constraint="NOT NULL UNIQUE"), _c("version_id", constraint="NOT NULL"), _c("agency"),
        _c("year", "INTEGER"), _c("template"),
        _c("level", description="government, department or street (乡镇/街道), from the agency name"),
        _c("portal_id"), _c("province", description="Province of the portal"),
        _c("district", description="District of the portal"), _c("title"), _c("published"), _c("gone_at"),
        _c("url", description="Where the latest version is served")),
        indexes=(Index("report_search_year", ("year", "agency")),)),
    # A contentless FTS5 index: its rowid is report_search.id; see archive/fulltext.py.
    Table("report_search_fts", "index", "The full-text index of report_search (bigrams; see README).",
          (_c("body"),), virtual="fts5(body, content='', tokenize='unicode61 remove_diacritics 0')", hidden=True),
    # What each FTS row was built from: a contentless row is deleted by giving its tokens back.
    Table("report_search_state", "index", "The version each full-text row was built from.", (
        _c("id", "INTEGER", constraint="PRIMARY KEY"), _c("version_id")), hidden=True),
)
BY_NAME = {t.name: t for t in TABLES}
RAW_TABLES = tuple(t.name for t in TABLES if t.kind == "raw")
DERIVED_TABLES = tuple(t.name for t in TABLES if t.kind == "derived")
INDEX_TABLES = tuple(t.name for t in TABLES if t.kind == "index")

WIDE_VIEW = "report_metrics_wide"
WIDE_DESCRIPTION = "One row per report (latest version), one column per canonical key."
WIDE_FIXED_COLUMNS = ("report_id", "agency", "year", "template", "published", "gone_at")


def wide_view_sql() -> str:
    """One row per report (its latest version), one column per canonical metric key."""
    columns = ",\n  ".join(
        f"MAX(CASE WHEN m.key = '{k.key}' THEN m.value END) AS \"{k.key}\"" for k in K.all_keys())
    fixed = ", ".join(f"r.{c}" for c in WIDE_FIXED_COLUMNS)
    return (f"CREATE VIEW {WIDE_VIEW} AS SELECT {fixed},\n  {columns}\n"
            "FROM reports r LEFT JOIN metrics m ON m.version_id = r.latest_version_id GROUP BY r.report_id")


def ddl() -> list[str]:
    """Every statement that creates the current schema (tables and indexes; the view apart)."""
    return [statement for table in TABLES for statement in table.ddl()]


# --- migrations -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Migration:
    """One step: from ``version - 1`` to ``version``; ``why`` says what changed."""

    version: int
    why: str
    apply: Callable[[sqlite_utils.Database], None] = field(repr=False)


def _to_2(db: sqlite_utils.Database) -> None:
    # Archives of version 1 had no registry table and no full-text index (the index is
    # derived: it is built at the end of migrating, as after every change of derived shape).
    for name in ("portals", "report_search", "report_search_fts", "report_search_state"):
        for statement in BY_NAME[name].ddl():
            db.execute(statement)


def _to_3(db: sqlite_utils.Database) -> None:
    # Gone is proven, not inferred: each listing page's outcome and each portal's verdict.
    for name in ("listings", "portal_runs"):
        for statement in BY_NAME[name].ddl():
            db.execute(statement)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "registry entries (portals) and the full-text index (report_search)", _to_2),
    Migration(3, "listing outcomes (listings) and portal verdicts (portal_runs) of each run", _to_3),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def open_db(path: str, memory: bool = False) -> sqlite_utils.Database:
    """The archive, shaped (created or migrated) and in WAL mode; ``memory=True`` for tests."""
    db = sqlite_utils.Database(memory=True) if memory else sqlite_utils.Database(path)
    if not memory:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=10000")
    ensure_db_shape(db)
    return db


class SchemaError(RuntimeError):
    """An archive this code cannot use (made by a newer govcrawl)."""


def ensure_db_shape(db: sqlite_utils.Database) -> list[Migration]:
    """Create a new archive, or migrate an older one; idempotent.  Returns the steps run.

    Derived rows never need migrating by hand: a step that changes their shape leaves
    them for ``govcrawl reextract`` or rebuilds them itself from the raw tables.
    """
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaError(f"archive schema {version} is newer than this govcrawl's ({SCHEMA_VERSION}): "
                          "upgrade govcrawl")
    fresh = db.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0
    steps: list[Migration] = []
    if fresh or version < SCHEMA_VERSION:
        steps = [] if fresh else [m for m in MIGRATIONS if m.version > max(version, 1)]
        in_transaction = db.conn.in_transaction
        try:
            if not in_transaction:
                db.execute("BEGIN IMMEDIATE")
            if fresh:
                for statement in ddl():
                    db.execute(statement)
            for step in steps:
                step.apply(db)
            _ensure_wide_view(db)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            if not in_transaction:
                db.conn.commit()
        except BaseException:
            if not in_transaction:
                db.conn.rollback()
            raise
    else:
        _ensure_wide_view(db)
    return steps


def _ensure_wide_view(db: sqlite_utils.Database) -> None:
    """The wide view has a column per canonical key: recreated when the keys change."""
    wanted = wide_view_sql()
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", [WIDE_VIEW]).fetchone()
    if row is None or row[0] != wanted:
        db.execute(f"DROP VIEW IF EXISTS {WIDE_VIEW}")
        db.execute(wanted)


def shape(conn: sqlite3.Connection) -> dict[str, object]:
    """The archive's shape as SQLite reports it (columns, keys, indexes, views), to compare two."""
    out: dict[str, object] = {}
    for kind, name, sql in conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%_fts_%' ORDER BY name").fetchall():
        if kind == "table":
            columns = conn.execute(f"PRAGMA table_xinfo({name})").fetchall()
            out[name] = [tuple(c[1:]) for c in columns]
        elif kind == "index":
            out[name] = [tuple(c[1:]) for c in conn.execute(f"PRAGMA index_xinfo({name})").fetchall()]
        elif kind == "view":
            out[name] = " ".join(sql.split())
    return out
