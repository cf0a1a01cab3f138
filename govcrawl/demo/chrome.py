"""The frame real portal pages put around their content: head, header, navigation,
sidebars of recent headlines, footer, scripts.

Measured on real county-portal pages, the frame outside the article weighs 7–8 KB
gzipped on report pages and listings alike (the whole pages: 16–25 KB gzipped).  Pages
without it make everything measured on the demo wrong: the bytes a re-crawl saves (a
304 costs the same, a page much less), parse time, and the hazards the extractor must
ignore (a footer with the portal's own address and telephone, navigation links whose
names read like a report column, headlines full of numbers and years).

Everything here is generated from phrase banks written for the project; a page's frame
depends only on its portal and the page itself, never on the epoch, so an unchanged page
keeps its bytes (and its ETag) from one crawl to the next.
"""

from __future__ import annotations

import html
import random
import zlib
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

_NAV: dict[str, tuple[str, ...]] = {
    "走进{d}": ("{d}概况", "历史沿革", "自然地理", "行政区划", "人口民族", "经济发展", "{d}名片", "交通区位",
               "旅游资源", "今日{d}"),
    "政务公开": ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报", "机构职能",
                "政策文件", "政策解读", "规划计划", "财政资金", "人事信息", "重大决策", "建议提案办理",
                "政务公开专栏", "依申请公开"),
    "政务服务": ("办事指南", "便民服务", "网上办事大厅", "证照办理", "社保服务", "医疗卫生", "教育就业",
                "住房保障", "公共交通", "水电气暖", "企业开办", "项目审批"),
    "互动交流": ("区长信箱", "在线访谈", "征集调查", "网上信访", "留言选登", "热点回应", "常见问题",
                "意见征集"),
    "新闻中心": ("{d}要闻", "部门动态", "街镇动态", "通知公告", "图片新闻", "视频新闻", "媒体聚焦",
                "新闻发布会"),
    "专题专栏": ("优化营商环境", "乡村振兴", "安全生产", "生态环境保护", "法治政府建设", "双随机一公开",
                "民生实事", "疫情防控", "扫黑除恶", "文明城市创建", "减税降费", "河长制"),
    "数据开放": ("统计数据", "统计公报", "数据发布", "开放目录", "统计分析", "普查专栏"),
}

_ACTORS = ("{d}", "{d}人民政府", "{d}发展和改革局", "{d}教育局", "{d}民政局", "{d}财政局", "{d}住房和城乡建设局",
           "{d}卫生健康局", "{d}市场监督管理局", "{d}应急管理局", "{d}农业农村局", "{d}生态环境分局",
           "{d}司法局", "{d}人力资源和社会保障局", "{d}城市管理局", "{d}文化和旅游局", "{d}交通运输局")
_VERBS = ("召开", "举办", "开展", "部署", "推进", "启动", "组织", "完成", "召开专题会议研究", "召开动员会部署")
_EVENTS = ("安全生产工作会议", "防汛抗旱工作", "优化营商环境专项行动", "食品安全检查", "城乡环境整治",
           "重点项目建设调度", "民生实事推进", "招商引资项目签约", "消防安全培训", "文明城市创建工作",
           "农村人居环境整治", "企业服务月活动", "就业援助月活动", "法治宣传进社区活动", "老旧小区改造",
           "河湖长制巡查", "森林防火督查", "义务教育招生", "医保政策宣讲", "志愿服务活动",
           "秋冬季大气污染防治", "根治欠薪冬季专项行动", "政务服务“好差评”工作", "耕地保护专项检查")
_NOTICES = ("关于印发《{d}{t}实施方案》的通知", "关于做好{y}年{t}工作的通知", "{d}{y}年{t}公示",
            "关于公开征求《{d}{t}（征求意见稿）》意见的公告", "{d}{t}工作情况通报", "关于{y}年{t}的通告",
            "{d}{t}信息公示（第{n}期）", "关于调整{t}有关事项的通知")
_TOPICS = ("城乡居民医疗保险缴费", "困难群众救助", "春季植树造林", "高校毕业生就业见习", "农业保险",
           "城市道路占用挖掘", "住房公积金", "建筑工地扬尘治理", "义务教育学校划片", "征兵",
           "公共租赁住房配租", "农村集体产权制度改革", "老年人优待", "残疾人两项补贴", "耕地地力保护补贴",
           "小微企业纾困", "城乡低保标准", "企业职工技能培训", "重大行政决策事项目录", "行政执法",
           "生活垃圾分类", "特种设备安全", "燃气安全排查", "冬季供暖")
