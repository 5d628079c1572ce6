"""The programme in the observed years, as factors on the baseline rates.

Observed transitions happened *with* the programme. `simlib.transitions` writes a year's matrix
as transition_matrix(baseline rates, F1, F2), with per-state factors F1, F2 that depend on the
year's budget, coverage and effect sizes — not on the baseline rates. The matrix is affine in
(F1, F2), so a cell's matrix averaged over its households (attribute classes, beneficiaries or
not) is the same formula with household-weighted average factors. Hence one expected-engine year
per budget gives every cell's factors exactly: run it with all baseline rates set to 1/2, read
the cell's matrix off its flows, and invert the formula. A calibration then estimates baseline
rates such that baseline x factors explains the data; without a budget the factors are 1 and the
estimate includes whatever the programme did in those years ("gross" rates).

A grid of effect multipliers (all line effects x lambda) gives factors as a function of lambda,
interpolated in log space, for estimating lambda where the data identify it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from simlib.calibrate.panel import Cells
from simlib.engines.expected import run_expected
from simlib.errors import InputError
from simlib.model import compile_model
from simlib.parameters import sha256_file
from simlib.paths import display_path
from simlib.scenario import Scenario
from simlib.states import ESCAPED, N_STATES, NEAR_POOR, NON_POOR, POOR
from simlib.tabulate import by_cell
from simlib.transitions import N_RATES

K = N_STATES
#: effect multipliers at which factors are computed when lambda is estimated
LAMBDA_GRID = np.array([0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0])
HALF = 0.5


@dataclass(frozen=True)
class Exposure:
    """Factors (M, Ty, C, K) for Ty transition years, C cells, K origin states, at M multipliers."""

    multipliers: np.ndarray
    f1: np.ndarray
    f2: np.ndarray
    sources: tuple[dict, ...] = ()

    @classmethod
    def none(cls, n_years: int, n_cells: int) -> Exposure:
        ones = np.ones((1, n_years, n_cells, K))
        return cls(np.array([1.0]), ones, ones.copy(), ())

    @property
    def has_programme(self) -> bool:
        return bool(self.sources)

    def factors(self, lam: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """(Ty, C, K) factors at effect multiplier `lam` (log-linear interpolation on the grid)."""
        if len(self.multipliers) == 1:
            return self.f1[0], self.f2[0]
        grid = self.multipliers
        lam = float(np.clip(lam, grid[0], grid[-1]))
        i = int(np.clip(np.searchsorted(grid, lam) - 1, 0, len(grid) - 2))
        w = (lam - grid[i]) / (grid[i + 1] - grid[i])
        out = []
        for f in (self.f1, self.f2):
            lo, hi = np.log(np.maximum(f[i], 1e-300)), np.log(np.maximum(f[i + 1], 1e-300))
            out.append(np.exp((1 - w) * lo + w * hi))
        return out[0], out[1]

    def years(self, idx) -> Exposure:
        """The factors of some transition years only."""
        return replace(self, f1=self.f1[:, idx], f2=self.f2[:, idx])


def invert_factors(P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Factors (..., K) from matrices (..., K, K) made with every baseline rate = 1/2."""
    h = HALF
    f1 = np.ones(P.shape[:-1])
    f2 = np.ones(P.shape[:-1])
    f1[..., POOR] = (1 - P[..., POOR, ESCAPED[0]]) / (1 - h)
    f2[..., POOR] = P[..., POOR, POOR] / ((1 - h) * (1 - h))
    f1[..., NEAR_POOR] = (1 - P[..., NEAR_POOR, NON_POOR]) / (1 - h)
    f2[..., NEAR_POOR] = P[..., NEAR_POOR, POOR] / ((1 - h) * h)
    for k in ESCAPED + (NON_POOR,):
        f1[..., k] = P[..., k, POOR] / h
        f2[..., k] = P[..., k, NEAR_POOR] / h
    return f1, f2


def _year_scenario(scen: Scenario, year: int) -> tuple[Scenario, str]:
    """The scenario cut to one projected year: `year`'s budget if the scenario has it, else its
    first year's (a stand-in, reported as such)."""
    b = scen.budget
    if year in b.years[1:]:
        i, note = b.years.index(year), f"budget of {year}"
    else:
        i, note = 1, f"stand-in: budget of {b.years[1]} used for {year}"
    amounts = b.amounts[[i - 1, i]]
    budget = replace(b, years=(year - 1, year), amounts=amounts)
    return replace(scen, start_year=year, horizon=1, budget=budget), note


def cell_positions(scen: Scenario, cells: Cells) -> np.ndarray:
    """Index of each panel cell among the scenario dataset's cells (unit, group, area)."""
    units = {u: i for i, u in enumerate(scen.dataset.unit_ids)}
    missing = sorted({u for u in cells.unit_id if u not in units})
    if missing:
        raise InputError(
            "unknown_unit",
            file=display_path(scen.file) if scen.file else None,
            field="dataset",
            value=", ".join(missing[:5]),
            allowed=scen.dataset.unit_ids,
        )
    d = np.array([units[u] for u in cells.unit_id])
    return d * 4 + cells.eth * 2 + cells.area


def programme_factors(
    scen: Scenario,
    year: int,
    cells: Cells,
    stock: np.ndarray,
    multipliers: np.ndarray | None = None,
    budget_scale: float = 1.0,
):
    """Factors (M, C, K) of `year`'s budget in `scen` for cells holding `stock` (C, K) at the
    start of the year. `budget_scale` multiplies the money (e.g. to keep money per poor household
    when the cells stand for a larger area). Returns (f1, f2, provenance dict)."""
    one, note = _year_scenario(scen, year)
    if budget_scale != 1.0:
        one = one.replace_budget(one.budget.amounts * budget_scale)
    pos = cell_positions(scen, cells)
    D = len(scen.dataset.unit_ids)
    counts = np.zeros((D * 4, K))
    np.add.at(counts, pos, stock)
    ds = replace(scen.dataset, counts=counts.reshape(D, 2, 2, K))
    model = compile_model(replace(one, dataset=ds))
    multipliers = np.array([1.0]) if multipliers is None else multipliers
    M = len(multipliers)
    eff = model.effects[None] * np.asarray(multipliers, float)[:, None, None]
    spend = np.broadcast_to(model.spend, (M,) + model.spend.shape)
    rates = np.full((M, len(model.g_unit), N_RATES), HALF)
    out = run_expected(model, spend=spend, effects=eff, rates=rates)
    # groups (attribute classes, labour capacity, housed twins) summed into their (unit, ethnic group, area) cells
    flows = by_cell(model, out.flows[:, 0], 1).reshape(M, D * 4, K, K)
    n = by_cell(model, out.states[:, 0], 1).reshape(M, D * 4, K)
    P = np.divide(flows, n[..., None], out=np.zeros_like(flows), where=n[..., None] > 0)
    f1, f2 = invert_factors(P)
    empty = n <= 0
    f1[empty], f2[empty] = 1.0, 1.0
    src = {
        "year": int(year),
        "scenario": display_path(scen.file) if scen.file else scen.name,
        "sha256": sha256_file(scen.file) if scen.file else None,
        "budget": note,
        "budget_scale": round(float(budget_scale), 6),
        "spend_billion_vnd": round(float(model.spend[1].sum()) / 1e9, 3),
    }
    return f1[:, pos], f2[:, pos], src
