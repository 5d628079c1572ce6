"""The allocation a planner is exploring, apart from any view.

`AllocationState` holds the starting scenario and the planner's amounts: VND per budget item
(a budget line's content, `simlib.catalogue`), funding source and budget year — the scenario's
own budget array (years, items, sources). Project shares are derived from the amounts
(`shares`, `share_labels`: shown summing to exactly 100 %). The widgets
(`simlib.workbench.view`) only read and write it, so every rule lives here and is tested
without a browser.

Every change goes through the legal frame's own check (`simlib.compliance.check_allocation`):
a change that would add a breach (investment capital in a recurrent-only content, a central
envelope exceeded, money off a content's eligibility list, a norm exceeded, …) is *refused* —
the state stays as it was and each breach comes back as a `Problem` naming the rule and its legal
source. So an allocation the workbench holds never breaks a rule the starting scenario does not
itself ask to ignore. A value that is negative, not a number or infinite is refused the same way.
So is money, in a year of a dated scenario under the 2026–2035 programme, in a cell that no
content of that programme stands for (`dated_cells`; e.g. the 2021–2025 Decision 880 scheme, P1.2):
written back as contents it would be no money of the plan, and as 2021–2025 lines another line's.

Checks on the whole allocation are *validators*: functions `state -> list[Problem]`
(`DEFAULT_VALIDATORS`: some money must be allocated; the legal frame; in a dated year, no money
that no content stands for). A blocking problem stops
a save; every problem is shown to the planner in words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simlib import i18n
from simlib.compliance import check_allocation, ignored
from simlib.dated_budget import dated_catalogues, scenario_cells
from simlib.i18n import LocalText, fmt
from simlib.memo import memoised
from simlib.model import compile_levers, compile_structure
from simlib.scenario import load_scenario
from simlib.workbench.project import project

BN = 1e9
#: VND: amounts closer than this are equal (the legal frame's own tolerance is 1 VND)
TOL = 1.0


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input or the allocation, said in words.

    `where` names the control or part of the allocation (`total`, `amount.P3.1.central_recurrent`,
    `title_vi`, `allocation`); `key` is an i18n message key filled with `fields`; a `blocking`
    problem prevents saving."""

    where: str
    key: str
    fields: Mapping = field(default_factory=dict)
    blocking: bool = True

    def message(self, lang: str | None = None) -> str:
        return i18n.t(self.key, lang, **dict(self.fields))


Validator = Callable[["AllocationState"], list[Problem]]


def nothing_allocated(state: AllocationState) -> list[Problem]:
    """An allocation that gives no item any money is no plan: it cannot be saved."""
    if state.amounts()[1:].sum() <= 0:
        return [Problem("allocation", "wb.problem.nothing_allocated")]
    return []


def legal_frame(state: AllocationState) -> list[Problem]:
    """The breaches of the legal frame the allocation holds (`simlib.compliance`), each in words
    naming the rule and its legal source; one the starting scenario does not ask to ignore blocks
    saving (the state refuses changes that add one, so only the starting scenario's own can be
    here)."""
    scen = state.scenario()
    return [
        Problem("allocation", "wb.problem.legal", {"text": _text(v)}, blocking=not ignored(scen, v.rule))
        for v in state.violations()
    ]


def contentless_money(state: AllocationState) -> list[Problem]:
    """Money in a dated year in a cell no content of the catalogue in force stands for: it blocks
    a save (it could not be written as `contents:`). The state refuses changes that put it there;
    a starting scenario holds it only as 2021–2025 money carried into a content of a line
    (`simlib.dated_budget.carry_lines`: `P5.repair` stays P5.repair), to be taken out."""
    return stray_problems(state, state.amounts(), "allocation")


def stray_problems(state: AllocationState, amounts: np.ndarray, where: str) -> list[Problem]:
    """One problem per (item, source) of `amounts` with money that no content stands for in some
    dated year, naming those years."""
    years: dict[tuple[str, str], list[int]] = {}
    for year, cells in state.dated_cells.items():
        yi = state.years.index(year)
        for li, si in zip(*np.nonzero(amounts[yi] > 0)):
            if (state.items[li], state.sources[si]) not in cells:
                years.setdefault((state.items[li], state.sources[si]), []).append(year)
    out = []
    for (item, src), ys in years.items():
        first = state.dated_catalogue(ys[0]).first
        text = {
            lg: i18n.t(
                "wb.no_content",
                lg,
                years=", ".join(str(y) for y in ys),
                year=ys[0],
                item=item,
                source=i18n.label("source", src, lg),
                first=first,
            )
            for lg in i18n.LANGS
        }
        out.append(Problem(where, "wb.problem.refused", {"text": LocalText(**text)}))
    return out


