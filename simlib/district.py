"""Named rules that split each budget line's money across geographic units (districts).

A rule maps a `SplitContext` to shares (lines x units) whose rows add up to 1 (or are all zero
when a line has nobody eligible anywhere). Scenarios choose a default rule and may give a rule
name or an explicit table per line (`budget.district_split`). Register new rules with `@rule`.

Rules: `eligible_households`, `poor_households`, `poor_near_poor_households`, `equal`,
`communes`, `equal_plus_need` (an equal base per poor district plus the rest by need) and
`statutory` (criteria points in the form of Decision 02/2022/QĐ-TTg). The last two read their
coefficients from `params/allocation.yaml` (`district_rules`), each with its source or flagged as
an assumption.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simlib.parameters import load_parameters
from simlib.schema import qv
from simlib.split_names import SPLIT_RULES
from simlib.states import NEAR_POOR, POOR


@dataclass(frozen=True)
class SplitContext:
    """What rules may use, all measured at the baseline (end of the year before the start)."""

    eligible: np.ndarray  # (L, D) eligible households, or officers/communes for enabling lines
    households: np.ndarray  # (D,)
    poor: np.ndarray  # (D,)
    near_poor: np.ndarray  # (D,)
    communes: np.ndarray  # (D,)
    poor_district: np.ndarray  # (D,) bool
    ethnic_minority: np.ndarray | None = None  # (D,) ethnic-minority households
    units: pd.DataFrame | None = field(default=None, compare=False)  # the dataset's units table
    rules: dict | None = field(default=None, compare=False)  # params allocation.district_rules


RULES: dict[str, Callable[[SplitContext], np.ndarray]] = {}


def rule(name: str):
    """Register a district-split rule under `name`, one of `simlib.split_names.SPLIT_RULES` (the
    names a scenario may give, checked by `simlib.budget` without loading the rules)."""
    if name not in SPLIT_RULES:
        raise ValueError(f"split rule {name!r} is not named in simlib.split_names.SPLIT_RULES")

    def deco(fn):
        RULES[name] = fn
        return fn

    return deco


def _normalise(weights: np.ndarray) -> np.ndarray:
    w = np.asarray(weights, float)
    tot = w.sum(axis=-1, keepdims=True)
    return np.divide(w, tot, out=np.zeros_like(w), where=tot > 0)


def _masked(ctx: SplitContext, per_unit: np.ndarray) -> np.ndarray:
    """Per-unit weights, restricted to units where the line has somebody eligible."""
    return _normalise(np.where(ctx.eligible > 0, per_unit[None, :], 0.0))


@rule("eligible_households")
def eligible_households(ctx: SplitContext) -> np.ndarray:
    """In proportion to the households eligible for the line (officers/communes for enabling lines)."""
    return _normalise(ctx.eligible)


@rule("poor_households")
def poor_households(ctx: SplitContext) -> np.ndarray:
    """In proportion to poor households, among units where the line has eligible households."""
    return _masked(ctx, ctx.poor)


@rule("poor_near_poor_households")
def poor_near_poor_households(ctx: SplitContext) -> np.ndarray:
    """In proportion to poor + near-poor households, among eligible units."""
    return _masked(ctx, ctx.poor + ctx.near_poor)


@rule("equal")
def equal(ctx: SplitContext) -> np.ndarray:
    """The same amount for every unit where the line has somebody eligible."""
    return _masked(ctx, np.ones_like(ctx.households, dtype=float))


@rule("communes")
def communes(ctx: SplitContext) -> np.ndarray:
    """In proportion to the number of communes, among eligible units."""
    return _masked(ctx, ctx.communes.astype(float))


MEASURES = (
    "households",
    "ethnic_minority_households",
    "poor_households",
    "near_poor_households",
    "poor_near_poor_households",
    "poor_rate",
    "poor_district",
    "communes",
    "area_km2",
    "border_communes",
)


def measure(ctx: SplitContext, name: str) -> np.ndarray | None:
    """A unit-level measure (D,) used by criteria rules, or None when the dataset lacks it.

    `area_km2` and `border_communes` are optional columns of the dataset's units table.
    """
    if name == "households":
        return np.asarray(ctx.households, float)
    if name == "ethnic_minority_households":
        return None if ctx.ethnic_minority is None else np.asarray(ctx.ethnic_minority, float)
    if name == "poor_households":
        return np.asarray(ctx.poor, float)
    if name == "near_poor_households":
        return np.asarray(ctx.near_poor, float)
    if name == "poor_near_poor_households":
        return np.asarray(ctx.poor, float) + np.asarray(ctx.near_poor, float)
    if name == "poor_rate":
        hh = np.asarray(ctx.households, float)
        return 100.0 * np.divide(ctx.poor, hh, out=np.zeros_like(hh), where=hh > 0)
    if name == "poor_district":
        return np.asarray(ctx.poor_district, float)
    if name == "communes":
        return np.asarray(ctx.communes, float)
    if name in ("area_km2", "border_communes"):
        if ctx.units is None or name not in ctx.units.columns:
            return None
        return pd.to_numeric(ctx.units[name], errors="coerce").fillna(0.0).to_numpy(float)
    raise KeyError(name)


def _rule_params(ctx: SplitContext, name: str) -> dict:
    if ctx.rules is None:
        return load_parameters()["allocation"]["district_rules"][name]
    return ctx.rules[name]


@rule("equal_plus_need")
def equal_plus_need(ctx: SplitContext) -> np.ndarray:
    """Equal per poor district plus remainder by need: `base_share` of each line's money is split
    equally among the poor districts where the line has eligible beneficiaries, the rest in
    proportion to need (`need`, e.g. poor households) among all eligible units. Lines with no
    eligible poor district get everything by need (`params/allocation.yaml`)."""
    par = _rule_params(ctx, "equal_plus_need")
    base = qv(par["base_share"])
    need = _masked(ctx, measure(ctx, par["need"]))
    poor = _masked(ctx, np.asarray(ctx.poor_district, float))
    has_poor = poor.sum(axis=-1, keepdims=True) > 0
    return np.where(has_poor, base * poor + (1.0 - base) * need, need)


def statutory_table(ctx: SplitContext) -> tuple[pd.DataFrame, list[str]]:
    """Points of every unit under each criterion of the statutory rule, and the criteria left out
    because the dataset lacks their measure. Columns: one per criterion id, plus `total`."""
    par = _rule_params(ctx, "statutory")
    cols, missing = {}, []
    for crit in par["criteria"]:
        m = measure(ctx, crit["measure"])
        if m is None:
            missing.append(crit["id"])
            continue
        cols[crit["id"]] = qv(crit["points"]) * m / float(crit["per"])
    table = pd.DataFrame(cols)
    table["total"] = table.sum(axis=1) if cols else 0.0
    return table, missing


@rule("statutory")
def statutory(ctx: SplitContext) -> np.ndarray:
    """Criteria points in the form of Decision 02/2022/QĐ-TTg (coefficients in
    `params/allocation.yaml`, flagged as assumptions): a unit's share of a line is its points
    over the points of all units where the line has eligible beneficiaries."""
    table, _ = statutory_table(ctx)
    return _masked(ctx, table["total"].to_numpy(float))


def split_context(structure, units: pd.DataFrame | None = None, rules: dict | None = None) -> SplitContext:
    """What the rules see of a compiled structure (`simlib.model.Structure`: baseline households by
    group and state, eligibility, capacities): eligible beneficiaries per line and unit, households,
    poor and near-poor households, communes (from the dataset's `units` table) and ethnic-minority
    households. `compile_model` splits the budget with it; reports show a rule's computation."""
    L, D = len(structure.line_codes), len(structure.unit_ids)
    g_unit, n0 = structure.g_unit, structure.n0
    # one bincount for all lines (bin li * D + unit): each bin adds its groups in the same order
    # as a bincount per line would
    weights = (n0[None] * structure.eligible).sum(2)  # (L, G)
    bins = (np.arange(L)[:, None] * D + g_unit[None, :]).ravel()
    elig = np.bincount(bins, weights=weights.ravel(), minlength=L * D).reshape(L, D)
    # household lines: eligible households; items buying no household benefit: the households of
    # their territory (so that their money is split and shown); enabling lines: officers / communes
    by_households = structure.household_line.copy()
    if structure.money_only is not None:
        by_households |= structure.money_only
    elig = np.where(by_households[:, None], elig, structure.capacity_units)
    by_unit = np.stack([np.bincount(g_unit, weights=n0[:, k], minlength=D) for k in range(n0.shape[1])], 1)
    communes = units["communes"].to_numpy(float) if units is not None else np.zeros(D)
    return SplitContext(
        eligible=elig,
        households=by_unit.sum(1),
        poor=by_unit[:, POOR],
        near_poor=by_unit[:, NEAR_POOR],
        communes=communes,
        poor_district=structure.poor_district,
        ethnic_minority=np.bincount(g_unit, weights=n0.sum(1) * (structure.g_eth == 0), minlength=D),
        units=units,
        rules=rules,
    )


def split_matrix(
    ctx: SplitContext, line_codes: tuple[str, ...], unit_ids: tuple[str, ...], per_line: dict, default: str
) -> np.ndarray:
    """Shares (L, D) for every line: its own rule or table, else the default rule."""
    cache: dict[str, np.ndarray] = {}

    def by_rule(name: str) -> np.ndarray:
        if name not in cache:
            cache[name] = RULES[name](ctx)
        return cache[name]

    out = np.empty((len(line_codes), len(unit_ids)))
    for li, code in enumerate(line_codes):
        spec = per_line.get(code, default)
        if isinstance(spec, str):
            out[li] = by_rule(spec)[li]
        else:
            out[li] = [float(spec.get(u, 0.0)) for u in unit_ids]
    return out
