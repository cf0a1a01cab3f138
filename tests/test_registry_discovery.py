"""The portal registry and the spider's network-free helpers."""

from __future__ import annotations

import pytest

from govcrawl import registry
from govcrawl.crawl import discovery
from govcrawl.demo import network


def entry(**overrides):
    base = {"id": "510522-hejiang", "province": "四川", "district": "合江县", "code": "510522",
            "homepage": "https://www.hejiang.gov.cn/", "allowed_domains": ["www.hejiang.gov.cn"],
            "listing_urls": ["https://www.hejiang.gov.cn/gk/zfxxgknb/"]}
    return {**base, **overrides}


def test_a_valid_entry_loads():
    (portal,) = registry.parse_registry([entry()])
    assert portal.id == "510522-hejiang" and portal.cms == "generic" and not portal.verified


@pytest.mark.parametrize(("change", "message"), [
    ({"listing_urls": []}, "portal 510522-hejiang: field listing_urls: missing"),
    ({"code": "51052"}, "field code: '51052' is not a 6-digit division code"),
    ({"id": "hejiang"}, "field id: 'hejiang' is not"),
    ({"listing_urls": ["https://evil.example.com/x/"]}, "field allowed_domains: evil.example.com"),
    ({"cms": "wordpress"}, "field cms: 'wordpress' is not one of"),
    ({"listing_urls": ["ftp://www.hejiang.gov.cn/"]}, "is not an http(s) URL"),
    ({"verifed": True}, "field verifed: unknown"),
    ({"overrides": {"dealy": 5}}, "field overrides: 'dealy' is not one of delay, concurrency"),
    ({"overrides": {"concurrency": 0}}, "overrides: concurrency must be a positive whole number"),
    ({"overrides": {"delay": "slow"}}, "overrides: delay must be a non-negative number"),
    ({"overrides": ["delay"]}, "field overrides: must be a mapping"),
])
def test_errors_name_the_portal_and_the_field(change, message):
    with pytest.raises(registry.RegistryError) as caught:
        registry.parse_registry([entry(**change)], "portals.yml")
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


def test_the_registry_knows_exactly_the_crawls_cms_families():
    from govcrawl.crawl import cms

    assert set(registry.CMS_HINTS) == set(cms.NAMES)


@pytest.mark.parametrize(("written", "family"), [("TRS", "trs"), ("anhui", "generic"), ("jpage", "hanweb"),
                                                 (None, "generic"), ("fujian", "fujian")])
def test_cms_names_a_registry_may_use_are_understood(written, family):
    (portal,) = registry.parse_registry([entry(cms=written)])
    assert portal.cms == family


def test_overrides_pace_the_portals_hosts():
    slow = registry.parse_registry([entry(overrides={"delay": 5, "concurrency": 1},
                                          allowed_domains=["www.hejiang.gov.cn", "files.hejiang.gov.cn"])])
    assert registry.download_slots(slow) == {"www.hejiang.gov.cn": {"delay": 5.0, "concurrency": 1},
                                             "files.hejiang.gov.cn": {"delay": 5.0, "concurrency": 1}}
    from govcrawl.crawl.run import crawl_settings

    settings = crawl_settings(__import__("pathlib").Path("x.db"), 1, None, False, None, "WARNING", portals=slow)
    assert settings.getdict("DOWNLOAD_SLOTS")["files.hejiang.gov.cn"] == {"delay": 5.0, "concurrency": 1}


def test_duplicate_ids_are_refused():
    with pytest.raises(registry.RegistryError, match="duplicate"):
        registry.parse_registry([entry(), entry()])


def test_the_shipped_registry_is_real_portals_each_with_the_code_of_its_place():
    portals = registry.load_registry()
    assert len(portals) >= 50 and not any(p.verified or p.demo for p in portals)
    assert [registry.check_division(p) for p in portals if registry.check_division(p)] == []
    assert all(p.place and p.city for p in portals)


def test_the_demo_network_has_its_own_registry(tmp_path):
    manifest = network.generate(tmp_path, 1)
    demo = {p.id: p for p in registry.load_registry(tmp_path / network.REGISTRY)}
    assert set(demo) == {p["id"] for p in manifest["portals"]} and all(p.demo for p in demo.values())
    for portal in manifest["portals"]:
        assert list(demo[portal["id"]].listing_urls) == portal["listing_urls"]


@pytest.mark.parametrize(("province", "place", "code"), [
    ("浙江", "丽水市松阳县", "331124"), ("江西", "抚州市金溪县", "361027"), ("四川", "泸州市合江县", "510522"),
    ("湖北", "荆州市荆州区", "421003"), ("云南", "大理州洱源县", "532930"), ("安徽", "铜陵市郊区", "340711"),
    ("云南", "昆明市西山区", "530112"), ("内蒙古", "锡林郭勒盟东乌珠穆沁旗", "152525"),
    ("福建", "龙岩市永定县", "350803"), ("吉林", "舒兰市", "220283"), ("北京", "东城区", "110101"),
    ("湖北", "武汉市东湖高新区", None), ("四川", "资阳市", None),
])
def test_a_place_is_matched_whole_against_the_division_data(province, place, code):
    found = registry.resolve_place(province, place)
    assert (found.id if found else None) == code


