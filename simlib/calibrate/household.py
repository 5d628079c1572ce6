"""The household path: baseline rates from household-level review lists of consecutive years.

A list says, for each household and review, whether it is poor, near-poor, newly escaped or
non-poor. The detailed state (escaped 1, 2 or 3 years ago — the 36-month "newly escaped" window)
follows from the household's history: poor at review t-1 and above the near-poor line at t is
escaped_1 at t; escaped_k stays above the line -> escaped_{k+1}; escaped_3 -> non-poor (ages out).
At the first review a newly escaped household needs its escape year to be placed; without it
its transitions are left out until its window has certainly closed.

Counting moves between two reviews gives the likelihood directly. Per cell class, each poor and
near-poor rate is a binomial and each newly-escaped / non-poor row a multinomial, so with the
prior's pseudo-counts the estimate is the conjugate posterior mean (k + kappa p0) / (n + kappa):
the prior when there are no data, the observed share in the limit. With a programme budget for
the observed years the factors enter the likelihood and the same posterior is found numerically
(posterior mode in the unconstrained coordinates, which *is* the posterior mean without programme).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.calibrate.aggregate import growth_posterior
from simlib.calibrate.exposure import Exposure, programme_factors
from simlib.calibrate.fit import fit_map, laplace_draws
from simlib.calibrate.panel import TransitionCounts
from simlib.calibrate.prior import N_CLASSES
from simlib.calibrate.prior import class_key as _cls
from simlib.calibrate.result import Calibration
from simlib.calibrate.rows import conjugate_posterior, dirichlet_alphas, posterior_draws, posterior_mean
from simlib.calibrate.structure import Parametric, PerClass, coordinate_prior_sd, laplace_prior_sd
from simlib.errors import InputError
from simlib.i18n import LocalText
from simlib.states import ALLOWED, ESCAPED_1, ESCAPED_2, ESCAPED_3, N_STATES, NEAR_POOR, NON_POOR, POOR, STATES
from simlib.transitions import CELL_CLASSES, RATE_KEYS, transition_matrix

K = N_STATES
_RATE_NAMES = tuple(f"{f}.{t}" for f, t in RATE_KEYS)
#: public status codes in review lists
S_POOR, S_NEAR, S_ESC, S_NON, S_ABSENT = 0, 1, 2, 3, -1
#: detailed states of households listed as newly escaped at their first review without an escape
#: year: escaped 1-3 years ago (U0); still listed as escaped a year later: 2-3 years ago (U1); a
#: further year later it can only be escaped_3
U0, U1 = 10, 11
#: the state after a year above the near-poor line, by the state before
_NEXT_UP = np.full(U1 + 1, NON_POOR)
_NEXT_UP[[POOR, ESCAPED_1, ESCAPED_2, U0, U1]] = [ESCAPED_1, ESCAPED_2, ESCAPED_3, U1, ESCAPED_3]


def detailed_states(status: np.ndarray, first_k: np.ndarray, is_new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Detailed states (H, T) from public statuses (H, T) of households over consecutive reviews.

    status: S_* codes (S_ABSENT where not listed); first_k (H, T): years since escape where the
    list gives an escape year (0 where not), used at a household's first listing; is_new (H, T):
    the household was formed during the year (then it has no history). Returns the states (-1
    where absent, U0/U1 while the escape year is unknown) and a mask of listings whose "newly
    escaped" status contradicts the history (not poor at the previous review, escaped more than
    36 months ago, or a new household). Lists that never use the "newly escaped" status are fine:
    "non-poor" right after "poor" is read as escaped_1, and so on.
    """
    H, T = status.shape
    out = np.full((H, T), -1)
    bad = np.zeros((H, T), bool)
    for t in range(T):
        st = status[:, t]
        here = st != S_ABSENT
        prev = out[:, t - 1] if t > 0 else np.full(H, -1)
        fresh = here & ((prev == -1) | is_new[:, t])  # first listing: no usable history
        cur = np.full(H, -1)
        cur[here & (st == S_POOR)] = POOR
        cur[here & (st == S_NEAR)] = NEAR_POOR
        hist = here & ~fresh & ((st == S_ESC) | (st == S_NON))
        cur[hist] = _NEXT_UP[prev[hist]]
        bad[:, t] |= hist & (st == S_ESC) & (cur == NON_POOR)  # window closed or never opened
        cur[hist & (st == S_NON) & np.isin(prev, (U0, U1))] = NON_POOR  # unknown window: now closed
        cur[fresh & (st == S_NON)] = NON_POOR
        f_esc = fresh & (st == S_ESC)
        k = first_k[:, t]
        known = f_esc & (k >= 1) & (k <= 3)
        cur[known] = np.array([ESCAPED_1, ESCAPED_2, ESCAPED_3])[k[known] - 1]
        cur[f_esc & (k == 0)] = U0
        wrong = f_esc & ((k > 3) | (k < 0) | is_new[:, t])
        bad[:, t] |= wrong
        cur[wrong] = NON_POOR
        out[:, t] = cur
    return out, bad


