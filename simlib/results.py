"""Tidy tables from engine arrays — the same for both engines.

- states:     scenario, engine, draw, year, district, ethnic_group, area, state, years_since_escape, households
- flows:      scenario, engine, draw, year, district, ethnic_group, area, flow, from_state, to_state, households
- indicators: scenario, engine, draw, year, geo_type, geo, indicator, value, unit
- programme:  scenario, engine, draw, year, district, line, spend_vnd, reached, eligible
- deprivations, deprivation_removals: multidimensional model only (simlib.multidim.tables)
- absorption: scenario, engine, draw, year, spend_year, district, line, content, role, spend_vnd,
  capacity_vnd, usable_vnd, unallocatable_vnd, no_household_effect_vnd (simlib.compliance.absorption)

`year` is the annual review; the baseline year's row holds the starting stock, and a flow in year
t moves households between the reviews of t-1 and t.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.compliance.absorption import absorption_table, unplaced_money
from simlib.dataset import AREAS, GROUPS
from simlib.engines.common import EngineOutput
from simlib.engines.reach import survival
from simlib.i18n import t
from simlib.model import Model
from simlib.states import FLOW_NAME, N_STATES, PUBLIC_OF, PUBLIC_STATES, YEARS_SINCE_ESCAPE
from simlib.tabulate import by_cell, geographies, long_frame

#: indicator -> unit
INDICATOR_UNITS = {
    "households": "households",
    "poor": "households",
    "near_poor": "households",
    "escaped": "households",
    "non_poor": "households",
    "poor_rate": "percent",
    "near_poor_rate": "percent",
    "poor_near_poor_rate": "percent",
    "poor_rate_change": "percentage points",
    "near_poor_rate_change": "percentage points",
    "poor_near_poor_rate_change": "percentage points",
    "escapes": "households",
    "poor_to_near_poor": "households",
    "relapses": "households",
    "relapses_near_poor": "households",
    "near_poor_to_poor": "households",
    "near_poor_exits": "households",
    "new_poor": "households",
    "new_near_poor": "households",
    "new_households": "households",
    "production_support_coverage": "percent",
    "officers_trained": "percent",
    "poor_districts_with_infrastructure": "percent",
    "spend": "billion VND",
    "poor_fewer_than_without_programme": "households",
    "poor_near_poor_fewer_than_without_programme": "households",
    "reclassified_by_programme": "households",
    "cost_per_household_lifted": "million VND per household",
    "cost_per_household_lifted_net": "million VND per household",
    "value_left": "billion VND",
    # the annual review's own categories (REVIEW_CATEGORIES)
    "review_escapes": "households",
    "review_added_poor": "households",
    # multidimensional model (simlib.multidim.tables)
    "poverty_gap_index": "percent",
    "poverty_severity_index": "percent",
    "income_gap_ratio": "percent",
    "income_line_rural": "VND per person per month",
    "income_line_urban": "VND per person per month",
    "standard_changed": "flag",
}
#: the indicators `programme_effect_indicators` reads (of the run and of the run without money)
EFFECT_READS = ("poor", "near_poor", "spend", "value_left")
FLOW_INDICATORS = {
    "escape": "escapes",
    "poor_to_near_poor": "poor_to_near_poor",
    "relapse": "relapses",
    "relapse_near_poor": "relapses_near_poor",
    "near_poor_to_poor": "near_poor_to_poor",
    "near_poor_exit": "near_poor_exits",
    "new_poor": "new_poor",
    "new_near_poor": "new_near_poor",
}


#: the indicators of the flows and entries (`flow_indicators`)
FLOW_GROUP = frozenset(FLOW_INDICATORS.values()) | {"new_households", "review_escapes", "review_added_poor"}

#: the annual review's flow report (Thông tư 07/2021/TT-BLĐTBXH, forms replaced by Thông tư
#: 02/2022/TT-BLĐTBXH; params/evidence.yaml `review_accounting`): (list, category) -> the model's
#: flow category and destination list. Each model flow into or out of a list is one column of
#: that list's table; the model has no exits ("khác giảm"), so that column is always 0 and left out.
REVIEW_CATEGORIES = {
    ("poor", "to_near_poor"): ("poor_to_near_poor", "near_poor"),  # trở thành hộ cận nghèo (thoát nghèo)
    ("poor", "above_near_poor_line"): ("escape", "escaped"),  # vượt chuẩn cận nghèo (thoát nghèo)
    ("poor", "from_near_poor"): ("near_poor_to_poor", "poor"),  # số hộ cận nghèo trở thành hộ nghèo
    ("poor", "relapse"): ("relapse", "poor"),  # tái nghèo
    ("poor", "new"): ("new_poor", "poor"),  # phát sinh mới
    ("poor", "other_increase"): ("new_household", "poor"),  # khác tăng (new households)
    ("near_poor", "to_poor"): ("near_poor_to_poor", "poor"),  # trở thành hộ nghèo (thoát cận nghèo)
    ("near_poor", "above_near_poor_line"): ("near_poor_exit", "non_poor"),  # vượt chuẩn cận nghèo
    ("near_poor", "from_poor"): ("poor_to_near_poor", "near_poor"),  # số hộ nghèo trở thành hộ cận nghèo
    ("near_poor", "relapse"): ("relapse_near_poor", "near_poor"),  # tái cận nghèo
    ("near_poor", "new"): ("new_near_poor", "near_poor"),  # phát sinh mới
    ("near_poor", "other_increase"): ("new_household", "near_poor"),  # khác tăng (new households)
}
#: categories that leave the list (the rest join it)
REVIEW_OUT = {("poor", "to_near_poor"), ("poor", "above_near_poor_line"), ("near_poor", "to_poor")}
REVIEW_OUT |= {("near_poor", "above_near_poor_line")}


@dataclass
class Tables:
    states: pd.DataFrame
    flows: pd.DataFrame
    indicators: pd.DataFrame
    programme: pd.DataFrame
    # multidimensional model only (simlib.multidim.tables); None for the states model
    deprivations: pd.DataFrame | None = None
    deprivation_removals: pd.DataFrame | None = None
    review_flows: pd.DataFrame | None = None
    # money that reaches no one, by acting year, item and unit (simlib.compliance.absorption)
    absorption: pd.DataFrame | None = None


def states_table(out: EngineOutput, model: Model, baseline_year: int) -> pd.DataFrame:
    cells = by_cell(model, out.states, 2)  # (S, Y+1, D, E, A, K)
    years = [baseline_year] + list(model.years)
    df = long_frame(
        {
            "draw": range(out.n_draws),
            "year": years,
            "district": model.unit_ids,
            "ethnic_group": GROUPS,
            "area": AREAS,
            "k": range(N_STATES),
        },
        cells,
        "households",
    )
    df["state"] = np.array(PUBLIC_STATES)[PUBLIC_OF[df["k"].to_numpy()]]
    df["years_since_escape"] = YEARS_SINCE_ESCAPE[df["k"].to_numpy()]
    return df.drop(columns="k")[
        ["draw", "year", "district", "ethnic_group", "area", "state", "years_since_escape", "households"]
    ]


def flows_table(out: EngineOutput, model: Model) -> pd.DataFrame:
    cells = by_cell(model, out.flows, 2)  # (S, Y, D, E, A, K, K)
    df = long_frame(
        {
            "draw": range(out.n_draws),
            "year": model.years,
            "district": model.unit_ids,
            "ethnic_group": GROUPS,
            "area": AREAS,
            "f": range(N_STATES),
            "t": range(N_STATES),
        },
        cells,
        "households",
    )
    names = np.array([[FLOW_NAME[f][t] for t in range(N_STATES)] for f in range(N_STATES)])
    df["flow"] = names[df["f"].to_numpy(), df["t"].to_numpy()]
    df = df[df["flow"] != ""]
    df["from_state"] = np.array(PUBLIC_STATES)[PUBLIC_OF[df["f"].to_numpy()]]
    df["to_state"] = np.array(PUBLIC_STATES)[PUBLIC_OF[df["t"].to_numpy()]]
    ent = by_cell(model, out.entries, 2)  # (S, Y, D, E, A, K)
    new = long_frame(
        {
            "draw": range(out.n_draws),
            "year": model.years,
            "district": model.unit_ids,
            "ethnic_group": GROUPS,
            "area": AREAS,
            "t": range(N_STATES),
        },
        ent,
        "households",
    )
    new = new[model.entry[new["t"].to_numpy()] > 0]
    new["flow"] = "new_household"
    new["from_state"] = "new"
    new["to_state"] = np.array(PUBLIC_STATES)[PUBLIC_OF[new["t"].to_numpy()]]
    # sum detailed escaped sub-states into the public ones
    cols = ["draw", "year", "district", "ethnic_group", "area", "flow", "from_state", "to_state"]
    both = pd.concat([df.drop(columns=["f", "t"]), new.drop(columns=["t"])], ignore_index=True)
    return both.groupby(cols, sort=False, as_index=False)["households"].sum()


def review_flows_table(flows: pd.DataFrame) -> pd.DataFrame:
    """The flows in the annual review's own categories (`REVIEW_CATEGORIES`), from the tidy flows
    table: per draw, year and cell, each list's (poor, near-poor) categories with the model flow
    each is (`model_flow`, `to_state`) and whether it leaves the list (`direction` out / in). The
    review's "thoát nghèo" is both poor "out" rows; its added poor are relapse + new (near-poor ->
    poor a column of its own). Start + in - out of a list = its end (tested)."""
    keys = ["draw", "year", "district", "ethnic_group", "area"]
    frames = []
    for (lst, cat), (flow, to) in REVIEW_CATEGORIES.items():
        sel = flows[(flows["flow"] == flow) & (flows["to_state"] == to)]
        part = sel.groupby(keys, sort=False, as_index=False)["households"].sum()
        part = part.assign(list=lst, category=cat, direction="out" if (lst, cat) in REVIEW_OUT else "in")
        frames.append(part.assign(model_flow=flow, to_state=to))
    cols = keys + ["list", "category", "direction", "model_flow", "to_state", "households"]
    return pd.concat(frames, ignore_index=True)[cols]


def review_category_name(lst: str, category: str, lang: str | None = None) -> str:
    """The review form's name of a `review_flows` category (e.g. "Tái nghèo") in `lang`."""
    return t(f"review.{lst}.{category}", lang)


