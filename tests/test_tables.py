"""The table interpreter on small hand-written inputs: labels decide, positions fill in."""

from __future__ import annotations

from govcrawl.extract.document import SourceRow
from govcrawl.extract.record import extract_bytes
from govcrawl.extract.tables import interpret
from govcrawl.extract.textsource import text_rows

SEVEN = ["1", "0", "0", "0", "0", "0", "1"]


def cells_of(rows, template="2019"):
    result = interpret(rows, template)
    return {c.key: c for c in result.cells if c.key}, result


def test_group_label_carried_into_first_leaf_row():
    rows = [SourceRow(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"]),
            SourceRow(["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", *SEVEN]),
            SourceRow(["2.其他法律行政止公开", *SEVEN])]
    cells, _ = cells_of(rows)
    assert cells["requests.denied.state_secret.total"].value == 1
    assert cells["requests.denied.prohibited_by_law.total"].value == 1


def test_header_cells_are_not_rows():
    rows = [SourceRow(["（本列数据的勾稽关系为…）", "申请人情况"]),
            SourceRow(["自然人", "法人或其他组织", "总计"]),
            SourceRow(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]),
            SourceRow(["3.其他", *SEVEN]), SourceRow(["（七）总计", *SEVEN])]
    cells, result = cells_of(rows, "2021")
    assert cells["requests.other.other.total"].value == 1
    assert cells["requests.results_total.total"].value == 1
    assert result.warnings == []


