"""HTML page bytes → :class:`Document` (main content, tables as grids, page metadata)."""

from __future__ import annotations

import re

import lxml.etree
from lxml import html as lxml_html

from govcrawl.extract.decode import decode_bytes
from govcrawl.extract.document import Document
from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.grid import expand, grid_rows
from govcrawl.extract.tables import SourceRow

MAX_HTML_BYTES = 8 * 1024 * 1024
_DATA_URI = re.compile(rb"data:[a-zA-Z/+.-]+;base64,[A-Za-z0-9+/=\s]{256,}")
_BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
               "section", "article", "ul", "ol", "dd", "dt", "blockquote", "pre", "center",
               "td", "th", "hr"}
_HEADING = re.compile(r"^\s*[一二三四五六七八九][、.．]\s*\S")
_META_NAMES = ("ArticleTitle", "PubDate", "ColumnName", "SiteName", "ContentSource",
               "Author", "Url", "firstpublishedtime", "publishdate", "Keywords")


def _page_meta(root: lxml_html.HtmlElement) -> dict[str, str]:
    meta: dict[str, str] = {}
    wanted = {name.lower(): name for name in _META_NAMES}
    for element in root.iter("meta"):
        name = (element.get("name") or element.get("property") or "").strip().lower()
        if name in wanted and element.get("content"):
            meta[wanted[name]] = element.get("content").strip()
    title = root.find(".//title")
    if title is not None and title.text_content().strip():
        meta["html_title"] = " ".join(title.text_content().split())
    return meta


def _leaf_tables(root: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    return [t for t in root.iter("table") if t.find(".//table") is None]


def _ancestors(element: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    chain = []
    node = element
    while node is not None:
        chain.append(node)
        node = node.getparent()
    return chain[::-1]


def _common_ancestor(elements: list[lxml_html.HtmlElement]) -> lxml_html.HtmlElement | None:
    if not elements:
        return None
    chains = [_ancestors(e) for e in elements]
    common = None
    for nodes in zip(*chains, strict=False):
        if all(n is nodes[0] for n in nodes):
            common = nodes[0]
        else:
            break
    return common


def main_content(root: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """The smallest element holding the report's section headings and its tables."""
    markers: list[lxml_html.HtmlElement] = []
    for node in root.iter():
        if not isinstance(node.tag, str) or node.tag in ("script", "style", "title"):
            continue
        text = (node.text or "").strip()
        if text and len(text) < 60 and _HEADING.match(text):
            markers.append(node)
    tables = [t for t in _leaf_tables(root) if len(t.xpath(".//td")) >= 4]
    candidates = markers + tables
    if len(markers) >= 2 or (markers and tables):
        common = _common_ancestor(candidates)
        if common is not None and common.tag not in ("html",):
            return common
    body = root.find("body")
    return body if body is not None else root


def _text_of(element: lxml_html.HtmlElement) -> str:
    """Visible text with line breaks at block boundaries."""
    parts: list[str] = []
    for event, node in lxml.etree.iterwalk(element, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if node.text and tag not in ("script", "style"):
                parts.append(node.text)
        else:
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if node.tail and node is not element:
                parts.append(node.tail)
    text = "".join(parts).replace("\xa0", " ").replace("\u3000", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _title_candidates(root: lxml_html.HtmlElement, main: lxml_html.HtmlElement,
                      meta: dict[str, str]) -> list[str]:
    out: list[str] = []
    if meta.get("ArticleTitle"):
        out.append(meta["ArticleTitle"])
    for tag in ("h1", "h2", "h3"):
        for element in root.iter(tag):
            text = " ".join(element.text_content().split())
            if text and len(text) < 100:
                out.append(text)
    for element in root.xpath("//*[contains(@class,'title') or contains(@id,'title')]")[:20]:
        text = " ".join(element.text_content().split())
        if text and len(text) < 100:
            out.append(text)
    if meta.get("html_title"):
        out.extend(p.strip() for p in re.split(r"[_|]| - ", meta["html_title"]) if p.strip())
    return out


def parse_html(data: bytes, path: str, declared: str | None = None) -> Document:
    """Decode, parse and reduce an HTML page; raises ExtractionError on unusable input."""
    data = _DATA_URI.sub(b"data:", data)
    if len(data) > MAX_HTML_BYTES:
        raise ExtractionError(path, f"page too large ({len(data)} bytes > {MAX_HTML_BYTES})")
    decoded = decode_bytes(data, declared)
    try:
        root = lxml_html.document_fromstring(decoded.text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractionError(path, f"unparseable HTML ({exc})") from None
    for bad in root.xpath("//script|//style|//noscript|//comment()"):
        bad.drop_tree() if hasattr(bad, "drop_tree") else bad.getparent().remove(bad)
    meta = _page_meta(root)
    main = main_content(root)
    tables = _leaf_tables(main) or _leaf_tables(root)
    rows: list[SourceRow] = []
    for table in tables:
        rows.extend(grid_rows(expand(table)))
    titles = _title_candidates(root, main, meta)
    for table in tables:
        if table.getparent() is not None:
            placeholder = lxml_html.Element("p")
            placeholder.tail = table.tail
            table.getparent().replace(table, placeholder)
    text = _text_of(main)
    return Document("text/html", text, rows, titles, meta, list(decoded.warnings),
                    decoded.encoding)