def count_transitions(
    states: np.ndarray, cell: np.ndarray, is_new: np.ndarray, n_cells: int, years: tuple[int, ...], cells, sources=()
) -> TransitionCounts:
    """Counts of moves between consecutive reviews, new households and leavers.

    states (H, T) from `detailed_states`; cell (H, T) the household's cell index at each review."""
    H, T = states.shape
    counts = np.zeros((max(T - 1, 0), n_cells, K, K))
    entries = np.zeros((max(T - 1, 0), n_cells, K))
    households = np.zeros((T, n_cells))
    left = np.zeros(max(T - 1, 0))
    unknown = 0
    for t in range(T):
        here = states[:, t] >= 0
        np.add.at(households[t], cell[here, t], 1)
    for t in range(1, T):
        a, b = states[:, t - 1], states[:, t]
        both = (a >= 0) & (b >= 0) & ~is_new[:, t]
        known = both & (a < K) & (b < K)
        unknown += int((both & ~known).sum())
        np.add.at(counts[t - 1], (cell[known, t - 1], a[known], b[known]), 1)
        new = (b >= 0) & is_new[:, t]
        np.add.at(entries[t - 1], (cell[new, t], np.minimum(b[new], K - 1)), 1)
        left[t - 1] = ((a >= 0) & (b < 0)).sum()
    return TransitionCounts(
        years=tuple(years),
        cells=cells,
        counts=counts,
        entries=entries,
        households=households,
        left=left,
        unknown_origin=unknown,
        sources=tuple(sources),
    )


def rate_counts(n: np.ndarray) -> np.ndarray:
    """(..., 12, 2) successes / failures per rate (layout of `rows.conjugate_posterior`) from
    transition counts (..., K, K)."""
    out = np.zeros(n.shape[:-2] + (12, 2))
    P, NP, NON = POOR, NEAR_POOR, NON_POOR
    out[..., 0, 0] = n[..., P, ESCAPED_1]
    out[..., 0, 1] = n[..., P, P] + n[..., P, NP]
    out[..., 1, 0] = n[..., P, NP]
    out[..., 1, 1] = n[..., P, P]
    out[..., 2, 0] = n[..., NP, NON]
    out[..., 2, 1] = n[..., NP, NP] + n[..., NP, P]
    out[..., 3, 0] = n[..., NP, P]
    out[..., 3, 1] = n[..., NP, NP]
    for j, (k, nxt) in enumerate(((ESCAPED_1, ESCAPED_2), (ESCAPED_2, ESCAPED_3), (ESCAPED_3, NON), (NON, NON))):
        out[..., 4 + 2 * j, 0] = n[..., k, P]
        out[..., 5 + 2 * j, 0] = n[..., k, NP]
        out[..., 4 + 2 * j, 1] = n[..., k, nxt]
    return out


def loglik_counts(rates: np.ndarray, counts: np.ndarray, f1: np.ndarray, f2: np.ndarray) -> float:
    """Multinomial log-likelihood of transition counts (Ty, C, K, K) given cell rates (C, 12) and
    factors (Ty, C, K)."""
    P = transition_matrix(rates[None], f1, f2)
    have = counts > 0
    return float((counts[have] * np.log(np.maximum(P[have], 1e-300))).sum())


