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
from pathlib import Path

import sqlite_utils

from govcrawl.archive.figures import CHECK_RULES, CHECK_STATUSES
from govcrawl.archive.wide import WIDE_TABLE
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
    unique: bool = False
    where: str = ""  # a partial index: only the rows this condition holds for


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
    without_rowid: bool = False  # the primary key is the row: no second copy of it
    large: bool = False  # millions of rows at scale: Datasette shows its pages without a row count

    def ddl(self) -> list[str]:
        if self.virtual:
            return [f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.name} USING {self.virtual}"]
        parts = [c.ddl() for c in self.columns]
        if self.primary_key:
            parts.append("PRIMARY KEY (" + ", ".join(f'"{c}"' for c in self.primary_key) + ")")
        tail = " WITHOUT ROWID" if self.without_rowid else ""
        out = [f"CREATE TABLE IF NOT EXISTS {self.name} (\n    " + ",\n    ".join(parts) + ")" + tail]
        out += [f"CREATE {'UNIQUE ' if i.unique else ''}INDEX IF NOT EXISTS {i.name} ON {self.name}("
                + ", ".join(f'"{c}"' for c in i.columns) + ")" + (f" WHERE {i.where}" if i.where else "")
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

# Where a report is from: its portal and the portal's division (namesakes — 西山区, 新城区,
# 郊区 — differ by their division code), and the agency's level.  Refreshed at the end of
# each run from the registry entries crawled (portals).
PLACE_COLUMNS = (
    _c("portal_id", description="The portal the report is published on (its latest version's first source)"),
    _c("division_code", description="The portal's administrative division code (GB/T 2260): group by it, "
                                    "not by a district's name"),
    _c("province", description="Province of the portal"), _c("city", description="City of the portal"),
    _c("district", description="District or county of the portal"),
    _c("level", description="government, department or street (乡镇/街道), from the agency's name"),
)

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
        _c("compression", description="How content is compressed: zlib, zstd, or zstd:<dict_id> "
                                      "(with capture_dicts.dict_id)", constraint="NOT NULL DEFAULT 'zlib'"),
        _c("first_fetched_at", description="When these bytes were first fetched (UTC)")), hidden=True),
    Table("capture_dicts", "raw", "zstd dictionaries the captures of a portal are compressed with "
                                  "(portal frames repeat on every page).", (
        _c("dict_id", "INTEGER", constraint="PRIMARY KEY"), _c("scope", description="The portal it was trained for"),
        _c("samples", "INTEGER", "Captures it was trained on"), _c("content", "BLOB", "The dictionary", "NOT NULL"),
        _c("trained_at", description="When (UTC)")), hidden=True),
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
        _c("gone_at", description="When every source of the report disappeared from its portal (kept, marked gone)"),
        *PLACE_COLUMNS),
        indexes=(Index("reports_agency_year", ("agency", "year")), Index("reports_year", ("year",)),
                 Index("reports_place", ("division_code", "year")))),
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
        _c("superseded_by", description="The version that revised this one"),
        _c("vid", "INTEGER", "Integer id of the version (what figures, checks and sections are keyed by)")),
        indexes=(Index("versions_report", ("report_id",)), Index("versions_vid", ("vid",), unique=True),
                 # revisions are few: found without reading the versions' texts
                 Index("versions_revised", ("supersedes",), where="supersedes IS NOT NULL"),
                 # revisions newest first (the canned query): only revised versions, in order
                 Index("versions_revisions", ("vid",), where="supersedes IS NOT NULL"))),
    Table("sources", "derived", "Every URL (and portal) where a version was seen.", (
        _c("version_id", constraint="NOT NULL"), _c("url", description="Page or attachment URL", constraint="NOT NULL"),
        _c("portal_id"), _c("first_seen"), _c("last_seen"),
        _c("gone_at", description="When this URL stopped serving this version")),
        primary_key=("version_id", "url"), indexes=(Index("sources_url", ("url",)),), without_rowid=True),
    # The figures, checks and sections of each version, stored once and compactly (integer
    # ids, WITHOUT ROWID); researchers read them through the views of VIEWS below.
    Table("figures", "derived", "Every table cell read, stored once: metrics and cells are views of it.", (
        _c("vid", "INTEGER", "The version (versions.vid)", "NOT NULL"),
        _c("seq", "INTEGER", "Order within the version", "NOT NULL"),
        _c("key_id", "INTEGER", "Its place: metric_keys.key_id"), _c("value", "REAL"),
        _c("raw", description="The cell as printed, when not just the figure itself"),
        _c("label_id", "INTEGER", "The row label as printed: labels.label_id"),
        _c("flags", "INTEGER", "1 the version's metric for its key, 2 blank, 4 computed, 8 read from prose, "
                               "16 a metric with no cell behind it", "NOT NULL DEFAULT 0")),
        primary_key=("vid", "seq"), hidden=True, without_rowid=True, large=True),
    Table("check_results", "derived", "The consistency checks of each version (the checks view).", (
        _c("vid", "INTEGER", "The version (versions.vid)", "NOT NULL"),
        _c("seq", "INTEGER", constraint="NOT NULL"),
        _c("rule", "INTEGER", "1 requests.balance, 2 requests.results_sum, 3 requests.column_sum, 4 appeals.total"),
        _c("key_id", "INTEGER", "Row and column checked: metric_keys.key_id"),
        _c("status", "INTEGER", "1 pass, 2 fail, 3 not_assessable"),
        _c("left", "REAL", "Left side"), _c("right", "REAL", "Right side")),
        primary_key=("vid", "seq"), hidden=True, without_rowid=True, large=True),
    Table("section_spans", "derived", "Where each section stands in its version's text (the sections view).", (
        _c("vid", "INTEGER", "The version (versions.vid)", "NOT NULL"),
        _c("number", "INTEGER", "Section number (1–6)", "NOT NULL"),
        _c("start", "INTEGER", "First character of the heading in versions.text (1-based)"),
        _c("heading_length", "INTEGER", "Characters of the heading"),
        _c("length", "INTEGER", "Characters of the section's text after its heading"),
        _c("heading", description="The heading, where it is not in the text (older archives)"),
        _c("text", description="The section's text, where it is not in the version's text (older archives)")),
        primary_key=("vid", "number"), hidden=True, without_rowid=True),
    Table("changes", "derived", "What each revision changed: the figures that differ from the version it "
                                "superseded (before NULL: new; after NULL: dropped).", (
        _c("new_version_id", description="The revising version", constraint="NOT NULL"),
        _c("key", constraint="NOT NULL"), _c("old_version_id", description="The version it revised"),
        _c("before", "REAL", "The figure in the old version"), _c("after", "REAL", "The figure in the new one")),
        primary_key=("new_version_id", "key"), without_rowid=True),
    Table("pages", "derived", "What each fetched URL is: a report page, an attachment, not a report, an error.", (
        _c("url", constraint="PRIMARY KEY"), _c("portal_id"), _c("kind"), _c("status", "INTEGER"), _c("sha256"),
        _c("report_id"), _c("version_id"), _c("reason"), _c("last_fetch_id", "INTEGER"), _c("extracted_sha256")),
        hidden=True, without_rowid=True),
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
    # --- lookup: what the derived rows point into (kept by reextract) -------------------------
    Table("metric_keys", "lookup", "Every place a figure can stand: the canonical keys (the data dictionary) "
                                   "and the partial places of unmatched rows.", (
        _c("key_id", "INTEGER", constraint="PRIMARY KEY"),
        _c("key", description="Canonical key (table.row.column), NULL for a place that is not one"),
        _c("position", description="table.row.column with empty parts", constraint="NOT NULL UNIQUE"),
        _c("table"), _c("row"), _c("col"), _c("label_zh", description="The official label (中文)"),
        _c("english", description="What it counts"), _c("unit", description="count, 10k_yuan or yuan"),
        _c("templates", description="Templates that have it"))),
    Table("labels", "lookup", "Row labels as printed, each once.", (
        _c("label_id", "INTEGER", constraint="PRIMARY KEY"), _c("label", constraint="NOT NULL UNIQUE")),
        hidden=True),
    # --- derived summaries, refreshed at the end of each run -----------------------------------
    Table("yearly", "derived", "Sums per year, agency level and key over each report's latest version "
                               "(what the dashboard draws).", (
        _c("year", "INTEGER", constraint="NOT NULL"),
        _c("level", description="government, department or street", constraint="NOT NULL"),
        _c("key", constraint="NOT NULL"), _c("reports", "INTEGER", "Reports that give the figure"),
        _c("total", "REAL", "Their sum")),
        primary_key=("year", "level", "key"), without_rowid=True),
    Table("report_search", "index", "One row per report, latest version: the full-text index's rows, with facets.", (
        _c("id", "INTEGER", "year × 1,000,000 + a sequence: sorting by id is newest year first, and fast",
           "PRIMARY KEY"),
        _c("report_id", constraint="NOT NULL UNIQUE"), _c("version_id", constraint="NOT NULL"), _c("agency"),
        _c("year", "INTEGER"), _c("template"),
        _c("level", description="government, department or street (乡镇/街道), from the agency name"),
        _c("portal_id"), _c("province", description="Province of the portal"),
        _c("district", description="District of the portal"), _c("title"), _c("published"), _c("gone_at"),
        _c("url", description="Where the latest version is served")),
        # report_search_facets: the search page's breakdowns read from it alone (research/search_page.py)
        indexes=(Index("report_search_year", ("year", "agency")),
                 Index("report_search_facets", ("year", "province", "level", "template")))),
    # A contentless FTS5 index: its rowid is report_search.id; see archive/fulltext.py.
    Table("report_search_fts", "index", "The full-text index of report_search (bigrams; see README).",
          (_c("body"),), virtual="fts5(body, content='', tokenize='unicode61 remove_diacritics 0')", hidden=True),
    # What each FTS row was built from: a contentless row is deleted by giving its tokens back.
    Table("report_search_state", "index", "The version each full-text row was built from.", (
        _c("id", "INTEGER", constraint="PRIMARY KEY"), _c("version_id")), hidden=True),
)
WIDE_VIEW = WIDE_TABLE  # the name older code and notebooks know
WIDE_DESCRIPTION = ("One row per report (latest version), one column per canonical key; derived, refreshed "
                    "at the end of each run.")
