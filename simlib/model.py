"""Compile a scenario into the arrays the engines run on: structure, parameters and levers apart.

Households are grouped by *group* g = (unit, ethnic group, area, attribute class, labour
capacity), where the attribute class (meritorious / vulnerable / none) drives the plan's priority
order and households without labour capacity cannot be reached by lines that ask for it
(livelihoods); each group has 6 detailed states. A group that a once-per-household line (a house)
can reach has a *housed twin*: the same households after the line reached them, never eligible
for it again. Groups are unit-major (a unit's groups, then its twins), so units concatenate. A compiled scenario (`Model`) has three parts, as an exploratory model
keeps uncertainties, levers and outcomes apart:

- `Structure` — what the dataset, the catalogue and the population rules fix: units, groups,
  baseline households, which lines each group-state is eligible for and in which priority tier,
  capacities (officers, communes), the indicators' target groups;
- `Parameters` — what is estimated and may be drawn: baseline transition rates, household
  growth, unit costs, take-up ceilings, lags, effects, disbursement of each funding source, asset
  lives, rising costs and support cycles (production support once per N years);
- `Levers` — the policy: money by year, line and source, and each line's split across units.

Engines read the structure and the parameters and are given the money explicitly
(`spend`, VND actually spent by year, line and unit): `model.spend` is the scenario's own, and
sweeps, draws and counterfactuals pass other arrays the same way. Everything is an array, so
engines are pure array code, vectorised over scenarios and draws. The parts are immutable;
whatever an engine derives from them is cached on the part it depends on (`simlib.memo`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cached_property

import numpy as np

from simlib.dataset import AREAS, FLAG_COLUMNS, GROUPS, Dataset
from simlib.district import split_context, split_matrix
from simlib.memo import Memoised
from simlib.other_programmes import other_amounts
from simlib.scenario import SOURCES, Scenario
from simlib.schema import qv
from simlib.states import EXPAND_PUBLIC, N_STATES, STATE_INDEX
from simlib.transitions import CHANNELS, affine_parts, rate_array

ATTRIBUTE_CLASSES = ("meritorious", "vulnerable", "none")
LABOUR = ("able", "unable")
POPULATIONS = ("households", "communes", "officers")

#: arrays indexed by group, and the axis that indexes groups
GROUP_AXES = {
    "g_unit": 0,
    "g_eth": 0,
    "g_area": 0,
    "g_attr": 0,
    "g_labour": 0,
    "g_housed": 0,
    "twin": 0,
    "n0": 0,
    "eligible": 1,
    "tier": 1,
    "ps_population": 0,
}
#: arrays indexed by unit, and the axis that indexes units
UNIT_AXES = {"poor_district": 0, "capacity_units": 1}


@dataclass(frozen=True, eq=False)
class Structure(Memoised):
    """What the dataset, catalogue and population rules fix. Shapes: D units, G groups, K states,
    L lines, Y projected years."""

    years: tuple[int, ...]
    unit_ids: tuple[str, ...]
    poor_district: np.ndarray  # (D,) bool
    capacity_units: np.ndarray  # (L, D) officers / communes for non-household lines, else 0
    g_unit: np.ndarray  # (G,)
    g_eth: np.ndarray  # (G,) 0 ethnic minority, 1 Kinh
    g_area: np.ndarray  # (G,) 0 rural, 1 urban
    g_attr: np.ndarray  # (G,) attribute class
    n0: np.ndarray  # (G, K) households at the baseline review (integers)
    line_codes: tuple[str, ...]
    household_line: np.ndarray  # (L,) bool
    eligible: np.ndarray  # (L, G, K) bool
    tier: np.ndarray  # (L, G, K) priority tier, 0 first
    n_tiers: int
    ps_lines: np.ndarray  # (L,) bool: lines counted as production support
    ps_population: np.ndarray  # (G, K) bool: target group of the production-support indicator
    officer_lines: np.ndarray  # (L,) bool
    infra_lines: np.ndarray  # (L,) bool
    infra_min_spend: float  # VND per district-year: the definition of "gets infrastructure"
    # defaults (None) for models built by hand: everybody with labour capacity, no twins, every
    # line household-targeted and without memory
    g_labour: np.ndarray | None = None  # (G,) 0 with labour capacity, 1 without
    g_housed: np.ndarray | None = None  # (G,) bool: a once-per-household line reached them
    twin: np.ndarray | None = None  # (G,) index of the group's housed twin, -1 if none
    area_line: np.ndarray | None = None  # (L,) bool: reach in proportion to the area's households
    once_line: np.ndarray | None = None  # (L,) bool: once per household (moves them to the twin)
    money_only: np.ndarray | None = None  # (L,) bool: items buying no household benefit (simlib.catalogue)
    line_contents: tuple[str, ...] | None = None  # (L,) the content each item carries (simlib.catalogue)

    def __post_init__(self):
        G, L = len(self.g_unit), len(self.line_codes)
        defaults = {
            "g_labour": np.zeros(G, np.int8),
            "g_housed": np.zeros(G, bool),
            "twin": np.full(G, -1),
            "area_line": np.zeros(L, bool),
            "once_line": np.zeros(L, bool),
        }
        for name, value in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)

    @property
    def shape(self) -> dict:
        return {
            "D": len(self.unit_ids),
            "G": len(self.g_unit),
            "K": N_STATES,
            "L": len(self.line_codes),
            "Y": len(self.years),
        }

    @cached_property
    def inv_capacity(self) -> np.ndarray:
        """(L, D) 1 / officers or communes of a unit for non-household lines, else 0."""
        cap = self.capacity_units
        ok = (cap > 0) & ~self.household_line[:, None]
        return np.divide(1.0, cap, out=np.zeros_like(cap, dtype=float), where=ok)

    def take_groups(self, groups: np.ndarray) -> Structure:
        """The structure of some groups only (units unchanged); a twin not taken is dropped."""
        groups = np.asarray(groups, int)
        part = {f: np.take(getattr(self, f), groups, axis=ax) for f, ax in GROUP_AXES.items()}
        new_index = np.full(len(self.g_unit), -1)
        new_index[groups] = np.arange(len(groups))
        part["twin"] = np.where(part["twin"] >= 0, new_index[part["twin"]], -1)
        return replace(self, **part)

    def take_units(self, units: np.ndarray) -> tuple[Structure, np.ndarray]:
        """The structure of some units only, units renumbered; and the groups kept."""
        units = np.asarray(units, int)
        groups = np.flatnonzero(np.isin(self.g_unit, units))
        part = self.take_groups(groups)
        remap = np.full(len(self.unit_ids), -1)
        remap[units] = np.arange(len(units))
        changes = {f: np.take(getattr(self, f), units, axis=ax) for f, ax in UNIT_AXES.items()}
        changes.update(g_unit=remap[part.g_unit], unit_ids=tuple(self.unit_ids[u] for u in units))
        return replace(part, **changes), groups


@dataclass(frozen=True, eq=False)
class Parameters(Memoised):
    """What is estimated (and drawn for uncertainty): R baseline rates per group, C channels,
    S funding sources."""

    rates: np.ndarray  # (G, R) baseline transition probabilities
    growth: float  # households per household per year
    entry: np.ndarray  # (K,) state shares of new households
    unit_cost: np.ndarray  # (L,) VND per household reached, or per officer / commune
    max_share: np.ndarray  # (L,) largest share of eligible households a line can reach (take-up)
    lag: np.ndarray  # (L,) years between spending and effect
    effects: np.ndarray  # (L, C) channel effects
    disbursement: np.ndarray  # (S,) share of each source's money actually spent
    ps_want_share: float  # share of the production-support target group that wants support
    # defaults (None) for models built by hand: no durable assets, constant cost per beneficiary
    life: np.ndarray | None = None  # (L,) years an asset built by the line lasts, 0 if none
    cost_rise: np.ndarray | None = None  # (L,) diminishing returns (simlib.engines.reach.saturating)
    cycle: np.ndarray | None = None  # (L,) int: years between two supports of a household (0, 1: no memory)

    def __post_init__(self):
        L = len(self.unit_cost)
        for name in ("life", "cost_rise"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.zeros(L))
        if self.cycle is None:
            object.__setattr__(self, "cycle", np.zeros(L, dtype=int))

    @cached_property
    def affine(self) -> np.ndarray:
        """Transition matrices as affine functions of the factors (`transitions.affine_parts`),
        (3, 1, G, K, K)."""
        return affine_parts(self.rates[None])

    def take_groups(self, groups: np.ndarray) -> Parameters:
        return replace(self, rates=np.take(self.rates, groups, axis=0))


@dataclass(frozen=True, eq=False)
class Levers:
    """The policy: money by year, line and source, and how each line's money is split by unit.
    Index 0 of the years is the year before the start (it funds lines acting with a lag)."""

    amounts: np.ndarray  # (Y+1, L, S) VND planned
    split: np.ndarray  # (L, D) shares of each line's money by unit
    #: (Y+1, L) VND other programmes spend above their baseline level, acting as these items
    #: (simlib.other_programmes); None: none declared. Not this programme's money: engines add it
    #: to every spending they are given (`simlib.engines.reach.acting_spend`)
    other: np.ndarray | None = None

    def spend(self, disbursement: np.ndarray) -> np.ndarray:
        """(Y+1, L, D) VND actually spent: planned money x disbursement of its source x split."""
        return np.einsum("yls,s,ld->yld", self.amounts, disbursement, self.split)

    def take_units(self, units: np.ndarray) -> Levers:
        return replace(self, split=np.take(self.split, units, axis=1))

    def other_spend(self) -> np.ndarray | None:
        """(Y+1, L, D) VND of the other programmes declared, split like the items they act as."""
        return None if self.other is None else self.other[:, :, None] * self.split[None]


@dataclass(frozen=True, eq=False)
class Model(Memoised):
    """A compiled scenario: structure, parameters and levers. Every field of the three parts can
    be read as `model.<field>` (e.g. `model.n0`, `model.rates`, `model.split`)."""

    structure: Structure
    params: Parameters
    levers: Levers

    #: the poverty model an engine must implement to run this model
    poverty_model = "states"

    @cached_property
    def spend(self) -> np.ndarray:
        """(Y+1, L, D) VND the scenario's levers spend, after disbursement."""
        return self.levers.spend(self.params.disbursement)

    @property
    def shape(self) -> dict:
        return self.structure.shape

    def take_groups(self, groups: np.ndarray) -> Model:
        """The model of some groups only (units and levers unchanged): units do not interact in a
        projected year, so a unit's groups can run alone."""
        return replace(self, structure=self.structure.take_groups(groups), params=self.params.take_groups(groups))

    def take_units(self, units: np.ndarray) -> Model:
        """The model of some units only (indices into `unit_ids`), units and groups renumbered."""
        structure, groups = self.structure.take_units(units)
        return Model(structure, self.params.take_groups(groups), self.levers.take_units(np.asarray(units, int)))


