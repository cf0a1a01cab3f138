"""The archive at scale: captures that decode to their exact bytes whatever their compression,
an older archive migrated with every row and every export unchanged, and every canned query,
chart and table page reading a bounded number of rows (a query that scans cannot land)."""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import zlib

import archive_builder
import pytest
import sqlite_utils

from govcrawl.archive import raw, schema
from govcrawl.archive.schema import open_db
from govcrawl.extract import keys as K
from govcrawl.research import catalog, export, search_page
from govcrawl.research import datasette_plugin as plugin
from govcrawl.research.queries import QUERIES

from conftest import ROOT

OLD = ROOT / "tests" / "archives" / "schema3.db"  # made by the schema-3 code (before the compact layout)


# --- captures -----------------------------------------------------------------------------------

def frame(portal: int, n: int) -> bytes:
    """A portal's page: its frame (the same on every page) around a report's own text."""
    rng = random.Random(portal * 1000 + n)
    chrome = "".join(f"<li><a href='/col{portal}/{i}.html'>栏目{portal}-{i}</a></li>"
                     for i in range(120))
    text = "".join(rng.choice("政府信息公开年度报告申请复议诉讼主动公开") for _ in range(600))
    page = f"<html><head><title>门户{portal}</title></head><body><ul>{chrome}</ul><p>{n}{text}</p></body></html>"
    return page.encode()


def test_every_capture_decodes_to_its_exact_bytes_whatever_its_compression():
    db = open_db("", memory=True)
    pages = {(p, n): frame(p, n) for p in (1, 2) for n in range(20 if p == 1 else 5)}
    pdf = bytes(random.Random(3).randrange(256) for _ in range(5000))
    with db.conn:
        for (portal, n), body in pages.items():
            raw.record_fetch(db, raw.Fetch(url=f"http://p{portal}.test/{n}.html", portal_id=f"p{portal}",
                                           kind="report", status=200, fetched_at="2026-01-01T00:00:00+00:00",
                                           body=body, media_type="text/html"))
        raw.record_fetch(db, raw.Fetch(url="http://p1.test/a.pdf", portal_id="p1", kind="attachment", status=200,
                                       fetched_at="2026-01-01T00:00:00+00:00", body=pdf, media_type="application/pdf"))
        # A capture of an older archive, zlib-compressed.
        legacy = b"<html>" + "旧".encode() * 3000 + b"</html>"
        db.execute("INSERT INTO captures (sha256, size, media_type, content, compression) VALUES (?,?,?,?, 'zlib')",
                   [hashlib.sha256(legacy).hexdigest(), len(legacy), "text/html", zlib.compress(legacy)])
    before = {sha: raw.capture_bytes(db, sha) for (sha,) in db.execute("SELECT sha256 FROM captures")}
    with db.conn:
        counts = raw.compact_captures(db)
    assert counts["dictionaries"] == 1  # portal 1 has enough pages; portal 2 (5 pages) has not
    methods = dict(db.execute("SELECT sha256, compression FROM captures").fetchall())
    assert {methods[hashlib.sha256(b).hexdigest()] for (p, _), b in pages.items() if p == 1} == {"zstd:1"}
    assert {methods[hashlib.sha256(b).hexdigest()] for (p, _), b in pages.items() if p == 2} == {"zstd"}
    assert methods[hashlib.sha256(legacy).hexdigest()] == "zstd" and methods[hashlib.sha256(pdf).hexdigest()] == "zstd"
    for sha, data in before.items():
        assert raw.capture_bytes(db, sha) == data and hashlib.sha256(data).hexdigest() == sha
    with db.conn:
        assert raw.compact_captures(db) == {"dictionaries": 0, "rewritten": 0, "saved": 0}  # nothing left to do
    # A new page of portal 1 is compressed with its dictionary at once, and decodes back.
    with db.conn:
        fetch = raw.record_fetch(db, raw.Fetch(url="http://p1.test/99.html", portal_id="p1", kind="report",
                                               status=200, fetched_at="2026-02-01T00:00:00+00:00",
                                               body=frame(1, 99), media_type="text/html"))
    assert db.execute("SELECT compression FROM captures WHERE sha256 = ?", [fetch.sha256]).fetchone() == ("zstd:1",)
    assert raw.capture_bytes(db, fetch.sha256) == frame(1, 99)


