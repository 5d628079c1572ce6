"""Global sensitivity: which groups of parameters drive the projected poor rate and the chance of
meeting a target — "what we most need to measure better". The estimators are SALib's; this
module wires them to a scenario and makes their results safe to show.

- **Sobol indices with groups** (variance-based; `SALib.sample.sobol` + `SALib.analyze.sobol`,
  Saltelli et al. 2010 first-order and Jansen 1999 total estimators): from two independent
  designs A and B (one scrambled Sobol sequence) and, for each group g, A with g's columns taken
  from B. S1 is the share of the output's variance explained by g alone, ST the share including
  g's interactions. Cost: n (2 + number of groups) runs. SALib bootstraps each index over the n
  base rows and reports the half-width of its 95 % interval (`S1_conf`, `ST_conf`).
- **Shown values**: an estimate from few runs can fall outside [0, 1] or put S1 above ST, which
  no true index does. `bound_indices` therefore adds the intervals clipped to [0, 1], flags
  (`ST_reliable`, `S1_reliable`, `reliable`: interval half-width at most `MAX_HALF_WIDTH` and no
  bound broken beyond the interval) and `S1_shown` / `ST_shown`: clipped to [0, 1] with
  S1 ≤ ST when reliable, empty otherwise. Reports draw only the shown values and mark the rest.
- **Morris elementary effects** (screening; `SALib.sample.morris` + `SALib.analyze.morris`):
  r trajectories on a `levels`-point grid, each moving one group at a time; mu* = mean |effect|
  ranks influence, sigma shows non-linearity or interactions. The grid sits at the centres of
  `levels` equal-probability bins ((i + 1/2) / levels), so distributions with long tails are
  never evaluated at their extremes; effects are per unit of the uniform (a move across the
  whole probability range). Cost: r (groups + 1) runs.

The generic functions take a function of the unit hypercube; `sensitivity_analysis` and
`screening_analysis` wire them to a scenario through the parameter space (expected engine by
default: the microsimulation's household-level noise would count as "unexplained" variance).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from SALib.analyze import morris as salib_morris
from SALib.analyze import sobol as salib_sobol
from SALib.sample import morris as morris_sampler
from SALib.sample import sobol as sobol_sampler

from simlib import i18n
from simlib.errors import InputError
from simlib.options import RunOptions
from simlib.scenario import Scenario
from simlib.uncertainty.evaluate import make_layout, map_draws
from simlib.uncertainty.groupings import GROUPINGS
from simlib.uncertainty.sampling import to_values
from simlib.uncertainty.space import ParameterSpace, group_label, scenario_space
from simlib.unit_switch import units_levels

#: a Sobol index is shown only when its 95 % interval is at most ± this wide (a share of variance)
MAX_HALF_WIDTH = 0.1
#: confidence level of the bootstrap intervals
CONF_LEVEL = 0.95
_EPS = 1e-9  # design points stay inside (0, 1): some distributions have infinite tails

# --- generic: problem and designs ----------------------------------------------------------------


def unit_problem(d: int, groups: Mapping[str, Sequence[int]], low: float = 0.0, high: float = 1.0) -> dict:
    """A SALib problem over [low, high]^d whose groups are `groups` (names -> column indices),
    which must put every column in exactly one group."""
    member: list[str | None] = [None] * d
    for g, cols in groups.items():
        for c in cols:
            if not 0 <= int(c) < d or member[int(c)] is not None:
                raise InputError("group_column", field="groups", value=g, column=c, last=d - 1)
            member[int(c)] = str(g)
    missing = [i for i, g in enumerate(member) if g is None]
    if missing:
        raise InputError("group_missing", field="groups", value=missing)
    return {"num_vars": d, "names": [f"u{i}" for i in range(d)], "bounds": [[low, high]] * d, "groups": member}


def base_points(n: int) -> int:
    """The base rows of a Sobol' design asked for `n`: `n` rounded up to a power of 2 (at least 2)."""
    return 2 ** int(np.ceil(np.log2(max(2, n))))


