"""The archive connection the pipelines share during one crawl."""

from __future__ import annotations

import sqlite_utils

from govcrawl.archive.schema import open_db


def crawler_db(crawler) -> sqlite_utils.Database:
    """One connection per crawler, opened by whichever pipeline asks first."""
    db = getattr(crawler, "_govcrawl_db", None)
    if db is None:
        path = crawler.settings.get("GOVCRAWL_DB")
        db = open_db(path) if path else open_db("", memory=True)
        crawler._govcrawl_db = db
    return db
