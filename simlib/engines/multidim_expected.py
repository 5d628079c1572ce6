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
- APPROXIMATE (1) income on a grid: log income is taken as uniform within each bin (uniform, or
  fine near the income lines and coarser in the tails: params/multidim.yaml `income.grid`; the
  convergence study is benchmarks/multidim_grid.py); the income lines are bin edges, so only
  within-bin shapes matter (kernel, FGT, income effects). (2) Given the key, income is held independent of the other
  (unlinked) flags. The synthesis makes this true at the baseline; a flag change (a line's
  removal, the yearly gain/loss) moves households to another key with their income, which keeps
  the key-income link but re-imposes this independence after the change (once for the yearly
  flips, which are applied to all bits at once as in the microsim; once per flag for a line's
  removals). tests/test_multidim.py bounds the engines' difference and shows the bound can fail.
Vectorised over a leading scenario axis S through `spend` (S, Y+1, L, D), as the core engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib.engines import multidim_jit, multidim_tables
from simlib.engines.common import EngineOutput, EngineState
from simlib.engines.expected import log_factor
from simlib.engines.multidim_reach_kernels import (
    held_into,
    programme_static,
    programme_work,
    reach_cells,
)
from simlib.engines.multidim_review import Review
from simlib.engines.multidim_span import TablePool, closed, opened
from simlib.engines.multidim_vacancy import Marks, VacantState, at_baseline, destination, handed, unknown, year_state
from simlib.engines.reach import acting_money, enabling_boost, formation_sizes, held_weight, production_support_cells
from simlib.errors import InputError
from simlib.memo import memoised
from simlib.multidim import income as inc
from simlib.multidim.masks import COUNT_MATRIX, DIMENSION_MATRIX, INDICATOR_MATRIX, bits_list
from simlib.multidim.model import NEXT_STATE, MultidimModel
from simlib.multidim.output import MultidimOutput
from simlib.standards import ABOVE_C, N_INDICATORS, NEAR_POOR_C, POOR_C

BACKENDS = ("auto", "jit", "numpy")


def _targeting_bits(mm: MultidimModel) -> dict[int, np.ndarray]:
    """{line: (4096,) 1.0 where a mask has one of the line's indicators} for the lines that
    target deprived households (cached on the model)."""

    def build():
        masks = np.arange(1 << N_INDICATORS)
        return {li: ((masks & int(b)) != 0).astype(float) for li, b in enumerate(mm.line_bits) if mm.targeted[li]}

    return memoised(mm, "multidim_expected.targeting", build)


@dataclass
class _Cells:
    """What the engine carries from review to review, for S scenarios: households by group and
    state `n` (S, G, K), by deprivation mask `M` (S, G, K, 4096) and by (key, income bin)
    `Hc` (S, G, K, keys, B)."""

    n: np.ndarray
    M: np.ndarray
    Hc: np.ndarray


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


def _selectable(mm: MultidimModel, M: np.ndarray, any_bits: dict) -> np.ndarray:
    """Households (S, L, G, K) deprived in the indicators of each line that targets deprived
    households (zero for the other lines), from households by mask M (S, G, K, 4096)."""
    S, G, K = M.shape[:3]
    sel = np.zeros((S, len(mm.line_bits), G, K))
    for li, ab in any_bits.items():
        sel[:, li] = M @ ab
    return sel


def _reach_static(mm: MultidimModel) -> tuple:
    """(the lines that target deprived households, `programme_static`) of a model (cached on it)."""

    def build():
        lines = np.fromiter(_targeting_bits(mm), np.int64)
        return lines, programme_static(mm.base, lines)

    return memoised(mm, "multidim_expected.reach_static", build)


