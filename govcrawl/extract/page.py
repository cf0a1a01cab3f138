"""Reading one fetched page: its report record (or why there is none) and the attachment
links it carries.  What a crawl's extract stage and ``reextract`` run for every page,
in a worker process or not; a pure function of the bytes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.links import attachment_links

INTERNAL = "extraction failed: internal error"
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
    except RecursionError:
        return None, "markup nested too deeply", links
    except MemoryError:
        return None, f"{INTERNAL}: out of memory (the worker's limit)", links
    except Exception as exc:  # a reader's bug must cost this page only, with its reason kept
        return None, f"{INTERNAL} ({type(exc).__name__}: {exc})"[:500], links
