"""Which of the optimiser's linear rules an allocation breaks, by how much, in words.

An allocation x (billion VND per variable) is feasible when every row of A x <= b holds
(`simlib.allocate.solve.is_feasible`, with the same tolerance). Every row is linear in x, so both
sides are billion VND. A row whose coefficients are all >= 0 is an upper limit (an absorption cap,
a ceiling, an envelope): it is broken when A x > b and the text reads "P6.2, năm 2027: 2,44 >
1,68 tỷ đồng (mức hấp thụ tối đa, tính trên vốn giải ngân)". A row whose coefficients are all <= 0 is a
lower limit stored negated (a floor, a commitment, an earmark, a coverage target): broken when
-A x < -b, read "… 0,5 < 1 tỷ đồng (mức sàn)". A row of mixed signs (the counterpart share) is
read by its excess. Absorption caps act on the money *disbursed* in a year (allocated x the
source's disbursement share), the other rows on what they say (`simlib.allocate.rules`).

The absorption cap is an assumption of the model (eligible beneficiaries x take-up ceiling x unit
cost, `simlib.allocate.absorption`), not a legal rule: a plan above it is not unlawful, its money
may reach no one. The legal frame's own rules are named by `simlib.compliance` (the plan's
findings); a row of a legal kind is named here only when no finding names its rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.allocate import tables
from simlib.allocate.problem import BN, from_amounts
from simlib.allocate.rules import Row
from simlib.allocate.solve import TOL, is_feasible
from simlib.allocate.structure import check_budget
from simlib.compliance import check_allocation, ignored
from simlib.i18n import LANGS, LocalText, fmt

#: row kinds with a short name of their own (`alloc.breach_rule.<kind>`); others read as a legal rule
NAMED = ("cap", "ceiling", "floor", "commitment", "earmark", "envelope", "target", "counterpart")
#: row kinds of the legal frame (`simlib.allocate.diagnose.LEGAL`)
LEGAL = ("capital", "counterpart", "legal_envelope", "territory", "norm", "legal")


@dataclass(frozen=True)
class Breach:
    """One broken row: its meaning, the allocation's side and the limit (billion VND)."""

    row: Row
    value: float  # billion VND: A x (upper limit) or -A x (lower limit); the excess for a mixed row
    limit: float  # billion VND: b, -b, or 0 for a mixed row
    sense: str  # above | below | over
    text: LocalText


def broken_rows(A: np.ndarray, b: np.ndarray, x: np.ndarray, tol: float = TOL) -> np.ndarray:
    """Indices of the rows of A x <= b that x breaks, with `solve.is_feasible`'s tolerance."""
    if len(b) == 0:
        return np.zeros(0, int)
    return np.flatnonzero(A @ x > b + tol * np.maximum(1.0, np.abs(b)))


def breach_of(a: np.ndarray, b: float, row: Row, x: np.ndarray, names: dict | None = None) -> Breach:
    """The breach of row (a, b) by x, with its text in every language."""
    lhs = float(a @ x)
    if (a >= 0).all():
        sense, value, limit = "above", lhs, float(b)
    elif (a <= 0).all():
        sense, value, limit = "below", -lhs, -float(b)
    else:
        sense, value, limit = "over", lhs - float(b), 0.0
    texts = {lang: breach_text(row, sense, value, limit, lang, names or {}) for lang in LANGS}
    return Breach(row, value, limit, sense, LocalText(**texts))


