"""Fast household microsimulation kernel (engine `microsim-fast`): a few bytes and one random
number per household and year.

Each household is two small integers — its group (uint16, or uint32 for more than 65,535 groups)
and its detailed state (uint8) — so a province of 10⁷ households takes 30 MB. Each year:

1. *Cell level* (cost independent of the number of households): from the realised households
   per group-state, `simlib.engines.expected.YearStep` gives what the budget buys per line,
   unit and priority tier and each group-state's transition row. Programme reach is taken at
   cell level: every eligible household of a (line, unit, tier) bin is reached independently
   with the bin's coverage share. Because a transition row is affine in each line's reached
   indicator (`simlib.transitions`), a household's next-state distribution averaged over which
   lines reach it is exactly that group-state's row — so one uniform per household suffices.
2. *Household level*: one 32-bit uniform per household against its row's two cumulative
   thresholds (every state has exactly three possible destinations, `states.ALLOWED`), counting
   the moves for the flows table as it goes. Probabilities are used to 2⁻³² (thresholds are
   32-bit integers).
3. New households: as in `microsim`, growth x households per group rounded without bias, their
   states drawn from the entry shares (multinomial per group), appended to the arrays.

Households within a group-state are exchangeable, which is what makes (1) exact; a model that
gives households more attributes (the multidimensional deprivation model) extends the cell key,
see `cell_key`. Compared with `microsim`, which selects exactly the budget's number of
beneficiaries without replacement, the expectation is the same and the year-to-year spread is
slightly larger (no between-beneficiary correction); `reached` and the production-support figures
are the cell-level (expected) numbers given the realised households.

The household loop runs in numba when it is installed (`backend="numba"`), else in numpy
(`backend="numpy"`); both give identical numbers from the same random numbers. Compiled with
numpy's PCG64 generator, the uniforms are drawn inside the loop (`simlib.engines.state_step`)
rather than filled into an array first: the same numbers and the generator in the same state.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from simlib.engines.common import EngineOutput, run_draws, stochastic_round
from simlib.engines.expected import YearStep
from simlib.engines.reach import acting_money, formation_sizes
from simlib.errors import InputError
from simlib.model import Model
from simlib.states import ALLOWED, N_STATES

#: destinations of each state, in state order: (K, 3)
DEST = np.array([np.flatnonzero(row) for row in ALLOWED], dtype=np.uint8)
#: households per chunk of the household loop: temporaries stay in cache, memory stays bounded
CHUNK = 1 << 16
BACKENDS = ("auto", "numba", "numpy")

try:  # pragma: no cover - exercised when numba is installed (it is a dependency)
    import numba as _numba

    from simlib.engines.pcg64_normals import set_state, state_of
    from simlib.engines.state_step import step_inline
except ImportError:  # pragma: no cover
    _numba = None


@dataclass
class Households:
    """Struct of arrays with room for growth: `group[:size]`, `state[:size]` are live."""

    group: np.ndarray
    state: np.ndarray
    size: int

    @property
    def nbytes(self) -> int:
        return self.group.nbytes + self.state.nbytes


def cell_key(group: np.ndarray, state: np.ndarray) -> np.ndarray:
    """The exchangeability cell of each household: group x detailed state (g * K + k).

    The hook for richer household states: a model with deprivation flags extends this key
    (and `YearStep`'s rows) so that households in one cell stay exchangeable."""
    return group.astype(np.intp) * N_STATES + state


def capacity(model: Model) -> int:
    """Households the arrays must hold by the last review (growth plus rounding up)."""
    G, Y = len(model.g_unit), len(model.years)
    grow = (1.0 + max(model.growth, 0.0)) ** Y
    return int(np.ceil(model.n0.sum() * grow + (G + 1) * Y * grow)) + 16


def synthesise(model: Model) -> Households:
    """One record per baseline household, grouped by group and state (order is irrelevant:
    households in a cell are exchangeable)."""
    counts = model.n0.astype(np.int64).ravel()
    G = len(model.g_unit)
    gtype = np.uint16 if G <= np.iinfo(np.uint16).max else np.uint32
    cap = capacity(model)
    group = np.zeros(cap, gtype)
    state = np.zeros(cap, np.uint8)
    n = int(counts.sum())
    gk = np.arange(counts.size)
    group[:n] = np.repeat((gk // N_STATES).astype(gtype), counts)
    state[:n] = np.repeat((gk % N_STATES).astype(np.uint8), counts)
    return Households(group, state, n)


def _thresholds_python(P, dest, t1, t2) -> None:  # compiled by numba below
    G, K = P.shape[0], P.shape[1]
    for g in range(G):
        for k in range(K):
            c = min(max(P[g, k, dest[k, 0]], 0.0), 1.0)
            t1[g * K + k] = np.uint32(min(np.floor(c * 4294967296.0), 4294967295.0))
            c = c + min(max(P[g, k, dest[k, 1]], 0.0), 1.0)
            t2[g * K + k] = np.uint32(min(np.floor(c * 4294967296.0), 4294967295.0))


def _flows_python(moves, dest, flows) -> None:  # compiled by numba below
    G, K = flows.shape[0], flows.shape[1]
    for g in range(G):
        for k in range(K):
            for q in range(dest.shape[1]):
                flows[g, k, dest[k, q]] = moves[(g * K + k) * dest.shape[1] + q]


_thresholds_numba = _numba.njit(cache=True, nogil=True)(_thresholds_python) if _numba is not None else None
_flows_numba = _numba.njit(cache=True, nogil=True)(_flows_python) if _numba is not None else None
DEST_INTP = DEST.astype(np.intp)


def thresholds(P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative 32-bit thresholds (G*K,) x 2 of each row's first two destinations.

    A uniform u in [0, 2^32) goes to DEST[k, j] with j = (u >= t1) + (u >= t2). Compiled when
    numba is installed (the same clip, sum, floor and cap, one row at a time)."""
    G, K = P.shape[:2]
    if _thresholds_numba is not None:
        t1, t2 = np.empty(G * K, np.uint32), np.empty(G * K, np.uint32)
        _thresholds_numba(np.ascontiguousarray(P, dtype=float), DEST_INTP, t1, t2)
        return t1, t2
    rows = np.take_along_axis(P, DEST[None, :, :].astype(np.intp).repeat(G, 0), axis=2)  # (G, K, 3)
    cum = np.cumsum(np.clip(rows[..., :2], 0.0, 1.0), axis=-1)
    t = np.minimum(np.floor(cum * 2.0**32), 2.0**32 - 1).astype(np.uint32)
    return t[..., 0].ravel(), t[..., 1].ravel()


def _step_numpy(group, state, u, t1, t2, dest, moves) -> None:
    """Household loop in numpy: new states in place, moves (G*K*3,) counted."""
    c = cell_key(group, state)
    j = (u >= t1[c]).astype(np.uint8)
    j += u >= t2[c]
    moves += np.bincount(c * 3 + j, minlength=moves.size)
    state[:] = dest[state.astype(np.intp) * 3 + j]


def _step_python(group, state, u, t1, t2, dest, moves) -> None:  # compiled by numba below
    K = 6
    for i in range(group.size):
        c = np.intp(group[i]) * K + state[i]
        x = u[i]
        j = np.intp(x >= t1[c]) + np.intp(x >= t2[c])
        moves[c * 3 + j] += 1
        state[i] = dest[np.intp(state[i]) * 3 + j]


_step_numba = _numba.njit(cache=True, nogil=True)(_step_python) if _numba is not None else None


def _backend(name: str):
    if name not in BACKENDS:
        raise InputError("enum", field="backend", value=name, allowed=BACKENDS)
    if name == "numpy" or (name == "auto" and _step_numba is None):
        return _step_numpy
    if _step_numba is None:  # pragma: no cover
        raise ImportError("numba is not installed: use backend='numpy'")
    return _step_numba


@functools.lru_cache(maxsize=8)
def destinations(groups: int) -> np.ndarray:
    """The destination state of each move index (g*K + k)*3 + j (G*K*3, uint8, read-only):
    `DEST`'s rows repeated for every group."""
    d = np.tile(DEST.ravel(), groups)
    d.flags.writeable = False
    return d


def uniforms(rng: np.random.Generator, n: int) -> np.ndarray:
    """n independent 32-bit uniforms: two per raw 64-bit output of the bit generator."""
    return rng.bit_generator.random_raw((n + 1) // 2).view(np.uint32)[:n]


def step_households(
    hh: Households,
    P: np.ndarray,
    rng: np.random.Generator,
    backend: str = "auto",
    chunk: int = CHUNK,
    inline_rng: bool = True,
) -> np.ndarray:
    """Move every household one year with rows P (G, K, K); returns moves (G, K, K).

    The uniforms are `uniforms(rng, ·)` per chunk of `chunk` households. Compiled with a PCG64
    generator (numpy's default) and `inline_rng`, they are drawn inside the loop
    (`simlib.engines.state_step`: the same numbers, states, moves and generator state after);
    otherwise each chunk's uniforms are filled into an array first."""
    G, K = P.shape[:2]
    step = _backend(backend)
    t1, t2 = thresholds(P)
    moves = np.zeros(G * K * 3, np.int64)
    rstate = state_of(rng) if inline_rng and step is _step_numba else None
    if rstate is not None:
        step_inline(hh.group[: hh.size], hh.state[: hh.size], rstate, t1, t2, destinations(G), moves, chunk)
        set_state(rng, rstate)
    else:
        dest = DEST.ravel()
        for a in range(0, hh.size, chunk):
            b = min(a + chunk, hh.size)
            step(hh.group[a:b], hh.state[a:b], uniforms(rng, b - a), t1, t2, dest, moves)
    return flows_of(moves, G, K)


def flows_of(moves: np.ndarray, G: int, K: int) -> np.ndarray:
    """Flows (G, K, K) from the moves (G*K*3,) counted by the household loop."""
    flows = np.zeros((G, K, K))
    if _flows_numba is not None:
        _flows_numba(moves, DEST_INTP, flows)
        return flows
    np.put_along_axis(
        flows, DEST[None, :, :].astype(np.intp).repeat(G, 0), moves.reshape(G, K, 3).astype(float), axis=2
    )
    return flows


def new_households(model: Model, sizes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """New households (..., G, K) from group sizes (..., G): growth x size rounded without
    bias, states from the entry shares (one multinomial per group)."""
    n_new = stochastic_round(model.growth * sizes, rng)
    return rng.multinomial(n_new, model.entry).astype(float)


def append(hh: Households, entries: np.ndarray) -> None:
    """Append new households (G, K) to the arrays."""
    counts = entries.astype(np.int64).ravel()
    m = int(counts.sum())
    if hh.size + m > hh.group.size:  # pragma: no cover - capacity() has room for the rounding
        raise RuntimeError("household arrays full")
    gk = np.arange(counts.size)
    hh.group[hh.size : hh.size + m] = np.repeat(gk // N_STATES, counts)
    hh.state[hh.size : hh.size + m] = np.repeat(gk % N_STATES, counts)
    hh.size += m


def _move_first_python(group, state, counts, twin) -> None:  # compiled by numba below
    K = 6
    taken = np.zeros(counts.size, np.int64)
    for i in range(group.size):
        c = np.intp(group[i]) * K + state[i]
        if taken[c] < counts[c]:
            taken[c] += 1
            group[i] = twin[group[i]]


_move_first_numba = _numba.njit(cache=True, nogil=True)(_move_first_python) if _numba is not None else None


def move_first_numpy(group, state, counts, twin) -> None:
    """`_move_first_python` in numpy: a cell key (8 bytes) per household, sorted."""
    key = cell_key(group, state)
    idx = np.flatnonzero(counts[key] > 0)
    order = idx[np.argsort(key[idx], kind="stable")]
    ks = key[order]
    rank = np.arange(ks.size) - np.searchsorted(ks, ks, side="left")
    pick = order[rank < counts[ks]]
    group[pick] = twin[group[pick]].astype(group.dtype)


def move_records(hh: Households, moved: np.ndarray, twin: np.ndarray) -> None:
    """Move `moved` (G, K) households of each group-state to the group's housed twin: the first
    ones of the cell in array order (households of a cell are exchangeable, so any choice has
    the same law). Compiled, one pass over the households with a counter per cell (no array per
    household); numpy (a sorted cell key per household) without numba — the same households."""
    counts = np.rint(moved).astype(np.int64).ravel()
    if not counts.any():
        return
    move = move_first_numpy if _move_first_numba is None else _move_first_numba
    move(hh.group[: hh.size], hh.state[: hh.size], counts, np.ascontiguousarray(twin).astype(hh.group.dtype))


def simulate_fast(
    model: Model, spend: np.ndarray, rng: np.random.Generator, backend: str = "auto", chunk: int = CHUNK
) -> EngineOutput:
    """One draw of the fast household microsimulation (see the module docstring) with spending
    `spend` (Y+1, L, D)."""
    hh = synthesise(model)
    step = YearStep(model, 1, model.effects[None])
    sp_all = acting_money(model, spend[None])
    out = EngineOutput.like("microsim-fast", model, 1)
    n = model.n0.astype(float)
    out.states[0, 0] = n
    for y in range(len(model.years)):
        st = step(n[None], sp_all[:, y], y, rng=rng)
        out.reached[:, y], out.eligible[:, y], out.ps_supported[:, y], out.ps_wanting[:, y] = (
            st.reached,
            st.eligible,
            st.ps_sup,
            st.ps_want,
        )
        move_records(hh, st.moved[0], model.twin)
        flows = step_households(hh, st.P[0], rng, backend, chunk)
        entries = new_households(model, formation_sizes(model, n), rng)
        append(hh, entries)
        out.flows[0, y], out.entries[0, y] = flows, entries
        n = flows.sum(axis=-2) + entries
        out.states[0, y + 1] = n
    return out


def run_microsim_fast(
    model: Model,
    spend: np.ndarray,
    draws: int = 1,
    seed: int | np.random.SeedSequence = 0,
    progress: bool = False,
    label: str = "",
    backend: str = "auto",
) -> EngineOutput:
    """`draws` independent replications; draw i uses the i-th child of SeedSequence(seed)."""
    return run_draws(
        lambda rng: simulate_fast(model, spend, rng, backend=backend), "microsim-fast", draws, seed, progress, label
    )
