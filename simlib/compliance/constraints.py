"""The legal frame and absorption as linear constraints on an optimiser's decision variables.

An optimiser describes its variables with a `LeverLayout`: variable i is planned money (in units
of `scale` VND, billion by default) of one item (`simlib.catalogue`: a budget line's content) and
one funding source, in one budget year or the same amount in every projected year, in one unit or
split across units by `split` (the scenario's district split, (L, D)). `LeverLayout.full(scen)`
builds the usual one: every (item, source) pair, per projected year, split as the scenario says;
`layout.amounts(x)` turns a solution back into budget amounts (Y+1, L, S) in VND for
`Scenario.replace_budget`.

`legal_constraints(scen, layout)` returns `Constraint(name, source, row, sense, rhs, status, key)`
rows, each `row @ x  <sense>  rhs`, with the rule's id (`name`), its legal source in words
(`source`, a LocalText) and how firm it is (`status`: read, seen_in, not_read, illustrative,
assumption, model):

- `capital` — x_i ≤ 0 for a source the item's content may not take (a bound);
- `territory` — x_i ≤ 0 for money that would land in a unit off the content's eligibility list;
- `envelope` — Σ central money of a source in a year ≤ the frame's envelope (`illustrative` when
  the frame's envelope is a placeholder); no row for a year without an envelope;
- `counterpart` — local ≥ ratio × central money per year, only when the frame knows the ratio
  (`assumed_counterpart=(ratio, text)` adds an explicitly labelled assumption instead);
- `norm` — central support per beneficiary ≤ the legal ceiling (P5), linear in the money;
- `absorption` — money spent on an item in a unit and year (after disbursement) ≤ what it can
  deliver there (`absorption.absorption_capacity`), so the optimiser never buys nothing; items that
  buy no household benefit are listed in `layout_money_only(scen)` (they reach no one at all).

`constraint_arrays(constraints)` stacks them into `A_ub, b_ub, A_eq, b_eq` (≥ rows negated).
Rules a scenario asks to ignore (`ignore_legal_rules`) are left out unless `respect_ignored`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from simlib.budget import SOURCES
from simlib.compliance.absorption import absorption_capacity, roles
from simlib.compliance.rules import (
    CENTRAL,
    LOCAL,
    both,
    cited,
    citing_frame,
    ignored,
    territory,
    territory_citation,
)
from simlib.i18n import LocalText
from simlib.model import compile_levers, compile_model, compile_structure


@dataclass(frozen=True)
class LeverLayout:
    """Decision variables as money by item, source, year and unit (see the module docstring)."""

    years: tuple[int, ...]  # the budget's years; index 0 is the year before the start (no variable)
    items: tuple[str, ...]
    sources: tuple[str, ...]
    units: tuple[str, ...]
    item: np.ndarray  # (n,) index into items
    source: np.ndarray  # (n,) index into sources
    year: np.ndarray  # (n,) index into years (1…Y), or -1: the same amount in every projected year
    unit: np.ndarray  # (n,) index into units, or -1: split across units by `split`
    split: np.ndarray  # (L, D) shares of an item's money by unit
    scale: float = 1e9  # VND per unit of x

    @property
    def n(self) -> int:
        return len(self.item)

    def year_weights(self) -> np.ndarray:
        """(n, Y+1) 1 where a variable's money falls in a year."""
        w = np.zeros((self.n, len(self.years)))
        every = self.year < 0
        w[every, 1:] = 1.0
        w[np.flatnonzero(~every), self.year[~every]] = 1.0
        return w

    def unit_weights(self) -> np.ndarray:
        """(n, D) share of a variable's money in each unit."""
        w = self.split[self.item].copy()
        own = self.unit >= 0
        w[own] = 0.0
        w[np.flatnonzero(own), self.unit[own]] = 1.0
        return w

    def amounts(self, x: np.ndarray) -> np.ndarray:
        """Budget amounts (Y+1, L, S) in VND of a solution x (n,); year 0 left at zero."""
        out = np.zeros((len(self.years), len(self.items), len(self.sources)))
        yw = self.year_weights()
        for yi in range(1, len(self.years)):
            np.add.at(out[yi], (self.item, self.source), yw[:, yi] * np.asarray(x, float) * self.scale)
        return out

    @classmethod
    def full(
        cls, scen, split: np.ndarray | None = None, by_year: bool = True, allowed_only: bool = True
    ) -> LeverLayout:
        """Every (item, source) pair — only those the capital rules allow with `allowed_only` — per
        projected year (or one amount for every year), split across units as the scenario says."""
        if split is None:
            split = compile_levers(scen, compile_structure(scen)).split
        cat, b = scen.catalogue, scen.budget
        capital_of = {s: scen.params["funding"]["sources"][s]["capital"] for s in SOURCES}
        pairs = [
            (li, si)
            for li, code in enumerate(cat.codes)
            for si, s in enumerate(SOURCES)
            if not allowed_only or capital_of[s] == "any" or capital_of[s] in cat.lines[code].capital
        ]
        years = range(1, len(b.years)) if by_year else [-1]
        rows = [(li, si, y) for y in years for li, si in pairs]
        item, source, year = (np.array(c, int) for c in zip(*rows)) if rows else (np.zeros(0, int),) * 3
        units = scen.dataset.unit_ids
        return cls(b.years, cat.codes, SOURCES, units, item, source, year, np.full(len(item), -1), np.asarray(split))


