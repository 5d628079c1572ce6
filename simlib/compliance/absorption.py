"""Absorption: how much of each item's money can reach anyone.

An item's money in a unit buys at most `capacity = eligible × take-up ceiling × unit cost ×
(1 + cost_rise / 2)` (households eligible for the line — or officers / communes for enabling
lines — times the share that would take part, times the cost per beneficiary: the model's unit
cost, which equals the legal norm where one exists, P5, rising with the share of the pool reached,
`simlib.engines.reach.money_to_reach`). The money a run's beneficiaries cost is usable (for an area
line, in the pool its standing works leave); money beyond it reaches no one: it is **unallocatable** (vốn
không phân bổ được). Money an item's split cannot place in any unit (no unit with anybody
eligible) is unallocatable too (district left empty). Items that buy no household benefit in the
model (`population: none`: facilities, information systems, maintenance, repairs, …) are not
unallocatable: their money is shown as **no household effect** (by design).

- `absorption_capacity(model, eligible=None)` — (L, D) VND a year per item and unit, for the
  optimiser (at the baseline's eligible counts unless other counts are given, e.g. a run's
  `EngineOutput.eligible`); 0 for items that buy no household benefit.
- `absorption_table(out, model, spend)` — after a run: per draw, acting year, item and unit, the
  money acting that year (spent `lag` years earlier), capacity, usable and unallocatable money;
  `absorption_totals(table)` — the totals a manifest records. Money spent in the last years that
  acts after the horizon (lagged lines) is not assessed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.district import split_context
from simlib.engines.reach import acting_spend, beneficiary_money, lag_index

ROLES = ("household", "enabling", "none")
COLUMNS = (
    "draw",
    "year",
    "spend_year",
    "district",
    "line",
    "content",
    "role",
    "spend_vnd",
    "capacity_vnd",
    "usable_vnd",
    "unallocatable_vnd",
    "no_household_effect_vnd",
)


def roles(structure) -> np.ndarray:
    """(L,) role of each item: household (buys households), enabling (officers, communes) or none."""
    money_only = structure.money_only if structure.money_only is not None else np.zeros_like(structure.household_line)
    return np.where(structure.household_line, "household", np.where(money_only, "none", "enabling"))


def absorption_capacity(model, eligible: np.ndarray | None = None) -> np.ndarray:
    """VND a year each item can deliver in each unit (..., L, D): eligible beneficiaries (default:
    at the baseline; or `eligible` (..., L, D), e.g. a run's per-year counts) × take-up ceiling ×
    unit cost; 0 for items that buy no household benefit."""
    s, p = model.structure, model.params
    if eligible is None:
        eligible = split_context(s).eligible
    none = roles(s) == "none"
    cap = np.asarray(eligible, float) * (p.max_share * p.unit_cost * (1.0 + p.cost_rise / 2.0))[:, None]
    return np.where(none[:, None], 0.0, cap)


def unplaced_money(model) -> np.ndarray:
    """(Y+1, L) VND of each item's money that its split places in no unit (no unit has anybody
    eligible), after disbursement."""
    lev = model.levers
    planned = np.einsum("yls,s->yl", lev.amounts, model.params.disbursement)
    return planned * (lev.split.sum(axis=1) < 1e-12)[None, :]


def absorption_arrays(out, model, spend: np.ndarray, unplaced: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Arrays (S, Y, L, D) of money acting each projected year, capacity, usable, unallocatable and
    no-household-effect money; `unplaced` (Y+1, L) money placed in no unit (then (S, Y, L, 1) extra)."""
    role = roles(model.structure)
    acting = np.broadcast_to(acting_spend(model, np.asarray(spend, float)), out.reached.shape)
    capacity = absorption_capacity(model, out.eligible)
    usable = np.minimum(beneficiary_money(model, out.reached, out.eligible), acting)
    usable = np.where((role == "none")[:, None], 0.0, usable)
    unalloc = np.maximum(acting - usable, 0.0)
    unalloc = np.where((role == "none")[:, None] | (unalloc < 1.0), 0.0, unalloc)  # below 1 VND: rounding
    no_effect = np.where((role == "none")[:, None], acting, 0.0)
    arrays = {"spend": acting, "capacity": capacity, "usable": usable, "unallocatable": unalloc, "no_effect": no_effect}
    if unplaced is not None:
        lost = np.broadcast_to(acting_spend(model, unplaced[:, :, None]), out.reached.shape[:3] + (1,))
        arrays["unplaced"] = lost
    return arrays


