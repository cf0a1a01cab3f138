"""Canonical keys of the report record: tables, rows, columns, labels, units.

One definition serves the extractor (label matching), the checks, the archive and the
data dictionary, so a key can never mean two things in two places.  Keys are stable:
add new ones, never rename (report-schema.md §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

T2019 = "2019"
T2021 = "2021"
BOTH = (T2019, T2021)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    english: str
    unit: str = "count"
    templates: tuple[str, ...] = BOTH
    aliases: tuple[str, ...] = ()
    signed: bool = False


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    english: str
    templates: tuple[str, ...] = BOTH
    aliases: tuple[str, ...] = ()
    group: str | None = None  # requests: the group label the numbered leaf sits under
    columns: tuple[Column, ...] = field(default_factory=tuple)  # proactive rows only


# --- Table 3: requests ----------------------------------------------------------------

REQUEST_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人", "natural persons"),
    Column("commercial", "商业企业", "commercial enterprises"),
    Column("research", "科研机构", "research institutions", aliases=("科研企业",)),
    Column("social_welfare", "社会公益组织", "social welfare organisations"),
    Column("legal_services", "法律服务机构", "legal service institutions"),
    Column("other_org", "其他", "other legal persons or organisations"),
    Column("total", "总计", "total"),
)

GROUP_DENIED = "（三）不予公开"
GROUP_UNAVAILABLE = "（四）无法提供"
GROUP_NOT_PROCESSED = "（五）不予处理"
GROUP_OTHER = "（六）其他处理"
GROUP_RESULTS = "三、本年度办理结果"

def _group(group: str, rows: tuple[tuple[str, str, str], ...]) -> tuple[Row, ...]:
    """The numbered leaf rows under one of Table 3's group labels: (key, label, English)."""
    return tuple(Row(key, label, english, group=group) for key, label, english in rows)


