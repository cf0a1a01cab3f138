"""No real report's text is in the project: its fixtures and templates are its own.

Long runs of characters from the shared real reports must not appear in any tracked
file, except the official template vocabulary (labels every report prints).
"""

from __future__ import annotations

import re
import subprocess

import pytest

from govcrawl.extract import keys as K
from govcrawl.extract.htmlsource import parse_html

from conftest import ROOT, SHARED

RUN = 26  # characters: long enough to be a report's own sentence, not a formula


def _official_vocabulary() -> str:
    labels = [r.label for r in (*K.REQUEST_ROWS, *K.PROACTIVE_ROWS, *K.APPEAL_ROWS)]
    labels += [c.label for c in (*K.REQUEST_COLUMNS, *K.APPEAL_COLUMNS)]
    labels += ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"]
    # Formulae every report repeats (report-format.md §2 and §7a): the six section
    # names listed in the opening paragraph, and the statistical-period sentence.
    sections = ["总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项"]
    labels.append("包括" + "、".join(sections))
    labels.append("本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）")
    for year in range(2008, 2031):
        labels.append(f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止")
        labels.append(f"本报告所列数据的统计期限为{year}年1月1日至{year}年12月31日")
    return "\n".join(labels)


def _cjk_runs(text: str) -> set[str]:
    runs = set()
    for chunk in re.findall(rf"[\u4e00-\u9fff，、；：（）“”《》0-9]{{{RUN},}}", text):
        for start in range(0, len(chunk) - RUN + 1, 4):
            runs.add(chunk[start:start + RUN])
    return runs


def test_no_real_report_text_in_tracked_files():
    texts = sorted((SHARED / "corpus" / "texts").glob("*.txt")) + sorted((SHARED / "seeds").glob("*.txt"))
    if not texts:
        pytest.skip("shared material not available")
    real: set[str] = set()
    for path in texts:
        real |= _cjk_runs(path.read_text(encoding="utf-8", errors="replace"))
    for page in sorted((SHARED / "corpus" / "pingtan").glob("*/page.html")):
        real |= _cjk_runs(parse_html(page.read_bytes(), page.name).text)
    official = _official_vocabulary()
    real = {run for run in real if run not in official}
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    found = []
    for name in tracked:
        path = ROOT / name
        if path.suffix in (".pdf", ".docx", ".png") or not path.is_file():
            continue
        data = path.read_bytes()
        text = data.decode("utf-8", errors="ignore") if b"\x00" not in data else ""
        if "gbk" in name:
            text = data.decode("gbk", errors="ignore")
        found += [f"{name}: {run}" for run in _cjk_runs(text) & real]
    assert found == []
