"""The household state step with its uniforms drawn inside the compiled loop
(`simlib.engines.state_step`) against the array path (uniforms filled first), the numpy backend
and a plain-Python reference written here from the rule: the same new states, the same moves and
the generator in the same state afterwards, for odd and even sizes and chunks."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.engines import kernel, state_step
from simlib.engines.kernel import DEST, Households, step_households
from simlib.engines.pcg64_normals import set_state, state_of
from simlib.states import N_STATES

K = N_STATES


def random_rows(G: int, seed: int) -> np.ndarray:
    """Rows (G, K, K) on each state's three allowed destinations, Dirichlet weights, with edge rows:
    group 0 stays put for sure, group 1 always takes the last destination (thresholds at 2^32 - 1
    and 0 side by side)."""
    rng = np.random.default_rng(seed)
    P = np.zeros((G, K, K))
    for g in range(G):
        for k in range(K):
            P[g, k, DEST[k]] = rng.dirichlet(np.full(3, 0.7))
    P[0] = 0.0
    P[0, np.arange(K), DEST[:, 0]] = 1.0
    P[1] = 0.0
    P[1, np.arange(K), DEST[:, 2]] = 1.0
    return P


def households(n: int, G: int, seed: int, gtype=np.uint16) -> Households:
    """n households in random order (groups and states uniform), 5 records of spare room."""
    rng = np.random.default_rng(seed)
    group = np.zeros(n + 5, gtype)
    state = np.zeros(n + 5, np.uint8)
    group[:n] = rng.integers(0, G, n)
    state[:n] = rng.integers(0, K, n)
    return Households(group, state, n)


def twin_generator(seed: int) -> np.random.Generator:
    """A PCG64 generator that has drawn a 32-bit integer (so it keeps a 32-bit half, which the
    state step must leave alone)."""
    rng = np.random.default_rng(seed)
    rng.integers(0, 2**32, dtype=np.uint32)
    assert rng.bit_generator.state["has_uint32"] == 1
    return rng


def run_years(hh: Households, P: np.ndarray, seed: int, years: int = 2, **kw):
    """Flows of `years` steps, the final states and the generator's state afterwards."""
    hh = Households(hh.group.copy(), hh.state.copy(), hh.size)
    rng = twin_generator(seed)
    flows = [step_households(hh, P, rng, **kw) for _ in range(years)]
    return flows, hh.state[: hh.size].copy(), rng.bit_generator.state


def python_year(group, state, P, raw_words, chunk) -> tuple[list, np.ndarray]:
    """The rule in plain Python: each chunk takes ceil(len/2) 64-bit words, low 32 bits for its
    even households, high for its odd ones; u goes to destination j = #{u >= floor(2^32 cum)} over
    the row's first two cumulative probabilities (cap 2^32 - 1). Returns the moves and new states."""
    G = P.shape[0]
    moves = np.zeros((G, K, K), np.int64)
    new = np.array(state)
    words = iter(raw_words)
    for a in range(0, len(group), chunk):
        for i in range(a, min(a + chunk, len(group))):
            if (i - a) % 2 == 0:
                w = int(next(words))
            u = (w >> 32) if (i - a) % 2 else (w & 0xFFFFFFFF)
            g, k = int(group[i]), int(state[i])
            p = [min(max(P[g, k, d], 0.0), 1.0) for d in DEST[k]]
            t1 = min(int(np.floor(p[0] * 2.0**32)), 2**32 - 1)
            t2 = min(int(np.floor((p[0] + p[1]) * 2.0**32)), 2**32 - 1)
            dest = int(DEST[k, (u >= t1) + (u >= t2)])
            moves[g, k, dest] += 1
            new[i] = dest
    return moves, new