WIDE_FIXED_COLUMNS = ("report_id", "agency", "year", "template", "published", "gone_at")


def _wide_table() -> Table:
    """The wide table: its key columns follow the extractor's canonical keys."""
    fixed = (_c("report_id", constraint="PRIMARY KEY"), _c("agency"), _c("year", "INTEGER"), _c("template"),
             _c("published"), _c("gone_at"), *PLACE_COLUMNS,
             _c("version_id", description="The version the figures are of"),
             _c("checks_failed", "INTEGER", "How many of the version's consistency checks fail"))
    keys = tuple(_c(k.key, "REAL", f"{k.label} — {k.english} ({k.unit})") for k in K.all_keys())
    return Table(WIDE_TABLE, "derived", WIDE_DESCRIPTION, fixed + keys,
                 indexes=(Index("wide_agency_year", ("agency", "year", "checks_failed")),
                          Index("wide_year", ("year", "template")), Index("wide_place", ("division_code", "year")),
                          Index("wide_template", ("template",))))


TABLES = (*TABLES, _wide_table())
BY_NAME = {t.name: t for t in TABLES}
RAW_TABLES = tuple(t.name for t in TABLES if t.kind == "raw")
DERIVED_TABLES = tuple(t.name for t in TABLES if t.kind == "derived")
INDEX_TABLES = tuple(t.name for t in TABLES if t.kind == "index")
LOOKUP_TABLES = tuple(t.name for t in TABLES if t.kind == "lookup")



