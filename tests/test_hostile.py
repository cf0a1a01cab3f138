"""A hostile portal, served locally: what the crawl stores, what it records, and what it
does not mark gone.  Each test crawls with `govcrawl crawl` in a subprocess, as cron does.

The portal answers as real portals do when they misbehave: links that lead nowhere with
report titles, challenge pages, 412s and 503s, empty bodies, endless 下一页 chains,
redirects off the portal, Retry-After — and the crawl must end each response somewhere,
mark nothing gone it has not proven gone, and exit with a code cron can act on.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from portal_server import PortalServer

from govcrawl.demo import samples as S

from conftest import ROOT, SHARED, rows

HOST = "www.hostile.gov.test"
BASE = f"http://{HOST}"
LISTING = f"{BASE}/zfxxgk/xxgknb/index.html"
PAGE_2 = f"{BASE}/zfxxgk/xxgknb/index_1.html"
AGENCIES = ("示范市东湖区财政局", "示范市东湖区教育局", "示范市东湖区民政局", "示范市东湖区审计局",
            "示范市东湖区司法局", "示范市东湖区水利局")


def report_url(n: int) -> str:
    return f"{BASE}/zfxxgk/xxgknb/2024{n:02d}/t2024{n:02d}15_{1000 + n}.html"


def report_title(n: int) -> str:
    return f"{AGENCIES[n]}2023年政府信息公开工作年度报告"


def listing_page(numbers: list[int], next_url: str | None = None, first: str = "") -> str:
    items = "".join(f'<li><a href="{report_url(n)}" title="{report_title(n)}">{report_title(n)}</a>'
                    f"<span>2024-0{n % 9 + 1}-15</span></li>" for n in numbers)
    pager = f'<div class="page"><a href="{next_url}">下一页</a></div>' if next_url else ""
    return (f"<html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body>"
            f"<div class='nav'><a href='{BASE}/'>首页</a><a href='{BASE}/zwgk/'>政务公开</a></div>"
            f"<ul class='list'>{first}{items}</ul>{pager}</body></html>")


@pytest.fixture
def portal(tmp_path):
    """The portal served: two listing pages of three reports each; the registry naming it."""
    server = PortalServer()
    for n in range(6):
        spec = S.sample_spec(seed=100 + n, template="2021", agency=AGENCIES[n])
        server.page(report_url(n), S.render_html(spec))
    server.page(LISTING, listing_page([0, 1, 2], PAGE_2))
    server.page(PAGE_2, listing_page([3, 4, 5]))
    server.page(f"{BASE}/", "<html><body><h1>示范市东湖区人民政府</h1></body></html>")
    registry = tmp_path / "portals.yml"
    registry.write_text(yaml.safe_dump([{
        "id": "990102-hostile", "province": "示范省", "city": "示范市", "district": "东湖区", "code": "990102",
        "homepage": f"{BASE}/", "listing_urls": [LISTING], "allowed_domains": [HOST], "cms": "generic"}],
        allow_unicode=True), encoding="utf-8")
    yield server, registry, tmp_path / "archive.db"
    server.stop()


def crawl(server: PortalServer, registry: Path, db: Path, **env: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "govcrawl.cli", "crawl", "--registry", str(registry), "--db", str(db),
         "--proxy", server.proxy, "--no-delay"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
        env={**os.environ, "GOVCRAWL_EXTRACT_WORKERS": "1", **env})
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result


def gone(db: Path) -> set[str]:
    return {r[0] for r in rows(db, "SELECT url FROM disappearances")}


def verdict(db: Path) -> tuple[str, str | None]:
    return rows(db, "SELECT status, reason FROM portal_runs ORDER BY run_id DESC LIMIT 1")[0]


def archived(db: Path) -> set[str]:
    return {r[0] for r in rows(db, "SELECT s.url FROM sources s WHERE s.gone_at IS NULL")}


def test_four_runs_report_titled_dead_links_a_challenge_a_503_then_one_report_truly_gone(portal):
    server, registry, db = portal
    # 1. A javascript: and a mailto: link with report titles first in the listing.
    trap = ('<li><a href="javascript:openDetail(9)">示范市东湖区2023年政府信息公开工作年度报告</a></li>'
            '<li><a href="mailto:gk@hostile.gov.test">2023年政府信息公开工作年度报告（意见反馈）</a></li>')
    server.page(LISTING, listing_page([0, 1, 2], PAGE_2, first=trap))
    first = crawl(server, registry, db)
    assert first.returncode == 0, first.stdout + first.stderr
    assert archived(db) == {report_url(n) for n in range(6)}
    assert verdict(db) == ("complete", None)
    # 2. The listing answers a WAF's cookie challenge (200, a script, no links).
    server.page(LISTING, "<html><head><script>document.cookie='__jsl_clearance=1';location.reload();"
                         "</script></head><body></body></html>")
    second = crawl(server, registry, db)
    assert second.returncode == 4, second.stdout
    assert "990102-hostile blocked" in second.stdout
    assert verdict(db)[0] == "blocked" and gone(db) == set()
    # 3. The listing answers 503 (no Retry-After): nothing is proven, nothing is gone.
    server.page(LISTING, "<html><body>Service Unavailable</body></html>", status=503)
    third = crawl(server, registry, db)
    assert third.returncode == 4 and verdict(db)[0] in ("unreached", "incomplete")
    assert gone(db) == set() and archived(db) == {report_url(n) for n in range(6)}
    # 4. One report dropped from the listing and answering 404: exactly that one is gone.
    server.page(LISTING, listing_page([0, 2], PAGE_2))
    server.drop(report_url(1))
    fourth = crawl(server, registry, db)
    assert fourth.returncode == 0, fourth.stdout + fourth.stderr
    assert gone(db) == {report_url(1)}
    assert rows(db, "SELECT COUNT(*) FROM reports WHERE gone_at IS NOT NULL") == [(1,)]


def test_a_report_dropped_from_the_listing_but_still_served_is_not_gone(portal):
    server, registry, db = portal
    assert crawl(server, registry, db).returncode == 0
    server.page(PAGE_2, listing_page([3, 5]))  # report 4 no longer listed, still served
    result = crawl(server, registry, db)
    assert result.returncode == 0
    assert gone(db) == set()
    assert len(server.asked(report_url(4))) == 2  # asked again, to be sure, before anything is marked


@pytest.mark.parametrize(("listing", "outcome"), [
    (dict(body=""), "unrecognised"),
    (dict(body="<html><body><div class='nav'><a href='/'>首页</a></div><p>系统维护中</p></body></html>"),
     "unrecognised"),
    (dict(body="<html><body>请开启JavaScript后访问</body></html>"), "blocked"),
    (dict(body="<html><body><script>var arg1='3A2F';</script></body></html>", status=412), "blocked"),
    (dict(body="Forbidden", status=403), "blocked"),
])
def test_a_listing_that_is_no_listing_proves_nothing(portal, listing, outcome):
    server, registry, db = portal
    assert crawl(server, registry, db).returncode == 0
    server.page(PAGE_2, **listing)  # page 2 of the listing fails; its reports are not gone
    server.drop(report_url(4))
    result = crawl(server, registry, db)
    assert result.returncode == 4
    assert rows(db, "SELECT outcome FROM listings WHERE run_id = 2 AND url = ?", [PAGE_2]) == [(outcome,)]
    assert gone(db) == set()
    assert "not read completely" in result.stdout and PAGE_2 in result.stdout


def test_an_explicit_no_items_page_is_a_listing(portal):
    server, registry, db = portal
    server.page(PAGE_2, "<html><body><div class='list'>暂无信息</div></body></html>")
    result = crawl(server, registry, db)
    assert result.returncode == 0, result.stdout
    assert rows(db, "SELECT outcome FROM listings WHERE url = ?", [PAGE_2]) == [("empty",)]


def test_limits_stop_an_endless_chain_and_a_flood_of_links_and_are_recorded(portal):
    server, registry, db = portal
    for k in range(1, 40):  # a 下一页 chain with no end (each page links the next)
        url = f"{BASE}/zfxxgk/xxgknb/index_{k}.html"
        server.page(url, listing_page([k % 6], f"{BASE}/zfxxgk/xxgknb/index_{k + 1}.html"))
    flood = "".join(f'<li><a href="{BASE}/zfxxgk/xxgknb/202401/t20240101_{i}.html">示范市东湖区某局{i}2023年政府信息'
                    f"公开工作年度报告</a></li>" for i in range(60))
    server.page(LISTING, listing_page([0], PAGE_2, first=flood))
    result = crawl(server, registry, db, GOVCRAWL_MAX_LISTING_PAGES="10", GOVCRAWL_MAX_LINKS_PER_LISTING="30",
                   GOVCRAWL_MAX_REQUESTS_PER_PORTAL="200")
    assert result.returncode == 4
    limits = rows(db, "SELECT reason FROM listings WHERE outcome = 'limit'")
    assert any("more than 10 listing pages" in r for (r,) in limits), limits
    assert any("61 report links on one listing page, the first 30" in r for (r,) in limits), limits
    assert len([u for _, u in server.requests if "/index_" in u]) <= 11


def test_the_requests_a_portal_gets_in_a_run_are_limited(portal):
    server, registry, db = portal
    result = crawl(server, registry, db, GOVCRAWL_MAX_REQUESTS_PER_PORTAL="4")
    assert result.returncode == 4
    assert rows(db, "SELECT COUNT(*) FROM listings WHERE outcome = 'limit'") == [(1,)]
    assert len([u for _, u in server.requests if "robots.txt" not in u]) <= 4


def test_refused_redirects_are_recorded_with_their_target(portal):
    server, registry, db = portal
    server.redirect(report_url(0), "http://evil.example.com/phish.html")
    server.redirect(report_url(1), "http://169.254.169.254/latest/meta-data/")
    server.redirect(report_url(2), report_url(2) + "?again")
    server.redirect(report_url(2) + "?again", report_url(2))
    crawl(server, registry, db)
    errors = dict(rows(db, "SELECT url, reason FROM errors"))
    assert "evil.example.com/phish.html (off the portal's domains)" in errors[report_url(0)]
    assert "169.254.169.254" in errors[report_url(1)] and "private or link-local" in errors[report_url(1)]
    assert "redirect loop" in errors[report_url(2)]
    assert not [u for _, u in server.requests if "evil.example.com" in u or "169.254" in u]


def test_retry_after_is_honoured_up_to_its_cap(portal):
    server, registry, db = portal
    server.page(report_url(0), "busy", status=503, Retry_After="2")
    server.page(report_url(1), "busy", status=503, Retry_After="120")
    started = time.monotonic()
    crawl(server, registry, db, GOVCRAWL_RETRY_AFTER_MAX="5")
    asked = server.asked(report_url(0))
    assert len(asked) == 2 and asked[1] - asked[0] >= 1.9  # waited as asked
    assert len(server.asked(report_url(1))) == 1  # not waited for: over the cap
    assert time.monotonic() - started < 60
    reason = dict(rows(db, "SELECT url, reason FROM errors"))[report_url(1)]
    assert "Retry-After 120 s is more than the 5 s" in reason


def test_a_crawl_that_reaches_nothing_says_so(portal, tmp_path):
    server, registry, db = portal
    server.stop()  # no network: every request is refused
    result = crawl(server, registry, db)
    assert result.returncode == 4
    assert "990102-hostile unreached" in result.stdout
    assert verdict(db)[0] == "unreached"


def test_an_archive_that_is_no_database_is_one_line_and_its_own_code(portal):
    server, registry, db = portal
    db.write_bytes(os.urandom(8192))
    result = crawl(server, registry, db)
    assert result.returncode == 5
    assert result.stderr.strip().count("\n") == 0 and "archive error" in result.stderr


def test_the_log_directory_is_made(portal, tmp_path):
    server, registry, db = portal
    log = tmp_path / "logs" / "deeper" / "crawl.log"
    result = subprocess.run(
        [sys.executable, "-m", "govcrawl.cli", "crawl", "--registry", str(registry), "--db", str(db),
         "--proxy", server.proxy, "--no-delay", "--log-file", str(log)],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert log.is_file() and "Spider closed" in log.read_text(encoding="utf-8")
    assert rows(db, "SELECT status FROM crawl_runs") == [("finished",)]


# --- a real portal replayed at its own URLs ------------------------------------------------------

PINGTAN = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"


@pytest.fixture
def pingtan(tmp_path):
    """The real 平潭 listing and report pages of ../shared, served at their own URLs."""
    corpus = SHARED / "corpus" / "pingtan"
    if not (corpus / "_lists" / "index.html").exists():
        pytest.skip("shared material not available: corpus/pingtan")
    server = PortalServer()
    listing = (corpus / "_lists" / "index.html").read_bytes()
    server.page(PINGTAN, listing)
    # Its listModel names a second static page (recordCount 20, 10 a page): the real portal's
    # index_1.htm, which the corpus does not hold; served here with the same links.
    server.page(PINGTAN + "index_1.htm", listing)
    pages = {}
    for page in sorted(corpus.glob("*/page.html")):
        month, doc = page.parent.name.split("_")
        url = f"{PINGTAN}{month}/t{month}{_day(page)}_{doc}.htm"
        server.page(url, page.read_bytes())
        pages[doc] = url
    registry = tmp_path / "portals.yml"
    registry.write_text(yaml.safe_dump([{
        "id": "350128-pingtan", "province": "福建省", "city": "福州市", "district": "平潭县", "code": "350128",
        "homepage": "https://www.pingtan.gov.cn/", "listing_urls": [PINGTAN],
        "allowed_domains": ["www.pingtan.gov.cn"], "cms": "trs"}], allow_unicode=True), encoding="utf-8")
    yield server, registry, tmp_path / "archive.db", listing, pages
    server.stop()


def _day(page: Path) -> str:
    """The day of a real page's URL, as its own Url meta tag gives it."""
    import re

    return re.search(rb"t\d{6}(\d{2})_\d+\.htm", page.read_bytes()).group(1).decode()


