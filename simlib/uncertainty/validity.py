"""Validity of sampled transition parameters: which draws leave a baseline rate outside [0, 1]
(after relative-risk modifiers) or let a row's explicit falls add up to more than 1, and their
repair towards the central values."""

from __future__ import annotations

import numpy as np

from simlib.parameters import ParameterSet
from simlib.transitions import CELL_CLASSES, RATE_KEYS, UPWARD
from simlib.uncertainty.space import EXPLICIT_ROWS, ParameterSpace


def _column_getter(space: ParameterSpace, params: ParameterSet, values: np.ndarray):
    index = {k: i for i, k in enumerate(space.keys)}

    def get(key: str) -> np.ndarray:
        if key in index:
            return values[:, index[key]]
        return np.full(values.shape[0], params.value(key))

    return get


def transition_violations(space: ParameterSpace, params: ParameterSet, values: np.ndarray) -> np.ndarray:
    """(n,) bool: draws whose baseline rates leave [0, 1] in some cell class after relative-risk
    modifiers, or whose explicit falls add up to more than 1 (the core's validation rules)."""
    get = _column_getter(space, params, values)
    n = values.shape[0]
    bad = np.zeros(n, bool)
    for cls in CELL_CLASSES:
        up = np.ones(n)
        down = np.ones(n)
        for i, cond in enumerate(space.modifiers):
            if all(cls.get(k) == v for k, v in cond.items()):
                up = up * get(f"transitions.modifiers.{i}.upward")
                down = down * get(f"transitions.modifiers.{i}.downward")
        rates = {
            (f, t): get(f"transitions.reference.{f}.{t}") * (up if (f, t) in UPWARD else down) for f, t in RATE_KEYS
        }
        for p in rates.values():
            bad |= (p < 0) | (p > 1)
        for state in EXPLICIT_ROWS:
            bad |= rates[(state, "poor")] + rates[(state, "near_poor")] > 1 + 1e-12
    return bad


def repair_transitions(
    space: ParameterSpace, params: ParameterSet, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pull the transition parameters (rows and modifiers) of invalid draws towards their central
    values, just enough to make them valid. A convex combination of two valid rows is valid, so
    this keeps every row summing to 1. Returns (values, repaired (n,) bool)."""
    bad = transition_violations(space, params, values)
    if not bad.any():
        return values, bad
    values = values.copy()
    cols = [
        i
        for f, sl in zip(space.factors, space.value_columns())
        if f.kind == "transition"
        for i in range(sl.start, sl.stop)
    ]
    centre = space.central[cols]
    shrink = np.linspace(1.0, 0.0, 41)[1:]  # candidate weights of the draw, largest first
    for r in np.flatnonzero(bad):
        trial = np.repeat(values[r : r + 1], len(shrink), axis=0)
        trial[:, cols] = centre + shrink[:, None] * (values[r, cols] - centre)
        ok = np.flatnonzero(~transition_violations(space, params, trial))
        values[r] = trial[ok[0]] if ok.size else trial[-1]
    return values, bad
