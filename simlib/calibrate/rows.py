"""Transition rows on the simplex: unconstrained coordinates and the pseudo-count prior density.

The 12 baseline rates of a cell class (`simlib.transitions.RATE_KEYS`) form six rows. Poor and
near-poor rows are *sequential* (move up first; the other move is conditional on no move up), so
each of their two rates is a free probability: its coordinate is a logit. Newly escaped and
non-poor rows have two unconditional exits and a stay: a point of the 3-simplex, whose
coordinates are log-ratios to the stay (softmax). Any real coordinate vector therefore gives a
valid row set, and an optimiser can move freely.

Priors are pseudo-counts: Beta(kappa*p0, kappa*(1-p0)) for a sequential rate, Dirichlet(kappa*row0)
for a simplex row, as if `kappa` household-years had been observed at the prior rates. Written in
the unconstrained coordinates (density times Jacobian), the density is simply
prod p^alpha (no "-1"), so with transition counts n the mode in these coordinates is the
posterior mean (n + kappa*p0) / (N + kappa) — the estimate is the conjugate posterior mean, and
with no data it is exactly the prior.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

#: indices of free (sequential) rates: poor->escaped_1, poor->near_poor | no escape, near_poor->non_poor, near_poor->poor | no exit
SEQ = np.array([0, 1, 2, 3])
#: (to poor, to near_poor) index pairs of the simplex rows escaped_1, escaped_2, escaped_3, non_poor
SIMPLEX = np.array([[4, 5], [6, 7], [8, 9], [10, 11]])
EPS = 1e-12


def rates_from_eta(eta: np.ndarray) -> np.ndarray:
    """Rates (..., 12) from unconstrained coordinates (..., 12)."""
    eta = np.asarray(eta, float)
    out = np.empty_like(eta)
    out[..., SEQ] = expit(eta[..., SEQ])
    a, b = eta[..., SIMPLEX[:, 0]], eta[..., SIMPLEX[:, 1]]
    top = np.maximum(np.maximum(a, b), 0.0)
    ea, eb, e0 = np.exp(a - top), np.exp(b - top), np.exp(-top)
    z = ea + eb + e0
    out[..., SIMPLEX[:, 0]] = ea / z
    out[..., SIMPLEX[:, 1]] = eb / z
    return out


def stay_of_simplex(rates: np.ndarray) -> np.ndarray:
    """Probability of the third outcome (the stay / ageing) of each simplex row (..., 4)."""
    return 1.0 - rates[..., SIMPLEX[:, 0]] - rates[..., SIMPLEX[:, 1]]


def eta_from_rates(rates: np.ndarray) -> np.ndarray:
    """Unconstrained coordinates of valid rates (..., 12); the inverse of `rates_from_eta`."""
    r = np.clip(np.asarray(rates, float), EPS, 1 - EPS)
    out = np.empty_like(r)
    out[..., SEQ] = logit(r[..., SEQ])
    stay = np.clip(stay_of_simplex(r), EPS, 1.0)
    out[..., SIMPLEX[:, 0]] = np.log(r[..., SIMPLEX[:, 0]] / stay)
    out[..., SIMPLEX[:, 1]] = np.log(r[..., SIMPLEX[:, 1]] / stay)
    return out


def dirichlet_alphas(rates0: np.ndarray, kappa: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prior concentrations from prior rates (..., 12) and pseudo-counts (..., 12).

    Returns alpha (..., 12) — Beta alpha for sequential rates, Dirichlet alpha for the two exits
    of simplex rows — and beta (..., 12): Beta beta for sequential rates; for simplex rows the
    stay's Dirichlet alpha, stored at the row's first index (the second is unused, zero). A
    simplex row uses the smaller pseudo-count of its two rates (the weaker of the two priors).
    """
    r0, k = np.asarray(rates0, float), np.asarray(kappa, float)
    alpha = np.zeros(np.broadcast_shapes(r0.shape, k.shape))
    beta = np.zeros_like(alpha)
    alpha[..., SEQ] = k[..., SEQ] * r0[..., SEQ]
    beta[..., SEQ] = k[..., SEQ] * (1 - r0[..., SEQ])
    krow = np.minimum(k[..., SIMPLEX[:, 0]], k[..., SIMPLEX[:, 1]])
    alpha[..., SIMPLEX[:, 0]] = krow * r0[..., SIMPLEX[:, 0]]
    alpha[..., SIMPLEX[:, 1]] = krow * r0[..., SIMPLEX[:, 1]]
    beta[..., SIMPLEX[:, 0]] = krow * stay_of_simplex(r0)
    return alpha, beta


