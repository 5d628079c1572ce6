"""The allocation a planner is exploring, apart from any view.

`AllocationState` holds the starting scenario and the planner's choices (today: one weight per
project and the yearly envelope), turns them into budget amounts, checks them and projects them.
The widgets (`simlib.workbench.view`) only read and write it, so every rule lives here and is
tested without a browser.

Checks are *validators*: functions `state -> list[Problem]`. `DEFAULT_VALIDATORS` holds the
rules: an allocation must give some project money, and it must respect the legal frame (capital
by content, central envelopes by source, eligibility lists; `legal_frame`, `simlib.compliance`).
A blocking problem stops a save; every problem is shown to the planner in words.

Inputs are refused, never bent: a weight that is negative, not a number or infinite, or an
envelope that cannot be read, leaves the state unchanged and comes back as a `Problem`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from simlib import i18n
from simlib.compliance import check_allocation, ignored
from simlib.i18n import LocalText
from simlib.memo import memoised
from simlib.model import compile_levers, compile_structure
from simlib.report.explore import allocation_amounts, base_envelope, base_shares


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input or the allocation, said in words.

    `where` names the control or part of the allocation (`envelope`, `weight.P3`, `title_vi`,
    `allocation`); `key` is an i18n message key filled with `fields`; a `blocking` problem
    prevents saving."""

    where: str
    key: str
    fields: Mapping = field(default_factory=dict)
    blocking: bool = True

    def message(self, lang: str | None = None) -> str:
        return i18n.t(self.key, lang, **dict(self.fields))


Validator = Callable[["AllocationState"], list[Problem]]


def nothing_allocated(state: AllocationState) -> list[Problem]:
    """An allocation that gives no project any money is no plan: it cannot be saved."""
    if state.allocated_vnd() <= 0:
        return [Problem("allocation", "wb.problem.nothing_allocated")]
    return []


def legal_frame(state: AllocationState) -> list[Problem]:
    """The legal frame of the starting scenario (`simlib.compliance`: capital by content, central
    envelope, territory, counterpart, norm): each breach in words, naming the rule and its legal
    source; a breach the starting scenario does not ask to ignore blocks saving."""
    scen = state.scenario()
    split = memoised(state.base, "legal_split", lambda: compile_levers(state.base, compile_structure(state.base)).split)
    out = []
    for v in check_allocation(scen, split):
        text = LocalText(**{lg: v.message(lg) for lg in i18n.LANGS})
        out.append(Problem("allocation", "wb.problem.legal", {"text": text}, blocking=not ignored(scen, v.rule)))
    return out


#: the rules every allocation is checked against
DEFAULT_VALIDATORS: tuple[Validator, ...] = (nothing_allocated, legal_frame)

_VI_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_EN_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def parse_number(text: str, lang: str | None = None) -> float | None:
    """A number typed the local way (`1.234,5` in Vietnamese, `1,234.5` in English; spaces
    ignored), or None when the text is not such a number."""
    s = str(text).strip().replace(" ", "").replace("\u00a0", "")
    if i18n.get_lang(lang) == "vi":
        if not _VI_NUMBER.match(s):
            return None
        s = s.replace(".", "").replace(",", ".")
    else:
        if not _EN_NUMBER.match(s):
            return None
        s = s.replace(",", "")
    return float(s)


class AllocationState:
    """Project weights and the yearly envelope over a starting scenario, with checks.

    `weights` are non-negative numbers per project; `shares()` turns them into fractions that
    add up to 1. Every budget year gets `envelope_vnd`, split over projects by share and within a
    project as in the starting scenario (`simlib.report.explore.allocation_amounts`). While
    nothing has been changed, the amounts are exactly the starting scenario's."""

    def __init__(self, base, validators: tuple[Validator, ...] | list[Validator] | None = None):
        self.base = base
        self.projects: list[str] = list(base.catalogue.projects)
        self.weights: dict[str, float] = dict(base_shares(base))
        self.envelope_vnd: float = base_envelope(base)
        self.validators: list[Validator] = list(DEFAULT_VALIDATORS if validators is None else validators)
        self._start = (dict(self.weights), self.envelope_vnd)

    @classmethod
    def load(cls, scenario: str | Path, validators=None) -> AllocationState:
        """The state starting from a scenario file."""
        from simlib.scenario import load_scenario

        return cls(load_scenario(scenario), validators)

    # -- changes (refused, not bent) -------------------------------------------------------
    def set_weight(self, project: str, value) -> list[Problem]:
        """Set one project's weight; a value that is not a finite number ≥ 0 is refused."""
        where = f"weight.{project}"
        if project not in self.projects:
            return [
                Problem(where, "wb.problem.unknown_project", {"project": project, "allowed": ", ".join(self.projects)})
            ]
        v = _finite(value)
        if v is None or v < 0:
            return [Problem(where, "wb.problem.weight", {"project": project, "value": value})]
        self.weights[project] = v
        return []

    def set_envelope(self, value, lang: str | None = None) -> list[Problem]:
        """Set the yearly envelope in billion VND (a number, or text typed the local way); a
        value that is not a finite number ≥ 0 is refused."""
        v = parse_number(value, lang) if isinstance(value, str) else _finite(value)
        if v is None or not math.isfinite(v) or v < 0:
            return [Problem("envelope", "wb.problem.envelope", {"value": value})]
        self.envelope_vnd = v * 1e9
        return []

    def reset(self) -> None:
        """Back to the starting scenario."""
        self.weights, self.envelope_vnd = dict(self._start[0]), self._start[1]

    # -- derived -----------------------------------------------------------------------
    @property
    def unchanged(self) -> bool:
        return self.weights == self._start[0] and self.envelope_vnd == self._start[1]

    def shares(self) -> dict[str, float]:
        """Each project's share of the money (adds up to 1; all 0 when no weight is positive)."""
        total = sum(self.weights.values())
        return {p: (self.weights[p] / total if total > 0 else 0.0) for p in self.projects}

    def amounts(self) -> np.ndarray:
        """Budget amounts (years, lines, sources) in VND."""
        if self.unchanged:
            return np.array(self.base.budget.amounts, dtype=float)
        return allocation_amounts(self.base, self.weights, self.envelope_vnd)

    def allocated_vnd(self) -> float:
        """Money the allocation gives in the first projected year (VND)."""
        a = self.amounts()
        return float(a[1].sum() if a.shape[0] > 1 else a.sum())

    def scenario(self):
        """The starting scenario with this allocation's budget."""
        return self.base.replace_budget(self.amounts())

    def problems(self) -> list[Problem]:
        """Every problem the validators find (in their order)."""
        out: list[Problem] = []
        for check in self.validators:
            out.extend(check(self))
        return out

    def evaluate(self):
        """Project the allocation with the expected engine — also one that breaks the legal frame
        (the validators say so and block saving; the run records the breaches it let through)."""
        from simlib.runner import run

        scen = self.scenario()
        what_if = replace(scen, raw={**scen.raw, "ignore_legal_rules": ["all"]})
        return run(what_if, engine="expected")


def _finite(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None