@pytest.mark.shared
def test_a_real_portal_replayed_four_times_marks_exactly_the_report_it_lost(pingtan):
    server, registry, db, listing, pages = pingtan
    # 1. A report-titled javascript: link first in the real listing: every report still archived.
    trap = '<a href="javascript:void(0)">平潭综合实验区2025年度政府信息公开工作年度报告</a>'.encode()
    server.page(PINGTAN, listing.replace(b'<ul', trap + b'<ul', 1))
    crawl(server, registry, db)
    assert archived(db) == set(pages.values())
    # 2. The listing answers a challenge page, 3. then 503: nothing is marked gone.
    server.page(PINGTAN, b"<html><script>var arg1='6F2A9';document.cookie='acw_sc__v2='+x;location.reload()"
                         b"</script></html>")
    assert crawl(server, registry, db).returncode == 4
    server.page(PINGTAN, b"busy", status=503)
    assert crawl(server, registry, db).returncode == 4
    assert gone(db) == set()
    # 4. One report dropped from the listing and answering 404: exactly that one is gone.
    lost = pages["80595"]
    for page in (PINGTAN, PINGTAN + "index_1.htm"):
        server.page(page, listing.replace(b'href="./202103/t20210305_80595.htm"', b'href="#"'))
    server.drop(lost)
    fourth = crawl(server, registry, db)
    assert gone(db) == {lost}, fourth.stdout + fourth.stderr
    assert archived(db) == set(pages.values()) - {lost}
    state = json.loads(rows(db, "SELECT counts FROM crawl_runs ORDER BY id DESC LIMIT 1")[0][0])
    assert state["gone"] == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


