"""Consistency checks (勾稽关系) of report-schema.md §3, per column and per row.

A failed check never blocks storage; it is a finding about the agency's own numbers.
"""

from __future__ import annotations

from govcrawl.extract import keys as K

TOLERANCE = 1e-6


def _status(left: float | None, right: float | None) -> str:
    if left is None or right is None:
        return "not_assessable"
    return "pass" if abs(left - right) <= TOLERANCE else "fail"


def _sum(values: list[float | None]) -> float | None:
    if any(v is None for v in values):
        return None
    return sum(values)  # type: ignore[arg-type]


def _entry(rule: str, row: str | None, col: str | None, left, right) -> dict:
    return {"rule": rule, "row": row, "col": col, "status": _status(left, right),
            "left": left, "right": right}


def run_checks(metrics: dict[str, float], template: str | None,
               table_keys: set[str]) -> list[dict]:
    """Every rule per column and row; tables absent from the report give one not_assessable."""
    checks: list[dict] = []

    def get(key: str) -> float | None:
        return metrics.get(key) if key in table_keys else None

    if not any(k.startswith("requests.") for k in table_keys):
        for rule in ("requests.balance", "requests.results_sum", "requests.column_sum"):
            checks.append(_entry(rule, None, None, None, None))
    else:
        for col in K.REQUEST_COLUMNS:
            c = col.key
            left = _sum([get(f"requests.new.{c}"), get(f"requests.carried_over.{c}")])
            right = _sum([get(f"requests.results_total.{c}"), get(f"requests.carried_forward.{c}")])
            checks.append(_entry("requests.balance", None, c, left, right))
        leaves = _result_leaves(template, table_keys)
        for col in K.REQUEST_COLUMNS:
            c = col.key
            left = get(f"requests.results_total.{c}")
            right = _sum([get(f"requests.{leaf}.{c}") for leaf in leaves])
            checks.append(_entry("requests.results_sum", None, c, left, right))
        rows_present = {k.rsplit(".", 1)[0] for k in table_keys}
        for row in K.REQUEST_ROWS:
            present = f"requests.{row.key}" in rows_present
            if row.key.startswith("other.") and not present:
                continue  # 2019, or a 2021 table that kept （六） as one row
            left = get(f"requests.{row.key}.total")
            right = _sum([get(f"requests.{row.key}.{c.key}") for c in K.REQUEST_COLUMNS[:-1]])
            checks.append(_entry("requests.column_sum", row.key, "total", left, right))
    if not any(k.startswith("appeals.") and not k.startswith("appeals.litigation.")
               for k in table_keys):
        checks.append(_entry("appeals.total", None, None, None, None))
    else:
        for row in K.APPEAL_ROWS:
            left = get(f"appeals.{row.key}.total")
            right = _sum([get(f"appeals.{row.key}.{c}")
                          for c in ("upheld", "corrected", "other", "pending")])
            checks.append(_entry("appeals.total", row.key, "total", left, right))
    return checks


def _result_leaves(template: str | None, table_keys: set[str]) -> tuple[str, ...]:
    """19 leaves in 2019; 21 in 2021 — or （六） as one row where a 2021 table kept it whole."""
    has_sub_rows = any(k.startswith("requests.other.no_correction.") for k in table_keys)
    if template == K.T2021 and has_sub_rows:
        return K.RESULT_LEAVES[K.T2021]
    return K.RESULT_LEAVES[K.T2019]
