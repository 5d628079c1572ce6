"""How the rates of the 8 cell classes are parametrised in a fit.

- `Parametric` — the structure of `params/transitions.yaml`: 12 reference rates (reference cell
  class) times relative-risk modifiers (upward, downward) per modifier; optionally one programme
  effect multiplier (all line effects times lambda). 12 + 2M (+1) unconstrained coordinates. What
  aggregate counts can identify; written back as `reference` + `modifiers`.
- `PerClass` — the 12 rates of one class, free (household-level data; written under `cells`).

Both give the log prior density in their coordinates; `laplace_prior_sd` is the prior sd of
each coordinate under the same (Laplace) approximation a fit uses, so a fit can say how much the
data taught it about each parameter (`data_weight` = 1 - posterior var / prior var: 0 = the prior
alone, 1 = the data alone).
"""

from __future__ import annotations

import numpy as np
from scipy.special import polygamma

from simlib.calibrate.fit import fd_hessian, positive_definite
from simlib.calibrate.prior import EFFECT_LOG_SD, Prior
from simlib.calibrate.rows import SEQ, SIMPLEX, dirichlet_alphas, eta_from_rates, log_prior, rates_from_eta
from simlib.transitions import RATE_KEYS

RATE_NAMES = tuple(f"{f}.{t}" for f, t in RATE_KEYS)
_TOP = 1 - 1e-9


def coordinate_prior_sd(alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Prior sd (12,) of the unconstrained coordinates: logit of a Beta(alpha, beta), or the
    log-ratio of a Dirichlet exit to the stay — both sqrt(trigamma(a) + trigamma(b))."""
    sd = np.empty(alpha.shape)
    sd[SEQ] = np.sqrt(polygamma(1, alpha[SEQ]) + polygamma(1, beta[SEQ]))
    stay = beta[SIMPLEX[:, 0]]
    sd[SIMPLEX[:, 0]] = np.sqrt(polygamma(1, alpha[SIMPLEX[:, 0]]) + polygamma(1, stay))
    sd[SIMPLEX[:, 1]] = np.sqrt(polygamma(1, alpha[SIMPLEX[:, 1]]) + polygamma(1, stay))
    return sd


def make_valid(R: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rates (n, ..., 12) pushed back inside their rows' simplex, and a penalty (n,) for how far
    they were out (relative risks can push a reference rate above 1 for some class)."""
    R = R.copy()
    over = np.maximum(R[..., SEQ] - _TOP, 0.0)
    R[..., SEQ] = np.minimum(R[..., SEQ], _TOP)
    tot = R[..., SIMPLEX[:, 0]] + R[..., SIMPLEX[:, 1]]
    over_row = np.maximum(tot - _TOP, 0.0)
    shrink = np.where(tot > _TOP, _TOP / np.maximum(tot, 1e-300), 1.0)
    R[..., SIMPLEX[:, 0]] *= shrink
    R[..., SIMPLEX[:, 1]] *= shrink
    axes = tuple(range(1, R.ndim))
    return R, 1e6 * ((over**2).sum(axis=axes) + (over_row**2).sum(axis=axes))


class Parametric:
    """Reference rates x modifiers (x programme effect multiplier)."""

    kind = "parametric"

    def __init__(self, prior: Prior, with_lambda: bool = False):
        self.prior = prior
        self.M = len(prior.mod_names)
        self.with_lambda = with_lambda
        self.alpha, self.beta = dirichlet_alphas(prior.ref, prior.ref_kappa)
        self.lam_sd = EFFECT_LOG_SD / np.sqrt(prior.scale)
        self.names = (
            tuple(f"reference.{n}" for n in RATE_NAMES)
            + tuple(f"modifiers.{m}.upward" for m in prior.mod_names)
            + tuple(f"modifiers.{m}.downward" for m in prior.mod_names)
            + (("effect_multiplier",) if with_lambda else ())
        )

    @property
    def size(self) -> int:
        return 12 + 2 * self.M + int(self.with_lambda)

    def theta0(self) -> np.ndarray:
        parts = [eta_from_rates(self.prior.ref), self.prior.mod_log0[:, 0], self.prior.mod_log0[:, 1]]
        if self.with_lambda:
            parts.append(np.zeros(1))
        return np.concatenate(parts)

    def split(self, theta: np.ndarray):
        """Reference rates (n, 12), log modifiers (n, M, 2), multipliers (n,) of coordinates (n, P)."""
        ref = rates_from_eta(theta[:, :12])
        lm = np.stack([theta[:, 12 : 12 + self.M], theta[:, 12 + self.M : 12 + 2 * self.M]], axis=2)
        lam = np.exp(theta[:, -1]) if self.with_lambda else np.ones(len(theta))
        return ref, lm, lam

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Class rates (n, 8, 12), effect multipliers (n,), validity penalties (n,) of (n, P)."""
        ref, lm, lam = self.split(theta)
        R, pen = make_valid(ref[:, None, :] * self.prior.class_multipliers(lm))
        return R, lam, pen

    def log_prior(self, theta: np.ndarray) -> np.ndarray:
        """(n,) log prior densities of coordinates (n, P)."""
        ref, lm, lam = self.split(theta)
        lp = log_prior(ref, self.alpha, self.beta)
        lp = lp - 0.5 * (((lm - self.prior.mod_log0) / self.prior.mod_sd) ** 2).sum(axis=(1, 2))
        if self.with_lambda:
            lp = lp - 0.5 * (theta[:, -1] / self.lam_sd) ** 2
        return lp


class PerClass:
    """The 12 free rates of one cell class, with the class's prior rates as pseudo-counts."""

    kind = "per_class"

    def __init__(self, prior: Prior, klass: int):
        self.prior = prior
        self.klass = klass
        self.alpha, self.beta = dirichlet_alphas(prior.class_rates[klass], prior.class_kappa[klass])
        self.names = RATE_NAMES
        self.with_lambda = False

    size = 12

    def theta0(self) -> np.ndarray:
        return eta_from_rates(self.prior.class_rates[self.klass])

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rates (n, 12), multipliers (n,) = 1, penalties (n,) = 0 of coordinates (n, 12)."""
        return rates_from_eta(theta), np.ones(len(theta)), np.zeros(len(theta))

    def log_prior(self, theta: np.ndarray) -> np.ndarray:
        return log_prior(rates_from_eta(theta), self.alpha, self.beta)


def laplace_prior_sd(model) -> np.ndarray:
    """Prior sd of every coordinate by the Laplace approximation at the prior mode (comparable
    with a fit's Laplace posterior sd)."""
    H = fd_hessian(lambda X: -model.log_prior(X), model.theta0())
    return np.sqrt(np.diag(np.linalg.inv(positive_definite(H))))
