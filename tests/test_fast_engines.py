"""The fast household kernel (`microsim-fast`) and the aggregate path (`aggregate`) against a
naive per-household reference with explicit per-line beneficiary draws, against each other
(same distribution) and against the expected engine (same expectation)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario, tiny_raw
from scipy import stats

from simlib.engines import kernel, run_aggregate, run_expected, run_microsim_fast
from simlib.engines.expected import YearStep
from simlib.engines.kernel import DEST, Households, move_records, simulate_fast, step_households, synthesise
from simlib.engines.reach import acting_spend
from simlib.model import compile_model
from simlib.runner import run
from simlib.states import N_STATES, NEAR_POOR, POOR
from simlib.transitions import affine_parts, apply_affine, combined_effects, transition_matrix


@pytest.fixture(scope="module")
def household_model():
    """The tiny scenario and its spending with the enabling lines unfunded (no boost), so that
    the reference below needs only the household lines' coverage; the household lines' money
    tripled so that the programme moves enough households for the tests below to have power."""
    model = compile_model(make_scenario())
    spend = 3.0 * model.spend
    spend[:, ~model.household_line] = 0.0
    return model, spend


def hand_reach(x: float, pool: float, rise: float) -> float:
    """Beneficiaries when the marginal cost rises linearly to (1 + rise) x unit cost: the root of
    r + rise r² / (2 pool) = x (the quadratic formula), capped at the pool."""
    if pool <= 0:
        return 0.0
    r = x if rise == 0 else pool / rise * (np.sqrt(1 + 2 * rise * x / pool) - 1)
    return min(r, pool)


def hand_coverage(model, spend) -> np.ndarray:
    """Coverage share (L, G, K) of each eligible group-state in the first year, worked out from
    the budget directly: reach = the diminishing-returns root in max_share x eligible, priority
    tiers filled in order (area lines: every tier alike), each tier's households equally likely."""
    L, G, K = model.eligible.shape
    D, T = len(model.unit_ids), model.n_tiers
    cov = np.zeros((L, G, K))
    for li in np.flatnonzero(model.household_line):
        spent = spend[1 - model.lag[li], li] if 1 - model.lag[li] >= 0 else np.zeros(D)
        for d in range(D):
            in_unit = model.g_unit == d
            E = np.array([(model.n0 * (model.eligible[li] & (model.tier[li] == t)))[in_unit].sum() for t in range(T)])
            pool = model.max_share[li] * E.sum()
            left = hand_reach(spent[d] / model.unit_cost[li], pool, model.cost_rise[li])
            for t in range(T):
                if E[t] == 0:  # no households in this tier: none taken (and no 0 / 0 for an area line)
                    continue
                take = left * E[t] / E.sum() if model.area_line[li] else min(left, model.max_share[li] * E[t])
                left -= 0 if model.area_line[li] else take
                sel = in_unit[:, None] & model.eligible[li] & (model.tier[li] == t)
                cov[li][sel] = take / E[t]
    return cov


def base_cells(model, moves: np.ndarray) -> np.ndarray:
    """Moves (G, K, K) with each housed twin's moves added to its base group (twins zero)."""
    out = np.where(model.g_housed[:, None, None], 0.0, moves)
    has = np.flatnonzero(model.twin >= 0)
    out[has] += moves[model.twin[has]]
    return out


def naive_year(model, cov, rng) -> np.ndarray:
    """Reference: every household, in a Python loop, is reached by each line independently with
    its coverage, gets its own factors F1, F2 and draws its move. Returns moves (G, K, K)."""
    L, G, K = model.eligible.shape
    u = combined_effects(np.minimum(model.effects, 0.99))  # (L, K, 2), no enabling boost
    moves = np.zeros((G, K, K))
    rows = {}
    for g in range(G):
        for k in range(K):
            for _ in range(int(model.n0[g, k])):
                reached = tuple(bool(rng.random() < cov[li, g, k]) for li in range(L))
                key = (g, k, reached)
                if key not in rows:
                    f1, f2 = np.ones(K), np.ones(K)
                    for li in range(L):
                        if reached[li]:
                            f1[k] *= 1 - u[li, k, 0]
                            f2[k] *= 1 - u[li, k, 1]
                    rows[key] = np.cumsum(transition_matrix(model.rates[g], f1, f2)[k])
                moves[g, k, min(int(np.searchsorted(rows[key], rng.random(), side="right")), K - 1)] += 1
    return moves


