"""The aggregate path: baseline rates from annual-review counts of poor and near-poor households.

Counts by cell (or district, or area) and year do not say who moved where, only how many were in
each state. The model explains them one year at a time: the start-of-year stock of every cell
(6 detailed states), times that cell's transition matrix (baseline rates x the programme's
factors for that year, `simlib.transitions.transition_matrix`), plus new households, predicts
next year's counts. The quasi-likelihood is multinomial in the observed categories of each
observation unit (poor, near-poor if given, newly escaped if given, the rest) and binomial in
any flow counts given (escapes, relapses, new poor, ...). The multinomial is conservative: the
stock at t+1 is a sum of independent multinomials (one per origin state), whose variance is
smaller. When both stocks and flows are given, they are treated as independent pieces of
evidence, which makes the standard errors somewhat optimistic.

The stock in states the data do not separate (escaped cohorts; near-poor if not reported) is
filled in by the model: at the first year from a composition (the template dataset), later by
the model's own prediction, raked so every observed total is met exactly ("filtering").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.calibrate.exposure import Exposure, programme_factors
from simlib.calibrate.fit import fit_map, laplace_draws
from simlib.calibrate.panel import ESC_OBS, FLOW_COLUMNS, HH, NEAR_OBS, POOR_OBS, AggregatePanel
from simlib.calibrate.prior import N_CLASSES
from simlib.calibrate.result import Calibration
from simlib.calibrate.structure import Parametric, laplace_prior_sd
from simlib.errors import InputError
from simlib.results import FLOW_INDICATORS
from simlib.states import ESCAPED, FLOW_NAME, N_STATES, NEAR_POOR, POOR
from simlib.transitions import transition_matrix

K = N_STATES
#: observed categories of a stock: poor, near-poor, newly escaped, the rest
CATEGORIES = ("poor", "near_poor", "escaped", "rest")
_CAT_OF_FLOW = {v: k for k, v in FLOW_INDICATORS.items()}
#: (F, K, K) which moves each flow column counts; (F, K) which states it starts from
FLOW_SEL = np.array(
    [[[FLOW_NAME[k][j] == _CAT_OF_FLOW[f] for j in range(K)] for k in range(K)] for f in FLOW_COLUMNS], float
)
FLOW_ORIGIN = FLOW_SEL.max(axis=2)


def groups(obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Observed categories of each state (O, K) and their totals (O, 4) from stock rows (O, 4).

    A state belongs to 'near_poor' / 'escaped' only where that count is given; otherwise to 'rest'
    (households minus the given counts)."""
    O = obs.shape[0]  # noqa: E741 - O/I: the shape letters of the docstrings
    grp = np.full((O, K), 3)
    grp[:, POOR] = 0
    near = ~np.isnan(obs[:, NEAR_OBS])
    esc = ~np.isnan(obs[:, ESC_OBS])
    grp[near, NEAR_POOR] = 1
    grp[np.ix_(esc, np.array(ESCAPED))] = 2
    target = np.zeros((O, 4))
    target[:, 0] = obs[:, POOR_OBS]
    target[:, 1] = np.where(near, obs[:, NEAR_OBS], 0.0)
    target[:, 2] = np.where(esc, obs[:, ESC_OBS], 0.0)
    target[:, 3] = obs[:, HH] - target[:, :3].sum(axis=1)
    return grp, target


