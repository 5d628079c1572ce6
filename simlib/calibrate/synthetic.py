"""Synthetic review data from a *known* transition model, for tests and the bundled example.

Nothing here is real data. `simulate_cells` draws annual-review counts cell by cell (multinomial
moves from every state: the same distribution as simulating each household); `simulate_register`
draws a household-level review list (ids, cell, status every year, new households, households
that leave). Both use `simlib.transitions.transition_matrix` with given rates and factors, so an
estimate can be checked against the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.calibrate.aggregate import FLOW_SEL
from simlib.calibrate.panel import FLOW_COLUMNS, Cells
from simlib.dataset import AREAS, GROUPS
from simlib.states import ESCAPED_1, ESCAPED_2, ESCAPED_3, N_STATES, NEAR_POOR, POOR, STATES
from simlib.transitions import CELL_CLASSES, RATE_KEYS, rates_for_class, transition_matrix

K = N_STATES
STATUS_OF = np.array(["poor", "near_poor", "escaped", "escaped", "escaped", "non_poor"])
YEARS_SINCE = np.array([0, 0, 1, 2, 3, 0])


def class_rates_of(doc: dict) -> np.ndarray:
    """(8, 12) rates of every cell class of a transitions document."""
    return np.array([[rates_for_class(doc, c)[k] for k in RATE_KEYS] for c in CELL_CLASSES])


def cell_rates(doc: dict, cells: Cells) -> np.ndarray:
    return class_rates_of(doc)[cells.klass]


def simulate_cells(
    counts0: np.ndarray,
    rates: np.ndarray,
    n_years: int,
    rng: np.random.Generator,
    f1: np.ndarray | None = None,
    f2: np.ndarray | None = None,
    growth: float = 0.0,
    entry: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Stocks (T, C, K) and moves (T-1, C, K, K) over `n_years` reviews from integer counts0 (C, K).

    New households: Poisson(growth x households) per cell, states by `entry` (K,)."""
    C = counts0.shape[0]
    entry = np.zeros(K) if entry is None else entry
    stocks = np.zeros((n_years, C, K), np.int64)
    moves = np.zeros((max(n_years - 1, 0), C, K, K), np.int64)
    s = counts0.astype(np.int64)
    stocks[0] = s
    for t in range(n_years - 1):
        a = np.ones((C, K)) if f1 is None else f1[t]
        b = np.ones((C, K)) if f2 is None else f2[t]
        P = transition_matrix(rates, a, b)
        P = np.clip(P, 0, None)
        P /= P.sum(axis=-1, keepdims=True)
        mv = rng.multinomial(s, P)
        moves[t] = mv
        new = rng.poisson(growth * s.sum(axis=1))
        ent = rng.multinomial(new, entry / entry.sum()) if entry.sum() > 0 else np.zeros((C, K), np.int64)
        s = mv.sum(axis=1) + ent
        stocks[t + 1] = s
    return stocks, moves


