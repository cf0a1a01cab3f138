"""The researcher's archive on the crawled demo network: Chinese search (SQL, CLI,
Datasette), canned queries against the manifest, exports, charts."""

from __future__ import annotations

import asyncio
import json
import random
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner

from govcrawl.archive import fulltext
from govcrawl.archive.schema import open_db
from govcrawl.cli import main
from govcrawl.extract import keys as K
from govcrawl.research import catalog, export, search
from govcrawl.research.queries import QUERIES, by_name

from conftest import ROOT, manifest, rows

HAN = re.compile(r"[\u4e00-\u9fff]+")


@pytest.fixture(scope="module")
def archive_db(first_crawl, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("research") / "demo.db"
    shutil.copy(first_crawl, db)
    return db


def documents(db_path: Path) -> dict[str, str]:
    """report id → the text search covers (title and sections of the latest version)."""
    return {rid: fulltext.document(title, text) for rid, title, text in rows(
        db_path, "SELECT r.report_id, v.title, v.text FROM reports r JOIN versions v "
                 "ON v.version_id = r.latest_version_id")}


def sample_queries(docs: dict[str, str], count: int = 240, seed: int = 7) -> list[str]:
    """Two-, three- and four-character strings drawn from the texts, common and rare."""
    rng = random.Random(seed)
    runs = [run for text in sorted(docs.values()) for run in HAN.findall(text) if len(run) >= 4]
    names = sorted({text.split("\n", 1)[0] for text in docs.values()})  # titles: rarer, with digits
    out: set[str] = set()
    while len(out) < count:
        run = rng.choice(runs) if len(out) % 3 else rng.choice(names)
        length = rng.choice((2, 3, 4))
        start = rng.randrange(0, len(run) - length + 1)
        out.add(run[start:start + length])
    return sorted(out)


def scan(docs: dict[str, str], query: str) -> set[str]:
    return {rid for rid, text in _folded(docs).items() if all(fulltext.normalise(t) in text for t in query.split())}


_FOLDED: dict[frozenset, dict[str, str]] = {}


def _folded(docs: dict[str, str]) -> dict[str, str]:
    """The documents normalised once per archive (the scan is the slow side of the comparison)."""
    key = frozenset(docs.items())
    if key not in _FOLDED:
        _FOLDED[key] = {rid: fulltext.normalise(text) for rid, text in docs.items()}
    return _FOLDED[key]


# --- search ---------------------------------------------------------------------------------

def test_bigrams_and_queries():
    b = fulltext.BARRIER
    assert fulltext.tokens("信息公开") == ["信息", "息公", "公开", "开" + b]  # 开 begins no pair: its end token
    assert fulltext.tokens("公开，开会") == ["公开", b, "开会", "会" + b]  # 开 begins 开会 already
    assert fulltext.tokens("a,b,开会") == ["a", b, "b", b, "开会", "会" + b]
    assert fulltext.tokens("２０２３年度") == ["20", "02", "23", "3年", "年度", "度" + b]  # NFKC: full-width digits
    assert search.fts_query("信息公开") == '"信息 息公 公开"'  # the text's run may go on: no end token
    assert search.fts_query("公开，开会") == f'"公开 {b} 开会"'
    assert search.fts_query("复议  诉讼") == '"复议" "诉讼"'
    assert search.fts_query("开") == '"开" *'
    assert search.fts_query("，。") == f'"{fulltext.BARRIER}{fulltext.BARRIER}"'  # matches nothing
    assert fulltext.agency_level("示范市东湖区人民政府") == "government"
    assert fulltext.agency_level("示范市东湖区青山镇人民政府") == "street"
    assert fulltext.agency_level("示范市东湖区新华街道办事处") == "street"
    assert fulltext.agency_level("示范市东湖区人民政府办公室") == "department"


def test_search_finds_exactly_what_a_substring_scan_finds(archive_db):
    """≥ 200 strings of 2–4 characters: SQL, the CLI and Datasette's JSON all agree with a scan."""
    docs = documents(archive_db)
    queries = sample_queries(docs)
    assert len(queries) >= 200 and {len(q) for q in queries} == {2, 3, 4}
    queries += ["公开开会", "复议诉讼", "东湖西山"]  # joined words that occur nowhere
    db = open_db(str(archive_db))
    runner = CliRunner()
    from govcrawl.cli.research import datasette_app

    ds = datasette_app(archive_db)
    db_name = archive_db.stem

    async def datasette_ids(query: str) -> set[str]:
        response = await ds.client.get(f"/{db_name}/report_search.json", params={
            "_search": query, "_shape": "array", "_size": "max", "_col": "report_id"})
        assert response.status_code == 200, response.text[:300]
        return {row["report_id"] for row in response.json()}

    async def all_datasette() -> dict[str, set[str]]:
        await ds.invoke_startup()
        return {q: await datasette_ids(q) for q in queries}

    through_datasette = asyncio.run(all_datasette())
    sizes = []
    for query in queries:
        expected = scan(docs, query)
        sizes.append(len(expected))
        fts = {r for (r,) in db.execute(
            "SELECT s.report_id FROM report_search s WHERE s.id IN (SELECT rowid FROM report_search_fts "
            "WHERE report_search_fts MATCH ?)", [search.fts_query(query)]).fetchall()}
        assert fts == expected, query
        result = runner.invoke(main, ["search", query, "--db", str(archive_db), "--json", "--limit", "0"])
        assert result.exit_code == 0, result.output
        cli = {json.loads(line)["report_id"] for line in result.stdout.splitlines() if line.strip()}
        assert cli == expected, query
        assert through_datasette[query] == expected, query
    # the sample has common and rare strings, and strings found nowhere
    rare = max(40, len(docs) // 10)  # a tenth of the archive or fewer
    assert max(sizes) == len(docs) and min(sizes) == 0 and sum(1 for n in sizes if 0 < n < rare) >= 20


def test_search_cli_in_a_subprocess_shows_highlighted_snippets(archive_db):
    result = subprocess.run([sys.executable, "-m", "govcrawl.cli", "search", "行政复议", "--db", str(archive_db),
                             "--limit", "3"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("【行政复议】") == 3
    assert re.search(r"^\d+ reports contain '行政复议' \(first 3 shown\)$", result.stderr.strip(), re.M)


def test_single_characters_are_found_by_the_index_exactly(archive_db):
    docs = documents(archive_db)
    db = open_db(str(archive_db))
    assert {h.report_id for h in search.search(db, "译")} == scan(docs, "译")


def test_datasette_plugin_rewrites_the_search_and_plain_datasette_still_opens(archive_db):
    """The plugin's escape_fts wins only because it is registered trylast: four characters
    find reports with it; a plain Datasette has the plugin by its entry point."""
    code = (
        "import asyncio, json, sys\n"
        "from datasette.app import Datasette\n"
        "ds = Datasette(files=[sys.argv[1]])\n"
        "async def go():\n"
        "    await ds.invoke_startup()\n"
        "    home = await ds.client.get('/')\n"
        "    hits = await ds.client.get('/' + sys.argv[2] + '/report_search.json', params={'_search': '信息公开', "
        "'_fts_table': 'report_search_fts', '_fts_pk': 'id', '_shape': 'array'})\n"
        "    print(json.dumps([home.status_code, hits.status_code, len(hits.json())]))\n"
        "asyncio.run(go())\n")
    plain = subprocess.run([sys.executable, "-c", code, str(archive_db), archive_db.stem],
                           capture_output=True, text=True, timeout=120)
    assert plain.returncode == 0, plain.stderr[-2000:]
    # The plugin comes with govcrawl (a Datasette entry point): plain Datasette finds them too.
    expected = min(search.count(open_db(str(archive_db)), "信息公开"), 100)
    assert json.loads(plain.stdout) == [200, 200, expected] and expected

    from govcrawl.cli.research import datasette_app

    ds = datasette_app(archive_db)

    async def go():
        await ds.invoke_startup()
        hits = await ds.client.get(f"/{archive_db.stem}/report_search.json",
                                   params={"_search": "信息公开", "_shape": "array", "_size": "max"})
        page = await ds.client.get(f"/{archive_db.stem}/search", params={"q": "信息公开"})
        return hits.json(), page.text

    hits, page = asyncio.run(go())
    assert len(hits) == len(documents(archive_db))
    assert "<mark>信息公开</mark>" in page


# --- the search page ---------------------------------------------------------------------------

def search_page(db_path: Path, requests: list[dict]) -> list:
    """Responses of /-/search for each set of parameters, in one Datasette."""
    from govcrawl.cli.research import datasette_app

    ds = datasette_app(db_path)

    async def go():
        await ds.invoke_startup()
        return [await ds.client.get("/-/search", params=params) for params in requests]

    return asyncio.run(go())


def every_hit(db_path: Path, params: dict) -> tuple[dict, list[dict]]:
    """The first page's JSON and every hit, following the page's 'next' links to the end."""
    from govcrawl.cli.research import datasette_app

    ds = datasette_app(db_path)

    async def go():
        await ds.invoke_startup()
        first = (await ds.client.get("/-/search", params={**params, "_format": "json"})).json()
        hits, page = list(first["hits"]), first
        while page["next"]:
            page = (await ds.client.get(page["next"] + "&_format=json")).json()
            hits += page["hits"]
        return first, hits

    return asyncio.run(go())


def test_the_search_page_counts_breaks_down_and_pages_through_exactly_what_a_scan_finds(archive_db):
    docs = documents(archive_db)
    place = {rid: (year, level) for rid, year, level in rows(
        archive_db, "SELECT report_id, year, level FROM report_search")}
    queries = [*sample_queries(docs, count=30, seed=13), "信息公开", "东湖西山"]
    for query in queries:
        expected = scan(docs, query)
        first, hits = every_hit(archive_db, {"q": query})
        assert first["total"] == len(expected), query
        assert len(hits) == len(expected), query  # no report twice across the pages
        assert {h["report_id"] for h in hits} == expected, query
        assert [h["id"] for h in hits] == sorted((h["id"] for h in hits), reverse=True)  # newest first, no repeats
        by_year = {f["value"]: f["count"] for f in first["facets"]["year"]}
        assert by_year == {y: sum(1 for r in expected if place[r][0] == y) for y in {place[r][0] for r in expected}}
        assert sum(f["count"] for f in first["facets"]["level"]) == len(expected)
    year, level = 2020, "street"
    first, hits = every_hit(archive_db, {"q": "信息公开", "year": str(year), "level": level})
    wanted = {r for r in scan(docs, "信息公开") if place[r] == (year, level)}
    assert first["total"] == len(wanted) > 0 and {h["report_id"] for h in hits} == wanted
    assert all("【信息公开】" in h["snippet"] and "\u2063" not in h["snippet"] for h in hits)  # as the CLI marks


def test_the_search_page_shows_hits_highlighted_and_refuses_what_it_cannot_ask(archive_db):
    found, empty, nothing, huge = search_page(archive_db, [
        {"q": "信息公开"}, {"q": ""}, {"q": "，。"}, {"q": "公开" * 150}])
    assert found.status_code == 200 and "<mark>信息公开</mark>" in found.text
    assert f"{len(documents(archive_db)):,} reports contain" in found.text
    assert "report_search?_search=" in found.text  # the table, for any filter and sort
    assert "year=2020" in found.text  # a breakdown links to its filter
    assert empty.status_code == 200 and "reports contain" not in empty.text
    assert nothing.status_code == 200 and "0 reports contain" in nothing.text
    assert huge.status_code == 400


def test_the_tables_search_box_leads_to_the_search_page_and_anything_more_stays_on_the_table(archive_db):
    name = archive_db.stem
    from govcrawl.cli.research import datasette_app

    ds = datasette_app(archive_db)

    async def go():
        await ds.invoke_startup()
        return [await ds.client.get(f"/{name}/report_search{suffix}", params=params) for suffix, params in (
            ("", {"_search": "西山"}), ("", {"_search": "西山", "_sort_desc": "id"}),
            ("", {"_search": "西山", "year": "2020"}), (".json", {"_search": "西山"}),
            ("", {"_search": " "}), ("", {"_search": "西山", "_sort_desc": "year"}))]

    plain, boxed, filtered, as_json, blank, back = asyncio.run(go())
    assert plain.status_code == 302 and boxed.status_code == 302
    assert plain.headers["location"] == "/-/search?" + urllib.parse.urlencode({"q": "西山", "db": name})
    assert [r.status_code for r in (filtered, as_json, blank, back)] == [200] * 4  # the table, as Datasette has it


def test_the_search_page_answers_the_same_without_its_index(archive_db, tmp_path):
    """An archive served by plain Datasette before its upgrade has no facet index: same answer."""
    copy = tmp_path / "unindexed.db"
    shutil.copy(archive_db, copy)
    db = open_db(str(copy))
    db.execute("DROP INDEX report_search_facets")
    db.conn.commit()
    db.conn.close()
    params = {"q": "复议", "year": "2020", "_format": "json"}
    assert [r.json() for r in search_page(copy, [params])] == [r.json() for r in search_page(archive_db, [params])]


# --- canned queries --------------------------------------------------------------------------

def canned(db_path: Path, name: str, **params) -> list[dict]:
    db = open_db(str(db_path))
    from govcrawl.research import datasette_plugin

    datasette_plugin.prepare_connection(db.conn)
    cursor = db.execute(by_name(name).sql, params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def test_every_canned_query_is_in_the_metadata_and_runs(archive_db):
    meta = catalog.metadata("demo")["databases"]["demo"]["queries"]
    assert set(meta) == {q.name for q in QUERIES}
    params = {"agency": "x", "district": "x", "year": 2020, "q": "复议"}
    for query in QUERIES:
        needed = set(re.findall(r":(\w+)", query.sql))
        canned(archive_db, query.name, **{k: params[k] for k in needed})


def test_agency_series_matches_the_manifest(demo_cache, archive_db):
    reports = manifest(demo_cache, 1)["reports"]
    agency = next(r["agency"] for r in reports if r["level"] == "government")
    expected = sorted((r["year"], r["metrics"].get("requests.new.total")) for r in reports if r["agency"] == agency)
    got = [(row["year"], row["requests.new.total"]) for row in canned(archive_db, "agency_series", agency=agency)]
    assert got == expected and len(got) == 17


def test_district_year_matches_the_manifest(demo_cache, archive_db):
    m = manifest(demo_cache, 1)
    portal = m["portals"][1]
    expected = {r["agency"] for r in m["reports"] if r["portal"] == portal["id"] and r["year"] == 2023}
    for name in (portal["id"], portal["district"], portal["id"].split("-", 1)[1]):
        got = canned(archive_db, "district_year", district=name, year=2023)
        assert {row["agency"] for row in got} == expected, name
        levels = {row["agency"]: row["level"] for row in got}
        assert levels == {r["agency"]: r["level"] for r in m["reports"]
                          if r["portal"] == portal["id"] and r["year"] == 2023}


def test_not_published_matches_the_manifest(demo_cache, archive_db):
    reports = manifest(demo_cache, 1)["reports"]
    published = {(r["agency"], r["year"]) for r in reports}
    for year in range(2009, 2025):
        expected = {a for (a, y) in published if y == year - 1 and (a, year) not in published}
        got = {row["agency"] for row in canned(archive_db, "not_published", year=year)}
        assert got == expected, year
    assert any(canned(archive_db, "not_published", year=y) for y in range(2009, 2025)), "the demo plants a gap"


def test_late_publications_match_the_manifest(demo_cache, archive_db):
    reports = manifest(demo_cache, 1)["reports"]
    expected = {(r["agency"], r["year"], r["deadline"]) for r in reports if r["late"]}
    got = {(row["agency"], row["year"], row["deadline"]) for row in canned(archive_db, "late_publications")}
    assert got == expected and expected


def test_inconsistent_reports_match_the_manifest(demo_cache, archive_db):
    reports = manifest(demo_cache, 1)["reports"]
    expected = {(r["agency"], r["year"], rule) for r in reports for rule in r["failing_checks"]}
    got = {(row["agency"], row["year"], row["rule"]) for row in canned(archive_db, "inconsistent_reports")}
    assert got == expected and expected


def test_carry_over_mismatches_match_the_manifest(demo_cache, archive_db):
    reports = {(r["agency"], r["year"]): r["metrics"] for r in manifest(demo_cache, 1)["reports"]}
    expected = set()
    for (agency, year), metrics in reports.items():
        following = reports.get((agency, year + 1))
        forward = metrics.get("requests.carried_forward.total")
        if following and forward is not None and following.get("requests.carried_over.total") is not None \
                and following["requests.carried_over.total"] != forward:
            expected.add((agency, year, forward, following["requests.carried_over.total"]))
    got = {(row["agency"], row["year"], row["carried_forward"], row["next_carried_over"])
           for row in canned(archive_db, "carry_over_mismatches")}
    assert got == expected and expected


def test_revisions_show_what_changed(demo_cache, second_crawl):
    before = {r["id"]: r for r in manifest(demo_cache, 1)["reports"]}
    after = {r["id"]: r for r in manifest(demo_cache, 2)["reports"]}
    expected = set()
    for report_id in manifest(demo_cache, 2)["changes"]["revised"]:
        old, new = before[report_id]["metrics"], after[report_id]["metrics"]
        expected |= {(new_r["agency"], new_r["year"], k, old.get(k), v) for new_r in [after[report_id]]
                     for k, v in new.items() if old.get(k) != v}
    got = {(row["agency"], row["year"], row["key"], row["before"], row["after"])
           for row in canned(second_crawl, "revisions")}
    assert got == expected and expected


# --- exports and charts ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", export.FORMATS)
def test_exports_round_trip_losslessly(archive_db, tmp_path, fmt):
    db = open_db(str(archive_db))
    counts = export.export(db, tmp_path, fmt)
    for name, (columns, _types, source) in export.tables(db).items():
        original = list(source)
        got_columns, got_rows = export.read_table(tmp_path / f"{name}.{fmt}")
        assert got_columns == columns, name
        assert got_rows == original, name
        assert counts[name] == len(original) > 0
    wide_columns, _ = export.read_table(tmp_path / f"metrics_wide.{fmt}")
    assert {export.column_name(k.key) for k in K.all_keys()} <= set(wide_columns)


def test_dictionary_covers_every_key(tmp_path, archive_db):
    export.export(open_db(str(archive_db)), tmp_path, "csv")
    _, dictionary = export.read_table(tmp_path / "dictionary.csv")
    assert [row[0] for row in dictionary] == [k.key for k in K.all_keys()]
    assert all(row[1] and row[2] and row[3] and row[4] for row in dictionary)
    markdown = (tmp_path / "dictionary.md").read_text(encoding="utf-8")
    assert all(f"`{k.key}`" in markdown for k in K.all_keys())
    used = {k for (k,) in rows(archive_db, "SELECT DISTINCT key FROM metrics")}
    assert used <= {k.key for k in K.all_keys()}


def test_export_and_chart_commands(archive_db, tmp_path, demo_cache):
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--db", str(archive_db), "--format", "jsonl", "--out", str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x" / "metrics_long.jsonl").stat().st_size > 0
    portal = manifest(demo_cache, 1)["portals"][0]
    for suffix in ("svg", "png"):
        out = tmp_path / f"chart.{suffix}"
        result = runner.invoke(main, ["chart", "--db", str(archive_db), "--district", portal["district"],
                                      "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "3 series, 17 years" in result.stdout
        head = out.read_bytes()[:200]
        assert head.startswith(b"\x89PNG") if suffix == "png" else b"<svg" in out.read_bytes()[:2000]
    svg1 = (tmp_path / "chart.svg").read_bytes()
    runner.invoke(main, ["chart", "--db", str(archive_db), "--district", portal["district"],
                         "--out", str(tmp_path / "c2.svg")])
    assert (tmp_path / "c2.svg").read_bytes() == svg1, "the same data gives the same SVG"
    bad = runner.invoke(main, ["chart", "--db", str(archive_db), "--agency", "no such agency",
                               "--out", str(tmp_path / "n.png")])
    assert bad.exit_code == 2 and "no figures" in bad.output


def test_search_canned_query_matches_the_scan(archive_db):
    docs = documents(archive_db)
    for query in ("行政复议", "东湖区 财政预决算"):
        got = canned(archive_db, "search", q=query)
        expected = scan(docs, query)
        assert len(got) == min(len(expected), 100) and {row["report_id"] for row in got} <= expected
        assert all("\u2063【" in row["snippet"] for row in got)
        assert [row["year"] for row in got] == sorted((row["year"] for row in got), reverse=True)


def test_every_visible_table_and_column_is_described(archive_db):
    db = open_db(str(archive_db))
    tables = catalog.metadata("demo")["databases"]["demo"]["tables"]
    undescribed = []
    for name in db.table_names() + db.view_names():
        if name.startswith("report_search_fts") or tables.get(name, {}).get("hidden"):
            continue
        meta = tables.get(name)
        if not meta or not meta.get("description"):
            undescribed.append(name)
            continue
        undescribed += [f"{name}.{c.name}" for c in db[name].columns if c.name not in meta["columns"]]
    assert undescribed == []
