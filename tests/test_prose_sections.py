"""Figures stated in prose, and the six sections."""

from __future__ import annotations

from govcrawl.extract.prose import prose_cells
from govcrawl.extract.sections import sections


def figures(text):
    return {c.key: c.value for c in prose_cells(text)}


def test_request_figures_in_prose():
    text = "2022年，全县共收到政府信息公开申请42件，上年结转0件，全年依法办结41件，结转下年度继续办理1件。"
    assert figures(text) == {"requests.new.total": 42, "requests.carried_over.total": 0,
                             "requests.results_total.total": 41,
                             "requests.carried_forward.total": 1}
    assert all(c.derived_from == "text" for c in prose_cells(text))


def test_zero_statements():
    found = figures("2018年未收到有关政府信息公开申请。2018年未发生因政府信息公开申请提起的行政复议和行政诉讼案件。")
    assert found["requests.new.total"] == 0
    assert found["appeals.review.total"] == 0
    assert found["appeals.litigation_direct.total"] == 0


def test_unrelated_counts_are_not_requests():
    assert figures("全年办理12345热线工单办结15042件。") == {}


def test_suits_not_said_to_be_direct_go_to_the_generic_key():
    found = figures("2022年度发生行政复议案件1件，为其他结果；行政诉讼案件2件。")
    assert found == {"appeals.review.total": 1, "appeals.litigation.total": 2}


def test_items_published():
    assert figures("全年主动公开政府信息2069条。")["proactive.items_published.total"] == 2069


def test_sections_loose_headings_in_order():
    text = ("引言\n一、总体情况\n甲\n二. 主动公开政府信息情况\n乙\n三、收到和处理政府信息公开申请情况\n"
            "三、本年度办理结果 | (一)予以公开 | 0\n四、政府信息公开行政复议、行政诉讼情况\n丙\n"
            "五、政府信息公开工作存在的主要问题及改进情况\n丁\n六、其他需要报告的事项\n无")
    found = sections(text)
    assert [s["number"] for s in found] == [1, 2, 3, 4, 5, 6]
    assert found[0] == {"number": 1, "heading": "一、总体情况", "text": "甲"}
    assert found[1]["heading"] == "二. 主动公开政府信息情况"
    assert "予以公开" in found[2]["text"]
