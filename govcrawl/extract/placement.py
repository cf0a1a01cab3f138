"""Where do the figures of a Table 3 row go when its blank cells were dropped?

A PDF viewer or page saver that drops blank cells leaves a row such as ``23 4 27``: three
figures for seven columns.  The total is the last (the others sum to it); which applicant
columns the others stand in is lost.  The table's own identities (report-schema.md §3)
constrain it — per applicant column, 一 + 二 = （七） + 四 and （七） = the sum of the
result rows — so every placement of every short row is tried against them.  A cell is
published only where every consistent placement puts the same figure in it; the rest are
left out, never guessed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

APPLICANT_COLUMNS = 6
_BALANCE_LEFT = ("new", "carried_over")
_BALANCE_RIGHT = ("results_total", "carried_forward")


@dataclass
class Placement:
    """Cells settled per short row (column index → figure), and how the search ended."""

    cells: dict[str, dict[int, float]] = field(default_factory=dict)
    consistent: bool = True  # False: no placement satisfies the identities
    exhausted: bool = True  # False: the search stopped at its budget; nothing was settled


def _candidates(figures: list[float]) -> list[tuple[float, ...]]:
    """Every way to put ``figures`` in order into the six applicant columns (zeros elsewhere)."""
    out = []
    for columns in itertools.combinations(range(APPLICANT_COLUMNS), len(figures)):
        row = [0.0] * APPLICANT_COLUMNS
        for column, figure in zip(columns, figures, strict=True):
            row[column] = figure
        out.append(tuple(row))
    return out


class _Budget(Exception):
    """The search took more steps than it may."""


def place(known: dict[str, tuple[float, ...]], short: dict[str, list[float]], leaves: tuple[str, ...],
          max_steps: int = 300_000) -> Placement:
    """Settle the short rows' cells by the table's identities.

    ``known``: rows read whole (six applicant figures); ``short``: rows whose blank cells
    were dropped (their applicant figures in order).  Rows in neither are not constrained.
    A placement of a row is *possible* when some placement of all the others completes it
    consistently; a cell is settled when all the row's possible placements agree on it.
    """
    order = sorted(short, key=lambda key: (key not in (*_BALANCE_LEFT, *_BALANCE_RIGHT), -sum(short[key])))
    options = {key: _candidates(short[key]) for key in order}
    possible: dict[str, set[tuple[float, ...]]] = {key: set() for key in order}
    assigned: dict[str, tuple[float, ...]] = dict(known)
    steps = 0

    def consistent() -> bool:
        total = assigned.get("results_total")
        leaf_rows = [assigned[leaf] for leaf in leaves if leaf in assigned]
        all_leaves = all(leaf in assigned for leaf in leaves)
        balance = all(key in assigned for key in (*_BALANCE_LEFT, *_BALANCE_RIGHT))
        for column in range(APPLICANT_COLUMNS):
            if total is not None:
                partial = sum(row[column] for row in leaf_rows)
                if partial > total[column] + 1e-6 or (all_leaves and abs(partial - total[column]) > 1e-6):
                    return False
            if balance:
                left = sum(assigned[key][column] for key in _BALANCE_LEFT)
                right = sum(assigned[key][column] for key in _BALANCE_RIGHT)
                if abs(left - right) > 1e-6:
                    return False
        return True

    def solve(depth: int, fixed: dict[str, tuple[float, ...]]) -> bool:
        """Find one consistent completion; record its placements as possible."""
        nonlocal steps
        if depth == len(order):
            for key in order:
                possible[key].add(assigned[key])
            return True
        key = order[depth]
        for candidate in ([fixed[key]] if key in fixed else options[key]):
            steps += 1
            if steps > max_steps:
                raise _Budget
            assigned[key] = candidate
            found = consistent() and solve(depth + 1, fixed)
            del assigned[key]
            if found:
                return True
        return False

    result = Placement()
    try:
        for key in order:
            for candidate in options[key]:
                if candidate not in possible[key]:
                    solve(0, {key: candidate})
            if not possible[key]:
                result.consistent = False
                return result
    except _Budget:
        result.exhausted = False
        return result
    for key in order:
        columns = zip(*possible[key], strict=True)
        result.cells[key] = {column: values[0] for column, values in enumerate(columns)
                             if len(set(values)) == 1}
    return result
