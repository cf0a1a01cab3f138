"""A source document reduced to what extraction needs: prose text, table rows, page metadata.

HTML pages, flattened text and (later) PDF/DOCX all become a :class:`Document`; the
record builder never looks at the original format again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govcrawl.extract.tables import SourceRow


@dataclass
class Document:
    media_type: str
    text: str
    rows: list[SourceRow] = field(default_factory=list)
    title_candidates: list[str] = field(default_factory=list)
    page_meta: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None
