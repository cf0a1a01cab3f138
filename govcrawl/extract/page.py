"""Reading one fetched page: its report record (or why there is none) and the attachment
links it carries.  What a crawl's extract stage and ``reextract`` run for every page,
in a worker process or not; a pure function of the bytes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.links import attachment_links

PageReading = tuple[dict[str, Any] | None, str | None, list[str]]  # (record, reason, attachment links)


def read_page(body: bytes, url: str, kind: str = "report", media_type: str | None = None) -> PageReading:
    """The record of a report page or attachment, or the reason there is none; a report
    page's links to attachments on its own host."""
    from govcrawl.extract.record import extract_bytes

    links: list[str] = []
    if kind == "report":
        host = urlsplit(url).hostname
        links = attachment_links(body, url, {host} if host else None)
    try:
        return extract_bytes(body, url, media_type), None, links
    except ExtractionError as exc:
        return None, exc.reason, links