def sobol_design(d: int, groups: Mapping[str, Sequence[int]], n: int, seed: int = 0) -> tuple[np.ndarray, int]:
    """SALib's Saltelli design for grouped first-order and total indices: (n (2 + groups), d)
    points in (0, 1) and the number of base rows (n rounded up to a power of 2).

    Designs with the same d and seed share their base rows A and B whatever the groups, so
    several groupings can be evaluated once (`evaluate_unique`)."""
    n = base_points(n)
    X = sobol_sampler.sample(unit_problem(d, groups), n, calc_second_order=False, scramble=True, seed=seed)
    return np.clip(X, _EPS, 1 - _EPS), n


def evaluate_unique(func: Callable[[np.ndarray], np.ndarray], X: np.ndarray) -> np.ndarray:
    """func(X) as (rows, outputs), evaluating each distinct row of X once (in one call)."""
    uniq, inverse = np.unique(X, axis=0, return_inverse=True)
    Y = np.asarray(func(uniq), float).reshape(len(uniq), -1)
    return Y[inverse.reshape(-1)]


# --- generic: Sobol ------------------------------------------------------------------------------


def sobol_indices(
    problem: dict,
    Y: np.ndarray,
    outputs: Sequence[str] | None = None,
    n_boot: int = 200,
    seed: int = 0,
    order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Tidy table of SALib's grouped Sobol indices from runs Y (rows of `sobol_design`, one column
    per output): output, group, S1, S1_conf, ST, ST_conf, then `bound_indices`' columns."""
    Y = np.asarray(Y, float).reshape(len(Y), -1)
    outputs = list(outputs) if outputs is not None else [f"y{i}" for i in range(Y.shape[1])]
    names = list(dict.fromkeys(problem["groups"]))
    order = list(order) if order is not None else names
    frames = []
    for j, o in enumerate(outputs):
        y = Y[:, j]
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:  # no variance to share out: undefined
            t = pd.DataFrame(np.nan, index=names, columns=["S1", "S1_conf", "ST", "ST_conf"])
        else:
            # SALib bootstraps unseeded when given seed 0, hence + 1
            si = salib_sobol.analyze(
                problem, y, calc_second_order=False, num_resamples=max(2, n_boot), conf_level=CONF_LEVEL, seed=seed + 1
            )
            total, first = si.to_df()
            t = pd.concat([first, total], axis=1)[["S1", "S1_conf", "ST", "ST_conf"]]
            if n_boot < 2:
                t[["S1_conf", "ST_conf"]] = np.nan
        t = t.reindex(order).rename_axis("group").reset_index()
        t.insert(0, "output", o)
        frames.append(t)
    return bound_indices(pd.concat(frames, ignore_index=True))


def bound_indices(table: pd.DataFrame, max_half_width: float = MAX_HALF_WIDTH) -> pd.DataFrame:
    """Add intervals clipped to [0, 1] (`S1_low` … `ST_high`), flags and the values a report may
    show: `ST_shown` in [0, 1] when `ST_reliable`, `S1_shown` ≤ `ST_shown` when `S1_reliable`,
    empty otherwise; `reliable` when both are.

    An index is reliable when its interval is known and at most ± `max_half_width` and its
    estimate breaks no property of true indices (0 ≤ S1 ≤ ST ≤ 1) by more than the intervals;
    S1 is shown only beside a shown ST."""
    t = table.copy()
    s1, c1, st, ct = (t[c].to_numpy(float) for c in ("S1", "S1_conf", "ST", "ST_conf"))
    for name, est, conf in (("S1", s1, c1), ("ST", st, ct)):
        t[f"{name}_low"] = np.clip(est - conf, 0, 1)
        t[f"{name}_high"] = np.clip(est + conf, 0, 1)
    with np.errstate(invalid="ignore"):
        st_ok = (ct <= max_half_width) & (st + ct >= 0) & (st - ct <= 1)
        s1_ok = st_ok & (c1 <= max_half_width) & (s1 + c1 >= 0) & (s1 - c1 <= st + ct)
    t["ST_reliable"], t["S1_reliable"], t["reliable"] = st_ok, s1_ok, st_ok & s1_ok
    st_shown = np.clip(st, 0, 1)
    t["ST_shown"] = np.where(st_ok, st_shown, np.nan)
    t["S1_shown"] = np.where(s1_ok, np.minimum(np.clip(s1, 0, 1), st_shown), np.nan)
    return t


