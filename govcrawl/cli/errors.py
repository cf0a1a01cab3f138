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
    OK = 0
    INCOMPLETE = 1  # a crawl that did not finish (killed, shut down)
    BAD_INPUT = 2   # bad usage, a bad registry, a file that is not a report, Redis unreachable
    LOCKED = 3      # another crawl is writing the archive


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


def exit_with(code: ExitCode) -> None:
    """End a command that has printed its own summary with ``code``."""
    sys.exit(int(code))
