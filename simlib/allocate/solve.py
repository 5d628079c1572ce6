"""Linear helpers for an allocation `Problem`: a feasible point, the nearest feasible allocation,
feasibility checks, and sources tidied onto as few as possible. The optimum itself is
`simlib.allocate.certify`'s.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from simlib.allocate.problem import Problem
from simlib.scenario import SOURCES

TOL = 1e-5  # relative tolerance of the linear constraints


class Infeasible(Exception):
    """The linear constraints have no solution (the caller says why)."""


def _lp(c, A=None, b=None, bounds=None, A_eq=None, b_eq=None):
    A = None if A is None or len(A) == 0 else A
    return linprog(
        c,
        A_ub=A,
        b_ub=None if A is None else b,
        A_eq=A_eq,
        b_eq=b_eq,
        bounds=bounds if bounds is not None else [(0, None)] * len(c),
        method="highs",
    )


def feasible_point(p: Problem) -> np.ndarray:
    """The cheapest allocation that meets every linear constraint, or `Infeasible`."""
    res = _lp(p.cost_weights.astype(float), p.A, p.b)
    if res.status != 0:
        raise Infeasible()
    return np.maximum(res.x, 0.0)


def concentrated(p: Problem, select: np.ndarray) -> np.ndarray | None:
    """The feasible allocation with the most money on the selected variables (a boolean mask),
    the least elsewhere; None when the rules allow nothing there."""
    c = np.where(select, -1.0, 1e-6) * p.cost_weights
    res = _lp(c, p.A, p.b)
    if res.status != 0 or res.x[select].sum() <= 1e-9:
        return None
    return np.maximum(res.x, 0.0)


def project(p: Problem, x0: np.ndarray) -> np.ndarray:
    """The feasible allocation closest to x0 (least sum of absolute differences)."""
    n = p.n
    c = np.concatenate([np.zeros(n), np.ones(n)])
    eye = np.eye(n)
    A = np.vstack([np.hstack([p.A, np.zeros((len(p.A), n))]), np.hstack([eye, -eye]), np.hstack([-eye, -eye])])
    b = np.concatenate([p.b, x0, -x0])
    res = _lp(c, A, b)
    if res.status != 0:
        raise Infeasible()
    return np.maximum(res.x[:n], 0.0)


def is_feasible(p: Problem, x: np.ndarray, tol: float = TOL) -> bool:
    return bool(np.all(x >= -tol) and np.all(p.A @ x <= p.b + tol * np.maximum(1.0, np.abs(p.b))))


def targets_met(p: Problem, x: np.ndarray) -> bool:
    return not p.target_rows or bool(np.all(p.target_slacks(p.run(x[None]))[0] >= 0))


SOURCE_PREFERENCE = {
    "central_investment": 0.0,
    "central_recurrent": 0.0,
    "local": 1.0,
    "policy_credit": 2.0,
    "mobilised": 3.0,
}


def tidy_sources(p: Problem, x: np.ndarray) -> np.ndarray:
    """The same spending along every direction with the sources reassigned so that each line
    draws on as few sources as possible: central money first, then local counterpart, policy
    credit and mobilised money (a vertex of the linear programme). Only when every source is
    disbursed at the same rate (otherwise the source changes the spending); returns x if the
    reassignment fails."""
    if np.ptp(p.var_disb) > 1e-12 or p.n == 0:
        return x
    K = p.dirs.shape[0]
    A_eq = np.zeros((K, p.n))
    A_eq[p.var_dir, np.arange(p.n)] = 1.0
    w = np.array([SOURCE_PREFERENCE.get(SOURCES[s], 4.0) for s in p.var_source]) * p.cost_weights
    res = _lp(w, p.A, p.b, A_eq=A_eq, b_eq=A_eq @ x)
    if res.status != 0:
        return x
    y = np.maximum(res.x, 0.0)
    return y if is_feasible(p, y) else x