def homogeneity_p(a: np.ndarray, b: np.ndarray) -> float:
    """Chi-square test that two sets of move counts (cells x 3 destinations) come from the same
    rows; cells with too few expected moves are left out."""
    stat, dof = 0.0, 0
    for ra, rb in zip(a, b):
        tab = np.array([ra, rb])
        tab = tab[:, tab.sum(0) > 0]
        if tab.shape[1] < 2 or tab.sum(1).min() == 0:
            continue
        exp = tab.sum(1, keepdims=True) * tab.sum(0, keepdims=True) / tab.sum()
        if exp.min() < 5:
            continue
        stat += ((tab - exp) ** 2 / exp).sum()
        dof += tab.shape[1] - 1
    assert dof > 20
    return float(stats.chi2.sf(stat, dof))


def cell_moves(flows: np.ndarray) -> np.ndarray:
    """(..., G, K, K) flows -> (G*K, 3) moves to each state's three destinations, summed."""
    G = flows.shape[-3]
    f = flows.reshape(-1, G, N_STATES, N_STATES).sum(0)
    return np.take_along_axis(f, DEST[None].astype(np.intp).repeat(G, 0), axis=2).reshape(-1, 3)


def test_hand_coverage_matches_the_year_step(household_model):
    """The reference's coverage is worked out independently of the engine; check it yields the
    engine's expected beneficiaries (else the comparisons below would test nothing)."""
    m, spend = household_model
    cov = hand_coverage(m, spend)
    out = run_expected(m, spend)
    reached = np.zeros((len(m.line_codes), len(m.unit_ids)))
    for d in range(len(m.unit_ids)):
        reached[:, d] = (cov * m.n0)[:, m.g_unit == d].sum(axis=(1, 2))
    hh = m.household_line
    np.testing.assert_allclose(reached[hh], out.reached[0, 0][hh], rtol=1e-9, atol=1e-9)


def test_kernel_moves_match_naive_reference_chi_square(household_model):
    m, spend = household_model
    cov = hand_coverage(m, spend)
    rng = np.random.default_rng(20240)
    ref = sum(naive_year(m, cov, rng) for _ in range(6))
    sp = acting_spend(m, spend[None])[:, 0]
    fast = np.zeros_like(ref)
    krng = np.random.default_rng(99)
    for _ in range(6):  # the kernel moves the houses' households to the twins; compared by base group
        st = YearStep(m, 1, m.effects[None])(m.n0[None].astype(float), sp, 0, rng=krng)
        hh = synthesise(m)
        move_records(hh, st.moved[0], m.twin)
        fast += base_cells(m, step_households(hh, st.P[0], krng))
    assert homogeneity_p(cell_moves(ref), cell_moves(fast)) > 1e-3
    # the test has power: a kernel that ignored the programme (baseline rows) is rejected
    base = np.zeros_like(ref)
    for _ in range(6):
        G = len(m.g_unit)
        base += step_households(synthesise(m), transition_matrix(m.rates, np.ones((G, 6)), np.ones((G, 6))), krng)
    assert homogeneity_p(cell_moves(ref), cell_moves(base)) < 1e-6