_MINISTRIES = ("外交部", "国防部", "国家发展和改革委员会", "教育部", "科学技术部", "工业和信息化部",
               "国家民族事务委员会", "公安部", "民政部", "司法部", "财政部", "人力资源和社会保障部",
               "自然资源部", "生态环境部", "住房和城乡建设部", "交通运输部", "水利部", "农业农村部",
               "商务部", "文化和旅游部", "国家卫生健康委员会", "退役军人事务部", "应急管理部", "中国人民银行",
               "审计署", "国家市场监督管理总局", "国家统计局", "国家医疗保障局")
_CITIES = ("临江", "安平", "青石", "白河", "长宁", "永丰", "凤台", "清源", "兴隆", "龙泉", "广阳", "金城")
_ROADS = ("中山", "建设", "人民", "解放", "新华", "文化", "和平", "长江", "胜利", "迎宾", "府前", "青年")
_STREETS = ("东关", "西关", "南门", "北苑", "新华", "人民路", "解放路", "城关", "河西", "滨江", "开发区", "工业园")


def _headline(rng: random.Random, district: str, year: int) -> str:
    d = district
    kind = rng.random()
    if kind < 0.4:
        actor = rng.choice(_ACTORS).format(d=d)
        return f"{actor}{rng.choice(_VERBS)}{rng.choice(_EVENTS)}"
    if kind < 0.75:
        return rng.choice(_NOTICES).format(d=d, y=year, t=rng.choice(_TOPICS), n=rng.randint(1, 12))
    street = rng.choice(_STREETS)
    return f"{street}街道{rng.choice(_VERBS)}{rng.choice(_EVENTS)}"


def headlines(seed: int, district: str, before: date, count: int, path: str) -> list[tuple[str, str, date]]:
    """``count`` recent news items (title, link, date), newest first, all before ``before``."""
    rng = random.Random(seed)
    day = before
    items = []
    for _ in range(count):
        day -= timedelta(days=rng.randint(0, 9))
        doc = rng.randint(100000, 999999)
        items.append((_headline(rng, district, day.year), f"{path}{day:%Y%m}/t{day:%Y%m%d}_{doc}.html", day))
    return items


def _news_list(title: str, items: list[tuple[str, str, date]], css: str) -> str:
    rows = "\n".join(f'<li><a href="{href}" target="_blank" title="{html.escape(t)}">{html.escape(t)}</a>'
                     f'<span class="date">{day:%Y-%m-%d}</span></li>' for t, href, day in items)
    return (f'<div class="{css}"><div class="hd"><h3>{title}</h3><a class="more" href="/xwzx/">更多&gt;&gt;</a>'
            f'</div><ul class="news-list">\n{rows}\n</ul></div>')


def _link_list(title: str, sites: list[tuple[str, str]]) -> str:
    rows = "".join(f'<li><a href="{url}" target="_blank" title="{html.escape(name)}">{html.escape(name)}</a></li>'
                   for name, url in sites)
    return f'<div class="out-links"><h4>{title}</h4><ul>{rows}</ul></div>'