def review_indicators(fcells: np.ndarray, ent: np.ndarray, masks: np.ndarray) -> dict[str, np.ndarray]:
    """The review's headline flows (S, Y, Ngeo) from flows (S, Y, D, E, K, K) and entries
    (S, Y, D, E, K): "thoát nghèo" (every household leaving the poor list, poor -> near-poor
    included) and the added poor ("hộ nghèo bổ sung": relapse + new poor + new households entering
    poor; near-poor -> poor is reported on its own)."""
    f = np.array([[FLOW_NAME[a][b] for b in range(N_STATES)] for a in range(N_STATES)])
    leave = np.isin(f, ("escape", "poor_to_near_poor")).astype(float)
    added = np.isin(f, ("relapse", "new_poor")).astype(float)
    poor_entry = (PUBLIC_OF == 0).astype(float)
    return {
        "review_escapes": np.einsum("sydekl,kl,gde->syg", fcells, leave, masks),
        "review_added_poor": np.einsum("sydekl,kl,gde->syg", fcells, added, masks)
        + np.einsum("sydek,k,gde->syg", ent, poor_entry, masks),
    }


def value_left(model: Model, spend_years: np.ndarray) -> np.ndarray:
    """VND (Y, L, D) that the durable assets bought with each projected year's money (spend_years
    (Y, L, D)) are still worth at the end of each later year t, summed over the years up to t:
    out[t] = sum over y <= t of spend[y] x survival(life, t - y + 1) — straight-line wear over the
    line's asset life (`simlib.engines.reach.survival`); 0 for lines that build no asset."""
    Y = spend_years.shape[0]
    age = np.arange(Y)[:, None] - np.arange(Y)[None, :] + 1  # (t, y)
    surv = np.where(age[..., None] >= 1, survival(model.params.life[None, None, :], age[..., None]), 0.0)
    return np.einsum("yld,tyl->tld", np.asarray(spend_years, float), surv)


