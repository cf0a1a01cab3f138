"""The operator's and the researcher's side: commands that never harm an archive, read-only
commands that never write, one CLI convention, cron habits, districts as data, typed and
standard exports, Datasette as its users know it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from govcrawl.archive import schema
from govcrawl.archive.lock import ArchiveLock
from govcrawl.cli import main
from govcrawl.research import datasette_plugin, export, search

from conftest import ROOT, govcrawl, rows


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def archive(first_crawl, tmp_path) -> Path:
    db = tmp_path / "archive.db"
    shutil.copy(first_crawl, db)
    return db


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


# --- govcrawl demo --db never destroys what is not its own ----------------------------------

@pytest.mark.parametrize("content", [b"my thesis draft\n", b"SQLite format 3\x00not really"])
def test_demo_refuses_to_replace_a_file_that_is_not_an_archive(tmp_path, content):
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    result = run("demo", "--db", str(path))
    assert result.exit_code == 2 and "not replaced" in result.output
    assert path.read_bytes() == content


def test_demo_refuses_to_replace_an_archive_of_real_portals(archive, tmp_path):
    with sqlite3.connect(archive) as conn:
        conn.execute("UPDATE portals SET demo = 0 WHERE portal_id = (SELECT MIN(portal_id) FROM portals)")
    before = digest(archive)
    result = run("demo", "--db", str(archive))
    assert result.exit_code == 2 and "real portals" in result.output
    assert digest(archive) == before


def test_demo_leaves_its_archive_alone_while_another_crawl_holds_it(demo_cache, archive):
    before = digest(archive)
    with ArchiveLock(archive):
        result = govcrawl(demo_cache, "demo", "--db", str(archive))
    assert result.returncode == 3 and "another crawl is writing" in result.stderr
    assert digest(archive) == before


# --- read-only commands do not write ------------------------------------------------------------

def test_read_only_commands_leave_the_archive_bytes_unchanged(archive, tmp_path):
    before = digest(archive)
    for args in (("search", "复议", "--db", str(archive)),
                 ("export", "--db", str(archive), "--out", str(tmp_path / "out"), "--quiet"),
                 ("chart", "--db", str(archive), "--district", "东湖区", "--out", str(tmp_path / "c.svg")),
                 ("metadata", "--db", str(archive))):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
    assert digest(archive) == before


def test_read_only_commands_work_where_a_reader_cannot_write_beside_the_archive(archive, monkeypatch):
    """Read-only media: a WAL archive's reader wants to create its -shm; the read falls back to
    immutable (tested by refusing the ordinary read-only open, as such media does)."""
    real = sqlite3.connect

    def media(database, *args, **kwargs):
        if "mode=ro" in str(database):
            raise sqlite3.OperationalError("unable to open database file")
        return real(database, *args, **kwargs)

    monkeypatch.setattr(schema.sqlite3, "connect", media)
    db = schema.open_readonly(str(archive))
    assert db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] > 0


def test_an_older_archive_is_refused_by_readers_and_upgraded_on_request(tmp_path):
    old = tmp_path / "old.db"
    shutil.copy(ROOT / "tests" / "archives" / "schema3.db", old)
    before = digest(old)
    result = run("search", "复议", "--db", str(old))
    assert result.exit_code == 2 and "govcrawl upgrade" in result.output
    assert digest(old) == before
    assert run("upgrade", "--db", str(old)).exit_code == 0
    assert run("search", "复议", "--db", str(old)).exit_code == 0


# --- one CLI convention ---------------------------------------------------------------------------

def test_every_archive_command_takes_db_and_the_same_default(archive, tmp_path):
    for name in ("crawl", "ingest", "reextract", "upgrade", "search", "serve", "export", "chart", "metadata"):
        help_text = run(name, "--help").output
        assert "--db" in help_text and "data/archive.db" in help_text and "GOVCRAWL_DB" in help_text, name
    result = run("search", "复议", env={"GOVCRAWL_DB": str(archive)})
    assert result.exit_code == 0 and "reports contain" in result.output


def test_a_missing_default_archive_points_to_the_demo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "demo.db").write_bytes(b"")
    result = run("search", "复议")
    assert result.exit_code == 2 and "--db data/demo.db" in result.output


# --- cron habits ----------------------------------------------------------------------------------

def test_quiet_prints_nothing_on_success(demo_cache, tmp_path):
    db = tmp_path / "quiet.db"
    result = govcrawl(demo_cache, "demo", "--db", str(db), "--quiet")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    assert run("reextract", "--db", str(db), "--quiet", "--workers", "0").output == ""


def test_the_log_directory_is_created_and_the_run_closed(demo_cache, tmp_path):
    from govcrawl.demo import network

    db, log = tmp_path / "a.db", tmp_path / "logs" / "sub" / "crawl.log"
    root = network.cached_path(1, cache=demo_cache)
    server = subprocess.Popen([sys.executable, "-m", "govcrawl.cli", "demo", "serve", "--port", "0", "--dir",
                               str(root)], stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = server.stderr.readline()
        port = line.split("http://127.0.0.1:")[1].split()[0]
        result = subprocess.run([sys.executable, "-m", "govcrawl.cli", "crawl", "--db", str(db), "--registry",
                                 str(root / network.REGISTRY), "--portal", "990102-donghu", "--proxy",
                                 f"http://127.0.0.1:{port}", "--no-delay", "--log-file", str(log), "--quiet"],
                                capture_output=True, text=True, cwd=ROOT, timeout=300)
    finally:
        server.terminate()
    assert result.returncode == 0, result.stderr
    assert log.is_file() and result.stdout == ""
    assert rows(db, "SELECT status FROM crawl_runs") == [("finished",)]


def test_progress_is_shown_on_a_terminal_only():
    import io

    from govcrawl.cli.common import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    pipe, terminal = io.StringIO(), Terminal()
    for stream in (pipe, terminal):
        progress = Progress("reextract", 3, stream=stream)
        progress.last -= 1  # as if a while had passed
        progress.advance(2)
        progress.close()
    assert pipe.getvalue() == "" and "reextract: 2/3" in terminal.getvalue()


def test_scrapy_crawl_records_its_run_and_refreshes_the_index(demo_cache, tmp_path):
    from govcrawl.demo import network

    db = tmp_path / "scrapy.db"
    root = network.cached_path(1, cache=demo_cache)
    server = subprocess.Popen([sys.executable, "-m", "govcrawl.cli", "demo", "serve", "--port", "0", "--dir",
                               str(root)], stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        port = server.stderr.readline().split("http://127.0.0.1:")[1].split()[0]
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "annual_reports", "-a", "portal=990102-donghu",
             "-a", f"registry={root / network.REGISTRY}", "-s", f"GOVCRAWL_DB={db}",
             "-s", f"GOVCRAWL_PROXY=http://127.0.0.1:{port}", "-s", "DOWNLOAD_DELAY=0",
             "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"],
            capture_output=True, text=True, cwd=ROOT, timeout=300)
    finally:
        server.terminate()
    assert result.returncode == 0, result.stderr[-2000:]
    assert rows(db, "SELECT status, command FROM crawl_runs") == [("finished", "scrapy crawl annual_reports")]
    assert rows(db, "SELECT status FROM portal_runs") == [("complete",)]
    found = run("search", "复议", "--db", str(db))
    assert found.exit_code == 0 and " 0 reports" not in found.output
    assert rows(db, "SELECT COUNT(*) FROM report_metrics_wide") == rows(db, "SELECT COUNT(*) FROM reports")


# --- search at the edges ------------------------------------------------------------------------------

def test_one_character_is_found_exactly_and_an_empty_query_finds_nothing(archive):
    db = schema.open_readonly(str(archive))
    texts = {rid: (title or "") + "\n" + (text or "") for rid, title, text in db.execute(
        "SELECT s.report_id, s.title, v.text FROM report_search s JOIN versions v ON v.version_id = s.version_id")}
    for char in ("开", "复", "诉", "罚", "2", "e"):
        expected = sum(1 for text in texts.values() if search.contains(text, char))
        assert search.count(db, char) == expected, char
    assert search.count(db, "") == 0 and search.search(db, "   ") == []
    with pytest.raises(search.QueryError):
        search.fts_query("复" * 20_000_000)
    assert datasette_plugin._escape_fts("复" * 20_000_000) == search.fts_query("")


def test_datasette_search_finds_one_character_and_nothing_for_an_empty_query(archive):
    import asyncio

    from govcrawl.cli.research import datasette_app

    ds = datasette_app(archive)

    async def count(query: str) -> int:
        response = await ds.client.get(f"/{archive.stem}/report_search.json",
                                       params={"_search": query, "_shape": "objects", "_size": "max"})
        assert response.status_code == 200, response.text[:300]
        return len(response.json()["rows"])

    async def both() -> tuple[int, int]:
        await ds.invoke_startup()
        return await count("罚"), await count("")

    one, empty = asyncio.run(both())
    db = schema.open_readonly(str(archive))
    assert one == min(search.count(db, "罚"), 1000) > 0
    assert empty == 0


# --- Datasette as its users know it ----------------------------------------------------------------------

def test_the_plugin_is_installed_for_plain_datasette():
    from importlib.metadata import entry_points

    plugins = {e.name: e.value for e in entry_points(group="datasette")}
    assert plugins.get("govcrawl") == "govcrawl.research.datasette_plugin"


def test_serve_passes_datasette_options_and_refuses_unknown_ones(archive):
    from govcrawl.cli.research import _settings

    assert _settings((("sql_time_limit_ms", "1200"), ("allow_download", "off"))) == {
        "sql_time_limit_ms": 1200, "allow_download": False}
    bad = run("serve", "--db", str(archive), "--setting", "no_such_setting", "1")
    assert bad.exit_code == 2 and "not a Datasette setting" in bad.output
    help_text = run("serve", "--help").output
    assert all(option in help_text for option in ("--setting", "--metadata", "--cors", "--host", "--port"))


def test_the_metadata_file_drives_plain_datasette(archive, tmp_path):
    metadata = tmp_path / "metadata.json"
    assert run("metadata", "--db", str(archive), "--out", str(metadata)).exit_code == 0
    loaded = json.loads(metadata.read_text(encoding="utf-8"))
    tables = loaded["databases"][archive.stem]["tables"]
    assert "report_metrics_wide" in tables and "agency_series" in loaded["databases"][archive.stem]["queries"]
    result = subprocess.run([sys.executable, "-m", "datasette", "--get", f"/{archive.stem}/report_search.json?"
                             "_search=%E7%BD%9A&_shape=array", str(archive), "-m", str(metadata)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-1000:]
    assert json.loads(result.stdout)  # plain datasette, with the entry-point plugin: Chinese search works


# --- districts as data, the same figures in the exports ----------------------------------------------------

README_QUERY = """SELECT division_code, province, city, district, year, SUM("appeals.review.total") AS reviews,
       COUNT("appeals.review.total") AS reports