STAGES = ("listing", "report", "attachment", "normalise", "extract", "dedupe", "store")


@pytest.mark.parametrize("stage", STAGES)
def test_an_unexpected_error_in_any_stage_ends_as_a_row_with_its_reason(portal, stage):
    server, registry, db = portal
    pdf = f"{BASE}/zfxxgk/xxgknb/202401/P020240115.pdf"
    from govcrawl.demo.attachments import render_pdf

    spec = S.sample_spec(seed=100, template="2021", agency=AGENCIES[0])
    server.page(report_url(0), S.render_html(spec).replace(b"</body>", f'<a href="{pdf}">全文.pdf</a></body>'.encode()))
    server.answers[pdf] = __import__("portal_server").Answer(200, render_pdf(spec), {}, "application/pdf")
    target = {"listing": PAGE_2, "attachment": pdf}.get(stage, report_url(1))
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "inject.py"), stage, target, "crawl", "--registry", str(registry),
         "--db", str(db), "--proxy", server.proxy, "--no-delay"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env={**os.environ, "GOVCRAWL_EXTRACT_WORKERS": "1"})
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode in (0, 4), result.stdout + result.stderr
    if stage == "listing":
        found = rows(db, "SELECT outcome, reason FROM listings WHERE url = ?", [target])
        assert found and found[0][0] == "error" and "Injected" in found[0][1], found
        assert result.returncode == 4  # its portal is not complete
        return
    pages = rows(db, "SELECT reason FROM pages WHERE url = ?", [target])
    errors = rows(db, "SELECT reason FROM errors WHERE url = ?", [target])
    assert any("Injected" in (r or "") for (r,) in pages + errors), (pages, errors)
    if stage in ("normalise", "extract", "dedupe"):  # the bytes are kept, for reextract to read again
        assert rows(db, "SELECT COUNT(*) FROM fetches f JOIN captures c ON c.sha256 = f.sha256 WHERE f.url = ?",
                    [target]) == [(1,)]
    # the other pages are all there
    assert {report_url(n) for n in range(6)} - {target} <= archived(db)