def test_kernel_goodness_of_fit_to_rows(household_model):
    """Pooled moves of many households against N x row probabilities (chi-square GOF)."""
    m, spend = household_model
    step = YearStep(m, 1, m.effects[None])
    P = step(m.n0[None].astype(float), acting_spend(m, spend[None])[:, 0], 0).P[0]
    rng = np.random.default_rng(5)
    reps = 20
    moves = cell_moves(sum(step_households(synthesise(m), P, rng) for _ in range(reps)))
    rows = np.take_along_axis(P, DEST[None].astype(np.intp).repeat(P.shape[0], 0), axis=2).reshape(-1, 3)
    expected = reps * m.n0.reshape(-1, 1) * rows
    keep = expected.min(1) >= 5
    stat = ((moves[keep] - expected[keep]) ** 2 / expected[keep]).sum()
    assert stats.chi2.sf(stat, 2 * keep.sum()) > 1e-3


def test_backends_give_identical_numbers(tiny_scenario):
    m = compile_model(tiny_scenario)
    a = simulate_fast(m, m.spend, np.random.default_rng(4), backend="numba")
    b = simulate_fast(m, m.spend, np.random.default_rng(4), backend="numpy")
    for f in ("states", "flows", "entries", "reached"):
        assert np.array_equal(getattr(a, f), getattr(b, f))


def test_move_records_moves_the_first_households_of_each_cell():
    """Worked by hand: cell (group 0, state 2) gives its first two households in array order to
    twin 3, cell (1, 0) its first one to twin 2; the others stay (the compiled pass, one counter
    per cell, and the numpy sort give the same households)."""
    group = np.array([0, 1, 0, 0, 1, 0, 1], np.uint16)
    state = np.array([2, 0, 1, 2, 0, 2, 0], np.uint8)
    moved = np.zeros((4, N_STATES))
    moved[0, 2], moved[1, 0] = 2.0, 1.0
    twin = np.array([3, 2, -1, -1])
    hh = Households(np.append(group, [0, 0]), np.append(state, [0, 0]), group.size)
    move_records(hh, moved, twin)
    assert hh.group[: hh.size].tolist() == [3, 2, 0, 3, 1, 0, 1] and hh.group[hh.size :].tolist() == [0, 0]
    assert hh.state[: hh.size].tolist() == state.tolist()
    numpy_path = group.copy()
    kernel.move_first_numpy(numpy_path, state, np.rint(moved).astype(np.int64).ravel(), twin.astype(np.uint16))
    assert numpy_path.tolist() == hh.group[: hh.size].tolist()


def test_thresholds_are_the_clipped_cumulative_rows_times_2_to_the_32():
    """Worked from the rule: t1 = floor(clip(p1) 2^32), t2 = floor((clip(p1) + clip(p2)) 2^32),
    capped at 2^32 - 1, with p1, p2 the row's first two destinations (DEST)."""
    P = np.random.default_rng(0).uniform(-0.1, 0.7, (50, N_STATES, N_STATES))
    P[0, 0, DEST[0, :2]] = [0.25, 0.75]  # sums to 1: t2 capped
    t1, t2 = kernel.thresholds(P)
    rows = np.clip(np.take_along_axis(P, np.broadcast_to(DEST, (50,) + DEST.shape).astype(np.intp), axis=2), 0, 1)
    want1 = np.floor(rows[..., 0] * 2.0**32).ravel()
    want2 = np.minimum(np.floor((rows[..., 0] + rows[..., 1]) * 2.0**32), 2.0**32 - 1).ravel()
    assert t1.dtype == np.uint32 and np.array_equal(t1, want1) and np.array_equal(t2, want2)
    assert t1[0] == 2**30 and t2[0] == 2**32 - 1


