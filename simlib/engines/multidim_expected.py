"""Expected engine of the multidimensional model: income and deprivation distributions per cell.

For every group g and detailed state k the engine holds
- `H[g, k, b]` households per income bin (log grid, `simlib.multidim.income`), and
- `M[g, k, m]` households per deprivation bitmask m (all 4,096 masks, `simlib.multidim.masks`),
and each year applies, in the microsimulation's order: beneficiary selection (the core's
eligibility, priority tiers, take-up ceiling and budget, with lines that `targets_deprived`
counting only households deprived in their indicators) -> the lines' removal of flags -> the
lines' income effects -> the indicators' own yearly gain and loss -> income growth, volatility
and shocks -> classification by the standard in force at the review -> the next detailed state
(`NEXT_STATE`: poor / near-poor / escaped 1-3 / non-poor from the classification history).

What is exact and what is approximate (relative to the mean of the microsimulation):

- EXACT given the start-of-year distributions of each (g, k): the distribution of flags after
  programme removals and yearly gain/loss (every mask is tracked; removals of different lines
  compose exactly because targeted lines' indicators are cleared by no other line, which the
  parameter check enforces); deprivation counts, per-indicator and per-dimension prevalence;
  the count rule of classification; the state machine; beneficiary counts (with the core's
  caveat that the microsim's eligible counts are random from year 2).
- APPROXIMATE (1) income on a grid: log income is taken as uniform within each bin (step 0.04
  log points by default); the lines are bin edges, so only the kernel and FGT within-bin
  shapes are affected. (2) Mean-field closure: within each (g, k) income and flags are held as
  two separate distributions, i.e. treated as independent. That is true at the baseline
  (synthesis draws them independently) and is preserved by classification within one origin
  state, but not when households from different origin states merge into one state, nor for
  lines that both raise income and clear the employment flag of the same households. The
  closure is re-imposed at every review. The agreement test (tests/test_multidim.py) bounds
  the resulting differences.

Vectorised over a leading scenario axis S through `spend` (S, Y+1, L, D), as the core engine.
"""
from __future__ import annotations

import numpy as np

from simlib.engines.common import EngineOutput, fill_tiers, reach
from simlib.engines.expected import _index, _log_factor, _scatter
from simlib.model import active_spend, enabling_boost
from simlib.multidim import income as inc
from simlib.multidim.masks import COUNT, COUNT_MATRIX, DIMENSION_MATRIX, INDICATOR_MATRIX, flip_bits, mix_clear_bits
from simlib.multidim.model import NEXT_STATE, MultidimModel
from simlib.multidim.output import MultidimOutput
from simlib.standards import ABOVE_C, N_INDICATORS, NEAR_POOR_C, POOR_C


def _any_bits(bits: int) -> np.ndarray:
    return ((np.arange(1 << N_INDICATORS) & bits) != 0).astype(float)


