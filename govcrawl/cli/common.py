"""What every command shares: one way to name the archive (``--db``, or GOVCRAWL_DB), one
way to open it to read or to write, ``--quiet`` for cron, and progress on a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from govcrawl.cli.errors import ArchiveFailed, BadInput

DEFAULT_DB = Path("data") / "archive.db"
DEMO_DB = Path("data") / "demo.db"


def db_option(func: Callable[..., Any] | None = None, *, exists: bool = False) -> Any:
    """``--db FILE`` (default data/archive.db, or GOVCRAWL_DB): the archive, for every command."""
    def decorate(f: Callable[..., Any]) -> Any:
        return click.option("--db", "db_path", envvar="GOVCRAWL_DB", show_envvar=True, default=str(DEFAULT_DB),
                            show_default=True, type=click.Path(dir_okay=False, path_type=Path),
                            help="The archive.")(f)
    return decorate(func) if func is not None else decorate


def missing_archive(db_path: Path) -> BadInput:
    hint = (f" (the demo's archive is {DEMO_DB}: --db {DEMO_DB})" if db_path == DEFAULT_DB and DEMO_DB.is_file()
            else " (run `govcrawl demo` or `govcrawl crawl` first)")
    return BadInput(f"{db_path}: no such archive{hint}")


def open_to_read(db_path: Path):
    """The archive, read-only: its bytes unchanged, on read-only media too."""
    from govcrawl.archive.schema import open_readonly

    if not db_path.is_file():
        raise missing_archive(db_path)
    return _opened(db_path, open_readonly, "read")


def open_to_write(db_path: Path):
    """The archive, shaped (created or migrated)."""
    from govcrawl.archive.schema import open_db

    return _opened(db_path, open_db, "open to write")


def _opened(db_path: Path, opener: Callable[[str], Any], verb: str):
    import sqlite3

    from govcrawl.archive.schema import SchemaError

    try:
        return opener(str(db_path))
    except SchemaError as exc:
        raise BadInput(f"{db_path}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise ArchiveFailed(f"{db_path}: cannot {verb} the archive ({exc})") from None


def quiet_option(func: Callable[..., Any]) -> Any:
    return click.option("--quiet", "-q", is_flag=True,
                        help="Print nothing unless something went wrong (for cron: mail only on failure).")(func)


class Progress:
    """A line on stderr that rewrites itself while a long job runs — only on a terminal
    (cron and pipes get nothing), at most a few times a second."""

    def __init__(self, label: str, total: int | None = None, stream: Any = None) -> None:
        self.label, self.total, self.stream = label, total, stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = self.last = time.monotonic()
        self.done = 0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and now - self.last >= 0.25:
            self.last = now
            of = f"/{self.total}" if self.total else ""
            self.stream.write(f"\r{self.label}: {self.done}{of} ({now - self.start:.0f} s)")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()