def _reach(mm: MultidimModel, n: np.ndarray, sel: np.ndarray, sp: np.ndarray, stock: np.ndarray, work=None) -> tuple:
    """The shared programme step on the cells (`multidim_reach_kernels.reach_cells`: eligible
    households, counting only those deprived in a targeting line's indicators, `sel` (S, L, G,
    K), for it; beneficiaries; coverage; the year's `reach.record`) into `work` (`programme_work`;
    new if None)."""
    lines, static = _reach_static(mm)
    return reach_cells(mm.base, (lines, static), n, sel, sp, stock, work)


def _programme_step(
    mm: MultidimModel,
    n: np.ndarray,
    sel: np.ndarray,
    sp: np.ndarray,
    out: EngineOutput,
    y: int,
    built: np.ndarray,
    work=None,
):
    """The year's shared programme step for both backends: reach (area lines' standing works from
    `built` (S, Y, L, D), the households they newly served, which it records for year y), coverage,
    production support (written into `out`) and the enabling boost (S, D); `work`: `_reach`'s.
    Returns (coverage (S, L, G, K), boost)."""
    model = mm.base
    stock = np.empty(sp.shape)  # `reach.held_stock`'s bits, compiled
    held_into(built, y, held_weight(model, y), stock)
    reached, eligible, cov_lgk, share, built[:, y] = _reach(mm, n, sel, sp, stock, work)
    out.reached[:, y], out.eligible[:, y] = reached, eligible
    miss = np.exp(log_factor(share).sum(axis=1)) if share.shape[1] else np.ones(n.shape)
    out.ps_supported[:, y], out.ps_wanting[:, y] = production_support_cells(model, n, miss)
    return cov_lgk, enabling_boost(model, reached)


