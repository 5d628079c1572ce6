"""The split of a compiled multidimensional year's tasks between threads
(`simlib.engines.multidim_jit`): the tasks (scenario x base group, in memory order) cut into
contiguous runs of about equal work, estimated from the state at the start of the year, one run
for each two threads (the two walk it from its two ends and meet where their times do). A task
is independent of the others, so the split changes only the time, never the results.
"""

from __future__ import annotations

import numpy as np

from simlib.engines.multidim_numba import compiled

__all__ = ["cuts", "runs", "task_work"]

#: a task's estimated work (about microseconds on one thread, `multidim_2030`): fixed, per
#: cell-state with households in the base group, per cell-state of the twin holding households
#: or receiving some from a once-per-household line, per twin, per such twin, and per pair
#: (acting line covering some households, cell-state of the base group with households): a
#: least-squares fit of the tasks' thread CPU times of the 7 years (1,680 tasks), rounded. The
#: former estimate (the cell-states with households, 2 more per twin) left out the lines' pairs
#: (about 15 us each) and the twins the year's first housing fills: it gave the first of two
#: runs 4-12 % more time than the second
FIXED, PER_STATE, PER_TWIN_STATE, PER_TWIN, PER_HELD_TWIN, PER_PAIR = 100.0, 20.0, 40.0, 20.0, 80.0, 15.0


@compiled
def task_work(n, cov, lines, s, g, tw):
    """The estimated work of the task of base group g and its twin tw (-1: none) in scenario s
    (see `PER_PAIR`): 0.0 when neither holds households (nothing is done). n (S, G, K) the
    households at the start of the year, cov (S, L, G, K) the lines' coverage, lines the lines'
    arrays (`multidim_tables`: acts = lines[1], once = lines[8])."""
    acts, once = lines[1], lines[8]
    K, L = n.shape[2], cov.shape[1]
    states = twin_states = pairs = 0
    for k in range(K):
        filled = tw >= 0 and n[s, tw, k] != 0.0
        if n[s, g, k] != 0.0:
            states += 1
            for i in range(L):
                if acts[i] and cov[s, i, g, k] > 0.0:
                    pairs += 1
                    filled = filled or (tw >= 0 and once[i])
        if filled:
            twin_states += 1
    if states + twin_states == 0:
        return 0.0
    w = FIXED + PER_STATE * states + PER_TWIN_STATE * twin_states + PER_PAIR * pairs
    if tw >= 0:
        w += PER_TWIN + (PER_HELD_TWIN if twin_states > 0 else 0.0)
    return w


@compiled
def cuts(n, cov, lines, bases, twin, parts):
    """Task boundaries (parts + 1,) cutting the tasks (scenario x base group, in memory order)
    into `parts` contiguous runs of about equal estimated work (`task_work`)."""
    S = n.shape[0]
    NBASE = bases.shape[0]
    cum = np.zeros(S * NBASE + 1)
    for sb in range(S * NBASE):
        s, g = sb // NBASE, bases[sb % NBASE]
        cum[sb + 1] = cum[sb] + task_work(n, cov, lines, s, g, twin[g])
    cut = np.empty(parts + 1, dtype=np.int64)
    cut[0], cut[parts] = 0, S * NBASE
    for p in range(1, parts):
        cut[p] = np.searchsorted(cum, cum[-1] * p / parts)
    return cut


@compiled
def runs(n, cov, lines, bases, twin, parts):
    """(`cuts`, counters (parts,) of the tasks taken in each run, zero): made by a compiled function
    so that the parallel year (`multidim_jit._year`) has no array expression before its loop over
    threads — numba makes `np.zeros` there a parallel loop of its own, whose start and end wait for
    the other thread (benchmarks/HISTORY.md `## p27drive`: 0.3-20 ms a year on a busy machine)."""
    return cuts(n, cov, lines, bases, twin, parts), np.zeros(parts, np.int64)
