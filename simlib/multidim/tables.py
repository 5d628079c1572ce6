"""Tidy tables of the multidimensional model — the same for both engines.

- deprivations: scenario, engine, draw, year, standard, geo_type, geo, population, dimension,
  indicator, households, deprived, share
    one row per review year, geography (as in the indicators table), population (poor,
    near_poor, poor_near_poor, all) and item: each of the 12 indicators (with its dimension),
    each dimension as a whole (indicator `any`: deprived in at least one of its indicators), and
    dimension `all` / indicator `three_or_more` (at least the standard's minimum number of
    deprivations). `households` is the population's size, `deprived` how many of them are
    deprived, `share` = 100 * deprived / households (percent; NaN for an empty population).
- deprivation_removals: scenario, engine, draw, year, district, line, dimension, indicator,
  households — deprivations removed by each line in each projected year, by the programme's own
  action (the indicators' yearly gain and loss are not counted here).

Extra indicators (long format, added to the indicators table): poverty_gap_index (FGT1) and
poverty_severity_index (FGT2), percent, household-weighted, of max(0, 1 - income/line) with the
line in force at each review and per capita monthly income; income_gap_ratio (mean gap of the
households below the line, percent); income_line_rural / income_line_urban (VND per person per
month) and standard_changed (1 in the first review year of a new standard, else 0), province
rows only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simlib.multidim.model import MultidimModel
from simlib.multidim.output import removal_pairs
from simlib.standards import DIMENSION_OF, DIMENSIONS, INDICATORS
from simlib.states import N_STATES, NEAR_POOR, POOR
from simlib.tabulate import by_cell, geographies, long_frame

if TYPE_CHECKING:  # the engines' output type, for annotations only (engines sit above this layer)
    from simlib.engines.common import EngineOutput

POPULATIONS: dict[str, tuple[int, ...]] = {
    "poor": (POOR,),
    "near_poor": (NEAR_POOR,),
    "poor_near_poor": (POOR, NEAR_POOR),
    "all": tuple(range(N_STATES)),
}
#: (dimension, indicator) of every item of the deprivations table, in order
ITEMS: tuple[tuple[str, str], ...] = (
    tuple((DIMENSION_OF[i], i) for i in INDICATORS)
    + tuple((d, "any") for d in DIMENSIONS)
    + (("all", "three_or_more"),)
)


#: the indicators `multidim_indicators` makes
MULTIDIM_INDICATORS = (
    "poverty_gap_index",
    "poverty_severity_index",
    "income_gap_ratio",
    "income_line_rural",
    "income_line_urban",
    "standard_changed",
)


def _by_geo(model, arr: np.ndarray) -> np.ndarray:
    """(S, T, G, rest...) summed to (S, T, Ngeo, rest...) over the indicator geographies."""
    _, masks = geographies(model)
    cells = by_cell(model, arr, 2).sum(axis=4)  # (S, T, D, E, rest...)
    return np.einsum("sTde...,gde->sTg...", cells, masks)


def multidim_indicators(out: EngineOutput, mm: MultidimModel) -> dict[str, np.ndarray]:
    """Extra indicator arrays (S, Y+1, Ngeo) for `results.indicators_table(extra=...)`."""
    md = out.multidim
    model = mm.base
    geos, _ = geographies(model)
    S, T = out.states.shape[:2]
    n = _by_geo(model, out.states.sum(-1))
    below = _by_geo(model, out.states[..., list(POPULATIONS["poor_near_poor"])].sum(-1))
    f1 = _by_geo(model, md.fgt1.sum(-1))
    f2 = _by_geo(model, md.fgt2.sum(-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        ind = {
            "poverty_gap_index": 100 * f1 / n,
            "poverty_severity_index": 100 * f2 / n,
            "income_gap_ratio": 100 * f1 / below,
        }
    prov = np.full((S, T, len(geos)), np.nan)
    for name, col in (("income_line_rural", 0), ("income_line_urban", 1)):
        a = prov.copy()
        a[:, :, 0] = mm.lines_vnd[:, col]
        ind[name] = a
    changed = prov.copy()
    ids = [s.id for s in mm.review_standard]
    changed[:, 1:, 0] = [float(ids[t] != ids[t - 1]) for t in range(1, T)]
    ind["standard_changed"] = changed
    return ind


def deprivations_table(out: EngineOutput, mm: MultidimModel, scenario: str) -> pd.DataFrame:
    """The tidy deprivations table (see module docstring)."""
    md = out.multidim
    model = mm.base
    geos, _ = geographies(model)
    S, T = out.states.shape[:2]
    # items per (S, T, G, K): 12 indicators, 6 dimensions, >= minimum number of deprivations
    items = np.concatenate([md.deprived, md.dim_deprived, md.multi_deprived[..., None]], axis=-1)  # (S, T, G, K, I)
    pop_sel = np.zeros((N_STATES, len(POPULATIONS)))
    for p, ks in enumerate(POPULATIONS.values()):
        pop_sel[list(ks), p] = 1
    dep = np.einsum("sTgki,kp->sTgpi", items, pop_sel)
    hh = np.einsum("sTgk,kp->sTgp", out.states, pop_sel)
    dep_geo = _by_geo(model, dep)  # (S, T, Ngeo, P, I)
    hh_geo = np.broadcast_to(_by_geo(model, hh)[..., None], dep_geo.shape)
    years = mm.review_years
    df = long_frame(
        {
            "draw": range(S),
            "year": years,
            "g": range(len(geos)),
            "population": list(POPULATIONS),
            "i": range(len(ITEMS)),
        },
        dep_geo,
        "deprived",
    )
    df["households"] = hh_geo.ravel()
    gi, ii = df["g"].to_numpy(), df["i"].to_numpy()
    df["geo_type"] = np.array([g[0] for g in geos])[gi]
    df["geo"] = np.array([g[1] for g in geos])[gi]
    df["dimension"] = np.array([it[0] for it in ITEMS])[ii]
    df["indicator"] = np.array([it[1] for it in ITEMS])[ii]
    std = {y: s.id for y, s in zip(years, mm.review_standard)}
    df["standard"] = df["year"].map(std)
    with np.errstate(invalid="ignore", divide="ignore"):
        df["share"] = 100.0 * df["deprived"] / df["households"].where(df["households"] > 0)
    df.insert(0, "engine", out.engine)
    df.insert(0, "scenario", scenario)
    cols = [
        "scenario",
        "engine",
        "draw",
        "year",
        "standard",
        "geo_type",
        "geo",
        "population",
        "dimension",
        "indicator",
        "households",
        "deprived",
        "share",
    ]
    return df[cols].reset_index(drop=True)


def deprivation_removals_table(out: EngineOutput, mm: MultidimModel, scenario: str) -> pd.DataFrame:
    """Deprivations removed by each line, by year, district and indicator (see module docstring):
    one row per removal pair (`simlib.multidim.output.removal_pairs`; the others are structurally
    zero) and district, by draw, year, line, district and indicator."""
    model = mm.base
    rem = out.multidim.removed  # (S, Y, P, G)
    S, Y, P = rem.shape[:3]
    D = len(model.unit_ids)
    by_unit = np.zeros((S, Y, P, D))
    np.add.at(by_unit, (slice(None), slice(None), slice(None), model.g_unit), rem)
    lines, flags = removal_pairs(mm)
    # a year's rows: each line's pairs (in order) for each district in turn
    _, first, count = np.unique(lines, return_index=True, return_counts=True)
    row_p = np.concatenate([np.tile(np.arange(f, f + c), D) for f, c in zip(first, count)] or [np.zeros(0, int)])
    row_d = np.concatenate([np.repeat(np.arange(D), c) for c in count] or [np.zeros(0, int)])
    R = row_p.size
    df = pd.DataFrame(
        {
            "scenario": scenario,
            "engine": out.engine,
            "draw": np.repeat(np.arange(S), Y * R),
            "year": np.tile(np.repeat(np.asarray(model.years), R), S),
            "district": np.tile(np.asarray(model.unit_ids)[row_d], S * Y),
            "line": np.tile(np.asarray(model.line_codes)[lines[row_p]], S * Y),
            "indicator": np.tile(np.asarray(INDICATORS)[flags[row_p]], S * Y),
            "households": np.clip(by_unit[:, :, row_p, row_d], 0.0, None).ravel(),
        }
    )
    df.insert(6, "dimension", df["indicator"].map(DIMENSION_OF))
    return df