def _line_acts(mm, cells: _Cells, li: int, cov: np.ndarray, boost: np.ndarray, any_bits: dict, shift_cache: dict):
    """Line li acts on the households it reaches (coverage `cov` (S, G, K) of its selectable
    households): flags cleared, income raised; reached and not reached households are kept apart
    while it acts. Returns deprivations removed (S, G, 12) or None."""
    model, joint = mm.base, mm.joint
    S, G, K = cells.n.shape
    bits = int(mm.line_bits[li])
    acts_flags = mm.removal[li] > 0 and bits != 0
    rows = np.flatnonzero((cov > 0).any(axis=0).ravel())  # (g, k) the line reaches
    Mg = cells.M.reshape(S, G * K, -1)
    Hg = cells.Hc.reshape(S, G * K, joint.n_keys, mm.B)
    Msub, Hsub = Mg[:, rows], Hg[:, rows]
    cl = cov.reshape(S, -1)[:, rows]  # (S, R)
    if mm.targeted[li]:
        Msel = Msub * any_bits[li]
        with np.errstate(invalid="ignore", divide="ignore"):
            nc = joint.counts(Msub)
            fc = np.where(nc > 0, joint.counts(Msel) / nc, 0.0)  # deprived share by key
        Mr = cl[..., None] * Msel
        Hr = Hsub * (cl[..., None] * fc)[..., None]
    else:
        Mr = cl[..., None] * Msub
        Hr = cl[..., None, None] * Hsub
    Msub = Msub - Mr
    Hsub = Hsub - Hr
    removed = None
    if acts_flags:
        before = Mr @ INDICATOR_MATRIX
        bg = boost[:, model.g_unit]  # (S, G)
        r = np.minimum(1.0, mm.removal[li] * (1.0 + bg)).repeat(K, axis=1)[:, rows]  # (S, R)
        for j in bits_list(bits):
            joint.bit_op(Mr, Hr, j, 0.0, r)
        dep = np.zeros((S, G * K, N_INDICATORS))
        dep[:, rows] = before - Mr @ INDICATOR_MATRIX
        removed = dep.reshape(S, G, K, N_INDICATORS).sum(axis=2)
    if mm.income_effect[li] > 0:
        delta = mm.income_effect[li] * (1.0 + boost)  # (S, D)
        Hr = _shift(Hr, model.g_unit[rows // K], delta, mm, shift_cache)
    if model.once_line[li]:  # the households it reached move to their group's housed twin
        tw = model.twin[rows // K] * K + rows % K
        moved = Mr.sum(-1)
        Mg[:, rows], Hg[:, rows] = Msub, Hsub
        Mg[:, tw] += Mr
        Hg[:, tw] += Hr
        ng = cells.n.reshape(S, G * K)
        ng[:, rows] -= moved
        ng[:, tw] += moved
    else:
        Mg[:, rows] = Msub + Mr
        Hg[:, rows] = Hsub + Hr
    return removed


def _own_changes(mm: MultidimModel, cells: _Cells) -> None:
    """The indicators' own yearly changes, then income growth, volatility and shocks."""
    cells.M, cells.Hc = mm.joint.flip(cells.M, cells.Hc, mm.gain, mm.loss)
    area = mm.base.g_area
    for a in range(mm.kernel.shape[0]):
        sel = area == a
        cells.Hc[:, sel] = cells.Hc[:, sel] @ mm.kernel[a]


def _classify(mm: MultidimModel, cells: _Cells, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classification by the standard in force at review t (income <= line, count >= k) and the
    next detailed state: flows (S, G, K, K) and the households' masks and incomes by new state."""
    joint, K = mm.joint, cells.n.shape[2]
    M, Hc = cells.M, cells.Hc
    below = mm.below[t][mm.base.g_area][None, :, None, None, :]  # (1, G, 1, 1, B)
    Hb = Hc * below
    Ha = Hc - Hb
    k3 = int(mm.min_deprivations[t])
    nb_c = Hb.sum(-1)  # (S, G, K, keys) below the line, by key
    nc = Hc.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        a_c = np.where(nc > 0, nb_c / nc, 0.0)  # share below the line, by key
    a_m = a_c[..., joint.key_of]  # (S, G, K, 4096)
    poor_m = joint.key_of // joint.n_linked >= k3
    poor_k = joint.key_count >= k3
    fl = np.zeros(cells.n.shape + (K,))
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
    return fl, M_new, H_new


def _record(mm: MultidimModel, cells: _Cells, t: int, states: np.ndarray, md: MultidimOutput) -> None:
    """Households, deprivation prevalence, FGT sums and income at review t."""
    H = cells.Hc.sum(-2)
    area = mm.base.g_area
    states[:, t] = cells.n
    md.deprived[:, t] = cells.M @ INDICATOR_MATRIX
    md.dim_deprived[:, t] = cells.M @ DIMENSION_MATRIX
    md.multi_deprived[:, t] = cells.M @ COUNT_MATRIX
    md.fgt1[:, t] = (H * mm.fgt1_bin[t][area][None, :, None, :]).sum(-1)
    md.fgt2[:, t] = (H * mm.fgt2_bin[t][area][None, :, None, :]).sum(-1)
    md.income_sum[:, t] = H @ memoised(mm, "bin_means", lambda: inc.bin_moments(mm.edges)[0])


def _year(
    mm: MultidimModel, cells: _Cells, sp: np.ndarray, t: int, out: EngineOutput, shift_cache: dict, built: np.ndarray
) -> None:
    """Projected year y = t - 1 in the microsimulation's order (see the module docstring);
    `built` (S, Y, L, D) records the households area lines newly serve."""
    model, y, md = mm.base, t - 1, out.multidim
    any_bits = _targeting_bits(mm)
    cov_lgk, boost = _programme_step(mm, cells.n, _selectable(mm, cells.M, any_bits), sp, out, y, built)
    for li in mm.line_order:
        acts = (mm.removal[li] > 0 and int(mm.line_bits[li]) != 0) or mm.income_effect[li] > 0 or model.once_line[li]
        if not model.household_line[li] or not acts or not np.any(cov_lgk[:, li] > 0):
            continue
        removed = _line_acts(mm, cells, li, cov_lgk[:, li], boost, any_bits, shift_cache)
        if removed is not None:
            md.removed[:, y, li] = removed
    _own_changes(mm, cells)
    fl, M_new, H_new = _classify(mm, cells, t)
    # household formation, synthesised under the standard in force
    new = model.growth * formation_sizes(model, cells.n)[..., None] * model.entry  # (S, G, K)
    M_add, H_add = _initial(mm, t, new)
    out.flows[:, y], out.entries[:, y] = fl, new
    cells.M, cells.Hc = M_new + M_add, H_new + H_add
    cells.n = fl.sum(axis=-2) + new


def run_years(model, start: int, stop: int | None, state: EngineState | None) -> tuple[int, int]:
    """The projected years [start, stop) a run covers; a run from start > 0 needs the state
    handed over at review `start` (`EngineOutput.state` of the run before); one from the baseline
    may be given the baseline's state (handed over by a run that stopped at review 0)."""
    Y = len(model.years)
    stop = Y if stop is None else int(stop)
    if not 0 <= start <= stop <= Y:
        raise ValueError(f"years [{start}, {stop}) are not within the {Y} projected years")
    if (start > 0 and state is None) or (state is not None and state.t != start):
        raise ValueError(f"a run from review {start} needs the state handed over at that review")
    return start, stop


def _handed_over(model, t: int, n, built, M, H) -> EngineState:
    """The state at review t (copies are not needed: the run is over)."""
    return EngineState(t, n, built, np.asarray(model.structure.area_line, bool), {"M": M, "H": H})


def _run_numpy(mm: MultidimModel, spend: np.ndarray, start: int = 0, stop=None, state=None) -> EngineOutput:
    """The numpy reference: every operation on the whole (S, G, K, ...) arrays; the projected
    years [start, stop), from the baseline or from a `state` handed over at review `start`."""
    model = mm.base
    S = spend.shape[0]
    G, K = model.n0.shape
    Y = len(model.years)
    start, stop = run_years(model, start, stop, state)
    sp_all = acting_money(model, spend)  # (S, Y, L, D)
    if state is None:
        n = np.broadcast_to(model.n0, (S, G, K)).astype(float)
        cells = _Cells(n, *_initial(mm, 0, n))
        built = np.zeros(sp_all.shape)
    else:
        n, built, taken = state.taken()  # copies, unless handed over `once`
        cells = _Cells(n, taken["M"], taken["H"])
    out = EngineOutput.like("expected", model, S)
    out.multidim = MultidimOutput.zeros(S, Y, G, K, len(model.line_codes))
    shift_cache: dict[float, np.ndarray] = {}
    _record(mm, cells, start, out.states, out.multidim)
    for y in range(start, stop):
        _year(mm, cells, sp_all[:, y], y + 1, out, shift_cache, built)
        _record(mm, cells, y + 1, out.states, out.multidim)
    out.state = _handed_over(model, stop, cells.n, built, cells.M, cells.Hc)
    return out.removals_by_pair(mm)


def run_multidim_expected(
    mm: MultidimModel,
    spend: np.ndarray,
    draws: int = 1,
    seed: int | np.random.SeedSequence = 0,
    progress: bool = False,
    label: str = "",
    backend: str = "auto",
    start: int = 0,
    stop: int | None = None,
    state: EngineState | None = None,
    pool: TablePool | None = None,
) -> EngineOutput:
    """Expected counts and deprivation prevalence for spending `spend` (Y+1, L, D), or a batch
    (S, Y+1, L, D) (`draws`, `seed`, `progress`, `label`: a uniform signature; it is deterministic).
    `backend`: "jit" (compiled, the default with numba), "numpy" (the reference), "auto". The
    projected years [start, stop) only (default: all; reviews start..stop), from the `state` handed
    over at review `start` by an earlier run (`EngineOutput.state`); `pool`: `open_run`'s."""
    if backend not in BACKENDS:
        raise InputError("enum", field="backend", value=backend, allowed=BACKENDS)
    spend = np.asarray(spend, float)
    if spend.ndim == 3:
        spend = spend[None]
    if backend == "numpy" or (backend == "auto" and not multidim_jit.available()):
        return _run_numpy(mm, spend, start, stop, state)
    return run_compiled(mm, spend, start, stop, state, pool)


#: scenarios the compiled engine holds at once: about 64 MB each for Cao Bằng
BATCH_BYTES = 1 << 29


def run_compiled(mm: MultidimModel, spend: np.ndarray, start=0, stop=None, state=None, pool=None) -> EngineOutput:
    """The compiled engine (`simlib.engines.multidim_jit`) for spending (S, Y+1, L, D), in
    batches of scenarios that keep its memory near `BATCH_BYTES`; the projected years [start,
    stop), from the baseline or from a `state` handed over at review `start`."""
    model = mm.base
    S = spend.shape[0]
    G, K = model.n0.shape
    per = G * K * (1 << N_INDICATORS) * 8 + G * K * mm.joint.n_keys * mm.B * 8
    size = max(1, BATCH_BYTES // per)
    if S > size:
        if state is not None:
            raise ValueError("a run continued from a handed-over state is one batch of scenarios")
        parts = []
        for a in range(0, S, size):
            part = run_compiled(mm, spend[a : a + size], pool=pool)
            part.state = None  # the stacked output hands over no state: its cells (GBs) go now
            parts.append(part)
        return EngineOutput.stack(parts, "expected")
    start, stop = run_years(model, start, stop, state)
    out, sp_all, cells, source = open_run(mm, spend, start, state, stop, pool)
    for y in range(start, stop):
        multidim_jit.year(mm, y + 1, year_state(cells), *year_programme(mm, cells, sp_all[:, y], out, y), out, source)
        source = None
    return close_run(mm, out, stop, filled(mm, cells, source), pool)


def filled(mm: MultidimModel, cells: tuple, source) -> tuple:
    """The cells (M, H, ...) with M and H filled from `source` (`open_run`'s; None: filled) for a
    run that ran no year or took another path than `year`'s fill; the baseline's known zeros marked."""
    multidim_jit.fill(mm, cells[0], cells[1], source)
    if source is multidim_jit.BASELINE and len(cells) > 5:
        at_baseline(cells[5], mm.base.n0)
    return cells


def open_run(mm: MultidimModel, spend: np.ndarray, start: int, state, stop=None, pool=None) -> tuple:
    """A compiled run's output to review `stop` (None: the last; `opened`, from the caller's `pool`
    if any) with the records of its first review `start`, the money acting (S, Y, L, D), the cells
    (M, H, n, sel, built, vacancy, work, into zero) at `start`, from the baseline or `state` (its
    arrays, or arrays to fill, `EngineState.lent`, with their states known zero,
    `multidim_vacancy.destination`), no twin known vacant (`unknown`), the programme step's working
    arrays ("reach", `programme_work`), and the source to fill M and H from (None: filled), which the
    first year fills by group (`multidim_jit.year`; else `filled`): the state's cells, or `multidim_jit.BASELINE`."""
    model, S = mm.base, spend.shape[0]
    G, K = model.n0.shape
    Y, L = len(model.years), len(model.line_codes)
    out = EngineOutput.like("expected", model, S)
    out.multidim = opened(S, Y, G, K, L, start, Y if stop is None else stop, pool)
    sp_all = acting_money(model, spend)  # (S, Y, L, D)
    D = unknown(S, G) if state is None else destination(state, S, G)  # read before `lent` takes `into`
    if state is None:  # the baseline: its households written by the first year's tasks
        n, V = np.broadcast_to(model.n0, (S, G, K)).astype(float), unknown(S, G)
        (M, H), source = multidim_jit.cells(mm, S), multidim_jit.BASELINE
        built = np.zeros(sp_all.shape)  # households area lines newly served, by year
    else:
        n, built, cells, lent = state.lent()  # copies to make, unless handed over `once`
        M, H, V = cells["M"], cells["H"], handed(state, S, G)
        source = None if lent is None else (lent["M"], lent["H"])
    sel = np.zeros((S, L, G, K))
    baselines = memoised(mm, "multidim_expected.baseline_reviews", dict)  # (S, start) -> Review
    review = getattr(state, "review", None) if state is not None else baselines.get((S, start))
    if review is not None and review.fits(mm, start, out, sel):
        review.write(mm, out, start, sel)  # the review's records, as the run before wrote them
    else:
        if source is multidim_jit.BASELINE:  # the records read every cell: filled first
            filled(mm, (M, H, n, sel, built, V), source)
            source = None
        multidim_jit.record(mm, *(source or (M, H)), n, out, sel, start)
        if state is None:  # the baseline's records do not depend on the money: kept for the next run
            baselines[(S, start)] = Review.of(mm, out, start, n, sel)
    work = {"reach": programme_work(model, _reach_static(mm)[1], S)}
    return out, sp_all, (M, H, n, sel, built, V, work, D), source


def year_programme(mm: MultidimModel, cells: tuple, sp: np.ndarray, out: EngineOutput, y: int) -> tuple:
    """The programme step of year y (`_programme_step`, into `out`) for the cells (M, H, n, sel,
    built[, vacancy, work]) and money sp (S, L, D): coverage (S, L, G, K), removal probabilities
    (S, L, D) and the income effects' shift tables, as `multidim_jit.year` takes them. With the
    run's `work` (`open_run`), the coverage is its array and a year whose enabling boost equals
    the year before's, bit for bit, takes that year's probabilities and tables (the same numbers;
    nobody writes them): `multidim_2030`'s later years, each saving the tables' allocation; the
    model keeps the last boost's (`_last_effects`), which the next run's first year takes when
    its boost is the same."""
    n, sel, built = cells[2:5]
    work = cells[6] if len(cells) > 6 else {}
    cov, boost = _programme_step(mm, n, sel, sp, out, y, built, work.get("reach"))
    made = work.get("effects")
    if made is None or made[0].shape != boost.shape or made[0].tobytes() != boost.tobytes():
        made = work["effects"] = _last_effects(mm, boost)
    return cov, made[1], made[2]


def _last_effects(mm: MultidimModel, boost: np.ndarray) -> tuple:
    """(boost, `_effects`) for the enabling boost (S, D), the model keeping those of the last
    boost it was asked for (one entry: a run's first year after a run with the same money)."""
    last = memoised(mm, "multidim_expected.last_effects", dict)
    key = (boost.shape, boost.tobytes())
    made = last.get(key)
    if made is None:
        last.clear()
        made = last[key] = (boost.copy(), *_effects(mm, boost))
    return made


def _effects(mm: MultidimModel, boost: np.ndarray) -> tuple:
    """(removal probabilities (S, L, D), the income effects' shift tables) under the enabling
    boost (S, D)."""
    gain = 1.0 + boost[:, None, :]  # (S, 1, D)
    rr = np.minimum(1.0, mm.removal[None, :, None] * gain)
    raise_ = mm.income_effect[None, :, None] > 0
    delta = np.where(raise_, np.round(mm.income_effect[None, :, None] * gain, 6), np.nan)
    return rr, multidim_tables.shift_tables(mm, delta)


def close_run(mm: MultidimModel, out: EngineOutput, stop: int, cells: tuple, pool=None) -> EngineOutput:
    """`out` with the state at `stop` handed over, with its review's records and the states its cells
    are known to leave zero (`VacantState`); removals by pair (`multidim_span.closed`: to `pool`)."""
    M, H, n, sel, built = cells[:5]
    given = vars(_handed_over(mm.base, stop, n, built, M, H))
    marks = Marks(cells[5]) if len(cells) > 5 else None
    out.state = VacantState(**given, review=Review.of(mm, out, stop, n, sel), vacancy=marks)
    out.multidim = closed(out.multidim, mm, pool)  # removals by pair
    return out
