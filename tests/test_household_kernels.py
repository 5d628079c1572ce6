"""The compiled household kernels against independent calculations: the programme step picks
exactly the bins' numbers with the inclusion probabilities of a uniform subset (singles and
pairs, among deprived households, new and served by standing works; bounded integers unbiased), the indicators' own changes have the law of twelve independent draws, who the programme
reaches respects eligibility, priority tiers and the budget, and runs are reproducible for a
seed whatever the number of workers."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numba
import numpy as np
import pytest
from conftest import make_scenario, tiny_raw
from scipy import stats

from simlib.engines import household_count as hc
from simlib.engines import household_money as hm
from simlib.engines import household_reach as hr
from simlib.engines import household_tables as ht
from simlib.engines import pcg64_normals, reach
from simlib.engines.deprivation_kernels import _flip, draw_masks, no_change_thresholds
from simlib.engines.microsim import run_microsim, synthesise_population
from simlib.engines.reach import acting_spend, new_household_records
from simlib.engines.targeted_kernels import lowest_bit
from simlib.memo import memoised
from simlib.model import compile_model
from simlib.runner import compile_run_model
from simlib.scenario import load_scenario


def _layout(bin_of_cell: np.ndarray, need_bits: int = 0) -> SimpleNamespace:
    """The `household_tables.Tables` fields `pick` and `eligible_counts` read, for one household
    line eligible in every cell (group g, one state) with cell g in bin bin_of_cell[g]; the line
    takes households with an indicator of `need_bits` when not 0."""
    G = bin_of_cell.size
    nb = np.array([need_bits], np.uint16)
    targeted = nb[nb != 0]
    which = np.where(nb != 0, 0, -1).astype(np.int64)
    pat, ok = ht.patterns(targeted, nb, which)
    B = int(bin_of_cell.max()) + 1
    key = bin_of_cell.astype(np.int64)
    return SimpleNamespace(
        hh=np.array([0]), D=B, T=1, K=1, P=ok.shape[1], pat=pat, ok=ok, which=which,
        ptr=np.arange(G + 1, dtype=np.int64), line=np.zeros(G, np.int64), bin=key,
        bptr=np.concatenate([[0], np.cumsum(np.bincount(key, minlength=B))]).astype(np.int64),
        bcell=np.argsort(key, kind="stable").astype(np.int64), dtype=np.uint32, bits=np.ones(1, np.uint32),
    )  # fmt: skip


def _pick(tab, group, mask, need, seed, need_old=None):
    """New beneficiaries and households served by standing works (bools) of one pick."""
    hh = (group.astype(np.uint16), np.zeros(group.size, np.int8), mask.astype(np.uint16))
    n_sub, E = hc.eligible_counts(tab, *hh)
    need = np.array([need], np.int64)
    old_need = np.zeros_like(need) if need_old is None else np.array([need_old], np.int64)
    chosen, old = hr.pick(tab, hh, n_sub, (need, old_need, E), seed, with_old=need_old is not None)
    return chosen == 1, (old == 1) if need_old is not None else None


def _chi_square_p(hits: np.ndarray, reps: int, p: float) -> float:
    """p-value of the households' inclusion counts in one bin against a uniform subset: the
    counts' squared deviations over the binomial variance, times (N - 1) / N (inclusions of a
    subset of fixed size are negatively correlated: their sum is fixed), is chi-square with
    N - 1 degrees of freedom for many repetitions."""
    N = hits.size
    x = np.sum((hits - reps * p) ** 2) / (reps * p * (1 - p)) * (N - 1) / N
    return float(stats.chi2.sf(x, N - 1))


def test_pick_takes_exactly_and_uniformly_singles_and_pairs():
    """Each bin's chosen households are a uniformly random subset of its size: exactly k, each
    household with frequency k / N (every household within 4.5 binomial standard errors, and
    the bin's households together by chi-square, p > 1e-4), each pair of a bin with frequency
    k (k - 1) / (N (N - 1)), and pairs of two bins independent; over 20,000 seeds."""
    rng = np.random.default_rng(0)
    sizes, need = [7, 5, 9, 4, 40], [3, 0, 9, 1, 2]
    group = rng.permutation(np.repeat(np.arange(5), sizes))
    tab = _layout(np.arange(5))
    reps = 20000
    hits, pairs = np.zeros(group.size), np.zeros((group.size, group.size))
    for s in range(reps):
        c, _ = _pick(tab, group, np.zeros(group.size), need, s + 1)
        np.testing.assert_array_equal(np.bincount(group[c], minlength=5), need)  # exactly what each bin needs
        hits += c
        pairs += np.outer(c, c)
    N, k = np.array(sizes, float)[group], np.array(need, float)[group]
    p = k / N  # uniform subsets: k / N each
    assert np.all(np.abs(hits / reps - p) <= 4.5 * np.sqrt(p * (1 - p) / reps) + 1e-12)
    for b in (0, 3, 4):
        assert _chi_square_p(hits[group == b], reps, need[b] / sizes[b]) > 1e-4
    same = (group[:, None] == group[None, :]) & ~np.eye(group.size, dtype=bool)
    p2 = np.where(same, k * (k - 1) / (N * np.maximum(N - 1, 1)), p[:, None] * p[None, :])  # same bin / two bins
    se2 = np.sqrt(p2 * (1 - p2) / reps)
    off = ~np.eye(group.size, dtype=bool)
    assert np.all(np.abs(pairs / reps - p2)[off] <= 4.5 * se2[off] + 1e-12)


def test_pick_among_deprived_and_by_standing_works_is_uniform():
    """A line that targets deprived households picks only among them, each with frequency
    k / E; an area line's standing works serve m of the households not reached anew, each
    household new with frequency k / N and served with m / N, a pair (new, served) with
    k m / (N (N - 1)); the counts exact every time."""
    rng = np.random.default_rng(1)
    group = rng.permutation(np.repeat(np.arange(3), [12, 9, 30]))
    mask = np.where(rng.random(group.size) < 0.4, 0b10, 0b01)  # indicator 1 for 40 %
    dep = mask == 0b10
    E = np.bincount(group[dep], minlength=3)
    tab, bins = _layout(np.array([0, 0, 1]), need_bits=0b10), np.array([0, 0, 1])[group]  # cells 0, 1 share bin 0
    need = [min(4, E[0] + E[1]), 3]
    reps = 20000
    hits = np.zeros(group.size)
    for s in range(reps):
        c, _ = _pick(tab, group, mask, need, s + 7)
        assert not (c & ~dep).any()
        np.testing.assert_array_equal(np.bincount(bins[c], minlength=2), need)
        hits += c
    E_bin = np.bincount(bins[dep], minlength=2)
    p = np.where(dep, np.array(need, float)[bins] / E_bin[bins], 0.0)
    assert np.all(np.abs(hits / reps - p) <= 4.5 * np.sqrt(p * (1 - p) / reps) + 1e-12)
    for b in (0, 1):
        assert _chi_square_p(hits[dep & (bins == b)], reps, need[b] / E_bin[b]) > 1e-4
    # standing works: one bin of 10, 3 new and 4 served
    group = np.zeros(10, np.int64)
    tab = _layout(np.array([0]))
    new_hits, old_hits, cross = np.zeros(10), np.zeros(10), 0.0
    for s in range(reps):
        c, o = _pick(tab, group, np.zeros(10), [3], s + 3, need_old=[4])
        assert c.sum() == 3 and o.sum() == 4 and not (c & o).any()
        new_hits, old_hits, cross = new_hits + c, old_hits + o, cross + (c[0] and o[1])
    for h, q in ((new_hits, 0.3), (old_hits, 0.4)):
        assert np.all(np.abs(h / reps - q) <= 4.5 * np.sqrt(q * (1 - q) / reps))
        assert _chi_square_p(h, reps, q) > 1e-4
    q2 = 3 * 4 / (10 * 9)
    assert abs(cross / reps - q2) <= 4.5 * np.sqrt(q2 * (1 - q2) / reps)


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
def test_walk_with_kept_subcells_gives_the_same_lines(dtype):
    """The walk reading the subcells the count kept in the upper half of the line bits' memory
    (`walk_arrays`) gives every household the lines, new and served, of the walk that works
    them out again, the last household included."""
    rng = np.random.default_rng(4)
    group = rng.integers(0, 3, 301)
    mask = np.where(rng.random(group.size) < 0.5, 0b10, 0b01)
    tab = _layout(np.array([0, 0, 1]), need_bits=0b10)
    tab.dtype, tab.bits = dtype, np.ones(1, dtype)
    hh = (group.astype(np.uint16), np.zeros(group.size, np.int8), mask.astype(np.uint16))
    for need, need_old, seed in (([5, 7], [3, 2], 1), ([40, 1], [0, 0], 2), ([0, 2], [9, 9], 3)):
        counts = (np.array([need], np.int64), np.array([need_old], np.int64))
        kept = hr.walk_arrays(tab, group.size)
        n_sub, E = hc.eligible_counts(tab, *hh, kept[1])
        a = hr.pick(tab, hh, n_sub, counts + (E,), seed, kept=kept)
        n_sub, E = hc.eligible_counts(tab, *hh)
        b = hr.pick(tab, hh, n_sub, counts + (E,), seed)
        assert a[0] is kept[0] and a[0].dtype == dtype
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_bounded_integers_are_exactly_uniform():
    """`below(n)` is uniform on [0, n) with no bias: every residue's frequency within 4.5
    binomial standard errors, for an n whose 2^32 mod n is large (n = 3 * 2^30: the plain
    multiply-shift floor(u n / 2^32) gives every multiple of 3 two of the 2^32 uniforms and the
    other values one, so multiples of 3 with frequency 1/2 instead of 1/3)."""
    n, reps = 3 * 2**30, 300_000
    x = _below_many(n, reps)
    assert x.min() >= 0 and x.max() < n
    residue = np.bincount(x % 3, minlength=3) / reps
    assert np.all(np.abs(residue - 1 / 3) <= 4.5 * np.sqrt(2 / 9 / reps))
    small = _below_many(7, reps)
    assert small.min() == 0 and small.max() == 6
    assert np.all(np.abs(np.bincount(small, minlength=7) / reps - 1 / 7) <= 4.5 * np.sqrt(6 / 49 / reps))


@numba.njit
def _below_many(n, reps):
    out = np.empty(reps, np.int64)
    s = np.uint64(99)
    for i in range(reps):
        out[i], s = hr.below(n, s)
    return out


def test_own_changes_have_the_law_of_independent_draws():
    gain = np.array([0.01, 0.2, 0.05, 0.0, 0.3, 0.01, 0.02, 0.5, 0.01, 0.1, 0.0, 0.04])
    loss = np.array([0.08, 0.06, 0.5, 1.0, 0.02, 0.15, 0.04, 0.3, 0.04, 0.04, 0.15, 0.1])
    table = no_change_thresholds(gain, loss)
    mask = np.uint16(0b101100100110)
    bits = (int(mask) >> np.arange(12)) & 1
    p = np.where(bits == 1, loss, gain)  # chance each indicator changes
    reps = 200_000
    s = np.uint64(12345)
    changed = np.zeros((reps, 12), bool)
    for r in range(reps):
        out, s = _flip(mask, table, gain, loss, np.uint64(s))
        changed[r] = ((int(out) ^ int(mask)) >> np.arange(12)) & 1
    freq = changed.mean(0)
    assert np.all(np.abs(freq - p) <= 4.5 * np.sqrt(p * (1 - p) / reps) + 1e-12)
    # independence: pairs and "nothing changes" as products of the single chances
    both = (changed[:, 1] & changed[:, 2]).mean()
    assert abs(both - p[1] * p[2]) <= 4.5 * np.sqrt(p[1] * p[2] / reps)
    none = (~changed.any(1)).mean()
    p0 = np.prod(1 - p)
    assert abs(none - p0) <= 4.5 * np.sqrt(p0 * (1 - p0) / reps)


def test_compiled_mask_draws_are_numpys_cumsum_and_searchsorted():
    """The compiled synthesis of masks gives, household by household, the mask numpy's
    cumulative sum, division by the total and right-sided search give (the engine's earlier
    arithmetic), including rows with empty masks, a row with a single mask and uniforms on a
    cumulative step."""
    rng = np.random.default_rng(2)
    rows = rng.random((5, 4096)) * (rng.random((5, 4096)) < 0.3)  # many masks impossible
    rows[3] = 0.0
    rows[3, 777] = 2.5  # one possible mask only
    key = rng.integers(0, 5, 3000)
    order = np.argsort(key, kind="stable")
    keys, starts, counts = np.unique(key[order], return_index=True, return_counts=True)
    u = rng.random(key.size)
    cdf0 = np.cumsum(rows[0]) / np.cumsum(rows[0])[-1]
    u[starts[0]] = cdf0[100]  # exactly on a step: the next mask (side="right")
    out = np.empty(key.size, np.uint16)
    draw_masks(rows, keys, starts, counts, order, u, out)
    want = np.empty(key.size, np.int64)
    for k, a, c in zip(keys, starts, counts):
        cdf = np.cumsum(rows[k])
        cdf /= cdf[-1]
        want[order[a : a + c]] = np.searchsorted(cdf, u[a : a + c], side="right").clip(0, 4095)
    np.testing.assert_array_equal(out, want)
    assert np.all(out[key == 3] == 777)
    assert out[order[starts[0]]] == 101 + np.flatnonzero(rows[0][101:] > 0)[0]  # the next possible mask
    assert np.all(rows[key, out] > 0)  # never an impossible mask


def test_formation_from_counts_is_formation_from_groups(tiny_scenario):
    """New households from households per group (what the engines count anyway) are those
    from the households' groups: same counts, same draws."""
    model = compile_model(tiny_scenario)
    group, _ = synthesise_population(model)
    a = new_household_records(model, group, np.random.default_rng(4))
    counts = np.bincount(group, minlength=len(model.g_unit)).astype(float)
    b = new_household_records(model, None, np.random.default_rng(4), counts=counts)
    assert a[0].size > 0
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_lowest_bit_of_every_position_and_of_mixed_words():
    """The targeted pass walks the lines acting on a household by their lowest set bit."""
    for j in range(64):
        assert lowest_bit(np.uint64(1) << np.uint64(j)) == j
        assert lowest_bit((np.uint64(1) << np.uint64(j)) | (np.uint64(1) << np.uint64(63))) == j
    words = np.random.default_rng(5).integers(1, 2**63, 500, dtype=np.uint64)
    for w in words:
        assert lowest_bit(w) == (int(w) & -int(w)).bit_length() - 1


def test_high_half_of_the_128_bit_product_is_pythons():
    """PCG64's step takes the high half of a 128-bit product (one widening multiply): Python's
    integers give it exactly, on the edges and on random words."""
    edge = [0, 1, 2**32 - 1, 2**32, 2**63, 2**64 - 1]
    words = edge + [int(v) for v in np.random.default_rng(9).integers(0, 2**64 - 1, 300, dtype=np.uint64)]
    for a, b in zip(words, words[::-1]):
        assert int(pcg64_normals.mulhi(np.uint64(a), np.uint64(b))) == (a * b) >> 64


def test_reach_respects_eligibility_tiers_and_budget(tiny_scenario):
    model = compile_model(tiny_scenario)
    group, state = synthesise_population(model)
    s = model.structure
    tab = hr.tables(model)
    sp = acting_spend(model, model.spend)[0]
    r = hr.reach_bits(model, tab, sp, group, state, None, np.random.default_rng(3))
    unit = s.g_unit[group]
    for li in np.flatnonzero(s.household_line):
        took = ((r.chosen >> np.uint32(li)) & 1).astype(bool)
        el = s.eligible[li][group, state]
        assert not (took & ~el).any()  # only eligible households
        np.testing.assert_array_equal(np.bincount(unit[took], minlength=len(s.unit_ids)), r.reached[li])
        tier = s.tier[li][group, state]
        for d in range(len(s.unit_ids)):  # a later tier only once the earlier ones are full (priority)
            inu = el & (unit == d)
            full = [took[inu & (tier == t)].all() for t in range(s.n_tiers)]
            some = [took[inu & (tier == t)].any() for t in range(s.n_tiers)]
            for t in range(1, s.n_tiers):
                if some[t] and model.params.max_share[li] >= 1.0 and not s.area_line[li]:  # area lines: all tiers
                    assert all(full[u] for u in range(t) if (inu & (tier == u)).any())


def test_bin_subcells_list_each_bins_cells_and_allowed_patterns_in_rank_order():
    """Two lines, two bins each (B = 2), P = 2 patterns; line 1 takes pattern 1 only. Bin keys
    h*B + b hold cells (bcell, by bptr); the lists are cell*P + pattern, by hand."""
    bptr = np.array([0, 2, 3, 3, 5])  # key 0: cells 4, 1; key 1: cell 0; key 2: none; key 3: cells 2, 3
    bcell = np.array([4, 1, 0, 2, 3])
    ok = np.array([[1, 1], [0, 1]])
    sptr, sub = ht.bin_subcells(bptr, bcell, ok, 2)
    assert [sub[sptr[k] : sptr[k + 1]].tolist() for k in range(4)] == [[8, 9, 2, 3], [0, 1], [], [5, 7]]


def test_whole_beneficiaries_of_all_lines_are_those_of_line_by_line(tiny_scenario):
    """`reach_bits` rounds the household lines' covered households together where no other draw
    falls between them: the numbers of rounding line by line, then the standing works' draw of an
    area line, from a generator in the same state (hand-made coverage, every line with works)."""
    model = compile_model(tiny_scenario)
    tab = hr.tables(model)
    s = model.structure
    H, D, T = tab.hh.size, tab.D, tab.T
    gen = np.random.default_rng(11)
    L = len(s.line_codes)
    Ef = np.floor(gen.random((H, D, T)) * 50)
    r = SimpleNamespace(covered=gen.random((L, D, T)) * 20, old=np.zeros((L, D, T)))
    r.old[tab.hh] = gen.random((H, D, T)) * 5
    E = Ef.reshape(H, D * T).astype(np.int64)
    need, need_old = hm.beneficiaries_to_draw(s, tab.hh, r, Ef, E, np.random.default_rng(4), True)
    rng = np.random.default_rng(4)
    for h, li in enumerate(tab.hh):
        want = np.minimum(
            np.floor(r.covered[li]) + (rng.random((D, T)) < r.covered[li] - np.floor(r.covered[li])), Ef[h]
        ).ravel()
        np.testing.assert_array_equal(need[h], want)
        if s.area_line[li]:
            old = np.floor(r.old[li]) + (rng.random((D, T)) < r.old[li] - np.floor(r.old[li]))
            np.testing.assert_array_equal(need_old[h], np.minimum(old.ravel(), E[h] - need[h]))
        else:
            assert not need_old[h].any()


@pytest.mark.parametrize("name", ["plan_2024", "multidim_2030"])
def test_compiled_beneficiaries_are_numpys_bit_for_bit(name):
    """`household_money.beneficiaries` (the household engines' programme step) gives the arrays
    of `reach.beneficiaries` byte for byte: money of every year, eligible households of every
    size (empty bins included), without stock, with stock of every size, and with none held."""
    root = Path(__file__).resolve().parent.parent
    base, run_model = compile_run_model(load_scenario(root / "params" / "scenarios" / f"{name}.yaml"))
    model = getattr(run_model, "base", base)  # the multidimensional model's own model
    L, D, T = len(model.structure.line_codes), len(model.structure.unit_ids), model.structure.n_tiers
    gen = np.random.default_rng(2)
    for sp in acting_spend(model, model.spend):
        by_tier = np.floor(gen.random((L, D, T)) ** 3 * 400) * (gen.random((L, D, T)) < 0.8)
        for stock in (None, np.zeros((L, D)), gen.random((L, D)) * 1.5, gen.random((L, D)) * 300):
            want, got = (
                reach.beneficiaries(model, sp, by_tier, stock=stock),
                hm.beneficiaries(model, sp, by_tier, stock),
            )
            for f in ("reached", "eligible", "covered", "old"):
                a, b = getattr(want, f), getattr(got, f)
                assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), f


