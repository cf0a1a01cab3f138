"""The command line as a user meets it: output, exit codes, bad input."""

from __future__ import annotations

import json
import os
import resource
from pathlib import Path

import pytest

from govcrawl.cli import main

from conftest import FILES, ROOT, run_cli

RECORD_KEYS = ["source", "title", "agency", "year", "template", "period_start", "period_end",
               "published", "contact", "sections", "metrics", "cells", "checks", "warnings"]


def test_extract_json_prints_the_schema_record():
    result = run_cli("extract", str(FILES / "r2019-gbk.html"), "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert list(record) == RECORD_KEYS
    assert list(record["source"]) == ["path", "media_type", "sha256"]
    assert list(record["contact"]) == ["agency", "address", "postcode", "phone", "fax", "email"]
    assert record["source"]["media_type"] == "text/html"
    assert len(record["source"]["sha256"]) == 64
    cell = record["cells"][0]
    assert {"table", "row", "col", "value", "raw", "label"} <= set(cell)
    check = record["checks"][0]
    assert {"rule", "col", "status", "left", "right"} <= set(check)
    assert all(isinstance(v, int | float) for v in record["metrics"].values())


def test_extract_summary_is_readable():
    result = run_cli("extract", str(FILES / "r2021-utf8.html"))
    assert result.returncode == 0, result.stderr
    for word in ("title", "agency", "template 2021", "requests", "checks"):
        assert word in result.stdout


def test_sample_report_then_extract(tmp_path):
    out = tmp_path / "sample.html"
    assert run_cli("sample-report", str(out), "--template", "2019").returncode == 0
    result = run_cli("extract", str(out), "--json")
    record = json.loads(result.stdout)
    assert record["template"] == "2019" and record["agency"]
    assert all(c["status"] == "pass" for c in record["checks"])


def _bad(path, reason_word):
    result = run_cli("extract", str(path), "--json", timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and reason_word in lines[0]
    assert "Traceback" not in result.stderr


def test_empty_file(tmp_path):
    path = tmp_path / "empty.html"
    path.write_bytes(b"")
    _bad(path, "empty")


def test_binary_garbage(tmp_path):
    path = tmp_path / "garbage.html"
    path.write_bytes(os.urandom(200_000))
    _bad(path, "binary")


def test_missing_file(tmp_path):
    _bad(tmp_path / "nope.html", "cannot read")


def test_a_fifo_or_a_device_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "report.html"
    os.mkfifo(fifo)
    _bad(fifo, "not a regular file")  # run_cli's timeout would fail a hang
    _bad(Path("/dev/zero"), "not a regular file")


def test_a_page_that_is_not_a_report(tmp_path):
    path = tmp_path / "news.html"
    path.write_text("<html><head><title>区长调研春耕生产</title></head><body><h1>区长调研春耕生产</h1>"
                    "<p>3月5日，区长一行深入田间地头调研春耕备耕工作。</p></body></html>", encoding="utf-8")
    _bad(path, "not an annual report")


def test_unsupported_format_is_a_clear_error(tmp_path):
    path = tmp_path / "report.ofd"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    _bad(path, "unsupported format application/ofd")


def test_fifty_megabytes_of_nested_tags_fail_fast_with_bounded_memory(tmp_path):
    path = tmp_path / "nested.html"
    with path.open("w") as handle:
        handle.write("<html><body>")
        for _ in range(500):
            handle.write("<div><table><tr><td>" * 5_000)
    assert path.stat().st_size > 50_000_000
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    _bad(path, "too large")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert max(before, peak_kb) < 1_000_000  # under 1 GB resident


def test_deeply_nested_page_under_the_size_cap_does_not_hang(tmp_path):
    path = tmp_path / "nested-small.html"
    path.write_text("<html><body>" + "<div><span>" * 300_000 + "x", encoding="utf-8")
    _bad(path, "not an annual report")


def test_report_cut_off_mid_table_keeps_what_it_has(tmp_path):
    whole = (FILES / "r2021-utf8.html").read_bytes()
    cut = whole[: whole.index("（五）不予处理".encode())]
    path = tmp_path / "cut.html"
    path.write_bytes(cut)
    result = run_cli("extract", str(path), "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["metrics"]["requests.new.total"] >= 0
    statuses = {c["rule"]: c["status"] for c in record["checks"] if c["rule"] == "requests.balance"}
    assert statuses == {"requests.balance": "not_assessable"}
    assert not any(k.startswith("appeals.") and not k.startswith("appeals.litigation.")
                   and k != "appeals.review.total" for k in record["metrics"])


def _commands(group, prefix="govcrawl"):
    for name, command in sorted(group.commands.items()):
        yield f"{prefix} {name}"
        if hasattr(command, "commands"):
            yield from _commands(command, f"{prefix} {name}")


@pytest.mark.parametrize("command", list(_commands(main)))
def test_every_command_is_in_the_readme(command):
    assert command in (ROOT / "README.md").read_text(encoding="utf-8")