class Prepared:
    """What the filter needs from a panel, computed once: per review year the observed category
    of every (cell, state) as an index into (O, 4), the observed totals (O, 4), and the membership
    matrix A (O, C)."""

    def __init__(self, panel: AggregatePanel):
        self.panel = panel
        O, C = panel.n_obs, len(panel.cells)  # noqa: E741 - O/I: the shape letters of the docstrings
        self.A = np.zeros((O, C))
        self.A[panel.member, np.arange(C)] = 1.0
        self.index, self.target = [], []
        for t in range(len(panel.years)):
            grp, target = groups(panel.stock[t])
            self.index.append((panel.member[:, None] * 4 + grp[panel.member]).ravel())  # (C*K,)
            self.target.append(target)
        self.flow_have = [np.isfinite(panel.flows[t]) for t in range(len(panel.years))]

    def sums(self, x: np.ndarray, t: int) -> np.ndarray:
        """(S, O, 4) observed-category sums of x (S, C, K) at review t (a batched bincount)."""
        S, n = x.shape[0], self.panel.n_obs * 4
        flat = (np.arange(S)[:, None] * n + self.index[t][None, :]).ravel()
        return np.bincount(flat, weights=x.reshape(-1), minlength=S * n).reshape(S, -1, 4)

    def rake(self, guess: np.ndarray, t: int) -> np.ndarray:
        """Scale a stock guess (S, C, K) so every observed total of review t is met exactly,
        keeping the guess's proportions inside each observed category."""
        g = guess + 1e-9 * (guess.sum(axis=-1, keepdims=True) + 1.0)  # no empty category
        den = self.sums(g, t)
        scale = np.divide(self.target[t][None], den, out=np.zeros_like(den), where=den > 0).reshape(g.shape[0], -1)
        return g * scale[:, self.index[t]].reshape(g.shape)


def step(s: np.ndarray, rates: np.ndarray, f1: np.ndarray, f2: np.ndarray, growth: float, entry: np.ndarray):
    """One year: flows (..., C, K, K) from stock s (..., C, K), new households, next stock."""
    P = transition_matrix(rates, f1, f2)
    fl = s[..., :, None] * P
    new = growth * s.sum(axis=-1, keepdims=True) * entry
    return fl, new, fl.sum(axis=-2) + new


@dataclass
class FilterResult:
    """Log-likelihood and the one-step predictions behind it, with a leading axis S of parameter
    sets. stock (S, T, C, K): filtered stock at each review; predicted (S, T-1, O, 4): predicted
    categories at review t from t-1 (index t-1); flows_pred (S, T-1, O, F) expected flow counts."""

    loglik: np.ndarray
    stock: np.ndarray
    predicted: np.ndarray
    flows_pred: np.ndarray
    ll_stock: np.ndarray
    ll_flows: np.ndarray
    predicted_stock: np.ndarray  # (S, T-1, C, K) one-step predictions before raking


def entry_vector(entry3: np.ndarray) -> np.ndarray:
    """(K,) entry shares from (poor, near_poor, non_poor) shares."""
    e = np.zeros(K)
    e[[POOR, NEAR_POOR, K - 1]] = entry3
    return e


def run_filter(
    panel: AggregatePanel | Prepared,
    rates: np.ndarray,
    f1: np.ndarray,
    f2: np.ndarray,
    growth: float,
    entry: np.ndarray,
) -> FilterResult:
    """Filter the panel with cell rates (S, C, 12) and programme factors (S or 1, T-1, C, K).
    Unbatched arguments (C, 12), (T-1, C, K) give S = 1."""
    prep = panel if isinstance(panel, Prepared) else Prepared(panel)
    panel = prep.panel
    rates = rates[None] if rates.ndim == 2 else rates
    f1 = f1[None] if f1.ndim == 3 else f1
    f2 = f2[None] if f2.ndim == 3 else f2
    S = rates.shape[0]
    T, O = len(panel.years), panel.n_obs  # noqa: E741 - O/I: the shape letters of the docstrings
    s = prep.rake(np.broadcast_to(panel.guess0, (S,) + panel.guess0.shape), 0)
    stocks = np.empty((S, T) + s.shape[1:])
    stocks[:, 0] = s
    predicted = np.full((S, max(T - 1, 0), O, 4), np.nan)
    pstock = np.empty((S, max(T - 1, 0)) + s.shape[1:])
    fpred = np.full((S, max(T - 1, 0), O, len(FLOW_COLUMNS)), np.nan)
    ll_s, ll_f = np.zeros(S), np.zeros(S)
    for t in range(T - 1):
        fl, new, m = step(s, rates, f1[:, t], f2[:, t], growth, entry)
        target = prep.target[t + 1]
        M = prep.sums(m, t + 1)
        predicted[:, t] = M
        pstock[:, t] = m
        pi = M / M.sum(axis=-1, keepdims=True)
        ok = target > 0
        ll_s += (target[ok][None] * np.log(np.maximum(pi[:, ok], 1e-300))).sum(axis=-1)
        have = prep.flow_have[t + 1]
        if have.any():
            y = panel.flows[t + 1]
            e = np.einsum("oc,scf->sof", prep.A, np.einsum("sckj,fkj->scf", fl, FLOW_SEL))
            n = np.einsum("oc,scf->sof", prep.A, np.einsum("sck,fk->scf", s, FLOW_ORIGIN))
            fpred[:, t] = e
            yy = y[have][None]
            nn = np.maximum(n[:, have], yy)
            p = np.clip(e[:, have] / np.maximum(nn, 1e-300), 1e-300, 1 - 1e-15)
            ll_f += (yy * np.log(p) + (nn - yy) * np.log1p(-p)).sum(axis=-1)
        s = prep.rake(m, t + 1)
        stocks[:, t + 1] = s
    return FilterResult(ll_s + ll_f, stocks, predicted, fpred, ll_s, ll_f, pstock)


