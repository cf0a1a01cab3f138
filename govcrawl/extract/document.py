"""A source document reduced to what extraction needs: prose text, table rows, page metadata;
the row type every reader emits and the table interpreter reads.

HTML pages, flattened text and (later) PDF/DOCX all become a :class:`Document`; the
record builder never looks at the original format again.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SourceRow:
    """One table row in reading order. ``None`` marks a slot covered by a merged cell."""

    cells: list[str | None]
    positional: bool = False  # True for grids: slot positions are column positions
    sparse: bool = False  # True where a flattening may have dropped blank cells (figures by spaces)


@dataclass
class Document:
    media_type: str
    text: str
    rows: list[SourceRow] = field(default_factory=list)
    title_candidates: list[str] = field(default_factory=list)
    page_meta: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None