def sobol_analysis(
    func: Callable[[np.ndarray], np.ndarray],
    d: int,
    groups: Mapping[str, Sequence[int]],
    n: int = 1024,
    seed: int = 0,
    outputs: Sequence[str] | None = None,
    n_boot: int = 200,
) -> pd.DataFrame:
    """Grouped Sobol indices of `func` ((rows, d) points in the unit cube -> (rows,) or (rows, m));
    `groups` must put each of the d columns in exactly one group.

    All n (2 + len(groups)) points are passed to `func` in one call, so it can parallelise."""
    X, _ = sobol_design(d, groups, n, seed)
    Y = np.asarray(func(X), float).reshape(len(X), -1)
    return sobol_indices(unit_problem(d, groups), Y, outputs, n_boot, seed, order=list(groups))


# --- generic: Morris -----------------------------------------------------------------------------


def _morris_problem(d: int, groups: Mapping[str, Sequence[int]], levels: int) -> dict:
    """The unit problem with bounds at the outer bin centres, so SALib's grid i / (levels - 1)
    lands on (i + 1/2) / levels."""
    if levels < 2 or levels % 2:
        raise InputError("enum", field="levels", value=levels, allowed="an even number ≥ 2")
    return unit_problem(d, groups, 0.5 / levels, 1 - 0.5 / levels)


def morris_design(
    d: int, groups: Mapping[str, Sequence[int]], r: int = 20, levels: int = 4, seed: int = 0
) -> np.ndarray:
    """r random one-group-at-a-time trajectories (SALib): (r (groups + 1), d) points, each step
    moving a group's members by half the probability range."""
    return morris_sampler.sample(_morris_problem(d, groups, levels), r, num_levels=levels, seed=seed)


def morris_indices(
    X: np.ndarray,
    Y: np.ndarray,
    groups: Mapping[str, Sequence[int]],
    levels: int = 4,
    outputs: Sequence[str] | None = None,
    n_boot: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Tidy table: output, group, mu, mu_star, mu_star_conf, sigma from runs Y at the rows of X
    (`morris_design`). Effects are per unit of the uniform: SALib divides by its grid step
    levels / (2 (levels - 1)) while each step moves 1/2, so its figures are scaled by
    levels / (levels - 1). For groups of several factors SALib leaves mu and sigma empty."""
    problem = _morris_problem(X.shape[1], groups, levels)
    Y = np.asarray(Y, float).reshape(len(X), -1)
    outputs = list(outputs) if outputs is not None else [f"y{i}" for i in range(Y.shape[1])]
    scale = levels / (levels - 1)
    frames = []
    for j, o in enumerate(outputs):
        si = salib_morris.analyze(
            problem, X, Y[:, j], num_resamples=max(2, n_boot), conf_level=CONF_LEVEL, num_levels=levels, seed=seed
        )
        t = pd.DataFrame(
            {k: np.ma.filled(np.ma.asarray(si[k], float), np.nan) for k in ("mu", "mu_star", "sigma", "mu_star_conf")}
        )
        t = t.assign(group=list(si["names"])).set_index("group").reindex(list(groups)) * scale
        t = t.reset_index()
        t.insert(0, "output", o)
        frames.append(t[["output", "group", "mu", "mu_star", "mu_star_conf", "sigma"]])
    return pd.concat(frames, ignore_index=True)


def morris_analysis(
    func: Callable[[np.ndarray], np.ndarray],
    d: int,
    groups: Mapping[str, Sequence[int]],
    r: int = 20,
    levels: int = 4,
    seed: int = 0,
    outputs: Sequence[str] | None = None,
) -> pd.DataFrame:
    X = morris_design(d, groups, r, levels, seed)
    return morris_indices(X, func(X), groups, levels, outputs, seed=seed)


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

    def label(
        self, years: Sequence[int], lang: str | None = None, target_label: str | None = None, level: str = "district"
    ) -> str:
        """The outcome in words; `level`: the level of the run's units ('commune': the aggregate of
        the poor units is "poor communes")."""
        y = self.year or years[-1]
        poor_communes = self.geo == "poor_districts" and level == "commune"
        geo = (
            i18n.t("geo.poor_communes", lang) if poor_communes else i18n.label("geo", self.geo, lang, default=self.geo)
        )
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


def output_columns(layout, outputs: Sequence[Output]) -> tuple[list[int], list[str]]:
    """Where each output is in an engine's per-draw results: (column, 'target' | 'indicator')."""
    cols, kinds = [], []
    tc = layout.target_cells
    for o in outputs:
        y = o.year or layout.years[-1]
        hit = tc.index[(tc["target_id"] == o.target_id) & (tc["geo"] == o.geo) & (tc["year"] == y)]
        if o.target_id and not len(hit) and o in DEFAULT_OUTPUTS and o.indicator in layout.indicators:
            o = Output(o.indicator, o.geo, o.year)  # a default whose target is not set that year: its indicator
        if o.target_id:
            if not len(hit):
                raise InputError(
                    "enum", field="output", value=o.name(layout.years), allowed=sorted(set(tc["target_id"]))
                )
            cols.append(int(hit[0]))
            kinds.append("target")
        else:
            if o.indicator not in layout.indicators:
                raise InputError("enum", field="output", value=o.indicator, allowed=layout.indicators)
            cols.append(layout.index(o.indicator, y, o.geo))
            kinds.append("indicator")
    return cols, kinds