FROM report_metrics_wide WHERE year BETWEEN 2019 AND 2024
GROUP BY division_code, year ORDER BY division_code, year;"""


def test_the_readme_district_query_is_the_readme_s_and_agrees_with_the_exports(archive, tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert README_QUERY in readme
    db = schema.open_readonly(str(archive))
    by_sql = {(code, year): reviews for code, _, _, _, year, reviews, _ in db.execute(README_QUERY)}
    assert len({code for code, _ in by_sql}) == len(rows(archive, "SELECT DISTINCT portal_id FROM reports"))
    export.export(db, tmp_path, "parquet")
    import pandas as pd

    wide = pd.read_parquet(tmp_path / "metrics_wide.parquet", dtype_backend="numpy_nullable")
    wide = wide[(wide.year >= 2019) & (wide.year <= 2024)]
    by_export = wide.groupby(["division_code", "year"])["appeals__review__total"].sum()
    assert {(code, int(year)): float(v) for (code, year), v in by_export.items()} == by_sql


def test_namesake_districts_stay_apart(archive):
    with sqlite3.connect(archive) as conn:  # a second 东湖区, in another city
        conn.execute("INSERT INTO portals (portal_id, name, province, city, district, code, demo) VALUES "
                     "('990999-donghu', '别省别市东湖区', '别省', '别市', '东湖区', '990999', 1)")
        conn.execute("UPDATE sources SET portal_id = '990999-donghu' WHERE url LIKE '%donghu%' AND url LIKE '%2023%'")
    db = schema.open_db(str(archive))
    with db.conn:
        from govcrawl.archive import upkeep

        upkeep.after_run(db)
    places = rows(archive, "SELECT DISTINCT division_code, district FROM report_metrics_wide WHERE district = '东湖区'")
    assert sorted(places) == [("990102", "东湖区"), ("990999", "东湖区")]


def test_the_datapackage_validates_and_reloads_with_its_types(archive, tmp_path):
    import frictionless
    import pandas as pd

    db = schema.open_readonly(str(archive))
    export.export(db, tmp_path / "csv", "csv")
    report = frictionless.validate(tmp_path / "csv" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    package = frictionless.Package(tmp_path / "csv" / "datapackage.json")
    reports = package.get_resource("reports").to_pandas()
    assert str(reports["year"].dtype).startswith("int") and reports["published"].notna().any()
    export.export(db, tmp_path / "pq", "parquet")
    wide = pd.read_parquet(tmp_path / "pq" / "metrics_wide.parquet", dtype_backend="numpy_nullable")
    assert str(wide["requests__new__total"].dtype) == "Int64"
    assert str(wide["proactive__fees__amount_10k_yuan"].dtype) == "Float64"
    reports = pd.read_parquet(tmp_path / "pq" / "reports.parquet", dtype_backend="pyarrow")
    assert "date32" in str(reports["published"].dtype) and "timestamp" in str(reports["first_seen"].dtype)
    dictionary = json.loads((tmp_path / "pq" / "datapackage.json").read_text(encoding="utf-8"))
    assert not (tmp_path / "pq" / "schema.json").exists() and dictionary["profile"] == "tabular-data-package"


# --- errors end in one line, not a traceback --------------------------------------------------------------

def test_unwritable_outputs_and_unknown_encodings_end_in_one_line(archive, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args in (("sample-report", str(blocker / "x.html")),
                 ("sample-report", str(tmp_path / "x.html"), "--encoding", "latin-1"),
                 ("export", "--db", str(archive), "--out", str(blocker / "out")),
                 ("chart", "--db", str(archive), "--district", "东湖区", "--out", str(blocker / "c.svg")),
                 ("metadata", "--db", str(archive), "--out", str(blocker / "m.json"))):
        result = subprocess.run([sys.executable, "-m", "govcrawl.cli", *args], capture_output=True, text=True,
                                cwd=ROOT, timeout=120, env={**os.environ})
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr and result.stderr.strip(), args


# --- charts -----------------------------------------------------------------------------------------------

def test_chart_finds_a_cjk_font_installed_after_matplotlib_s_font_cache(monkeypatch):
    from matplotlib import font_manager

    from govcrawl.research import chart

    if not any("wqy" in path.lower() for path in font_manager.findSystemFonts()):
        pytest.skip("no WenQuanYi font on this machine (Debian: fonts-wqy-zenhei)")
    stale = [f for f in font_manager.fontManager.ttflist if f.name not in chart._CJK_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)  # the cache made before the font came
    assert chart._cjk_font() == "WenQuanYi Zen Hei"


def test_chart_without_a_cjk_font_says_so_once(monkeypatch, tmp_path, capfd):
    from matplotlib import font_manager

    from govcrawl.research import chart

    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if f.name not in chart._CJK_FONTS])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    warning = chart.draw("示范区", {"requests.new.total": {2020: 3, 2021: 4}}, tmp_path / "c.svg")
    assert warning and "no CJK font" in warning
    captured = capfd.readouterr()
    assert "findfont" not in captured.err and "Glyph" not in captured.err