@lru_cache(maxsize=64)
def frame(district: str, government: str, host: str, code: str, index: int) -> dict[str, str]:
    """A portal's fixed frame: head links and scripts, header, navigation, footer."""
    rng = random.Random(zlib.crc32(f"frame|{host}".encode()))
    d = district
    nav = []
    for n, (column, links) in enumerate(_NAV.items()):
        slug = f"c{n + 1}"
        items = "".join(f'<li><a href="/{slug}/{slug}{m + 1:02d}/" target="_blank">'
                        f"{html.escape(name.format(d=d))}</a></li>" for m, name in enumerate(links))
        nav.append(f'<li class="nav-item"><a class="nav-a" href="/{slug}/">{html.escape(column.format(d=d))}</a>'
                   f'<ul class="sub-nav">{items}</ul></li>')
    site_code = f"{code}{index % 10000:04d}"
    icp = f"{rng.randint(10000000, 99999999)}号-{rng.randint(1, 9)}"
    police = f"{code}{rng.randint(10000000, 99999999):08d}"
    road = rng.choice(_ROADS)
    head = (
        f'<meta name="keywords" content="{html.escape(government)},{html.escape(d)},政务公开,政务服务,互动交流">'
        f'<meta name="description" content="{html.escape(government)}门户网站">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        + "".join(f'<link rel="stylesheet" type="text/css" href="/images/{css}.css?v={rng.randint(1000, 9999)}">'
                  for css in ("reset", "common", "header", "footer", "article", "list", "aging"))
        + "".join(f'<script type="text/javascript" src="/js/{js}.js?v={rng.randint(1000, 9999)}"></script>'
                  for js in ("jquery.min", "common", "jquery.SuperSlide", "font-size", "share", "aging-mode"))
    )
    scripts = (
        '<script type="text/javascript">\n'
        f'var _siteCode = "{site_code}"; var _hmt = _hmt || [];\n'
        '(function() { var hm = document.createElement("script"); hm.async = true;\n'
        f'  hm.src = "/js/stat.js?sitecode=" + _siteCode + "&r={rng.randint(10**9, 10**10 - 1)}";\n'
        '  var s = document.getElementsByTagName("script")[0]; s.parentNode.insertBefore(hm, s); })();\n'
        'function doZoom(size) { var el = document.getElementById("zoom"); if (!el) return;\n'
        '  el.style.fontSize = size + "px"; var ps = el.getElementsByTagName("p");\n'
        '  for (var i = 0; i < ps.length; i++) { ps[i].style.fontSize = size + "px"; } }\n'
        'function printPage() { window.print(); } function closeWindow() { window.opener = null; window.close(); }\n'
        'var MSG = { empty: "请输入搜索关键词", aging_on: "已为您开启长者模式，页面字体和按钮已放大", aging_off: '
        '"已退出长者模式", barrier: "正在加载无障碍辅助工具，请稍候", share: "请使用微信扫描二维码分享本页", '
        'print: "正在准备打印，请在弹出的窗口中选择打印机", offline: "网络连接异常，请检查网络后重试" };\n'
        'function checkSearch(form) { var q = form.q.value.replace(/^\\s+|\\s+$/g, ""); if (!q) { alert(MSG.empty);'
        ' form.q.focus(); return false; } if (q.length > 38) { form.q.value = q.substring(0, 38); } return true; }\n'
        'function showDate() { var d = new Date(); var w = ["日", "一", "二", "三", "四", "五", "六"];\n'
        '  var el = document.getElementById("today"); if (el) { el.innerHTML = "今天是：" + d.getFullYear() + "年" + '
        '(d.getMonth() + 1) + "月" + d.getDate() + "日 星期" + w[d.getDay()]; } }\n'
        'function toggleAging() { var on = !$("body").hasClass("aging"); $("body").toggleClass("aging", on);\n'
        '  try { localStorage.setItem("aging", on ? "1" : "0"); } catch (e) {} alert(on ? MSG.aging_on : '
        'MSG.aging_off); }\n'
        '$(function () { showDate(); $("#aging").click(toggleAging); $(".slides").slide({ mainCell: "ul", '
        'effect: "leftLoop", autoPlay: true, interTime: 5000 });\n'
        '  if (localStorage && localStorage.getItem("aging") === "1") { $("body").addClass("aging"); } });\n'
        '$(function () { $(".nav-item").hover(function () { $(this).addClass("on").find(".sub-nav").stop()'
        '.slideDown(200); }, function () { $(this).removeClass("on").find(".sub-nav").stop().slideUp(200); });\n'
        '  $(".share a").click(function () { var t = $(this).attr("data-t"); var u = encodeURIComponent('
        'location.href); window.open("/share?t=" + t + "&u=" + u); return false; }); });\n'
        '</script>')
    ministries = [(name, f"http://www.bw{n:02d}.gov.cn.test/") for n, name in enumerate(_MINISTRIES)]
    cities = [(f"{city}市人民政府", f"http://www.city{n:02d}.gov.test/") for n, city in enumerate(_CITIES)]
    departments = [(actor.format(d=d), f"/bmwz/{n:02d}/") for n, actor in enumerate(_ACTORS[1:])]
    streets = [(f"{street}街道办事处", f"/jdwz/{n:02d}/") for n, street in enumerate(_STREETS)]
    slides = "".join(
        f'<li><a href="/xwzx/tpxw/{n}/" target="_blank">'
        f'<img src="/images/banner/{rng.randint(10**7, 10**8 - 1)}.jpg" '
        f'alt="{html.escape(_headline(rng, d, 2020))}"></a><p>{html.escape(_headline(rng, d, 2020))}</p></li>'
        for n in range(6))
    banner = (f'<div class="banner"><div class="w1200"><ul class="slides">{slides}</ul>'
              '<div class="weather" id="weather"></div><div class="hot-words">热词：'
              + "".join(f'<a href="/search/?q={html.escape(w)}">{html.escape(w)}</a>'
                        for w in rng.sample(_TOPICS, 6)) + "</div></div></div>")
    header = (
        '<div class="topbar"><div class="w1200"><span class="today" id="today"></span>'
        '<a href="javascript:void(0)" id="aging">长者模式</a><a href="javascript:void(0)" id="barrier">无障碍</a>'
        f'<a href="http://m.{host}/">手机版</a><a href="/rss/">订阅</a><a href="/wzdt/">网站地图</a></div></div>\n'
        f'<div class="header"><div class="w1200"><a class="logo" href="/"><img src="/images/logo.png" '
        f'alt="{html.escape(government)}"></a>'
        '<form class="search" action="/search/" method="get" target="_blank"><input type="text" name="q" '
        'placeholder="请输入关键词"><input type="hidden" name="siteCode" '
        f'value="{site_code}"><button type="submit">搜索</button></form></div></div>\n'
        f'<div class="nav"><ul class="w1200"><li class="nav-item"><a class="nav-a" href="/">首页</a></li>'
        f'{"".join(nav)}</ul></div>\n{banner}')
    footer = (
        '<div class="links"><div class="w1200"><span>相关链接：</span>'
        f'{_link_list("国务院部门网站", ministries)}{_link_list("省内政府网站", cities)}'
        f'{_link_list("区内部门网站", departments)}{_link_list("街道网站", streets)}</div></div>\n'
        '<div class="footer"><div class="w1200"><p><a href="/gywm/">关于我们</a> | <a href="/wzdt/">网站地图</a> | '
        '<a href="/lxwm/">联系我们</a> | <a href="/yssm/">隐私声明</a></p>'
        f'<p>主办：{html.escape(government)}办公室　承办：{html.escape(d)}大数据中心</p>'
        f'<p>地址：{html.escape(d)}{road}路{rng.randint(1, 300)}号　邮编：{code}'
        f'　电话：0{rng.randint(100, 999)}-{rng.randint(2000000, 8999999)}</p>'
        f'<p>网站标识码：{site_code}　<a href="https://beian.miit.gov.cn.test/">ICP备{icp}</a>　'
        f'<a href="http://www.beian.gov.cn.test/">公网安备 {police}号</a></p>'
        '<p>（演示站点，内容为生成数据）</p></div></div>')
    return {"head": head, "header": header, "footer": footer, "scripts": scripts}


