"""Timestamps as the archive stores them: UTC, to the second, ISO 8601."""

from __future__ import annotations

import datetime as dt


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
