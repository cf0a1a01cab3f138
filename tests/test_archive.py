"""Storage on an in-memory archive: whole rows, versions, sources, gone, re-extraction."""

from __future__ import annotations

import pytest

from govcrawl.archive import identity, raw, runs, upkeep, versions
from govcrawl.archive.raw import Fetch
from govcrawl.archive.schema import open_db
from govcrawl.archive.versions import Reading
from govcrawl.extract.page import read_page
from govcrawl.extract.record import extract_bytes

from conftest import fixture_bytes, reextract, snapshot

URL_A = "http://www.a.gov.test/nb/202101/t20210120_1.html"
URL_B = "http://www.b.gov.test/nb/content/post_9.html"


@pytest.fixture
def db():
    return open_db("", memory=True)


def fetch(db, url, body, at, status=200, portal="990102-donghu", run_id=None):
    item = Fetch(url=url, portal_id=portal, kind="report", status=status, fetched_at=at, run_id=run_id,
                 body=body if status == 200 else None, etag='"e1"', media_type="text/html")
    with db.conn:
        raw.record_fetch(db, item)
        return versions.apply_fetch(db, item, lambda: reading(body, url))


def reading(body: bytes, url: str, kind: str = "report") -> Reading:
    """What the crawl's extract and dedupe stages give the store for a page."""
    record, reason, links = read_page(body, url, kind)
    return Reading.of(record, reason, url, links)


def test_a_report_page_becomes_report_version_source_and_metrics(db):
    body = fixture_bytes("r2019-utf8.html")
    record = extract_bytes(body, URL_A)
    outcome = fetch(db, URL_A, body, "2026-01-01T00:00:00+00:00")
    assert (outcome.extracted, outcome.new_report, outcome.new_version) == (True, True, True)
    report_id = identity.report_id_for(record, URL_A)
    version_id = identity.fingerprint(record)[:24]
    assert db.execute("SELECT * FROM reports").fetchall() == [(
        report_id, record["agency"], record["year"], "2019", record["title"], version_id, 1,
        "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00", record["published"], None,
        None, None, None, None, None, None)]  # placed at the end of the run:
    db.execute("INSERT INTO portals (portal_id, name, province, city, district, code) VALUES "
               "('990102-donghu', '示范省示范市东湖区', '示范省', '示范市', '东湖区', '990102')")
    with db.conn:
        upkeep.after_run(db)
    assert db.execute("SELECT portal_id, division_code, province, city, district, level FROM reports").fetchall() == [
        ("990102-donghu", "990102", "示范省", "示范市", "东湖区", "department")]
    assert db.execute("SELECT * FROM sources").fetchall() == [(
        version_id, URL_A, "990102-donghu", "2026-01-01T00:00:00+00:00",
        "2026-01-01T00:00:00+00:00", None)]
    metrics = dict(db.execute("SELECT key, value FROM metrics").fetchall())
    assert metrics == pytest.approx(record["metrics"])
    assert db.execute("SELECT COUNT(*) FROM cells").fetchone()[0] == len(record["cells"])
    assert db.execute("SELECT COUNT(*) FROM checks").fetchone()[0] == len(record["checks"])
    assert db.execute("SELECT number FROM sections ORDER BY number").fetchall() == [
        (n,) for n in range(1, 7)]
    assert raw.capture_bytes(db, db.execute("SELECT sha256 FROM captures").fetchone()[0]) == body


def test_same_bytes_again_cost_no_extraction_and_a_304_too(db):
    body = fixture_bytes("r2019-utf8.html")
    fetch(db, URL_A, body, "2026-01-01T00:00:00+00:00")
    again = fetch(db, URL_A, body, "2026-02-01T00:00:00+00:00")
    assert (again.extracted, again.unchanged) == (False, True)
    not_modified = fetch(db, URL_A, None, "2026-03-01T00:00:00+00:00", status=304)
    assert (not_modified.extracted, not_modified.unchanged) == (False, True)
    assert db.execute("SELECT COUNT(*) FROM captures").fetchone()[0] == 1
    assert db.execute("SELECT last_seen FROM sources").fetchall() == [("2026-03-01T00:00:00+00:00",)]
    assert db.execute("SELECT status FROM fetches ORDER BY id").fetchall() == [(200,), (200,), (304,)]


