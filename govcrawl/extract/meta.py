"""Report metadata from prose: title, agency, year, statistical period, published date, contact."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from govcrawl.extract.normalize import chinese_number, chinese_year, fold

CJK = "\u4e00-\u9fff"
_REPORT_WORDS = re.compile(r"(政府信息公开|政务信息公开|信息公开|政务公开).{0,12}(年度报告|年报|工作报告|报告)")
_TITLE_PREFIX = re.compile(r"^(?:名\s*称|标\s*题|题\s*名)\s*[:：]\s*")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})\s*年")
_NOT_AGENCY = re.compile(r"^(?:我|本|全|各|该|关于|根据|按照|现|特|做好)")
_AGENCY_SUFFIX = (r"(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|街道办事处|办事处|管理委员会|管委会|"
                  r"委员会|办公室|办公厅|局|厅|委|署|院|中心|所|站|处|队|会|镇|乡|街道|苏木|"
                  r"县|区|市|旗|州|盟|省|自治区)")


@dataclass
class Contact:
    agency: str | None = None
    address: str | None = None
    postcode: str | None = None
    phone: str | None = None
    fax: str | None = None
    email: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"agency": self.agency, "address": self.address, "postcode": self.postcode,
                "phone": self.phone, "fax": self.fax, "email": self.email}


# --- title ------------------------------------------------------------------------------

def pick_title(candidates: list[str]) -> str | None:
    """The first candidate that reads as a report title."""
    for raw in candidates:
        text = _TITLE_PREFIX.sub("", " ".join(raw.split()))
        if not text or len(text) > 90:
            continue
        if text.startswith(("根据", "按照", "本报告", "依据", "现将", "为", "您")):
            continue
        if ">" in text or "›" in text or re.search(r"当前位置|所在位置|现在的位置", text):
            continue  # a breadcrumb
        if re.match(rf"^[{CJK}]{{2,5}}\s*[:：]", text):
            continue  # a page's field ('栏目: 政府信息公开年报'), not its title
        if text.endswith(("的通知", "通知", "解读")) or "文字解读" in text:
            continue
        if _REPORT_WORDS.search(text) or re.search(r"年度?报告$|年报$", text):
            return re.sub(r"(?<=[年度])\s+(?=[政信])", "", text)
    return None


_YEAR_START = re.compile(r"^(?:(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})\s*年")
_PLACE_START = re.compile(rf"^[{CJK}]{{1,8}}?(?:省|自治区|市|州|盟|县|区|旗)")
_BARE_PLACE = re.compile(rf"^[{CJK}]{{1,12}}?(?:省|自治区|市|州|盟|县|区|旗)$")
_HEAD_FRAGMENT = re.compile(rf"^[{CJK}（）()]{{1,30}}$")
_NOT_TITLE_HEAD = re.compile(r"信息公开|政务公开|报告|年报|首页|位置|网站|门户|欢迎|登录|注册|无障碍|字体|打印|关闭"
                             r"|来源|发布|时间|浏览|栏目|索引|文号|分类|公告|通知|动态|新闻|专题|政策|解读|目录")


def _reads_as_title(text: str) -> bool:
    return pick_title([text]) is not None


def _joins(first: str, second: str) -> bool:
    """Is ``second`` the rest of a title that ``first`` begins (a centred title wrapped by a
    PDF or Word layout)?  Only where ``second`` cannot stand alone as the whole title: it opens
    on the year (the agency on the line before), on a name that starts with no place, or it
    lacks the year that the line before holds."""
    if not first or not second or len(first) > 40 or len(second) > 40:
        return False
    if _reads_as_title(first) or not _reads_as_title(first + second):
        return False
    if years_in(first) or re.search(r"\d$", first):
        # 'XX2022年政府信息公开' / '工作年度报告', 'XX202' / '2年…': the year is above
        return not years_in(second) and (bool(re.search(r"\d$", first)) or len(second) <= 20)
    if not _HEAD_FRAGMENT.match(first) or _NOT_TITLE_HEAD.search(first) or not years_in(second) \
            or re.search(r"[:：]", second):
        return False
    if _YEAR_START.match(second):
        return True
    return not _PLACE_START.match(second) or bool(_BARE_PLACE.match(first))


def title_lines(lines: list[str]) -> list[str]:
    """Title candidates from a document's first lines: titles wrapped over two or three lines
    joined (first), then each line as it stands."""
    lines = [re.sub(rf"(?<=[{CJK}])\s+(?=[{CJK}])", "", line.strip().lstrip("#").strip()) for line in lines
             if line.strip().lstrip("#").strip()]
    return _wrapped(lines) + lines


def wrapped_title(title: str | None, candidates: list[str]) -> bool:
    """Was ``title`` one that :func:`title_lines` joined from wrapped lines (a reading a
    researcher should be told of)?  The lines it joined follow it among the candidates."""
    if not title:
        return False
    return any(title == "".join(candidates[i:i + size])
               for size in (2, 3) for i in range(len(candidates) - size + 1))


def _wrapped(lines: list[str]) -> list[str]:
    joined: list[str] = []
    for i in range(len(lines) - 1):
        if i + 2 < len(lines) and _joins(lines[i + 1], lines[i + 2]) and _joins(lines[i], lines[i + 1] + lines[i + 2]):
            joined.append(lines[i] + lines[i + 1] + lines[i + 2])
        if _joins(lines[i], lines[i + 1]):
            joined.append(lines[i] + lines[i + 1])
    return joined


def years_in(text: str) -> list[int]:
    years = [int(y) for y in _YEAR.findall(text)]
    years += [y for y in (chinese_year(m) for m in _CN_YEAR.findall(text)) if y]
    return years


def year_from_title(title: str | None) -> int | None:
    if not title:
        return None
    years = [y for y in years_in(title) if 2000 <= y <= 2100]
    return years[0] if years else None


def year_from_text(text: str) -> int | None:
    """The year a report covers, from the phrases that name it, else the commonest year."""
    head = text[:6000]
    folded = fold(text)[:6000]
    patterns = (
        r"((?:19|20)\d{2})\s*年度?\s*(?:[^\s。，,；;]{0,30}?)(?:政府信息公开|政务信息公开|信息公开)"
        r"(?:工作)?(?:年度)?(?:报告|年报)",
    )
    for pattern in patterns:
        match = re.search(pattern, folded)
        if match:
            return int(match.group(1))
    cn = re.search(r"([〇零○一二三四五六七八九]{4})\s*年度?.{0,30}?(?:政府信息公开).{0,6}报告", head)
    if cn and chinese_year(cn.group(1)):
        return chinese_year(cn.group(1))
    cleaned = re.sub(r"[〔\[(（]\s*(?:19|20)\d{2}\s*[〕\])）]", "", folded)
    counts = Counter(y for y in years_in(cleaned) if 2007 <= y <= 2100)
    if counts:
        return counts.most_common(1)[0][0]
    return None


# --- agency -----------------------------------------------------------------------------

def agency_from_title(title: str | None) -> str | None:
    if not title:
        return None
    text = re.sub(r"\s+", "", title)
    match = re.match(rf"^(?:关于)?([{CJK}（）()]{{2,40}}?)(?:（\S+）)?[〇零○一二三四五六七八九\d]{{4}}\s*年", text)
    if match:
        return _clean_agency(match.group(1))
    if re.match(r"^[〇零○一二三四五六七八九\d]{4}\s*年度?(?:政府信息公开|政务信息公开|信息公开|政务公开)",
                text):
        return None  # '2023年度政府信息公开工作年度报告' names no agency
    match = re.match(
        rf"^[〇零○一二三四五六七八九\d]{{4}}\s*年度?([{CJK}（）()]{{2,40}}?)"
        r"(?:政府信息公开|政务信息公开|信息公开|政务公开)", text)
    if match:
        return _clean_agency(match.group(1))
    match = re.match(rf"^([{CJK}]{{2,40}}?)(?:政府信息公开|政务信息公开)(?:工作)?(?:年度)?报告", text)
    if match:
        return _clean_agency(match.group(1))
    return None


def _clean_agency(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip("《》“”\"'（）() ")
    if len(name) < 2 or _NOT_AGENCY.match(name):
        return None
    return name


def agency_from_text(text: str) -> str | None:
    """Agency named by the report's own sentences, when the title does not name it."""
    head = re.sub(r"[ \t\u3000]+", "", text[:5000])
    sentence_patterns = (
        rf"(?:现|特)(?:向社会)?(?:公布|公开|发布|将)[《“\"]?([{CJK}]{{2,40}}?)"
        r"(?:[〇零○一二三四五六七八九\d]{4})年度?(?:政府信息公开|政务信息公开)",
        rf"(?:现|特)(?:向社会)?(?:公布|公开|发布)[《“\"]?(?:[〇零○一二三四五六七八九\d]{{4}})年度?"
        rf"([{CJK}]{{2,40}}?)(?:政府信息公开|政务信息公开)",
        rf"结合([{CJK}]{{2,30}}?)政府信息公开(?:工作)?情况",
    )
    for pattern in sentence_patterns:
        match = re.search(pattern, head)
        if match:
            name = _clean_agency(match.group(1))
            if name:
                return name
    subject = re.search(
        rf"(?:^|\n|。)\s*(?:[〇零○一二三四五六七八九\d]{{4}}年(?:度|以来)?)[，,]?([{CJK}]{{2,30}}?{_AGENCY_SUFFIX})"
        r"(?:坚持|认真|深入|紧紧|全面|始终|持续|进一步|积极|按照|围绕|严格|未|深化|不断|高度|以|在|共)",
        head)
    if subject:
        name = _clean_agency(subject.group(1))
        if name:
            return name
    signature = _signature(text)
    if signature:
        return signature
    clause = re.search(
        rf"[，,]([{CJK}]{{4,40}}?(?:人民政府|街道办事处|委员会|局))(?:主要|通过|认真|坚持)", head)
    if clause:
        return _clean_agency(clause.group(1))
    return None