#: the rules every allocation is checked against
DEFAULT_VALIDATORS: tuple[Validator, ...] = (nothing_allocated, legal_frame, contentless_money)

_VI_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d{1,3}( \d{3})+|\d+)(,\d+)?$")
_EN_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d{1,3}( \d{3})+|\d+)(\.\d+)?$")
#: decimals of billion VND an amount is kept to: a saved scenario writes 6 (1.000 đồng,
#: `simlib.report.explore.year_entry`), so a cell shows that many and refuses finer money
AMOUNT_DECIMALS = 6


def parse_number(text: str, lang: str | None = None) -> float | None:
    """A number typed the local way (`1.234,5` in Vietnamese, `1,234.5` in English), or None
    when the text is not such a number. A space (or a no-break space) inside the number is
    taken only as the thousands separator, between groups of three digits (`7 000`, `1 234,5`):
    `7 00` is no number (it was read as 700)."""
    s = re.sub(r"[\u00a0\u202f]", " ", str(text)).strip()
    if i18n.get_lang(lang) == "vi":
        if not _VI_NUMBER.match(s):
            return None
        s = s.replace(".", "").replace(",", ".")
    else:
        if not _EN_NUMBER.match(s):
            return None
        s = s.replace(",", "")
    return float(s.replace(" ", ""))


def point_for_comma(value, lang: str | None) -> str | None:
    """In the English view, a text refused as a number but written the Vietnamese way with a
    decimal comma («70,5», «1.234,5») as the English view takes it («70.5», «1,234.5»); None
    otherwise (the Vietnamese view keeps its own way; a text English reads, «70,500», is no
    such case)."""
    if i18n.get_lang(lang) != "en" or not isinstance(value, str) or "," not in value:
        return None
    if parse_number(value, "en") is not None:
        return None
    v = parse_number(value, "vi")
    return fmt.number(v, "en", AMOUNT_DECIMALS, trim=True) if v is not None and v >= 0 else None


def finer_than_kept(v: float) -> bool:
    """Whether `v` billion VND has money finer than the `AMOUNT_DECIMALS` a saved scenario keeps
    (it would be rounded away on saving)."""
    return not math.isclose(v, round(v, AMOUNT_DECIMALS), rel_tol=1e-12, abs_tol=1e-13)


def _blank(value) -> bool:
    """Whether `value` is an emptied cell (text of nothing but spaces)."""
    return isinstance(value, str) and not value.strip()


def shown_value(value, lang) -> str:
    """A refused value as the planner gave it: typed text as typed, a number from code written
    the local way (`0,3333333333333333`, not Python's `0.3333333333333333`)."""
    if isinstance(value, str) or isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return str(value).replace(".", ",") if i18n.get_lang(lang) == "vi" else str(value)


def sources_label(source: str) -> LocalText:
    """A funding source's name in both languages (for a message that names the cell)."""
    return LocalText(**{lg: i18n.label("source", source, lg) for lg in i18n.LANGS})


def largest_remainder(exact: np.ndarray, target: int, top: np.ndarray | None = None) -> np.ndarray:
    """Whole numbers, each `exact` rounded down or up, adding up to `target` (the largest
    remainders rounded up); `exact` ≥ 0 with a sum within rounding of `target`. An amount of 0
    stays 0. `top`: where given, no number above it (the units it cannot take go to the
    others, largest remainders first)."""
    units = np.floor(exact + 1e-9)
    top = np.full(len(units), np.inf) if top is None else np.asarray(top, dtype=float)
    units = np.minimum(units, top)
    order = np.argsort(-(exact - units), kind="stable")
    short = int(round(target - units.sum()))
    while short > 0:
        room = [i for i in order if units[i] < top[i] and exact[i] > 0]
        if not room:
            break
        units[room[:short]] += 1
        short = int(round(target - units.sum()))
    for i in order[::-1][: max(0, -short)]:  # `exact` a hair below whole numbers (never in practice)
        units[i] -= 1
    return units