def test_one_report_on_two_portals_is_one_report_with_two_sources(db):
    body = fixture_bytes("r2021-utf8.html")
    fetch(db, URL_A, body, "2026-01-01T00:00:00+00:00")
    other_chrome = body.replace(b"<title>", b"<title>\xe9\x95\x9c\xe5\x83\x8f ")
    outcome = fetch(db, URL_B, other_chrome, "2026-01-02T00:00:00+00:00", portal="990103-xishan")
    assert (outcome.new_report, outcome.new_version) == (False, False)
    assert db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 1
    assert sorted(db.execute("SELECT url, portal_id FROM sources").fetchall()) == [
        (URL_A, "990102-donghu"), (URL_B, "990103-xishan")]


def test_a_revision_is_a_new_version_and_the_old_one_is_kept(db):
    body = fixture_bytes("r2021-utf8.html")
    fetch(db, URL_A, body, "2026-01-01T00:00:00+00:00")
    old = db.execute("SELECT latest_version_id FROM reports").fetchone()[0]
    revised = body.replace("全年主动公开政府信息".encode(), "全年共主动公开政府信息".encode(), 1)
    assert revised != body
    outcome = fetch(db, URL_A, revised, "2026-06-01T00:00:00+00:00")
    assert outcome.new_version and not outcome.new_report
    new = db.execute("SELECT latest_version_id, versions FROM reports").fetchone()
    assert new[0] != old and new[1] == 2
    assert db.execute("SELECT version_id, supersedes, superseded_by FROM versions ORDER BY first_seen"
                      ).fetchall() == [(old, None, new[0]), (new[0], old, None)]
    assert db.execute("SELECT version_id, gone_at FROM sources ORDER BY first_seen").fetchall() == [
        (old, "2026-06-01T00:00:00+00:00"), (new[0], None)]


def test_a_report_gone_from_its_portal_is_kept_and_marked(db):
    fetch(db, URL_A, fixture_bytes("r2019-utf8.html"), "2026-01-01T00:00:00+00:00", run_id=6)
    fetch(db, URL_A, None, "2026-02-01T00:00:00+00:00", status=404, run_id=7)
    with db.conn:
        gone = versions.mark_gone(db, 7, ["990102-donghu"], "2026-02-01T01:00:00+00:00")
    assert gone == {"990102-donghu": 1}
    assert db.execute("SELECT gone_at FROM reports").fetchall() == [("2026-02-01T01:00:00+00:00",)]
    assert db.execute("SELECT run_id, url FROM disappearances").fetchall() == [(7, URL_A)]


def test_absence_is_not_proof_a_404_or_a_redirect_home_in_the_run_is(db):
    """A source the run did not reach, or reached with a 503, stays; a 410 or a redirect to
    the home page in the run makes it gone; a 404 of an earlier run is no proof now."""
    urls = [f"http://www.a.gov.test/nb/202101/t20210120_{i}.html" for i in range(5)]
    for i, url in enumerate(urls):
        page = fixture_bytes("r2019-utf8.html").replace(b"</body>", f"<p>{i}</p></body>".encode())
        fetch(db, url, page, "2026-01-01T00:00:00+00:00", run_id=1)
    fetch(db, urls[0], None, "2026-01-02T00:00:00+00:00", status=404, run_id=1)  # an earlier run's 404
    fetch(db, urls[1], None, "2026-02-01T00:00:00+00:00", status=503, run_id=2)
    fetch(db, urls[2], None, "2026-02-01T00:00:00+00:00", status=410, run_id=2)
    fetch(db, urls[3], None, "2026-02-01T00:00:00+00:00", status=404, run_id=2)
    fetch(db, urls[3], None, "2026-02-01T00:00:05+00:00", status=304, run_id=2)  # there after all
    with db.conn:
        raw.add_error(db, 2, urls[4], "990102-donghu", 302, "deleted: redirected to the home page")
        assert versions.mark_gone(db, 2, ["990102-donghu"], "2026-02-02T00:00:00+00:00") == {"990102-donghu": 2}
    assert [r[0] for r in db.execute("SELECT url FROM disappearances ORDER BY url")] == [urls[2], urls[4]]


