"""Working arrays of the compiled multidimensional expected engine's year (`multidim_jit`): one
group's scratch for the lines, the own changes and the settling, made once per thread and reused
group by group."""

from __future__ import annotations

import numpy as np

from simlib.engines.multidim_cell_kernels import settle_scratch
from simlib.engines.multidim_numba import compiled

__all__ = ["scratch", "scratch_jit", "thread_scratch"]


def scratch(K, NM, NK, B, NP, nlink, nu1, nw):
    """Working arrays of one group's year: the lines', the own changes' and the settling's (the
    incomes after the own changes H3 (K, NK, B), the new states' incomes by bin hs (K, B) and
    `classify`'s)."""
    lines_work = (
        np.empty((NK, NP)),
        np.empty(NK),
        np.empty((NK, NK)),
        np.empty(NK),
        np.empty(NM),
        np.empty((NK, B)),
        np.empty(B),
        np.empty((NK, 2), dtype=np.int64),
    )
    flip_work = (
        np.empty(nw),
        np.empty((nlink, nu1, nu1)),
        np.empty(NK),
        np.empty((nlink, nu1, B)),
        np.empty((NK, B)),
        np.empty((nlink, 2), dtype=np.int64),
        np.empty((nu1, B)),
        np.empty((2, NK)),
        np.empty((NK, 2), dtype=np.int64),
    )
    return lines_work, flip_work, (np.empty((K, NK, B)), np.empty((K, B)), settle_scratch(K, NK, B))


scratch_jit = compiled(scratch)


@compiled
def thread_scratch(M, H, lines, flips):
    """One thread's working arrays (`scratch`) for the state's shapes M (S, G, K, 4096), H (S, G,
    K, keys, B), the lines' tables (rows of a line's table: `cell`) and the flips' factors."""
    K, NM = M.shape[2], M.shape[3]
    NK, B = H.shape[3], H.shape[4]
    NP = 1 << int(lines[5].max()) if lines[5].shape[0] > 0 else 1
    nlink, nu1 = flips[5].shape[0], flips[6].shape[1]
    return scratch_jit(K, NM, NK, B, NP, nlink, nu1, nlink * flips[6].shape[0])
