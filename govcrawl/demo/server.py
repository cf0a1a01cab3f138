"""Serve a generated demo network on 127.0.0.1 as real portal web servers would.

One port serves every portal host.  Clients reach a host either as an HTTP proxy
(``GET http://www.donghu.gov.test/… HTTP/1.1``, what Scrapy and curl -x send) or with a
``Host:`` header.  Responses carry Last-Modified and ETag (conditional requests get
304), gzip when asked, Content-Type with a charset (deliberately wrong on some pages),
HEAD, 404 — and optional latency, so that a crawl is network-bound as in reality.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from govcrawl.demo.network import site_path

_TYPES = {".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf",
          ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".png": "image/png", ".txt": "text/plain", ".json": "application/json"}
_DEFAULT_MODIFIED = datetime(2020, 1, 1, tzinfo=UTC)


class DemoServer(ThreadingHTTPServer):
    """The server with its network: root directory, hosts, counters."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, port: int = 0, latency_ms: float = 0.0) -> None:
        self.root = root
        self.latency = latency_ms / 1000.0
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        self.encodings = {p["host"]: p.get("encoding", "utf-8") for p in manifest["portals"]}
        self.epoch = manifest["epoch"]
        self._hints: dict[str, dict[str, dict[str, str]]] = {}
        self.lock = threading.Lock()
        self.requests = 0
        self.bytes_sent = 0
        self.paths_served: list[str] = []
        # requests being answered per portal host, and the most at any moment (politeness)
        self.in_flight: dict[str, int] = {}
        self.peak_in_flight: dict[str, int] = {}
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def hints(self, host: str) -> dict[str, dict[str, str]]:
        if host not in self._hints:
            path = self.root / "site" / host / ".headers.json"
            self._hints[host] = json.loads(path.read_text()) if path.exists() else {}
        return self._hints[host]

    def enter(self, host: str) -> None:
        with self.lock:
            self.in_flight[host] = self.in_flight.get(host, 0) + 1
            self.peak_in_flight[host] = max(self.peak_in_flight.get(host, 0), self.in_flight[host])

    def leave(self, host: str) -> None:
        with self.lock:
            self.in_flight[host] -= 1

    def count(self, url: str, sent: int) -> None:
        with self.lock:
            self.requests += 1
            self.bytes_sent += sent
            self.paths_served.append(url)


class _Handler(BaseHTTPRequestHandler):
    server: DemoServer
    protocol_version = "HTTP/1.1"
    server_version = "DemoPortal/1.0"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a crawl makes thousands of requests."""

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _target(self) -> tuple[str, str]:
        if self.path.startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            host = parts.hostname or ""
            path = parts.path or "/"
            query = parts.query
        else:
            host = (self.headers.get("Host") or "").split(":")[0]
            parts = urlsplit(self.path)
            path, query = parts.path or "/", parts.query
        return host, path + (f"?{query}" if query else "")

    def _serve(self, head: bool) -> None:
        host = self._target()[0]
        self.server.enter(host)
        try:
            self._answer(head)
        finally:
            self.server.leave(host)

    def _answer(self, head: bool) -> None:
        if self.server.latency:
            time.sleep(self.server.latency)
        host, path = self._target()
        if host == "_stats":
            return self._send(200, "application/json", json.dumps(
                {"requests": self.server.requests, "bytes_sent": self.server.bytes_sent}).encode(), head)
        if host not in self.server.encodings:
            index = "\n".join(f"http://{h}/" for h in sorted(self.server.encodings))
            body = (f"govcrawl demo network, epoch {self.server.epoch}. Use this server as an HTTP "
                    f"proxy (curl -x http://127.0.0.1:{self.server.port} URL). Portals:\n{index}\n")
            return self._send(200 if path == "/" else 404, "text/plain; charset=utf-8", body.encode(), head)
        file = site_path(self.server.root, host, path)
        if not file.is_file():
            return self._send(404, "text/html; charset=utf-8",
                              b"<html><body><h1>404 Not Found</h1></body></html>", head, host + path)
        data = file.read_bytes()
        hint = self.server.hints(host).get(path, {})
        suffix = file.suffix.lower() if file.suffix else ".html"
        content_type = hint.get("type") or _TYPES.get(suffix.split("__")[0], "application/octet-stream")
        if content_type.startswith("text/") and "charset" not in content_type:
            charset = hint.get("charset") or (self.server.encodings[host] if suffix != ".txt" else "utf-8")
            content_type += f"; charset={charset}"
        modified = _DEFAULT_MODIFIED
        if "modified" in hint:
            modified = datetime.fromisoformat(hint["modified"]).replace(tzinfo=UTC)
        etag = '"' + hashlib.sha1(data).hexdigest()[:20] + '"'
        headers = {"ETag": etag, "Last-Modified": email.utils.format_datetime(modified, usegmt=True)}
        if self._not_modified(etag, modified):
            return self._send(304, None, b"", True, host + path, headers)
        if content_type.startswith("text/") and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            data = gzip.compress(data, mtime=0)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        self._send(200, content_type, data, head, host + path, headers)

    def _not_modified(self, etag: str, modified: datetime) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            return etag in [m.strip() for m in match.split(",")] or match.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return modified <= email.utils.parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, status: int, content_type: str | None, body: bytes, head: bool,
              url: str = "", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:  # a 304 has no body, and "Content-Length: 0" would misdescribe the page
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        sent = 0
        if not head and status != 304:
            self.wfile.write(body)
            sent = len(body)
        if url:
            self.server.count(url, sent)


def serve_in_thread(root: Path, port: int = 0, latency_ms: float = 0.0) -> DemoServer:
    """Start a server on 127.0.0.1 in a background thread (tests, `govcrawl demo`)."""
    server = DemoServer(root, port, latency_ms)
    thread = threading.Thread(target=server.serve_forever, name="demo-server", daemon=True)
    thread.start()
    return server
