"""The command line's exit codes and its one error family.

Every command ends with one of :class:`ExitCode`; a failure is a :class:`CliError`
(a ``click.ClickException`` carrying its code), printed as one line ``govcrawl: …`` on
stderr — never a traceback (``GOVCRAWL_DEBUG=1`` shows one).
"""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import IO, Any

import click


class ExitCode(IntEnum):
    OK = 0                  # finished, every portal read completely (per-URL errors recorded)
    INCOMPLETE = 1          # the crawl did not run to its end (stopped, shut down)
    BAD_INPUT = 2           # bad usage, a bad registry, a file that is not a report, Redis unreachable
    LOCKED = 3              # another crawl is writing the archive
    PORTALS_INCOMPLETE = 4  # finished, but a portal was not read completely: blocked, unreached, a
                            # listing page failed or a limit was reached (nothing reached at all is this too)
    ARCHIVE = 5             # the archive cannot be opened or written (corrupt, read-only, disk full)


class CliError(click.ClickException):
    """A failure the user can act on: one line on stderr, and its exit code."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, code: ExitCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.exit_code = code

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"govcrawl: {self.format_message()}", err=True, file=file)


class BadInput(CliError):
    exit_code = ExitCode.BAD_INPUT


class Locked(CliError):
    exit_code = ExitCode.LOCKED


class ArchiveFailed(CliError):
    exit_code = ExitCode.ARCHIVE


def exit_with(code: ExitCode) -> None:
    """End a command that has printed its own summary with ``code``."""
    sys.exit(int(code))