def test_a_dictionary_that_does_not_pay_is_not_used():
    db = open_db("", memory=True)
    rng = random.Random(9)
    with db.conn:
        for n in range(20):  # pages with nothing in common
            body = bytes(rng.randrange(32, 127) for _ in range(3000))
            raw.record_fetch(db, raw.Fetch(url=f"http://x.test/{n}", portal_id="x", kind="report", status=200,
                                           fetched_at="2026-01-01T00:00:00+00:00", body=body, media_type="text/html"))
        raw.compact_captures(db)
    assert db.execute("SELECT DISTINCT compression FROM captures").fetchall() == [("zstd",)]
    assert db.execute("SELECT length(content) FROM capture_dicts").fetchall() == [(0,)]  # the attempt, recorded


# --- migration ------------------------------------------------------------------------------------

# What the schema-3 code exported (govcrawl.research.export then): the same SQL on the migrated
# archive must give the same rows.
V3_EXPORTS = {
    "reports": """SELECT r.report_id, r.agency, r.year, r.template, s.level, s.portal_id, s.province,
  s.district, r.title, r.published, r.first_seen, r.last_seen, r.gone_at, r.versions, r.latest_version_id,
  s.url FROM reports r LEFT JOIN report_search s ON s.report_id = r.report_id ORDER BY r.agency, r.year""",
    "metrics_long": """SELECT r.report_id, r.agency, r.year, m.key, m.value, m.derived_from
FROM reports r JOIN metrics m ON m.version_id = r.latest_version_id ORDER BY r.agency, r.year, m.key""",
    "metrics_wide": "SELECT report_id, agency, year, template, published, gone_at, "
                    + ", ".join(f'"{k.key}"' for k in K.all_keys()) + " FROM report_metrics_wide ORDER BY agency, year",
}


def _rows(conn, sql: str) -> list[tuple]:
    return sorted(tuple(r) for r in conn.execute(sql).fetchall())


def test_a_schema_3_archive_migrates_with_every_row_and_every_export_unchanged(tmp_path):
    copy = tmp_path / "old.db"
    shutil.copy(OLD, copy)
    old = sqlite_utils.Database(copy)  # not migrated: read as the schema-3 code left it
    assert old.execute("PRAGMA user_version").fetchone() == (3,)
    exported = {name: _rows(old.conn, sql) for name, sql in V3_EXPORTS.items()}
    relations = {name: _rows(old.conn, f"SELECT * FROM {name}") for name in ("metrics", "cells", "checks", "sections")}
    captures = dict(old.execute("SELECT sha256, content FROM captures").fetchall())
    old.conn.close()

    migrated = open_db(str(copy))
    assert migrated.execute("PRAGMA user_version").fetchone() == (schema.SCHEMA_VERSION,)
    assert schema.shape(migrated.conn) == schema.shape(open_db("", memory=True).conn)
    assert migrated.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert {name: _rows(migrated.conn, sql) for name, sql in V3_EXPORTS.items()} == exported
    # and today's exports hold the same figures, with where each report is from besides
    wide = {r[0]: r for r in export.tables(migrated)["metrics_wide"][2]}
    assert len(wide) == len(exported["metrics_wide"]) and all(wide[r[0]][:4] == r[:4] for r in exported["metrics_wide"])
    for name, rows in relations.items():  # the views give every row the tables held
        columns = ", ".join(f'"{c.name}"' for c in schema.VIEW_BY_NAME[name].columns)
        assert _rows(migrated.conn, f"SELECT {columns} FROM {name}") == rows, name
    for sha, content in captures.items():  # recompressed, the same bytes
        assert raw.capture_bytes(migrated, sha) == zlib.decompress(content)
    assert migrated.execute("SELECT COUNT(*) FROM captures WHERE compression = 'zlib'").fetchone() == (0,)


# --- every page and query reads a bounded number of rows -------------------------------------------

REPORTS = 3000
# SQLite VM steps a page may take: a pass over the reports (their index or the wide table),
# and the rows it shows (Datasette reads up to 1,001); reading every figure costs ~800 per report.
STEPS_PER_REPORT, STEPS_PER_ROW = 60, 250


