"""Which report a record is, and which version of it: pure functions of the record.

The crawl's dedupe stage and ``reextract`` compute these once per page and hand them to
the store with the record (govcrawl.archive.versions.Reading); the store never
recomputes them.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

_SPACE = re.compile(r"\s+")


def report_id_for(record: dict[str, Any], url: str) -> str:
    """A stable id from agency + year (the same report on two portals is one report)."""
    agency = _SPACE.sub("", record.get("agency") or "")
    basis = f"{agency}|{record.get('year')}" if agency else f"url|{url}|{record.get('year')}"
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def fingerprint(record: dict[str, Any]) -> str:
    """What makes a version: its figures and its normalised text (not the page chrome)."""
    text = "\n".join(_SPACE.sub("", s["text"]) for s in record["sections"])
    basis = json.dumps({"title": record["title"], "agency": record["agency"], "year": record["year"],
                        "metrics": record["metrics"], "text": text,
                        "contact": record["contact"], "period": [record["period_start"],
                                                                  record["period_end"]]},
                       ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()
