"""The prose of a generated report, at the length real reports have.

Real reports are mostly prose: three to six thousand characters describing a year's
work around the tables.  Generated pages that carry one sentence per section weigh a
fifth of a real page, which skews everything measured on them (bytes a re-crawl saves,
parse time, full-text search).  This module writes varied, plausible paragraphs for
each section from phrase banks written for the project.

The sentences never state a figure the extractor reads from prose (requests, reviews,
suits, items published): their numbers are about other things (interpretations,
press conferences, trainings), so the tables stay the only source of the canonical
figures and the manifest stays exact.
"""

from __future__ import annotations

import random

# Section number → sub-headings and the banks their paragraphs draw from.
_OVERVIEW_PARTS = (
    ("（一）主动公开", "proactive"),
    ("（二）依申请公开", "on_request"),
    ("（三）政府信息管理", "management"),
    ("（四）平台建设", "platforms"),
    ("（五）监督保障", "oversight"),
)

_BANKS: dict[str, tuple[str, ...]] = {
    "proactive": (
        "围绕{topic}等重点领域，全年发布政策解读材料{a}篇，其中图表图解{b}篇、视频解读{c}个。",
        "组织召开新闻发布会{c}场，邀请部门主要负责同志出席并回应社会关切{b}次。",
        "在政府网站“{column}”栏目更新内容{a}篇，做到随时产生、随时更新。",
        "对{topic}相关文件逐件开展公开属性审查，列明公开方式{b}类，确保应公开尽公开。",
        "结合{topic}工作实际，编制并动态调整本机关主动公开基本目录，细化事项{b}项。",
        "通过政务新媒体发布{topic}相关动态{a}条，阅读量较上年有所提升。",
        "及时转载上级重要政策文件{b}件，并配套发布本地贯彻落实措施。",
        "在重点时段集中推送{topic}有关的办事指南{c}份，方便群众查询。",
        "围绕年度重点任务，按季度公开{topic}工作进展和完成情况，接受社会监督。",
        "及时公开人事任免、招录考试、表彰奖励等信息{b}条，做到程序公开、结果公开。",
    ),
    "on_request": (
        "进一步规范申请接收、登记、审核、答复等环节，全程留痕、闭环管理。",
        "严格执行法定答复期限，对复杂事项提前会商，做到依法依规、答复规范。",
        "完善答复文书模板{c}类，统一告知书格式和救济途径表述。",
        "加强与申请人的沟通，必要时电话说明办理进度，减少因理解偏差引发的争议。",
        "对涉及第三方权益的事项，依法书面征求第三方意见后再作决定。",
        "建立疑难件集体研究机制，全年召开专题会商会{c}次。",
        "在网站公布申请渠道、受理机构、办理流程和答复时限，提供在线、信函、当面等多种提交方式。",
        "对答复中不予公开、部分公开的情形逐项说明理由和依据，充分保障申请人的救济权利。",
    ),
    "management": (
        "落实公文类信息公开属性源头认定制度，在拟文环节同步明确公开方式。",
        "开展规范性文件清理，对{topic}领域文件逐件审核，并在网站集中公布清理结果。",
        "严格执行信息发布保密审查制度，坚持“先审查、后公开”和“一事一审”原则。",
        "建立政府信息公开工作台账，每季度对照清单检查更新情况{c}次。",
        "对网站历史栏目进行梳理，归并整合栏目{b}个，关停更新不及时的栏目{c}个。",
        "健全信息发布协调机制，涉及{topic}的重要信息统一口径、同步发布。",
        "规范政府信息公开指南和目录编制，明确各类信息的公开主体、公开时限和公开方式。",
        "对已公开信息开展定期评估，及时更新失效信息，标注废止或失效文件{b}件。",
    ),
    "platforms": (
        "持续优化政府网站信息公开专栏，全年完成栏目改版{c}次，页面加载速度明显提升。",
        "推进政务新媒体规范化建设，整合账号{c}个，统一发布标识。",
        "在政务服务中心、图书馆、档案馆设立政府信息查阅点{c}处，配备查阅设备。",
        "利用政府公报刊登重要文件{b}件，免费向公众发放。",
        "优化网站智能问答功能，新增{topic}相关常见问题{a}条。",
        "完成网站无障碍和适老化改造，提供大字版和语音读屏服务。",
        "推动政府网站与政务服务平台深度融合，实现办事指南、表格下载、进度查询一站办理。",
        "加强网站安全防护，开展安全检测{c}次，及时修补发现的漏洞，保障平台平稳运行。",
    ),
    "oversight": (
        "将政府信息公开工作纳入年度绩效考核，考核权重占比{c}%。",
        "组织{topic}业务培训{c}期，参训人员{a}人次，提升工作人员业务能力。",
        "开展网站和政务新媒体季度检查，发现并整改问题{b}个。",
        "主动接受社会评议，在网站开设意见征集入口，收集意见建议{b}条并逐条研究。",
        "明确分管负责同志和工作人员{c}名，做到专人负责、责任到人。",
        "对照上级考核指标开展自查，形成问题清单并限期整改。",
        "聘请社会监督员{c}名，定期听取对政务公开工作的意见建议。",
        "严格落实责任追究制度，对信息发布不及时、不规范的情形进行通报并督促整改。",
    ),
    "problems": (
        "一是{topic}等领域信息公开的深度和广度仍有不足，部分信息更新不够及时。",
        "二是政策解读形式较为单一，图解、视频等群众喜闻乐见的形式运用不多。",
        "三是依申请公开答复文书的说理性有待加强，个别答复表述不够规范。",
        "四是工作人员业务能力参差不齐，对新修订条例的理解还不够深入。",
        "五是基层政务公开标准化规范化建设推进不够平衡。",
        "六是政务新媒体互动回应的及时性和针对性还需提高。",
    ),
    "measures": (
        "下一步，将聚焦{topic}等群众关注的重点领域，进一步拓展公开内容。",
        "丰富政策解读形式，推动解读材料与政策文件同步起草、同步审签、同步发布。",
        "加强答复文书规范化建设，定期开展案例分析和业务交流{c}次。",
        "常态化开展业务培训，全年计划组织专题培训不少于{c}期。",
        "完善考核评估机制，将检查结果与年度考核挂钩，压实工作责任。",
        "持续推进基层政务公开标准化规范化建设，编制完善{topic}等领域公开事项标准目录。",
        "加强政务新媒体管理，建立健全留言办理和回应机制，提升互动质量。",
    ),
    "other": (
        "本年度落实上级政务公开工作要点确定的各项任务，逐项明确责任单位和完成时限。",
        "办理人大代表建议{b}件、政协提案{c}件，办理结果已按规定公开。",
        "按照规定不收取信息处理费。",
        "组织开展“政府开放日”活动{c}场，邀请群众代表走进机关、参与政策讨论。",
        "按照上级部署，完成政务公开专区标准化建设，全年接待现场查阅群众{a}人次。",
    ),
}