def run_multidim_expected(mm: MultidimModel, spend: np.ndarray | None = None) -> EngineOutput:
    """Expected counts and deprivation prevalence for one scenario or a batch (leading S on spend)."""
    model = mm.base
    spend = model.spend[None] if spend is None else np.asarray(spend, float)
    if spend.ndim == 3:
        spend = spend[None]
    S = spend.shape[0]
    L, G, K = model.eligible.shape
    D, T, Y, B = len(model.unit_ids), model.n_tiers, len(model.years), mm.B
    J = N_INDICATORS
    ix = _index(model)
    m_line, m_bin, m_gk = ix["m_line"], ix["m_bin"], ix["m_gk"]
    m_lgk = m_line * (G * K) + m_gk
    hh = model.household_line
    cap, ms = model.capacity_units, model.max_share
    area = model.g_area
    m1, _ = inc.bin_moments(mm.edges)
    any_bits = {l: _any_bits(int(mm.line_bits[l])) for l in range(L) if mm.targeted[l]}
    ps_lines = np.flatnonzero(model.ps_lines)

    n = np.broadcast_to(model.n0, (S, G, K)).astype(float)
    H = n[..., None] * mm.init_income(0)[None]
    M = n[..., None] * mm.init_masks(int(mm.min_deprivations[0]))[None]
    work = np.empty_like(M)  # scratch space for classification

    states = np.empty((S, Y + 1, G, K))
    flows = np.empty((S, Y, G, K, K))
    entries = np.empty((S, Y, G, K))
    reached_out = np.empty((S, Y, L, D))
    elig_out = np.empty((S, Y, L, D))
    ps_sup = np.empty((S, Y))
    ps_want = np.empty((S, Y))
    deprived = np.empty((S, Y + 1, G, K, J))
    dim_dep = np.empty((S, Y + 1, G, K, DIMENSION_MATRIX.shape[1]))
    count_dist = np.empty((S, Y + 1, G, K, J + 1))
    fgt1 = np.empty((S, Y + 1, G, K))
    fgt2 = np.empty((S, Y + 1, G, K))
    income_sum = np.empty((S, Y + 1, G, K))
    removed = np.zeros((S, Y, L, G, J))

    def record(t: int) -> None:
        states[:, t] = n
        deprived[:, t] = M @ INDICATOR_MATRIX
        dim_dep[:, t] = M @ DIMENSION_MATRIX
        count_dist[:, t] = M @ COUNT_MATRIX
        w1 = mm.fgt1_bin[t][area][None, :, None, :]
        w2 = mm.fgt2_bin[t][area][None, :, None, :]
        fgt1[:, t] = (H * w1).sum(-1)
        fgt2[:, t] = (H * w2).sum(-1)
        income_sum[:, t] = H @ m1

    record(0)
    shift_cache: dict[float, np.ndarray] = {}
    for y in range(Y):
        t = y + 1
        sp = active_spend(model, spend, y)  # (S, L, D)
        # share of each (g, k) a line can select: 1, or the share deprived in its indicators
        frac = np.ones((S, L, G, K))
        with np.errstate(invalid="ignore", divide="ignore"):
            for l, ab in any_bits.items():
                frac[:, l] = np.where(n > 0, (M @ ab) / n, 0.0)
        w = n.reshape(S, G * K)[:, m_gk] * frac.reshape(S, L * G * K)[:, m_lgk]
        E = _scatter(w, m_bin, L * D * T).reshape(S, L, D, T)
        E_tot = np.where(hh[:, None], E.sum(-1), cap)
        R = reach(sp, model.unit_cost, E_tot * ms[:, None])
        cov = fill_tiers(R, E * ms[:, None, None])
        c = np.divide(cov, E, out=np.zeros_like(cov), where=E > 0).reshape(S, L * D * T)
        cov_lgk = np.zeros((S, L * G * K))
        cov_lgk[:, m_lgk] = c[:, m_bin]
        cov_lgk = cov_lgk.reshape(S, L, G, K)  # coverage of the selectable households
        share = cov_lgk * frac  # share of all households of (g, k) reached
        boost = enabling_boost(model, np.where(hh[:, None], 0.0, R))  # (S, D)
        bg = boost[:, model.g_unit]  # (S, G)
        reached_out[:, y], elig_out[:, y] = R, E_tot
        # production support: union of the counted lines' reach over the target group
        miss = np.exp(_log_factor(share[:, ps_lines]).sum(axis=1)) if ps_lines.size else np.ones((S, G, K))
        target = n * model.ps_population
        ps_sup[:, y] = (target * (1.0 - miss)).sum(axis=(1, 2))
        ps_want[:, y] = model.ps_want_share * target.sum(axis=(1, 2))

        # 1. programme removals of deprivation flags (targeted lines first)
        for l in mm.line_order:
            bits = int(mm.line_bits[l])
            if not hh[l] or mm.removal[l] <= 0 or bits == 0 or not np.any(cov_lgk[:, l] > 0):
                continue
            r = np.broadcast_to(np.minimum(1.0, mm.removal[l] * (1.0 + bg))[:, :, None], (S, G, K))
            rows = np.flatnonzero((cov_lgk[:, l] > 0).any(axis=0).ravel())  # (g, k) the line reaches
            Mr = M.reshape(S, G * K, -1)[:, rows]
            change = mix_clear_bits(Mr, bits, r.reshape(S, -1)[:, rows], cov_lgk[:, l].reshape(S, -1)[:, rows])
            M.reshape(S, G * K, -1)[:, rows] = Mr
            dep = np.zeros((S, G * K, J))
            dep[:, rows] = -(change @ INDICATOR_MATRIX)
            removed[:, y, l] = dep.reshape(S, G, K, J).sum(axis=2)
        # 2. programme income effects: y -> y + delta for the reached share
        for l in np.flatnonzero(hh & (mm.income_effect > 0)):
            if not np.any(share[:, l] > 0):
                continue
            delta = mm.income_effect[l] * (1.0 + boost)  # (S, D)
            Hs = np.empty_like(H)
            for s in range(S):
                for d in range(D):
                    sel = model.g_unit == d
                    key = round(float(delta[s, d]), 6)
                    if key not in shift_cache:
                        shift_cache[key] = inc.shift_matrix(mm.edges, key)
                    Hs[s, sel] = H[s, sel] @ shift_cache[key]
            H = H + share[:, l, :, :, None] * (Hs - H)
        # 3. the indicators' own yearly changes; 4. income growth, volatility, shocks
        flip_bits(M, mm.gain, mm.loss, out=M)
        for a in range(mm.kernel.shape[0]):
            sel = area == a
            H[:, sel] = H[:, sel] @ mm.kernel[a]
        # 5. classification by the standard in force at review t (mean-field: income and flags
        #    independent within each (g, k))
        below = mm.below[t][area][None, :, None, :]  # (1, G, 1, B)
        Hb = H * below
        Ha = H - Hb
        poor_mask = (COUNT >= mm.min_deprivations[t]).astype(float)
        Mp = np.multiply(M, poor_mask, out=work)
        Mn = M - Mp
        with np.errstate(invalid="ignore", divide="ignore"):
            a_below = np.where(n > 0, Hb.sum(-1) / n, 0.0)
            pi_poor = np.where(n > 0, Mp.sum(-1) / n, 0.0)
        fl = np.zeros((S, G, K, K))
        H_new = np.zeros_like(H)
        M_new = np.zeros_like(M)
        for k in range(K):
            kp, kn, ka = NEXT_STATE[k, POOR_C], NEXT_STATE[k, NEAR_POOR_C], NEXT_STATE[k, ABOVE_C]
            a_k, p_k = a_below[:, :, k], pi_poor[:, :, k]
            fl[:, :, k, kp] += n[:, :, k] * a_k * p_k
            fl[:, :, k, kn] += n[:, :, k] * a_k * (1 - p_k)
            fl[:, :, k, ka] += n[:, :, k] * (1 - a_k)
            H_new[:, :, kp] += Hb[:, :, k] * p_k[..., None]
            H_new[:, :, kn] += Hb[:, :, k] * (1 - p_k)[..., None]
            H_new[:, :, ka] += Ha[:, :, k]
            M_new[:, :, kp] += Mp[:, :, k] * a_k[..., None]
            M_new[:, :, kn] += Mn[:, :, k] * a_k[..., None]
            M_new[:, :, ka] += M[:, :, k] * (1 - a_k)[..., None]
        # 6. household formation, synthesised under the standard in force
        new = model.growth * n.sum(-1, keepdims=True) * model.entry  # (S, G, K)
        H = H_new + new[..., None] * mm.init_income(t)[None]
        M = M_new + new[..., None] * mm.init_masks(int(mm.min_deprivations[t]))[None]
        flows[:, y], entries[:, y] = fl, new
        n = fl.sum(axis=-2) + new
        record(t)
    md = MultidimOutput(deprived, dim_dep, count_dist, fgt1, fgt2, income_sum, removed)
    return EngineOutput("expected", states, flows, entries, reached_out, elig_out, ps_sup, ps_want, multidim=md)