@pytest.mark.parametrize("name", ["plan_2024", "multidim_2030"])
def test_compiled_needs_are_the_rounding_of_numpys_bit_for_bit(name):
    """`household_money.needs` (beneficiaries and their rounding in the households' count,
    `household_count.eligible_needs`) gives what `beneficiaries` then `beneficiaries_to_draw`
    give without standing works, byte for byte, and leaves the generator in the same state: money
    of every year, eligible households of every size (empty bins included), with and without
    stock."""
    root = Path(__file__).resolve().parent.parent
    base, run_model = compile_run_model(load_scenario(root / "params" / "scenarios" / f"{name}.yaml"))
    model = getattr(run_model, "base", base)
    tab = hr.tables(model)
    (H, D, T), L = (tab.hh.size, tab.D, tab.T), len(model.structure.line_codes)
    gen = np.random.default_rng(5)
    for sp in acting_spend(model, model.spend):
        E = (np.floor(gen.random((H, D * T)) ** 3 * 400) * (gen.random((H, D * T)) < 0.8)).astype(np.int64)
        for stock in (None, gen.random((L, D)) * 300):
            by_tier = np.zeros((L, D, T))
            by_tier[tab.hh] = E.reshape(H, D, T)
            want_rng, got_rng = np.random.default_rng(8), np.random.default_rng(8)
            r = hm.beneficiaries(model, sp, by_tier, stock)
            need, _ = hm.beneficiaries_to_draw(model.structure, tab.hh, r, by_tier[tab.hh], E, want_rng, False)
            r.reached[tab.hh] = need.reshape(H, D, T).sum(-1)
            money = hm.money_arrays(model, tab.hh, sp, D * T, stock, got_rng)
            total = hm.needs(money[0], E, *money[1:])
            (reached, eligible, *_), got = money[6], money[7]
            for a, b in ((r.reached, reached), (r.eligible, eligible), (need, got)):
                assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
            assert total == need[need < E].sum()
            assert want_rng.bit_generator.state == got_rng.bit_generator.state