# --- estimation ----------------------------------------------------------------------------------


def register_exposure(tc: TransitionCounts, budgets: dict, multipliers=(1.0,)):
    """Programme factors for each transition year of household counts from scenario budgets
    ({review year t: Scenario}); coverage from the households' states at review t-1."""
    T, C = len(tc.years), len(tc.cells)
    mult = np.asarray(multipliers, float)
    f1 = np.ones((len(mult), max(T - 1, 0), C, K))
    f2 = np.ones_like(f1)
    sources = []
    for t in range(1, T):
        scen = (budgets or {}).get(tc.years[t])
        if scen is None:
            continue
        stock = tc.counts[t - 1].sum(axis=-1)
        a, b, src = programme_factors(scen, tc.years[t], tc.cells, stock, mult)
        f1[:, t - 1], f2[:, t - 1] = a, b
        sources.append(src)
    return Exposure(mult, f1, f2, tuple(sources))


@dataclass
class _RateFit:
    """Class rates (8, 12), their draws and what the fit says about them."""

    rates: np.ndarray
    draws: np.ndarray
    data_weight: dict
    fit: dict
    ref: np.ndarray | None = None
    ref_draws: np.ndarray | None = None
    mods: np.ndarray | None = None
    mod_draws: np.ndarray | None = None
    lam: float | None = None
    lam_draws: np.ndarray | None = None


def _check_options(structure: str, prior, effects: bool, exposure: Exposure) -> None:
    if structure not in ("per_class", "parametric"):
        raise InputError("enum", field="structure", value=structure, allowed=["per_class", "parametric"])
    if structure == "parametric" and prior.has_cells:
        raise InputError("cal_prior_cells", file=prior.file, field="cells")
    if effects and structure != "parametric":
        raise InputError("cal_effects_structure", field="effects")
    if effects and (not exposure.has_programme or len(exposure.multipliers) < 2):
        raise InputError("cal_effects_budget", field="effects")


def _conjugate_classes(prior, n_class: np.ndarray, class_hh: np.ndarray, draws: int, rng) -> _RateFit:
    """Per class, without a programme: the conjugate posterior (exact draws)."""
    alpha, beta = dirichlet_alphas(prior.class_rates, prior.class_kappa)
    a2, b2 = conjugate_posterior(rate_counts(n_class), alpha, beta)
    R8 = posterior_mean(a2, b2)
    R8[class_hh <= 0] = prior.class_rates[class_hh <= 0]  # no data: the prior, exactly
    class_draws = posterior_draws(a2, b2, draws, rng)
    weight = {}
    for i in np.flatnonzero(class_hh > 0):
        post, pri = coordinate_prior_sd(a2[i], b2[i]), coordinate_prior_sd(alpha[i], beta[i])
        weight.update({f"{_cls(i)}.{n}": float(1 - (post[j] / pri[j]) ** 2) for j, n in enumerate(_RATE_NAMES)})
    return _RateFit(R8, class_draws, weight, {"method": "conjugate posterior mean (Beta / Dirichlet)"})