def growth_posterior(N: np.ndarray, estimated: np.ndarray, g0: float, sd0: float) -> tuple[float, float, int]:
    """Net household growth per year from totals N (T, O): normal prior (g0, sd0) and a Poisson
    approximation for the net new households, sum(N[t+1] - N[t]) ~ g x sum(N[t]). Estimated
    totals (True in `estimated`) carry no information and are skipped. Returns (mean, sd, pairs)."""
    use = ~(estimated[1:] | estimated[:-1]) & np.isfinite(N[1:]) & np.isfinite(N[:-1])
    base = float(N[:-1][use].sum()) if use.any() else 0.0
    if base <= 0:
        return g0, sd0, 0
    g_hat = float((N[1:] - N[:-1])[use].sum()) / base
    var_d = max(abs(g_hat), 1e-3) / base
    prec = 1 / sd0**2 + 1 / var_d
    return float((g0 / sd0**2 + g_hat / var_d) / prec), float(prec**-0.5), int(use.sum())


def growth_estimate(panel: AggregatePanel, g0: float, sd0: float) -> tuple[float, float, int]:
    """`growth_posterior` of a panel's household totals."""
    N = panel.stock[:, :, HH]
    est = panel.households_estimated if panel.households_estimated is not None else np.zeros(N.shape, bool)
    return growth_posterior(N, est, g0, sd0)


# --- estimation ----------------------------------------------------------------------------------


def panel_exposure(panel: AggregatePanel, budgets: dict, prior, multipliers=(1.0,), budget_scale: str = "none"):
    """Programme factors for every transition year of the panel from scenario budgets.

    budgets: {review year t: Scenario} — the budget acting between reviews t-1 and t (years
    without a budget get factors 1). Coverage depends on the stock at t-1, taken from the panel
    filtered at the prior rates. `budget_scale` "poor_households" scales money so each poor
    household gets what it gets in the scenario's own dataset (for areas larger or smaller than
    the scenario's province). Returns an `Exposure`.
    """
    T, C = len(panel.years), len(panel.cells)
    mult = np.asarray(multipliers, float)
    f1 = np.ones((len(mult), max(T - 1, 0), C, K))
    f2 = np.ones_like(f1)
    if not budgets or T < 2:
        return Exposure(mult, f1, f2, ())
    R = prior.class_rates[panel.cells.klass]
    ones = np.ones((T - 1, C, K))
    stocks = run_filter(panel, R, ones, ones, prior.growth0, entry_vector(prior.entry0)).stock[0]
    sources = []
    for t in range(1, T):
        scen = budgets.get(panel.years[t])
        if scen is None:
            continue
        stock = stocks[t - 1]
        scale = 1.0
        if budget_scale == "poor_households":
            scale = float(stock[:, POOR].sum() / max(scen.dataset.counts[..., POOR].sum(), 1.0))
        a, b, src = programme_factors(scen, panel.years[t], panel.cells, stock, mult, scale)
        f1[:, t - 1], f2[:, t - 1] = a, b
        sources.append(src)
    return Exposure(mult, f1, f2, tuple(sources))


