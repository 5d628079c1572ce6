"""`python -m benchmarks.p27_driver [ROUNDS] [zeros]`: how the two threads of the compiled
multidimensional year share the explorer's 2026 change on `plan_2027` (issue 18; benchmarks/HISTORY.md
`## p27drive`).

The change's two engine years (`multidim_jit._year`, 2026, and `_year_both`, 2027 with the
previous standard's twin) are captured from one change made through `benchmarks.explorer_parts`
(their arguments copied; the cells they fill from the kept state are the explorer's), then replayed
ROUNDS times (3 by default) in a copy of the parallel driver that reads the clocks around its parts:
each thread's CPU (`CLOCK_THREAD_CPUTIME_ID`) and wall span of its loop, its tasks, the fill's and
the tasks' CPU, and the wall time between the call and the first thread's loop ("before": the
driver's prologue and the start of the parallel region) and between the last thread's end and the
return ("after": the wait for the main thread to wake). `zeros`: the counters made by `np.zeros`
in the parallel function as main's `_year` did before `## p27drive` (numba makes it a parallel
loop of its own). The copy calls the tree's own task kernels (`_task`, `_task_both`, `fill_task`),
so the task times are the tree's; the driver is this module's copy of `_year_both`'s loop.
Run with `PYTHONPATH` at the tree and `NUMBA_NUM_THREADS=2`. Nothing is written.
"""

from __future__ import annotations

import copy
import ctypes
import os
import sys
import time

import numba
import numpy as np
from numba import prange

from benchmarks import explorer_parts
from simlib.engines import multidim_fill_kernels, multidim_jit, multidim_scratch
from simlib.engines.multidim_balance import cuts
from simlib.engines.multidim_numba import take

_clock = ctypes.CDLL(None).clock_gettime
_clock.argtypes = [ctypes.c_int, ctypes.c_void_p]
_clock.restype = ctypes.c_int
MONOTONIC, THREAD_CPU = 1, 3
NONE = multidim_fill_kernels.NONE


@numba.njit
def clock(which):
    """ns of the clock `which` (CLOCK_MONOTONIC 1, CLOCK_THREAD_CPUTIME_ID 3)."""
    buf = np.empty(2, np.int64)
    _clock(which, buf.ctypes.data)
    return buf[0] * 1000000000 + buf[1]


@numba.njit
def counters(n):
    """The runs' counters, made outside the parallel function (`multidim_balance.runs`)."""
    return np.zeros(n, np.int64)


