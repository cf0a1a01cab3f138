"""A scriptable portal server on 127.0.0.1 for crawl tests: every URL's answer is set by the
test (status, headers, body), changed between runs, and every request is recorded.

Used as an HTTP proxy (``govcrawl crawl --proxy``), so pages keep their own URLs — real
portals' pages replayed at their real addresses, or hostile answers a real portal gives.
https URLs work too: the proxy accepts CONNECT and answers inside the tunnel with a
self-signed certificate (Scrapy, like most crawlers, does not verify certificates).
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"


class PortalServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.requests: list[tuple[float, str]] = []  # (when, url)
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)
        threading.Thread(target=self.serve_forever, name="portal-server", daemon=True).start()

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def page(self, url: str, body: bytes | str, status: int = 200, **headers: str) -> None:
        """Answer ``url`` with this body (ETag added, so re-crawls can ask conditionally)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.answers[url] = Answer(status, data, {"ETag": '"' + hashlib.sha1(data).hexdigest()[:16] + '"',
                                                  **{k.replace("_", "-"): v for k, v in headers.items()}})

    def redirect(self, url: str, target: str, status: int = 302) -> None:
        self.answers[url] = Answer(status, b"", {"Location": target})

    def drop(self, url: str) -> None:
        self.answers.pop(url, None)

    def asked(self, url: str) -> list[float]:
        with self.lock:
            return [when for when, asked in self.requests if asked == url]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


_CONTEXT: ssl.SSLContext | None = None


def _tls() -> ssl.SSLContext:
    """A server context with a self-signed certificate, made once."""
    global _CONTEXT
    if _CONTEXT is None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "portal.test")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
        with tempfile.NamedTemporaryFile("wb", suffix=".pem", delete=False) as pem:
            pem.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))
            pem.write(cert.public_bytes(serialization.Encoding.PEM))
        _CONTEXT = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        _CONTEXT.load_cert_chain(pem.name)
    return _CONTEXT


class _Handler(BaseHTTPRequestHandler):
    server: PortalServer
    protocol_version = "HTTP/1.1"
    tunnel: str | None = None  # inside a CONNECT tunnel: the https host asked for

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_CONNECT(self) -> None:
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.connection = _tls().wrap_socket(self.connection, server_side=True)
        self.rfile = self.connection.makefile("rb")
        self.wfile = self.connection.makefile("wb")
        self.tunnel = self.path.split(":")[0]

    def do_GET(self) -> None:
        if self.tunnel:
            url = f"https://{self.tunnel}{self.path}"
        else:
            url = self.path if self.path.startswith("http") else f"http://{self.headers.get('Host')}{self.path}"
        with self.server.lock:
            self.server.requests.append((time.monotonic(), url))
        answer = self.server.answers.get(url)
        if answer is None and urlsplit(url).path == "/robots.txt":
            answer = Answer(404, b"", {})
        answer = answer or Answer(404, b"<html><body><h1>404 Not Found</h1></body></html>")
        etag = answer.headers.get("ETag")
        if answer.status == 200 and etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.flush()
            return
        body = answer.body
        self.send_response(answer.status)
        if body and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body, mtime=0)
            self.send_header("Content-Encoding", "gzip")
        if answer.status not in (301, 302, 303, 307, 308) or body:
            self.send_header("Content-Type", answer.content_type)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
