"""One writer per archive: an exclusive lock file beside it, released when the process dies."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class CrawlLocked(RuntimeError):
    """Another crawl is writing this archive."""


class ArchiveLock:
    """An exclusive, non-blocking lock beside the archive (released when the process dies)."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self.handle = None

    def __enter__(self) -> ArchiveLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "another process"
            self.handle.close()
            raise CrawlLocked(f"another crawl is writing {self.path.with_suffix('')} "
                              f"(pid {holder}); try again when it has finished") from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(str(os.getpid()))
        self.handle.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
