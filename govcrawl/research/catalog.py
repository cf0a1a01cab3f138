"""What the archive's tables and columns mean: Datasette metadata and the data dictionary.

Both come from the key definitions the extractor uses (govcrawl.extract.keys), so the
dictionary cannot drift from what is extracted.
"""

from __future__ import annotations

from typing import Any

from govcrawl.extract import keys as K
from govcrawl.research.queries import QUERIES

TITLE = "govcrawl: 政府信息公开工作年度报告 archive"
SOURCE = "County-level government portals (政府信息公开年报 columns), crawled by govcrawl"
LICENSE = "Reports: public government information; compilation: CC BY 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
PROJECT_URL = "https://github.com/govcrawl/govcrawl"
TEMPLATE_NAMES = {"legacy": "legacy prose (before 2019)", "2019": "2019 template (2019–2020 reports)",
                  "2021": "2021 template (2021 reports on)"}

TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "reports": ("One row per report (an agency's report for a year), whatever its versions and sources.", {
        "report_id": "Stable id from the agency and the year",
        "title": "Title of the latest version",
        "latest_version_id": "The version shown by default (most complete one still served)",
        "versions": "How many versions were seen",
        "gone_at": "When every source of the report disappeared from its portal (kept, marked gone)"}),
    "versions": ("Every distinct version of a report: a silent revision is a new version, the old kept.", {
        "fingerprint": "Digest of the normalised text and figures",
        "capture_sha256": "Raw bytes this version was extracted from (captures)",
        "text": "The report's text (its sections)", "supersedes": "The version this one revised",
        "superseded_by": "The version that revised this one",
        "warnings": "What the extractor noticed (JSON list)"}),
    "sources": ("Every URL (and portal) where a version was seen.", {
        "url": "Page or attachment URL",
        "gone_at": "When this URL stopped serving this version"}),
    "metrics": ("The figures of each version, long form: one row per canonical key.", {}),
    "cells": ("Every table cell read, with its label and raw text (provenance for the metrics).", {
        "raw": "The cell as printed", "label": "The row label as printed",
        "blank": "1 when the cell was empty, '/' or '-' (read as 0)"}),
    "checks": ("Consistency checks (勾稽关系) of each version, both sides of each equation.", {
        "rule": "requests.balance, requests.results_sum, requests.column_sum or appeals.total",
        "status": "pass, fail or not_assessable", "left": "Left side", "right": "Right side"}),
    "sections": ("The six sections of each version, by number.", {}),
    "conflicts": ("Figures on which two versions still served disagree (a page and its attachment, two portals).",
                  {}),
    "report_search": ("One row per report, latest version: the full-text index's rows, with facets.", {
        "id": "year × 1,000,000 + a sequence: sorting by id is newest year first, and fast",
        "level": "government, department or street (乡镇/街道), from the agency name",
        "province": "Province of the portal", "district": "District of the portal",
        "url": "Where the latest version is served"}),
    "portals": ("The registry entries crawled into this archive.", {}),
    "ingested": ("Pages written by a distributed crawl's writer (so that a restart repeats none).", {}),
    "crawl_runs": ("Each crawl: start, end, status and counts (JSON).", {}),
    "errors": ("Per-URL errors with their reasons (HTTP status, parse failures, deleted pages).", {}),
    "disappearances": ("URLs found gone at the end of a complete crawl.", {}),
    "fetches": ("Every HTTP fetch: status, validators, the sha256 of the bytes (raw, for provenance).", {}),
    "report_metrics_wide": ("One row per report (latest version), one column per canonical key.", {}),
}
HIDDEN = ("captures", "pages", "attachments", "report_search_fts", "report_search_state")