def scaled(row: np.ndarray, total_bn: float, envelope: Mapping[int, float] | None = None) -> np.ndarray:
    """A year's amounts (items, sources; VND) scaled to `total_bn` billion VND, each rounded to
    the million VND (to the 1.000 đồng a saved scenario keeps when `total_bn` is finer than a
    million), so that a cell shows what is held and saved (it showed «324,669944») and the
    year's total is exactly `total_bn`. Rounded first by source, then within each source by
    cell. `envelope` (VND by source position): a source whose scaled money is within a unit of
    its envelope is not rounded above it (scaling 712 → 650,55 → 712 put 263,001 against 263);
    one further above stays there, for the legal check to refuse."""
    millions = math.isclose(total_bn, round(total_bn, 3), rel_tol=1e-12, abs_tol=1e-13)
    decimals = 3 if millions else AMOUNT_DECIMALS
    unit = 10.0 ** (9 - decimals)
    exact = row * (total_bn * BN / row.sum()) / unit
    target = int(round(total_bn * 10**decimals))
    by_source = exact.sum(axis=0)
    top = np.full(len(by_source), np.inf)
    for j, cap in (envelope or {}).items():
        if by_source[j] <= math.floor(cap / unit + 1e-9) + 1:
            top[j] = math.floor(cap / unit + 1e-9)
    source_units = largest_remainder(by_source, target, top)
    out = np.empty_like(exact)
    for j in range(exact.shape[1]):
        out[:, j] = largest_remainder(exact[:, j], int(source_units[j]))
    return out * unit


def share_labels(values: Mapping[str, float], lang: str | None = None, decimals: int = 1) -> dict[str, str]:
    """Percentages of `values` rounded so that the shown numbers add up to exactly 100
    (largest remainders); all `0 %` when nothing is positive."""
    keys = list(values)
    total = float(sum(max(0.0, float(values[k])) for k in keys))
    step = 10.0**-decimals
    if total <= 0:
        return {k: i18n.fmt.percent(0.0, lang, decimals) for k in keys}
    exact = np.array([100.0 * max(0.0, float(values[k])) / total for k in keys]) / step
    units = np.floor(exact + 1e-9)
    short = int(round(100.0 / step - units.sum()))
    for i in np.argsort(-(exact - units), kind="stable")[: max(0, short)]:
        units[i] += 1
    return {k: i18n.fmt.percent(float(u) * step, lang, decimals) for k, u in zip(keys, units)}