def test_money_arrays_raw_uniforms_and_seed_are_numpys_draws():
    """`household_money.money_arrays` with a PCG64 generator draws raw outputs whose doubles
    (`needs`' `(raw >> 11) * 2**-53`) are `Generator.random`'s, and with `seed` one more output,
    `seed_of`'s, leaving the generator where `random` then `seed_of` leave it; another bit
    generator draws numpy's doubles and no seed."""
    model = SimpleNamespace()
    memoised(model, "household_money.lines", tuple)  # `needs`' line side, unused here
    hh_lines, sp = np.arange(3), np.ones((4, 5))
    for seed in (False, True):
        got_rng, want_rng = np.random.default_rng(11), np.random.default_rng(11)
        money = hm.money_arrays(model, hh_lines, sp, 10, None, got_rng, seed=seed)
        u, raw = money[3], money[4]
        assert u.size == 0 and raw.dtype == np.uint64 and raw.size == 30 + seed
        assert np.array_equal((raw[:30] >> np.uint64(11)) * 2.0**-53, want_rng.random(30))
        if seed:
            assert raw[-1] == hr.seed_of(want_rng)
        assert got_rng.bit_generator.state == want_rng.bit_generator.state
    philox = np.random.Generator(np.random.Philox(3))
    money = hm.money_arrays(model, hh_lines, sp, 10, None, philox, seed=True)
    assert money[4].size == 0 and np.array_equal(money[3], np.random.Generator(np.random.Philox(3)).random(30))