def test_a_code_that_names_another_district_than_the_reports_place_is_caught():
    (wrong,) = registry.parse_registry([entry(id="330326-pingyang", code="330326", district="平阳县", province="浙江",
                                              place="丽水市松阳县")])
    assert registry.check_division(wrong) == ("portal 330326-pingyang: its reports come from 丽水市松阳县, which is "
                                              "松阳县 331124, not 平阳县 330326")


def test_division_code_mismatch_is_reported():
    (portal,) = registry.parse_registry([entry(code="510521", id="510521-hejiang")])
    assert registry.check_division(portal) == "portal 510521-hejiang: code 510521 is 泸县, not 合江县"


@pytest.mark.parametrize(("title", "expected"), [
    ("示范市东湖区财政局2023年政府信息公开工作年度报告", True),
    ("2019年度政府信息公开年度报告", True),
    ("二〇二〇年政府信息公开工作年度报告", True),
    ("舒兰市市场监督管理局2016年政务信息公开年度报告", True),
    ("图解：东湖区2024年度政府信息公开工作年度报告", False),
    ("关于做好2024年度政府信息公开工作年度报告编制发布工作的通知", False),
    ("示范市东湖区人民政府2025年政务公开工作要点", False),
    ("东湖区召开2025年政务公开工作推进会", False),
    ("首页", False),
    # titles a single year regex missed: no 年, a space, no 公开, a 公报, a cover letter
    ("某县发改委2017政府信息公开工作年度报告", True),
    ("某县文化局2017 年政府信息工作年度报告", True),
    ("某县扶贫办2017年政府信息年度报告", True),
    ("2017年政府信息公开公报", True),
    ("2023年政务公开年报", True),
    ("政府信息公开工作2017年度报告", True),
    ("关于报送《某县2017年政府信息公开工作情况》的函", True),
    ("关于印发《某区2017年政府信息公开工作年度报告》的通知", True),
    ("二〇一六年度某县人民政府信息公开工作报告", True),
    # the look-alikes real columns carry
    ("某区2023年政务公开工作自查报告", False),
    ("某区2023年政务公开工作要点落实情况", False),
    ("某局2023年政务公开工作总结暨2024年工作思路", False),
    ("关于做好2024年度政府信息公开工作年度报告编制发布工作的通知", False),
    ("关于2023年度政府信息公开工作年度报告格式有关事项的通知", False),
    ("关于报送2023年度政府信息公开工作年度报告的通知", False),
    ("某区政府网站2023年度工作报表", False),
    ("某局关于履行2023年政务公开职责自查自评的报告", False),
    ("某区2023年度政府信息公开工作年度报告解读", False),
    ("一图读懂某区2023年政府信息公开工作年度报告", False),
])
def test_report_titles(title, expected):
    assert discovery.is_report_title(title) is expected


@pytest.mark.parametrize(("report", "listing"), [
    ("http://www.gztongzi.gov.cn/zwgk/zfxxgk/zfxxgknb/2022n/202302/t20230218_78246924.html",
     "http://www.gztongzi.gov.cn/zwgk/zfxxgk/zfxxgknb/2022n/"),
    ("http://www.panyu.gov.cn/zwgk/zfxxgk/zfxxgknb/bm/mb2021/content/post_8040242.html",
     "http://www.panyu.gov.cn/zwgk/zfxxgk/zfxxgknb/bm/mb2021/"),
    ("https://zwinkt.com/zwgk/art/2018/2/28/art_46355_1634538.html",
     "https://zwinkt.com/col/col46355/index.html"),
])
def test_guess_listing_url(report, listing):
    assert discovery.guess_listing_url(report) == listing


def test_attachment_links():
    page = ('<a href="P012.pdf">全文</a><a href="/x/a.DOCX">b</a><a href="http://other.test/c.pdf">c</a>'
            '<a href="page.html">d</a>')
    assert discovery.attachment_links(page, "http://a.gov.test/r/t1.html", {"a.gov.test"}) == [
        "http://a.gov.test/r/P012.pdf", "http://a.gov.test/x/a.DOCX"]


def test_the_portal_ids_the_readme_and_the_help_use_exist():
    import re

    from click.testing import CliRunner

    from govcrawl.cli import main

    from conftest import ROOT

    texts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    runner = CliRunner()
    for name, command in main.commands.items():
        texts.append(runner.invoke(main, [name, "--help"]).output)
        for sub in getattr(command, "commands", {}):
            texts.append(runner.invoke(main, [name, sub, "--help"]).output)
    used = set(re.findall(r"\b\d{6}-[a-z]+(?:-[a-z]+)*\b", "\n".join(texts)))
    demo = {p["id"] for p in network.generate(network.cache_root() / "_unused", 1, write=False)["portals"]}
    known = {p.id for p in registry.load_registry()} | demo
    assert used and used <= known, used - known
