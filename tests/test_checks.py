"""Consistency checks: whole entries, per column and row."""

from __future__ import annotations

from govcrawl.extract import keys as K
from govcrawl.extract.checks import run_checks


def balanced_requests(template="2019"):
    metrics = {}
    for col in K.REQUEST_COLUMNS:
        c = col.key
        n = 6 if c == "total" else 1
        metrics.update({f"requests.new.{c}": n, f"requests.carried_over.{c}": 0,
                        f"requests.granted.{c}": n, f"requests.results_total.{c}": n,
                        f"requests.carried_forward.{c}": 0})
        for leaf in K.RESULT_LEAVES[template]:
            metrics.setdefault(f"requests.{leaf}.{c}", 0)
    return metrics


def test_balanced_table_passes_every_rule():
    metrics = balanced_requests()
    checks = run_checks(metrics, "2019", set(metrics))
    assert {c["status"] for c in checks if c["rule"].startswith("requests")} == {"pass"}
    assert {c["rule"] for c in checks} == {"requests.balance", "requests.results_sum",
                                           "requests.column_sum", "appeals.total"}
    assert len([c for c in checks if c["rule"] == "requests.balance"]) == 7
    assert len([c for c in checks if c["rule"] == "requests.column_sum"]) == 23


def test_failed_balance_names_the_column_and_both_sides():
    metrics = balanced_requests()
    metrics["requests.carried_forward.total"] = 2
    checks = run_checks(metrics, "2019", set(metrics))
    failing = [c for c in checks if c["status"] == "fail"]
    assert failing == [
        {"rule": "requests.balance", "row": None, "col": "total", "status": "fail",
         "left": 6, "right": 8},
        {"rule": "requests.column_sum", "row": "carried_forward", "col": "total",
         "status": "fail", "left": 2, "right": 0},
    ]


def test_missing_cell_is_not_assessable():
    metrics = balanced_requests()
    del metrics["requests.carried_over.research"]
    checks = run_checks(metrics, "2019", set(metrics))
    entry = next(c for c in checks if c["rule"] == "requests.balance" and c["col"] == "research")
    assert entry == {"rule": "requests.balance", "row": None, "col": "research",
                     "status": "not_assessable", "left": None, "right": 1}


def test_appeals_total_per_row():
    metrics = {f"appeals.{r.key}.{c.key}": 0 for r in K.APPEAL_ROWS for c in K.APPEAL_COLUMNS}
    metrics.update({"appeals.review.upheld": 2, "appeals.review.total": 3})
    checks = [c for c in run_checks(metrics, "2021", set(metrics)) if c["rule"] == "appeals.total"]
    assert checks[0] == {"rule": "appeals.total", "row": "review", "col": "total",
                         "status": "fail", "left": 3, "right": 2}
    assert [c["status"] for c in checks[1:]] == ["pass", "pass"]


def test_absent_tables_give_one_not_assessable_entry_per_rule():
    checks = run_checks({}, "legacy", set())
    assert checks == [
        {"rule": rule, "row": None, "col": None, "status": "not_assessable", "left": None,
         "right": None}
        for rule in ("requests.balance", "requests.results_sum", "requests.column_sum",
                     "appeals.total")]


def test_2021_results_sum_uses_21_leaves():
    metrics = balanced_requests("2021")
    metrics["requests.other.other.total"] = 1
    checks = run_checks(metrics, "2021", set(metrics))
    entry = next(c for c in checks if c["rule"] == "requests.results_sum" and c["col"] == "total")
    assert (entry["status"], entry["left"], entry["right"]) == ("fail", 6, 7)