def indicator_arrays(
    out: EngineOutput, model: Model, spend: np.ndarray, names: Collection[str] | None = None
) -> tuple[list[tuple[str, str]], dict[str, np.ndarray]]:
    """Indicators as arrays (S, Y+1, Ngeo); flow and coverage indicators are NaN in the baseline year.

    `spend` (Y+1, L, D, VND) is the money the run used (the scenario's own, or none for the
    no-programme counterfactual): infrastructure coverage and money spent are read from it.
    `names`: the indicators the caller reads; the flows' and the entries' (`FLOW_GROUP`) are then
    left out when none of them is among `names` (the others are made in any case), the rest the same."""
    geos, masks = geographies(model)
    ind = stock_indicators(model, out, masks)
    if names is None or not FLOW_GROUP.isdisjoint(names):
        ind |= flow_indicators(model, out, masks)
    return geos, ind | province_indicators(model, out, spend, len(geos))


def stock_indicators(model: Model, out: EngineOutput, masks: np.ndarray) -> dict[str, np.ndarray]:
    """The indicators of the households in each state at each review (`indicator_arrays`)."""
    S = out.states.shape[0]
    cells = by_cell(model, out.states, 2).sum(axis=4)  # (S, Y+1, D, E, K)
    pub = np.zeros((N_STATES, len(PUBLIC_STATES)))
    pub[np.arange(N_STATES), PUBLIC_OF] = 1
    stock = np.einsum("sydek,kp,gde->sygp", cells, pub, masks)  # (S, Y+1, Ngeo, 4)
    ind: dict[str, np.ndarray] = {}
    total = stock.sum(-1)
    ind["households"] = total
    for pi, p in enumerate(PUBLIC_STATES):
        ind[p] = stock[..., pi]
    with np.errstate(invalid="ignore", divide="ignore"):
        ind["poor_rate"] = 100 * stock[..., 0] / total
        ind["near_poor_rate"] = 100 * stock[..., 1] / total
        ind["poor_near_poor_rate"] = 100 * (stock[..., 0] + stock[..., 1]) / total
    nan = np.full((S, 1, len(masks)), np.nan)
    ind["poor_rate_change"] = np.concatenate([nan, np.diff(ind["poor_rate"], axis=1)], axis=1)
    ind["near_poor_rate_change"] = np.concatenate([nan, np.diff(ind["near_poor_rate"], axis=1)], axis=1)
    ind["poor_near_poor_rate_change"] = np.concatenate([nan, np.diff(ind["poor_near_poor_rate"], axis=1)], axis=1)
    return ind