def scenario_function(
    scen: Scenario,
    outputs: Sequence[Output] = DEFAULT_OUTPUTS,
    space: ParameterSpace | None = None,
    options: RunOptions | None = None,
) -> tuple[Callable[[np.ndarray], np.ndarray], ParameterSpace, list[str]]:
    """f(U) -> (rows, len(outputs)) for points U of the space's unit cube, and the output names.

    `options` (a `RunOptions`; None: its defaults, seed the scenario's) give the engine, its
    replications (`draws`: with the microsimulation each output is averaged over them), the seed
    and how the points are spread (executor, jobs, scheduler, progress)."""
    space = space or scenario_space(scen)
    options = RunOptions.of(options).for_scenario(scen)
    needs_cf = any(o.indicator in ("poor_fewer_than_without_programme", "cost_per_household_lifted") for o in outputs)
    layout = make_layout(scen, options.engine, needs_cf)
    years = layout.years
    cols, kinds = output_columns(layout, outputs)
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


def output_labels(
    table: pd.DataFrame,
    grouping_col: str,
    outputs: Sequence[Output],
    names: Sequence[str],
    scen: Scenario,
    years: Sequence[int],
) -> pd.DataFrame:
    """`table` with the groups' and outputs' labels in each language; an output on the poor units
    named by the units its year is counted on (a run switching units: communes from 2026)."""
    targets = {t["id"]: t for t in scen.params["targets"]["targets"]}
    levels = units_levels(scen, years)
    for lang in ("vi", "en"):
        table[f"group_label_{lang}"] = [group_label(gp, g, lang) for gp, g in zip(table[grouping_col], table["group"])]
        lab = {}
        for o, nme in zip(outputs, names):
            tl = targets.get(o.target_id, {}).get(f"label_{lang}") if o.target_id else None
            lab[nme] = o.label(years, lang, tl, levels.get(o.year or years[-1], scen.dataset.level))
        table[f"output_label_{lang}"] = table["output"].map(lab)
    return table


