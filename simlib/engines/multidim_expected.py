"""Expected engine of the multidimensional model: income and deprivation distributions per cell.

For every group g and detailed state k the engine holds
- `M[g, k, m]`: households per deprivation bitmask m (all 4,096 masks, `simlib.multidim.masks`);
- `Hc[g, k, q, b]`: households per key q and income bin b (log grid, `simlib.multidim.income`),
  where a mask's key is its number of deprivations and the state of the "linked" flags — those
  that lines raising income also clear (employment, adult education); `Hc.sum(b)` equals M summed
  by key, always (`simlib.multidim.masks.JointSpace`).
Each year it applies, in the microsimulation's order: beneficiary selection (the core's
eligibility, priority tiers, take-up ceiling and budget, with lines that `targets_deprived`
counting only households deprived in their indicators) -> each line's removal of flags and
income effect on the households it reaches -> the indicators' own yearly gain and loss -> income
growth, volatility and shocks -> classification by the standard in force at the review -> the
next detailed state (`NEXT_STATE`: poor / near-poor / escaped 1-3 / non-poor from the
classification history) -> new households.

What is exact and what is approximate (relative to the mean of the microsimulation):

- EXACT: the distribution of deprivation masks in every cell-state (all 4,096 masks, every
  operation of the microsim has an exact counterpart; removals of different lines compose
  exactly because a targeted line's indicators are cleared by no other line, which the
  parameter check enforces), hence the per-indicator and per-dimension prevalence and the
  deprivation-count distribution; the joint distribution of income and the key under anything
  that does not change flags — classification (income <= line and count >= 3), merges of
  households from different states, household formation, the reclassification at a change of
  standard — and under a line that raises income and clears linked flags of the same
  households; beneficiary counts (with the core's caveat that the microsim's eligible counts are
  random from the second year).
- APPROXIMATE (1) income on a grid: log income is taken as uniform within each bin (step 0.05
  log points by default); the income lines are bin edges, so only within-bin shapes matter
  (kernel, FGT, income effects). (2) Given the key, income is held independent of the other
  (unlinked) flags. The synthesis makes this true at the baseline; a flag change (a line's
  removal, the yearly gain/loss) moves households to another key with their income, which keeps
  the key-income link but re-imposes this independence after the change (once for the yearly
  flips, which are applied to all bits at once as in the microsim; once per flag for a line's
  removals). tests/test_multidim.py bounds the engines' difference and shows the bound can fail.

Vectorised over a leading scenario axis S through `spend` (S, Y+1, L, D), as the core engine.
"""

from __future__ import annotations

import numpy as np

from simlib.engines.common import EngineOutput, fill_tiers, reach
from simlib.engines.expected import _log_factor
from simlib.model import active_spend, enabling_boost
from simlib.multidim import income as inc
from simlib.multidim.masks import COUNT_MATRIX, DIMENSION_MATRIX, INDICATOR_MATRIX, bits_list
from simlib.multidim.model import NEXT_STATE, MultidimModel
from simlib.multidim.output import MultidimOutput
from simlib.standards import ABOVE_C, N_INDICATORS, NEAR_POOR_C, POOR_C


def _any_bits(bits: int) -> np.ndarray:
    return ((np.arange(1 << N_INDICATORS) & bits) != 0).astype(float)


