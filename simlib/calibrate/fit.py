"""Posterior mode and Laplace approximation, for the estimates that have no closed form.

`fit_map` minimises a negative log posterior over unconstrained coordinates (L-BFGS, then a few
Newton steps on a finite-difference Hessian so the mode is precise), and returns the mode with
the inverse Hessian as its covariance. `laplace_draws` samples coordinates from that normal;
transformed back, every draw is a valid set of transition rows (see `rows`).

Objectives are *batched*: they take a stack of coordinate vectors (n, P) and return (n,) values,
so the 2P points of a gradient, or the ~2P^2 points of a Hessian, are evaluated in one vectorised
call (the aggregate filter runs all of them through each year at once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

Batch = Callable[[np.ndarray], np.ndarray]
CHUNK = 256


@dataclass
class MapResult:
    theta: np.ndarray
    cov: np.ndarray
    value: float  # negative log posterior at the mode
    converged: bool
    iterations: int


def _eval(f: Batch, X: np.ndarray) -> np.ndarray:
    return np.concatenate([np.asarray(f(X[i : i + CHUNK]), float) for i in range(0, len(X), CHUNK)])


def fd_grad(f: Batch, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a batched function at x."""
    E = np.eye(x.size) * h
    v = _eval(f, np.concatenate([x + E, x - E]))
    return (v[: x.size] - v[x.size :]) / (2 * h)


def fd_hessian(f: Batch, x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of a batched function at x (symmetric)."""
    n = x.size
    E = np.eye(n) * h
    iu, ju = np.tril_indices(n, -1)
    pts = [x[None], x + E, x - E, x + E[iu] + E[ju], x + E[iu] - E[ju], x - E[iu] + E[ju], x - E[iu] - E[ju]]
    v = _eval(f, np.concatenate(pts))
    f0, fp, fm = v[0], v[1 : n + 1], v[n + 1 : 2 * n + 1]
    m = len(iu)
    a, b, c, d = (v[2 * n + 1 + k * m : 2 * n + 1 + (k + 1) * m] for k in range(4))
    H = np.empty((n, n))
    H[np.arange(n), np.arange(n)] = (fp - 2 * f0 + fm) / h**2
    H[iu, ju] = H[ju, iu] = (a - b - c + d) / (4 * h**2)
    return H


def positive_definite(H: np.ndarray) -> np.ndarray:
    w, V = np.linalg.eigh((H + H.T) / 2)
    floor = max(w.max(), 1.0) * 1e-10
    return (V * np.maximum(w, floor)) @ V.T


def fit_map(neg_log_post: Batch, x0: np.ndarray, scale: float = 1.0, newton_steps: int = 6) -> MapResult:
    """Mode of a posterior given its batched negative log density; `scale` (e.g. household-years)
    only conditions the optimisation, the result does not depend on it."""
    s = max(float(scale), 1.0)

    def fb(X):
        return np.asarray(neg_log_post(X), float) / s

    def f1(x):
        return float(fb(x[None])[0])

    res = minimize(
        f1,
        np.asarray(x0, float),
        jac=lambda x: fd_grad(fb, x),
        method="L-BFGS-B",
        options={"maxiter": 3000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 30},
    )
    x, fx = res.x, float(res.fun)
    H = fd_hessian(fb, x)
    for _ in range(newton_steps):
        g = fd_grad(fb, x)
        dx = -np.linalg.solve(positive_definite(H), g)
        if np.abs(dx).max() < 1e-9:
            break
        t, moved = 1.0, False
        while t > 1e-4:
            fn = f1(x + t * dx)
            if fn <= fx + 1e-4 * t * (g @ dx):
                x, fx, moved = x + t * dx, fn, True
                break
            t /= 2
        if not moved:
            break
        H = fd_hessian(fb, x)
    cov = np.linalg.inv(positive_definite(H)) / s
    return MapResult(theta=x, cov=(cov + cov.T) / 2, value=fx * s, converged=bool(res.success), iterations=int(res.nit))


def laplace_draws(res: MapResult, n: int, rng: np.random.Generator) -> np.ndarray:
    """n draws (n, P) of the coordinates from N(mode, covariance)."""
    w, V = np.linalg.eigh(res.cov)
    L = V * np.sqrt(np.maximum(w, 0.0))
    return res.theta[None, :] + rng.standard_normal((n, res.theta.size)) @ L.T
