"""A crawl's progress on a terminal: one line on stderr, rewritten every second, cleared at
the end.  Enabled by `govcrawl crawl` only when stderr is a terminal (cron gets nothing)."""

from __future__ import annotations

import sys
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from govcrawl.crawl.counters import Count


class TerminalProgress:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.start = time.monotonic()
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> TerminalProgress:
        if not crawler.settings.getbool("GOVCRAWL_PROGRESS") or not sys.stderr.isatty():
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider: Any) -> None:
        from twisted.internet import task

        self.task = task.LoopingCall(self.show)
        self.task.start(1.0, now=False)

    def show(self) -> None:
        stats = self.crawler.stats
        pages = sum(int(stats.get_value(c.stat, 0) or 0) for c in (Count.REPORT_FETCHES, Count.ATTACHMENT_FETCHES))
        sys.stderr.write(f"\rcrawl: {pages} pages stored, {int(stats.get_value(Count.NEW_REPORTS.stat, 0) or 0)} "
                         f"new reports, {int(stats.get_value(Count.ERRORS.stat, 0) or 0)} errors "
                         f"({time.monotonic() - self.start:.0f} s)")
        sys.stderr.flush()

    def closed(self, spider: Any) -> None:
        if self.task and self.task.running:
            self.task.stop()
        sys.stderr.write("\r" + " " * 72 + "\r")
        sys.stderr.flush()