def test_compiled_enabling_boost_is_numpys_einsum_bit_for_bit():
    """`household_money.enabling_boost` (compiled for two units or more) gives
    `reach.enabling_boost`'s einsum byte for byte, on random reach of every scale (zeros, officers
    of many sizes) for 1 to 40 units and 1 to 40 lines, the enabling effects a strided column as
    the model's or contiguous."""
    gen = np.random.default_rng(9)
    for _ in range(3000):
        L, D = int(gen.integers(1, 41)), int(gen.integers(1, 41))
        reached = gen.random((L, D)) * 10.0 ** gen.integers(-3, 6, (L, D)) * (gen.random((L, D)) < 0.6)
        effects = gen.random((L, 5)) * (gen.random((L, 5)) < 0.5)
        effects = np.asfortranarray(effects) if gen.random() < 0.5 else effects  # the column contiguous
        inv = np.where(gen.random((L, D)) < 0.7, 1.0 / (1 + gen.integers(0, 500, (L, D))), 0.0)
        model = SimpleNamespace(structure=SimpleNamespace(inv_capacity=inv), params=SimpleNamespace(effects=effects))
        want, got = reach.enabling_boost(model, reached), hm.enabling_boost(model, reached)
        assert want.dtype == got.dtype and want.shape == got.shape and want.tobytes() == got.tobytes(), (L, D)


