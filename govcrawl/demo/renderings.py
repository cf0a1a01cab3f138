"""A generated report as the tools between a portal and a researcher leave it.

Real reports reach an archive as what some tool made of them: a PDF converted to
Markdown, a page saved as text with its markup, a table flattened with its figures glued
together, an OCR of a scan, the text a PDF viewer copies, a mirror site's traditional
characters with pinyin glosses, a page whose title lives only in its frame.  Each
function here renders a :class:`~govcrawl.demo.samples.ReportSpec` the way one such tool
does, varied by a seed, so that the extractor is tested on the *kind* of input, with the
spec as the ground truth.  All text comes from the project's own templates.
"""

from __future__ import annotations

import html
import random
import re

import opencc

from govcrawl.demo import samples as S
from govcrawl.extract import keys as K
from govcrawl.extract.normalize import parse_value

KINDS = ("titleless", "opening", "markdown", "html_text", "glued", "ocr", "viewer", "mirror")


def _is_figure(text: str) -> bool:
    return parse_value(text).number is not None


# --- grids as slots ------------------------------------------------------------------------

def slots(rows: list[list[S.Cell]], repeat: bool) -> list[list[str]]:
    """A grid's rows as slots: each merged cell's text in its first slot, and in the others
    too (``repeat``, as docling writes spans) or empty (as marker does)."""
    width = max(sum(span for _, _, span in row) for row in rows)
    out: list[list[str | None]] = [[None] * width for _ in rows]
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while c < width and out[r][c] is not None:
                c += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    if r + dr < len(out) and c + dc < width:
                        out[r + dr][c + dc] = text if (repeat or (dr, dc) == (0, 0)) else ""
            c += colspan
    return [[cell or "" for cell in row] for row in out]


def _pipe(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown_table(rows: list[list[S.Cell]], repeat: bool, header_rows: int = 1, split_label: bool = False) -> str:
    """``split_label``: the label column split in two, data rows getting an empty cell after
    their label (the shape that shifted Table 2's columns by one)."""
    grid = slots(rows, repeat)
    if split_label:
        grid = [[*row[:1], "", *row[1:]] if row and row[0] and not _is_figure(row[0]) and any(
            _is_figure(c) for c in row[1:]) else [*row, ""] for row in grid]
    lines = [_pipe(row) for row in grid]
    lines.insert(header_rows, _pipe(["---"] * len(grid[0])))
    return "\n".join(lines)


# --- the report's prose ----------------------------------------------------------------------

def first_sentence(spec: S.ReportSpec, rng: random.Random) -> str:
    verb = rng.choice(("严格对照《条例》要求", "认真贯彻落实《条例》", "坚持以公开为常态、不公开为例外",
                       "深入贯彻落实党中央、国务院关于全面推进政务公开的决策部署"))
    lead = rng.choice((f"{spec.year}年，", f"{spec.year}年以来，", f"{spec.year}年度，"))
    return f"{lead}{spec.agency}{verb}，扎实推进政府信息公开工作。"


def sections(spec: S.ReportSpec, rng: random.Random, opening_sentence: bool = True) -> list[tuple[str, str]]:
    out = S.legacy_sections(spec) if spec.template == "legacy" else S.report_sections(spec)
    if opening_sentence:
        heading, text = out[0]
        out[0] = (heading, first_sentence(spec, rng) + text.split("。", 1)[1])
    return out


# --- the kinds -------------------------------------------------------------------------------

def titleless(spec: S.ReportSpec, seed: int) -> bytes:
    """A page whose article starts at 一、总体情况: the title is in the page's frame (its
    <title>, the breadcrumb, a heading outside the article) or nowhere; the agency and the
    year are in the first sentence."""
    rng = random.Random(seed)
    where = seed % 4
    title = spec.report_title
    head_title = f"<title>{html.escape(title)}-{spec.agency[:4]}门户网站</title>" if where == 0 else \
        "<title>政府信息公开年报</title>"
    crumb = (f'<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报 &gt; {html.escape(title)}</div>'
             if where == 1 else '<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>')
    outside = f'<div class="top"><h1>{html.escape(title)}</h1></div>' if where == 2 else ""
    body = []
    for number, (heading, text) in enumerate(sections(spec, rng), start=1):
        body.append(f"<p><strong>{html.escape(heading)}</strong></p><p>{html.escape(text)}</p>")
        if spec.template != "legacy":
            grid = {2: S.proactive_grid, 3: S.requests_grid, 4: S.appeals_grid}.get(number)
            if grid:
                body.append(S.grid_html(grid(spec)))
    contact = spec.contact
    body.append(f"<p>联系地址：{contact['address']}，邮编：{contact['postcode']}，联系电话：{contact['phone']}。</p>")
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8">{head_title}</head><body>'
            f'<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>{crumb}{outside}'
            f'<div class="article"><div class="info">发布时间：{spec.published}</div>'
            f'<div class="TRS_Editor">{"".join(body)}</div></div>'
            f'<div class="footer">网站标识码 0000000000</div></body></html>')
    return page.encode("utf-8")