def _filter(panel: AggregatePanel, model, exposure: Exposure, effects: bool, growth: float, entry: np.ndarray):
    """thetas (n, p) -> (the filter run with each parameter vector, penalty)."""
    prep, klass = Prepared(panel), panel.cells.klass

    def filt(thetas):
        R8, lam, pen = model.unpack(thetas)
        if effects:
            fs = [exposure.factors(x) for x in lam]
            f1, f2 = np.array([f[0] for f in fs]), np.array([f[1] for f in fs])
        else:
            f1, f2 = exposure.factors(1.0)
        return run_filter(prep, R8[:, klass], f1, f2, growth, entry), pen

    return filt


def _fit_summary(panel: AggregatePanel, fr: FilterResult, fitted, hh_years: float) -> dict:
    """Size of the data, log-likelihoods, the stocks' deviance and the poor rate's errors."""
    stock_rows = fitted[fitted["quantity"].isin(["poor", "near_poor", "escaped", "rest"])]
    dev = 0.0
    if len(stock_rows):
        y, mu = stock_rows["observed"].to_numpy(), stock_rows["fitted"].to_numpy()
        ok = y > 0
        dev = float(2 * (y[ok] * np.log(y[ok] / np.maximum(mu[ok], 1e-300))).sum() - 2 * (y - mu).sum())
    rate_rows = fitted[fitted["quantity"] == "poor_rate"]
    err = (rate_rows["fitted"] - rate_rows["observed"]).to_numpy()
    return {
        "observation_units": panel.n_obs,
        "cells": len(panel.cells),
        "transition_years": max(len(panel.years) - 1, 0),
        "household_years": round(hh_years),
        "log_likelihood": round(float(fr.loglik[0]), 3),
        "log_likelihood_stocks": round(float(fr.ll_stock[0]), 3),
        "log_likelihood_flows": round(float(fr.ll_flows[0]), 3),
        "deviance_stocks": round(dev, 3),
        "rmse_poor_rate_points": round(float(np.sqrt(np.mean(err**2))), 4) if err.size else None,
        "max_abs_error_poor_rate_points": round(float(np.abs(err).max()), 4) if err.size else None,
    }


def _checked_exposure(panel: AggregatePanel, prior, exposure, effects: bool):
    """The exposure to the programme (none when not given), checked against the prior and `effects`."""
    if prior.has_cells:
        raise InputError("cal_prior_cells", file=prior.file, field="cells")
    exposure = exposure or Exposure.none(max(len(panel.years) - 1, 0), len(panel.cells))
    if effects and (not exposure.has_programme or len(exposure.multipliers) < 2):
        raise InputError("cal_effects_budget", field="effects")
    return exposure


def _map_fit(model, filt, hh_years: float):
    """The posterior mode: the filter's log-likelihood plus the model's log prior, maximised."""

    def nlp(thetas):
        fr, pen = filt(thetas)
        return -(fr.loglik + model.log_prior(thetas)) + pen

    return fit_map(nlp, model.theta0(), scale=hh_years + 1.0)


def _fit_info(model, res, pairs: int) -> dict:
    """How the fit went: parameters, convergence, iterations, year pairs behind the growth rate."""
    return {"parameters": model.size, "converged": res.converged, "iterations": res.iterations, "growth_pairs": pairs}


def _class_households(panel: AggregatePanel, fr) -> np.ndarray:
    """(classes,) household-years of data behind each class: start-of-year stocks of its cells."""
    class_hh = np.zeros(N_CLASSES)
    if len(panel.years) > 1:
        np.add.at(class_hh, panel.cells.klass, fr.stock[0, :-1].sum(axis=(0, 2)))
    return class_hh