def _signature(text: str) -> str | None:
    """An agency name signed above the closing date (…办事处 / 2013年3月7日)."""
    lines = [line.strip() for line in text.strip().split("\n") if line.strip()][-5:]
    for i, (name, date) in enumerate(pairwise(lines)):
        is_date = re.fullmatch(r"[\d〇零○一二三四五六七八九十]{4}\s*年.{1,3}月.{1,3}日", date)
        if is_date and re.fullmatch(rf"[{CJK}（）()]{{3,40}}{_AGENCY_SUFFIX}", name):
            before = lines[i - 1] if i else ""
            # A long name wrapped over two lines: the line before is a fragment of it (a
            # paragraph ends with its full stop), and the name alone starts with no place.
            if _HEAD_FRAGMENT.match(before) and len(before) <= 20 and not _PLACE_START.match(name):
                return before + name
            return name
    return None


def agency_from_contact(contact_agency: str | None) -> str | None:
    """'宣州区统计局办公室' → '宣州区统计局'; a government office stays what it is."""
    if not contact_agency:
        return None
    name = re.sub(r"(?:政府信息公开|政务公开|信息公开)[^，,。]{0,12}(?:办公室|处|科|股|室|组)$", "",
                  contact_agency)
    name = re.sub(r"(局|委|中心|委员会|办公室|办公厅|办事处)办公室$", r"\1", name)
    return _clean_agency(name)