def test_a_page_that_is_not_a_report_is_not_stored_as_one(db):
    news = "<html><body><h1>区长调研春耕</h1><p>新闻内容。</p></body></html>".encode()
    outcome = fetch(db, URL_A, news, "2026-01-01T00:00:00+00:00")
    assert outcome.not_report
    assert db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 0
    assert db.execute("SELECT kind FROM pages").fetchall() == [("not_report",)]


def test_reextract_rebuilds_identically_and_twice(db):
    fetch(db, URL_A, fixture_bytes("r2021-utf8.html"), "2026-01-01T00:00:00+00:00")
    fetch(db, URL_B, fixture_bytes("r2019-gbk.html"), "2026-01-02T00:00:00+00:00")
    fetch(db, URL_A, None, "2026-02-01T00:00:00+00:00", status=304)
    with db.conn:
        versions.mark_gone(db, 1, ["990102-donghu"], "2026-03-01T00:00:00+00:00")
        upkeep.after_run(db)  # as the end of a crawl does
    before = snapshot(db)
    assert len(before["report_search"]) == 2
    reextract(db)
    assert snapshot(db) == before
    reextract(db)
    assert snapshot(db) == before


def test_the_wide_table_has_a_column_per_key_once_the_run_ends(db):
    fetch(db, URL_A, fixture_bytes("r2021-utf8.html"), "2026-01-01T00:00:00+00:00")
    assert db.execute("SELECT COUNT(*) FROM report_metrics_wide").fetchone() == (0,)  # materialised ...
    with db.conn:
        upkeep.after_run(db)  # ... at the end of the run
    row = db.execute('SELECT agency, "requests.new.total" FROM report_metrics_wide').fetchone()
    expected = extract_bytes(fixture_bytes("r2021-utf8.html"), URL_A)
    assert row == (expected["agency"], expected["metrics"]["requests.new.total"])


def test_runs_left_running_by_a_killed_crawl_are_closed(db):
    run_id, _ = runs.start_run(db, ["a"], "crawl")
    second, _ = runs.start_run(db, ["a"], "crawl")
    assert db.execute("SELECT id, status FROM crawl_runs ORDER BY id").fetchall() == [
        (run_id, "aborted"), (second, "running")]


def test_a_page_and_its_attachment_are_one_report_and_disagreements_are_recorded(db):
    from govcrawl.demo import samples as S
    from govcrawl.demo.attachments import render_pdf

    spec = S.sample_spec(seed=40, template="2021")
    page = S.render_html(spec)
    fetch(db, URL_A, page, "2026-01-01T00:00:00+00:00")
    spec.metrics["requests.granted.natural_person"] += 1  # the PDF says otherwise
    pdf = render_pdf(spec)
    attachment = Fetch(url=URL_A.replace(".html", ".pdf"), portal_id="990102-donghu", kind="attachment",
                       status=200, fetched_at="2026-01-01T00:01:00+00:00", body=pdf, referer=URL_A)
    with db.conn:
        raw.record_fetch(db, attachment)
        outcome = versions.apply_fetch(db, attachment, lambda: reading(pdf, attachment.url, "attachment"))
    assert outcome.new_version and not outcome.new_report
    assert db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM versions WHERE supersedes IS NOT NULL").fetchone()[0] == 0
    pdf_value = spec.metrics["requests.granted.natural_person"]
    # Equally complete: the newer (the PDF) is current; the page's figure is the other side.
    assert db.execute("SELECT key, value, other_value FROM conflicts").fetchall() == [
        ("requests.granted.natural_person", pdf_value, pdf_value - 1)]