_TOPICS = ("财政预决算", "重大建设项目", "公共资源配置", "社会救助", "教育医疗", "生态环境",
           "安全生产", "食品药品监管", "乡村振兴", "优化营商环境", "就业创业", "养老服务",
           "住房保障", "城市建设", "市场监管", "交通运输")
_COLUMNS = ("政策文件", "政策解读", "财政信息", "重点领域", "通知公告", "规划计划", "人事信息")


def _sentences(rng: random.Random, bank: str, count: int) -> str:
    picked = rng.sample(_BANKS[bank], min(count, len(_BANKS[bank])))
    return "".join(s.format(topic=rng.choice(_TOPICS), column=rng.choice(_COLUMNS),
                            a=rng.randint(20, 900), b=rng.randint(5, 120), c=rng.randint(1, 12))
                   for s in picked)


def narrative(seed: int, legacy: bool = False) -> dict[int, list[str]]:
    """Extra paragraphs by section number: the overview, the problems, other matters.

    The legacy layout puts problems and measures in its sixth section (its fifth is
    about reviews and suits).
    """
    rng = random.Random(seed)
    overview = [f"{heading}{_sentences(rng, bank, rng.randint(6, 8))}" for heading, bank in _OVERVIEW_PARTS]
    problems = _sentences(rng, "problems", rng.randint(4, 6))
    measures = _sentences(rng, "measures", rng.randint(4, 7))
    other = _sentences(rng, "other", rng.randint(3, 5))
    if legacy:
        return {1: overview, 6: [problems, measures]}
    return {1: overview, 5: [problems, measures], 6: [other]}