class AllocationState:
    """Amounts by budget year, item and source over a starting scenario, with legal checks.

    Years are the budget's (index 0 is the year before the start: history, never edited); a
    change names a calendar year or `None` for every projected year. While nothing has been
    changed, the amounts are exactly the starting scenario's."""

    def __init__(self, base, validators: tuple[Validator, ...] | list[Validator] | None = None):
        self.base = base
        b = base.budget
        self.items: list[str] = list(b.lines)
        self.sources: list[str] = list(b.sources)
        self.years: list[int] = [int(y) for y in b.years]
        self.projects: list[str] = list(base.catalogue.projects)
        self.validators: list[Validator] = list(DEFAULT_VALIDATORS if validators is None else validators)
        self._amounts = np.array(b.amounts, dtype=float)
        self._start = self._amounts.copy()
        self._violations = self._check(self._amounts)
        self.dated_cells = scenario_cells(base)
        self._dated = dated_catalogues(self.dated_cells)

    def dated_catalogue(self, year: int):
        """The dated catalogue (`simlib.programmes.ProgrammeCatalogue`) in force in `year`, a key
        of `dated_cells`."""
        return self._dated[year]

    @classmethod
    def load(cls, scenario: str | Path, validators=None) -> AllocationState:
        """The state starting from a scenario file."""
        return cls(load_scenario(scenario), validators)

    # -- changes (refused, never bent) -------------------------------------------------------
    def set_amount(self, item: str, source: str, value, year: int | None = None, lang=None) -> list[Problem]:
        """Set the billion VND of one item from one source in `year` (None: every projected
        year). Refused, with the reasons, when the value is not a finite number ≥ 0, has money
        finer than a saved scenario keeps (1.000 đồng: `1/3` from code is refused, not rounded;
        pass `round(v, 6)`), or the result would breach a legal rule."""
        where = f"amount.{item}.{source}"
        if item not in self.items or source not in self.sources:
            allowed = ", ".join(self.items if item not in self.items else self.sources)
            return [Problem(where, "wb.problem.unknown_cell", {"item": item, "source": source, "allowed": allowed})]
        years, bad = self._year_rows(year, where)
        if bad:
            return bad
        v = _value(value, lang)
        if v is None or v < 0:
            key, src = ("wb.problem.amount_blank" if _blank(value) else "wb.problem.amount"), sources_label(source)
            fields = {"item": item, "source": src, "value": shown_value(value, lang)}
            point = point_for_comma(value, lang)  # «70,5» in the English view: say «70.5»
            return [
                Problem(
                    where, "wb.problem.amount_comma" if point else key, {**fields, "point": point} if point else fields
                )
            ]
        if finer_than_kept(v):
            return [Problem(where, "wb.problem.amount_unit", {"item": item, "value": shown_value(value, lang)})]
        new = self._amounts.copy()
        new[years, self.items.index(item), self.sources.index(source)] = v * BN
        return self._commit(new, where)

    def set_total(self, value, year: int | None = None, lang=None) -> list[Problem]:
        """Scale every amount of `year` (None: every projected year) so the year's total is
        `value` billion VND, each amount rounded to the million VND (to the 1.000 đồng when
        `value` is finer) and the total kept exactly (`scaled`); a year with no money cannot be
        scaled. Refused as `set_amount`."""
        years, bad = self._year_rows(year, "total")
        if bad:
            return bad
        v = _value(value, lang)
        if v is None or v < 0:
            key, point = (
                ("wb.problem.total_blank" if _blank(value) else "wb.problem.total"),
                point_for_comma(value, lang),
            )
            if point:
                return [Problem("total", "wb.problem.total_comma", {"value": shown_value(value, lang), "point": point})]
            return [Problem("total", key, {"value": shown_value(value, lang)})]
        if finer_than_kept(v):
            return [Problem("total", "wb.problem.total_unit", {"value": shown_value(value, lang)})]
        new = self._amounts.copy()
        for yi in years:
            tot = new[yi].sum()
            if tot <= 0 and v > 0:
                return [Problem("total", "wb.problem.total_empty", {"year": self.years[yi]})]
            env = self.envelope(self.years[yi])
            caps = {self.sources.index(src): cap for src, cap in env.items()}
            new[yi] = scaled(new[yi], v, caps) if tot > 0 else 0.0
        return self._commit(new, "total")

    def set_amounts(self, amounts, where: str = "allocation") -> list[Problem]:
        """Take a whole budget array (years, items, sources) in VND (e.g. the optimiser's
        suggestion); the history year is kept. Refused as `set_amount`."""
        a = np.asarray(amounts, dtype=float)
        if a.shape != self._amounts.shape or not np.all(np.isfinite(a)) or np.any(a < 0):
            return [Problem(where, "wb.problem.shape", {"shape": str(self._amounts.shape)})]
        new = a.copy()
        new[0] = self._amounts[0]
        return self._commit(new, where)

    def reset(self) -> None:
        """Back to the starting scenario."""
        self._amounts = self._start.copy()
        self._violations = self._check(self._amounts)

    def _year_rows(self, year, where: str) -> tuple[list[int], list[Problem]]:
        if year is None:
            return list(range(1, len(self.years))), []
        if year in self.years[1:]:
            return [self.years.index(year)], []
        allowed = ", ".join(str(y) for y in self.years[1:])
        return [], [Problem(where, "wb.problem.year", {"year": year, "allowed": allowed})]

    def _check(self, amounts: np.ndarray) -> list:
        """The legal frame's breaches of `amounts` (its own check function)."""
        scen = self.base.replace_budget(amounts)
        return check_allocation(scen, self._split())

    def _split(self) -> np.ndarray:
        base = self.base
        return memoised(base, "legal_split", lambda: compile_levers(base, compile_structure(base)).split)

    def _commit(self, new: np.ndarray, where: str) -> list[Problem]:
        """Take `new` unless it puts money where no content stands for it in a dated year, or adds
        a breach (or worsens one) the scenario does not ignore."""
        moved = np.where(new > self._amounts, new, 0.0)  # money added: only that can be refused
        stray = stray_problems(self, moved, where)
        if stray:
            return stray
        found = self._check(new)
        before = {_key(v): v.amount for v in self._violations}
        added = [
            v
            for v in found
            if not ignored(self.base, v.rule) and v.amount > before.get(_key(v), -math.inf) + max(TOL, 1e-9 * v.amount)
        ]
        if added:
            return [Problem(where, "wb.problem.refused", {"text": _text(v), **cited(v)}) for v in added]
        self._amounts, self._violations = new, found
        return []

    # -- derived -----------------------------------------------------------------------------
    @property
    def unchanged(self) -> bool:
        return bool(np.array_equal(self._amounts, self._start))

    def amounts(self) -> np.ndarray:
        """Budget amounts (years, items, sources) in VND (a copy)."""
        return self._amounts.copy()

    def amount(self, item: str, source: str, year: int) -> float:
        """VND of one item from one source in one calendar year."""
        return float(self._amounts[self.years.index(year), self.items.index(item), self.sources.index(source)])

    def violations(self) -> list:
        """The legal frame's breaches of the current amounts (`simlib.compliance.Violation`)."""
        return list(self._violations)

    def project_totals(self, year: int | None = None) -> dict[str, float]:
        """VND per project in `year` (None: the first projected year)."""
        yi = 1 if year is None else self.years.index(year)
        cat = self.base.catalogue
        out = {p: 0.0 for p in self.projects}
        for li, item in enumerate(self.items):
            out[cat.lines[item].project] += float(self._amounts[yi, li].sum())
        return out

    def shares(self, year: int | None = None) -> dict[str, float]:
        """Each project's share of the year's money (adds up to 1; all 0 without money)."""
        tot = self.project_totals(year)
        s = sum(tot.values())
        return {p: (v / s if s > 0 else 0.0) for p, v in tot.items()}

    def source_totals(self, year: int | None = None) -> dict[str, float]:
        """VND per funding source in `year` (None: the first projected year)."""
        yi = 1 if year is None else self.years.index(year)
        return {s: float(self._amounts[yi, :, si].sum()) for si, s in enumerate(self.sources)}

    def envelope(self, year: int | None = None) -> dict[str, float]:
        """The legal frame's central envelope (VND) by source in `year`, where it has one."""
        frame = self.base.legal
        y = self.years[1] if year is None else year
        if frame is None:
            return {}
        in_force = frame.for_year(y) or frame  # the frame of the year's period (simlib.legal)
        found = {s: in_force.envelope.amount(y, s) for s in self.sources}
        return {s: float(v) for s, v in found.items() if v is not None}

    def allocated_vnd(self, year: int | None = None) -> float:
        """Money the allocation gives in `year` (None: the first projected year), VND."""
        return float(self._amounts[1 if year is None else self.years.index(year)].sum())

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
        """Project the allocation with the expected engine: indicators and targets
        (`simlib.workbench.project`; the legal frame was checked on every change)."""
        return project(self.scenario(), self.base)


