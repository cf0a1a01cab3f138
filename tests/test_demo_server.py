"""The demo server behaves as a real portal web server would."""

from __future__ import annotations

import gzip
import http.client
import json

import pytest

from govcrawl.demo import network
from govcrawl.demo.server import serve_in_thread


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("served") / "epoch-1"
    network.generate(root, epoch=1)
    server = serve_in_thread(root)
    yield server, root
    server.shutdown()
    server.server_close()


def get(server, url, method="GET", headers=None):
    """Fetch through the server used as an HTTP proxy, as Scrapy and curl -x do."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, url, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def _manifest(root):
    return json.loads((root / "manifest.json").read_text(encoding="utf-8"))


def _report(root, predicate):
    return next(r for r in network.iter_reports(root) if predicate(r))


def test_gbk_page_says_gbk(served):
    server, root = served
    trs = next(p for p in _manifest(root)["portals"] if p["cms"] == "trs")
    response, body = get(server, trs["listing_urls"][0])
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=gbk"
    assert "政府信息公开年报" in body.decode("gbk")


def test_a_page_whose_header_charset_is_wrong(served):
    server, root = served
    hints = {}
    for portal in _manifest(root)["portals"]:
        path = root / "site" / portal["host"] / ".headers.json"
        for url_path, hint in json.loads(path.read_text()).items():
            if "charset" in hint:
                hints[(portal["host"], portal["encoding"], url_path)] = hint["charset"]
    wrong = [(h, e, p, c) for (h, e, p), c in hints.items() if c != e]
    assert wrong, "at least one page is served with a charset its bytes are not in"
    host, encoding, path, charset = wrong[0]
    response, body = get(server, f"http://{host}{path}")
    assert response.getheader("Content-Type") == f"text/html; charset={charset}"
    body.decode(encoding)
    with pytest.raises(UnicodeDecodeError):
        body.decode(charset)


def test_conditional_requests_get_304(served):
    server, root = served
    url = _report(root, lambda r: r["kind"] == "html")["urls"][0]
    first, body = get(server, url)
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    assert etag and modified and body
    again, empty = get(server, url, headers={"If-None-Match": etag})
    assert (again.status, empty) == (304, b"")
    since, empty = get(server, url, headers={"If-Modified-Since": modified})
    assert (since.status, empty) == (304, b"")
    stale, body2 = get(server, url, headers={"If-None-Match": '"something-else"'})
    assert stale.status == 200 and body2 == body


def test_gzip_when_asked(served):
    server, root = served
    url = _report(root, lambda r: r["kind"] == "html")["urls"][0]
    response, body = get(server, url, headers={"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") == "gzip"
    _plain, raw = get(server, url)
    assert gzip.decompress(body) == raw


def test_head_and_404(served):
    server, root = served
    url = _report(root, lambda r: r["kind"] == "pdf")["attachments"][0]
    response, body = get(server, url, method="HEAD")
    assert response.status == 200 and body == b""
    assert response.getheader("Content-Type") == "application/pdf"
    assert int(response.getheader("Content-Length")) > 1000
    for dead in _manifest(root)["dead_links"]:
        response, _ = get(server, dead)
        assert response.status == 404


def test_robots_txt_and_host_header_access(served):
    server, root = served
    host = _manifest(root)["portals"][0]["host"]
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/robots.txt", headers={"Host": host})
    response = connection.getresponse()
    assert response.status == 200
    assert b"Disallow: /admin/" in response.read()


def test_latency_is_injected(tmp_path_factory, served):
    import time

    _, root = served
    slow = serve_in_thread(root, latency_ms=150)
    try:
        start = time.perf_counter()
        get(slow, f"http://{_manifest(root)['portals'][0]['host']}/robots.txt")
        assert time.perf_counter() - start >= 0.15
    finally:
        slow.shutdown()
        slow.server_close()
