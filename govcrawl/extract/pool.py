"""Extraction in worker processes: reading a page is CPU work, and a crawl has spare cores.

Extraction is a pure function of bytes, so it can run anywhere.  In a crawl process the
Twisted reactor, the archive writes and extraction otherwise share one interpreter lock:
on real pages (100–300 KB of HTML) extraction alone can hold a core, and downloads wait.
A small process pool gives it the other cores; the crawl process keeps downloading and
writing.  `govcrawl reextract` uses the same pool to read ahead of its writes.

A worker that dies (out of memory on a pathological file, a crash in a C library) does
not stop the run: the pool is replaced, the pages it held are tried once more each in a
process of its own, and a page that kills its worker again is recorded as not extracted,
with that reason.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from govcrawl.extract.errors import ExtractionError

Result = tuple[dict[str, Any] | None, str | None]  # (record, or the reason it is none)

CRASHED = "extraction failed: its worker process died (out of memory, or a crash reading the file)"


def extract_or_reason(body: bytes, url: str, media_type: str | None = None) -> Result:
    """The record, or why there is none: what a worker returns for one page."""
    from govcrawl.extract.record import extract_bytes

    try:
        return extract_bytes(body, url, media_type), None
    except ExtractionError as exc:
        return None, exc.reason


def _exit_with(parent: int) -> None:
    """Worker initializer: leave when the process that made the pool is gone.

    A crawl killed with SIGKILL cannot stop its pool, and a pool worker never notices on
    its own (it holds an end of its own task queue): without this it would wait for ever.
    """
    import threading
    import time

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # alive, under another user: a reused pid; keep going
                pass

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def default_workers(reserve: int = 1) -> int:
    """Worker processes for this machine: its cores, less ``reserve`` for the caller."""
    return max(1, (os.cpu_count() or 1) - reserve)


class ExtractionPool:
    """A process pool for :func:`extract_or_reason` that survives its workers dying."""

    def __init__(self, workers: int, function: Any = extract_or_reason) -> None:
        self.workers = workers
        self.function = function  # (body, url, media_type) -> Result; importable by the workers
        self._executor = self._new_executor()

    def _new_executor(self, workers: int | None = None) -> ProcessPoolExecutor:
        # forkserver: workers are forked from a clean server process, never from a parent
        # running threads (the reactor's) — and they start without re-importing __main__.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["govcrawl.extract.record"])
        return ProcessPoolExecutor(workers or self.workers, mp_context=context, initializer=_exit_with,
                                   initargs=(os.getpid(),))

    def submit(self, body: bytes, url: str, media_type: str | None = None) -> Future:
        try:
            return self._executor.submit(self.function, body, url, media_type)
        except BrokenProcessPool:
            self._restart(self._executor)
            return self._executor.submit(self.function, body, url, media_type)

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        if broken is self._executor:  # others waiting on the same pool restart it once
            broken.shutdown(wait=False, cancel_futures=True)
            self._executor = self._new_executor()

    def _alone(self, body: bytes, url: str, media_type: str | None) -> Future:
        """A second try in a process of its own: the page that killed the pool may be another."""
        alone = self._new_executor(1)
        future = alone.submit(self.function, body, url, media_type)
        future.add_done_callback(lambda _: alone.shutdown(wait=False))
        return future

    def result(self, future: Future, body: bytes, url: str, media_type: str | None = None) -> Result:
        """The result of ``future`` (blocking); a page whose worker died gets a second try."""
        executor = self._executor
        try:
            return future.result()
        except BrokenProcessPool:
            self._restart(executor)
        try:
            return self._alone(body, url, media_type).result()
        except BrokenProcessPool:
            return None, CRASHED

    async def extract(self, body: bytes, url: str, media_type: str | None = None) -> Result:
        """:meth:`result` for asyncio callers (the crawl's extract pipeline)."""
        executor = self._executor
        try:
            return await asyncio.wrap_future(self.submit(body, url, media_type))
        except BrokenProcessPool:
            self._restart(executor)
        try:
            return await asyncio.wrap_future(self._alone(body, url, media_type))
        except BrokenProcessPool:
            return None, CRASHED

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