def test_a_full_disk_stops_the_crawl_with_one_line_and_the_archive_stays_sound(portal):
    server, registry, db = portal
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "inject.py"), "full", report_url(0), "crawl", "--registry",
         str(registry), "--db", str(db), "--proxy", server.proxy, "--no-delay"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env={**os.environ, "GOVCRAWL_EXTRACT_WORKERS": "1"})
    assert result.returncode == 5, result.stdout + result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "archive error" in result.stderr and "full" in result.stderr
    assert rows(db, "SELECT status FROM crawl_runs")[0][0].startswith("aborted")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    again = crawl(server, registry, db)  # room again: the next run completes the work
    assert again.returncode == 0, again.stdout + again.stderr
    assert archived(db) == {report_url(n) for n in range(6)}


def test_a_report_filed_only_as_the_attachment_of_a_cover_letter_is_archived(portal):
    """关于报送《…工作情况》的函: the page is a cover letter, the report only its attachment —
    behind a download link whose URL names no file (the link's text does)."""
    from govcrawl.demo.attachments import render_docx

    server, registry, db = portal
    letter = f"{BASE}/zfxxgk/xxgknb/202402/t20240201_2001.html"
    download = f"{BASE}/module/download/downfile.jsp?id=2001"
    title = "关于报送《示范市东湖区统计局2023年政府信息公开工作情况》的函"
    server.page(LISTING, listing_page([0, 1, 2], PAGE_2, first=f'<li><a href="{letter}">{title}</a></li>'))
    server.page(letter, f"<html><body><h1>{title}</h1><p>区政府办公室：</p><p>现将我局年度报告报送你室。</p>"
                        f'<p>附件：<a href="{download}">示范市东湖区统计局2023年政府信息公开公报.docx</a></p>'
                        "</body></html>")
    spec = S.sample_spec(seed=200, template="2021", agency="示范市东湖区统计局")
    server.answers[download] = __import__("portal_server").Answer(
        200, render_docx(spec), {}, "application/octet-stream")
    result = crawl(server, registry, db)
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows(db, "SELECT agency, year FROM reports r JOIN sources s ON s.version_id = r.latest_version_id "
                    "WHERE s.url = ?", [download]) == [("示范市东湖区统计局", 2023)]
