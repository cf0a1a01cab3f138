"""HTML page bytes → :class:`Document` (main content, tables as grids, page metadata)."""

from __future__ import annotations

import re

from lxml import etree

from govcrawl.extract.decode import decode_bytes
from govcrawl.extract.document import Document, SourceRow
from govcrawl.extract.errors import ExtractionError
from govcrawl.extract.grid import MAX_CELLS, MAX_DOCUMENT_CELLS, Budget, expand, grid_rows
from govcrawl.extract.meta import pick_title, title_lines

MAX_HTML_BYTES = 8 * 1024 * 1024
_DATA_URI = re.compile(rb"data:[a-zA-Z/+.-]+;base64,[A-Za-z0-9+/=\s]{256,}")
_BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
               "section", "article", "ul", "ol", "dd", "dt", "blockquote", "pre", "center",
               "td", "th", "hr"}
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])  # a cheap test before the regex
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HEADING = re.compile(r"^\s*[一二三四五六七八九][、.．]\s*\S")
_PAGE_DATE = re.compile(r"发布(?:时间|日期)\s*[:：]\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})")
_META_NAMES = ("ArticleTitle", "PubDate", "ColumnName", "SiteName", "ContentSource",
               "Author", "Url", "firstpublishedtime", "publishdate", "Keywords")


def _page_meta(root: etree._Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    wanted = {name.lower(): name for name in _META_NAMES}
    for element in root.iter("meta"):
        name = (element.get("name") or element.get("property") or "").strip().lower()
        if name in wanted and element.get("content"):
            meta[wanted[name]] = element.get("content").strip()
    # The date line portals print above the article (发布时间：2024-01-20), outside the
    # report's own text: kept as a page fact, like the TRS PubDate tag.
    for node in root.xpath("//body//text()[contains(., '发布时间') or contains(., '发布日期')]")[:5]:
        parent = node.getparent()
        line = " ".join(_text(parent).split()) if parent is not None else str(node)
        match = _PAGE_DATE.search(line[:300])
        if match:
            meta["page_published"] = match.group(1)
            break
    title = root.find(".//title")
    if title is not None and _text(title).strip():
        meta["html_title"] = " ".join(_text(title).split())
    return meta


def _text(element: etree._Element) -> str:
    return "".join(element.itertext())


def _remove(element: etree._Element) -> None:
    """Remove an element but keep its tail text (what lxml.html's drop_tree does)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _leaf_tables(root: etree._Element) -> list[etree._Element]:
    return [t for t in root.iter("table") if t.find(".//table") is None]


def _ancestors(element: etree._Element) -> list[etree._Element]:
    chain = []
    node = element
    while node is not None:
        chain.append(node)
        node = node.getparent()
    return chain[::-1]


def _common_ancestor(elements: list[etree._Element]) -> etree._Element | None:
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


# Text nodes whose first characters read '一、'…'六．': one cheap test per node, in C.
_HEADING_CANDIDATES = etree.XPath(
    "//text()[string-length(normalize-space(.)) > 2 and string-length(normalize-space(.)) < 60"
    " and contains('一二三四五六七八九', substring(normalize-space(.), 1, 1))"
    " and contains('、.．', substring(normalize-space(.), 2, 1))]")


def main_content(root: etree._Element) -> etree._Element:
    """The smallest element holding the report's section headings and its tables."""
    markers: list[etree._Element] = []
    for text in _HEADING_CANDIDATES(root):
        if not _HEADING.match(text):
            continue
        parent = text.getparent()
        if parent is None or parent.tag in ("script", "style", "title"):
            continue
        markers.append(parent)
    tables = [t for t in _leaf_tables(root) if len(t.xpath(".//td")) >= 4]
    candidates = markers + tables
    if len(markers) >= 2 or (markers and tables):
        common = _common_ancestor(candidates)
        if common is not None and common.tag not in ("html",):
            return common
    body = root.find("body")
    return body if body is not None else root


def _text_of(element: etree._Element) -> str:
    """Visible text with line breaks at block boundaries."""
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
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


_TITLE_ELEMENTS = etree.XPath(
    "(//h1|//h2|//h3|//*[contains(@class,'title') or contains(@id,'title')])[position() <= 40]")


_HEADINGS = etree.XPath("(//h1|//h2|//h3)[position() <= 20]")
_TITLE_CLASSES = etree.XPath(
    "(//*[contains(@class,'title') or contains(@id,'title')])[position() <= 40]")


def _title_candidates(root: etree._Element, meta: dict[str, str]) -> list[str]:
    """Title candidates, best first; the costly class search only when nothing better reads as one."""
    out: list[str] = []
    if meta.get("ArticleTitle"):
        out.append(meta["ArticleTitle"])
    out += [t for t in (" ".join(_text(h).split()) for h in _HEADINGS(root)) if t and len(t) < 100]
    if pick_title(out) is None:
        out += [t for t in (" ".join(_text(e).split()) for e in _TITLE_CLASSES(root))
                if t and len(t) < 100]
    if meta.get("html_title"):
        out.extend(p.strip() for p in re.split(r"[_|]| - ", meta["html_title"]) if p.strip())
    return out


def parse_html(data: bytes, path: str, declared: str | None = None) -> Document:
    """Decode, parse and reduce an HTML page; raises ExtractionError on unusable input."""
    if b";base64," in data:
        data = _DATA_URI.sub(b"data:", data)
    if len(data) > MAX_HTML_BYTES:
        raise ExtractionError(path, f"page too large ({len(data)} bytes > {MAX_HTML_BYTES})")
    decoded = decode_bytes(data, declared)
    text = _XML_DECLARATION.sub("", decoded.text, count=1)  # lxml refuses str with one
    # Control characters (a NUL in a CMS template, a stray \x0b) are no text, and lxml
    # refuses them when a tree is edited.
    if len(data.translate(None, _CONTROL_BYTES)) != len(data) and _CONTROLS.search(text):
        text = _CONTROLS.sub("", text)
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractionError(path, f"unparseable HTML ({exc})") from None
    if root is None:
        raise ExtractionError(path, "no HTML content")
    for bad in root.xpath("//script|//style|//noscript"):
        _remove(bad)
    meta = _page_meta(root)
    main = main_content(root)
    tables = _leaf_tables(main) or _leaf_tables(root)
    rows: list[SourceRow] = []
    budget = Budget()
    for table in tables:
        rows.extend(grid_rows(expand(table, budget)))
    warnings = list(decoded.warnings)
    if budget.exhausted:
        warnings.append(f"tables larger than {MAX_CELLS} cells (or {MAX_DOCUMENT_CELLS} in all): "
                        "the rest of them not read")
    titles = _title_candidates(root, meta)
    for table in tables:
        if table.getparent() is not None:
            placeholder = etree.Element("p")
            placeholder.tail = table.tail
            table.getparent().replace(table, placeholder)
    text = _text_of(main)
    # Many CMS editors set the title as the article's first (centred, bold) paragraph, no
    # heading element: the article's first lines come after the page's own candidates.
    titles += title_lines([line for line in text[:3000].split("\n")[:12] if len(line.strip()) < 100])
    return Document("text/html", text, rows, titles, meta, warnings, decoded.encoding)
