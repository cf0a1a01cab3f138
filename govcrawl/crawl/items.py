"""What the spider hands to the pipelines: raw pages and errors, nothing extracted yet."""

from __future__ import annotations

from dataclasses import dataclass, field

from govcrawl.archive.versions import Reading
from govcrawl.clock import now_iso


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
    error: str | None = None  # why a non-200 answer is what it is (a refused Retry-After), for its error row
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


# What a listing page can be (listings.outcome).  Only the first two count as read: a portal
# is complete in a run when every listing page asked for is one of them.
LISTING_READ = ("listing", "empty")
LISTING_OUTCOMES = (*LISTING_READ, "unrecognised", "blocked", "error", "limit")


@dataclass
class ListingItem:
    """A listing page asked for and what it was: the proof (or not) that a portal was read whole.

    Yielded last for a listing page, after the requests it leads to, so a distributed
    writer has its page's work in the frontier before the listing is settled.
    """

    url: str
    portal_id: str
    outcome: str  # one of LISTING_OUTCOMES
    status: int | None = None
    reason: str | None = None
    reports: int = 0
    pages: int = 0
    lease: str | None = None
    at: str = field(default_factory=now_iso)
