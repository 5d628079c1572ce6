"""Seeded designs over the parameter space and the map from uniforms to parameter values.

A design is an (n, d) array of numbers in (0, 1), one column per uniform dimension of the space
(`ParameterSpace.columns`): Latin hypercube (`lhs`, the default: every parameter's range is covered
evenly for any n), scrambled Sobol (`sobol`, best with n a power of 2) or plain Monte Carlo
(`random`). All come from `scipy.stats.qmc` / numpy with an explicit seed, so the same seed gives
the same draws on every machine.

Each scalar factor maps its uniform through the inverse CDF of its declared distribution, read as
`simlib.distributions` says (uniform, triangular, PERT beta, truncated normal, lognormal, fixed).

A simplex factor (a transition row, entry shares) maps its k uniforms to independent
Gamma(concentration x central share) variables and normalises them: a Dirichlet draw whose mean
is the central vector, so it always lies on the simplex.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from simlib.distributions import EPS, quantity_ppf
from simlib.errors import InputError
from simlib.parameters import ParameterSet
from simlib.uncertainty.samplers import METHODS
from simlib.uncertainty.space import Factor, ParameterSpace
from simlib.uncertainty.validity import repair_transitions

_EPS = EPS


def design(n: int, d: int, method: str = "lhs", seed: int | np.random.SeedSequence = 0) -> np.ndarray:
    """(n, d) seeded points in (0, 1)."""
    if method not in METHODS:
        raise InputError("enum", field="sampler", value=method, allowed=METHODS)
    if n < 1:
        raise InputError("draws", field="uncertainty", value=n)
    rng = np.random.default_rng(seed)
    if d == 0:
        return np.empty((n, 0))
    if method == "lhs":
        u = qmc.LatinHypercube(d, rng=rng).random(n)
    elif method == "sobol":
        eng = qmc.Sobol(d, scramble=True, rng=rng)
        m = int(np.ceil(np.log2(n)))
        u = eng.random_base2(m)[:n]  # balanced for powers of 2; a prefix otherwise
    else:
        u = rng.random((n, d))
    return np.clip(u, _EPS, 1 - _EPS)


def scalar_ppf(f: Factor, u: np.ndarray) -> np.ndarray:
    """Values of scalar factor `f` at uniforms `u` (inverse CDF of its distribution)."""
    return quantity_ppf(f.distribution, f.central[0], f.low, f.high, u, f.bounds, f.name)


def dirichlet_ppf(u: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """(n, k) Dirichlet(alpha) draws from (n, k) uniforms; components with alpha 0 stay 0."""
    u = np.clip(np.asarray(u, float), _EPS, 1 - _EPS)
    alpha = np.asarray(alpha, float)
    g = np.zeros_like(u)
    pos = alpha > 0
    g[:, pos] = stats.gamma.ppf(u[:, pos], alpha[pos])
    total = g.sum(axis=1, keepdims=True)
    return g / total


def simplex_values(f: Factor, u: np.ndarray) -> np.ndarray:
    """Written values (n, len(keys)) of a simplex factor from its (n, k) uniforms."""
    p = dirichlet_ppf(u, f.concentration * np.asarray(f.explicit))
    if f.row == "sequential":  # (up, other, stay) -> up, other given no move up
        up = p[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            cond = np.where(up < 1, p[:, 1] / (1 - up), 0.0)
        return np.column_stack([up, np.clip(cond, 0.0, 1.0)])
    if f.row == "explicit":  # (fall to poor, fall to near-poor, stay)
        return p[:, :2]
    return p  # shares


def values_from_uniforms(space: ParameterSpace, u: np.ndarray) -> np.ndarray:
    """(n, len(space.keys)) parameter values from an (n, space.dims) design, before repair."""
    u = np.atleast_2d(np.asarray(u, float))
    if u.shape[1] != space.dims:
        raise ValueError(f"design has {u.shape[1]} columns, the space {space.dims}")
    out = np.empty((u.shape[0], len(space.keys)))
    for f, uc, vc in zip(space.factors, space.columns(), space.value_columns()):
        if f.distribution == "dirichlet":
            out[:, vc] = simplex_values(f, u[:, uc])
        else:
            out[:, vc] = scalar_ppf(f, u[:, uc.start])[:, None]
    return out


@dataclass
class Sample:
    """Parameter draws: the design, the values written back and which draws were repaired."""

    space: ParameterSpace
    uniforms: np.ndarray  # (n, d)
    values: np.ndarray  # (n, len(keys))
    repaired: np.ndarray  # (n,) bool: transition parameters pulled towards the centre
    method: str = "lhs"
    seed: int = 0

    @property
    def keys(self) -> tuple[str, ...]:
        return self.space.keys

    @property
    def n(self) -> int:
        return self.values.shape[0]

    def frame(self) -> pd.DataFrame:
        """One row per draw, one column per written key (natural units)."""
        df = pd.DataFrame(self.values, columns=list(self.keys))
        df.insert(0, "draw", np.arange(self.n))
        return df


def to_values(space: ParameterSpace, params: ParameterSet, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Valid parameter values from uniforms: mapped, then transition draws repaired."""
    return repair_transitions(space, params, values_from_uniforms(space, u))


def sample(space: ParameterSpace, params: ParameterSet, n: int, method: str = "lhs", seed: int = 0) -> Sample:
    """`n` seeded draws of every uncertain parameter."""
    u = design(n, space.dims, method, seed)
    values, repaired = to_values(space, params, u)
    return Sample(space=space, uniforms=u, values=values, repaired=repaired, method=method, seed=int(seed))
