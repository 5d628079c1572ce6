"""Exact expected household counts: a cohort Markov projection with budget-dependent matrices.

For each projected year: beneficiaries per line and unit are min(spend / unit cost, eligible),
filled in the plan's priority order across tiers; within a tier every household is equally likely
to be reached, independently across lines. Because the programme enters transition probabilities
only through products of per-line factors (see `simlib.transitions`), the expected transition
matrix is the same formula with coverage shares in place of reached indicators — the expectation
of the microsimulation, not an approximation of it (given the same eligible counts).

Vectorised over a leading scenario axis S: pass `spend` of shape (S, Y+1, L, D) to evaluate many
allocations at once (optimiser, sweeps), and optionally `effects` (S, L, C) and `rates`
(S, G, R) for parameter draws.
"""

from __future__ import annotations

import numpy as np

from simlib.engines import expected_jit
from simlib.engines.common import EngineOutput, batched_bins, scatter_sum
from simlib.engines.reach import (
    acting_spend,
    beneficiaries,
    boosted_effects,
    coverage_shares,
    enabling_boost,
    production_support_cells,
)
from simlib.memo import memoised
from simlib.model import Model, Structure
from simlib.transitions import affine_parts, apply_affine, combined_effects_fast

BACKENDS = ("auto", "jit", "numpy")


def log_factor(terms: np.ndarray) -> np.ndarray:
    """log(1 - terms), -inf where a term is 1."""
    with np.errstate(divide="ignore"):
        return np.log1p(-terms)


def _build_classes(s: Structure) -> dict:
    L, G, K = s.eligible.shape
    D, T = len(s.unit_ids), s.n_tiers
    sig = np.where(s.eligible, s.tier, -1).reshape(L, G * K).T  # (GK, L)
    g_of, k_of = np.divmod(np.arange(G * K), K)
    key = np.column_stack([s.g_unit[g_of], k_of, sig])
    _, first, cls = np.unique(key, axis=0, return_index=True, return_inverse=True)
    cls = cls.ravel()
    C = len(first)
    e_cls, e_line = np.nonzero(sig[first] >= 0)  # entries: eligible (class, line)
    e_unit, e_k = s.g_unit[g_of[first]][e_cls], k_of[first][e_cls]
    e_bin = (e_line * D + e_unit) * T + sig[first][e_cls, e_line]
    e_ps = s.ps_lines[e_line]
    # effect pair (e, j) in the flat (L, D, K, 2) array of `combined_effects`
    pair = ((e_line * D + e_unit) * K + e_k)[:, None] * 2 + np.arange(2)
    # factor bins: F1 and F2 of each class interleaved, then production-support misses
    f_bin = np.concatenate([(e_cls[:, None] * 2 + np.arange(2)).ravel(), 2 * C + e_cls[e_ps]])
    return {"cls": cls, "n_cls": C, "e_cls": e_cls, "e_bin": e_bin, "e_ps": e_ps, "pair": pair, "f_bin": f_bin}


def class_index(structure: Structure) -> dict:
    """Sparse structure of eligibility, built once per structure (cached on it).

    Group-states with the same unit, state and priority tier (or ineligibility) for every line
    are alike for the programme: the same coverage reaches them and their factors F1, F2 are the
    same. They form a *class* (Cao Bằng: 140 classes for 720 group-states), and the year step
    works on one entry e per eligible (class, line) instead of one per (group-state, line)
    (965 instead of 4,600). Also the flat indices the step gathers and scatters with, so each
    is a single `take` / `bincount`.
    """
    return memoised(structure, "expected.classes", lambda: _build_classes(structure))


def _batch(model: Model, spend, effects, rates) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Spending (S, Y+1, L, D), effects (S or 1, L, C) and rates (S or 1, G, R) or None."""
    spend = np.asarray(spend, float)
    if spend.ndim == 3:
        spend = spend[None]
    eff = model.effects[None] if effects is None else np.asarray(effects, float).reshape(-1, *model.effects.shape)
    rts = None if rates is None else np.asarray(rates, float).reshape(-1, *model.rates.shape)
    return spend, eff, rts


def run_expected(
    model: Model,
    spend: np.ndarray,
    effects: np.ndarray | None = None,
    rates: np.ndarray | None = None,
    backend: str = "auto",
    keep_flows: bool = True,
) -> EngineOutput:
    """Expected counts for spending `spend` (Y+1, L, D), or a batch of them (S, Y+1, L, D),
    optionally with effects (S, L, C) and rates (S, G, R) per scenario (parameter draws).

    `backend`: "jit" runs the compiled loop (`simlib.engines.expected_jit`), "numpy" the
    `YearStep` reference; "auto" (default) the compiled loop when numba is installed.
    `keep_flows=False` (compiled loop only) skips storing the (S, Y, G, K, K) flows — the
    largest output — for sweeps over many allocations that need only stocks; `flows` is then
    an empty (S, Y, 0, K, K) array.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be auto, jit or numpy, not {backend!r}")
    spend, eff, rts = _batch(model, spend, effects, rates)
    if backend == "jit" or (backend == "auto" and expected_jit.available()):
        return _run_jit(model, spend, eff, rts, keep_flows)
    S = spend.shape[0]
    n = np.broadcast_to(model.n0, (S,) + model.n0.shape).astype(float)
    steps = YearStep(model, S, eff, rts)
    out = EngineOutput.like("expected", model, S, np.empty)  # every element is written below
    states, flows, entries, reached, eligible, ps_sup, ps_want = out.arrays()
    states[:, 0] = n
    sp_all = acting_spend(model, spend)  # (S, Y, L, D)
    for y in range(len(model.years)):
        P, reached[:, y], eligible[:, y], ps_sup[:, y], ps_want[:, y] = steps(n, sp_all[:, y])
        fl = np.multiply(n[..., None], P, out=flows[:, y])
        new = np.multiply(model.growth * n.sum(-1, keepdims=True), model.entry, out=entries[:, y])
        n = fl.sum(axis=-2) + new
        states[:, y + 1] = n
    return out