def log_prior(rates: np.ndarray, alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Log prior density (up to a constant) in unconstrained coordinates of rates (..., 12),
    summed over the last axis: shape (...)."""
    r = np.clip(rates, EPS, 1 - EPS)
    lp = (alpha[..., SEQ] * np.log(r[..., SEQ]) + beta[..., SEQ] * np.log1p(-r[..., SEQ])).sum(axis=-1)
    stay = np.clip(stay_of_simplex(r), EPS, 1.0)
    lp = lp + (alpha[..., SIMPLEX[:, 0]] * np.log(r[..., SIMPLEX[:, 0]])).sum(axis=-1)
    lp = lp + (alpha[..., SIMPLEX[:, 1]] * np.log(r[..., SIMPLEX[:, 1]])).sum(axis=-1)
    lp = lp + (beta[..., SIMPLEX[:, 0]] * np.log(stay)).sum(axis=-1)
    return lp


def conjugate_posterior(counts: np.ndarray, alpha: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior parameters of the conjugate update from transition counts.

    counts (..., 12, 2) hold, per rate, (successes, failures): for a sequential rate the households
    that made the move and those at risk that did not; for a simplex row, at the first index
    (to poor, stay) and at the second (to near-poor, unused). Returns (alpha', beta') as in
    `dirichlet_alphas`; the posterior mean of a sequential rate is alpha'/(alpha'+beta'), of a
    simplex exit alpha'_j / (alpha'_r + alpha'_q + stay').
    """
    a, b = alpha.copy(), beta.copy()
    a += counts[..., 0]
    b += counts[..., 1]
    return a, b


def posterior_mean(alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Mean rates (..., 12) of Beta / Dirichlet parameters laid out as in `dirichlet_alphas`."""
    out = np.empty(alpha.shape)
    out[..., SEQ] = alpha[..., SEQ] / (alpha[..., SEQ] + beta[..., SEQ])
    tot = alpha[..., SIMPLEX[:, 0]] + alpha[..., SIMPLEX[:, 1]] + beta[..., SIMPLEX[:, 0]]
    out[..., SIMPLEX[:, 0]] = alpha[..., SIMPLEX[:, 0]] / tot
    out[..., SIMPLEX[:, 1]] = alpha[..., SIMPLEX[:, 1]] / tot
    return out


def posterior_draws(alpha: np.ndarray, beta: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n draws (n, ..., 12) from independent Beta (sequential) and Dirichlet (simplex) posteriors."""
    shape = (n,) + alpha.shape
    out = np.empty(shape)
    out[..., SEQ] = rng.beta(
        np.broadcast_to(alpha[..., SEQ], shape[:-1] + (4,)), np.broadcast_to(beta[..., SEQ], shape[:-1] + (4,))
    )
    g = [
        rng.gamma(np.broadcast_to(x, shape[:-1] + (4,)))
        for x in (alpha[..., SIMPLEX[:, 0]], alpha[..., SIMPLEX[:, 1]], beta[..., SIMPLEX[:, 0]])
    ]
    tot = g[0] + g[1] + g[2]
    out[..., SIMPLEX[:, 0]] = g[0] / tot
    out[..., SIMPLEX[:, 1]] = g[1] / tot
    return out
