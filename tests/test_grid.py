"""HTML tables → rectangular grids with spans expanded."""

from __future__ import annotations

from lxml import html

from govcrawl.extract.grid import expand, grid_rows

TABLE = """<table>
<tr><td rowspan="2" colspan="2">corner</td><td colspan="2">head</td></tr>
<tr><td>a</td><td>b</td></tr>
<tr><td rowspan="2">g</td><td>x</td><td>1</td><td>2</td></tr>
<tr><td>y</td><td>3</td><td></td></tr>
</table>"""


def test_expand_spans():
    grid = expand(html.fragment_fromstring(TABLE))
    texts = [[slot[1] if slot else None for slot in row] for row in grid]
    assert texts == [
        ["corner", "corner", "head", "head"],
        ["corner", "corner", "a", "b"],
        ["g", "x", "1", "2"],
        ["g", "y", "3", ""],
    ]


def test_rows_read_each_cell_once():
    rows = grid_rows(expand(html.fragment_fromstring(TABLE)))
    assert [r.cells for r in rows] == [
        ["corner", None, "head", None],
        [None, None, "a", "b"],
        ["g", "x", "1", "2"],
        [None, "y", "3", ""],
    ]
    assert all(r.positional for r in rows)


def test_absurd_spans_are_capped():
    table = html.fragment_fromstring('<table><tr><td colspan="100000">x</td></tr></table>')
    grid = expand(table)
    assert len(grid[0]) <= 64


def test_br_broken_labels_rejoin():
    table = html.fragment_fromstring("<table><tr><td>商业<br>企业</td></tr></table>")
    assert expand(table)[0][0][1] == "商业企业"