def _case(column: str, names: tuple[str, ...]) -> str:
    return f"CASE {column} " + " ".join(f"WHEN {i} THEN '{n}'" for i, n in enumerate(names, start=1)) + " END"


@dataclass(frozen=True)
class View:
    """What researchers query: a view over the compact storage, with the columns it had as a table."""

    name: str
    description: str
    columns: tuple[Column, ...]
    sql: str
    large: bool = True  # millions of rows at scale: Datasette shows its pages without a row count

    def ddl(self) -> str:
        return f"CREATE VIEW {self.name} AS {self.sql}"


VIEWS: tuple[View, ...] = (
    View("metrics", "The figures of each version, long form: one row per canonical key.", (
        _c("version_id"), _c("key"), _c("table"), _c("row"), _c("col"), _c("value"), _c("derived_from")),
        'SELECT v.version_id, k.key, k."table", k."row", k.col, f.value, '
        "CASE WHEN f.flags & 8 THEN 'text' END AS derived_from "
        "FROM figures f JOIN versions v ON v.vid = f.vid JOIN metric_keys k ON k.key_id = f.key_id "
        "WHERE f.flags & 1"),
    View("cells", "Every table cell read, with its label and raw text (provenance for the metrics).", (
        _c("version_id"), _c("seq"), _c("table"), _c("row"), _c("col"), _c("value"),
        _c("raw", description="The cell as printed"), _c("label", description="The row label as printed"),
        _c("blank", description="1 when the cell was empty, '/' or '-' (read as 0)"), _c("derived_from"),
        _c("derived", description="1 when the cell was computed (a total from its parts), not printed")),
        'SELECT v.version_id, f.seq, k."table", k."row", k.col, f.value, '
        "COALESCE(f.raw, CAST(CAST(f.value AS INTEGER) AS TEXT)) AS raw, l.label, (f.flags >> 1) & 1 AS blank, "
        "CASE WHEN f.flags & 8 THEN 'text' END AS derived_from, (f.flags >> 2) & 1 AS derived "
        "FROM figures f JOIN versions v ON v.vid = f.vid LEFT JOIN metric_keys k ON k.key_id = f.key_id "
        "LEFT JOIN labels l ON l.label_id = f.label_id WHERE NOT f.flags & 16"),
    View("checks", "Consistency checks (勾稽关系) of each version, both sides of each equation.", (
        _c("version_id"), _c("seq"),
        _c("rule", description="requests.balance, requests.results_sum, requests.column_sum or appeals.total"),
        _c("row"), _c("col"), _c("status", description="pass, fail or not_assessable"),
        _c("left", description="Left side"), _c("right", description="Right side")),
        "SELECT v.version_id, c.seq, " + _case("c.rule", CHECK_RULES) + ' AS rule, k."row", k.col, '
        + _case("c.status", CHECK_STATUSES) + ' AS status, c."left", c."right" '
        "FROM check_results c JOIN versions v ON v.vid = c.vid LEFT JOIN metric_keys k ON k.key_id = c.key_id"),
    View("sections", "The six sections of each version, by number.", (
        _c("version_id"), _c("number", description="Section number (1–6)"),
        _c("heading", description="Heading as printed"), _c("text", description="The section's text")),
        "SELECT v.version_id, s.number, COALESCE(s.heading, substr(v.text, s.start, s.heading_length)) AS heading, "
        "COALESCE(s.text, substr(v.text, s.start + s.heading_length + 1, s.length)) AS text "
        "FROM section_spans s JOIN versions v ON v.vid = s.vid"),
)
VIEW_BY_NAME = {v.name: v for v in VIEWS}