def _initial(mm: MultidimModel, t: int, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(M, Hc) of n (S, G, K) new households synthesised at review t: flags and income independent."""
    Mn = mm.init_masks(int(mm.min_deprivations[t]))  # (G, K, 4096)
    M = n[..., None] * Mn[None]
    Hc = n[..., None, None] * mm.joint.initial(Mn, mm.init_income(t))[None]
    return M, Hc


def _shift(Hr: np.ndarray, units: np.ndarray, delta: np.ndarray, mm: MultidimModel, cache: dict) -> np.ndarray:
    """Income + delta (S, D) VND for households Hr (S, R, ..., B) of the units (R,) of their rows."""
    out = np.empty_like(Hr)
    for s in range(Hr.shape[0]):
        for d in np.unique(units):
            sel = units == d
            key = round(float(delta[s, d]), 6)
            if key not in cache:
                cache[key] = inc.shift_matrix(mm.edges, key)
            out[s, sel] = Hr[s, sel] @ cache[key]
    return out


def _index(model) -> dict:
    """One entry per eligible (line, group-state): its line, group-state and (line, unit, tier)
    bin (cached on the model). The multidimensional engine works per group-state, as deprivation
    masks differ within the classes the states engine merges."""
    if "multidim_expected" in model.cache:
        return model.cache["multidim_expected"]
    L, G, K = model.eligible.shape
    D, T = len(model.unit_ids), model.n_tiers
    m_line, m_g, m_k = np.nonzero(model.eligible)
    m_bin = (m_line * D + model.g_unit[m_g]) * T + model.tier[m_line, m_g, m_k]
    idx = {"m_line": m_line, "m_bin": m_bin, "m_gk": m_g * K + m_k}
    model.cache["multidim_expected"] = idx
    return idx


def _scatter(values: np.ndarray, index: np.ndarray, size: int) -> np.ndarray:
    """Sum values (S, M) into (S, size) bins given by index (M,): a batched bincount."""
    S = values.shape[0]
    flat = (np.arange(S)[:, None] * size + index[None, :]).ravel()
    return np.bincount(flat, weights=values.ravel(), minlength=S * size).reshape(S, size)


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
    sp_ = mm.joint
    NC = sp_.n_keys
    ix = _index(model)
    m_line, m_bin, m_gk = ix["m_line"], ix["m_bin"], ix["m_gk"]
    m_lgk = m_line * (G * K) + m_gk
    hh = model.household_line
    cap, ms = model.capacity_units, model.max_share
    area = model.g_area
    m1, _ = inc.bin_moments(mm.edges)
    any_bits = {li: _any_bits(int(mm.line_bits[li])) for li in range(L) if mm.targeted[li]}
    ps_lines = np.flatnonzero(model.ps_lines)

    n = np.broadcast_to(model.n0, (S, G, K)).astype(float)
    M, Hc = _initial(mm, 0, n)

    out = EngineOutput.zeros("expected", S, Y, G, K, L, D)
    states, flows, entries, reached_out, elig_out, ps_sup, ps_want = out.arrays()
    deprived = np.empty((S, Y + 1, G, K, J))
    dim_dep = np.empty((S, Y + 1, G, K, DIMENSION_MATRIX.shape[1]))
    count_dist = np.empty((S, Y + 1, G, K, J + 1))
    fgt1 = np.empty((S, Y + 1, G, K))
    fgt2 = np.empty((S, Y + 1, G, K))
    income_sum = np.empty((S, Y + 1, G, K))
    removed = np.zeros((S, Y, L, G, J))

    def record(t: int) -> None:
        H = Hc.sum(-2)
        states[:, t] = n
        deprived[:, t] = M @ INDICATOR_MATRIX
        dim_dep[:, t] = M @ DIMENSION_MATRIX
        count_dist[:, t] = M @ COUNT_MATRIX
        fgt1[:, t] = (H * mm.fgt1_bin[t][area][None, :, None, :]).sum(-1)
        fgt2[:, t] = (H * mm.fgt2_bin[t][area][None, :, None, :]).sum(-1)
        income_sum[:, t] = H @ m1

    record(0)
    shift_cache: dict[float, np.ndarray] = {}
    for y in range(Y):
        t = y + 1
        sp = active_spend(model, spend, y)  # (S, L, D)
        # share of each (g, k) a line can select: 1, or the share deprived in its indicators
        frac = np.ones((S, L, G, K))
        with np.errstate(invalid="ignore", divide="ignore"):
            for li, ab in any_bits.items():
                frac[:, li] = np.where(n > 0, (M @ ab) / n, 0.0)
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
        miss = np.exp(_log_factor(share[:, ps_lines]).sum(axis=1)) if ps_lines.size else np.ones((S, G, K))
        target = n * model.ps_population
        ps_sup[:, y] = (target * (1.0 - miss)).sum(axis=(1, 2))
        ps_want[:, y] = model.ps_want_share * target.sum(axis=(1, 2))

        # 1. each line acts on the households it reaches (targeted lines first): flags cleared,
        #    income raised; reached and not reached households are kept apart while it acts
        for li in mm.line_order:
            bits = int(mm.line_bits[li])
            acts_flags = mm.removal[li] > 0 and bits != 0
            acts_income = mm.income_effect[li] > 0
            if not hh[li] or not (acts_flags or acts_income) or not np.any(cov_lgk[:, li] > 0):
                continue
            rows = np.flatnonzero((cov_lgk[:, li] > 0).any(axis=0).ravel())  # (g, k) the line reaches
            Mg = M.reshape(S, G * K, -1)
            Hg = Hc.reshape(S, G * K, NC, B)
            Msub, Hsub = Mg[:, rows], Hg[:, rows]
            cl = cov_lgk[:, li].reshape(S, -1)[:, rows]  # (S, R)
            if mm.targeted[li]:
                Msel = Msub * any_bits[li]
                with np.errstate(invalid="ignore", divide="ignore"):
                    nc = sp_.counts(Msub)
                    fc = np.where(nc > 0, sp_.counts(Msel) / nc, 0.0)  # deprived share by key
                Mr = cl[..., None] * Msel
                Hr = Hsub * (cl[..., None] * fc)[..., None]
            else:
                Mr = cl[..., None] * Msub
                Hr = cl[..., None, None] * Hsub
            Msub = Msub - Mr
            Hsub = Hsub - Hr
            if acts_flags:
                before = Mr @ INDICATOR_MATRIX
                r = np.minimum(1.0, mm.removal[li] * (1.0 + bg)).repeat(K, axis=1)[:, rows]  # (S, R)
                for j in bits_list(bits):
                    sp_.bit_op(Mr, Hr, j, 0.0, r)
                dep = np.zeros((S, G * K, J))
                dep[:, rows] = before - Mr @ INDICATOR_MATRIX
                removed[:, y, li] = dep.reshape(S, G, K, J).sum(axis=2)
            if acts_income:
                delta = mm.income_effect[li] * (1.0 + boost)  # (S, D)
                Hr = _shift(Hr, model.g_unit[rows // K], delta, mm, shift_cache)
            Mg[:, rows] = Msub + Mr
            Hg[:, rows] = Hsub + Hr
        # 2. the indicators' own yearly changes; 3. income growth, volatility, shocks
        M, Hc = sp_.flip(M, Hc, mm.gain, mm.loss)
        for a in range(mm.kernel.shape[0]):
            sel = area == a
            Hc[:, sel] = Hc[:, sel] @ mm.kernel[a]
        # 4. classification by the standard in force at review t: income <= line, count >= k
        below = mm.below[t][area][None, :, None, None, :]  # (1, G, 1, 1, B)
        Hb = Hc * below
        Ha = Hc - Hb
        k3 = int(mm.min_deprivations[t])
        nb_c = Hb.sum(-1)  # (S, G, K, keys) below the line, by key
        nc = Hc.sum(-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            a_c = np.where(nc > 0, nb_c / nc, 0.0)  # share below the line, by key
        a_m = a_c[..., sp_.key_of]  # (S, G, K, 4096)
        poor_m = sp_.key_of // sp_.n_linked >= k3
        poor_k = sp_.key_count >= k3
        fl = np.zeros((S, G, K, K))
        H_new = np.zeros_like(Hc)
        M_new = np.zeros_like(M)
        for k in range(K):
            kp, kn, ka = NEXT_STATE[k, POOR_C], NEXT_STATE[k, NEAR_POOR_C], NEXT_STATE[k, ABOVE_C]
            fl[:, :, k, kp] += nb_c[:, :, k, poor_k].sum(-1)
            fl[:, :, k, kn] += nb_c[:, :, k, ~poor_k].sum(-1)
            fl[:, :, k, ka] += Ha[:, :, k].sum(axis=(-2, -1))
            H_new[:, :, kp, poor_k] += Hb[:, :, k, poor_k]
            H_new[:, :, kn, ~poor_k] += Hb[:, :, k, ~poor_k]
            H_new[:, :, ka] += Ha[:, :, k]
            Mb = M[:, :, k] * a_m[:, :, k]
            M_new[:, :, kp] += Mb * poor_m
            M_new[:, :, kn] += Mb * ~poor_m
            M_new[:, :, ka] += M[:, :, k] - Mb
        # 5. household formation, synthesised under the standard in force
        new = model.growth * n.sum(-1, keepdims=True) * model.entry  # (S, G, K)
        M_add, H_add = _initial(mm, t, new)
        M, Hc = M_new + M_add, H_new + H_add
        flows[:, y], entries[:, y] = fl, new
        n = fl.sum(axis=-2) + new
        record(t)
    md = MultidimOutput(deprived, dim_dep, count_dist, fgt1, fgt2, income_sum, removed)
    return EngineOutput("expected", states, flows, entries, reached_out, elig_out, ps_sup, ps_want, multidim=md)