def _key(v) -> tuple:
    return (v.rule, v.year, v.item, v.unit, v.source)


def _text(v) -> LocalText:
    return LocalText(**{lg: v.message(lg) for lg in i18n.LANGS})


def cited(v) -> dict:
    """A breach's words apart from its citation (`breach`) and the citation (`basis`: the rule and
    its legal source), for a list that says each citation once (`simlib.workbench.refusals`);
    empty when a message does not end with its citation."""
    out: dict = {"breach": {}, "basis": {}}
    for lg in i18n.LANGS:
        tail = i18n.t("wb.refused_basis", lg, rule=i18n.t(f"legal.rule.{v.rule}", lg), basis=v.basis.get(lg))
        text = v.message(lg)
        if not text.endswith(f" — {tail}"):
            return {}
        out["breach"][lg], out["basis"][lg] = text[: -len(tail) - 3], tail
    return {k: LocalText(**t) for k, t in out.items()}


def _value(value, lang) -> float | None:
    """A finite number from a number or from text typed the local way, else None."""
    if isinstance(value, str):
        v = parse_number(value, lang)
    elif isinstance(value, bool):
        return None
    else:
        try:
            v = float(value)
        except (TypeError, ValueError):
            return None
    return v if v is not None and math.isfinite(v) else None
