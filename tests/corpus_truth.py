"""Score extraction against the shared corpus's hand-checked truth (truth.jsonl).

Run directly for a per-field report: ``python tests/corpus_truth.py [--verbose]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from govcrawl.extract.record import extract_bytes

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"

#: truth field → where it lives in the record (a dotted path, or a metric key).
FIELD_MAP: dict[str, str] = {
    "format": "template",
    "year": "year",
    "agency": "agency",
    "period_start": "period_start",
    "period_end": "period_end",
    "address": "contact.address",
    "postcode": "contact.postcode",
    "phone": "contact.phone",
    "email": "contact.email",
    "new_applications_total": "metric:requests.new.total",
    "carried_over_total": "metric:requests.carried_over.total",
    "results_total": "metric:requests.results_total.total",
    "carried_forward_total": "metric:requests.carried_forward.total",
    "natural_person_new": "metric:requests.new.natural_person",
    "review_total": "metric:appeals.review.total",
    "litigation_direct_total": "metric:appeals.litigation_direct.total",
    "litigation_after_review_total": "metric:appeals.litigation_after_review.total",
}


def record_value(record: dict[str, Any], truth_field: str) -> Any:
    if truth_field in ("regulations_current", "normative_docs_current"):
        row = truth_field.replace("_current", "")
        col = "in_force" if record.get("template") == "2021" else "total_published"
        return record["metrics"].get(f"proactive.{row}.{col}")
    where = FIELD_MAP[truth_field]
    if where.startswith("metric:"):
        return record["metrics"].get(where[len("metric:"):])
    value: Any = record
    for part in where.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


SCORED = (*FIELD_MAP, "regulations_current", "normative_docs_current")


def score_corpus(verbose: bool = False) -> tuple[int, int, list[str]]:
    """(right, total, misses) over every non-null truth field of corpus/truth.jsonl."""
    right = total = 0
    misses: list[str] = []
    for line in (CORPUS / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        truth = json.loads(line)
        path = CORPUS / "texts" / f"{truth['id']}.txt"
        record = extract_bytes(path.read_bytes(), str(path.name))
        for field in SCORED:
            expected = truth.get(field)
            if expected is None:
                continue
            got = record_value(record, field)
            total += 1
            if got == expected:
                right += 1
            else:
                misses.append(f"{truth['id']} {field}: expected {expected!r}, got {got!r}")
    if verbose:
        print("\n".join(misses))
    return right, total, misses


if __name__ == "__main__":
    r, t, _ = score_corpus(verbose="--verbose" in sys.argv)
    print(f"corpus: {r}/{t} truth fields right ({100 * r / t:.1f}%)")
