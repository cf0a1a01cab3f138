"""The frozen fixtures extract to exactly the figures they were generated from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govcrawl.extract.record import extract_bytes

from conftest import FILES, fixture_bytes, fixture_expected

NAMES = sorted(p.name for p in FILES.iterdir() if not p.name.endswith(".json"))
RECORD_KEYS = ["source", "title", "agency", "year", "template", "period_start", "period_end",
               "published", "contact", "sections", "metrics", "cells", "checks", "warnings"]


def test_there_are_fixtures_of_every_kind():
    assert any(n.endswith(".txt") for n in NAMES)
    assert any("gbk" in n for n in NAMES)
    assert {"2019", "2021", "legacy"} <= {fixture_expected(n)["template"] for n in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_fixture_extracts_exactly(name):
    expected = fixture_expected(name)
    record = extract_bytes(fixture_bytes(name), name)
    assert list(record) == RECORD_KEYS
    for field in ("title", "agency", "year", "template", "period_start", "period_end", "published"):
        assert record[field] == expected[field], field
    assert record["contact"] == expected["contact"]
    for key, value in expected["metrics"].items():
        assert record["metrics"].get(key) == value, key
    if expected["template"] != "legacy":
        assert [c["status"] for c in record["checks"] if c["status"] != "pass"] == []
        assert [s["number"] for s in record["sections"]] == [1, 2, 3, 4, 5, 6]


def test_gbk_fixture_really_is_gbk():
    data = fixture_bytes("r2019-gbk.html")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "示范市".encode("gbk") in data


def test_unmapped_local_row_is_kept_and_warned():
    record = extract_bytes(fixture_bytes("r2019-quirks.html"), "r2019-quirks.html")
    local = [c for c in record["cells"] if c["label"] == "其他主动公开文件"]
    assert local and all(c["row"] is None and c["table"] == "proactive" for c in local)
    assert any("其他主动公开文件" in w for w in record["warnings"])


def test_2021_other_is_derived_from_its_three_rows():
    record = extract_bytes(fixture_bytes("r2021-utf8.html"), "r2021-utf8.html")
    m = record["metrics"]
    for col in ("natural_person", "total"):
        parts = sum(m[f"requests.other.{sub}.{col}"] for sub in ("no_correction", "unpaid_fee", "other"))
        assert m[f"requests.other.{col}"] == parts
    derived = [c for c in record["cells"] if c.get("derived")]
    assert {c["row"] for c in derived} == {"other"} and len(derived) == 7


def test_single_other_row_in_a_2021_table():
    record = extract_bytes(fixture_bytes("r2021-single-other.html"), "x.html")
    assert record["template"] == "2021"
    assert "requests.other.total" in record["metrics"]
    assert not any(k.startswith("requests.other.no_correction") for k in record["metrics"])
    assert all(c["status"] == "pass" for c in record["checks"])


def test_blank_cells_count_as_zero_and_say_so():
    record = extract_bytes(fixture_bytes("r2021-blank-lines.txt"), "x.txt")
    blanks = [c for c in record["cells"] if c.get("blank")]
    assert blanks and all(c["value"] == 0 and c["raw"] == "" for c in blanks)


def test_legacy_local_statistics_table_goes_to_legacy_cells():
    record = extract_bytes(fixture_bytes("legacy-2017.html"), "legacy.html")
    legacy = {c["label"]: c["value"] for c in record["cells"] if c["table"] == "legacy"}
    assert legacy["行政复议数"] == 0
    assert "主动公开政府信息数" in legacy
    prose = [c for c in record["cells"] if c.get("derived_from") == "text"]
    assert {c["row"] for c in prose} >= {"new", "items_published"}


def test_expected_files_are_json():
    for path in Path(FILES).glob("*.expected.json"):
        json.loads(path.read_text(encoding="utf-8"))
