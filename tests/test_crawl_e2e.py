"""End to end: real crawls (subprocesses) of the demo network served on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govcrawl.archive import raw
from govcrawl.archive.schema import open_db
from govcrawl.demo import network
from govcrawl.demo.server import serve_in_thread

from conftest import ROOT, demo_registry, epoch_root, govcrawl, reextract, rows, snapshot


@pytest.fixture(scope="module")
def cache(demo_cache) -> Path:
    return demo_cache


def test_archive_holds_exactly_the_manifests_reports(cache, first_crawl):
    manifest = json.loads((epoch_root(cache, 1) / "manifest.json").read_text(encoding="utf-8"))
    reports = list(network.iter_reports(epoch_root(cache, 1)))
    stored = rows(first_crawl, "SELECT report_id, agency, year, template FROM reports")
    assert len(stored) == len(reports) == manifest["report_count"]
    by_agency_year = {(a, y): (rid, t) for rid, a, y, t in stored}
    for report in reports:
        assert (report["agency"], report["year"]) in by_agency_year, report["id"]
        report_id, template = by_agency_year[(report["agency"], report["year"])]
        assert template == report["template"]
        stored_sources = {u for (u,) in rows(first_crawl, "SELECT s.url FROM sources s JOIN versions v "
                                             "ON v.version_id = s.version_id WHERE v.report_id = ?",
                                             (report_id,))}
        sources = set(report["urls"])
        if report["kind"] in ("pdf", "docx"):
            attached = rows(first_crawl, "SELECT url, sha256 FROM attachments WHERE page_url = ?",
                            (report["urls"][0],))
            assert [u for u, _ in attached] == report["attachments"] and attached[0][1]
            sources |= set(report["attachments"])  # the page and its attachment: one report
        assert stored_sources == sources, "duplicates merged with all their sources"
        metrics = dict(rows(first_crawl, "SELECT m.key, m.value FROM metrics m JOIN reports r ON "
                            "m.version_id = r.latest_version_id WHERE r.report_id = ?", (report_id,)))
        for key, value in report["metrics"].items():
            assert metrics.get(key) == pytest.approx(value), (report["id"], key)
    non_reports = set(manifest["non_reports"])
    assert not non_reports & {u for (u,) in rows(first_crawl, "SELECT url FROM sources")}
    errors = {u: r for u, r in rows(first_crawl, "SELECT url, reason FROM errors")}
    for url in manifest["dead_links"]:
        assert errors[url] == "HTTP 404"
    for url in manifest["deleted"]:
        assert "deleted" in errors[url]
    assert rows(first_crawl, "PRAGMA integrity_check") == [("ok",)]
    assert rows(first_crawl, "SELECT status FROM crawl_runs") == [("finished",)]


def test_the_demo_archive_holds_at_most_20_kb_per_report(first_crawl):
    reports = rows(first_crawl, "SELECT COUNT(*) FROM reports")[0][0]
    assert first_crawl.stat().st_size / reports <= 20 * 1024
    db = open_db(str(first_crawl))
    for sha, in db.execute("SELECT sha256 FROM captures").fetchall():  # every capture is its bytes
        assert hashlib.sha256(raw.capture_bytes(db, sha)).hexdigest() == sha


def test_reextract_reproduces_the_derived_tables(first_crawl, tmp_path):
    copy = tmp_path / "copy.db"
    shutil.copy(first_crawl, copy)
    before = snapshot(open_db(str(copy)))
    result = subprocess.run([sys.executable, "-m", "govcrawl.cli", "reextract", "--db", str(copy)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    after = snapshot(open_db(str(copy)))
    assert after == before
    again = reextract(open_db(str(copy)))
    assert again["reports"] == len(before["reports"])
    assert snapshot(open_db(str(copy))) == before


def test_epoch_two_recrawl(cache, first_crawl, tmp_path):
    db = tmp_path / "archive.db"
    shutil.copy(first_crawl, db)
    result = govcrawl(cache, "demo", "--epoch", "2", "--keep", "--db", str(db))
    assert result.returncode == 0, result.stderr[-3000:]
    m2 = json.loads((epoch_root(cache, 2) / "manifest.json").read_text(encoding="utf-8"))
    reports2 = {r["id"]: r for r in network.iter_reports(epoch_root(cache, 2))}
    reports1 = {r["id"]: r for r in network.iter_reports(epoch_root(cache, 1))}
    counts = [json.loads(c) for (c,) in rows(db, "SELECT counts FROM crawl_runs ORDER BY id")]
    first, second = counts
    changes = m2["changes"]
    assert second["new_reports"] == len(changes["added"])
    assert second["new_versions"] == len(changes["added"]) + len(changes["revised"])
    assert second["extractions"] == len(changes["added"]) + len(changes["revised"]), \
        "zero re-extractions of unchanged reports"
    assert second["gone"] == len(changes["removed"])
    ratio = second["bytes_downloaded"] / first["bytes_downloaded"]
    print(f"\nepoch 2 re-crawl downloaded {second['bytes_downloaded']} bytes, "
          f"{100 * ratio:.1f}% of the first crawl's {first['bytes_downloaded']}")
    # The bound.  Measured 13.8%: the new year's reports are most of it, then a
    # 304's headers for every unchanged page, then the listings (fetched in full).
    assert ratio <= 0.15
    for report_id in changes["revised"]:
        r = reports2[report_id]
        versions = rows(db, "SELECT v.version_id, v.superseded_by, v.supersedes FROM versions v "
                        "JOIN reports r ON r.report_id = v.report_id WHERE r.agency = ? AND r.year = ? "
                        "ORDER BY v.first_seen, v.supersedes IS NOT NULL", (r["agency"], r["year"]))
        assert len(versions) == 2, "the old version is kept"
        old, new = versions
        assert old[1] == new[0] and new[2] == old[0]
        changed = [k for k, v in r["metrics"].items() if reports1[report_id]["metrics"][k] != v]
        latest = dict(rows(db, "SELECT m.key, m.value FROM metrics m JOIN reports r ON "
                           "m.version_id = r.latest_version_id WHERE r.agency = ? AND r.year = ?",
                           (r["agency"], r["year"])))
        assert changed and all(latest[k] == r["metrics"][k] for k in changed)
    gone = {(a, y) for a, y in rows(db, "SELECT agency, year FROM reports WHERE gone_at IS NOT NULL")}
    assert gone == {(reports1[i]["agency"], reports1[i]["year"]) for i in changes["removed"]}
    assert len(rows(db, "SELECT 1 FROM reports")) == len(reports1) + len(changes["added"])


def test_kill_minus_nine_then_resume_equals_an_uninterrupted_crawl(cache, first_crawl, tmp_path):
    db = tmp_path / "killed.db"
    env = {**os.environ, "GOVCRAWL_CACHE": str(cache)}
    process = subprocess.Popen([sys.executable, "-m", "govcrawl.cli", "demo", "--db", str(db)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    delay = random.uniform(2.0, 6.0)
    print(f"\nkilling the crawl after {delay:.1f} s")
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    result = govcrawl(cache, "demo", "--keep", "--db", str(db))
    assert result.returncode == 0, result.stderr[-3000:]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    resumed = snapshot(open_db(str(db)), ignore_history=True)
    whole = snapshot(open_db(str(first_crawl)), ignore_history=True)
    for table in whole:
        assert resumed[table] == whole[table], table


def test_two_crawls_at_once_the_second_exits_at_once(cache, tmp_path):
    root = epoch_root(cache, 1)
    registry_file = tmp_path / "portals.yml"
    demo_registry(root, registry_file)
    server = serve_in_thread(root, latency_ms=300)
    db = tmp_path / "busy.db"
    args = [sys.executable, "-m", "govcrawl.cli", "crawl", "--registry", str(registry_file), "--db",
            str(db), "--proxy", f"http://127.0.0.1:{server.port}", "--no-delay"]
    try:
        first = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(3)
        start = time.perf_counter()
        second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert second.returncode == 3
        assert "another crawl is writing" in second.stderr
        assert time.perf_counter() - start < 15
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=60)
    finally:
        server.shutdown()
        server.server_close()


def test_a_portal_never_gets_more_requests_at_once_than_allowed(cache, tmp_path):
    """Politeness: `--per-domain 2` holds even with no delay between requests (Scrapy's own
    downloader started every queued request of a portal at once; govcrawl.crawl.downloader)."""
    root = epoch_root(cache, 1)
    registry_file = tmp_path / "portals.yml"
    manifest = demo_registry(root, registry_file)
    server = serve_in_thread(root, latency_ms=20)
    try:
        result = subprocess.run([sys.executable, "-m", "govcrawl.cli", "crawl", "--registry", str(registry_file),
                                 "--db", str(tmp_path / "a.db"), "--proxy", f"http://127.0.0.1:{server.port}",
                                 "--no-delay", "--per-domain", "2"], cwd=ROOT, capture_output=True, text=True,
                                timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
    finally:
        server.shutdown()
        server.server_close()
    assert server.peak_in_flight == {p["host"]: 2 for p in manifest["portals"]}