def test_same_seed_same_bytes_whatever_the_workers(tiny_scenario):
    from simlib.options import RunOptions
    from simlib.runner import run

    one = run(tiny_scenario, RunOptions(engine="microsim", draws=4, seed=9, executor="serial"))
    two = run(tiny_scenario, RunOptions(engine="microsim", draws=4, seed=9, executor="local", jobs=2))
    for name in ("states", "flows", "entries", "reached"):
        np.testing.assert_array_equal(getattr(one.output, name), getattr(two.output, name))
    again = run_microsim(compile_model(tiny_scenario), compile_model(tiny_scenario).spend, draws=4, seed=9)
    np.testing.assert_array_equal(again.states, one.output.states)


def test_deprivation_engine_same_seed_same_bytes_whatever_the_workers():
    """The deprivation household engine (targeting lines: subcells by pattern, ranks drawn per
    bin) gives the same bytes for a seed in one process and in two workers, and another seed
    other households."""
    from simlib.options import RunOptions
    from simlib.runner import run

    raw = tiny_raw(model="multidim", horizon=2)
    raw["budget"]["years"]["2025"] = {"same_as": 2024}
    scen = make_scenario(raw)
    one = run(scen, RunOptions(seed=9, executor="serial", engine="microsim", draws=3), counterfactual=False)
    two = run(scen, RunOptions(seed=9, executor="local", jobs=2, engine="microsim", draws=3), counterfactual=False)
    other = run(scen, RunOptions(seed=10, executor="serial", engine="microsim", draws=3), counterfactual=False)
    for name in ("states", "flows", "reached"):
        np.testing.assert_array_equal(getattr(one.output, name), getattr(two.output, name))
    np.testing.assert_array_equal(one.output.multidim.deprived, two.output.multidim.deprived)
    assert not np.array_equal(one.output.states, other.output.states)