def ddl() -> list[str]:
    """Every statement that creates the current schema (tables and indexes; the views apart)."""
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


def _to_4(db: sqlite_utils.Database) -> None:
    # An archive for a million reports: each figure, check and section stored once, keyed by
    # an integer version id; metrics, cells, checks and sections become views of that; the
    # wide table materialised; captures in zstd with per-portal dictionaries.
    from govcrawl.archive import figures, fulltext, raw, wide

    for name in ("capture_dicts", "figures", "check_results", "section_spans", "metric_keys", "labels", "yearly"):
        for statement in BY_NAME[name].ddl():
            db.execute(statement)
    db.execute(f"DROP VIEW IF EXISTS {WIDE_TABLE}")
    for statement in BY_NAME[WIDE_TABLE].ddl():
        db.execute(statement)
    db.execute("ALTER TABLE versions ADD COLUMN vid INTEGER")
    db.execute("UPDATE versions SET vid = rowid")
    for statement in BY_NAME["versions"].ddl()[1:]:  # its indexes (the new ones)
        db.execute(statement)
    seed_keys(db)
    for version_id, vid, text in db.execute("SELECT version_id, vid, text FROM versions ORDER BY vid").fetchall():
        cells = [dict(zip(("table", "row", "col", "value", "raw", "label", "blank", "derived_from", "derived"), row,
                          strict=True))
                 for row in db.execute('SELECT "table", "row", col, value, raw, label, blank, derived_from, derived '
                                       "FROM cells WHERE version_id = ? ORDER BY seq", [version_id]).fetchall()]
        metrics = {key: (value, derived_from) for key, value, derived_from in db.execute(
            "SELECT key, value, derived_from FROM metrics WHERE version_id = ?", [version_id]).fetchall()}
        figures.store_figures(db, vid, cells, metrics)
        sections = [{"number": n, "heading": h, "text": t} for n, h, t in db.execute(
            "SELECT number, heading, text FROM sections WHERE version_id = ? ORDER BY number", [version_id])]
        for (_, number, start, heading_length, length), section in zip(
                figures.section_spans(vid, sections), sections, strict=True):
            cut_heading = (text or "")[start - 1:start - 1 + heading_length]
            cut_text = (text or "")[start + heading_length:start + heading_length + length]
            db.execute("INSERT INTO section_spans (vid, number, start, heading_length, length, heading, text) "
                       "VALUES (?,?,?,?,?,?,?)",
                       [vid, number, start, heading_length, length,
                        None if cut_heading == section["heading"] else section["heading"],
                        None if cut_text == section["text"] else section["text"]])
        figures.store_checks(db, vid, [dict(zip(("rule", "row", "col", "status", "left", "right"), row, strict=True))
                                        for row in db.execute('SELECT rule, "row", col, status, "left", "right" '
                                                              "FROM checks WHERE version_id = ? ORDER BY seq",
                                                              [version_id])])
    for name in ("metrics", "cells", "checks", "sections"):
        db.execute(f"DROP TABLE {name}")
    for statement in BY_NAME["changes"].ddl():
        db.execute(statement)
    for new_vid, old_vid in db.execute("SELECT n.vid, o.vid FROM versions n JOIN versions o "
                                       "ON o.version_id = n.supersedes ORDER BY n.vid").fetchall():
        figures.store_changes(db, new_vid, old_vid)
    for name in ("sources", "pages"):  # now WITHOUT ROWID: the URL stored once, not twice
        _rebuild(db, name)
    for column in PLACE_COLUMNS:  # districts as data: where each report is from
        db.execute(f'ALTER TABLE reports ADD COLUMN "{column.name}" TEXT')
    db.execute("CREATE INDEX IF NOT EXISTS reports_place ON reports(\"division_code\", \"year\")")
    recreate_index(db)  # its tokens changed: every character now begins one (single-character search)
    fulltext.refresh(db)
    place_reports(db)
    wide.rebuild(db)
    raw.compact_captures(db)