@dataclass(frozen=True)
class Constraint:
    """One linear constraint `row @ x <sense> rhs` of a legal rule or of absorption."""

    name: str  # capital | territory | envelope | counterpart | norm | absorption
    source: LocalText  # the legal source (or the model) in words
    row: np.ndarray  # (n,)
    sense: str  # "<=" | ">=" | "=="
    rhs: float  # in units of x (scale VND)
    status: str  # read | seen_in | not_read | illustrative | assumption | model
    key: dict = field(default_factory=dict)  # year, source, item, unit as applicable


def _bounds(scen, layout, frame, ok) -> list[Constraint]:
    """capital and territory: variables that must stay at zero."""
    cat, citing = scen.catalogue, citing_frame(scen)
    capital_of = {s: scen.params["funding"]["sources"][s]["capital"] for s in SOURCES}
    out = []
    uw = layout.unit_weights()
    for i in range(layout.n):
        line = cat.lines[layout.items[layout.item[i]]]
        src = layout.sources[layout.source[i]]
        content = cat.contents.get(line.content)
        row = np.zeros(layout.n)
        row[i] = 1.0
        key = {"item": line.code, "source": src}
        if capital_of[src] != "any" and capital_of[src] not in line.capital:
            cites = [replace(c, status=content.capital_status) for c in content.sources] if content else []
            status = content.capital_status if content else "not_found"
            out.append(Constraint("capital", cited(citing, cites), row, "<=", 0.0, status, key))
        off = uw[i] @ ~ok[layout.item[i]]
        if off > 1e-12 and content is not None:
            cite = territory_citation(content, frame)
            out.append(Constraint("territory", cited(frame, [cite]), row, "<=", 0.0, cite.status, key))
    return out


def _envelopes(layout, frame) -> list[Constraint]:
    out = []
    yw = layout.year_weights()
    for yi in range(1, len(layout.years)):
        year = layout.years[yi]
        in_force = frame.for_year(year) or frame  # the frame of the year's period (simlib.legal)
        status = "illustrative" if in_force.envelope.illustrative else "read"
        basis = cited(in_force, in_force.envelope.citations[:3])
        for src in CENTRAL:
            limit = in_force.envelope.amount(year, src)
            if limit is None or src not in layout.sources:
                continue
            row = yw[:, yi] * (layout.source == layout.sources.index(src))
            out.append(
                Constraint("envelope", basis, row, "<=", limit / layout.scale, status, {"year": year, "source": src})
            )
    return out


def _counterpart(layout, frame, assumed) -> list[Constraint]:
    ratio, status, basis = None, "", None
    if frame is not None and frame.counterpart.ratio is not None:
        ratio, status, basis = (
            frame.counterpart.ratio,
            frame.counterpart.citation.status,
            cited(frame, [frame.counterpart.citation]),
        )
    elif assumed is not None:
        ratio, status = assumed[0], "assumption"
        basis = LocalText(vi=assumed[1], en=assumed[1]) if isinstance(assumed[1], str) else assumed[1]
    if ratio is None:
        return []
    yw = layout.year_weights()
    central = np.isin(layout.source, [layout.sources.index(s) for s in CENTRAL if s in layout.sources])
    local = layout.source == layout.sources.index(LOCAL)
    out = []
    for yi in range(1, len(layout.years)):
        row = yw[:, yi] * (ratio * central - local)
        out.append(Constraint("counterpart", basis, row, "<=", 0.0, status, {"year": layout.years[yi]}))
    return out