@pytest.mark.parametrize("bad", [65])
def test_too_many_lines_for_bits_is_refused(bad):
    with pytest.raises(ValueError, match="64"):
        ht.bits_dtype(bad)


def test_household_kernels_cache_is_dropped_when_household_reach_changes():
    """The household kernels inline `household_reach.mix` (and the deprivation pass
    `pcg64_normals.normal_f32` and `expf32.expf`), functions of another module, into
    cached machine code that numba keys on their own file only: each kernel module's guard
    covers household_reach, keeps its digest under its own name (a shared name would make the
    two guards drop each other's cache on every import), and that digest is the current one."""
    import hashlib  # local import: only this test reads the sources' digests
    from pathlib import Path  # local import: as above

    from simlib.engines import deprivation_kernels, expf32, targeted_kernels

    for mod, name in ((targeted_kernels, "targeted_kernels"), (deprivation_kernels, "deprivation_kernels")):
        assert mod.CACHED_WITH == ((hr, mod) if mod is targeted_kernels else (expf32, hr, pcg64_normals, mod))
        digest = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in mod.CACHED_WITH)).hexdigest()
        stamp = Path(mod.year_pass._cache._cache_path) / f"{name}.sha256"
        assert stamp.read_text(encoding="ascii") == digest


def test_cache_guard_drops_a_caller_when_its_callee_module_changes(tmp_path, monkeypatch):
    """Two guarded groups in one cache folder: editing the callee's module drops the caller's
    cached code once; another group's digest beside it does not make either drop again."""
    import importlib.util  # local import: modules written by the test itself
    import sys

    from simlib.engines.multidim_numba import refresh_caches

    def load(name, text):
        (tmp_path / f"{name}.py").write_text(text, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, tmp_path / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, name, mod)
        spec.loader.exec_module(mod)
        return mod

    callee = load("callee_under_test", "import numba\n\n\n@numba.njit(inline='always')\ndef g(x):\n    return x + 1\n")
    caller = load("caller_under_test", "import numba\nfrom callee_under_test import g\n\n\n"
                  "@numba.njit(cache=True)\ndef f(x):\n    return g(x)\n")  # fmt: skip
    other = load("other_under_test", "import numba\n\n\n@numba.njit(cache=True)\ndef h(x):\n    return x\n")
    flushed = []
    monkeypatch.setattr(caller.f._cache, "flush", lambda: flushed.append("f"))
    monkeypatch.setattr(other.h._cache, "flush", lambda: flushed.append("h"))
    refresh_caches((callee, caller), "a")
    refresh_caches((other,), "b")
    assert sorted(flushed) == ["f", "h"]  # no digest yet: both drop
    refresh_caches((callee, caller), "a")
    refresh_caches((other,), "b")
    assert sorted(flushed) == ["f", "h"]  # unchanged: both keep
    (tmp_path / "callee_under_test.py").write_text(
        (tmp_path / "callee_under_test.py").read_text(encoding="utf-8") + "\n\nY = 2\n", encoding="utf-8"
    )
    refresh_caches((callee, caller), "a")
    refresh_caches((other,), "b")
    assert sorted(flushed) == ["f", "f", "h"]  # the callee changed: its caller drops, the other keeps