def test_proactive_header_decides_columns_and_signs_are_kept():
    rows = [SourceRow(["第二十条第(五)项"]),
            SourceRow(["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]),
            SourceRow(["行政许可", "396", "-18", "278"])]
    cells, _ = cells_of(rows)
    assert cells["proactive.licensing.prev_items"].value == 396
    assert cells["proactive.licensing.change"].value == -18
    assert cells["proactive.licensing.decisions"].value == 278


def test_unreadable_header_falls_back_to_template_columns_with_a_warning():
    rows = [SourceRow(["第二十条第(一)项"]),
            SourceRow(["信息内容", "本年新", "本年新", "对外公开总数量"]),
            SourceRow(["规章", "1", "2", "3"])]
    cells, result = cells_of(rows)
    assert [cells[f"proactive.regulations.{c}"].value
            for c in ("new_made", "new_published", "total_published")] == [1, 2, 3]
    assert any("not recognised" in w for w in result.warnings)


def test_2019_columns_in_a_2021_table_are_mapped_with_a_warning():
    rows = [SourceRow(["第二十条第(一)项"]),
            SourceRow(["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]),
            SourceRow(["规范性文件", "2", "2", "8"]),
            SourceRow(["第二十条第(五)项"]), SourceRow(["信息内容", "本年处理决定数量"]),
            SourceRow(["行政许可", "5"])]
    cells, result = cells_of(rows, "2021")
    assert cells["proactive.normative_docs.issued"].value == 2
    assert cells["proactive.normative_docs.in_force"].value == 8
    assert cells["proactive.licensing.decisions"].value == 5
    assert any("2019 column" in w for w in result.warnings)


def test_fees_in_wan_yuan_and_procurement_in_yuan():
    rows = [SourceRow(["第二十条第(八)项"]), SourceRow(["信息内容", "本年收费金额（单位：万元）"]),
            SourceRow(["行政事业性收费", "1,234.5"]),
            SourceRow(["第二十条第(九)项"]), SourceRow(["信息内容", "采购项目数量", "采购总金额"]),
            SourceRow(["政府集中采购", "3个", "12.5万元"])]
    cells, _ = cells_of(rows, "2021")
    assert cells["proactive.fees.amount_10k_yuan"].value == 1234.5
    assert cells["proactive.procurement.items"].value == 3
    assert cells["proactive.procurement.amount_yuan"].value == 125000


def test_a_blank_template_gives_null_cells_and_no_metrics():
    rows = [SourceRow(["（本列数据的勾稽关系为…）", "申请人情况"]),
            SourceRow(["一、本年新收政府信息公开申请数量", *[""] * 7]),
            SourceRow(["二、上年结转政府信息公开申请数量", *[""] * 7])]
    cells, _ = cells_of(rows)
    assert cells and all(c.value is None and c.blank for c in cells.values())


def test_only_a_total_is_read_as_the_total():
    rows = [SourceRow(["（本列数据的勾稽关系为…）"]), SourceRow(["一、本年新收政府信息公开申请数量", "7"])]
    cells, result = cells_of(rows)
    assert cells["requests.new.total"].value == 7 and "requests.new.natural_person" not in cells
    assert result.warnings


def test_appeals_figures_run_on_after_the_header():
    text = ("行政复议 | 行政诉讼\n结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉\n"
            "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计\n"
            + " | ".join(str(i) for i in range(15)) + " |\n")
    cells, _ = cells_of(text_rows(text))
    assert cells["appeals.review.upheld"].value == 0
    assert cells["appeals.litigation_after_review.total"].value == 14


def test_page_footer_inside_a_table_is_ignored():
    text = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |\n"
            "一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n- 4 -\n"
            "二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n") * 1 + "x | y |\n" * 4
    cells, _ = cells_of(text_rows(text))
    assert cells["requests.carried_over.total"].value == 0
    assert not any(c.raw == "- 4 -" for c in cells.values())


def test_labels_broken_across_lines_rejoin():
    text = "\n|\n".join(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况",
                         "自然人", "法人或其他组织", "总计", "商业\n企业", "科研\n机构", "社会公益组织",
                         "法律服务机构", "其他", "一、本年新收政府信息公开申请\n数量", *SEVEN]) + "\n|\n"
    cells, _ = cells_of(text_rows(text))
    assert cells["requests.new.natural_person"].value == 1


def test_a_report_cut_off_mid_table_keeps_what_it_has():
    text = ("某某局2021年政府信息公开工作年度报告\n一、总体情况\n"
            "本报告所列数据统计期限为2021年1月1日至2021年12月31日。\n"
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |\n"
            "一、本年新收政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |\n"
            "二、上年结转政府信息公开申请数量 | 0 | 0 |")
    record = extract_bytes(text.encode(), "cut.txt")
    assert record["metrics"]["requests.new.total"] == 3
    balance = [c for c in record["checks"] if c["rule"] == "requests.balance"]
    assert {c["status"] for c in balance} == {"not_assessable"}
    assert any("2 of 7" in w for w in record["warnings"])


def test_pdf_to_text_rows_with_space_separated_figures():
    text = ("三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 30 5 0 0 1 0 36\n"
            "二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1\n三、\n本\n年\n（一）予以公开 20 5 0 0 1 0 26\n"
            "（二）部分公开（区分处理的，只计这一情\n形，不计其他情形） 2 0 0 0 0 0 2\n（三）不\n予公开\n"
            "1.属于国家秘密 0 0 0 0 0 0 0\n行政处罚 3985\n")
    cells, _ = cells_of(text_rows(text))
    assert cells["requests.new.total"].value == 36
    assert cells["requests.partly_granted.natural_person"].value == 2
    assert cells["requests.denied.state_secret.total"].value == 0


def test_a_real_pdf_to_text_dump_of_table_3():
    from conftest import shared_path

    dump = shared_path("peer-fixtures", "govnianbao", "section3_raw_text.txt")
    cells, _ = cells_of(text_rows(dump.read_text(encoding="utf-8")), "2021")
    assert cells["requests.new.total"].value == 3119
    assert cells["requests.new.legal_services"].value == 61
    assert cells["requests.denied.query_matter.total"].value == 105
    assert cells["requests.unavailable.not_held.total"].value == 769
    assert cells["proactive.fees.amount_10k_yuan"].value == 96171.6
