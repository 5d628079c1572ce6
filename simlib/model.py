"""Compile a scenario into the arrays both engines run on.

Households are grouped by *group* g = (unit, ethnic group, area, attribute class), where the
attribute class (meritorious / vulnerable / none) drives the plan's priority order; each group
has 6 detailed states. Everything the engines need — baseline counts, baseline rates, line
eligibility and priority tiers, unit costs, effects, lags, spending by district — is an array
here, so engines are pure array code and can be vectorised over scenarios and draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simlib.allocate.district import SplitContext, split_matrix
from simlib.dataset import AREAS, GROUPS
from simlib.scenario import SOURCES, Scenario
from simlib.schema import qv
from simlib.states import EXPAND_PUBLIC, N_STATES, NEAR_POOR, POOR, STATE_INDEX
from simlib.transitions import CHANNELS, ENA, rate_array

ATTRIBUTE_CLASSES = ("meritorious", "vulnerable", "none")
POPULATIONS = ("households", "communes", "officers")


@dataclass(frozen=True)
class Model:
    """Arrays for one scenario. Shapes: D units, G groups, K states, L lines, Y projected years."""

    years: tuple[int, ...]
    unit_ids: tuple[str, ...]
    poor_district: np.ndarray  # (D,) bool
    capacity_units: np.ndarray  # (L, D) officers / communes for non-household lines, else 0
    g_unit: np.ndarray  # (G,)
    g_eth: np.ndarray  # (G,) 0 ethnic minority, 1 Kinh
    g_area: np.ndarray  # (G,) 0 rural, 1 urban
    g_attr: np.ndarray  # (G,) attribute class
    n0: np.ndarray  # (G, K) households at the baseline review (integers)
    rates: np.ndarray  # (G, R) baseline transition probabilities
    growth: float  # households per household per year
    entry: np.ndarray  # (K,) state shares of new households
    line_codes: tuple[str, ...]
    household_line: np.ndarray  # (L,) bool
    unit_cost: np.ndarray  # (L,) VND per household reached, or per officer / commune
    max_share: np.ndarray  # (L,) largest share of eligible households a line can reach
    lag: np.ndarray  # (L,) years
    effects: np.ndarray  # (L, C) channel effects
    eligible: np.ndarray  # (L, G, K) bool
    tier: np.ndarray  # (L, G, K) priority tier, 0 first
    n_tiers: int
    spend: np.ndarray  # (Y+1, L, D) VND actually spent; index 0 = year before the start
    split: np.ndarray  # (L, D) district shares used
    ps_lines: np.ndarray  # (L,) bool: lines counted as production support
    ps_population: np.ndarray  # (G, K) bool: target group of the production-support indicator
    ps_want_share: float
    officer_lines: np.ndarray  # (L,) bool
    infra_lines: np.ndarray  # (L,) bool
    infra_min_spend: float  # VND per district-year
    cache: dict = field(default_factory=dict, compare=False, repr=False)  # derived index arrays

    @property
    def shape(self) -> dict:
        return {
            "D": len(self.unit_ids),
            "G": len(self.g_unit),
            "K": N_STATES,
            "L": len(self.line_codes),
            "Y": len(self.years),
        }


def _largest_remainder(total: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split integer totals (...,) by shares (C,) into integers (..., C) that add up exactly."""
    raw = total[..., None] * shares
    base = np.floor(raw)
    left = (total - base.sum(-1)).round().astype(int)
    frac = raw - base
    order = np.argsort(-frac, axis=-1, kind="stable")
    ranks = np.argsort(order, axis=-1, kind="stable")
    return base + (ranks < left[..., None])


def matches(clause: dict, unit_poor: np.ndarray, eth: np.ndarray, area: np.ndarray, attr: np.ndarray) -> np.ndarray:
    """(G, K) bool: which group-states a population clause covers."""
    G = len(eth)
    m = np.ones((G, N_STATES), bool)
    if "states" in clause:
        allowed = np.zeros(N_STATES, bool)
        for s in clause["states"]:
            allowed[list(EXPAND_PUBLIC.get(s, (STATE_INDEX.get(s, -1),)))] = True
        m &= allowed[None, :]
    if clause.get("poor_districts_only"):
        m &= unit_poor[:, None]
    if "groups" in clause:
        m &= np.isin(eth, [GROUPS.index(x) for x in clause["groups"]])[:, None]
    if "areas" in clause:
        m &= np.isin(area, [AREAS.index(x) for x in clause["areas"]])[:, None]
    if "attributes" in clause:
        m &= np.isin(attr, [ATTRIBUTE_CLASSES.index(x) for x in clause["attributes"]])[:, None]
    return m