# Columns that mean the same wherever they appear.
COMMON_COLUMNS = {
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
    "status": "HTTP status, or the check's outcome", "at": "When (UTC)",
}
_SPECIFIC_COLUMNS = {
    "versions": {"period_start": "Statistical period start (统计期限)", "period_end": "Statistical period end",
                 "contact_agency": "Contact office named by the report", "address": "Contact address",
                 "postcode": "Postcode", "phone": "Telephone", "fax": "Fax", "email": "E-mail"},
    "cells": {"derived": "1 when the cell was computed (a total from its parts), not printed"},
    "sections": {"number": "Section number (1–6)", "heading": "Heading as printed", "text": "The section's text"},
    "conflicts": {"other_version_id": "The version that says otherwise", "other_value": "What it says"},
    "crawl_runs": {"started_at": "Start (UTC)", "finished_at": "End (UTC)",
                   "status": "running, finished, incomplete (reason) or aborted (killed)",
                   "portals": "Portals crawled (JSON)", "counts": "Counts (JSON: pages, extractions, bytes, …)",
                   "command": "The command that ran it"},
    "errors": {"status": "HTTP status, if any", "reason": "Why: HTTP status, deleted page, parse failure, …"},
    "fetches": {"kind": "report or attachment", "sha256": "Digest of the bytes (captures.sha256)",
                "etag": "ETag served", "last_modified": "Last-Modified served", "headers": "Response headers (JSON)",
                "referer": "Page that linked it", "listing_title": "Link text in the listing",
                "fetched_at": "When (UTC)"},
    "portals": {"name": "Province, city and district", "province": "Province", "city": "City",
                "district": "District or county", "code": "GB/T 2260 division code", "homepage": "Home page",
                "cms": "CMS family hint", "verified": "1 when a crawl confirmed the listing URLs",
                "demo": "1 for the bundled demo portals", "updated_at": "When the entry was recorded (UTC)"},
    "ingested": {"item_id": "Id of a page a distributed crawl's writer has written"},
}


def dictionary() -> list[dict[str, str]]:
    """The data dictionary: one row per canonical key."""
    return [{"key": k.key, "label_zh": k.label, "english": k.english, "unit": k.unit,
             "templates": ",".join(k.templates), "table": k.table, "row": k.row, "column": k.col,
             "prose_only": "yes" if k.prose_only else "no"} for k in K.all_keys()]


def dictionary_markdown() -> str:
    lines = ["# Data dictionary", "",
             "Every canonical metric key: the `key` column of `metrics` and the columns of "
             "`report_metrics_wide`. Templates: " + "; ".join(f"`{k}` = {v}" for k, v in TEMPLATE_NAMES.items())
             + ".", "", "| key | 中文 | English | unit | templates |", "|---|---|---|---|---|"]
    for row in dictionary():
        lines.append(f"| `{row['key']}` | {row['label_zh']} | {row['english']} | {row['unit']} | "
                     f"{row['templates']} |")
    return "\n".join(lines) + "\n"


def _wide_columns() -> dict[str, str]:
    return {k.key: f"{k.label} — {k.english} ({k.unit}; templates {', '.join(k.templates)})"
            for k in K.all_keys()}