@pytest.mark.parametrize("seed, before", [(18, 0), (18, 3), (2024, 1)])
def test_compiled_normals_are_numpys_float32_normals(seed, before):
    """10⁷ normals drawn by the compiled PCG64 and ziggurat are numpy's
    `standard_normal(dtype=float32)` bit for bit, from a generator that has a 32-bit half kept
    (`before` odd) or not, and leave the generator where numpy leaves it. The draws include the
    ziggurat's rare branches: the tail beyond its last layer (|z| > 3.654) and the wedges. Seed 18
    reaches, at its 3,712,878th normal, a wedge point that numpy (comparing in double precision)
    accepts and a float32 comparison rejects (numba's own `Generator.standard_normal` does, and
    its stream is shifted from there)."""
    ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
    for g in (ours, numpys):
        g.random(before, dtype=np.float32)
    for n in (1, 2, 10**7):
        got, want = pcg64_normals.standard_normal_f32(ours, n), numpys.standard_normal(n, dtype=np.float32)
        np.testing.assert_array_equal(got, want)
        assert ours.bit_generator.state == numpys.bit_generator.state
    assert (np.abs(got) > pcg64_normals.R_F).sum() > 1000  # the tail branch ran
    assert ours.random() == numpys.random() and ours.integers(1 << 62) == numpys.integers(1 << 62)