def aggregate_table(
    years,
    cells: Cells,
    stocks: np.ndarray,
    moves: np.ndarray | None = None,
    level: str = "cell",
    flows: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Counts in the aggregate review format (see `simlib.calibrate.io`): per year and cell (or
    unit), households, poor, near_poor, escaped, and the requested flow columns."""
    T, C, _ = stocks.shape
    rows = []
    for t in range(T):
        for c in range(C):
            s = stocks[t, c]
            r = {
                "year": years[t],
                "unit_id": cells.unit_id[c],
                "ethnic_group": GROUPS[cells.eth[c]],
                "area": AREAS[cells.area[c]],
                "households": s.sum(),
                "poor": s[POOR],
                "near_poor": s[NEAR_POOR],
                "escaped": s[ESCAPED_1] + s[ESCAPED_2] + s[ESCAPED_3],
            }
            for f in flows:
                j = FLOW_COLUMNS.index(f)
                r[f] = (moves[t - 1, c] * FLOW_SEL[j]).sum() if t > 0 else ""
            rows.append(r)
    df = pd.DataFrame(rows)
    if level == "unit":
        num = ["households", "poor", "near_poor", "escaped"]
        agg = df.groupby(["year", "unit_id"], sort=False, as_index=False)[num].sum()
        for f in flows:
            v = pd.to_numeric(df[f], errors="coerce")
            agg[f] = v.groupby([df["year"], df["unit_id"]], sort=False).sum(min_count=1).to_numpy()
            agg[f] = agg[f].astype(object).where(agg["year"] != years[0], "")
        df = agg
    return df


def simulate_register(
    cells: Cells,
    counts0: np.ndarray,
    rates: np.ndarray,
    years,
    rng: np.random.Generator,
    growth: float = 0.0,
    entry: np.ndarray | None = None,
    attrition: float = 0.0,
) -> pd.DataFrame:
    """A household review list, long format: one row per household and review with
    `household_id, year, unit_id, ethnic_group, area, status, new, escape_year`, and the true
    detailed `state` (drop it to get what a province would have).

    Every household of counts0 (C, K) is listed at the first review; each year it moves by its
    cell's matrix, leaves with probability `attrition`, and (growth + attrition) x households new
    households (Poisson) are formed with states drawn from `entry` (K,) — net growth `growth`."""
    entry = np.zeros(K) if entry is None else np.asarray(entry, float)
    n = counts0.astype(np.int64).ravel()
    gk = np.repeat(np.arange(n.size), n)
    cell, state = gk // K, gk % K
    ids = np.arange(len(cell))
    next_id = len(cell)
    frames = []
    new = np.zeros(len(cell), bool)
    for t, y in enumerate(years):
        if t > 0:
            P = transition_matrix(rates[cell], np.ones((len(cell), K)), np.ones((len(cell), K)))
            cum = np.cumsum(P[np.arange(len(cell)), state], axis=1)
            u = rng.random(len(cell))[:, None]
            state = np.minimum((u > cum).sum(axis=1), K - 1)
            stay = rng.random(len(cell)) >= attrition
            cell, state, ids = cell[stay], state[stay], ids[stay]
            counts = np.bincount(cell, minlength=len(cells))
            born = rng.poisson((growth + attrition) * counts)
            bc = np.repeat(np.arange(len(cells)), born)
            bs = rng.choice(K, size=bc.size, p=entry / entry.sum()) if bc.size else np.zeros(0, int)
            cell = np.concatenate([cell, bc])
            state = np.concatenate([state, bs])
            ids = np.concatenate([ids, np.arange(next_id, next_id + bc.size)])
            next_id += bc.size
            new = np.concatenate([np.zeros(stay.sum(), bool), np.ones(bc.size, bool)])
        ysince = YEARS_SINCE[state]
        frames.append(
            pd.DataFrame(
                {
                    "household_id": [f"H{i:06d}" for i in ids],
                    "year": y,
                    "unit_id": cells.unit_id[cell],
                    "ethnic_group": np.array(GROUPS)[cells.eth[cell]],
                    "area": np.array(AREAS)[cells.area[cell]],
                    "status": STATUS_OF[state],
                    "new": np.where(new, "true", ""),
                    "escape_year": np.where(ysince > 0, (y - ysince + 1).astype(str), ""),
                    "state": np.array(STATES)[state],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def aggregate_from_register(reg: pd.DataFrame, flows: tuple[str, ...] = ()) -> pd.DataFrame:
    """Counts per year and cell (aggregate review format) of a simulated register, from its
    detailed `state` column; flows from households listed in two consecutive years."""
    keys = ["year", "unit_id", "ethnic_group", "area"]
    st = reg.assign(k=reg["state"].map({s: i for i, s in enumerate(STATES)}))
    wide = pd.crosstab([st[c] for c in keys], st["k"]).reindex(columns=range(K), fill_value=0)
    cells = wide.index.droplevel(0).unique()  # every cell listed in some year, in every year
    full = pd.MultiIndex.from_tuples([(y,) + c for y in sorted(st["year"].unique()) for c in cells], names=keys)
    wide = wide.reindex(full, fill_value=0)
    out = wide.reset_index()[keys].copy()
    v = wide.to_numpy()
    out["households"] = v.sum(axis=1)
    out["poor"], out["near_poor"] = v[:, POOR], v[:, NEAR_POOR]
    out["escaped"] = v[:, [ESCAPED_1, ESCAPED_2, ESCAPED_3]].sum(axis=1)
    if flows:
        prev = st[["household_id", "year", "k"]].assign(year=st["year"] + 1).rename(columns={"k": "k0"})
        pair = st.merge(prev, on=["household_id", "year"])
        first = out["year"] == out["year"].min()
        for f in flows:
            sel = FLOW_SEL[FLOW_COLUMNS.index(f)]
            hit = pair[sel[pair["k0"].to_numpy(), pair["k"].to_numpy()] > 0]
            n = hit.groupby(keys).size()
            col = out.set_index(keys).index.map(lambda i, n=n: int(n.get(i, 0)))
            out[f] = np.where(first, "", np.asarray(col).astype(object))
    return out