def qualify_agency(agency: str, text: str) -> str:
    """Use the fuller name the report itself gives (下陆区 + 新下陆街道办事处, 安福县 + 人民政府)."""
    head = text[:8000]
    esc = re.escape(agency)
    bare_place = re.search(r"(?:市|县|区|旗)$", agency) and "政府" not in agency
    if bare_place and (
            re.search(rf"发布机构\s*[:：]\s*{esc}人民政府(?![\u4e00-\u9fff])", head)
            or re.search(rf"[〇零○一二三四五六七八九\d]{{4}}年度?[，,]\s*{esc}人民政府", head)):
        return agency + "人民政府"
    prefixed = re.findall(
        rf"(?:^|[由与布，,。\s(（])(?![由与布请向在])((?:[{CJK}]{{1,8}}?(?:省|市|区|县|旗|州|盟))+){esc}",
        head)
    prefixed = [re.split(r"[由与向在和及]", p)[-1] for p in prefixed]
    prefixed = [p for p in prefixed if len(p) >= 2]
    if prefixed:
        longest = max(prefixed, key=len)
        if len(longest) <= 12:
            return longest + agency
    return agency


# --- period and dates ------------------------------------------------------------------------

_CN_NUM_IN_DATE = re.compile(r"([〇零○一二三四五六七八九十]{1,4})(?=\s*[年月日])")


def arabic_dates(text: str) -> str:
    """'二〇二〇年一月一日' → '2020年1月1日' so one regex reads both."""
    def repl(match: re.Match[str]) -> str:
        token = match.group(1)
        if len(token) == 4 and "十" not in token:
            year = chinese_year(token)
            return str(year) if year else token
        number = chinese_number(token)
        return str(number) if number is not None else token
    return _CN_NUM_IN_DATE.sub(repl, text)


_PERIOD = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*(?:起|始)?\s*(?:至|到|-|~|－|—|–|～)+\s*"
    r"(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"
)
_PERIOD_CONTEXT = re.compile(r"统计|期限|时限|期间|时段|时间段|数据|截至|周期")


def period(text: str) -> tuple[str | None, str | None]:
    """The statistical period the report states, as ISO dates."""
    folded = arabic_dates(fold(text)[:20000])
    for match in _PERIOD.finditer(folded):
        context = folded[max(0, match.start() - 60):match.start()]
        if not _PERIOD_CONTEXT.search(context):
            continue
        y1, m1, d1, y2, m2, d2 = match.groups()
        y2 = y2 or y1
        try:
            start = _iso(int(y1), int(m1), int(d1))
            end = _iso(int(y2), int(m2), int(d2))
        except ValueError:
            continue
        if start and end and start <= end:
            return start, end
    return None, None