def test_compiled_normals_refuse_another_bit_generator():
    """Only PCG64's state can be carried into a kernel; another bit generator is refused."""
    rng = np.random.Generator(np.random.MT19937(1))
    assert pcg64_normals.state_of(rng) is None
    with pytest.raises(TypeError, match="PCG64"):
        pcg64_normals.standard_normal_f32(rng, 3)


def test_boosted_lines_match_numpy_bit_for_bit():
    """`deprivation_kernels.boosted_lines` gives the year pass's clearing thresholds and income
    additions that the numpy expressions give, to the bit (probabilities past 1 included)."""
    from simlib.engines import deprivation_kernels as dk  # local import: only these tests use it

    rng = np.random.default_rng(3)
    for _ in range(200):
        removal, effect = rng.random(rng.integers(0, 12)) * 1.5, rng.random(rng.integers(0, 6)) * 1e5
        boost = rng.random(rng.integers(1, 30)) * rng.choice([0.0, 0.3, 2.0])
        clear_t, inc_add = dk.boosted_lines(removal, effect, boost)
        want_t = hr.thresholds32(np.minimum(1.0, removal[:, None] * (1.0 + boost[None, :])))
        assert clear_t.dtype == want_t.dtype and np.array_equal(clear_t, want_t)
        assert np.array_equal(inc_add, effect[:, None] * (1.0 + boost[None, :]))


def test_fresh_records_are_separate_and_typed():
    """`Households.fresh`: the records' types (group uint16 up to 65,536 groups), the four
    arrays apart in one block, and each call a block of its own."""
    from simlib.engines.multidim_microsim import Households  # local import: only this test uses it

    for n, groups in ((0, 5), (7, 384), (1000, 70_000)):
        a = Households.fresh(n, groups)
        types = (np.uint16 if groups <= 65_536 else np.int32, np.int8, np.float32, np.uint16)
        assert all(getattr(a, f).dtype == t and len(getattr(a, f)) == n for f, t in zip(a.__slots__, types))
        for f in a.__slots__:
            getattr(a, f)[:] = 1
        assert all((getattr(a, f) == 1).all() for f in a.__slots__)
        c = Households.fresh(n, groups)
        assert not any(np.shares_memory(getattr(a, f), getattr(c, f)) for f in a.__slots__)