@pytest.mark.parametrize("rates_shape", [(1, 5), (20, 5), (1, 1)])
def test_affine_matrices_of_a_batch_in_blocks_are_the_formula(rates_shape):
    """A batch of 20 draws (more than one block) against the formula element by element:
    P = A + B F1 + C F2, the two `rest` entries floored at 0, byte for byte."""
    rng = np.random.default_rng(1)
    parts = affine_parts(rng.uniform(0.0, 0.4, rates_shape + (12,)))
    f1, f2 = rng.uniform(0, 1.5, (20, 5, N_STATES)), rng.uniform(0, 1.5, (20, 5, N_STATES))
    A, B, C = (np.broadcast_to(x, (20, 5, N_STATES, N_STATES)) for x in parts)
    want = np.empty((20, 5, N_STATES, N_STATES))
    for s, g, k, j in np.ndindex(*want.shape):
        p = A[s, g, k, j] + B[s, g, k, j] * f1[s, g, k] + C[s, g, k, j] * f2[s, g, k]
        want[s, g, k, j] = max(p, 0.0) if (k, j) in ((POOR, NEAR_POOR), (NEAR_POOR, NEAR_POOR)) else p
    assert apply_affine(parts, f1, f2).tobytes() == want.tobytes()


def test_aggregate_has_the_kernels_distribution(tiny_scenario):
    """Two-sample KS tests on the horizon's poor and near-poor counts (300 draws each)."""
    m = compile_model(tiny_scenario)
    fast = run_microsim_fast(m, m.spend, draws=300, seed=1)
    agg = run_aggregate(m, m.spend, draws=300, seed=2)
    for k in (0, 1):
        a, b = fast.states[:, -1, :, k].sum(1), agg.states[:, -1, :, k].sum(1)
        assert stats.ks_2samp(a, b).pvalue > 1e-3
    # and the KS test can tell a different budget apart
    unfunded = compile_model(
        make_scenario(tiny_raw(budget={"unit": "VND", "years": {"2023": {}, "2024": {}, "2025": {}}}))
    )
    none = run_aggregate(unfunded, unfunded.spend, draws=300, seed=3)
    assert stats.ks_2samp(agg.states[:, -1, :, 0].sum(1), none.states[:, -1, :, 0].sum(1)).pvalue < 1e-6


@pytest.mark.parametrize("engine", ["microsim-fast", "aggregate"])
def test_fast_paths_agree_with_expected_in_expectation(tiny_scenario, engine):
    m = compile_model(tiny_scenario)
    exp = run_expected(m, m.spend)
    draws = 200
    run = run_microsim_fast if engine == "microsim-fast" else run_aggregate
    out = run(m, m.spend, draws=draws, seed=8)
    e = exp.states[0].sum(axis=1)  # (Y+1, K)
    s = out.states.sum(axis=2)
    mean, se = s.mean(0), s.std(0, ddof=1) / np.sqrt(draws)
    # 4.5 standard errors plus a small allowance for E[min(R, E)] vs min(R, E[E]) in year 2
    assert np.all(np.abs(mean - e) <= 4.5 * se + 0.002 * e + 1.0), (mean, e, se)
    # conservation, as for the other engines (a group and its housed twin together)
    has = np.flatnonzero(m.twin >= 0)
    for y in range(len(m.years)):
        pair = [out.flows[:, y].sum(axis=-1), out.states[:, y].copy()]
        for arr in pair:
            arr[:, has] += arr[:, m.twin[has]]
            arr[:, m.g_housed] = 0.0
        np.testing.assert_allclose(pair[0], pair[1], atol=1e-9)
    np.testing.assert_allclose(out.flows.sum(axis=-2) + out.entries, out.states[:, 1:], atol=1e-9)


def test_same_seed_same_numbers(tiny_scenario):
    m = compile_model(tiny_scenario)
    for fn in (run_microsim_fast, run_aggregate):
        a, b, c = fn(m, m.spend, draws=2, seed=5), fn(m, m.spend, draws=2, seed=5), fn(m, m.spend, draws=2, seed=6)
        assert np.array_equal(a.states, b.states) and not np.array_equal(a.states, c.states)


def test_runner_accepts_fast_engines(tiny_scenario):
    for engine in ("microsim-fast", "aggregate"):
        res = run(tiny_scenario, engine=engine, draws=3, seed=1)
        assert res.manifest["engine"] == engine and set(res.indicators["draw"]) == {0, 1, 2}
