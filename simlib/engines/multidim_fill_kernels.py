"""How the compiled multidimensional engine's cells get their first values: the baseline's
households written into zero arrays, or a kept state's cells copied, group by group.

A run's first year fills each task's groups as its first read of them (`fill_task`, called by
`simlib.engines.multidim_jit`'s parallel year) instead of in a pass over the whole state before
the year: the groups are then written by the thread that works on them, while they are in its
cache, and the baseline's writes (which also make the operating system zero the fresh pages)
run on every thread instead of one before the year. The values are the same either way:
`fill_start` and `fill_task` write every element with the same products.

The source's `how`: `NONE` (the cells hold their values), `COPY` (copy them from the arrays
(Ms, Hs): a kept state lent read-only, `simlib.engines.common.EngineState.lent`) or `START` (the
baseline's households from the model's entry arrays into zero arrays).
"""

from __future__ import annotations

from simlib.engines.multidim_numba import compiled, parallel, prange

__all__ = ["COPY", "NONE", "START", "fill_start", "fill_task", "start_group"]

#: the cells hold their values
NONE = 0
#: copy the cells from the source arrays (Ms, Hs)
COPY = 1
#: the baseline's households, written into zero cells
START = 2


@compiled
def start_group(M, H, s, g, n0, Mn, kd, inc0, kind):
    """The baseline's households of group g in scenario s into the zero cells M (S, G, K, 4096)
    and H (S, G, K, keys, B): n0[g, k] households with the masks Mn (kinds, K, 4096) and the
    keys kd (kinds, K, keys) x incomes inc0 (kinds, K, B) of the group's kind (`kind` (G,)),
    independent. Cell-states without households are left untouched (zero pages, which the
    kernels skip). The products are those of `simlib.engines.multidim_expected._initial`'s numpy
    form: n0 x Mn, n0 x (kd x inc0)."""
    K, NM = M.shape[2], M.shape[3]
    NK, B = H.shape[3], H.shape[4]
    u = kind[g]
    for k in range(K):
        x = n0[g, k]
        if x == 0.0:
            continue
        mo, mi = M[s, g, k], Mn[u, k]
        for m in range(NM):
            mo[m] = x * mi[m]
        inc = inc0[u, k]
        for q in range(NK):
            w = kd[u, k, q]
            ho = H[s, g, k, q]
            for b in range(B):
                ho[b] = x * (w * inc[b])


@parallel
def fill_start(M, H, n0, Mn, kd, inc0, kind, groups):
    """`start_group` for the groups (n,) of every scenario, in parallel (M and H zero there)."""
    S, ng = M.shape[0], groups.shape[0]
    for i in prange(S * ng):
        start_group(M, H, i // ng, groups[i % ng], n0, Mn, kd, inc0, kind)


@compiled
def _fill_group(M, H, s, g, Ms, Hs, start, how):
    if how == COPY:
        M[s, g] = Ms[s, g]
        H[s, g] = Hs[s, g]
    elif how == START:
        n0, Mn, kd, inc0, kind = start
        start_group(M, H, s, g, n0, Mn, kd, inc0, kind)


@compiled
def fill_task(M, H, s, g, t, Ms, Hs, start, how):
    """A task's first read of its groups: base group g and its twin t (t >= 0) of scenario s
    filled in (M, H) (S, G, K, ...) as `how` says (module docstring): copied from (Ms, Hs), or
    the baseline's households from start = (n0, Mn, kd, inc0, kind) (`start_group`)."""
    _fill_group(M, H, s, g, Ms, Hs, start, how)
    if t >= 0:
        _fill_group(M, H, s, t, Ms, Hs, start, how)
