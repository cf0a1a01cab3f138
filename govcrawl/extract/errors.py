"""The one error extraction raises: a file that cannot become a report record."""

from __future__ import annotations


class ExtractionError(Exception):
    """Bad input with its reason; callers record it and go on (never a traceback)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
