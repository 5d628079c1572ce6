"""Named rules that split each budget line's money across geographic units (districts).

A rule maps a `SplitContext` to shares (lines x units) whose rows add up to 1 (or are all zero
when a line has nobody eligible anywhere). Scenarios choose a default rule and may give a rule
name or an explicit table per line (`budget.district_split`). Register new rules with `@rule`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class SplitContext:
    """What rules may use, all measured at the baseline (end of the year before the start)."""

    eligible: np.ndarray  # (L, D) eligible households, or officers/communes for enabling lines
    households: np.ndarray  # (D,)
    poor: np.ndarray  # (D,)
    near_poor: np.ndarray  # (D,)
    communes: np.ndarray  # (D,)
    poor_district: np.ndarray  # (D,) bool


RULES: dict[str, Callable[[SplitContext], np.ndarray]] = {}


def rule(name: str):
    """Register a district-split rule under `name`."""

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


def split_matrix(ctx: SplitContext, line_codes: tuple[str, ...], unit_ids: tuple[str, ...],
                 per_line: dict, default: str) -> np.ndarray:
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