def _iso(year: int, month: int, day: int) -> str | None:
    import datetime as dt

    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_PUBLISHED_LABEL = re.compile(
    r"(?:发布|发文|成文|公开|印发|更新)(?:日期|时间)\s*[:：]?\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})")


def published(text: str, page_meta: dict[str, str]) -> str | None:
    """The publication date the page or the report states."""
    import dateparser

    for name in ("PubDate", "firstpublishedtime", "publishdate", "page_published"):
        value = page_meta.get(name)
        if value:
            match = _DATE.search(value)
            if match:
                iso = _iso(*(int(g) for g in match.groups()))
                if iso:
                    return iso
            parsed = dateparser.parse(value, languages=["zh", "en"])
            if parsed:
                return parsed.date().isoformat()
    folded_all = fold(text)
    folded = arabic_dates(folded_all[:3000] + "\n" + folded_all[-400:])
    match = _PUBLISHED_LABEL.search(folded[:3000])
    if match:
        date = _DATE.search(match.group(1))
        if date:
            iso = _iso(*(int(g) for g in date.groups()))
            if iso:
                return iso
    tail_lines = [line.strip() for line in folded.strip().split("\n")[-4:]]
    head_lines = [line.strip("()（） ") for line in folded.strip().split("\n")[:8]]
    for line in [*tail_lines[::-1], *head_lines]:
        date = re.fullmatch(r"\(?(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\)?", line)
        if date:
            iso = _iso(*(int(g) for g in date.groups()))
            if iso:
                return iso
    return None


# --- contact -----------------------------------------------------------------------------------

_STOP = r"[，,;；。）)\n、]"
# Full-width digits and Latin letters in a contact block are typography, not the number:
# postcodes are six ASCII digits, phones and e-mail addresses are what a reader dials or types.
_HALF_WIDTH = str.maketrans({chr(code): chr(code - 0xFEE0) for code in
                             [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), 0xFF20]})
_PHONE_NUMBER = (r"(?:[(（]?\d{3,4}[)）]?\s*[-—－–]?\s*)?(?:\d{7,8}|\d{3,4} \d{4})"
                 r"(?:\s*[-—－–]\s*\d{1,4}(?!\d))?|1[3-9]\d{9}")


def contact(text: str) -> Contact:
    """The contact block: agency, address, postcode, phones, fax, e-mail, in any separator style."""
    found = Contact()
    region = re.sub(r"(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=[\u4e00-\u9fff])", "",
                    text[:20000].translate(_HALF_WIDTH))
    agency = re.search(r"请(?:与|和|向)\s*([^，,。；;（(:：\n]{2,50}?)\s*(?:联系|咨询|反映)", region) or \
        re.search(r"请联系\s*[:：]?\s*([^，,。；;（(:：\n]{2,50}?)\s*(?:[，,。；;（(]|$)", region)
    if agency:
        found.agency = agency.group(1).strip()
    address = re.search(
        rf"(?:联系地址|通讯地址|办公地址|单位地址|地址)\s*[:：为]?\s*([^，,;；。）)\n]{{3,60}}?)"
        rf"\s*(?={_STOP}|邮编|邮政编码|电话|$)", region)
    if address:
        found.address = address.group(1).strip().rstrip("（(").strip() or None
    postcode = re.search(r"(?:邮编|邮政编码)\s*[:：为]?\s*(\d{6})(?!\d)", region)
    if postcode:
        found.postcode = postcode.group(1)
    phones = []
    for match in re.finditer(
            rf"(?:联系电话|咨询电话|办公电话|电话号码|电话)(?:[、/和及]传真)?\s*(?:[:：为]|号码)?\s*((?:{_PHONE_NUMBER})(?:\s*[、/，,或及]\s*(?:{_PHONE_NUMBER}))*)",
            region):
        for number in re.findall(_PHONE_NUMBER, match.group(1)):
            number = number.strip()
            if number and number not in phones:
                phones.append(number)
        if phones:
            break
    if phones:
        found.phone = "、".join(phones)
    fax = re.search(rf"(?:传真)(?:号码)?\s*[:：为]?\s*({_PHONE_NUMBER})", region)
    if fax:
        found.fax = fax.group(1).strip()
    email = re.search(r"(?:电子邮箱|电子邮件|电子信箱|邮箱|E-?mail|email)\s*[:：为]?\s*"
                      r"([A-Za-z0-9._%+\-]+\s*[@＠]\s*[A-Za-z0-9.\-]+\.[A-Za-z]{2,})", region, re.I)
    if email:
        found.email = re.sub(r"\s+", "", email.group(1)).replace("＠", "@").rstrip(".")
    return found