def _frame(arrays: dict, model, key_unplaced: bool) -> pd.DataFrame:
    S, Y, L, D = arrays["spend"].shape
    s, y, li, d = (x.ravel() for x in np.indices((S, Y, L, D)))
    df = pd.DataFrame(
        {
            "draw": s,
            "y": y,
            "li": li,
            "district": np.asarray(model.unit_ids, dtype=object)[d],
            "spend_vnd": arrays["spend"].ravel(),
            "capacity_vnd": arrays["capacity"].ravel(),
            "usable_vnd": arrays["usable"].ravel(),
            "unallocatable_vnd": arrays["unallocatable"].ravel(),
            "no_household_effect_vnd": arrays["no_effect"].ravel(),
        }
    )
    if key_unplaced:
        lost = arrays["unplaced"]
        s, y, li = (x.ravel() for x in np.indices(lost.shape[:3]))
        role_none = (roles(model.structure) == "none")[li]
        v = lost.ravel()
        extra = pd.DataFrame(
            {
                "draw": s,
                "y": y,
                "li": li,
                "district": "",
                "spend_vnd": v,
                "capacity_vnd": 0.0,
                "usable_vnd": 0.0,
                "unallocatable_vnd": np.where(role_none, 0.0, v),
                "no_household_effect_vnd": np.where(role_none, v, 0.0),
            }
        )
        df = pd.concat([df, extra], ignore_index=True)
    return df[df["spend_vnd"] > 0.5]


def absorption_table(out, model, spend: np.ndarray, unplaced: np.ndarray | None = None) -> pd.DataFrame:
    """The absorption table of a run (columns `COLUMNS`; see the module docstring)."""
    arrays = absorption_arrays(out, model, spend, unplaced)
    df = _frame(arrays, model, unplaced is not None)
    year_idx, _, _ = lag_index(model)  # (Y, L): index of the spending year (0 = the year before the start)
    years = np.asarray(model.years)
    all_years = np.concatenate([[years[0] - 1], years])
    codes = np.asarray(model.line_codes, dtype=object)
    contents = np.asarray(model_contents(model), dtype=object)
    df["year"] = years[df["y"].to_numpy()]
    df["spend_year"] = all_years[year_idx[df["y"].to_numpy(), df["li"].to_numpy()]]
    df["line"] = codes[df["li"].to_numpy()]
    df["content"] = contents[df["li"].to_numpy()]
    df["role"] = roles(model.structure)[df["li"].to_numpy()]
    return df.sort_values(["draw", "year", "li", "district"], kind="stable")[list(COLUMNS)].reset_index(drop=True)


def model_contents(model) -> tuple[str, ...]:
    """The content each item of a compiled model carries (its code where unknown)."""
    return model.structure.line_contents or model.line_codes


def absorption_totals(table: pd.DataFrame) -> dict:
    """Totals over the table, mean over draws, in billion VND: money acting in the projected years,
    unallocatable money, money with no household effect, and unallocatable money by line."""
    n = max(int(table["draw"].nunique()), 1) if len(table) else 1
    sums = table[["spend_vnd", "unallocatable_vnd", "no_household_effect_vnd"]].sum() / n / 1e9
    by_line = table.groupby("line", sort=False)["unallocatable_vnd"].sum() / n / 1e9
    by_year = table.groupby("year")[["spend_vnd", "unallocatable_vnd", "no_household_effect_vnd"]].sum() / n / 1e9
    return {
        "unit": "billion VND",
        "spend": round(float(sums["spend_vnd"]), 6),
        "unallocatable": round(float(sums["unallocatable_vnd"]), 6),
        "no_household_effect": round(float(sums["no_household_effect_vnd"]), 6),
        "unallocatable_by_line": {k: round(float(v), 6) for k, v in by_line.items() if v > 1e-9},
        "by_year": {
            str(y): {k.removesuffix("_vnd"): round(float(v), 6) for k, v in row.items()}
            for y, row in by_year.iterrows()
        },
    }