def flow_indicators(model: Model, out: EngineOutput, masks: np.ndarray) -> dict[str, np.ndarray]:
    """The indicators of the flows and entries of each projected year (`indicator_arrays`)."""
    nan = np.full((out.states.shape[0], 1, len(masks)), np.nan)
    ind: dict[str, np.ndarray] = {}
    fcells = by_cell(model, out.flows, 2).sum(axis=4)  # (S, Y, D, E, K, K)
    for cat, name in FLOW_INDICATORS.items():
        sel = np.array([[FLOW_NAME[f][t] == cat for t in range(N_STATES)] for f in range(N_STATES)], float)
        v = np.einsum("sydekl,kl,gde->syg", fcells, sel, masks)
        ind[name] = np.concatenate([nan, v], axis=1)
    ent = by_cell(model, out.entries, 2).sum(axis=4)  # (S, Y, D, E, K)
    ind["new_households"] = np.concatenate([nan, np.einsum("sydek,gde->syg", ent, masks)], axis=1)
    for name, v in review_indicators(fcells, ent, masks).items():
        ind[name] = np.concatenate([nan, v], axis=1)
    return ind


def province_indicators(model: Model, out: EngineOutput, spend: np.ndarray, n_geo: int) -> dict[str, np.ndarray]:
    """The province-level coverage and money indicators (`indicator_arrays`)."""
    S, Y1 = out.states.shape[:2]
    ind: dict[str, np.ndarray] = {}
    prov = np.full((S, Y1, n_geo), np.nan)
    ps = prov.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        ps[:, 1:, 0] = np.minimum(100.0, 100.0 * out.ps_supported / out.ps_wanting)
    ind["production_support_coverage"] = ps
    off = prov.copy()
    cap = model.capacity_units[model.officer_lines].sum()
    if cap > 0:
        off[:, 1:, 0] = 100.0 * out.reached[:, :, model.officer_lines].sum(axis=(2, 3)) / cap
    ind["officers_trained"] = off
    infra = prov.copy()
    spend_year = np.asarray(spend, float)[1:]  # (Y, L, D) money of each year
    got = spend_year[:, model.infra_lines].sum(axis=1) >= model.infra_min_spend  # (Y, D)
    npd = model.poor_district.sum()
    if npd:
        infra[:, 1:, 0] = 100.0 * (got & model.poor_district).sum(axis=1) / npd
    ind["poor_districts_with_infrastructure"] = infra
    sp = prov.copy()
    sp[:, 1:, 0] = spend_year.sum(axis=(1, 2)) / 1e9
    ind["spend"] = sp
    left = prov.copy()
    left[:, 1:, 0] = value_left(model, spend_year).sum(axis=(1, 2)) / 1e9
    ind["value_left"] = left
    return ind