def _laplace_classes(tc: TransitionCounts, prior, exposure: Exposure, class_hh: np.ndarray, draws: int, rng):
    """Per class, with the programme's factors in the likelihood: posterior mode and Laplace draws."""
    klass = tc.cells.klass
    R8 = prior.class_rates.copy()
    class_draws = np.broadcast_to(R8, (draws,) + R8.shape).copy()
    alpha, beta = dirichlet_alphas(prior.class_rates, prior.class_kappa)
    class_draws[:] = posterior_draws(alpha, beta, draws, rng)  # classes without data: the prior
    f1, f2 = exposure.factors(1.0)
    conv, weight = [], {}
    for i in np.flatnonzero(class_hh > 0):
        sel = klass == i
        m = PerClass(prior, i)
        cnt, a_, b_ = tc.counts[:, sel], f1[:, sel], f2[:, sel]

        def nlp(th, m=m, cnt=cnt, a_=a_, b_=b_):
            R = m.unpack(th)[0]
            return np.array([-loglik_counts(np.broadcast_to(r, (cnt.shape[1], 12)), cnt, a_, b_) for r in R]) - (
                m.log_prior(th)
            )

        res = fit_map(nlp, m.theta0(), scale=class_hh[i] + 1.0)
        R8[i] = m.unpack(res.theta[None])[0][0]
        class_draws[:, i] = m.unpack(laplace_draws(res, draws, rng))[0]
        post, psd = np.sqrt(np.diag(res.cov)), laplace_prior_sd(m)
        weight.update({f"{_cls(i)}.{n}": float(1 - (post[j] / psd[j]) ** 2) for j, n in enumerate(_RATE_NAMES)})
        conv.append(res.converged)
    method = "posterior mode and Laplace approximation per class (programme factors in the likelihood)"
    return _RateFit(R8, class_draws, weight, {"method": method, "converged": bool(all(conv))})


def _parametric(tc: TransitionCounts, prior, exposure: Exposure, effects: bool, class_hh, draws: int, rng):
    """Reference x modifiers (x effect multiplier): posterior mode and Laplace draws."""
    klass = tc.cells.klass
    model = Parametric(prior, with_lambda=effects)

    def nlp(thetas):
        R8_, lam_, pen = model.unpack(thetas)
        out = np.empty(len(thetas))
        for s in range(len(thetas)):
            f1, f2 = exposure.factors(lam_[s])
            out[s] = -loglik_counts(R8_[s][klass], tc.counts, f1, f2)
        return out - model.log_prior(thetas) + pen

    res = fit_map(nlp, model.theta0(), scale=class_hh.sum() + 1.0)
    th = laplace_draws(res, draws, rng)
    class_draws, lam_draws, _ = model.unpack(th)
    R8, lam_arr, _ = model.unpack(res.theta[None])
    r_, lm, _ = model.split(res.theta[None])
    ref_draws, md, _ = model.split(th)
    weight = 1 - np.diag(res.cov) / laplace_prior_sd(model) ** 2
    return _RateFit(
        R8[0],
        class_draws,
        {n: float(np.clip(w, 0, 1)) for n, w in zip(model.names, weight)},
        {"method": "posterior mode and Laplace approximation (reference x modifiers)", "converged": res.converged},
        r_[0],
        ref_draws,
        np.exp(lm[0]),
        np.exp(md),
        float(lam_arr[0]),
        lam_draws,
    )


def _fitted(tc: TransitionCounts, rf: _RateFit, exposure: Exposure, n_class: np.ndarray, class_hh: np.ndarray):
    """Observed and fitted moves per class (a table) and the log-likelihood of the fit."""
    klass = tc.cells.klass
    f1, f2 = exposure.factors(rf.lam if rf.lam is not None else 1.0)
    P = transition_matrix(rf.rates[klass][None], f1, f2)  # (Ty, C, K, K)
    expected = tc.counts.sum(axis=-1)[..., None] * P
    e_class = np.zeros((N_CLASSES, K, K))
    np.add.at(e_class, klass, expected.sum(axis=0))
    rows = []
    for i in np.flatnonzero(class_hh > 0):
        c = CELL_CLASSES[i]
        for k, j in zip(*np.nonzero(ALLOWED)):
            rows.append(
                (
                    c["ethnic_group"],
                    c["area"],
                    c["poor_district"],
                    STATES[k],
                    STATES[j],
                    n_class[i, k, j],
                    e_class[i, k, j],
                )
            )
    fitted = pd.DataFrame(
        rows, columns=["ethnic_group", "area", "poor_district", "from_state", "to_state", "observed", "fitted"]
    )
    return fitted, loglik_counts(rf.rates[klass], tc.counts, f1, f2)


