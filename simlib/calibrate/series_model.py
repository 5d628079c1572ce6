"""The model behind a series fit: a segment projected from its start level, for many draws at once.

A segment (the figures of one poverty standard) starts at the review of `start_year` with a
province poor rate `level` (%): the scenario's dataset gives the cells and their composition,
its households scaled back to that year at the growth rate, and every group's poor share shifted
by the same amount on the logit scale until the province rate is `level`; the other states keep
their proportions (`start_stock`). The level is a free parameter of each segment, so a change of
poverty standard is a free jump, not a movement of households.

From there the expected engine (`simlib.engines.expected.run_expected`, batched over draws of
baseline rates, effects and money) projects each review year to the segment's last figure. The
money acting in year t is the scenario's first projected year's money (after each draw's
disbursement and the scenario's split over units) times the scale of the budget block holding t
(none outside the blocks); a draw's unit costs act through the households a line reaches
(money / unit cost), so each line's money is multiplied by central cost / drawn cost
(`JointPrior.cost_ratio`) — exact for the engine's reach rule, and tested.

`project_segment` runs a set of start levels (knots) and returns, per knot and draw, the
quantities a fit compares with figures: rates (%) by geography and indicator at every review,
and optionally the province's flows in and out of the poor list.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.special import expit, logit

from simlib.calibrate.series_prior import JointDraws, JointPrior
from simlib.calibrate.series_spec import SeriesSpec
from simlib.engines.expected import run_expected
from simlib.model import Model
from simlib.states import ESCAPED, ESCAPED_1, NEAR_POOR, NON_POOR, POOR

#: bytes of engine output held at once (draws are run in chunks below this)
CHUNK_BYTES = 48e6
#: province flows a projection can return (households per year): leaving the poor list (escapes
#: and poor -> near-poor, the review's "thoát nghèo"), relapse + new poor (the review's added poor)
FLOWS = ("exits", "inflow")


def start_stock(n0: np.ndarray, level: float, households: float | None = None) -> np.ndarray:
    """Households (G, K) whose province poor rate is `level` % (see the module docstring);
    `households` rescales the total first."""
    n = np.asarray(n0, float)
    if households is not None:
        n = n * (households / n.sum())
    tot = n.sum(axis=1)
    p = np.divide(n[:, POOR], tot, out=np.zeros_like(tot), where=tot > 0)
    has = (p > 0) & (p < 1)
    lp = logit(np.clip(p, 1e-12, 1 - 1e-12))
    lo, hi = -30.0, 30.0
    for _ in range(100):  # bisection on the common shift
        mid = 0.5 * (lo + hi)
        q = np.where(has, expit(lp + mid), p)
        if (tot * q).sum() > level / 100 * tot.sum():
            hi = mid
        else:
            lo = mid
    q = np.where(has, expit(lp + 0.5 * (lo + hi)), p)
    rest = tot - n[:, POOR]
    factor = np.divide(tot * (1 - q), rest, out=np.zeros_like(rest), where=rest > 0)
    out = n * factor[:, None]
    out[:, POOR] = tot * q
    return out


def segment_model(model: Model, start_year: int, end_year: int, n0: np.ndarray) -> Model:
    """`model` projecting the reviews start_year+1 .. end_year from households `n0` (G, K)."""
    structure = replace(model.structure, years=tuple(range(start_year + 1, end_year + 1)), n0=n0)
    return Model(structure, model.params, model.levers)


def households_in(model: Model, year: int, baseline_year: int) -> float:
    """The scenario dataset's households moved from its baseline review to `year` at the growth rate."""
    return float(model.n0.sum()) * (1.0 + model.params.growth) ** (year - baseline_year)


def stand_in_money(model: Model, draws: JointDraws) -> np.ndarray:
    """(n, L, D) VND spent in a stand-in year: the model's first projected year's planned money,
    each draw's disbursement by source, the scenario's split over units."""
    return np.einsum("ls,ns,ld->nld", model.levers.amounts[1], draws.disbursement, model.levers.split)


def segment_spend(spec: SeriesSpec, start_year: int, end_year: int, money: np.ndarray, draws: JointDraws) -> np.ndarray:
    """(n, Y+1, L, D) money of each review year start_year .. end_year (index 0 = start_year, the
    year before the first projected one): the stand-in money times its block's scale."""
    years = range(start_year, end_year + 1)
    scale = np.zeros((len(draws), len(years)))
    for j, y in enumerate(years):
        b = spec.block_of(y)
        if b is not None:
            scale[:, j] = draws.scale[:, b]
    return money[:, None] * scale[:, :, None, None]