def page(portal: Any, title: str, body: str, charset: str | None, meta: str = "",
         sidebar_seed: int | None = None, sidebar_before: date | str | None = None) -> str:
    """A whole page of ``portal`` around ``body``; with a sidebar of recent news when seeded."""
    parts = frame(portal.district, portal.government, portal.host, portal.code, portal.index)
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    sidebar = ""
    if sidebar_seed is not None:
        before = sidebar_before or date(2020, 1, 1)
        if isinstance(before, str):
            before = date.fromisoformat(before)
        news = headlines(sidebar_seed, portal.district, before, 16, "/xwzx/")
        sidebar = ('<div class="sidebar">' + _news_list("相关信息", news[:8], "related")
                   + _news_list("热点推荐", news[8:], "hot") + "</div>")
    share = ('<div class="share">分享到：<a data-t="wx" href="#">微信</a><a data-t="wb" href="#">微博</a>'
             '<a data-t="qq" href="#">QQ空间</a></div><div class="tools">【字体：<a href="javascript:doZoom(18)">大'
             '</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】'
             '<a href="javascript:printPage()">【打印本页】</a>'
             '<a href="javascript:closeWindow()">【关闭窗口】</a></div>')
    return (f"<!DOCTYPE html>\n<html><head>{head}{meta}<title>{html.escape(title)}_"
            f"{html.escape(portal.government)}</title>{parts['head']}</head>\n<body>\n"
            f"{parts['header']}\n<div class=\"main w1200\">\n{body}\n{share if sidebar else ''}{sidebar}\n</div>\n"
            f"{parts['footer']}\n{parts['scripts']}\n</body></html>\n")


def home(portal: Any, listing_links: str, newest: date) -> str:
    """A portal's home page: news blocks around the links to its 年报 columns."""
    seed = zlib.crc32(f"home|{portal.host}|{newest.isoformat()}".encode())
    news = headlines(seed, portal.district, newest, 60, "/xwzx/")
    names = (f"{portal.district}要闻", "通知公告", "部门动态", "街镇动态", "政策文件")
    blocks = "".join(_news_list(name, news[i * 12:(i + 1) * 12], "block") for i, name in enumerate(names))
    body = (f"<h1>{html.escape(portal.government)}</h1>{blocks}"
            f'<div class="block"><div class="hd"><h3>政府信息公开年报</h3></div><ul>{listing_links}</ul></div>')
    return page(portal, portal.government, body, portal.encoding)