def _fit_summary(tc: TransitionCounts, class_hh: np.ndarray, ll: float, pairs) -> dict:
    return {
        "household_years": int(class_hh.sum()),
        "transition_years": max(len(tc.years) - 1, 0),
        "log_likelihood": round(ll, 3),
        "households_per_review": [int(x) for x in tc.households.sum(axis=1)],
        "new_households": int(tc.entries.sum()),
        "households_left": int(tc.left.sum()),
        "unknown_origin_household_years": int(tc.unknown_origin),
        "growth_pairs": pairs,
        "classes_with_data": int((class_hh > 0).sum()),
    }


def _class_posterior(tc: TransitionCounts, prior, exposure, structure: str, effects: bool, n_class, draws: int, rng):
    """The class rates' posterior of `structure` (see `calibrate_households`)."""
    class_hh = n_class.sum(axis=(1, 2))
    if structure == "per_class" and not exposure.has_programme:
        return _conjugate_classes(prior, n_class, class_hh, draws, rng)
    if structure == "per_class":
        return _laplace_classes(tc, prior, exposure, class_hh, draws, rng)
    return _parametric(tc, prior, exposure, effects, class_hh, draws, rng)


def _entry_posterior(tc: TransitionCounts, prior, draws: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Entry shares (poor, near-poor, other): Dirichlet parameters from the prior and the new
    households' first status, and `draws` draws of them."""
    ent = tc.entries.sum(axis=(0, 1))
    a_e = prior.entry_kappa * prior.entry0 + np.array([ent[POOR], ent[NEAR_POOR], ent[NEAR_POOR + 1 :].sum()])
    return a_e, rng.dirichlet(a_e, draws)


def calibrate_households(
    tc: TransitionCounts,
    prior,
    exposure=None,
    structure: str = "per_class",
    effects: bool = False,
    draws: int = 200,
    seed: int = 0,
    template: dict | None = None,
):
    """Posterior of baseline rates from household transition counts. Returns a `Calibration`.

    structure "per_class": the 12 rates of every cell class, each with the prior's class rates as
    pseudo-counts — the conjugate posterior (exact draws) without a programme budget, the
    posterior mode with its Laplace approximation with one. "parametric": reference x modifiers
    (x effect multiplier), as the aggregate path. Growth: net growth of the listed households;
    entry shares: Dirichlet posterior from the new households' first status.
    """
    T, C = len(tc.years), len(tc.cells)
    exposure = exposure or Exposure.none(max(T - 1, 0), C)
    _check_options(structure, prior, effects, exposure)
    rng = np.random.default_rng(seed)
    n_class = np.zeros((N_CLASSES, K, K))
    np.add.at(n_class, tc.cells.klass, tc.counts.sum(axis=0))
    class_hh = n_class.sum(axis=(1, 2))
    rf = _class_posterior(tc, prior, exposure, structure, effects, n_class, draws, rng)
    N = tc.households.sum(axis=1)[:, None]  # growth: net growth of the listed households
    growth, gsd, pairs = growth_posterior(N, np.zeros(N.shape, bool), prior.growth0, prior.growth_sd)
    a_e, entry_draws = _entry_posterior(tc, prior, draws, rng)
    fitted, ll = _fitted(tc, rf, exposure, n_class, class_hh)
    return Calibration(
        method="household",
        structure=structure,
        prior=prior,
        years=tc.years,
        class_rates=rf.rates,
        class_draws=rf.draws,
        class_households=class_hh,
        growth=growth,
        growth_draws=rng.normal(growth, gsd, draws),
        entry=a_e / a_e.sum(),
        entry_draws=entry_draws,
        ref=rf.ref,
        ref_draws=rf.ref_draws,
        mods=rf.mods,
        mod_draws=rf.mod_draws,
        effect_multiplier=rf.lam if effects else None,
        effect_draws=rf.lam_draws if effects else None,
        data_weight=rf.data_weight,
        fit=dict(rf.fit, **_fit_summary(tc, class_hh, ll, pairs)),
        fitted=fitted,
        data=list(tc.sources),
        template=template,
        exposure=list(exposure.sources),
        notes=[LocalText.of("cal.note.unknown_origin", n=tc.unknown_origin)] if tc.unknown_origin else [],
        seed=seed,
        entry_estimated=True,
    )
