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

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from simlib.engines import expected_jit
from simlib.engines.common import EngineOutput, batched_bins, scatter_sum
from simlib.engines.reach import (
    acting_money,
    apply_moves,
    beneficiaries,
    boosted_effects,
    coverage_shares,
    enabling_boost,
    formation_sizes,
    held_stock,
    newly_housed,
    once_shares,
    production_support_cells,
    protective,
    record,
    twin_shares,
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
    # twin group-states and the once-per-household line's effect pair there (one such line)
    once = np.flatnonzero(s.once_line)
    t_g, t_k = np.nonzero(np.broadcast_to(s.g_housed[:, None], (G, K)))
    t_line = once[0] if once.size else 0
    t_pair = ((t_line * D + s.g_unit[t_g]) * K + t_k)[:, None] * 2 + np.arange(2)
    return {
        "cls": cls,
        "n_cls": C,
        "e_cls": e_cls,
        "e_bin": e_bin,
        "e_ps": e_ps,
        "e_once": s.once_line[e_line],
        "e_area": s.area_line[e_line],
        "pair": pair,
        "f_bin": f_bin,
        "t_gk": t_g * K + t_k,
        "t_pair": t_pair if once.size else t_pair[:0],
    }


#: the fields of a structure its class index depends on (not its household counts `n0`)
CLASS_FIELDS = ("eligible", "tier", "g_unit", "ps_lines", "once_line", "area_line", "g_housed")
#: class indices by content (`class_key`), at most `SHARED_CLASSES` of them: every parameter draw
#: compiles a new structure, almost always with the same eligibility, so its index is built once
SHARED_CLASSES = 16
_shared_classes: OrderedDict[bytes, dict] = OrderedDict()


def class_key(s: Structure) -> bytes:
    """A digest of everything `_build_classes` reads from `s`."""
    h = hashlib.blake2b(digest_size=20)
    h.update(repr((len(s.unit_ids), s.n_tiers)).encode())
    for name in CLASS_FIELDS:
        a = np.ascontiguousarray(getattr(s, name))
        h.update(repr((name, a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    return h.digest()


def shared_classes(s: Structure) -> dict:
    """`_build_classes(s)`, shared by structures with the same content (read-only arrays). A
    content-addressed cache: the same inputs always give the same index, so it holds no state a
    caller could observe."""
    key = class_key(s)
    ix = _shared_classes.get(key)
    if ix is None:
        ix = _build_classes(s)
        for v in ix.values():
            if isinstance(v, np.ndarray):
                v.flags.writeable = False
        _shared_classes[key] = ix
        if len(_shared_classes) > SHARED_CLASSES:
            _shared_classes.popitem(last=False)
    else:
        _shared_classes.move_to_end(key)
    return ix


def class_index(structure: Structure) -> dict:
    """Sparse structure of eligibility, built once per structure content (cached on the structure
    and shared with structures of the same content, `shared_classes`).

    Group-states with the same unit, state and priority tier (or ineligibility) for every line
    are alike for the programme: the same coverage reaches them and their factors F1, F2 are the
    same. They form a *class* (Cao Bằng: 140 classes for 720 group-states), and the year step
    works on one entry e per eligible (class, line) instead of one per (group-state, line)
    (965 instead of 4,600). Also the flat indices the step gathers and scatters with, so each
    is a single `take` / `bincount`.
    """
    return memoised(structure, "expected.classes", lambda: shared_classes(structure))


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
    sp_all = acting_money(model, spend)  # (S, Y, L, D)
    for y in range(len(model.years)):
        st = steps(n, sp_all[:, y], y)
        reached[:, y], eligible[:, y], ps_sup[:, y], ps_want[:, y] = st.reached, st.eligible, st.ps_sup, st.ps_want
        fl = np.multiply(st.n[..., None], st.P, out=flows[:, y])
        new = np.multiply(model.growth * formation_sizes(model, n)[..., None], model.entry, out=entries[:, y])
        n = fl.sum(axis=-2) + new
        states[:, y + 1] = n
    return out


def _run_jit(model: Model, spend, eff, rates, keep_flows: bool = True) -> EngineOutput:
    parts = model.params.affine if rates is None else affine_parts(rates)
    out = EngineOutput.like("expected", model, spend.shape[0], np.empty)  # the loop writes every element
    if not keep_flows:  # a one-scenario scratch buffer for the loop
        out.flows = np.empty((1, 1) + out.flows.shape[2:])
    expected_jit.project(model, class_index(model.structure), spend, eff, parts, out, keep_flows)
    if not keep_flows:
        out.flows = np.empty(out.states.shape[:1] + (len(model.years), 0) + out.flows.shape[3:])
    return out


@dataclass
class StepResult:
    """One projected year of `YearStep` for S scenarios."""

    P: np.ndarray  # (S, G, K, K) transition matrices of the households `n`
    n: np.ndarray  # (S, G, K) households after the year's moves to housed twins
    moved: np.ndarray  # (S, G, K) households that left each group-state for its twin
    reached: np.ndarray  # (S, L, D) new beneficiaries
    eligible: np.ndarray  # (S, L, D)
    ps_sup: np.ndarray  # (S,) production-support target households supported
    ps_want: np.ndarray  # (S,) and wanting support


class YearStep:
    """One projected year at cell level, for S scenarios at once: from households by
    group-state `n` (S, G, K) and active spending (S, L, D) to the households after the year's
    moves to housed twins and their expected transition matrices (S, G, K, K), beneficiaries
    reached and eligible (S, L, D) and the production-support figures (S,). Shared by the expected
    engine and the stochastic cell-level paths (`simlib.engines.kernel`, `simlib.engines.aggregate`),
    which feed it realised counts and draw the moves (`rng`). The programme step itself is
    `simlib.engines.reach`'s; this class counts the eligible households of each class, keeps the
    record of what each year leaves in the lines' pools (`built`: area lines' standing works,
    cycle lines' supported shares) and turns coverage into
    the classes' transition factors. Call it for years 0, 1, ... of one run in order.
    """

    def __init__(self, model: Model, S: int, effects: np.ndarray, rates: np.ndarray | None = None):
        L, G, K = model.eligible.shape
        D, T = len(model.unit_ids), model.n_tiers
        self.model, self.S, self.shape = model, S, (L, G, K, D, T)
        self.ix = ix = class_index(model.structure)
        C = ix["n_cls"]
        self.eff = effects  # (S or 1, L, C)
        self.prot = protective(effects)
        # the model's own rates: the affine parts built once per parameter set
        self.parts = model.params.affine if rates is None else affine_parts(rates)  # (3, S or 1, G, K, K)
        self.c_bins = batched_bins(ix["cls"], C, S)
        self.e_bins = batched_bins(ix["e_bin"], L * D * T, S)
        self.f_bins = batched_bins(ix["f_bin"], 3 * C, S)
        self.area = np.flatnonzero(ix["e_area"])  # entries of area lines: the only ones standing works serve
        self.built = np.zeros((S, len(model.years), L, D))  # each year's `reach.record`

    def eligible_by_tier(self, n: np.ndarray) -> np.ndarray:
        """Eligible households (S, L, D, T) per line, unit and priority tier."""
        ix, S = self.ix, self.S
        L, G, K, D, T = self.shape
        n_cls = scatter_sum(n.reshape(S, G * K), self.c_bins, ix["n_cls"])  # households per class
        return scatter_sum(n_cls[:, ix["e_cls"]], self.e_bins, L * D * T).reshape(S, L, D, T)

    def _moves(self, n: np.ndarray, cov: np.ndarray, rng) -> tuple[np.ndarray, ...]:
        """Households moved by the once-per-household line (expected, or binomial draws with
        `rng`), the households after the moves and the share of each twin group-state reached
        anew."""
        share = once_shares(self.model, cov)
        if rng is None:
            moved = share * n
        else:
            moved = rng.binomial(np.rint(n).astype(np.int64), np.clip(share, 0.0, 1.0)).astype(float)
        after = apply_moves(self.model, n, moved)
        return moved, after, twin_shares(self.model, after, newly_housed(self.model, moved))

    def __call__(self, n: np.ndarray, sp: np.ndarray, y: int, rng: np.random.Generator | None = None) -> StepResult:
        model, ix, S = self.model, self.ix, self.S
        L, G, K, D, T = self.shape
        C = ix["n_cls"]
        E = self.eligible_by_tier(n)
        r = beneficiaries(model, sp, E, stock=held_stock(model, self.built, y))
        self.built[:, y] = record(model, r.reached, r.eligible)
        cov = coverage_shares(r.covered, E)
        moved, after, s_tw = self._moves(n, cov, rng)
        c = cov.reshape(S, L * D * T)
        ce = np.where(ix["e_once"], 0.0, c[:, ix["e_bin"]])  # once-line households moved out
        co = coverage_shares(r.old, E).reshape(S, -1)[:, ix["e_bin"][self.area]]  # area entries'
        # the enabling boost uses the model's enabling effects, also when `effects` are drawn
        boost = enabling_boost(model, r.reached)
        ua = combined_effects_fast(boosted_effects(self.eff, boost)).reshape(S, -1)  # (S, L D K 2)
        up = combined_effects_fast(boosted_effects(self.prot, boost)).reshape(S, -1)
        terms = ce[:, :, None] * ua[:, ix["pair"]]  # (S, entries, 2); other entries' standing share is 0
        terms[:, self.area] += co[:, :, None] * up[:, ix["pair"][self.area]]
        terms = np.concatenate([terms.reshape(S, -1), ce[:, ix["e_ps"]]], axis=1)
        fac = np.exp(scatter_sum(log_factor(terms), self.f_bins, 3 * C))  # (S, 3 C) per class
        F = fac[:, : 2 * C].reshape(S, C, 2)[:, ix["cls"]].reshape(S, G * K, 2)  # per group-state
        st = s_tw.reshape(S, G * K)[:, ix["t_gk"], None]  # twins: reached anew, or housed before
        F[:, ix["t_gk"]] *= 1.0 - st * ua[:, ix["t_pair"]] - (1.0 - st) * up[:, ix["t_pair"]]
        F = F.reshape(S, G, K, 2)
        P = apply_affine(self.parts, F[..., 0], F[..., 1])  # (S, G, K, K)
        # production support: union of the counted lines' coverage over the target group
        miss = fac[:, 2 * C :][:, ix["cls"]].reshape(S, G, K)
        ps_sup, ps_want = production_support_cells(model, n, miss)
        return StepResult(P, after, moved, r.reached, r.eligible, ps_sup, ps_want)
