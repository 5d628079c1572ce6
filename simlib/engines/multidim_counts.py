"""The previous-standard twin's settling when only its households by state are read (issue 18:
the explorer's change to the updated view).

A twin nothing continues from (`simlib.engines.multidim_twin.run_with_twin` with
`twin_hands_over` False: the explorer's and the runner's) is read at its one review only through
its households by state (`EngineOutput.states`: `simlib.runner.dated_changes` and the explorer's
`simlib.workbench.incremental` read its states table; the re-basing its states at that review).
Its classification into new cells (`multidim_cell_kernels.classify`: the masks and incomes moved
to their new states) and its review's records (`multidim_record_kernels.record_group`:
deprivations, FGT sums, incomes, the targeting lines' households) are then not needed: this
module makes its flows, new households and households by state only, the same numbers to the
bit — each source state's households below and above the line summed key by key in
`classify`'s order (`_part_sum`'s four lanes, `_flows`' sums over keys) — from the incomes
after the own changes alone, without writing a cell. The twin's other records of that review
stay zero (tests/test_engine_twin_year.py).
"""

from __future__ import annotations

from simlib.engines.multidim_cell_kernels import entrants, households
from simlib.engines.multidim_numba import compiled, vadd, vlane, vload, vzero

__all__ = ["lane_sum", "settle_counts"]


@compiled
def lane_sum(S, r, lo, hi):
    """The sum of S[r, lo:hi] in `multidim_cell_kernels._part_sum`'s order: four lanes over the
    whole vectors of four from lo, the lanes joined ((0 + 1) + (2 + 3)), then the last entries in
    increasing bin."""
    s = vzero()
    top = hi - (hi - lo) % 4
    for j in range(lo, top, 4):
        s = vadd(s, vload(S, r, j))
    t = (vlane(s, 0) + vlane(s, 1)) + (vlane(s, 2) + vlane(s, 3))
    for b in range(top, hi):
        t += S[r, b]
    return t


@compiled
def settle_counts(H3, ng, size, a, g, s, keys, review, people, out, occupied):
    """Group g's households after their own changes (incomes H3 (K, keys, B)) classified by the
    review's standard and joined by new households (`size` households form them): the flows
    out[0][s, g] (K, K), the new households out[1][s, g] (K,), the households ng (K,) and
    out[3][s, g] (the states' record) — `multidim_jit._settle`'s, without its cells and other
    records. occupied: the states holding households before the own changes (the others are
    zero, not read). review, people, out: `multidim_jit._year`'s."""
    nb, k3 = review[0][a], review[1]
    valid, key_count = keys[1], keys[3]
    flows, entries, states, next_state = out[0], out[1], out[3], out[15]
    new, fl = entries[s, g], flows[s, g]
    entrants(people[0], size, people[1], new)
    K, NK, B = H3.shape
    S = H3.reshape(K * NK, B)
    kp, kn = next_state[0, 0], next_state[0, 1]
    fl[:, :] = 0.0
    for k in range(K):
        if not (occupied >> k) & 1:
            continue
        fp, fn, fa = 0.0, 0.0, 0.0
        for q in range(NK):
            if not valid[q]:
                continue
            below = lane_sum(S, k * NK + q, 0, nb)
            if key_count[q] >= k3:
                fp += below
            else:
                fn += below
            fa += lane_sum(S, k * NK + q, nb, B)
        fl[k, kp], fl[k, kn], fl[k, next_state[k, 2]] = fp, fn, fa
    households(ng, fl, new)
    states[s, g, :] = ng