@numba.njit(parallel=True, fastmath={"contract", "nsz"})
def driver(a, second, src, parts, both, zeros, TT, TK):
    """`multidim_jit._year_both`'s loop (`_year`'s when not `both`) with clocks: TT (parts, 8) the
    loop's wall start/end, thread CPU start/end, tasks, thread id, TT[0, 6:8] the call's wall and
    the wall before the loop; TK (tasks, 2) each task's fill and task thread CPU ns."""
    TT[0, 6] = clock(MONOTONIC)
    M, H, n, V, cov, rr, sh_lo, sh_w, sh_v, groups, lines, keys, flips, kerns, review, people, out = a
    bases, twin = groups[2], groups[3]
    NBASE = bases.shape[0]
    cut = cuts(n, cov, lines, bases, twin, (parts + 1) // 2)
    taken = np.zeros((parts + 1) // 2, np.int64) if zeros else counters((parts + 1) // 2)
    M2, H2, n2, review2, people2, out2, lean = second
    Ms, Hs, D, n0, Mn, kd, inc0, kind, how = src
    TT[0, 7] = clock(MONOTONIC)
    for p in prange(parts):
        TT[p, 0], TT[p, 2], TT[p, 5] = clock(MONOTONIC), clock(THREAD_CPU), numba.get_thread_id()
        work = multidim_scratch.thread_scratch(M, H, lines, flips)
        state, programme, model = (M, H, n, V), (cov, rr, (sh_lo, sh_w, sh_v)), (groups, lines, keys, flips, kerns)
        other = (M2, H2, n2, review2, people2, out2, lean)
        lo, hi, j = cut[p // 2], cut[p // 2 + 1], 0
        while take(taken[p // 2 :]) < hi - lo:
            sb = lo + j if p % 2 == 0 else hi - 1 - j
            j += 1
            s, g = sb // NBASE, bases[sb % NBASE]
            t0 = clock(THREAD_CPU)
            if how != NONE:
                multidim_fill_kernels.fill_task(M, H, s, g, twin[g], Ms, Hs, (n0, Mn, kd, inc0, kind), how, V, D)
                multidim_jit._unfilled(V, n0, s, g, twin[g], how)
            t1 = clock(THREAD_CPU)
            if both:
                multidim_jit._task_both(s, g, state, programme, model, review, people, out, other, work)
            else:
                multidim_jit._task(s, g, state, programme, model, review, people, out, work)
            TK[sb, 0], TK[sb, 1] = t1 - t0, clock(THREAD_CPU) - t1
            TT[p, 4] += 1
        TT[p, 1], TT[p, 3] = clock(MONOTONIC), clock(THREAD_CPU)


def capture() -> list:
    """The arguments of the last `_year` and `_year_both` of one 2026 change on `plan_2027`
    (copies of what the years write; the cells (M, H) and the kept state they copy are the
    explorer's arrays, filled by each replay from that kept state: both years copy it)."""
    caps, inner = [], {"_year": multidim_jit._year, "_year_both": multidim_jit._year_both}

    def catch(name, cells_at):
        def wrapped(*a):
            filling = a[cells_at][-1] != NONE  # a year continuing in its own cells is not replayed alike
            caps.append(
                (
                    name,
                    tuple(x if i in (0, 1, cells_at) else copy.deepcopy(x) for i, x in enumerate(a))
                    if filling
                    else None,
                )
            )
            return inner[name](*a)

        return wrapped

    multidim_jit._year, multidim_jit._year_both = catch("_year", 17), catch("_year_both", 18)
    try:
        explorer_parts.parts("plan_2027", 2026, 1)
    finally:
        multidim_jit._year, multidim_jit._year_both = inner["_year"], inner["_year_both"]
    if any(a is None for _, a in caps[-2:]):
        raise SystemExit("the change's years do not fill their cells from a kept state: not replayed alike")
    return caps[-2:]


def replay(name: str, a: tuple, zeros: bool) -> str:
    """One replay of a captured year: a line of its figures."""
    a = tuple(copy.deepcopy(x) if i in (2, 3, 16, 17) else x for i, x in enumerate(a))
    both = name == "_year_both"
    if both:
        second, src, parts = a[17], a[18], a[19]
    else:  # `_year`: a lean second state nobody reads
        second = (
            np.empty((0, 0, 1, 1)),
            np.empty((0, 0, 1, 1, 1)),
            a[2].copy(),
            a[14],
            a[15],
            copy.deepcopy(a[16]),
            True,
        )
        src, parts = a[17], a[18]
    TT, TK = np.zeros((parts, 8), np.int64), np.zeros((a[0].shape[0] * a[9][2].shape[0], 2), np.int64)
    w, c, m0 = time.perf_counter(), time.process_time(), time.monotonic_ns()
    driver(a[:17], second, src, parts, both, zeros, TT, TK)
    m1, w, c = time.monotonic_ns(), time.perf_counter() - w, time.process_time() - c
    busy = np.round((TT[:, 3] - TT[:, 2]) / 1e6, 1).tolist()
    ends = np.round((TT[:, 1] - TT[:, 0].min()) / 1e6, 1).tolist()
    before, after = (TT[:, 0].min() - m0) / 1e6, (m1 - TT[:, 1].max()) / 1e6
    last = int(TT[TT[:, 1].argmax(), 5])
    return (
        f"{name:10s} wall {w * 1e3:6.1f} CPU {c * 1e3:6.1f} | threads' CPU {busy} loop ends {ends} tasks "
        f"{TT[:, 4].tolist()} | fill {TK[:, 0].sum() / 1e6:5.1f} tasks {TK[:, 1].sum() / 1e6:6.1f} | before "
        f"{before:5.2f} after {after:5.2f} (last thread {last})"
    )


def main(argv: list[str]) -> None:
    rounds = int(argv[0]) if argv else 3
    zeros = "zeros" in argv[1:]
    caps = capture()
    for name, a in caps:
        replay(name, a, zeros)  # compiled, arrays touched
    print(
        f"load {os.getloadavg()[0]:.1f}; counters by {'np.zeros in the parallel function' if zeros else 'a compiled helper'}"
    )
    for _ in range(rounds):
        for name, a in caps:
            print(replay(name, a, zeros), flush=True)
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
