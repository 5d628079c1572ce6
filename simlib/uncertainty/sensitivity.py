"""Global sensitivity: which groups of parameters drive the projected poor rate and the
probability of meeting a target — "what we most need to measure better".

- **Sobol indices with groups** (variance-based). From two independent designs A and B (the two
  halves of one scrambled Sobol sequence) and, for each group g, A with g's columns taken from B:
  first-order S_g = mean(f(B) (f(A_B^g) - f(A))) / V (Saltelli et al. 2010) — the share of the
  output's variance explained by g alone; total S_T,g = mean((f(A) - f(A_B^g))^2) / 2V (Jansen
  1999) — including g's interactions. Cost: n (2 + number of groups) model runs. Confidence
  intervals by bootstrap over the n base rows.
- **Morris elementary effects** (screening, for many single parameters cheaply): r trajectories
  through a p-level grid (bin centres), each moving one group by +-Delta at a time; mu* = mean |effect| / Delta
  ranks influence, sigma shows non-linearity or interactions. Cost: r (k + 1) runs.

The generic functions take a function of the unit hypercube; `sensitivity_analysis` and
`screening_analysis` wire them to a scenario through the parameter space (expected engine by
default: the microsimulation's household-level noise would count as "unexplained" variance).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.errors import InputError
from simlib.options import RunOptions
from simlib.scenario import Scenario
from simlib.uncertainty.sampling import to_values
from simlib.uncertainty.space import GROUPINGS, ParameterSpace, build_space, group_label, require_states_model

# --- generic: Sobol ------------------------------------------------------------------------------


def saltelli_design(d: int, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two independent (n, d) designs A, B: the halves of a scrambled 2d-dimensional Sobol
    sequence (n is rounded up to a power of 2)."""
    from scipy.stats import qmc

    m = int(np.ceil(np.log2(max(2, n))))
    base = qmc.Sobol(2 * d, scramble=True, rng=np.random.default_rng(seed)).random_base2(m)
    base = np.clip(base, 1e-9, 1 - 1e-9)
    return base[:, :d], base[:, d:]


def ab_matrix(A: np.ndarray, B: np.ndarray, cols: Sequence[int]) -> np.ndarray:
    """A with the columns `cols` taken from B."""
    M = A.copy()
    M[:, list(cols)] = B[:, list(cols)]
    return M