def place_reports(db: sqlite_utils.Database) -> int:
    """Each report's portal, division and level, from its row in the search index (refreshed
    first) and the registry entries crawled; only rows that change are written."""
    names = [c.name for c in PLACE_COLUMNS]
    source = {"portal_id": "s.portal_id", "division_code": "p.code", "province": "p.province", "city": "p.city",
              "district": "p.district", "level": "s.level"}
    return db.execute(
        "UPDATE reports SET " + ", ".join(f"{n} = {source[n]}" for n in names)
        + " FROM report_search s LEFT JOIN portals p ON p.portal_id = s.portal_id "
        "WHERE s.report_id = reports.report_id AND ("
        + " OR ".join(f"reports.{n} IS NOT {source[n]}" for n in names) + ")").rowcount


def recreate_index(db: sqlite_utils.Database) -> None:
    """The full-text index's tables dropped and made empty again (fulltext.refresh fills them)."""
    for name in INDEX_TABLES:
        db.execute(f"DROP TABLE IF EXISTS {name}")
    for name in INDEX_TABLES:
        for statement in BY_NAME[name].ddl():
            db.execute(statement)


def _rebuild(db: sqlite_utils.Database, name: str) -> None:
    """A table made again as TABLES defines it now, its rows copied across."""
    table = BY_NAME[name]
    for index in table.indexes:
        db.execute(f"DROP INDEX IF EXISTS {index.name}")
    db.execute(f"ALTER TABLE {name} RENAME TO {name}_old")
    for statement in table.ddl():
        db.execute(statement)
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    db.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {name}_old")
    db.execute(f"DROP TABLE {name}_old")


