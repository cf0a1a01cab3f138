"""The demo portal network: deterministic, realistic, and its manifest is the truth."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from govcrawl.demo import network
from govcrawl.demo.network import iter_reports, site_path
from govcrawl.extract.record import extract_bytes


@pytest.fixture(scope="module")
def epoch1(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "epoch-1"
    network.generate(root, epoch=1)
    return root


@pytest.fixture(scope="module")
def epoch2(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "epoch-2"
    network.generate(root, epoch=2)
    return root


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _bytes(root: Path, url: str) -> bytes:
    parts = urlsplit(url)
    return site_path(root, parts.hostname, parts.path + (f"?{parts.query}" if parts.query else "")) \
        .read_bytes()


def test_generating_twice_gives_identical_bytes(epoch1, tmp_path):
    again = tmp_path / "again"
    network.generate(again, epoch=1)
    assert _digest(again) == _digest(epoch1)


def test_the_network_has_every_cms_family_and_enough_units(epoch1):
    from govcrawl.crawl import cms

    manifest = json.loads((epoch1 / "manifest.json").read_text(encoding="utf-8"))
    assert {p["cms"] for p in manifest["portals"]} == set(cms.NAMES) - {"generic"}
    reports = list(iter_reports(epoch1))
    for portal in manifest["portals"]:
        levels = {}
        for r in reports:
            if r["portal"] == portal["id"]:
                levels.setdefault(r["level"], set()).add(r["unit"])
        assert len(levels["government"]) == 1
        assert len(levels["department"]) >= 2
        assert len(levels["street"]) >= 1
    years = {r["year"] for r in reports}
    assert years == set(range(2008, 2025)), "reports since the 2008 regulations"
    assert {r["template"] for r in reports} == {"legacy", "2019", "2021"}


def test_the_mess_of_real_portals_is_there(epoch1):
    manifest = json.loads((epoch1 / "manifest.json").read_text(encoding="utf-8"))
    reports = list(iter_reports(epoch1))
    kinds = {r["kind"] for r in reports}
    assert {"html", "pdf", "docx", "image"} <= kinds
    assert any(len(r["urls"]) == 2 for r in reports), "a report published on two columns"
    assert any(r["late"] for r in reports), "reports published after the deadline"
    assert any(r["failing_checks"] for r in reports), "agencies whose numbers do not add up"
    assert len(manifest["non_reports"]) >= 9
    for url in manifest["dead_links"]:
        with pytest.raises(FileNotFoundError):
            _bytes(epoch1, url)
    for url in manifest["deleted"]:
        assert b'http-equiv="refresh"' in _bytes(epoch1, url)
    for portal in manifest["portals"]:
        assert _bytes(epoch1, f"http://{portal['host']}/robots.txt").startswith(b"User-agent")
    trs = next(p for p in manifest["portals"] if p["cms"] == "trs")
    listing = _bytes(epoch1, trs["listing_urls"][0]).decode("gbk")
    assert "createPageHTML(" in listing
    hanweb = next(p for p in manifest["portals"] if p["cms"] == "hanweb")
    assert "pageNum=2" in _bytes(epoch1, hanweb["listing_urls"][0]).decode("utf-8")
    gd = next(p for p in manifest["portals"] if p["cms"] == "gd")
    assert "下一页" in _bytes(epoch1, gd["listing_urls"][0]).decode("utf-8")
    quirks = {q for r in reports for q in r["quirks"]}
    assert {"half_width", "typo", "blank_zeros", "slash_zeros", "split_table",
            "no_agency_in_title"} <= quirks


def test_carry_over_chains_across_years(epoch1):
    by_unit: dict[tuple[str, str], dict[int, dict]] = {}
    for r in iter_reports(epoch1):
        by_unit.setdefault((r["portal"], r["unit"]), {})[r["year"]] = r["metrics"]
    chained, recounted = 0, []
    for (portal, unit), years in by_unit.items():
        for year in range(2019, 2024):
            a, b = years.get(year, {}), years.get(year + 1, {})
            if "requests.carried_forward.total" in a and "requests.carried_over.total" in b:
                if a["requests.carried_forward.total"] != b["requests.carried_over.total"]:
                    recounted.append((portal, unit, year + 1))
                chained += 1
    assert chained > 50
    assert recounted == [("990103-xishan", "bm1", 2022)], "one planted recount, nothing else"


def test_one_unit_skipped_a_year(epoch1):
    years: dict[tuple[str, str], set[int]] = {}
    for r in iter_reports(epoch1):
        years.setdefault((r["portal"], r["unit"]), set()).add(r["year"])
    gaps = {unit: set(range(2008, 2025)) - got for unit, got in years.items() if got != set(range(2008, 2025))}
    assert gaps == {("990102-donghu", "jd1"): {2022}}


def _check_report(root: Path, report: dict) -> list[str]:
    problems = []
    for url in report["urls"]:
        record = extract_bytes(_bytes(root, url), url)
        for field in ("template", "agency", "year", "contact"):
            if record[field] != report[field]:
                problems.append(f"{url} {field}: {record[field]!r} != {report[field]!r}")
        for key, value in report["metrics"].items():
            if record["metrics"].get(key) != value:
                problems.append(f"{url} {key}: {record['metrics'].get(key)!r} != {value!r}")
        failing = sorted({c["rule"] for c in record["checks"] if c["status"] == "fail"})
        if failing != report["failing_checks"]:
            problems.append(f"{url} failing checks {failing} != {report['failing_checks']}")
    return problems


@pytest.mark.parametrize("epoch_fixture", ["epoch1", "epoch2"])
def test_every_html_report_extracts_to_its_manifest(epoch_fixture, request):
    root = request.getfixturevalue(epoch_fixture)
    problems = []
    checked = 0
    for report in iter_reports(root):
        if report["kind"] in ("pdf", "docx"):
            continue
        problems += _check_report(root, report)
        checked += 1
    assert checked > 300
    assert problems == []


def test_attachment_only_reports_extract_to_their_manifest(epoch1):
    attachment_reports = [r for r in iter_reports(epoch1) if r["kind"] in ("pdf", "docx")]
    assert {r["kind"] for r in attachment_reports} == {"pdf", "docx"}
    for report in attachment_reports:
        url = report["attachments"][0]
        record = extract_bytes(_bytes(epoch1, url), url)
        assert record["metrics"] == report["metrics"]
        for field in ("template", "agency", "year", "contact"):
            assert record[field] == report[field], (url, field)


def test_epoch_two_revises_removes_and_adds(epoch1, epoch2):
    m2 = json.loads((epoch2 / "manifest.json").read_text(encoding="utf-8"))
    first = {r["id"]: r for r in iter_reports(epoch1)}
    second = {r["id"]: r for r in iter_reports(epoch2)}
    changes = m2["changes"]
    assert set(second) == (set(first) - set(changes["removed"])) | set(changes["added"])
    assert {second[i]["year"] for i in changes["added"]} == {2025}
    for report_id in changes["removed"]:
        for url in first[report_id]["urls"]:
            with pytest.raises(FileNotFoundError):
                _bytes(epoch2, url)
    for report_id in changes["revised"]:
        a, b = first[report_id], second[report_id]
        assert a["urls"] == b["urls"]
        assert a["metrics"] != b["metrics"]
        assert _bytes(epoch1, a["urls"][0]) != _bytes(epoch2, b["urls"][0])
    unchanged = [i for i in first if i in second and i not in changes["revised"]]
    same = sum(_bytes(epoch1, first[i]["urls"][0]) == _bytes(epoch2, second[i]["urls"][0])
               for i in unchanged)
    assert same == len(unchanged), "unchanged reports keep their bytes across epochs"
    trs = next(p for p in m2["portals"] if p["cms"] == "trs")
    assert _bytes(epoch1, trs["listing_urls"][0]) != _bytes(epoch2, trs["listing_urls"][0])


def test_scale_generates_n_portals_quickly(tmp_path):
    manifest = network.generate(tmp_path / "scaled", epoch=1, scale=5)
    assert len(manifest["portals"]) == 5
    assert 700 <= manifest["report_count"] <= 1000
    assert len({p["host"] for p in manifest["portals"]}) == 5