def dashboards(db_name: str) -> dict[str, Any]:
    """datasette-dashboards configuration: the figures researchers look at first."""
    def chart(title: str, query: str, display: dict[str, Any]) -> dict[str, Any]:
        return {"title": title, "db": db_name, "query": query, "library": "vega-lite", "display": display}

    outcome = ("CASE WHEN m.key = 'requests.granted.total' THEN '予以公开' "
               "WHEN m.key = 'requests.partly_granted.total' THEN '部分公开' "
               "WHEN m.key LIKE 'requests.denied.%' THEN '不予公开' "
               "WHEN m.key LIKE 'requests.unavailable.%' THEN '无法提供' "
               "WHEN m.key LIKE 'requests.not_processed.%' THEN '不予处理' ELSE '其他处理' END")
    return {"overview": {
        "title": "政府信息公开年报 — overview",
        "description": "Requests, outcomes, reviews and suits, and coverage, per year (latest version of "
                       "each report).",
        "layout": [["requests", "outcomes"], ["appeals", "coverage"]],
        "charts": {
            "requests": chart(
                "Requests received per year (本年新收政府信息公开申请)",
                "SELECT r.year, SUM(m.value) AS requests FROM reports r JOIN metrics m ON "
                "m.version_id = r.latest_version_id AND m.key = 'requests.new.total' GROUP BY r.year ORDER BY r.year",
                {"mark": {"type": "bar", "tooltip": True},
                 "encoding": {"x": {"field": "year", "type": "ordinal"},
                              "y": {"field": "requests", "type": "quantitative"}}}),
            "outcomes": chart(
                "Outcome mix of requests handled (办理结果)",
                f"SELECT r.year, {outcome} AS outcome, SUM(m.value) AS requests FROM reports r "
                "JOIN metrics m ON m.version_id = r.latest_version_id WHERE m.key IN "
                "('requests.granted.total', 'requests.partly_granted.total') OR (m.key LIKE 'requests.%.total' "
                "AND (m.key LIKE 'requests.denied.%' OR m.key LIKE 'requests.unavailable.%' OR "
                "m.key LIKE 'requests.not_processed.%' OR m.key LIKE 'requests.other.%') AND m.key != "
                "'requests.other.total') GROUP BY r.year, outcome ORDER BY r.year",
                {"mark": {"type": "bar", "tooltip": True},
                 "encoding": {"x": {"field": "year", "type": "ordinal"},
                              "y": {"field": "requests", "type": "quantitative", "stack": "normalize"},
                              "color": {"field": "outcome", "type": "nominal"}}}),
            "appeals": chart(
                "Administrative reviews and suits per year (行政复议、行政诉讼)",
                "SELECT r.year, CASE m.key WHEN 'appeals.review.total' THEN '行政复议' "
                "WHEN 'appeals.litigation_direct.total' THEN '未经复议直接起诉' ELSE '复议后起诉' END AS kind, "
                "SUM(m.value) AS cases FROM reports r JOIN metrics m ON m.version_id = r.latest_version_id "
                "AND m.key IN ('appeals.review.total', 'appeals.litigation_direct.total', "
                "'appeals.litigation_after_review.total') GROUP BY r.year, kind ORDER BY r.year",
                {"mark": {"type": "line", "point": True, "tooltip": True},
                 "encoding": {"x": {"field": "year", "type": "ordinal"},
                              "y": {"field": "cases", "type": "quantitative"},
                              "color": {"field": "kind", "type": "nominal"}}}),
            "coverage": chart(
                "Reports archived per year, by level (coverage)",
                "SELECT year, COALESCE(level, 'unknown') AS level, COUNT(*) AS reports FROM report_search "
                "GROUP BY year, level ORDER BY year",
                {"mark": {"type": "bar", "tooltip": True},
                 "encoding": {"x": {"field": "year", "type": "ordinal"},
                              "y": {"field": "reports", "type": "quantitative"},
                              "color": {"field": "level", "type": "nominal"}}}),
        }}}


def metadata(db_name: str) -> dict[str, Any]:
    """Datasette metadata for an archive served under ``db_name`` (its file stem)."""
    tables: dict[str, Any] = {}
    for name, (description, columns) in TABLES.items():
        tables[name] = {"description": description,
                        "columns": {**COMMON_COLUMNS, **_SPECIFIC_COLUMNS.get(name, {}), **columns}}
    tables["report_metrics_wide"]["columns"].update(_wide_columns())
    tables["report_metrics_wide"]["facets"] = ["year", "template"]
    tables["reports"].update({"facets": ["year", "template"], "sort_desc": "year", "label_column": "title"})
    tables["report_search"].update({
        "facets": ["province", "year", "template", "level"], "sort_desc": "id",
        "fts_table": "report_search_fts", "fts_pk": "id", "label_column": "title"})
    tables["metrics"].update({"facets": ["key"], "sort": "key"})
    tables["checks"].update({"facets": ["rule", "status"]})
    tables["crawl_runs"]["sort_desc"] = "id"
    tables["errors"].update({"facets": ["reason"], "sort_desc": "id"})
    for name in HIDDEN:
        tables[name] = {"hidden": True}
    return {
        "title": TITLE,
        "description": "Government information-disclosure annual reports of county-level units, every "
                       "version kept. Search works in Chinese: type two or more characters.",
        "source": SOURCE, "source_url": PROJECT_URL, "license": LICENSE, "license_url": LICENSE_URL,
        "databases": {db_name: {
            "tables": tables,
            "queries": {q.name: {"title": q.title, "description": q.description, "sql": q.sql}
                        for q in QUERIES},
        }},
        "plugins": {"datasette-dashboards": dashboards(db_name)},
    }
