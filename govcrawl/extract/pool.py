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
import collections
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from govcrawl.extract.page import PageReading, read_page

Result = PageReading  # (record, or the reason it is none, attachment links)

CRASHED = "extraction failed: its worker process died (out of memory, or a crash reading the file)"
DEFAULT_TIMEOUT = 60.0  # seconds one file may take (real reports: well under one)
DEFAULT_MEMORY_MB = 2048  # address space of a worker (real reports: under 300 MB)


def limits() -> tuple[float, int]:
    """(seconds per file, MB per worker): GOVCRAWL_EXTRACT_TIMEOUT and GOVCRAWL_EXTRACT_MEMORY_MB."""
    return (float(os.environ.get("GOVCRAWL_EXTRACT_TIMEOUT") or DEFAULT_TIMEOUT),
            int(os.environ.get("GOVCRAWL_EXTRACT_MEMORY_MB") or DEFAULT_MEMORY_MB))


def _worker_start(parent: int, memory_mb: int) -> None:
    """Worker initializer: a memory limit, and leave when the process that made the pool is gone.

    Past the limit an allocation fails (MemoryError: the page's reason says so) instead of
    the machine swapping.  A crawl killed with SIGKILL cannot stop its pool, and a pool
    worker never notices on its own (it holds an end of its own task queue): without the
    watch it would wait for ever.
    """
    import resource
    import threading
    import time

    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))

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
    """A process pool for :func:`read_page` that survives its workers dying or hanging.

    Each file has ``timeout`` seconds and each worker ``memory_mb`` of address space; a
    file over time has its worker killed and replaced (its reason says so), and the other
    files that worker's pool held are tried again, each in a process of its own.
    """

    def __init__(self, workers: int, function: Any = read_page, timeout: float | None = None,
                 memory_mb: int | None = None) -> None:
        default_timeout, default_memory = limits()
        self.workers = workers
        self.function = function  # (body, url, kind) -> Result; importable by the workers
        self.timeout = timeout if timeout is not None else default_timeout
        self.memory_mb = memory_mb if memory_mb is not None else default_memory
        self._executor = self._new_executor()

    def _new_executor(self, workers: int | None = None) -> ProcessPoolExecutor:
        # forkserver: workers are forked from a clean server process, never from a parent
        # running threads (the reactor's) — and they start without re-importing __main__.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["govcrawl.extract.record", "govcrawl.extract.page"])
        return ProcessPoolExecutor(workers or self.workers, mp_context=context, initializer=_worker_start,
                                   initargs=(os.getpid(), self.memory_mb))

    def submit(self, body: bytes, url: str, kind: str = "report") -> Future:
        try:
            return self._executor.submit(self.function, body, url, kind)
        except BrokenProcessPool:
            self._restart(self._executor)
            return self._executor.submit(self.function, body, url, kind)

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        if broken is self._executor:  # others waiting on the same pool restart it once
            broken.shutdown(wait=False, cancel_futures=True)
            self._executor = self._new_executor()

    @staticmethod
    def _kill(executor: ProcessPoolExecutor) -> None:
        """Kill a pool's workers (one hangs on a file; which one, the pool cannot say)."""
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            process.kill()

    def _timed_out(self) -> Result:
        return None, f"extraction timed out after {self.timeout:g} s (its worker was replaced)", []

    def _alone(self, body: bytes, url: str, kind: str) -> tuple[Future, ProcessPoolExecutor]:
        """A second try in a process of its own: the page that killed the pool may be another."""
        alone = self._new_executor(1)
        future = alone.submit(self.function, body, url, kind)
        future.add_done_callback(lambda _: alone.shutdown(wait=False))
        return future, alone

    def result(self, future: Future, body: bytes, url: str, kind: str = "report") -> Result:
        """The result of ``future`` (blocking); a page whose worker died gets a second try."""
        executor = self._executor
        try:
            return future.result(timeout=self.timeout or None)
        except (TimeoutError, BrokenProcessPool) as error:
            ended = self._first_try_failed(executor, error)
            if ended is not None:
                return ended
        second, alone = self._alone(body, url, kind)
        try:
            return second.result(timeout=self.timeout or None)
        except (TimeoutError, BrokenProcessPool) as error:
            return self._second_try_failed(alone, error)

    async def extract(self, body: bytes, url: str, kind: str = "report") -> Result:
        """:meth:`result` for asyncio callers (the crawl's extract pipeline)."""
        executor = self._executor
        try:
            return await asyncio.wait_for(asyncio.wrap_future(self.submit(body, url, kind)), self.timeout or None)
        except (TimeoutError, BrokenProcessPool) as error:
            ended = self._first_try_failed(executor, error)
            if ended is not None:
                return ended
        second, alone = self._alone(body, url, kind)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(second), self.timeout or None)
        except (TimeoutError, BrokenProcessPool) as error:
            return self._second_try_failed(alone, error)

    def _first_try_failed(self, executor, error: BaseException) -> Result | None:
        """A page over its time ends there (its worker killed, the pool replaced); a pool
        that died is replaced and the page gets a second try alone (None: try again)."""
        if isinstance(error, TimeoutError):
            self._kill(executor)
            self._restart(executor)
            return self._timed_out()
        self._restart(executor)
        return None

    def _second_try_failed(self, alone, error: BaseException) -> Result:
        """The page's second try, alone in its process, failed too: it ends here."""
        if isinstance(error, TimeoutError):
            self._kill(alone)
            return self._timed_out()
        return None, CRASHED, []

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class PoolReader:
    """Reads stored pages for ``reextract`` (govcrawl.archive.replay.PageReader): a window
    of pages ahead of the replay in ``workers`` processes, or one by one in this process
    when ``workers`` is 0."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool = ExtractionPool(workers) if workers > 0 else None
        self.window = max(1, workers * 4)
        self.queue: collections.deque = collections.deque()
        self.pending: dict[int, tuple[Future, bytes]] = {}
        self.load: Callable[[str], bytes] = lambda sha: b""

    def plan(self, tasks: list[Any], load: Callable[[str], bytes]) -> None:
        self.load = load
        if self.pool is not None:
            self.queue.extend(tasks)
            self._fill()

    def _fill(self) -> None:
        assert self.pool is not None
        while self.queue and len(self.pending) < self.window:
            task = self.queue.popleft()
            body = self.load(task.sha256)
            self.pending[task.fetch_id] = (self.pool.submit(body, task.url, task.kind), body)

    def read(self, task: Any) -> Result:
        entry = self.pending.pop(task.fetch_id, None)
        if entry is None or self.pool is None:
            return read_page(self.load(task.sha256), task.url, task.kind)
        future, body = entry
        result = self.pool.result(future, body, task.url, task.kind)
        self._fill()
        return result

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