def geo_mask(model: Model, geo) -> np.ndarray:
    """(G,) groups of a geography: province, poor_districts or a tuple of unit ids."""
    if geo == "province":
        return np.ones(len(model.g_unit), bool)
    if geo == "poor_districts":
        return np.asarray(model.poor_district)[model.g_unit]
    units = [model.unit_ids.index(u) for u in geo]
    return np.isin(model.g_unit, units)


def rates_of(states: np.ndarray, masks: np.ndarray, indicators: list[str]) -> np.ndarray:
    """Rates (%) (..., Y+1, Q) of indicator q in the groups `masks[:, q]` (G, Q) from states
    (..., Y+1, G, K): poor_rate, near_poor_rate or poor_near_poor_rate."""
    num = {
        "poor_rate": states[..., POOR],
        "near_poor_rate": states[..., NEAR_POOR],
        "poor_near_poor_rate": states[..., POOR] + states[..., NEAR_POOR],
    }
    total = states.sum(axis=-1) @ masks
    out = np.stack([num[ind] @ masks[:, q] for q, ind in enumerate(indicators)], axis=-1)
    return 100.0 * out / np.maximum(total, 1e-300)


def province_flows(flows: np.ndarray) -> np.ndarray:
    """(..., Y, 2) province households leaving the poor list and added to it (see `FLOWS`)."""
    f = flows.sum(axis=-3)  # (..., Y, K, K)
    exits = f[..., POOR, ESCAPED_1] + f[..., POOR, NEAR_POOR]
    inflow = f[..., list(ESCAPED), POOR].sum(-1) + f[..., NON_POOR, POOR]
    return np.stack([exits, inflow], axis=-1)


@dataclass
class Projection:
    """A segment run at start levels `knots` (k,): `values` (k, n, Y+1, Q) the rates (%) of
    `quantities` [(geo, indicator)] at each review of `years`; `flows` (k, n, Y, 2) or None."""

    knots: np.ndarray
    years: tuple[int, ...]
    quantities: list
    values: np.ndarray
    flows: np.ndarray | None = None


def _chunk(model: Model, years: int, flows: bool) -> int:
    """Draws per engine call: states, flows if kept, and the engine's (3, G, K, K) affine parts."""
    G, K = model.n0.shape
    per = 8 * G * K * ((years + 1) + (years * K if flows else 0) + 3 * K)
    return max(1, int(CHUNK_BYTES // per))


def run_chunks(model: Model, spend: np.ndarray, effects: np.ndarray, rates: np.ndarray, flows: bool = False):
    """(slice, EngineOutput) of the expected engine over draws in chunks of bounded memory:
    spend (n, Y+1, L, D), effects (n, L, C), rates (n, G, 12)."""
    n, Y = spend.shape[0], spend.shape[1] - 1
    size = _chunk(model, Y, flows)
    for a in range(0, n, size):
        b = slice(a, min(n, a + size))
        yield b, run_expected(model, spend[b], effects=effects[b], rates=rates[b], keep_flows=flows)


def project_segment(
    spec: SeriesSpec,
    s: int,
    model: Model,
    prior: JointPrior,
    draws: JointDraws,
    knots: np.ndarray,
    quantities: list,
    money_on: bool = True,
    flows: bool = False,
) -> Projection:
    """Run segment `s` of `spec` for every draw at every start level in `knots` (see the module
    docstring); `money_on=False` runs it without the programme."""
    seg = spec.segments[s]
    Y = seg.end_year - seg.start_year
    n = len(draws)
    rates = prior.group_rates(model, draws)
    spend = segment_spend(spec, seg.start_year, seg.end_year, stand_in_money(model, draws), draws)
    spend = spend * prior.cost_ratio(model, draws)[:, None, :, None] if money_on else np.zeros_like(spend)
    masks = np.column_stack([geo_mask(model, g) for g, _ in quantities]).astype(float)
    indicators = [ind for _, ind in quantities]
    hh = households_in(model, seg.start_year, spec.scenario.baseline_year)
    values = np.empty((len(knots), n, Y + 1, len(quantities)))
    fl = np.empty((len(knots), n, Y, len(FLOWS))) if flows else None
    for k, level in enumerate(knots):
        m = segment_model(model, seg.start_year, seg.end_year, start_stock(model.n0, level, hh))
        for b, out in run_chunks(m, spend, draws.effects, rates, flows):
            values[k, b] = rates_of(out.states, masks, indicators)
            if flows:
                fl[k, b] = province_flows(out.flows)
    return Projection(
        np.asarray(knots, float), tuple(range(seg.start_year, seg.end_year + 1)), list(quantities), values, fl
    )
