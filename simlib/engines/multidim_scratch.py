"""Working arrays of the compiled multidimensional expected engine's year (`multidim_jit`): one
group's scratch for the lines, the own changes and the settling, made once per thread and reused
group by group."""

from __future__ import annotations

import numpy as np

from simlib.engines.multidim_cell_kernels import settle_scratch
from simlib.engines.multidim_numba import aempty, compiled

__all__ = ["scratch", "scratch_jit", "thread_scratch"]


def scratch(K, NM, NK, B, NP, nlink, nu1, nw):
    """Working arrays of one group's year: the lines', the own changes' and the settling's (the
    incomes after the own changes H3 (K, NK, B), the new states' incomes by bin hs (K, B) and
    `classify`'s), each starting on a 64-byte boundary (`aempty`: numba's own arrays start on
    32-byte ones, so half of these rows spanned a cache line more than they need)."""
    f, i = np.float64, np.int64
    lines_work = (
        aempty(NK * NP, f).reshape((NK, NP)),
        aempty(NK, f),
        aempty(NK * NK, f).reshape((NK, NK)),
        aempty(NK, f),
        aempty(NM, f),
        aempty(NK * B, f).reshape((NK, B)),
        aempty(B, f),
        aempty(NK * 2, i).reshape((NK, 2)),
    )
    flip_work = (
        aempty(nw, f),
        aempty(nlink * nu1 * nu1, f).reshape((nlink, nu1, nu1)),
        aempty(NK, f),
        aempty(nlink * nu1 * B, f).reshape((nlink, nu1, B)),
        aempty(NK * B, f).reshape((NK, B)),
        aempty(nlink * 2, i).reshape((nlink, 2)),
        aempty(nu1 * B, f).reshape((nu1, B)),
        aempty(2 * NK, f).reshape((2, NK)),
        aempty(NK * 2, i).reshape((NK, 2)),
    )
    settle = (aempty(K * NK * B, f).reshape((K, NK, B)), aempty(K * B, f).reshape((K, B)), settle_scratch(K, NK, B))
    return lines_work, flip_work, settle


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