def opening(spec: S.ReportSpec, seed: int) -> bytes:
    """Only the opening passage of a report's text, title-less or not, as real texts cut off."""
    rng = random.Random(seed)
    lines = [spec.report_title] if seed % 3 == 0 else []
    lines.append(S.opening(spec, seed))
    heading, text = sections(spec, rng)[0]
    lines += [heading, text[: rng.randint(min(40, len(text)), len(text))]]
    return ("\n".join(lines) + "\n").encode("utf-8")


def markdown(spec: S.ReportSpec, seed: int) -> bytes:
    """A PDF converted to Markdown: ``#`` headings, pipe tables with a ``|---|`` line, headers
    over two or three rows, merged cells repeated or left empty, Table 4 as one table or
    as three one-row sub-tables under headings naming their row."""
    rng = random.Random(seed)
    repeat = seed % 2 == 0
    out = [f"# {spec.report_title}", "", S.opening(spec, seed), ""]
    for number, (heading, text) in enumerate(sections(spec, rng, opening_sentence=False), start=1):
        out += [f"## {heading}", "", text, ""]
        if spec.template == "legacy":
            continue
        if number == 2:
            grid = S.proactive_grid(spec)
            if seed % 3 == 1:  # each block its own small table under its title
                blocks: list[tuple[str, list[list[S.Cell]]]] = []
                for row in grid:
                    if len(row) == 1:
                        blocks.append((row[0][0], []))
                    else:
                        blocks[-1][1].append(row)
                for title, block_rows in blocks:
                    out += [f"**{title}**", "", markdown_table(block_rows, repeat, split_label=seed % 4 == 3), ""]
            else:
                out += [markdown_table(grid, repeat, split_label=seed % 4 == 3), ""]
        elif number == 3:
            out += [markdown_table(S.requests_grid(spec), repeat, header_rows=rng.choice((1, 3))), ""]
        elif number == 4:
            grid = S.appeals_grid(spec)
            if seed % 3 != 0:
                five = [c.label for c in K.APPEAL_COLUMNS]
                values = [text for text, _, _ in grid[3]]
                names = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
                order = (2, 1, 0) if seed % 5 == 2 else (0, 1, 2)  # sub-tables out of order
                for index in order:
                    name = names[index]
                    out += [f"### {name}", "", _pipe(five), _pipe(["---"] * 5),
                            _pipe(values[index * 5:(index + 1) * 5]), ""]
            else:
                out += [markdown_table(grid, repeat, header_rows=3), ""]
    return "\n".join(out).encode("utf-8")


def html_text(spec: S.ReportSpec, seed: int) -> bytes:
    """A page's article saved as a .txt: paragraphs and tables with their markup."""
    body = S.report_body_html(spec, seed % 3, word=seed % 2 == 1)
    return f"<h1>{html.escape(spec.report_title)}</h1>\n{body}\n".encode()


def glued(spec: S.ReportSpec, seed: int) -> bytes:
    """A page exported as text with its tables flattened and the cell values glued together
    (…申请数量640020470 for 64, 0, 0, 2, 0, 4, 70), as one portal's archive export stores it."""
    rule = "=" * 20
    head = f"标题: {spec.report_title}\n发布时间: {spec.published} 09:00\n{rule} 正文 {rule}\n"
    parts = [head, S.opening(spec, seed)]
    for number, (heading, text) in enumerate(S.report_sections(spec) if spec.template != "legacy"
                                             else S.legacy_sections(spec), start=1):
        chunk = heading + text
        if spec.template != "legacy":
            grid = {2: S.proactive_grid, 3: S.requests_grid, 4: S.appeals_grid}.get(number)
            if grid:
                chunk += "".join(text for row in grid(spec) for text, _, _ in row)
        parts.append(chunk)
    return "".join(parts).encode("utf-8")


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def ocr(spec: S.ReportSpec, seed: int) -> bytes:
    """An OCR of a scan: a table row per line, labels broken mid-word across lines,
    full-width digits here and there, a space inside a number, O for 0."""
    rng = random.Random(seed)

    def noisy(value: str) -> str:
        draw = rng.random()
        if value == "0" and draw < 0.15:
            return "O"
        if len(value) >= 2 and draw < 0.1:
            cut = rng.randint(1, len(value) - 1)
            return value[:cut] + " " + value[cut:]
        if draw < 0.3:
            return value.translate(_FULL_WIDTH)
        return value

    lines = [spec.report_title, S.opening(spec, seed)]
    for number, (heading, text) in enumerate(sections(spec, rng, opening_sentence=False), start=1):
        lines += [heading, text]
        if spec.template == "legacy":
            continue
        grid = {2: S.proactive_grid, 3: S.requests_grid, 4: S.appeals_grid}.get(number)
        if not grid:
            continue
        for row in grid(spec):
            cells = [text for text, _, _ in row]
            labels = [c for c in cells if c and not _is_figure(c)]
            values = [noisy(c) if c else "0" for c in cells if not c or _is_figure(c)]
            label = " ".join(labels)  # OCR separates a row's cells by spaces
            if len(label) > 14 and rng.random() < 0.5:
                cut = rng.randint(4, len(label) - 4)
                lines += [label[:cut], label[cut:] + " " + " ".join(values)]
            else:
                lines.append((label + " " + " ".join(values)).strip())
    return ("\n".join(lines) + "\n").encode("utf-8")