def _norms(scen, layout, frame) -> list[Constraint]:
    cat, out = scen.catalogue, []
    yw = layout.year_weights()
    central = np.isin(layout.source, [layout.sources.index(s) for s in CENTRAL if s in layout.sources])
    for li, code in enumerate(layout.items):
        line = cat.lines[code]
        cap = frame.per_beneficiary.get(line.content)
        if cap is None or line.money_only:
            continue
        content = cat.contents[line.content]
        for yi in range(1, len(layout.years)):
            # central × cost per household ≤ ceiling × all money  <=>  Σ (cost·[central] − ceiling) x ≤ 0
            row = yw[:, yi] * (layout.item == li) * (line.cost_per_household * central - cap[0]) / 1e6
            key = {"item": code, "year": layout.years[yi]}
            out.append(Constraint("norm", cited(frame, content.sources), row, "<=", 0.0, cap[1], key))
    return out


def _absorption(scen, layout, model, capacity) -> list[Constraint]:
    if capacity is None:
        capacity = absorption_capacity(model)
    disb = model.params.disbursement[[SOURCES.index(s) for s in layout.sources]][layout.source]
    yw, uw = layout.year_weights(), layout.unit_weights()
    role = roles(model.structure)
    basis = both("legal.absorption_basis")
    out = []
    for li, code in enumerate(layout.items):
        if role[li] == "none":
            continue
        mine = (layout.item == li) * disb
        for yi in range(1, len(layout.years)):
            for di, unit in enumerate(layout.units):
                row = mine * yw[:, yi] * uw[:, di]
                if np.any(row > 0):
                    rhs = capacity[li, di] / layout.scale
                    key = {"item": code, "year": layout.years[yi], "unit": unit}
                    out.append(Constraint("absorption", basis, row, "<=", rhs, "model", key))
    return out


def legal_constraints(
    scen,
    layout: LeverLayout,
    *,
    model=None,
    absorption: bool = True,
    capacity: np.ndarray | None = None,
    assumed_counterpart: tuple[float, str | LocalText] | None = None,
    respect_ignored: bool = False,
) -> list[Constraint]:
    """The feasible set of `layout`'s variables under the scenario's legal frame (and absorption),
    as named linear constraints (see the module docstring). `model` is the scenario's compiled
    model (compiled when absorption needs it and none is given); `capacity` (L, D) VND a year
    replaces the baseline absorption capacity."""
    frame = scen.legal
    ok, _ = territory(scen, frame)

    def keep(rule: str) -> bool:
        return respect_ignored or not ignored(scen, rule)

    out = [c for c in _bounds(scen, layout, frame, ok) if keep(c.name)]
    if frame is not None and keep("envelope"):
        out += _envelopes(layout, frame)
    if keep("counterpart"):
        out += _counterpart(layout, frame, assumed_counterpart)
    if frame is not None and keep("norm"):
        out += _norms(scen, layout, frame)
    if absorption:
        if model is None:
            model = compile_model(scen)
        out += _absorption(scen, layout, model, capacity)
    return out


def layout_money_only(scen) -> np.ndarray:
    """(L,) items whose money buys no household benefit (it reaches no one by design)."""
    return np.array([scen.catalogue.lines[c].money_only for c in scen.catalogue.codes])


def constraint_arrays(constraints: list[Constraint], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`A_ub, b_ub, A_eq, b_eq` of the constraints (rows `>=` negated into `<=`)."""
    ub = [(c.row, c.rhs) if c.sense == "<=" else (-c.row, -c.rhs) for c in constraints if c.sense in ("<=", ">=")]
    eq = [(c.row, c.rhs) for c in constraints if c.sense == "=="]

    def stack(rows):
        if not rows:
            return np.zeros((0, n)), np.zeros(0)
        return np.array([r for r, _ in rows]), np.array([b for _, b in rows])

    A_ub, b_ub = stack(ub)
    A_eq, b_eq = stack(eq)
    return A_ub, b_ub, A_eq, b_eq
