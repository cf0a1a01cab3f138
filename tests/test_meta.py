"""Metadata from prose: period, contact, agency, year, title, published date."""

from __future__ import annotations

import pytest

from govcrawl.extract import meta as M


@pytest.mark.parametrize("sentence", [
    "本报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。",
    "本报告所列数据的统计期限为2020年1月1日至2020年12月31日。",
    "本年度报告中所列数据统计期限为2020年1月1日至12月31日。",
    "报告所列数据的统计期限自2020年1月1日起至12月31日止，",
    "所列数据统计时限为2020年1月1日-2020年12月31日。",
    "本报告信息数据统计期限为：2020年1月1日-2020年12月31日。",
    "本年度报告中使用的数据统计期限为2020年1月1日-12月31日。",
    "所列数据统计时限为二〇二〇年一月一日至十二月三十一日。",
    "本年度报告中所列数据统计期限从2020年1月1日到12月31日止。",
    "本报告统计时间段：2020年1月1日至2020年12月31日",
])
def test_period_wordings(sentence):
    assert M.period("根据《条例》编制本报告。" + sentence) == ("2020-01-01", "2020-12-31")


def test_a_date_range_without_statistical_context_is_not_the_period():
    assert M.period("2020年3月1日至3月5日开展培训。") == (None, None)


@pytest.mark.parametrize(("text", "expected"), [
    ("如对本报告有任何疑问，请与某市某区统计局办公室联系（地址：某市人民路1号；邮编：100001；"
     "电话：010-12345678；传真：010-12345679；电子邮箱：tj@example.cn）。",
     {"agency": "某市某区统计局办公室", "address": "某市人民路1号", "postcode": "100001",
      "phone": "010-12345678", "fax": "010-12345679", "email": "tj@example.cn"}),
    ("如对本报告有疑问和意见建议，请与某镇人民政府联系(地址:某镇振兴大道,邮编:236700,联系电话:0558-8931187)。",
     {"agency": "某镇人民政府", "address": "某镇振兴大道", "postcode": "236700",
      "phone": "0558-8931187", "fax": None, "email": None}),
    ("请联系:某县某镇人民政府办公室,邮政编码:324406,联系电话:0570-7043307、0570-7043308,传真:0570-7041202。",
     {"agency": "某县某镇人民政府办公室", "address": None, "postcode": "324406",
      "phone": "0570-7043307、0570-7043308", "fax": "0570-7041202", "email": None}),
    ("请与某局办公室联系（联系地址：某市某路14层；邮 编：350400；电话/传真：0591-23165370；"
     "电子邮箱：abc＠163.com。",
     {"agency": "某局办公室", "address": "某市某路14层", "postcode": "350400",
      "phone": "0591-23165370", "fax": "0591-23165370", "email": "abc@163.com"}),
    ("请与某乡政府信息公开办公室联系，联系电话：0818—6972129。",
     {"agency": "某乡政府信息公开办公室", "address": None, "postcode": None,
      "phone": "0818—6972129", "fax": None, "email": None}),
])
def test_contact_separator_styles(text, expected):
    assert M.contact(text).as_dict() == expected


@pytest.mark.parametrize(("title", "agency"), [
    ("广州市番禺区统计局2021年政府信息公开工作年度报告", "广州市番禺区统计局"),
    ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅"),
    ("2016年朝阳乡政府信息公开工作年度报告", "朝阳乡"),
    ("衡阳市国资委2019年度政府信息公开年度报告", "衡阳市国资委"),
    ("二〇二〇年度政府信息公开工作年度报告", None),
    ("2019年度政府信息公开年度报告", None),
])
def test_agency_from_title(title, agency):
    assert M.agency_from_title(title) == agency


def test_agency_from_the_reports_own_sentences():
    assert M.agency_from_text("根据《条例》规定，现公布某县2022年政府信息公开工作年度报告。") == "某县"
    assert M.agency_from_text("现向社会公布2021年某市教育局政府信息公开工作年度报告。") == "某市教育局"
    assert M.agency_from_text("一、总体情况\n2019年，某某旗深入贯彻落实条例。") == "某某旗"


def test_agency_from_contact_drops_the_office_of_a_bureau_only():
    assert M.agency_from_contact("某区统计局办公室") == "某区统计局"
    assert M.agency_from_contact("某区政务服务办公室") == "某区政务服务办公室"
    assert M.agency_from_contact("某市人民政府办公室政府信息公开处") == "某市人民政府办公室"


def test_qualify_agency_with_the_fuller_name_the_report_gives():
    assert M.qualify_agency("新下陆街道办事处", "由下陆区新下陆街道办事处编制。") == "下陆区新下陆街道办事处"
    assert M.qualify_agency("某县", "2020年，某县人民政府坚持以人民为中心。") == "某县人民政府"
    assert M.qualify_agency("某镇", "地址：某省某市某县某镇振兴大道") == "某镇"


@pytest.mark.parametrize(("text", "year"), [
    ("某局二〇二〇年政府信息公开工作年度报告", 2020),
    ("某局2020年度政府信息公开工作年度报告", 2020),
    ("现将2019年政府信息公开工作报告如下", 2019),
])
def test_year(text, year):
    assert M.year_from_title(text) == year or M.year_from_text(text) == year


def test_title_skips_breadcrumbs_and_notices():
    assert M.pick_title([
        "当前位置: 首页 > 政务公开 > 政府信息公开年报",
        "某市人民政府办公室关于公布某市2009年度政府信息公开工作年度报告的通知",
        "某市2009年度政府信息公开工作年度报告",
    ]) == "某市2009年度政府信息公开工作年度报告"


def test_published_date_from_meta_text_or_signature():
    assert M.published("", {"PubDate": "2021-03-05 08:58"}) == "2021-03-05"
    assert M.published("发布日期：2021-01-12 点击数：", {}) == "2021-01-12"
    assert M.published("正文\n某街道办事处\n2013年3月7日", {}) == "2013-03-07"
    assert M.published("正文", {}) is None