def viewer(spec: S.ReportSpec, seed: int) -> bytes:
    """The text a PDF viewer or a page saver copies out of a report's tables: the column
    header stacked one character per line, a row's figures on one line (Table 4's fifteen
    together), rows introduced by a lone ``|`` line, blank cells on lines of their own or
    dropped (the figures after them shift left)."""
    rng = random.Random(seed)
    lines = [spec.report_title, S.opening(spec, seed)]
    for number, (heading, text) in enumerate(sections(spec, rng, opening_sentence=False), start=1):
        lines += [heading, text]
        if spec.template == "legacy":
            continue
        if number == 2:
            lines.append(S.grid_text(S.proactive_grid(spec), "pipe"))
        elif number == 3:
            grid = S.requests_grid(spec)
            for header in grid[:3]:  # the header stacked: one character per line
                for text, _, _ in header:
                    lines += list(text) if not text.startswith("（本列") else [text]
            for row in grid[3:]:
                lines.append("|")
                labels = [text for text, _, _ in row if text and not _is_figure(text)]
                values = [text for text, _, _ in row[len(row) - 7:]]
                lines += labels
                if seed % 4 == 3:  # blank cells dropped: later figures shift left
                    lines.append(" ".join(v for v in values if v))
                elif seed % 2 == 0:
                    lines.append(" ".join(v or "0" for v in values))
                else:  # blank cells on lines of their own
                    lines += [v if v else "" for v in values]
        elif number == 4:
            grid = S.appeals_grid(spec)
            for header in grid[:3]:
                lines.append(" ".join(text for text, _, _ in header))
            lines.append(" ".join(text or "0" for text, _, _ in grid[3]))
    return ("\n".join(lines) + "\n").encode("utf-8")


_S2T = opencc.OpenCC("s2t")
_GLOSSES = {"规": "guī", "章": "zhāng", "复": "fù", "议": "yì", "诉": "sù", "讼": "sòng", "维": "wéi", "持": "chí",
            "纠": "jiū", "审": "shěn", "结": "jié", "许": "xǔ", "罚": "fá", "强": "qiáng"}


def mirror(spec: S.ReportSpec, seed: int) -> bytes:
    """A spam mirror's copy: traditional characters throughout, and pinyin glosses after
    some characters of the table labels (規(guī)章)."""
    rng = random.Random(seed)
    page = S.render_html(spec, variant=seed % 3).decode("utf-8")

    def gloss(match: re.Match[str]) -> str:
        text = match.group(0)
        return "".join(ch + (f"({_GLOSSES[ch]})" if ch in _GLOSSES and rng.random() < 0.3 else "") for ch in text)

    page = re.sub(r"(?<=<p>)[^<]{1,12}(?=</p></td>)", gloss, page)
    return _S2T.convert(page).encode("utf-8")


RENDER = {"titleless": (titleless, ".html"), "opening": (opening, ".txt"), "markdown": (markdown, ".md"),
          "html_text": (html_text, ".txt"), "glued": (glued, ".txt"), "ocr": (ocr, ".txt"),
          "viewer": (viewer, ".txt"), "mirror": (mirror, ".html")}


def render(kind: str, spec: S.ReportSpec, seed: int) -> tuple[bytes, str]:
    """(bytes, file name) of ``spec`` rendered as ``kind``."""
    function, suffix = RENDER[kind]
    return function(spec, seed), f"{kind}-{seed}{suffix}"
