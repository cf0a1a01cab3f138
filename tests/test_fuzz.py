"""Damaged input never becomes an internal error, a traceback, or an unbounded cost."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

from conftest import ROOT, SHARED

MEMORY_MB = 1536  # the process's address space: a reader that asks for more fails the run


def _limit() -> None:
    limit = MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_three_hundred_and_more_mutations_are_read_or_refused_with_a_reason():
    real = sorted(str(p) for p in (SHARED / "corpus" / "pingtan").glob("*/page.html"))[:2]
    count = 360
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "fuzzing.py"), "20261206", str(count), *real],
                            capture_output=True, text=True, timeout=600, cwd=ROOT, preexec_fn=_limit)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["count"] == count
    assert summary["internal"] == []
    assert summary["slowest"] < 10, summary
    assert summary["read"] > count // 3, summary  # most damage leaves a report readable


def test_the_pathological_inputs_of_the_issue_cost_seconds_and_megabytes():
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "fuzzing.py"), "pathological"],
                            capture_output=True, text=True, timeout=300, cwd=ROOT, preexec_fn=_limit)
    assert result.returncode == 0, result.stderr[-3000:]
    cases = json.loads(result.stdout.strip().splitlines()[-1])
    assert cases["control characters"][0] is True, cases
    assert "corrupt Office file" in (cases["docx with a bad CRC"][1] or ""), cases
    assert cases["xlsx merging a whole sheet"][1] and "internal" not in cases["xlsx merging a whole sheet"][1]
    assert "internal" not in (cases["a page of huge spans"][1] or "")
    assert all(seconds < 10 for _, _, seconds in cases.values()), cases