REQUEST_ROWS: tuple[Row, ...] = (
    Row("new", "一、本年新收政府信息公开申请数量", "new requests received this year"),
    Row("carried_over", "二、上年结转政府信息公开申请数量", "requests carried over from last year"),
    Row("granted", "（一）予以公开", "granted in full"),
    Row("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "granted in part", aliases=("（二）部分公开",)),
    *_group(GROUP_DENIED, (
        ("denied.state_secret", "1.属于国家秘密", "denied: state secret"),
        ("denied.prohibited_by_law", "2.其他法律行政法规禁止公开", "denied: prohibited by other laws or regulations"),
        ("denied.security_stability", "3.危及“三安全一稳定”",
         "denied: endangers the 'three securities and one stability'"),
        ("denied.third_party", "4.保护第三方合法权益", "denied: third-party rights"),
        ("denied.internal_affairs", "5.属于三类内部事务信息", "denied: internal affairs"),
        ("denied.process_info", "6.属于四类过程性信息", "denied: process information"),
        ("denied.enforcement_file", "7.属于行政执法案卷", "denied: enforcement case file"),
        ("denied.query_matter", "8.属于行政查询事项", "denied: administrative query matter"))),
    *_group(GROUP_UNAVAILABLE, (
        ("unavailable.not_held", "1.本机关不掌握相关政府信息", "unavailable: information not held"),
        ("unavailable.needs_creation", "2.没有现成信息需要另行制作", "unavailable: would have to be created"),
        ("unavailable.unclear", "3.补正后申请内容仍不明确", "unavailable: still unclear after correction"))),
    *_group(GROUP_NOT_PROCESSED, (
        ("not_processed.petition", "1.信访举报投诉类申请", "not processed: petition or complaint"),
        ("not_processed.repeated", "2.重复申请", "not processed: repeated request"),
        ("not_processed.publication", "3.要求提供公开出版物", "not processed: asks for a publication"),
        ("not_processed.excessive", "4.无正当理由大量反复申请",
         "not processed: excessive requests without good reason"),
        ("not_processed.confirmation", "5.要求行政机关确认或重新出具已获取信息",
         "not processed: asks to confirm or reissue information"))),
    Row("other", "（六）其他处理", "other handling (2019 single row; 2021 sum of three)"),
    Row("other.no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "other: applicant did not correct in time", templates=(T2021,), group=GROUP_OTHER),
    Row("other.unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "other: applicant did not pay the fee in time", templates=(T2021,), group=GROUP_OTHER),
    Row("other.other", "3.其他", "other: other", templates=(T2021,), group=GROUP_OTHER),
    Row("results_total", "（七）总计", "total of results"),
    Row("carried_forward", "四、结转下年度继续办理", "carried forward to next year"),
)

REQUEST_GROUP_LABELS = (GROUP_RESULTS, GROUP_DENIED, GROUP_UNAVAILABLE, GROUP_NOT_PROCESSED)

#: Leaf rows summed by requests.results_sum, per template.
RESULT_LEAVES: dict[str, tuple[str, ...]] = {
    T2019: tuple(
        r.key for r in REQUEST_ROWS
        if r.key not in ("new", "carried_over", "results_total", "carried_forward")
        and not r.key.startswith("other.")
    ),
    T2021: tuple(
        r.key for r in REQUEST_ROWS
        if r.key not in ("new", "carried_over", "results_total", "carried_forward", "other")
    ),
}

# --- Table 4: appeals -------------------------------------------------------------------

APPEAL_COLUMNS: tuple[Column, ...] = (
    Column("upheld", "结果维持", "upheld"),
    Column("corrected", "结果纠正", "corrected"),
    Column("other", "其他结果", "other outcome"),
    Column("pending", "尚未审结", "pending"),
    Column("total", "总计", "total"),
)

APPEAL_ROWS: tuple[Row, ...] = (
    Row("review", "行政复议", "administrative review"),
    Row("litigation_direct", "行政诉讼 未经复议直接起诉", "lawsuits filed without prior review"),
    Row("litigation_after_review", "行政诉讼 复议后起诉", "lawsuits filed after review"),
)

# --- Table 2: proactive -------------------------------------------------------------------

_C = Column
REG_2019 = (
    _C("new_made", "本年新制作数量", "made this year", templates=(T2019,)),
    _C("new_published", "本年新公开数量", "published this year", templates=(T2019,)),
    _C("total_published", "对外公开总数量", "total published", templates=(T2019,)),
)
REG_2021 = (
    _C("issued", "本年制发件数", "issued this year", templates=(T2021,)),
    _C("repealed", "本年废止件数", "repealed this year", templates=(T2021,)),
    _C("in_force", "现行有效件数", "in force", templates=(T2021,)),
)
ITEMS_2019 = (
    _C("prev_items", "上一年项目数量", "items last year", templates=(T2019,)),
    _C("change", "本年增/减", "change this year", templates=(T2019,), signed=True,
       aliases=("本年增减",)),
    _C("decisions", "处理决定数量", "decisions", templates=(T2019,)),
)
DECISIONS_2021 = (
    _C("decisions", "本年处理决定数量", "decisions this year", templates=(T2021,)),
)
FEES_2019 = ITEMS_2019[:2]
FEES_2021 = (
    _C("amount_10k_yuan", "本年收费金额（单位：万元）", "fees collected", unit="10k_yuan",
       templates=(T2021,), aliases=("本年收费金额",)),
)
PROCUREMENT_2019 = (
    _C("items", "采购项目数量", "procurement items", templates=(T2019,)),
    _C("amount_yuan", "采购总金额", "procurement amount", unit="yuan", templates=(T2019,)),
)

#: Proactive blocks: 条例第二十条 item → rows; per template the column list.
PROACTIVE_BLOCKS: dict[str, dict[str, tuple[Column, ...]]] = {
    "一": {T2019: REG_2019, T2021: REG_2021},
    "五": {T2019: ITEMS_2019, T2021: DECISIONS_2021},
    "六": {T2019: ITEMS_2019, T2021: DECISIONS_2021},
    "八": {T2019: FEES_2019, T2021: FEES_2021},
    "九": {T2019: PROCUREMENT_2019},
}

PROACTIVE_ROWS: tuple[Row, ...] = (
    Row("regulations", "规章", "regulations (rules)", group="一"),
    Row("normative_docs", "规范性文件", "normative documents", group="一",
        aliases=("行政规范性文件",)),
    Row("licensing", "行政许可", "administrative licensing", group="五"),
    Row("other_services", "其他对外管理服务事项", "other external management services",
        templates=(T2019,), group="五"),
    Row("punishment", "行政处罚", "administrative penalties", group="六"),
    Row("enforcement", "行政强制", "administrative coercion", group="六"),
    Row("fees", "行政事业性收费", "administrative fees", group="八"),
    Row("procurement", "政府集中采购", "centralised government procurement",
        templates=(T2019,), group="九"),
)

#: Figures only ever stated in prose (legacy reports, image tables).
PROSE_KEYS: dict[str, str] = {
    "requests.new.total": "收到政府信息公开申请（件）",
    "requests.carried_over.total": "上年结转申请（件）",
    "requests.results_total.total": "办结申请（件）",
    "requests.carried_forward.total": "结转下年度（件）",
    "appeals.review.total": "行政复议（件）",
    "appeals.litigation_direct.total": "行政诉讼，未经复议直接起诉（件）",
    "appeals.litigation.total": "行政诉讼（件）",
    "proactive.items_published.total": "主动公开政府信息（条）",
}

TABLE_LABELS = {
    "proactive": "主动公开政府信息情况",
    "requests": "收到和处理政府信息公开申请情况",
    "appeals": "政府信息公开行政复议、行政诉讼情况",
    "legacy": "本地统计（旧版报告）",
}


@dataclass(frozen=True)
class KeyInfo:
    key: str
    table: str
    row: str
    col: str
    label: str
    english: str
    unit: str
    templates: tuple[str, ...]
    prose_only: bool = False  # stated in prose only, never a table cell


def all_keys() -> list[KeyInfo]:
    """Every canonical metric key with its label, unit and templates (the data dictionary)."""
    out: list[KeyInfo] = []
    for row in REQUEST_ROWS:
        for col in REQUEST_COLUMNS:
            out.append(KeyInfo(f"requests.{row.key}.{col.key}", "requests", row.key, col.key,
                               f"{row.label} / {col.label}", f"{row.english} / {col.english}",
                               "count", row.templates))
    for row in APPEAL_ROWS:
        for col in APPEAL_COLUMNS:
            out.append(KeyInfo(f"appeals.{row.key}.{col.key}", "appeals", row.key, col.key,
                               f"{row.label} / {col.label}", f"{row.english} / {col.english}",
                               "count", BOTH))
    seen: set[str] = set()
    for row in PROACTIVE_ROWS:
        for template, cols in PROACTIVE_BLOCKS[row.group or ""].items():
            if template not in row.templates:
                continue
            for col in cols:
                key = f"proactive.{row.key}.{col.key}"
                if key in seen:
                    continue
                seen.add(key)
                templates = tuple(
                    t for t, cs in PROACTIVE_BLOCKS[row.group or ""].items()
                    if t in row.templates and any(c.key == col.key for c in cs)
                )
                out.append(KeyInfo(key, "proactive", row.key, col.key,
                                   f"{row.label} / {col.label}",
                                   f"{row.english} / {col.english}", col.unit, templates))
    for key, label in PROSE_KEYS.items():
        if key not in seen and not any(k.key == key for k in out):
            table, row, col = key.split(".")
            out.append(KeyInfo(key, table, row, col, label, "stated in prose", "count",
                               ("legacy", *BOTH), prose_only=True))
    return out


def key_unit(key: str) -> str:
    """Unit of a metric key; money keys say theirs in the name."""
    if key.endswith("amount_yuan"):
        return "yuan"
    if key.endswith("amount_10k_yuan"):
        return "10k_yuan"
    return "count"
