"""Which legal rules make the optimiser's linear rules infeasible, and the amounts that clash.

When the rows A x <= b of an allocation problem (`simlib.allocate.problem.Problem`: envelopes,
floors, commitments, ceilings, earmarks, absorption caps and the legal frame's rules, each labelled
with a `rules.Row`) have no solution, `conflict` finds an irreducible set of them by a deletion
filter: rows are grouped by (kind, rule, year, source); each group is dropped in turn and stays
dropped if the rest is still infeasible; then the rows of the groups that remain are filtered one
by one (when they are few). What is left is infeasible, and dropping any one of its groups (or
rows) makes it feasible — every rule in it is part of the cause, none is there by accident.

Groups are tried in an order that keeps the legal frame's rules to the end, so that when a legal
rule is one way of explaining the clash (a floor above the frame's central envelope, even if the
money to allocate is larger still) the set names it. `legal_cause(problem, file)` turns such a set
into an input error (exit status 2) naming each legal rule, its legal source and its amount, and
the floors, commitments and other bounds it clashes with; None when no legal rule is in the set
(the optimiser then gives its own diagnosis of the bounds).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from simlib import i18n
from simlib.allocate.explain import line_name, names_of
from simlib.allocate.rules import Row
from simlib.errors import InputError
from simlib.i18n import LANGS, LocalText, fmt

#: row kinds of the legal frame (`rules.LEGAL_KINDS`' values and `legal`)
LEGAL = ("capital", "counterpart", "legal_envelope", "territory", "norm", "legal")
#: the order in which groups are dropped: first what the optimiser adds itself, the legal rules last
DROP_ORDER = ("cap", "ceiling", "envelope", "earmark", "target", "commitment", "floor") + LEGAL
MAX_ROWS = 80  # rows filtered one by one after the groups (more: the groups are the answer)


def _feasible(A: np.ndarray, b: np.ndarray, keep: np.ndarray) -> bool:
    """Whether x >= 0 with A[keep] x <= b[keep] exists (HiGHS; status 2 = infeasible)."""
    if not keep.any():
        return True
    res = linprog(np.zeros(A.shape[1]), A_ub=A[keep], b_ub=b[keep], bounds=(0, None), method="highs")
    return res.status != 2


def _rank(row: Row) -> int:
    return DROP_ORDER.index(row.kind) if row.kind in DROP_ORDER else len(DROP_ORDER)


def _groups(rows: list[Row]) -> list[np.ndarray]:
    """Row indices by (kind, rule, year, source), in the order they are dropped."""
    by_key: dict[tuple, list[int]] = {}
    for i, r in enumerate(rows):
        by_key.setdefault((r.kind, r.rule, r.year, r.source), []).append(i)
    keys = sorted(by_key, key=lambda k: (_rank(rows[by_key[k][0]]), by_key[k][0]))
    return [np.array(by_key[k]) for k in keys]


def conflict(A: np.ndarray, b: np.ndarray, rows: list[Row]) -> list[int] | None:
    """Indices of an irreducible infeasible set of rows (see the module docstring), or None when
    the rows are feasible together."""
    A, b = np.asarray(A, float), np.asarray(b, float)
    keep = np.ones(len(b), bool)
    if _feasible(A, b, keep):
        return None
    for g in _groups(rows):
        keep[g] = False
        if _feasible(A, b, keep):
            keep[g] = True
    left = np.flatnonzero(keep)
    if len(left) <= MAX_ROWS:
        for i in sorted(left, key=lambda i: (_rank(rows[i]), i)):
            keep[i] = False
            if _feasible(A, b, keep):
                keep[i] = True
    return np.flatnonzero(keep).tolist()


def _where(r: Row, names: dict, lang: str) -> str:
    year = i18n.t("alloc.every_year", lang) if r.year is None else i18n.t("alloc.in_year", lang, year=r.year)
    unit = "" if r.unit is None else i18n.t("alloc.in_unit", lang, unit=names.get(("geo", r.unit, lang), r.unit))
    return year + unit


def clause(r: Row, names: dict, lang: str) -> str:
    """One row of the clash in words: what it asks, where and when, and (for a legal rule) its
    rule and legal source."""
    kind = r.kind if i18n.has(f"alloc.clash.{r.kind}") else "legal"
    text = i18n.t(
        f"alloc.clash.{kind}",
        lang,
        line=line_name(names, r.code, lang, r.year),
        code=r.code or "",
        source=i18n.label("source", r.source, lang) if r.source else "",
        amount=fmt.number(r.amount, lang, 3, trim=True),
        pct=fmt.percent(100 * r.amount, lang),
        where=_where(r, names, lang),
    )
    if kind in LEGAL:
        rule = i18n.t(f"legal.rule.{r.rule}", lang) if i18n.has(f"legal.rule.{r.rule}") else r.rule
        basis = r.basis.get(lang) if r.basis is not None else i18n.t("legal.no_document", lang)
        text += " " + i18n.t("alloc.clash.rule", lang, rule=rule, basis=basis)
    return text


def _shown(r: Row) -> bool:
    """A row worth naming: an envelope of a source with no money is implied (nothing else to spend)."""
    return not (r.kind == "envelope" and r.amount <= 0)


def legal_cause(problem, file: str | None = None) -> InputError | None:
    """The input error naming the legal rules that make `problem`'s rows infeasible and what they
    clash with (see the module docstring); None when the rows are feasible or no legal rule is part
    of an irreducible infeasible set."""
    found = conflict(problem.A, problem.b, problem.rows)
    if not found:
        return None
    rows = [problem.rows[i] for i in found]
    legal = [r for r in rows if r.kind in LEGAL]
    if not legal:
        return None
    others = [r for r in rows if r.kind not in LEGAL and _shown(r)]
    names = names_of(problem.scenario, problem.spec.plan_years)
    texts = {}
    for lang in LANGS:
        texts[lang] = i18n.t(
            "err.opt_infeasible_legal",
            lang,
            legal="; ".join(clause(r, names, lang) for r in legal),
            others="; ".join(clause(r, names, lang) for r in others) or i18n.t("alloc.clash.nothing_else", lang),
        )
    return InputError("legal_violation", file=file, field="lines", text=LocalText(**texts))