def programme_effect_indicators(
    model: Model, spend: np.ndarray, out: EngineOutput, without: EngineOutput, ind: dict | None = None, ind_cf=None
) -> dict:
    """Households kept out of poverty by the programme (the run `out` with `spend` against the same
    engine and seed with no money, `without`), kept out of poverty and near-poverty, the
    difference — households the programme only reclassified from poor to near-poor (deprivations
    removed, income still under the near-poor line), which the review counts as "thoát nghèo" —
    and the cumulative cost per household lifted out (million VND; NaN where the programme lifted
    nobody), as indicator arrays (S, Y+1, Ngeo). `ind`, `ind_cf`: `indicator_arrays` of `out`
    and of `without` (at least `EFFECT_READS`), when the caller has them."""
    if ind is None:
        ind = indicator_arrays(out, model, spend, EFFECT_READS)[1]
    if ind_cf is None:
        ind_cf = indicator_arrays(without, model, np.zeros_like(spend), EFFECT_READS)[1]
    fewer = ind_cf["poor"] - ind["poor"]
    fewer[:, 0] = np.nan
    fewer_pn = ind_cf["poor"] + ind_cf["near_poor"] - ind["poor"] - ind["near_poor"]
    fewer_pn[:, 0] = np.nan
    cost = np.full_like(fewer, np.nan)
    cum_spend = np.nancumsum(ind["spend"][:, :, 0], axis=1) * 1e3  # million VND
    with np.errstate(divide="ignore", invalid="ignore"):
        c = cum_spend / fewer[:, :, 0]
    c[~np.isfinite(c) | (fewer[:, :, 0] <= 0)] = np.nan
    cost[:, :, 0] = c
    cost[:, 0] = np.nan
    net = np.full_like(fewer, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = (cum_spend - np.nan_to_num(ind["value_left"][:, :, 0]) * 1e3) / fewer[:, :, 0]
    c[~np.isfinite(c) | (fewer[:, :, 0] <= 0)] = np.nan
    net[:, :, 0] = c
    net[:, 0] = np.nan
    return {
        "poor_fewer_than_without_programme": fewer,
        "poor_near_poor_fewer_than_without_programme": fewer_pn,
        "reclassified_by_programme": fewer - fewer_pn,
        "cost_per_household_lifted": cost,
        "cost_per_household_lifted_net": net,
    }


def indicators_table(
    out: EngineOutput,
    model: Model,
    spend: np.ndarray,
    baseline_year: int,
    extra: dict | None = None,
    names: Collection[str] | None = None,
    arrays: tuple | None = None,
) -> pd.DataFrame:
    """The indicators of a run as a long table; only those in `names` when given (the
    workbench's view reads a few and redraws on every change). `arrays`: `indicator_arrays` of
    the run (with at least `names`), when the caller has them."""
    if arrays is None:
        arrays = indicator_arrays(out, model, spend, None if names is None else set(names) - set(extra or {}))
    geos, ind = arrays[0], {**arrays[1], **(extra or {})}
    chosen = {k: v for k, v in ind.items() if names is None or k in names}
    return long_indicators(chosen, out.n_draws, [baseline_year] + list(model.years), geos)


def long_indicators(ind: dict[str, np.ndarray], S: int, years: list, geos: list) -> pd.DataFrame:
    """The long table of indicator arrays `ind` (S, Y+1, Ngeo each, in order; NaN rows left
    out), built from numpy in one piece (`long_columns`): the same table as
    `long_indicators_by_frame`, which takes any other case (an array of another dtype or shape,
    an indicator of no unit)."""
    data = long_columns(ind, S, years, geos)
    return long_indicators_by_frame(ind, S, years, geos) if data is None else pd.DataFrame(data)


def long_columns(ind: dict[str, np.ndarray], S: int, years: list, geos: list) -> dict[str, np.ndarray] | None:
    """The columns of `long_indicators`' table (numpy arrays), None where it takes
    `long_indicators_by_frame`."""
    shape = (S, len(years), len(geos))
    usual = all(
        isinstance(a, np.ndarray) and a.dtype == np.float64 and a.shape == shape and k in INDICATOR_UNITS
        for k, a in ind.items()
    )
    if not ind or not usual:
        return None
    n, k = int(np.prod(shape)), len(ind)
    value = np.concatenate([a.ravel() for a in ind.values()])
    keep = np.flatnonzero(~np.isnan(value))
    g = np.tile(np.arange(len(geos)), S * len(years) * k)[keep]
    label = np.repeat(np.arange(k), n)[keep]
    data = {
        "draw": np.tile(np.repeat(np.arange(S, dtype=np.int64), n // S), k)[keep],
        "year": np.tile(np.repeat(np.asarray(years, dtype=np.int64), len(geos)), S * k)[keep],
        "geo_type": np.array([x[0] for x in geos])[g],
        "geo": np.array([x[1] for x in geos])[g],
        "indicator": np.array(list(ind))[label],
        "value": value[keep],
        "unit": np.array([INDICATOR_UNITS[x] for x in ind])[label],
    }
    return data


def long_indicators_by_frame(ind: dict[str, np.ndarray], S: int, years: list, geos: list) -> pd.DataFrame:
    """`long_indicators`, one long frame per indicator (`simlib.tabulate.long_frame`) joined."""
    frames = []
    for name, arr in ind.items():
        df = long_frame({"draw": range(S), "year": years, "g": range(len(geos))}, arr, "value")
        df["indicator"] = name
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    df = df[df["value"].notna()]
    gt = np.array([g[0] for g in geos])
    gg = np.array([g[1] for g in geos])
    df["geo_type"] = gt[df["g"].to_numpy()]
    df["geo"] = gg[df["g"].to_numpy()]
    df["unit"] = df["indicator"].map(INDICATOR_UNITS)
    return df[["draw", "year", "geo_type", "geo", "indicator", "value", "unit"]].reset_index(drop=True)


def programme_table(out: EngineOutput, model: Model, spend: np.ndarray) -> pd.DataFrame:
    S = out.n_draws
    spend = np.broadcast_to(spend[1:], (S,) + spend[1:].shape)
    idx = {"draw": range(S), "year": model.years, "line": model.line_codes, "district": model.unit_ids}
    df = long_frame(idx, spend, "spend_vnd")
    df["reached"] = out.reached.ravel()
    df["eligible"] = out.eligible.ravel()
    # what each year's money for durable assets is still worth after the horizon
    Y = len(model.years)
    after = spend[0] * survival(model.params.life[None, :, None], (Y - np.arange(Y))[:, None, None])
    df["value_left_after_horizon_vnd"] = np.broadcast_to(after, spend.shape).ravel()
    return df[["draw", "year", "district", "line", "spend_vnd", "reached", "eligible", "value_left_after_horizon_vnd"]]


def make_tables(
    out: EngineOutput,
    model: Model,
    spend: np.ndarray,
    baseline_year: int,
    scenario: str,
    extra_indicators: dict | None = None,
) -> Tables:
    """All tidy tables of a run with spending `spend`, with `scenario` and `engine` columns first."""
    tabs = Tables(
        states=states_table(out, model, baseline_year),
        flows=flows_table(out, model),
        indicators=indicators_table(out, model, spend, baseline_year, extra_indicators),
        programme=programme_table(out, model, spend),
        absorption=absorption_table(out, model, spend, unplaced_money(model) if spend is model.spend else None),
    )
    tabs.review_flows = review_flows_table(tabs.flows)
    for df in (tabs.states, tabs.flows, tabs.indicators, tabs.programme, tabs.review_flows, tabs.absorption):
        df.insert(0, "engine", out.engine)
        df.insert(0, "scenario", scenario)
    return tabs


def states_only(out: EngineOutput, model: Model, baseline_year: int, scenario: str) -> pd.DataFrame:
    """`make_tables(out, model, ..., baseline_year, scenario).states` without the other tables
    (flows, indicators, programme, absorption: what the previous standard's twin is not read by)."""
    states = states_table(out, model, baseline_year)
    states.insert(0, "engine", out.engine)
    states.insert(0, "scenario", scenario)
    return states
