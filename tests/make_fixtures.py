"""Write the frozen test fixtures under tests/files/ (run once; the files are committed).

Each fixture is a generated report (govcrawl.demo.samples) and a ``.expected.json`` with the
figures and metadata it was generated from.  Frozen byte for byte: GBK stays GBK.
Usage: python tests/make_fixtures.py
"""

from __future__ import annotations

import json
from pathlib import Path

from govcrawl.demo import samples as S

FILES = Path(__file__).parent / "files"

# name → (template, quirks, seed, renderer options)
FIXTURES: dict[str, tuple[str, tuple[str, ...], int, dict]] = {
    "r2019-utf8.html": ("2019", (), 101, {"encoding": "utf-8"}),
    "r2021-utf8.html": ("2021", (), 102, {"encoding": "utf-8", "variant": 1}),
    "r2019-gbk.html": ("2019", (), 103, {"encoding": "gbk", "declared": "gb2312"}),
    "r2021-gbk-undeclared.html": ("2021", (), 104, {"encoding": "gbk", "declared": ""}),
    "r2021-gbk-meta-says-utf8.html": ("2021", (), 105, {"encoding": "gbk", "declared": "utf-8"}),
    "r2019-utf8-meta-says-gbk.html": ("2019", (), 106, {"encoding": "utf-8", "declared": "gbk"}),
    "r2019-quirks.html": ("2019", ("half_width", "fullwidth_dot", "straight_quotes", "typo",
                                   "extra_row", "slash_zeros", "money_in_wan", "thousands"),
                          107, {"encoding": "utf-8", "variant": 2}),
    "r2021-quirks.html": ("2021", ("half_width", "comma_in_other", "spaced_labels",
                                   "blank_zeros", "split_table", "no_agency_in_title",
                                   "period_chinese"), 108, {"encoding": "utf-8"}),
    "r2021-single-other.html": ("2021", ("single_other_row",), 109, {"encoding": "utf-8"}),
    "r2021-traditional.html": ("2021", ("traditional",), 110, {"encoding": "utf-8"}),
    "r2019-pipe.txt": ("2019", (), 111, {"style": "pipe", "footer": True}),
    "r2021-pipe-lines.txt": ("2021", ("half_width",), 112, {"style": "pipe_lines", "footer": True}),
    "r2021-blank-lines.txt": ("2021", ("blank_zeros",), 113, {"style": "blank_lines"}),
    "legacy-2017.html": ("legacy", (), 114, {"encoding": "utf-8"}),
}


def build(name: str) -> tuple[bytes, dict]:
    template, quirks, seed, options = FIXTURES[name]
    spec = S.sample_spec(seed=seed, template=template, quirks=frozenset(quirks))
    if name.startswith("legacy"):
        spec.local_rows = {"主动公开政府信息数": spec.items_published, "行政复议数": 0}
    options = dict(options)
    if name.endswith(".txt"):
        data = S.render_text(spec, variant=seed % 3, style=options.pop("style"),
                             footer=options.pop("footer", False)).encode("utf-8")
    else:
        data = S.render_html(spec, **options)
    truth = S.expected(spec)
    if name.endswith(".txt"):
        truth["published"] = None  # flattened text carries no date line
    if "no_agency_in_title" in quirks:
        truth["title"] = f"{spec.year}年度政府信息公开工作年度报告"
    if template == "legacy":
        truth["metrics"]["proactive.items_published.total"] = spec.items_published
    return data, truth


def main() -> None:
    FILES.mkdir(exist_ok=True)
    for name in FIXTURES:
        data, truth = build(name)
        (FILES / name).write_bytes(data)
        (FILES / f"{name}.expected.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote tests/files/{name}")


if __name__ == "__main__":
    main()