def compile_model(scen: Scenario) -> Model:
    """Arrays for `scen` (see `Model`)."""
    ds, cat, ps = scen.dataset, scen.catalogue, scen.params
    D = len(ds.unit_ids)
    pop = ps["population"]
    m_share = qv(pop["attributes"]["meritorious"]["share"])
    v_share = qv(pop["attributes"]["vulnerable"]["share"])
    cls_shares = np.array([m_share, (1 - m_share) * v_share, (1 - m_share) * (1 - v_share)])

    # groups: (unit, ethnic group, area, attribute class), in that nesting order
    d, e, a, c = (x.ravel() for x in np.indices((D, len(GROUPS), len(AREAS), len(ATTRIBUTE_CLASSES))))
    counts = np.round(ds.counts)  # (D, 2, 2, K)
    split = _largest_remainder(np.moveaxis(counts, -1, 0), cls_shares)  # (K, D, 2, 2, C)
    n0 = np.moveaxis(split, 0, -1).reshape(-1, N_STATES)  # (G, K) in (d, e, a, c) order
    unit_poor = ds.poor_district[d]

    tr = ps["transitions"]
    rates = rate_array(tr, e, a, unit_poor)
    growth = qv(tr["growth"]["rate"])
    entry = np.zeros(N_STATES)
    for s, q in tr["growth"]["entry_states"].items():
        entry[STATE_INDEX[s]] = qv(q)

    priority = pop["priority"]
    tiers = np.full((len(d), N_STATES), len(priority), dtype=np.int8)
    for i in reversed(range(len(priority))):
        tiers[matches(priority[i], unit_poor, e, a, c)] = i

    lines = [cat.lines[code] for code in cat.codes]
    L = len(lines)
    eligible = np.zeros((L, len(d), N_STATES), bool)
    household_line = np.array([ln.population == "households" for ln in lines])
    for li, ln in enumerate(lines):
        for clause in ln.eligible:
            eligible[li] |= matches(clause, unit_poor, e, a, c)
    tier = np.broadcast_to(tiers, eligible.shape).copy()

    sizes = pop["sizes"]
    communes = ds.units["communes"].to_numpy(float)
    officers = communes * qv(sizes["officers_per_commune"]) + qv(sizes["officers_per_district"])
    capacity = np.zeros((L, D))
    for li, ln in enumerate(lines):
        if ln.population == "officers":
            capacity[li] = officers
        elif ln.population == "communes":
            capacity[li] = communes

    unit_cost = np.array([ln.cost_per_household if ln.population == "households" else ln.unit_cost for ln in lines])
    lag = np.array([ln.lag for ln in lines], dtype=int)
    effects = np.array([[ln.effects[ch] for ch in CHANNELS] for ln in lines])

    # eligible households per line and unit at the baseline, for district-split rules
    elig_hh = np.zeros((L, D))
    for li in range(L):
        np.add.at(elig_hh[li], d, (n0 * eligible[li]).sum(axis=1))
    elig_units = np.where(household_line[:, None], elig_hh, capacity)
    by_unit = np.zeros((D, N_STATES))
    np.add.at(by_unit, d, n0)
    ctx = SplitContext(
        eligible=elig_units,
        households=by_unit.sum(1),
        poor=by_unit[:, POOR],
        near_poor=by_unit[:, NEAR_POOR],
        communes=communes,
        poor_district=ds.poor_district,
        ethnic_minority=np.bincount(d, weights=n0.sum(1) * (e == 0), minlength=D),
        units=ds.units,
        rules=ps["allocation"]["district_rules"],
    )
    b = scen.budget
    shares = split_matrix(ctx, cat.codes, ds.unit_ids, b.district_split, b.default_split)
    disb = np.array([qv(ps["funding"]["sources"][s]["disbursement"]) for s in SOURCES])
    spend = np.einsum("yls,s,ld->yld", b.amounts, disb, shares)

    cov = ps["targets"]["coverage"]
    ps_lines = np.isin(cat.codes, cov["production_support"]["lines"])
    ps_pop = np.zeros((len(d), N_STATES), bool)
    for clause in cov["production_support"]["population"]:
        ps_pop |= matches(clause, unit_poor, e, a, c)

    return Model(
        years=scen.years,
        unit_ids=ds.unit_ids,
        poor_district=ds.poor_district,
        capacity_units=capacity,
        g_unit=d,
        g_eth=e,
        g_area=a,
        g_attr=c,
        n0=n0,
        rates=rates,
        growth=growth,
        entry=entry,
        line_codes=cat.codes,
        household_line=household_line,
        unit_cost=unit_cost,
        max_share=np.array([ln.max_share for ln in lines]),
        lag=lag,
        effects=effects,
        eligible=eligible,
        tier=tier,
        n_tiers=len(priority) + 1,
        spend=spend,
        split=shares,
        ps_lines=ps_lines,
        ps_population=ps_pop,
        ps_want_share=qv(cov["production_support"]["want_share"]),
        officer_lines=np.isin(cat.codes, cov["officers_trained"]["lines"]),
        infra_lines=np.isin(cat.codes, cov["infrastructure"]["lines"]),
        infra_min_spend=qv(cov["infrastructure"]["min_spend"]),
    )


def enabling_boost(model: Model, reached: np.ndarray) -> np.ndarray:
    """Relative boost (..., D) of household lines' effects from enabling lines' coverage.

    `reached` is (..., L, D) units reached (officers, communes); boost = sum of enabling effect x
    share of the unit's officers/communes reached.
    """
    cap = model.capacity_units
    share = np.divide(reached, cap, out=np.zeros(np.broadcast_shapes(reached.shape, cap.shape)), where=cap > 0)
    return np.einsum("...ld,l->...d", share, model.effects[:, ENA])


def active_spend(model: Model, spend: np.ndarray, y: int) -> np.ndarray:
    """Spending (..., L, D) that acts on transitions of projected year index `y`: each line's
    money from `lag` years earlier (index 0 of `spend` is the year before the start)."""
    idx = y + 1 - model.lag
    L = len(model.line_codes)
    out = spend[..., np.clip(idx, 0, None), np.arange(L), :]
    return out * (idx >= 0)[:, None]
