"""An archive of a few thousand reports, made in seconds: a few dozen generated reports are
extracted for real, then stored again under other agencies and years through the crawl's
own writer (apply_fetch), with a revision now and then — enough rows for a query that
scans to show, without extracting thousands of pages.
"""

from __future__ import annotations

import copy
import random

from govcrawl.archive import raw, upkeep
from govcrawl.archive.versions import Reading, apply_fetch
from govcrawl.demo import samples as S
from govcrawl.extract import keys as K
from govcrawl.extract.checks import run_checks
from govcrawl.extract.record import extract_bytes

DISTRICTS = ("东湖区", "西山区", "南湖县", "北湖区", "青山区", "江北区", "平山县", "城关区", "新华区", "河西区")
UNITS = ("人民政府", "人民政府办公室", "财政局", "教育局", "卫生健康委员会", "市场监督管理局", "自然资源局",
         "住房和城乡建设局", "交通运输局", "生态环境分局", "新华街道办事处", "青山镇人民政府")


def base_records(count: int = 24, seed: int = 5) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        template = (K.T2019, K.T2021)[i % 2]
        spec = S.sample_spec(seed=seed * 1000 + i, template=template, scale=rng.choice((0, 5, 40, 300)))
        out.append(extract_bytes(S.render_html(spec, variant=i % 3), f"base-{i}.html"))
    return out


def build(db, reports: int, seed: int = 7) -> int:
    """Store ``reports`` reports (agency × year), one in 40 revised once; returns versions stored."""
    rng = random.Random(seed)
    bases = base_records()
    agencies = [f"示范市{d}{u}" for d in DISTRICTS for u in UNITS]
    years = list(range(2019, 2026))
    stored = 0
    with db.conn:
        for n in range(reports):
            agency = agencies[(n // len(years)) % len(agencies)] + ("" if n < len(agencies) * len(years)
                                                                     else f"{n // (len(agencies) * len(years))}")
            year = years[n % len(years)]
            record = copy.deepcopy(rng.choice([b for b in bases if (b["template"] == K.T2021) == (year >= 2021)]))
            record.update(agency=agency, year=year, title=f"{agency}{year}年政府信息公开工作年度报告",
                          published=f"{year + 1}-0{rng.choice((1, 2, 3, 4))}-{rng.randint(10, 28)}")
            if n % 7 == 3 and "requests.new.total" in record["metrics"]:  # an agency whose numbers don't add up
                record["metrics"]["requests.new.total"] += 1
                record["checks"] = run_checks(record["metrics"], record["template"], set(record["metrics"]))
            url = f"http://www.demo{n % 10}.gov.test/xxgk/{year}/t{n}.html"
            for revision in range(2 if n % 40 == 0 else 1):
                if revision:
                    record = copy.deepcopy(record)
                    key = next(iter(record["metrics"]), None)
                    if key:
                        record["metrics"][key] += 1
                body = f"{url} {revision}".encode()
                fetch = raw.record_fetch(db, raw.Fetch(url=url, portal_id=f"99{n % 10:04d}-demo", kind="report",
                                                       status=200, fetched_at=f"2026-0{1 + revision}-01T00:00:00+00:00",
                                                       body=body, media_type="text/html"))
                outcome = apply_fetch(db, fetch, lambda r=record, u=url: Reading.of(r, None, u))
                stored += int(outcome.new_version)
        upkeep.after_run(db)
    return stored