def sensitivity_analysis(
    scen: Scenario,
    n: int = 256,
    groupings: Sequence[str] = ("kind", "project"),
    outputs: Sequence[Output] = DEFAULT_OUTPUTS,
    n_boot: int = 200,
    options: RunOptions | None = None,
) -> SensitivityResult:
    """Grouped Sobol indices of `outputs` for each grouping (`kind`, `project`, `parameter`).

    One SALib design per grouping (n base rows, rounded up to a power of 2); the designs share
    their base rows, which are run once: n (2 + total groups) runs in all. `options` (a
    `RunOptions`; None: its defaults) give the engine, replications, seed (default the
    scenario's; it also seeds the designs and the bootstrap) and how the runs are spread."""
    for g in groupings or ("",):  # none at all: nothing to compute (was an internal error)
        if g not in GROUPINGS:
            raise InputError("enum", field="grouping", value=g, allowed=GROUPINGS)
    options = RunOptions.of(options).for_scenario(scen)
    seed, engine = int(options.seed), options.engine
    f, space, names = scenario_function(scen, outputs, options=options)
    groups = {gp: space.groups(gp) for gp in groupings}
    designs = {gp: sobol_design(space.dims, groups[gp], n, seed) for gp in groupings}
    X = np.concatenate([x for x, _ in designs.values()])
    Y = evaluate_unique(f, X)
    frames, start = [], 0
    for gp, (x, _) in designs.items():
        problem = unit_problem(space.dims, groups[gp])
        t = sobol_indices(problem, Y[start : start + len(x)], names, n_boot, seed, order=list(groups[gp]))
        t.insert(0, "grouping", gp)
        frames.append(t)
        start += len(x)
    table = output_labels(pd.concat(frames, ignore_index=True), "grouping", outputs, names, scen, _years(scen))
    first = Y[: len(designs[groupings[0]][0])]  # SALib's layout per base row: A, A_B^g for each group, B
    step = len(groups[groupings[0]]) + 2
    base = np.concatenate([first[0::step], first[step - 1 :: step]])
    info = {
        "method": "sobol",
        "estimator": "SALib sobol (Saltelli 2010 first-order, Jansen total), bootstrap intervals",
        "base_points": designs[groupings[0]][1],
        "runs": int(len(np.unique(X, axis=0))),
        "seed": seed,
        "engine": engine,
        "groupings": list(groupings),
        "conf_level": CONF_LEVEL,
        "max_half_width": MAX_HALF_WIDTH,
        "reliable": int(table["reliable"].sum()),
        "indices": len(table),
        "output_variance": {nm: float(np.var(base[:, j])) for j, nm in enumerate(names)},
        "output_mean": {nm: float(np.mean(base[:, j])) for j, nm in enumerate(names)},
    }
    return SensitivityResult("sobol", table, info)


def screening_analysis(
    scen: Scenario,
    r: int = 20,
    levels: int = 4,
    grouping: str = "parameter",
    outputs: Sequence[Output] = DEFAULT_OUTPUTS,
    options: RunOptions | None = None,
) -> SensitivityResult:
    """Morris screening of every factor (or group): r (k + 1) runs, with the engine, seed
    (default the scenario's; it also seeds the design) and spread of `options` (a `RunOptions`)."""
    options = RunOptions.of(options).for_scenario(scen)
    seed, engine = int(options.seed), options.engine
    f, space, names = scenario_function(scen, outputs, options=options)
    groups = space.groups(grouping)
    X = morris_design(space.dims, groups, r, levels, seed)
    table = morris_indices(X, f(X), groups, levels, names, seed=seed)
    table.insert(0, "grouping", grouping)
    table = output_labels(table, "grouping", outputs, names, scen, _years(scen))
    if grouping == "parameter":
        labels = {fac.name: (fac.label("vi"), fac.label("en")) for fac in space.factors}
        table["group_label_vi"] = table["group"].map(lambda g: labels[g][0])
        table["group_label_en"] = table["group"].map(lambda g: labels[g][1])
    info = {
        "method": "morris",
        "estimator": "SALib morris, bootstrap interval of mu*",
        "trajectories": r,
        "levels": levels,
        "runs": int(X.shape[0]),
        "seed": seed,
        "engine": engine,
        "grouping": grouping,
    }
    return SensitivityResult("morris", table, info)


def _years(scen: Scenario) -> tuple[int, ...]:
    return (scen.baseline_year,) + tuple(scen.years)