@pytest.mark.parametrize(("n", "chunk"), [(1, 65536), (2, 3), (3, 1), (1023, 1024), (1025, 1024), (2999, 7)])
def test_inline_draws_follow_the_rule_written_out(n, chunk):
    """Against the plain-Python rule fed with the generator's raw 64-bit words (read from a twin
    generator here, not through the kernel): moves, new states and the generator state after."""
    G = 5
    P, hh = random_rows(G, 1), households(n, G, 2)
    group, state = hh.group[:n].copy(), hh.state[:n].copy()
    words = sum((min(chunk, n - a) + 1) // 2 for a in range(0, n, chunk))
    twin = twin_generator(3)
    raw = twin.bit_generator.random_raw(words)
    want_moves, want_states = python_year(group, state, P, raw, chunk)
    rng = twin_generator(3)
    flows = step_households(hh, P, rng, backend="numba", chunk=chunk)
    assert np.array_equal(flows, want_moves)
    assert np.array_equal(hh.state[:n], want_states)
    assert rng.bit_generator.state == twin.bit_generator.state


@pytest.mark.parametrize("n", [0, 1, 2, 5, 1024, 4097, 200_003])
@pytest.mark.parametrize("chunk", [kernel.CHUNK, 65_537, 1001, 1024])
def test_inline_equals_array_path_and_numpy(n, chunk):
    """Two years in a row (the second from moved states): the inline path, the array path and
    the numpy backend give the same flows, states and generator state."""
    G = 12
    P, hh = random_rows(G, 4), households(n, G, 5)
    inline = run_years(hh, P, 6, chunk=chunk)
    for other in (
        run_years(hh, P, 6, chunk=chunk, inline_rng=False),
        run_years(hh, P, 6, chunk=chunk, backend="numpy"),
    ):
        assert all(np.array_equal(a, b) for a, b in zip(inline[0], other[0], strict=True))
        assert np.array_equal(inline[1], other[1])
        assert inline[2] == other[2]
    counts = np.bincount(hh.group[:n].astype(np.intp) * K + hh.state[:n], minlength=G * K).reshape(G, K)
    assert np.array_equal(inline[0][0].sum(axis=2), counts)  # every household moved exactly once


def test_group_uint32_and_households_in_group_order():
    """More than 65,535 groups' dtype (uint32 groups) and households stored group by group, as
    `synthesise` lays them out (the case the interleaved counters are for)."""
    G, n = 40, 100_001
    P = random_rows(G, 7)
    hh = households(n, G, 8, np.uint32)
    order = np.lexsort((hh.state[:n], hh.group[:n]))
    hh.group[:n], hh.state[:n] = hh.group[:n][order], hh.state[:n][order]
    inline = run_years(hh, P, 9, years=3)
    numpy_ = run_years(hh, P, 9, years=3, backend="numpy")
    assert all(np.array_equal(a, b) for a, b in zip(inline[0], numpy_[0], strict=True))
    assert np.array_equal(inline[1], numpy_[1]) and inline[2] == numpy_[2]


def test_other_bit_generators_take_the_array_path():
    """Only PCG64's state can be carried into the loop: with Philox the array path runs and gives
    the numpy backend's numbers."""
    G, n = 6, 3001
    P, hh = random_rows(G, 10), households(n, G, 11)
    out = []
    for backend in ("numba", "numpy"):
        h = Households(hh.group.copy(), hh.state.copy(), n)
        rng = np.random.Generator(np.random.Philox(12))
        out.append((step_households(h, P, rng, backend=backend), h.state[:n], rng.bit_generator.random_raw(4)))
    assert np.array_equal(out[0][0], out[1][0]) and np.array_equal(out[0][1], out[1][1])
    assert np.array_equal(out[0][2], out[1][2])  # the generators went on from the same point


@pytest.mark.parametrize("fold_at", [1, 1000, 5000])
def test_counter_copies_folded_early_count_the_same(fold_at):
    """The uint32 counter copies added into the moves every `fold_at` households (as they are
    before 2^32 - 1 - BLOCK) count what one fold at the end counts."""
    G, n = 9, 20_001
    P, hh = random_rows(G, 13), households(n, G, 14)
    t1, t2 = kernel.thresholds(P)
    out = []
    for fa in (state_step.FOLD_AT, fold_at):
        state, moves = hh.state[:n].copy(), np.zeros(G * K * 3, np.int64)
        rstate = state_of(np.random.default_rng(15))
        state_step.step_inline(hh.group[:n], state, rstate, t1, t2, kernel.destinations(G), moves, 4096, fa)
        out.append((moves, state, rstate))
    assert all(np.array_equal(a, b) for a, b in zip(out[0], out[1], strict=True))
    assert out[0][0].sum() == n


def test_state_round_trip_keeps_the_kept_half():
    """`state_of` / `set_state` around an empty step leave a generator exactly as it was."""
    rng = twin_generator(16)
    before = rng.bit_generator.state
    st = state_of(rng)
    t1, t2 = kernel.thresholds(random_rows(2, 0))
    empty = np.zeros(0, np.uint16), np.zeros(0, np.uint8)
    state_step.step_inline(*empty, st, t1, t2, kernel.destinations(2), np.zeros(2 * K * 3, np.int64), kernel.CHUNK)
    set_state(rng, st)
    assert rng.bit_generator.state == before


def test_cache_guard_covers_the_inlined_generator():
    """`step_inline` carries `pcg64_normals.next64` inlined into machine code that numba keys on
    this module's file only: the guard's digest covers both sources and is the current one."""
    import hashlib  # local import: only this test reads the sources' digests
    from pathlib import Path  # local import: as above

    from simlib.engines import pcg64_normals

    assert state_step.CACHED_WITH == (pcg64_normals, state_step)
    digest = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in state_step.CACHED_WITH)).hexdigest()
    stamp = Path(state_step.step_inline._cache._cache_path) / "state_step.sha256"
    assert stamp.read_text(encoding="ascii") == digest
