"""`govcrawl chart`: one agency's or one district's series as a PNG or SVG, for papers.

The series is read from each report's latest version; a year with no report is a gap,
not a zero.  Chinese labels need a CJK font (Debian: fonts-wqy-zenhei or fonts-noto-cjk);
without one the chart uses the English labels and says so.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import sqlite_utils

from govcrawl.extract import keys as K

DEFAULT_KEYS = ("requests.new.total", "requests.results_total.total", "appeals.review.total")
_CJK_FONTS = ("WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
              "SimHei", "Microsoft YaHei", "PingFang SC")


class ChartError(ValueError):
    """Nothing to draw (unknown agency or district, unknown key)."""


def series(db: sqlite_utils.Database, keys: tuple[str, ...], agency: str | None = None,
           district: str | None = None) -> tuple[str, dict[str, dict[int, float]]]:
    """(title, key → year → value) for one agency, or summed over one district's agencies."""
    known = {k.key for k in K.all_keys()}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ChartError(f"unknown key(s): {', '.join(unknown)} (see `govcrawl export` dictionary)")
    marks = ", ".join("?" * len(keys))
    if agency:
        where, params, title = "r.agency = ?", [agency], agency
    elif district:
        where = ("r.report_id IN (SELECT report_id FROM report_search WHERE portal_id = ? OR district = ? "
                 "OR portal_id LIKE '%-' || ?)")
        params, title = [district, district, district], district
    else:
        raise ChartError("give an agency or a district")
    rows = db.execute(
        f"SELECT m.key, r.year, SUM(m.value) FROM reports r JOIN metrics m ON m.version_id = r.latest_version_id "
        f"WHERE {where} AND m.key IN ({marks}) GROUP BY m.key, r.year ORDER BY r.year",
        [*params, *keys]).fetchall()
    if not rows:
        raise ChartError(f"no figures for {title!r} (check the name: agencies as printed, districts by "
                         "name or portal id)")
    data: dict[str, dict[int, float]] = {k: {} for k in keys}
    for key, year, value in rows:
        data[key][int(year)] = value
    if district:
        named = db.execute("SELECT name FROM portals WHERE portal_id = ? OR district = ? OR portal_id LIKE '%-' || ?",
                           [district, district, district]).fetchone()
        title = f"{named[0] if named else district} (sum over its agencies)"
    return title, data


_CJK_FILES = ("wqy-zenhei", "wqy-microhei", "notosanscjk", "notoserifcjk", "sourcehansans", "simhei", "msyh")


def _cjk_font() -> str | None:
    """A CJK font matplotlib can use: one it knows, or one installed since its font cache was
    made (the cache predates `apt-get install fonts-wqy-zenhei`), added from the file."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in _CJK_FONTS if name in installed), None)
    if found:
        return found
    for path in font_manager.findSystemFonts():
        if any(part in Path(path).name.lower().replace("-", "").replace("_", "") for part in
               (f.replace("-", "") for f in _CJK_FILES)):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # a font file matplotlib cannot read
                continue
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in _CJK_FONTS if name in installed), None)


def draw(title: str, data: dict[str, dict[int, float]], out: Path) -> str | None:
    """Write the chart; returns a warning when Chinese text could not be rendered."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = {k.key: k for k in K.all_keys()}
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # the fallback is said once, below
    font = _cjk_font()
    warning = None
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    else:
        warning = ("no CJK font installed (Debian: apt-get install fonts-wqy-zenhei): "
                   "English labels used, the title may not render")
    plt.rcParams["svg.hashsalt"] = "govcrawl"  # the same data gives the same SVG
    fig, ax = plt.subplots(figsize=(7.5, 4.2), dpi=150)
    years = sorted({y for values in data.values() for y in values})
    for key, values in data.items():
        info = labels[key]
        label = f"{info.label.split(' / ')[0]} ({info.english})" if font else info.english
        ax.plot(years, [values.get(y, float("nan")) for y in years], marker="o", label=label)
    ax.set_title(title)
    ax.set_xlabel("report year" if not font else "报告年度 (report year)")
    ax.set_ylabel("count" if not font else "件 (count)")
    ax.set_xticks(years)
    ax.tick_params(axis="x", labelrotation=45)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    metadata = {"Date": None} if out.suffix.lower() == ".svg" else {}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing")  # said once, above
        fig.tight_layout()
        fig.savefig(out, metadata=metadata)
    plt.close(fig)
    return warning
