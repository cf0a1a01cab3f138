"""What the pipelines share: the archive connection of a crawl, and the rule that a stage
never loses a page.

A stage that fails on a page in a way it did not expect records that as the page's
reason and hands the page on: the store keeps its bytes with the reason, so nothing
fetched is lost and ``reextract`` can read it again once the stage is fixed.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

import sqlite_utils

from govcrawl.archive.schema import open_db
from govcrawl.archive.versions import Reading
from govcrawl.crawl.items import PageItem

log = logging.getLogger(__name__)


def crawler_db(crawler) -> sqlite_utils.Database:
    """One connection per crawler, opened by whichever pipeline (or the spider) asks first."""
    db = getattr(crawler, "_govcrawl_db", None)
    if db is None:
        path = crawler.settings.get("GOVCRAWL_DB")
        db = open_db(path) if path else open_db("", memory=True)
        crawler._govcrawl_db = db
    return db


def _recorded(stage: str, item: Any, exc: Exception) -> Any:
    reason = f"{stage} failed ({type(exc).__name__}: {exc})"[:500]
    log.warning("%s: %s", getattr(item, "url", item), reason)
    if isinstance(item, PageItem):
        item.reading = Reading(reason=reason, attachments=list(item.attachments))
    return item


def never_loses(stage: str) -> Callable:
    """Decorate a pipeline's process_item (plain or async): what it raises unexpectedly
    becomes the page's reason, and the page goes on to be stored."""

    def decorate(method: Callable) -> Callable:
        if inspect.iscoroutinefunction(method):
            @functools.wraps(method)
            async def guarded_async(self, item, spider=None):
                try:
                    return await method(self, item, spider)
                except Exception as exc:
                    return _recorded(stage, item, exc)
            return guarded_async

        @functools.wraps(method)
        def guarded(self, item, spider=None):
            try:
                return method(self, item, spider)
            except Exception as exc:
                return _recorded(stage, item, exc)
        return guarded
    return decorate