def breach_text(row: Row, sense: str, value: float, limit: float, lang: str, names: dict) -> str:
    """'P6.2, năm 2027: 2,44 > 1,68 tỷ đồng (mức hấp thụ tối đa, tính trên vốn giải ngân)' and the like."""
    year = i18n.t("alloc.every_year", lang) if row.year is None else i18n.t("alloc.in_year", lang, year=row.year)
    code = names.get(("line", row.code, lang, row.year), row.code)  # a dated year: the content
    what = ", ".join(p for p in (code, year) if p)
    if row.unit is not None:
        what += i18n.t("alloc.in_unit", lang, unit=names.get(("geo", row.unit, lang), row.unit))
    kind = row.kind if row.kind in NAMED else "legal"
    source = i18n.label("source", row.source, lang) if row.source else ""
    rule = i18n.t(f"alloc.breach_rule.{kind}", lang, source=source, code=row.rule or row.code or "")
    return i18n.t(
        f"alloc.breach.{sense}",
        lang,
        what=what,
        value=fmt.number(value, lang, 2),
        limit=fmt.number(limit, lang, 2),
        rule=rule,
    )


def breaches(A: np.ndarray, b: np.ndarray, rows: list[Row], x: np.ndarray, names: dict | None = None) -> list[Breach]:
    """Every row of A x <= b that x (n,) breaks, in the rows' order."""
    return [breach_of(A[i], b[i], rows[i], x, names) for i in broken_rows(A, b, x)]


def plan_breaches(problem, x: np.ndarray, findings: list, names: dict | None = None) -> list[Breach]:
    """The rows `problem` (a `Problem`) that allocation x breaks, leaving out the rows of a legal
    kind whose rule a finding of `simlib.compliance` / `check_budget` already names."""
    named = {getattr(f, "rule", None) for f in findings}
    out = breaches(problem.A, problem.b, problem.rows, x, names)
    return [br for br in out if not (br.row.kind in LEGAL and (br.row.rule in named or br.row.kind in named))]


def breaks_text(items: list[Breach], findings: list, lang: str) -> str:
    """One cell of comparison.csv: every breach and finding in `lang`, separated by '; '."""
    return "; ".join([br.text.get(lang) for br in items] + [f.message(lang) for f in findings])


def comparison_table(scen, spec, p, xs, allocs, spends, names: dict | None = None) -> tuple[pd.DataFrame, list, list]:
    """The four allocations side by side (optimal, plan, plan made feasible, equal split: `xs` the
    optimal, plan-feasible and equal-split points), each with the rules it breaks in words
    (`breaks_vi`, `breaks_en`: empty when feasible); the plan's legal findings (capital and the
    requested counterpart share, then the legal frame's other rules) and the plan's breaches of
    the optimiser's rows (`plan_breaches`)."""
    x, x_plan, x_equal = xs
    comp = tables.summaries(p, spends)
    comp["total_bn"] = [allocs[k][1:].sum() / BN for k in comp["allocation"]]
    findings = check_budget(scen, min_counterpart=spec.counterpart or spec.counterpart_min_share)
    findings += [v for v in check_allocation(scen, p.model.split) if v.rule != "capital" and not ignored(scen, v.rule)]
    x_raw = from_amounts(p, scen.budget.amounts)
    plan = plan_breaches(p, x_raw, findings, names)
    comp["feasible"] = [True, is_feasible(p, x_raw) and not findings, True, True]
    found = {"optimal": [], "plan": findings, "plan_feasible": [], "equal_split": []}
    items = {"optimal": x, "plan_feasible": x_plan, "equal_split": x_equal}
    each = {k: breaches(p.A, p.b, p.rows, v, names) for k, v in items.items()} | {"plan": plan}
    for lang in LANGS:
        comp[f"breaks_{lang}"] = [breaks_text(each[k], found[k], lang) for k in comp["allocation"]]
    if p.target_rows:
        sl = p.target_slacks(p.run(np.array([x, x_raw, x_plan, x_equal])))
        comp["targets_met"] = (sl >= -1e-6).all(axis=1)
    return comp, findings, plan


def breach_record(br: Breach) -> dict:
    """A breach for summary.json: the row's meaning, both sides (billion VND) and its texts."""
    r = br.row
    out = {"kind": r.kind, "rule": r.rule or r.kind, "code": r.code, "source": r.source, "year": r.year}
    out |= {"unit": r.unit, "sense": br.sense, "value_bn": br.value, "limit_bn": br.limit}
    return out | {lang: br.text.get(lang) for lang in LANGS}
