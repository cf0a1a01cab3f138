"""Build tests/files/archive-schema2.db with the archive code of schema version 2.

Two crawl runs over a handful of pages: report pages (UTF-8, GBK, legacy), a report
page with a PDF attachment, a 404, a revision, a 304, a page that is not a report,
a source that disappears.
"""
import sys
from pathlib import Path

from govcrawl import archive, samples as S
from govcrawl.demo.attachments import render_pdf
from govcrawl.items import ErrorItem, PageItem
from govcrawl.extract.pool import extract_or_reason
from govcrawl.extract.decode import sniff_media_type
from govcrawl.registry import Portal
import hashlib

FILES = Path("tests/files")
CLOCK = ["2025-03-01T00:00:00+00:00"]
archive.now_iso = lambda: CLOCK[0]


def html(seed, template, agency, encoding="utf-8", quirks=()):
    return S.render_html(S.sample_spec(seed=seed, template=template, agency=agency, quirks=frozenset(quirks)),
                         encoding=encoding)

out = Path(sys.argv[1])
out.unlink(missing_ok=True)
db = archive.open_db(str(out))
portals = [Portal(id="990102-donghu", province="示范省", district="东湖区", code="990102",
                  homepage="http://www.donghu.gov.test/", listing_urls=("http://www.donghu.gov.test/nb/",),
                  allowed_domains=("www.donghu.gov.test",), city="示范市", cms="trs", demo=True, verified=True),
           Portal(id="990103-xishan", province="示范省", district="西山区", code="990103",
                  homepage="http://www.xishan.gov.test/", listing_urls=("http://www.xishan.gov.test/nb/",),
                  allowed_domains=("www.xishan.gov.test",), city="示范市", cms="gd", demo=True, verified=True)]

A = "http://www.donghu.gov.test/nb/"
B = "http://www.xishan.gov.test/nb/"


def page(url, portal, body, at, kind="report", status=200, referer=None, headers=None, title=None, links=()):
    item = PageItem(url=url, portal_id=portal, kind=kind, status=status, body=body, headers=headers or {"ETag": '"x"'},
                    fetched_at=at, referer=referer, listing_title=title, attachments=list(links))
    if status == 200:
        item.sha256 = hashlib.sha256(body).hexdigest()
        item.media_type = sniff_media_type(body, url)
        item.record, item.not_report = extract_or_reason(body, url, item.media_type if kind == "report" else None)
        if item.record:
            item.record["_report_id"] = archive.report_id_for(item.record, url)
            item.record["_fingerprint"] = archive.fingerprint(item.record)
    with db.conn:
        db.execute("BEGIN")
        archive.store_item(db, item, run)

spec = S.sample_spec(seed=7, template="2021", agency="示范市东湖区教育局")
pdf = render_pdf(spec)
stub = ("<html><head><meta charset='utf-8'><title>" + spec.report_title + "</title></head><body><h1>"
        + spec.report_title + "</h1><p>详见附件：<a href='/nb/202201/P020220120.pdf'>"
        + spec.report_title + ".pdf</a></p></body></html>").encode()

post9 = html(3, "2021", "示范市西山区卫生健康委员会", quirks=("traditional",))
run, started = archive.start_run(db, [p.id for p in portals], "crawl")
archive.record_portals(db, portals)
page(A + "202101/t20210120_1.html", "990102-donghu", html(1, "2019", "示范市东湖区财政局"), "2025-03-01T01:00:00+00:00")
page(A + "202101/t20210121_2.html", "990102-donghu", html(2, "2019", "示范市东湖区人民政府办公室", "gbk", ("half_width", "blank_zeros")), "2025-03-01T01:00:01+00:00",
     headers={"Last-Modified": "Wed, 20 Jan 2021 00:00:00 GMT"})
page(A + "201801/t20180120_3.html", "990102-donghu", (FILES / "legacy-2017.html").read_bytes(), "2025-03-01T01:00:02+00:00")
page(A + "202201/t20220120_4.html", "990102-donghu", stub, "2025-03-01T01:00:03+00:00",
     links=[A + "202201/P020220120.pdf"])
page(A + "202201/P020220120.pdf", "990102-donghu", pdf, "2025-03-01T01:00:04+00:00", kind="attachment",
     referer=A + "202201/t20220120_4.html")
page(B + "content/post_9.html", "990103-xishan", post9, "2025-03-01T01:00:05+00:00")
page(B + "content/post_10.html", "990103-xishan", "<html><body><p>关于做好2021年政务公开工作的通知</p></body></html>".encode(),
     "2025-03-01T01:00:06+00:00")
with db.conn:
    db.execute("BEGIN")
    archive.store_item(db, ErrorItem(B + "content/post_11.html", "990103-xishan", "HTTP 404", 404), run)
with db.conn:
    archive.mark_gone(db, run, [], started, "2025-03-01T02:00:00+00:00")
    archive.refresh_search(db)
archive.finish_run(db, run, "finished", {"report_fetches": 6})
CLOCK[0] = "2026-03-01T00:00:00+00:00"

run, started = archive.start_run(db, [p.id for p in portals], "crawl")
revised = post9.replace("全年主动公开政府信息".encode(), "全年共主动公开政府信息".encode(), 1)
page(B + "content/post_9.html", "990103-xishan", revised, "2026-03-01T01:00:00+00:00")
page(A + "202101/t20210120_1.html", "990102-donghu", b"", "2026-03-01T01:00:01+00:00", status=304)
page(A + "202101/t20210121_2.html", "990102-donghu", b"", "2026-03-01T01:00:01+00:00", status=304)
page(A + "202201/t20220120_4.html", "990102-donghu", b"", "2026-03-01T01:00:02+00:00", status=304,
     links=[A + "202201/P020220120.pdf"])
page(A + "202201/P020220120.pdf", "990102-donghu", b"", "2026-03-01T01:00:03+00:00", kind="attachment", status=304,
     referer=A + "202201/t20220120_4.html")
with db.conn:
    archive.mark_gone(db, run, ["990102-donghu"], started, "2026-03-01T02:00:00+00:00")
    archive.refresh_search(db)
CLOCK[0] = "2026-03-01T03:00:00+00:00"
archive.finish_run(db, run, "finished", {"report_fetches": 4})
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.execute("PRAGMA journal_mode=DELETE")
db.conn.close()
print("ok")
