"""What the archive's tables and columns mean: Datasette metadata and the data dictionary.

Tables and columns are described where they are defined (govcrawl.archive.schema), the
metric keys where the extractor defines them (govcrawl.extract.keys): neither can drift
from what is stored.
"""

from __future__ import annotations

import html
from typing import Any

from govcrawl.archive import schema
from govcrawl.extract import keys as K
from govcrawl.research.queries import QUERIES

TITLE = "govcrawl: 政府信息公开工作年度报告 archive"
SOURCE = "County-level government portals (政府信息公开年报 columns), crawled by govcrawl"
LICENSE = "Reports: public government information; compilation: CC BY 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
PROJECT_URL = "https://github.com/govcrawl/govcrawl"
TEMPLATE_NAMES = {"legacy": "legacy prose (before 2019)", "2019": "2019 template (2019–2020 reports)",
                  "2021": "2021 template (2021 reports on)"}

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

    def per_year(mark: str, y: str, color: str | None = None, stack: str | None = None) -> dict[str, Any]:
        """A Vega-Lite chart of ``y`` per year (a line gets points), split by ``color``."""
        encoding: dict[str, Any] = {"x": {"field": "year", "type": "ordinal"},
                                    "y": {"field": y, "type": "quantitative", **({"stack": stack} if stack else {})}}
        if color:
            encoding["color"] = {"field": color, "type": "nominal"}
        return {"mark": {"type": mark, "tooltip": True, **({"point": True} if mark == "line" else {})},
                "encoding": encoding}

    outcome = ("CASE WHEN key = 'requests.granted.total' THEN '予以公开' "
               "WHEN key = 'requests.partly_granted.total' THEN '部分公开' "
               "WHEN key LIKE 'requests.denied.%' THEN '不予公开' "
               "WHEN key LIKE 'requests.unavailable.%' THEN '无法提供' "
               "WHEN key LIKE 'requests.not_processed.%' THEN '不予处理' ELSE '其他处理' END")
    # The charts read the yearly sums (a small table refreshed at the end of each run), not
    # the figures of every report.
    return {"overview": {
        "title": "政府信息公开年报 — overview",
        "description": "Requests, outcomes, reviews and suits, and coverage, per year (latest version of "
                       "each report).",
        "layout": [["requests", "outcomes"], ["appeals", "coverage"]],
        "charts": {
            "requests": chart(
                "Requests received per year (本年新收政府信息公开申请)",
                "SELECT year, SUM(total) AS requests FROM yearly WHERE key = 'requests.new.total' "
                "GROUP BY year ORDER BY year",
                per_year("bar", "requests")),
            "outcomes": chart(
                "Outcome mix of requests handled (办理结果)",
                f"SELECT year, {outcome} AS outcome, SUM(total) AS requests FROM yearly WHERE key IN "
                "('requests.granted.total', 'requests.partly_granted.total') OR (key LIKE 'requests.%.total' "
                "AND (key LIKE 'requests.denied.%' OR key LIKE 'requests.unavailable.%' OR "
                "key LIKE 'requests.not_processed.%' OR key LIKE 'requests.other.%') AND key != "
                "'requests.other.total') GROUP BY year, outcome ORDER BY year",
                per_year("bar", "requests", color="outcome", stack="normalize")),
            "appeals": chart(
                "Administrative reviews and suits per year (行政复议、行政诉讼)",
                "SELECT year, CASE key WHEN 'appeals.review.total' THEN '行政复议' "
                "WHEN 'appeals.litigation_direct.total' THEN '未经复议直接起诉' ELSE '复议后起诉' END AS kind, "
                "SUM(total) AS cases FROM yearly WHERE key IN ('appeals.review.total', "
                "'appeals.litigation_direct.total', 'appeals.litigation_after_review.total') "
                "GROUP BY year, kind ORDER BY year",
                per_year("line", "cases", color="kind")),
            "coverage": chart(
                "Reports archived per year, by level (coverage)",
                "SELECT year, COALESCE(level, 'unknown') AS level, COUNT(*) AS reports FROM report_search "
                "GROUP BY year, level ORDER BY year",
                per_year("bar", "reports", color="level")),
        }}}


def metadata(db_name: str) -> dict[str, Any]:
    """Datasette metadata for an archive served under ``db_name`` (its file stem)."""
    tables: dict[str, Any] = {}
    for table in (*schema.TABLES, *schema.VIEWS):
        if getattr(table, "hidden", False):
            tables[table.name] = {"hidden": True}
            continue
        tables[table.name] = {"description": table.description, "columns": {
            c.name: c.description or schema.COMMON_DESCRIPTIONS.get(c.name, "") for c in table.columns}}
    tables[schema.WIDE_TABLE]["columns"].update(_wide_columns())
    # Facets only where an index answers them: a facet over millions of figures would take
    # seconds on every page at scale (the wide table and the canned queries answer those).
    tables[schema.WIDE_TABLE]["facets"] = ["year", "template"]
    tables[schema.WIDE_TABLE]["size"] = 15  # 170 columns a row: a page of 50 takes longer to draw than to read
    tables["reports"].update({"facets": ["year", "template"], "sort_desc": "year", "label_column": "title"})
    tables["report_search"].update({
        # (not template: the year decides it but for a few late or early adopters, and each
        # facet costs a pass over a search's matches; the search page counts templates too)
        "facets": ["province", "year", "level"], "sort_desc": "id",
        "fts_table": "report_search_fts", "fts_pk": "id", "label_column": "title",
        # (relative links: they hold under any base_url)
        "description_html": html.escape(tables["report_search"]["description"]) + ' The <a href="../-/search">'
                            "search page</a> answers fastest: counts by year, province, level and template, "
                            "newest hits first."})
    tables["crawl_runs"]["sort_desc"] = "id"
    tables["errors"].update({"facets": ["reason"], "sort_desc": "id"})
    return {
        "title": TITLE,
        "description": "Government information-disclosure annual reports of county-level units, every "
                       "version kept. Search works in Chinese: type two or more characters.",
        "description_html": "Government information-disclosure annual reports of county-level units, every "
                            'version kept. <a href="-/search">Search the reports</a> (in Chinese: any '
                            "characters).",
        "source": SOURCE, "source_url": PROJECT_URL, "license": LICENSE, "license_url": LICENSE_URL,
        "databases": {db_name: {
            "tables": tables,
            "queries": {q.name: {"title": q.title, "description": q.description, "sql": q.sql}
                        for q in QUERIES},
        }},
        "plugins": {"datasette-dashboards": dashboards(db_name)},
    }