def calibrate_aggregate(
    panel: AggregatePanel,
    prior,
    exposure=None,
    effects: bool = False,
    draws: int = 200,
    seed: int = 0,
    template: dict | None = None,
):
    """Posterior of reference rates x modifiers (x effect multiplier) given aggregate counts.

    The estimate is the posterior mode in unconstrained coordinates (the prior exactly when the
    panel has a single year); uncertainty is the Laplace approximation, sampled into `draws`
    posterior draws (seeded). Growth is the net household growth (normal prior, Poisson-
    approximate likelihood); entry shares stay at the prior. Returns a `Calibration`.
    """
    exposure = _checked_exposure(panel, prior, exposure, effects)
    model = Parametric(prior, with_lambda=effects)
    growth, growth_sd, pairs = growth_estimate(panel, prior.growth0, prior.growth_sd)
    filt = _filter(panel, model, exposure, effects, growth, entry_vector(prior.entry0))
    hh_years = float(np.nansum(panel.stock[:-1, :, HH])) if len(panel.years) > 1 else 0.0
    res = _map_fit(model, filt, hh_years)
    rng = np.random.default_rng(seed)
    th = laplace_draws(res, draws, rng)
    class_draws, lam_draws, _ = model.unpack(th)
    R8, lam, _ = (x[0] for x in model.unpack(res.theta[None]))
    ref, lm, _ = (x[0] for x in model.split(res.theta[None]))
    ref_draws, mod_draws, _ = model.split(th)
    weight = 1.0 - np.diag(res.cov) / laplace_prior_sd(model) ** 2
    fr, _ = filt(res.theta[None])
    fitted = fitted_table(panel, fr)
    fit = _fit_summary(panel, fr, fitted, hh_years) | _fit_info(model, res, pairs)
    return Calibration(
        method="aggregate",
        structure="parametric",
        prior=prior,
        years=panel.years,
        class_rates=R8,
        class_draws=class_draws,
        class_households=_class_households(panel, fr),
        growth=growth,
        growth_draws=rng.normal(growth, growth_sd, draws),
        entry=prior.entry0.copy(),
        entry_draws=np.broadcast_to(prior.entry0, (draws, 3)).copy(),
        ref=ref,
        ref_draws=ref_draws,
        mods=np.exp(lm),
        mod_draws=np.exp(mod_draws),
        effect_multiplier=float(lam) if effects else None,
        effect_draws=lam_draws if effects else None,
        data_weight={n: float(np.clip(w, 0.0, 1.0)) for n, w in zip(model.names, weight)},
        fit=fit,
        fitted=fitted,
        data=list(panel.sources),
        template=template,
        exposure=list(exposure.sources),
        notes=list(panel.notes),
        seed=seed,
    )


def fitted_table(panel: AggregatePanel, fr: FilterResult):
    """Observed vs one-step-ahead fitted values per review year and observation unit: counts of
    poor, near-poor, escaped and the rest (where observed), the poor rate (%) and flow counts."""
    rows = []
    for t in range(1, len(panel.years)):
        grp, target = groups(panel.stock[t])
        pred = fr.predicted[0, t - 1]
        obs = panel.stock[t]
        for o, name in enumerate(panel.areas):
            tot_pred = pred[o].sum()
            for c, cat in enumerate(CATEGORIES):
                if c == 1 and np.isnan(obs[o, NEAR_OBS]) or c == 2 and np.isnan(obs[o, ESC_OBS]):
                    continue
                fitted = pred[o, c] / tot_pred * obs[o, HH]
                rows.append((panel.years[t], name, cat, target[o, c], fitted))
            rows.append(
                (panel.years[t], name, "poor_rate", 100 * obs[o, POOR_OBS] / obs[o, HH], 100 * pred[o, 0] / tot_pred)
            )
            for j, fc in enumerate(FLOW_COLUMNS):
                if np.isfinite(panel.flows[t, o, j]):
                    rows.append((panel.years[t], name, fc, panel.flows[t, o, j], fr.flows_pred[0, t - 1, o, j]))
    return pd.DataFrame(rows, columns=["year", "area", "quantity", "observed", "fitted"])
