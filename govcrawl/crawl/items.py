"""What the spider hands to the pipelines: raw pages and errors, nothing extracted yet."""

from __future__ import annotations

from dataclasses import dataclass, field

from govcrawl.archive.versions import Reading


@dataclass
class PageItem:
    """A fetched report page or attachment: its raw bytes and how it was served."""

    url: str
    portal_id: str
    kind: str  # report | attachment
    status: int
    body: bytes
    headers: dict[str, str]
    fetched_at: str
    referer: str | None = None
    listing_title: str | None = None
    # filled by the pipelines: normalise (sha256, media type), extract and dedupe (reading)
    sha256: str | None = None
    media_type: str | None = None
    reading: Reading | None = None
    lease: str | None = None  # distributed crawls: the frontier lease this page settles
    # attachments the page links to, requested once the page itself is stored
    attachments: list[str] = field(default_factory=list)


@dataclass
class ErrorItem:
    """A URL that failed, with its reason (recorded and counted; the crawl goes on)."""

    url: str
    portal_id: str | None
    reason: str
    status: int | None = None
    lease: str | None = None


@dataclass
class ListingDone:
    """A listing page was read completely: its portal's listing was reachable this run."""

    url: str
    portal_id: str
    lease: str | None = None