def _run_jit(model: Model, spend, eff, rates, keep_flows: bool = True) -> EngineOutput:
    parts = model.params.affine if rates is None else affine_parts(rates)
    out = EngineOutput.like("expected", model, spend.shape[0], np.empty)  # the loop writes every element
    if not keep_flows:  # a one-scenario scratch buffer for the loop
        out.flows = np.empty((1, 1) + out.flows.shape[2:])
    expected_jit.project(model, class_index(model.structure), acting_spend(model, spend), eff, parts, out)
    if not keep_flows:
        out.flows = np.empty(out.states.shape[:1] + (len(model.years), 0) + out.flows.shape[3:])
    return out


class YearStep:
    """One projected year at cell level, for S scenarios at once: from households by
    group-state `n` (S, G, K) and active spending (S, L, D) to the expected transition
    matrices (S, G, K, K), beneficiaries reached and eligible (S, L, D) and the production-
    support figures (S,). Shared by the expected engine and the stochastic cell-level paths
    (`simlib.engines.kernel`, `simlib.engines.aggregate`), which feed it realised counts.
    The programme step itself is `simlib.engines.reach`'s; this class counts the eligible
    households of each class and turns coverage into the classes' transition factors.
    """

    def __init__(self, model: Model, S: int, effects: np.ndarray, rates: np.ndarray | None = None):
        L, G, K = model.eligible.shape
        D, T = len(model.unit_ids), model.n_tiers
        self.model, self.S, self.shape = model, S, (L, G, K, D, T)
        self.ix = ix = class_index(model.structure)
        C = ix["n_cls"]
        self.eff = effects  # (S or 1, L, C)
        # the model's own rates: the affine parts built once per parameter set
        self.parts = model.params.affine if rates is None else affine_parts(rates)  # (3, S or 1, G, K, K)
        self.c_bins = batched_bins(ix["cls"], C, S)
        self.e_bins = batched_bins(ix["e_bin"], L * D * T, S)
        self.f_bins = batched_bins(ix["f_bin"], 3 * C, S)

    def eligible_by_tier(self, n: np.ndarray) -> np.ndarray:
        """Eligible households (S, L, D, T) per line, unit and priority tier."""
        ix, S = self.ix, self.S
        L, G, K, D, T = self.shape
        n_cls = scatter_sum(n.reshape(S, G * K), self.c_bins, ix["n_cls"])  # households per class
        return scatter_sum(n_cls[:, ix["e_cls"]], self.e_bins, L * D * T).reshape(S, L, D, T)

    def __call__(self, n: np.ndarray, sp: np.ndarray):
        model, ix, S = self.model, self.ix, self.S
        L, G, K, D, T = self.shape
        C = ix["n_cls"]
        E = self.eligible_by_tier(n)
        r = beneficiaries(model, sp, E)
        c = coverage_shares(r.covered, E).reshape(S, L * D * T)
        ce = c[:, ix["e_bin"]]  # (S, entries) coverage of each eligible (class, line)
        # the enabling boost uses the model's enabling effects, also when `effects` are drawn
        comb = combined_effects_fast(boosted_effects(self.eff, enabling_boost(model, r.reached)))  # (S, L, D, K, 2)
        ue = comb.reshape(S, -1)[:, ix["pair"]]  # (S, entries, 2)
        terms = np.concatenate([(ce[:, :, None] * ue).reshape(S, -1), ce[:, ix["e_ps"]]], axis=1)
        fac = np.exp(scatter_sum(log_factor(terms), self.f_bins, 3 * C))  # (S, 3 C) per class
        F = fac[:, : 2 * C].reshape(S, C, 2)[:, ix["cls"]].reshape(S, G, K, 2)  # per group-state
        P = apply_affine(self.parts, F[..., 0], F[..., 1])  # (S, G, K, K)
        # production support: union of the counted lines' coverage over the target group
        miss = fac[:, 2 * C :][:, ix["cls"]].reshape(S, G, K)
        ps_sup, ps_want = production_support_cells(model, n, miss)
        return P, r.reached, r.eligible, ps_sup, ps_want
