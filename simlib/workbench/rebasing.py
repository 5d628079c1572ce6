"""The re-basing of change targets of the explorer's multidimensional run, in numpy (issue 18).

`simlib.period_changes.rebase_points` of a run on its own units with one change of standard
(`simlib.workbench.incremental.rebase`) reads the households of the run and of its
previous-standard twin at the review of the change, in pandas: about 30 CPU ms per change before
the change's year on `multidim_2030` (its group sums, pivots, joins and one dict per row). Here the
same numbers come from the engine outputs' households by cell (`simlib.tabulate.by_cell`, the
states table's values in its row order) with the same sums in the same order:

- a unit's households in a state (`period_changes.unit_counts`, pandas' group sum) and an ethnic
  group's (`group_points`' pivot table) are compensated sums (`kahan`, pandas' own algorithm) of
  the table's rows in table order;
- the province's (a data frame's column sum over the units, sorted by id) numpy's sum of the
  contiguous column; the poor units together a compensated sum over them, in that order;
- a group's households over its state columns (sorted) and a measure over its states (in
  `MEASURES` order) left to right, as a data frame's row sum.

The table is equal to `rebase_points`' bit for bit (tests/test_workbench_rebasing.py compares
them on the explorer's runs and on households drawn over eleven orders of magnitude); anything
else (more than one draw, a change at the first review) takes `rebase_points` itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.dataset import GROUPS
from simlib.period_changes import MEASURES, REBASE_COLUMNS, REBASED_INDICATORS
from simlib.states import PUBLIC_OF, PUBLIC_STATES
from simlib.tabulate import by_cell


def kahan(terms: np.ndarray) -> np.ndarray:
    """The sums over the first axis of `terms`, term by term in order, compensated as pandas'
    cython group sums are (`pandas._libs.groupby.group_sum`): the same bits."""
    total = np.zeros(terms.shape[1:])
    comp = np.zeros(terms.shape[1:])
    for v in terms:
        y = v - comp
        t = total + y
        comp = (t - total) - y
        comp[comp != comp] = 0.0  # pandas: a compensation that became NaN (infinities) starts again
        total = t
    return total


def group_sums(values: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """pandas' group sums (`DataFrameGroupBy.sum`) of `values` (rows in table order) by group
    `codes` (0..n-1, the groups in sorted key order, each with rows): numpy's `add.reduceat`
    over the rows when the codes never decrease (pandas' path for sorted groups: each group's
    first row plus numpy's sum of the others), else the compensated sums in row order — each
    group's rows right-aligned after zeros, which leave a compensated sum at exactly zero."""
    if np.all(codes[1:] >= codes[:-1]):
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        return np.add.reduceat(values, starts)
    rows = np.argsort(codes, kind="stable")  # the rows of group 0, then of group 1, ... in table order
    size = np.bincount(codes, minlength=n)
    first = np.cumsum(size) - size
    col = np.arange(len(rows)) - np.repeat(first, size) + np.repeat(size.max() - size, size)
    terms = np.zeros((size.max(), n))
    terms[col, codes[rows]] = values[rows]
    return kahan(terms)


def fits(n_draws: int, t: int, reviews: list[int]) -> bool:
    """Whether `points` makes the table of a run of `n_draws` draws with the review years
    `reviews` changing the standard at review `t`: one draw, a review with the year before it."""
    return n_draws == 1 and t >= 1 and reviews[t - 1] == reviews[t] - 1


def _state_ks() -> dict[str, list[int]]:
    """The detailed states of each measure (`MEASURES`; None: every state)."""
    public = np.array(PUBLIC_STATES)[PUBLIC_OF]
    return {m: [k for k in range(len(public)) if s is None or public[k] in s] for m, s in MEASURES.items()}


def unit_counts(cells: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """(measure, unit) households of `cells` (D, E, A, K: one draw and review, the states
    table's rows in order) in each measure, the units in sorted order (`rank`: each unit's place
    in it): `period_changes.unit_counts`."""
    out = []
    for ks in _state_ks().values():
        values = cells[..., ks].reshape(len(rank), -1)
        codes = np.repeat(rank, values.shape[1])
        out.append(group_sums(values.ravel(), codes, len(rank)))
    return np.array(out)


def group_states(cells: np.ndarray) -> np.ndarray:
    """(ethnic group, public state) households of `cells` (D, E, A, K), both sorted: the pivot
    table of `period_changes.group_points` (pandas' group sums over the table's rows)."""
    groups = np.argsort(np.argsort(np.array(GROUPS), kind="stable"), kind="stable")  # each group's place
    public = sorted(PUBLIC_STATES)
    state = np.array([public.index(PUBLIC_STATES[PUBLIC_OF[k]]) for k in range(cells.shape[-1])])
    codes = groups[None, :, None, None] * len(public) + state[None, None, None, :]
    codes = np.broadcast_to(codes, cells.shape).ravel()
    return group_sums(cells.ravel(), codes, len(GROUPS) * len(public)).reshape(len(GROUPS), len(public))


def row_sum(columns: list[np.ndarray]) -> np.ndarray:
    """A data frame's row sum over `columns`, left to right."""
    total = columns[0]
    for c in columns[1:]:
        total = total + c
    return total


def points(
    model, old_model, plan_states: np.ndarray, twin_states: np.ndarray, t: int, year: int, poor_units
) -> pd.DataFrame:
    """`rebase_points` of the run on `model` whose households by group and state at every review
    are `plan_states` (1, Y+1, G, K) and its twin's (on `old_model`) `twin_states`, at review `t`
    (calendar `year`) changing the standard: the re-basing of each unit, the province, the poor units together and
    each ethnic group (`REBASE_COLUMNS`)."""
    units = [str(u) for u in model.unit_ids]
    order = np.array(sorted(range(len(units)), key=lambda i: units[i]), dtype=np.intp)
    rank = np.argsort(order)
    pair = ((model, plan_states), (old_model, twin_states))
    new, old = (by_cell(m, s[:1, t : t + 1], 2)[0, 0] for m, s in pair)  # (D, E, A, K): review t only
    cur, cur_old = unit_counts(new, rank), unit_counts(old, rank)
    reclass = cur - cur_old
    names = ["province"] + [units[i] for i in order]
    current = np.concatenate([np.ascontiguousarray(cur).sum(axis=1)[:, None], cur], axis=1)
    reclassified = np.concatenate([np.ascontiguousarray(reclass).sum(axis=1)[:, None], reclass], axis=1)
    kinds = ["province"] + ["district"] * len(order)
    poor = [i for i, u in enumerate(names) if i > 0 and u in set(poor_units)]
    if poor:  # pandas' group sum over the sorted units: `add.reduceat` (`group_sums`)
        current = np.concatenate([current, np.add.reduceat(current[:, poor], [0], axis=1)], axis=1)
        reclassified = np.concatenate([reclassified, np.add.reduceat(reclassified[:, poor], [0], axis=1)], axis=1)
        names, kinds = names + ["poor_districts"], kinds + ["poor_districts"]
    measure = {m: i for i, m in enumerate(MEASURES)}
    rows = {"geo_type": [], "geo": [], "indicator": [], "rebase": []}
    for indicator, m in REBASED_INDICATORS.items():
        rows["rebase"].append(100 * reclassified[measure[m]] / current[measure["households"]])
        rows["geo_type"] += kinds
        rows["geo"] += names
        rows["indicator"] += [indicator] * len(names)
    g_new, g_old = group_states(new), group_states(old)
    states = {s: j for j, s in enumerate(sorted(PUBLIC_STATES))}
    households = row_sum(list(g_new.T))
    groups = sorted(GROUPS)
    for indicator, m in REBASED_INDICATORS.items():
        cols = [states[s] for s in MEASURES[m]]
        diff = row_sum([g_new[:, j] for j in cols]) - row_sum([g_old[:, j] for j in cols])
        rows["rebase"].append(100 * diff / households)
        rows["geo_type"] += ["ethnic_group"] * len(groups)
        rows["geo"] += groups
        rows["indicator"] += [indicator] * len(groups)
    n = len(rows["geo"])
    table = pd.DataFrame(
        {
            "draw": np.zeros(n, dtype=np.int64),
            "year": np.full(n, year, dtype=np.int64),
            "geo_type": rows["geo_type"],
            "geo": rows["geo"],
            "indicator": rows["indicator"],
            "rebase": np.concatenate(rows["rebase"]),
        }
    )
    return table[REBASE_COLUMNS]