def _shortcut(part: str, name: str) -> property:
    return property(lambda self: getattr(getattr(self, part), name), doc=f"`{part}.{name}`")


for _part, _cls in (("structure", Structure), ("params", Parameters), ("levers", Levers)):
    for _f in fields(_cls):
        setattr(Model, _f.name, _shortcut(_part, _f.name))


def _largest_remainder(total: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split integer totals (...,) by shares (C,) into integers (..., C) that add up exactly."""
    raw = total[..., None] * shares
    base = np.floor(raw)
    left = (total - base.sum(-1)).round().astype(int)
    frac = raw - base
    order = np.argsort(-frac, axis=-1, kind="stable")
    ranks = np.argsort(order, axis=-1, kind="stable")
    return base + (ranks < left[..., None])


def matches(
    clause: dict,
    unit_flags: Mapping[str, np.ndarray],
    eth: np.ndarray,
    area: np.ndarray,
    attr: np.ndarray,
    labour: np.ndarray | None = None,
) -> np.ndarray:
    """(G, K) bool: which group-states a population clause covers. `unit_flags` holds, per flag
    column of the dataset's units (`poor_district`, `exit_scheme_district`, …), the (G,) flag of
    each group's unit; `poor_districts_only: true` is `unit_flag: poor_district`. `labour` is 0
    with labour capacity, 1 without (everybody has it if not given)."""
    G = len(eth)
    m = np.ones((G, N_STATES), bool)
    if "states" in clause:
        allowed = np.zeros(N_STATES, bool)
        for s in clause["states"]:
            allowed[list(EXPAND_PUBLIC.get(s, (STATE_INDEX.get(s, -1),)))] = True
        m &= allowed[None, :]
    if clause.get("poor_districts_only"):
        m &= unit_flags["poor_district"][:, None]
    if "unit_flag" in clause:
        m &= unit_flags.get(clause["unit_flag"], np.zeros(G, bool))[:, None]
    if "groups" in clause:
        m &= np.isin(eth, [GROUPS.index(x) for x in clause["groups"]])[:, None]
    if "areas" in clause:
        m &= np.isin(area, [AREAS.index(x) for x in clause["areas"]])[:, None]
    if "attributes" in clause:
        m &= np.isin(attr, [ATTRIBUTE_CLASSES.index(x) for x in clause["attributes"]])[:, None]
    if "labour" in clause:
        lab = np.zeros(G, np.int8) if labour is None else labour
        m &= np.isin(lab, [LABOUR.index(x) for x in clause["labour"]])[:, None]
    return m


def _groups(scen: Scenario) -> tuple[np.ndarray, ...]:
    """Base groups (unit, ethnic group, area, attribute class, labour capacity) in that nesting
    order, and the baseline households (G, K) of each: a cell's households split exactly by the
    product of the attribute classes' and the labour-capacity shares (the same in every state)."""
    ds, pop = scen.dataset, scen.params["population"]
    m_share = qv(pop["attributes"]["meritorious"]["share"])
    v_share = qv(pop["attributes"]["vulnerable"]["share"])
    u_share = qv(pop["labour_capacity"]["without_share"])
    cls_shares = np.array([m_share, (1 - m_share) * v_share, (1 - m_share) * (1 - v_share)])
    shares = np.outer(cls_shares, [1 - u_share, u_share]).ravel()  # (C x 2,) in (class, labour) order
    dims = (len(ds.unit_ids), len(GROUPS), len(AREAS), len(ATTRIBUTE_CLASSES), len(LABOUR))
    d, e, a, c, lab = (x.ravel() for x in np.indices(dims))
    counts = np.round(ds.counts)  # (D, 2, 2, K)
    split = _largest_remainder(np.moveaxis(counts, -1, 0), shares)  # (K, D, 2, 2, C x 2)
    n0 = np.moveaxis(split, 0, -1).reshape(-1, N_STATES)  # (G, K) in (d, e, a, c, labour) order
    return d, e, a, c, lab.astype(np.int8), n0


def with_twins(unit: np.ndarray, need: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Groups after adding a housed twin to every base group that `need`s one, unit-major (a
    unit's base groups, then its twins): the base group each stands for (G,), whether it is a
    twin (G,), and each base group's twin index (G,), -1 for none and for twins."""
    base = np.arange(len(unit))
    src = np.concatenate([base, base[need]])
    housed = np.concatenate([np.zeros(len(unit), bool), np.ones(int(need.sum()), bool)])
    order = np.lexsort((np.arange(len(src)), housed, unit[src]))
    src, housed = src[order], housed[order]
    twin_of_base = np.full(len(unit), -1)
    twin_of_base[src[housed]] = np.flatnonzero(housed)
    twin = np.where(housed, -1, twin_of_base[src])
    return src, housed, twin


def _eligibility(scen: Scenario, who: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray, int]:
    """(L, G, K) eligibility of each group-state for each line, its priority tier, and the number
    of tiers (the plan's priority clauses, then everybody else)."""
    priority = scen.params["population"]["priority"]
    tiers = np.full(who[1].shape + (N_STATES,), len(priority), dtype=np.int8)
    for i in reversed(range(len(priority))):
        tiers[matches(priority[i], *who)] = i
    cat = scen.catalogue
    eligible = np.zeros((len(cat.codes),) + tiers.shape, bool)
    for li, code in enumerate(cat.codes):
        for clause in cat.lines[code].eligible:
            eligible[li] |= matches(clause, *who)
    return eligible, np.broadcast_to(tiers, eligible.shape).copy(), len(priority) + 1


def unit_officers(ds: Dataset, sizes: dict) -> np.ndarray:
    """(D,) poverty-reduction officers of each unit (params/population.yaml `sizes`).

    District units (up to 30 June 2025): `officers_per_commune` x the district's communes +
    `officers_per_district` (the district's own staff). Commune-level units (from 1 July 2025,
    `ds.level == "commune"`): no district tier exists, so no district staff; the unit counts
    `officers_per_commune` for each legacy commune it merges (column `old_units`, Nghị quyết
    1657/NQ-UBTVQH15) — the old communes' staff and village heads carried into the new unit, an
    assumption stated in params/population.yaml. A commune-level table without `old_units` counts
    its `communes`."""
    per_commune = qv(sizes["officers_per_commune"])
    if ds.level == "commune":
        column = "old_units" if "old_units" in ds.units.columns else "communes"
        return ds.units[column].to_numpy(float) * per_commune
    return ds.units["communes"].to_numpy(float) * per_commune + qv(sizes["officers_per_district"])


def _capacity(scen: Scenario) -> np.ndarray:
    """(L, D) officers or communes of each unit for the lines that reach them, else 0."""
    ds, sizes = scen.dataset, scen.params["population"]["sizes"]
    communes = ds.units["communes"].to_numpy(float)
    officers = unit_officers(ds, sizes)
    cat = scen.catalogue
    capacity = np.zeros((len(cat.codes), len(ds.unit_ids)))
    for li, code in enumerate(cat.codes):
        population = cat.lines[code].population
        if population == "officers":
            capacity[li] = officers
        elif population == "communes":
            capacity[li] = communes
    return capacity


def compile_structure(scen: Scenario) -> Structure:
    """The structure of `scen` (see `Structure`)."""
    ds, cat = scen.dataset, scen.catalogue
    d, e, a, c, lab, n0 = _groups(scen)
    who = ({f: ds.unit_flag(f)[d] for f in FLAG_COLUMNS}, e, a, c, lab)
    eligible, tier, n_tiers = _eligibility(scen, who)
    once = np.array([cat.lines[code].once_per_household for code in cat.codes])
    src, housed, twin = with_twins(d, eligible[once].any(axis=(0, 2)))
    d, e, a, c, lab, tier = d[src], e[src], a[src], c[src], lab[src], tier[:, src]
    eligible = eligible[:, src] & ~(once[:, None, None] & housed[None, :, None])
    n0 = np.where(housed[:, None], 0.0, n0[src])
    who = ({f: ds.unit_flag(f)[d] for f in FLAG_COLUMNS}, e, a, c, lab)
    cov = scen.params["targets"]["coverage"]
    ps_pop = np.zeros((len(d), N_STATES), bool)
    for clause in cov["production_support"]["population"]:
        ps_pop |= matches(clause, *who)
    return Structure(
        years=scen.years,
        unit_ids=ds.unit_ids,
        poor_district=ds.poor_district,
        capacity_units=_capacity(scen),
        g_unit=d,
        g_eth=e,
        g_area=a,
        g_attr=c,
        n0=n0,
        line_codes=cat.codes,
        household_line=np.array([cat.lines[code].population == "households" for code in cat.codes]),
        money_only=np.array([cat.lines[code].money_only for code in cat.codes], dtype=bool),
        line_contents=tuple(cat.lines[code].content or code for code in cat.codes),
        eligible=eligible,
        tier=tier,
        n_tiers=n_tiers,
        ps_lines=np.isin(cat.codes, cov["production_support"]["lines"]),
        ps_population=ps_pop,
        officer_lines=np.isin(cat.codes, cov["officers_trained"]["lines"]),
        infra_lines=np.isin(cat.codes, cov["infrastructure"]["lines"]),
        infra_min_spend=qv(cov["infrastructure"]["min_spend"]),
        g_labour=lab,
        g_housed=housed,
        twin=twin,
        area_line=np.array([cat.lines[code].reach == "area" for code in cat.codes]),
        once_line=once,
    )


def compile_parameters(scen: Scenario, structure: Structure) -> Parameters:
    """The parameter values of `scen` for the groups of `structure` (see `Parameters`)."""
    ps, cat = scen.params, scen.catalogue
    tr = ps["transitions"]
    unit_poor = structure.poor_district[structure.g_unit]
    entry = np.zeros(N_STATES)
    for s, q in tr["growth"]["entry_states"].items():
        entry[STATE_INDEX[s]] = qv(q)
    lines = [cat.lines[code] for code in cat.codes]
    return Parameters(
        rates=rate_array(tr, structure.g_eth, structure.g_area, unit_poor),
        growth=qv(tr["growth"]["rate"]),
        entry=entry,
        unit_cost=np.array([ln.cost_per_household if ln.population == "households" else ln.unit_cost for ln in lines]),
        max_share=np.array([ln.max_share for ln in lines]),
        lag=np.array([ln.lag for ln in lines], dtype=int),
        effects=np.array([[ln.effects[ch] for ch in CHANNELS] for ln in lines]),
        disbursement=np.array([qv(ps["funding"]["sources"][s]["disbursement"]) for s in SOURCES]),
        ps_want_share=qv(ps["targets"]["coverage"]["production_support"]["want_share"]),
        life=np.array([ln.life for ln in lines]),
        cost_rise=np.array([cat.cost_rise if ln.population == "households" else 0.0 for ln in lines]),
        cycle=np.array([ln.cycle if ln.population == "households" else 0 for ln in lines], dtype=int),
    )


def compile_levers(scen: Scenario, structure: Structure) -> Levers:
    """The budget of `scen` and each line's split across units by the scenario's rules, which see
    the baseline structure (`simlib.district`)."""
    ctx = split_context(structure, scen.dataset.units, scen.params["allocation"]["district_rules"])
    b = scen.budget
    shares = split_matrix(ctx, structure.line_codes, structure.unit_ids, b.district_split, b.default_split)
    other = other_amounts(scen.other_programmes, structure.line_codes, scen.start_year, scen.horizon)
    return Levers(amounts=b.amounts, split=shares, other=other if other.any() else None)


def compile_model(scen: Scenario) -> Model:
    """Structure, parameters and levers of `scen` (see `Model`)."""
    structure = compile_structure(scen)
    return Model(structure, compile_parameters(scen, structure), compile_levers(scen, structure))


def structure_for_values(structure: Structure, scen: Scenario) -> Structure:
    """`structure` (compiled from a scenario with the same dataset, catalogue and population
    rules) with the parts a parameter value sets recomputed from `scen`: the baseline households
    split by the attribute and labour-capacity shares, the officers' capacity and the
    infrastructure coverage's minimum spend. Equal to `compile_structure(scen)` when `scen`
    differs from the structure's scenario in quantity values only (a parameter draw), without
    recomputing eligibility, tiers and housed twins."""
    n0_base = _groups(scen)[-1]
    if int((~structure.g_housed).sum()) != len(n0_base):  # pragma: no cover - another dataset
        raise ValueError("the structure was compiled from another dataset")
    n0 = np.zeros_like(structure.n0)
    n0[~structure.g_housed] = n0_base  # base groups keep their order; twins start empty
    cov = scen.params["targets"]["coverage"]
    return replace(
        structure, n0=n0, capacity_units=_capacity(scen), infra_min_spend=qv(cov["infrastructure"]["min_spend"])
    )
