"""Money that reaches people, and money that reaches no one.

A line reaches at most `eligible x take-up ceiling` beneficiaries in a unit and year (the
programme step, `simlib.engines.reach`), at a cost per beneficiary rising to (1 + cost_rise) x
unit cost as the pool fills, so money beyond `eligible x take-up x unit cost x (1 + cost_rise / 2)`
buys nothing there: it is *unallocatable* (vốn không phân bổ được). Money acts `lag` years after it
is spent (infrastructure a year later), so the spending of projected year y is absorbed by the
eligible households of year y + lag; money whose effect falls after the horizon is measured
against the last projected year.
"""

from __future__ import annotations

import numpy as np

from simlib.allocate.continued import core_model, described_from
from simlib.allocate.evaluate import run_batch
from simlib.engines.reach import acting_spend, beneficiary_money
from simlib.model import Model
from simlib.multidim import MultidimModel


def _acting_year(model: Model) -> np.ndarray:
    """(Y, L) projected year in which the spending of projected year y acts (clipped to Y-1)."""
    Y = len(model.years)
    return np.minimum(np.arange(Y)[:, None] + model.lag[None, :], Y - 1)


def reachable_spend(model: Model, eligible: np.ndarray) -> np.ndarray:
    """(..., Y, L, D) VND a line can spend in a unit in each projected spending year and still
    reach people, from eligible beneficiaries (..., Y, L, D) by acting year."""
    act = _acting_year(model)
    line = np.arange(len(model.line_codes))
    e = eligible[..., act, line, :]  # (..., Y, L, D)
    return e * (model.max_share * model.unit_cost * (1.0 + model.params.cost_rise / 2.0))[:, None]


def absorbable_spend(target: Model | MultidimModel, spends: list[np.ndarray] | None = None, on_runs=None) -> np.ndarray:
    """(Y, L, D) VND per spending year that reaches people under every run of `spends` (default:
    no programme and the scenario's own spending): the smallest over the runs, as eligibility
    moves with the money (households leaving poverty leave lines for the poor). `target`: the
    model the engine runs (`evaluate.engine_model`); `on_runs` told its runs (`evaluate.run_batch`).
    Years whose money the target's units do not absorb (before a switch of units,
    `continued.described_from`) are not capped (inf)."""
    model = core_model(target)
    spends = [np.zeros_like(model.spend), model.spend] if spends is None else spends
    out = run_batch(target, np.array(spends), on_runs)
    caps = reachable_spend(model, out.eligible).min(axis=0)
    caps[: described_from(target)] = np.inf
    return caps


def unallocatable(target: Model | MultidimModel, spend: np.ndarray, on_runs=None) -> tuple[np.ndarray, np.ndarray]:
    """Money (S, Y, L, D) VND spent that reaches no one, by projected *acting* year, and the
    money acting then (same shape), for spending (S, Y+1, L, D): acting money beyond what the
    beneficiaries reached cost. Money acting after the horizon is not counted. `target`: the
    model the engine runs (`evaluate.engine_model`); `on_runs` told its runs (`evaluate.run_batch`).
    Money acting before the target's units hold the run (a switch of units,
    `continued.described_from`) is not counted: it acted on other units."""
    model = core_model(target)
    spend = np.asarray(spend, float)
    spend = spend[None] if spend.ndim == 3 else spend
    out = run_batch(target, spend, on_runs)
    acting = acting_spend(model, spend)  # (S, Y, L, D)
    acting[:, : described_from(target)] = 0.0
    used = beneficiary_money(model, out.reached, out.eligible)
    return np.maximum(acting - used, 0.0), acting