def sobol_from_runs(fA: np.ndarray, fB: np.ndarray, fAB: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total indices from runs fA, fB (n, m) and fAB (k, n, m) -> (k, m) each."""
    V = np.var(np.concatenate([fA, fB]), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        S1 = np.mean(fB[None] * (fAB - fA[None]), axis=1) / V
        ST = 0.5 * np.mean((fA[None] - fAB) ** 2, axis=1) / V
    return S1, ST


def sobol_indices(
    fA: np.ndarray,
    fB: np.ndarray,
    fAB: np.ndarray,
    names: Sequence[str],
    outputs: Sequence[str],
    n_boot: int = 200,
    seed: int = 0,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Tidy table: output, group, S1, S1_low, S1_high, ST, ST_low, ST_high (bootstrap intervals)."""
    fA, fB = np.asarray(fA, float).reshape(len(fA), -1), np.asarray(fB, float).reshape(len(fB), -1)
    fAB = np.asarray(fAB, float).reshape(len(names), len(fA), -1)
    S1, ST = sobol_from_runs(fA, fB, fAB)
    n = fA.shape[0]
    rng = np.random.default_rng(seed)
    lo_q, hi_q = (1 - conf) / 2, 1 - (1 - conf) / 2
    b1 = np.empty((n_boot,) + S1.shape)
    bT = np.empty((n_boot,) + ST.shape)
    for b in range(n_boot):
        r = rng.integers(0, n, n)
        b1[b], bT[b] = sobol_from_runs(fA[r], fB[r], fAB[:, r])
    with np.errstate(invalid="ignore"):
        q1 = np.nanquantile(b1, [lo_q, hi_q], axis=0) if n_boot else np.full((2,) + S1.shape, np.nan)
        qT = np.nanquantile(bT, [lo_q, hi_q], axis=0) if n_boot else np.full((2,) + ST.shape, np.nan)
    rows = []
    for gi, g in enumerate(names):
        for oi, o in enumerate(outputs):
            rows.append(
                {
                    "output": o,
                    "group": g,
                    "S1": S1[gi, oi],
                    "S1_low": q1[0, gi, oi],
                    "S1_high": q1[1, gi, oi],
                    "ST": ST[gi, oi],
                    "ST_low": qT[0, gi, oi],
                    "ST_high": qT[1, gi, oi],
                }
            )
    return pd.DataFrame(rows)


def sobol_analysis(
    func: Callable[[np.ndarray], np.ndarray],
    d: int,
    groups: Mapping[str, Sequence[int]],
    n: int = 1024,
    seed: int = 0,
    outputs: Sequence[str] | None = None,
    n_boot: int = 200,
) -> pd.DataFrame:
    """Grouped Sobol indices of `func` ((rows, d) points in the unit cube -> (rows,) or (rows, m)).

    All n (2 + len(groups)) points are passed to `func` in one call, so it can parallelise."""
    A, B = saltelli_design(d, n, seed)
    n = A.shape[0]
    names = list(groups)
    X = np.concatenate([A, B] + [ab_matrix(A, B, groups[g]) for g in names])
    Y = np.asarray(func(X), float).reshape(X.shape[0], -1)
    fA, fB = Y[:n], Y[n : 2 * n]
    fAB = Y[2 * n :].reshape(len(names), n, -1)
    outputs = list(outputs) if outputs is not None else [f"y{i}" for i in range(Y.shape[1])]
    return sobol_indices(fA, fB, fAB, names, outputs, n_boot=n_boot, seed=seed)


# --- generic: Morris -------------------------------------------------------------------------------


@dataclass
class MorrisDesign:
    """Points of r trajectories: (r (k+1), d); `moved[t, s]` = group moved at step s of
    trajectory t; `sign[t, s]` = +1 if its factors went up."""

    points: np.ndarray
    moved: np.ndarray
    sign: np.ndarray
    delta: float
    groups: tuple[str, ...]


def morris_design(
    d: int, groups: Mapping[str, Sequence[int]], r: int = 20, levels: int = 4, seed: int = 0
) -> MorrisDesign:
    """r random one-group-at-a-time trajectories on a grid of `levels` (even) points of [0, 1]^d.

    The grid sits at the centres of `levels` equal-probability bins ((i + 1/2) / levels), so
    distributions with long tails (normal, lognormal, Dirichlet rows) are never evaluated at their
    extremes; each step moves half the range (Delta = 1/2, the usual `levels / 2` grid steps).
    All factors of a group move together, in the same direction."""
    if levels < 2 or levels % 2:
        raise InputError("enum", field="levels", value=levels, allowed="an even number ≥ 2")
    rng = np.random.default_rng(seed)
    names = tuple(groups)
    k = len(names)
    grid = (np.arange(levels) + 0.5) / levels
    delta = (levels // 2) / levels
    low_half = grid[: levels // 2]
    pts = np.empty((r, k + 1, d))
    moved = np.empty((r, k), int)
    sign = np.empty((r, k), int)
    for t in range(r):
        up = rng.random(k) < 0.5
        x = rng.choice(low_half, size=d)
        for gi, g in enumerate(names):  # a group going down starts at its upper point
            if not up[gi]:
                x[list(groups[g])] += delta
        order = rng.permutation(k)
        pts[t, 0] = x
        for s, gi in enumerate(order):
            x = x.copy()
            step = delta if up[gi] else -delta
            x[list(groups[names[gi]])] += step
            pts[t, s + 1] = x
            moved[t, s] = gi
            sign[t, s] = 1 if up[gi] else -1
    return MorrisDesign(pts.reshape(-1, d), moved, sign, delta, names)


def morris_indices(design: MorrisDesign, Y: np.ndarray, outputs: Sequence[str] | None = None) -> pd.DataFrame:
    """Tidy table: output, group, mu, mu_star, sigma from the runs Y (rows of design.points)."""
    r, k = design.moved.shape
    Y = np.asarray(Y, float).reshape(r, k + 1, -1)
    ee = (np.diff(Y, axis=1) / design.delta) * design.sign[..., None]  # (r, k, m), by step
    by_group = np.empty_like(ee)
    for t in range(r):
        by_group[t, design.moved[t]] = ee[t]
    outputs = list(outputs) if outputs is not None else [f"y{i}" for i in range(Y.shape[2])]
    rows = []
    for gi, g in enumerate(design.groups):
        for oi, o in enumerate(outputs):
            e = by_group[:, gi, oi]
            rows.append(
                {
                    "output": o,
                    "group": g,
                    "mu": float(np.mean(e)),
                    "mu_star": float(np.mean(np.abs(e))),
                    "sigma": float(np.std(e, ddof=1)) if r > 1 else np.nan,
                }
            )
    return pd.DataFrame(rows)


def morris_analysis(
    func: Callable[[np.ndarray], np.ndarray],
    d: int,
    groups: Mapping[str, Sequence[int]],
    r: int = 20,
    levels: int = 4,
    seed: int = 0,
    outputs: Sequence[str] | None = None,
) -> pd.DataFrame:
    design = morris_design(d, groups, r, levels, seed)
    return morris_indices(design, func(design.points), outputs)


# --- scenario level -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    """A scalar outcome of a run: an indicator cell, or whether a target cell is met (0/1)."""

    indicator: str = "poor_rate"
    geo: str = "province"
    year: int | None = None  # None: the last projected year
    target_id: str | None = None  # if given: 1 when that target is met, else 0

    def name(self, years: Sequence[int]) -> str:
        y = self.year or years[-1]
        if self.target_id:
            return f"met:{self.target_id}:{self.geo}:{y}"
        return f"{self.indicator}:{self.geo}:{y}"

    def label(self, years: Sequence[int], lang: str | None = None, target_label: str | None = None) -> str:
        y = self.year or years[-1]
        geo = i18n.label("geo", self.geo, lang)
        if self.target_id:
            return i18n.t("unc.output.target", lang, label=target_label or self.target_id, geo=geo, year=y)
        if self.indicator == "poor_rate" and self.geo == "province":
            return i18n.t("unc.output.poor_rate", lang, year=y)
        return i18n.t(
            "unc.output.indicator", lang, indicator=i18n.label("indicator", self.indicator, lang), geo=geo, year=y
        )


DEFAULT_OUTPUTS = (
    Output("poor_rate", "province"),
    Output("poor_rate_change", "province", target_id="poor_rate_province"),
)


def scenario_function(
    scen: Scenario,
    outputs: Sequence[Output] = DEFAULT_OUTPUTS,
    space: ParameterSpace | None = None,
    engine: str = "expected",
    replications: int = 1,
    seed: int | None = None,
    executor: str = "serial",
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> tuple[Callable[[np.ndarray], np.ndarray], ParameterSpace, list[str]]:
    """f(U) -> (rows, len(outputs)) for points U of the space's unit cube, and the output names.

    With the microsimulation and several replications each output is averaged over them."""
    from simlib.uncertainty.evaluate import make_layout, map_draws

    require_states_model(scen)
    space = space or build_space(scen.params)
    seed = scen.seed if seed is None else int(seed)
    needs_cf = any(o.indicator in ("poor_fewer_than_without_programme", "cost_per_household_lifted") for o in outputs)
    layout = make_layout(scen, engine, needs_cf)
    years = layout.years
    cols, kinds = [], []
    tc = layout.target_cells
    for o in outputs:
        y = o.year or years[-1]
        if o.target_id:
            hit = tc.index[(tc["target_id"] == o.target_id) & (tc["geo"] == o.geo) & (tc["year"] == y)]
            if not len(hit):
                raise InputError("enum", field="output", value=o.name(years), allowed=sorted(set(tc["target_id"])))
            cols.append(int(hit[0]))
            kinds.append("target")
        else:
            if o.indicator not in layout.indicators:
                raise InputError("enum", field="output", value=o.indicator, allowed=layout.indicators)
            cols.append(layout.index(o.indicator, y, o.geo))
            kinds.append("indicator")
    options = RunOptions(
        engine=engine,
        draws=replications,
        seed=seed,
        executor=executor,
        jobs=jobs,
        scheduler=scheduler,
        progress=progress,
    )
    R = options.replications

    def f(U: np.ndarray) -> np.ndarray:
        values, _ = to_values(space, scen.params, U)
        out = np.full((values.shape[0], R, len(outputs)), np.nan)

        def consume(res):
            for j, (c, kind) in enumerate(zip(cols, kinds)):
                v = res.target_met[:, c].astype(float) if kind == "target" else res.indicators[:, c]
                out[res.draws, :, j] = v.reshape(len(res.draws), R)

        map_draws(
            scen,
            space.keys,
            values,
            layout,
            consume,
            options,
            counterfactual=needs_cf,
            label="sensitivity",
        )
        return out.mean(axis=1)

    return f, space, [o.name(years) for o in outputs]


@dataclass
class SensitivityResult:
    """Sobol (grouped) or Morris indices of a scenario's outputs."""

    method: str
    table: pd.DataFrame  # grouping, group, group_label_vi, group_label_en, output, output_label_vi/en, indices...
    info: dict


def _labels(
    table: pd.DataFrame,
    grouping_col: str,
    outputs: Sequence[Output],
    names: Sequence[str],
    scen: Scenario,
    years: Sequence[int],
) -> pd.DataFrame:
    targets = {t["id"]: t for t in scen.params["targets"]["targets"]}
    for lang in ("vi", "en"):
        table[f"group_label_{lang}"] = [group_label(gp, g, lang) for gp, g in zip(table[grouping_col], table["group"])]
        lab = {}
        for o, nme in zip(outputs, names):
            tl = targets.get(o.target_id, {}).get(f"label_{lang}") if o.target_id else None
            lab[nme] = o.label(years, lang, tl)
        table[f"output_label_{lang}"] = table["output"].map(lab)
    return table


def sensitivity_analysis(
    scen: Scenario,
    n: int = 256,
    groupings: Sequence[str] = ("kind", "project"),
    outputs: Sequence[Output] = DEFAULT_OUTPUTS,
    seed: int | None = None,
    n_boot: int = 200,
    engine: str = "expected",
    executor: str = "serial",
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> SensitivityResult:
    """Grouped Sobol indices of `outputs` for each grouping (`kind`, `project`, `parameter`),
    sharing the base designs: n (2 + total groups) runs (n rounded up to a power of 2)."""
    for g in groupings:
        if g not in GROUPINGS:
            raise InputError("enum", field="grouping", value=g, allowed=GROUPINGS)
    seed = scen.seed if seed is None else int(seed)
    f, space, names = scenario_function(
        scen, outputs, engine=engine, seed=seed, executor=executor, jobs=jobs, scheduler=scheduler, progress=progress
    )
    A, B = saltelli_design(space.dims, n, seed)
    nb = A.shape[0]
    plan = [(gp, g, cols) for gp in groupings for g, cols in space.groups(gp).items()]
    X = np.concatenate([A, B] + [ab_matrix(A, B, cols) for _, _, cols in plan])
    Y = f(X)
    fA, fB = Y[:nb], Y[nb : 2 * nb]
    fAB = Y[2 * nb :].reshape(len(plan), nb, -1)
    frames = []
    for gp in groupings:
        idx = [i for i, p in enumerate(plan) if p[0] == gp]
        t = sobol_indices(fA, fB, fAB[idx], [plan[i][1] for i in idx], names, n_boot=n_boot, seed=seed)
        t.insert(0, "grouping", gp)
        frames.append(t)
    table = _labels(pd.concat(frames, ignore_index=True), "grouping", outputs, names, scen, _years(scen))
    variance = {nm: float(np.var(np.concatenate([fA[:, j], fB[:, j]]))) for j, nm in enumerate(names)}
    info = {
        "method": "sobol",
        "base_points": nb,
        "runs": int(X.shape[0]),
        "seed": seed,
        "engine": engine,
        "groupings": list(groupings),
        "output_variance": variance,
        "output_mean": {nm: float(np.mean(np.concatenate([fA[:, j], fB[:, j]]))) for j, nm in enumerate(names)},
    }
    return SensitivityResult("sobol", table, info)


def screening_analysis(
    scen: Scenario,
    r: int = 20,
    levels: int = 4,
    grouping: str = "parameter",
    outputs: Sequence[Output] = DEFAULT_OUTPUTS,
    seed: int | None = None,
    engine: str = "expected",
    executor: str = "serial",
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> SensitivityResult:
    """Morris screening of every factor (or group): r (k + 1) runs."""
    seed = scen.seed if seed is None else int(seed)
    f, space, names = scenario_function(
        scen, outputs, engine=engine, seed=seed, executor=executor, jobs=jobs, scheduler=scheduler, progress=progress
    )
    groups = space.groups(grouping)
    design = morris_design(space.dims, groups, r, levels, seed)
    table = morris_indices(design, f(design.points), names)
    table.insert(0, "grouping", grouping)
    if grouping == "parameter":
        labels = {fac.name: (fac.label("vi"), fac.label("en")) for fac in space.factors}
        table = _labels(table, "grouping", outputs, names, scen, _years(scen))
        table["group_label_vi"] = table["group"].map(lambda g: labels[g][0])
        table["group_label_en"] = table["group"].map(lambda g: labels[g][1])
    else:
        table = _labels(table, "grouping", outputs, names, scen, _years(scen))
    info = {
        "method": "morris",
        "trajectories": r,
        "levels": levels,
        "runs": int(design.points.shape[0]),
        "seed": seed,
        "engine": engine,
        "grouping": grouping,
    }
    return SensitivityResult("morris", table, info)


def _years(scen: Scenario) -> tuple[int, ...]:
    return (scen.baseline_year,) + tuple(scen.years)
