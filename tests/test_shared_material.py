"""Extraction on real reports from ../shared/ (skipped cleanly where it is absent)."""

from __future__ import annotations

import json

import pytest

from govcrawl.extract import keys as K
from govcrawl.extract.record import extract_bytes

from conftest import shared_path
from corpus_truth import score_corpus

pytestmark = pytest.mark.shared


def test_seed_report():
    path = shared_path("seeds", "000_5dfec4ccc80cd26b.txt")
    record = extract_bytes(path.read_bytes(), path.name)
    assert record["agency"] == "郑州市中原区政务服务办公室"
    assert record["year"] == 2020
    assert record["template"] == "2019"
    assert (record["period_start"], record["period_end"]) == ("2020-01-01", "2020-12-31")
    assert record["contact"]["address"] == "郑州市中原路百花路13号"
    assert record["contact"]["postcode"] == "450007"
    assert record["contact"]["phone"] == "0371-56081816"
    metrics = record["metrics"]
    request_keys = [f"requests.{r.key}.{c.key}" for r in K.REQUEST_ROWS
                    if not r.key.startswith("other.") for c in K.REQUEST_COLUMNS]
    appeal_keys = [f"appeals.{r.key}.{c.key}" for r in K.APPEAL_ROWS for c in K.APPEAL_COLUMNS]
    assert len(request_keys) == 23 * 7 and len(appeal_keys) == 15
    for key in request_keys + appeal_keys:
        assert metrics[key] == 0, key
    assert metrics["proactive.procurement.items"] == 12
    assert metrics["proactive.procurement.amount_yuan"] == 3400652.76
    proactive_2019 = [k.key for k in K.all_keys() if k.table == "proactive" and not k.prose_only
                      and "2019" in k.templates and k.row != "procurement"]
    for key in proactive_2019:
        assert metrics[key] == 0, key
    assert record["checks"] and all(c["status"] == "pass" for c in record["checks"])
    assert [s["number"] for s in record["sections"]] == [1, 2, 3, 4, 5, 6]


def test_corpus_truth_score():
    shared_path("corpus", "truth.jsonl")
    right, total, misses = score_corpus()
    score = right / total
    print(f"\ncorpus truth: {right}/{total} fields right ({100 * score:.1f}%)")
    for miss in misses:
        print("  miss:", miss)
    assert total >= 250
    assert score >= 0.97


def _pingtan_cases():
    try:
        truth_path = shared_path("corpus", "pingtan", "truth.jsonl")
    except pytest.skip.Exception:
        return []
    return [json.loads(line) for line in truth_path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("truth", _pingtan_cases() or [None], ids=lambda t: t and t["id"])
def test_pingtan_pages(truth):
    if truth is None:
        pytest.skip("shared material not available: corpus/pingtan")
    page = shared_path("corpus", "pingtan", truth["id"], "page.html")
    record = extract_bytes(page.read_bytes(), page.name)
    assert record["agency"] == truth["agency"]
    assert record["year"] == truth["year"]
    assert record["template"] == truth["format"]
    assert record["title"] and str(truth["year"]) in record["title"]
    assert record["published"] == truth["published"]
    for field in ("address", "postcode", "phone", "email"):
        assert record["contact"][field] == truth[field], field
    for key, value in truth["metrics"].items():
        assert record["metrics"].get(key) == value, key
    if truth["format"] in ("2019", "2021"):
        expected = [k.key for k in K.all_keys() if truth["format"] in k.templates
                    and not k.prose_only
                    and k.table in ("requests", "appeals", "proactive")
                    and not (truth["format"] == "2019" and k.row.startswith("other."))]
        missing = [key for key in expected if key not in record["metrics"]]
        assert missing == [], "every canonical cell present"
    failing = sorted({c["rule"] for c in record["checks"] if c["status"] == "fail"})
    assert failing == sorted(truth.get("failing_checks", []))


def test_listing_fragment_is_not_a_report():
    listing = shared_path("corpus", "pingtan", "_lists", "index.html")
    from govcrawl.extract.errors import ExtractionError

    with pytest.raises(ExtractionError):
        extract_bytes(listing.read_bytes(), listing.name)


@pytest.mark.parametrize("kind", sorted(__import__("corpus_perturbed").KINDS))
def test_the_real_reports_as_other_tools_leave_them_read_as_well_and_flag_what_they_miss(kind):
    import corpus_perturbed

    shared_path("corpus", "real2", "truth.jsonl")
    right, total, misses, unflagged = corpus_perturbed.score(kind)
    assert unflagged == []
    assert right / total >= 0.97, misses