def _to_5(db: sqlite_utils.Database) -> None:
    # The search page counts a query's reports by year, province, level and template in one
    # pass over an index of those columns, not a hundred thousand row lookups; the revisions
    # query reads the newest revised versions from their own index, not every version.
    for statement in BY_NAME["report_search"].ddl()[1:] + BY_NAME["versions"].ddl()[1:]:
        db.execute(statement)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "registry entries (portals) and the full-text index (report_search)", _to_2),
    Migration(3, "listing outcomes (listings) and portal verdicts (portal_runs) of each run", _to_3),
    Migration(4, "figures, checks and sections stored once (metrics, cells, checks, sections are views); "
                 "the wide table materialised; captures in zstd with per-portal dictionaries", _to_4),
    Migration(5, "indexes for the search page's breakdowns (report_search) and the newest revisions "
                 "(versions)", _to_5),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def open_db(path: str, memory: bool = False) -> sqlite_utils.Database:
    """The archive, shaped (created or migrated) and in WAL mode; ``memory=True`` for tests."""
    db = sqlite_utils.Database(memory=True) if memory else sqlite_utils.Database(path)
    if not memory:
        if db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0:
            # Pages freed (captures recompressed with a new dictionary, derived rows replaced)
            # go back to the file at the end of each run (upkeep), not kept as free space.
            db.execute("PRAGMA auto_vacuum=INCREMENTAL")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=10000")
    steps = ensure_db_shape(db)
    if not memory and any(step.version == 4 for step in steps):
        # The compact layout frees most of an older archive's pages: give them back once.
        db.execute("PRAGMA auto_vacuum=INCREMENTAL")
        db.execute("VACUUM")
    return db


class SchemaError(RuntimeError):
    """An archive this code cannot use (made by a newer govcrawl, or older and opened to read)."""


def open_readonly(path: str) -> sqlite_utils.Database:
    """An archive opened only to read (search, export, chart, serve): no schema script, no
    journal switch, nothing written — its bytes stay as they are.  Where even a reader
    cannot work beside the file (read-only media: a WAL archive wants its -shm), it is read
    as immutable.  An older archive is refused with what to run, not migrated."""
    uri = Path(path).resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaError(f"archive schema {version} is newer than this govcrawl's ({SCHEMA_VERSION}): "
                          "upgrade govcrawl")
    if version < SCHEMA_VERSION:
        raise SchemaError(f"archive schema {version} is older than this govcrawl's ({SCHEMA_VERSION}): "
                          f"run `govcrawl upgrade --db {path}` once (it migrates the archive in place)")
    conn.execute("PRAGMA query_only=1")
    return sqlite_utils.Database(conn)


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
                seed_keys(db)
            for step in steps:
                step.apply(db)
            _ensure_views(db)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            if not in_transaction:
                db.conn.commit()
        except BaseException:
            if not in_transaction:
                db.conn.rollback()
            raise
    elif _keys_changed(db) or _views_changed(db):
        # The extractor's canonical keys changed (a new key): the dictionary, the views and
        # the wide table's columns follow; the wide table is derived, so it is rebuilt.
        with db.conn:
            seed_keys(db)
            _ensure_views(db)
            if _columns(db, WIDE_TABLE) != [c.name for c in BY_NAME[WIDE_TABLE].columns]:
                from govcrawl.archive import wide

                db.execute(f"DROP TABLE IF EXISTS {WIDE_TABLE}")
                for statement in BY_NAME[WIDE_TABLE].ddl():
                    db.execute(statement)
                wide.rebuild(db)
    return steps


def seed_keys(db: sqlite_utils.Database) -> None:
    """The canonical keys with what they mean (metric_keys doubles as the data dictionary)."""
    db.conn.executemany(
        'INSERT INTO metric_keys (key, position, "table", "row", col, label_zh, english, unit, templates) '
        "VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(position) DO UPDATE SET key = excluded.key, "
        "label_zh = excluded.label_zh, english = excluded.english, unit = excluded.unit, "
        "templates = excluded.templates",
        [(k.key, k.key, k.table, k.row, k.col, k.label, k.english, k.unit, ",".join(k.templates))
         for k in K.all_keys()])


def _keys_changed(db: sqlite_utils.Database) -> bool:
    stored = {row[0] for row in db.execute("SELECT key FROM metric_keys WHERE key IS NOT NULL")}
    return stored != {k.key for k in K.all_keys()}


def _views_changed(db: sqlite_utils.Database) -> bool:
    stored = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'").fetchall())
    return any(stored.get(view.name) != view.ddl() for view in VIEWS) or \
        _columns(db, WIDE_TABLE) != [c.name for c in BY_NAME[WIDE_TABLE].columns]


def _columns(db: sqlite_utils.Database, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()]


def _ensure_views(db: sqlite_utils.Database) -> None:
    """Each view as VIEWS defines it: recreated when its definition changed."""
    stored = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'").fetchall())
    for view in VIEWS:
        if stored.get(view.name) != view.ddl():
            db.execute(f"DROP VIEW IF EXISTS {view.name}")
            db.execute(view.ddl())


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