@pytest.fixture(scope="module")
def big():
    db = open_db("", memory=True)
    archive_builder.build(db, REPORTS)
    plugin.prepare_connection(db.conn)
    return db


def steps(db, sql: str, params: dict | None = None) -> tuple[int, int]:
    """VM steps to produce the first 1,001 rows (what Datasette reads of a result), and the rows."""
    count = [0]

    def tick() -> int:
        count[0] += 1
        return 0

    db.conn.set_progress_handler(tick, 100)
    try:
        rows = len(db.execute(sql, params or {}).fetchmany(1001))
    finally:
        db.conn.set_progress_handler(None, 100)
    return count[0] * 100, rows


def pages(db) -> dict[str, tuple[str, dict]]:
    """The SQL of every page the metadata exposes: canned queries with realistic parameters,
    dashboard charts, and each table's first page with its facets."""
    agency, year = db.execute("SELECT agency, year FROM reports ORDER BY report_id LIMIT 1").fetchone()
    district = db.execute("SELECT portal_id FROM report_search LIMIT 1").fetchone()[0]
    params = {"agency": agency, "year": str(year), "district": district, "q": "行政复议"}
    out = {f"query {q.name}": (q.sql, {n: params[n] for n in re.findall(r":(\w+)", q.sql)}) for q in QUERIES}
    for name, chart in catalog.dashboards("archive")["overview"]["charts"].items():
        out[f"chart {name}"] = (chart["query"], {})
    for filters in ({}, {"year": str(year)}, {"level": "street"}):
        grouped, hits, page_params = search_page.statements("行政复议", filters, None)
        out[f"search page counts {filters}"] = (grouped, page_params)
        out[f"search page hits {filters}"] = (hits, page_params)
    meta = catalog.metadata("archive")["databases"]["archive"]["tables"]
    for name, table in meta.items():
        if table.get("hidden"):
            continue
        out[f"table {name}"] = (f"SELECT * FROM {name} LIMIT 51", {})
        large = name in plugin._LARGE
        if not large:
            out[f"count {name}"] = (f"SELECT COUNT(*) FROM {name}", {})
        for facet in table.get("facets", []):
            out[f"facet {name}.{facet}"] = (
                f"SELECT {facet} AS value, COUNT(*) AS count FROM {name} WHERE {facet} IS NOT NULL "
                "GROUP BY value ORDER BY count DESC, value LIMIT 31", {})
    return out


def test_every_page_and_query_reads_a_bounded_number_of_rows(big):
    assert big.execute("SELECT COUNT(*) FROM reports").fetchone() == (REPORTS,)
    def budget(rows: int) -> int:
        return STEPS_PER_REPORT * REPORTS + STEPS_PER_ROW * rows

    scan, rows = steps(big, "SELECT value FROM figures WHERE value > 1e9")
    assert scan > budget(rows) * 3  # the budget tells a scan from a page
    taken = {name: steps(big, sql, params) for name, (sql, params) in pages(big).items()}
    assert {name: (n, rows) for name, (n, rows) in taken.items() if n > budget(rows)} == {}


def test_the_queries_find_what_they_are_for(big):
    """Not empty by accident: failing checks, revisions and carry-over mismatches are there."""
    by_name = {q.name: q for q in QUERIES}
    assert big.execute(by_name["inconsistent_reports"].sql).fetchone() is not None
    assert len(big.execute(by_name["revisions"].sql).fetchall()) >= REPORTS // 40
    assert big.execute(by_name["carry_over_mismatches"].sql).fetchone() is not None


def test_datasette_serves_the_large_relations_without_counting_them():
    scopes = []

    async def app(scope, receive, send):
        scopes.append(scope)

    wrapped = plugin.asgi_wrapper(None)(app)
    import asyncio

    for path, query in (("/archive/metrics", b""), ("/archive/cells.json", b"_shape=array"),
                        ("/archive/reports", b""), ("/archive/metrics", b"_count=1")):
        asyncio.run(wrapped({"type": "http", "path": path, "query_string": query}, None, None))
    assert [s["query_string"] for s in scopes] == [b"_nocount=1", b"_shape=array&_nocount=1", b"", b"_count=1"]
