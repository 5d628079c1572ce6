"""Robustness: regret of allocations across the same parameter draws, and the conditions under
which a plan misses its target.

- `regret`: for each draw, how much worse an allocation does than the best allocation *in that
  draw* (e.g. percentage points of poor-household rate). A robust allocation has low regret in
  most draws, not only a good average.
- `prim_box`: rule induction with PRIM (the Patient Rule Induction Method, Friedman & Fisher
  1999): starting from all draws, repeatedly peel off the `alpha` share of draws at the low or
  high end of one parameter, whichever raises the share of misses most, until few draws are left;
  then keep the box with the highest share of misses among those that still hold at least
  `min_coverage` of all misses, and drop restrictions until at most `max_dims` remain (those
  whose removal costs least). `describe_box` says it in plain words, e.g. "misses when P2 – escape
  effect is below 0.08 and disbursement of central recurrent funds is below 0.62".
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simlib import i18n

# --- regret -------------------------------------------------------------------------------------


def regret(values: pd.DataFrame, lower_is_better: bool = True) -> pd.DataFrame:
    """Per-draw regret from a long table with columns draw, scenario, value.

    Adds `best` (the best value among scenarios in that draw) and `regret` (>= 0, in the value's
    unit) and `is_best`."""
    df = values.copy()
    g = df.groupby("draw")["value"]
    df["best"] = g.transform("min" if lower_is_better else "max")
    df["regret"] = (df["value"] - df["best"]) if lower_is_better else (df["best"] - df["value"])
    df["is_best"] = df["regret"] <= 1e-12
    return df


def regret_summary(regrets: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: mean value, mean / 95th-percentile / largest regret, share of draws where it is best."""
    g = regrets.groupby("scenario", sort=False)
    out = g.agg(
        value_mean=("value", "mean"),
        regret_mean=("regret", "mean"),
        regret_p95=("regret", lambda x: float(np.quantile(x, 0.95))),
        regret_max=("regret", "max"),
        share_best=("is_best", "mean"),
        draws=("draw", "nunique"),
    ).reset_index()
    return out.sort_values(["regret_mean", "regret_p95"]).reset_index(drop=True)


# --- PRIM ---------------------------------------------------------------------------------------


@dataclass
class Box:
    """A box in parameter space: x >= low and x <= high for each restricted column."""

    limits: dict[str, tuple[float, float]]  # column -> (low or -inf, high or +inf)
    density: float  # share of draws in the box that miss
    coverage: float  # share of all misses that fall in the box
    support: float  # share of all draws in the box
    base_rate: float  # share of all draws that miss
    n: int = 0  # draws in the box
    trajectory: list[tuple[float, float, float]] = field(default_factory=list)  # (support, coverage, density)

    def contains(self, X: pd.DataFrame) -> np.ndarray:
        inside = np.ones(len(X), bool)
        for col, (lo, hi) in self.limits.items():
            x = X[col].to_numpy(float)
            inside &= (x >= lo) & (x <= hi)
        return inside

    def to_json(self) -> str:
        return json.dumps(
            {
                c: [None if not np.isfinite(lo) else lo, None if not np.isfinite(hi) else hi]
                for c, (lo, hi) in self.limits.items()
            }
        )


def _stats(inside: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    n_in = inside.sum()
    total = y.sum()
    density = float(y[inside].mean()) if n_in else 0.0
    coverage = float(y[inside].sum() / total) if total > 0 else 0.0
    return density, coverage, float(n_in / len(y))


def _inside(X: np.ndarray, limits: np.ndarray) -> np.ndarray:
    return np.all((X >= limits[:, 0]) & (X <= limits[:, 1]), axis=1)


def prim_box(
    X: pd.DataFrame,
    y: Sequence[float],
    alpha: float = 0.05,
    min_support: float = 0.05,
    min_coverage: float = 0.5,
    max_dims: int = 2,
    min_gain: float = 0.05,
    min_lift: float = 0.1,
    holdout: bool = True,
) -> Box | None:
    """The PRIM box where `y` (1 = miss, or a miss share in [0, 1]) is most concentrated.

    Each parameter is bounded on one side only (rules read "below x" / "above y"). A restriction
    is kept only if dropping it would lower the box's share of misses by at least `min_gain`, and
    the box only if its share of misses exceeds the overall share by at least `min_lift`;
    otherwise the box has no limits ("no simple condition"). With `holdout`, the box is found on
    the even-numbered draws and must also show that lift on the odd-numbered ones, so a rule that
    only fits noise (many parameters, few draws) is not reported. Its statistics are over all
    draws. Returns None when there is nothing to explain (no misses, or every draw misses)."""
    if holdout:
        y_all = np.asarray(y, float)
        if y_all.size == 0 or y_all.sum() <= 0 or y_all.sum() >= y_all.size:
            return None
        kw = dict(
            alpha=alpha,
            min_support=min_support,
            min_coverage=min_coverage,
            max_dims=max_dims,
            min_gain=min_gain,
            min_lift=min_lift,
            holdout=False,
        )
        train = np.arange(len(y_all)) % 2 == 0
        fit = prim_box(X[train], y_all[train], **kw)
        box = Box(limits=dict(fit.limits) if fit is not None else {}, density=0, coverage=0, support=0, base_rate=0)
        test = box.contains(X[~train])
        if box.limits and (not test.any() or y_all[~train][test].mean() - y_all[~train].mean() < min_lift):
            box.limits = {}
        inside = box.contains(X)
        density, coverage, support = _stats(inside, y_all)
        return Box(
            limits=box.limits,
            density=density,
            coverage=coverage,
            support=support,
            base_rate=float(y_all.mean()),
            n=int(inside.sum()),
            trajectory=fit.trajectory if fit is not None else [],
        )
    y = np.asarray(y, float)
    cols = list(X.columns)
    A = X.to_numpy(float)
    n, d = A.shape
    total = y.sum()
    if n == 0 or total <= 0 or total >= n:
        return None
    limits = np.tile([-np.inf, np.inf], (d, 1))
    inside = np.ones(n, bool)
    path = [(limits.copy(), *_stats(inside, y))]
    varying = np.array([np.ptp(A[:, j]) > 0 for j in range(d)])
    while inside.sum() > min_support * n:
        cur = y[inside].mean()
        Ain, yin = A[inside], y[inside]
        cuts = np.quantile(Ain, [alpha, 1 - alpha], axis=0)  # (2, d)
        best = None
        for side in (0, 1):
            keep = Ain > cuts[0] if side == 0 else Ain < cuts[1]  # (m, d)
            kept = keep.sum(0)
            allowed = (
                varying & ~np.isfinite(limits[:, 1 - side]) & (kept > 0) & (kept < len(yin))
            )  # one side per parameter
            with np.errstate(invalid="ignore", divide="ignore"):
                means = np.where(allowed, (keep * yin[:, None]).sum(0) / kept, -np.inf)
            for j in np.flatnonzero(allowed):
                cand = (means[j], kept[j])
                if best is None or cand > (best[0], best[1]):
                    best = (means[j], kept[j], j, side, cuts[side, j])
        if best is None or best[0] <= cur:
            break
        _, _, j, side, cut = best
        x = A[:, j]
        if side == 0:
            limits[j, 0] = np.min(x[inside & (x > cut)])
        else:
            limits[j, 1] = np.max(x[inside & (x < cut)])
        inside = _inside(A, limits)
        path.append((limits.copy(), *_stats(inside, y)))
    ok = [p for p in path if p[2] >= min_coverage] or path[:1]
    chosen = max(ok, key=lambda p: (p[1], p[2]))[0].copy()

    # keep at most max_dims restrictions, dropping those whose removal costs least
    def density_without(lims, j):
        trial = lims.copy()
        trial[j] = [-np.inf, np.inf]
        return _stats(_inside(A, trial), y)[0]

    while True:
        restricted = [j for j in range(d) if np.isfinite(chosen[j]).any()]
        if not restricted:
            break
        dens = _stats(_inside(A, chosen), y)[0]
        costs = {j: dens - density_without(chosen, j) for j in restricted}
        j = min(costs, key=costs.get)
        if len(restricted) > max_dims or costs[j] < min_gain:
            chosen[j] = [-np.inf, np.inf]
        else:
            break
    inside = _inside(A, chosen)
    density, coverage, support = _stats(inside, y)
    if density - y.mean() < min_lift:
        chosen[:] = [-np.inf, np.inf]
        inside = _inside(A, chosen)
        density, coverage, support = _stats(inside, y)
    lim = {cols[j]: (float(chosen[j, 0]), float(chosen[j, 1])) for j in range(d) if np.isfinite(chosen[j]).any()}
    return Box(
        limits=lim,
        density=density,
        coverage=coverage,
        support=support,
        base_rate=float(y.mean()),
        n=int(inside.sum()),
        trajectory=[(p[3], p[2], p[1]) for p in path],
    )


def _num(x: float, lang: str | None) -> str:
    ax = abs(x)
    decimals = 0 if ax >= 1000 else 2 if ax >= 1 else 3 if ax >= 0.01 else 4
    return i18n.fmt_number(x, lang, decimals)


def describe_conditions(box: Box, labels: Mapping[str, str] | None = None, lang: str | None = None) -> str:
    """'P2 – escape effect below 0.08 and …' in `lang`."""
    labels = labels or {}
    parts = []
    for col, (lo, hi) in box.limits.items():
        name = labels.get(col, col)
        if np.isfinite(lo) and np.isfinite(hi):
            parts.append(i18n.t("unc.rule.between", lang, name=name, lo=_num(lo, lang), hi=_num(hi, lang)))
        elif np.isfinite(hi):
            parts.append(i18n.t("unc.rule.below", lang, name=name, x=_num(hi, lang)))
        else:
            parts.append(i18n.t("unc.rule.above", lang, name=name, x=_num(lo, lang)))
    return i18n.t("unc.rule.and", lang).join(parts)


def describe_box(
    box: Box | None, labels: Mapping[str, str] | None = None, lang: str | None = None, what: str | None = None
) -> str:
    """A plain-words rule: when the target is missed, how often, and how much of the misses it explains."""
    if box is None:
        return i18n.t("unc.rule.none", lang)
    if not box.limits:
        return i18n.t("unc.rule.no_pattern", lang, rate=i18n.fmt_pct(100 * box.base_rate, lang, 0))
    text = i18n.t(
        "unc.rule.misses_when",
        lang,
        what=what or i18n.t("unc.rule.the_plan", lang),
        conditions=describe_conditions(box, labels, lang),
    )
    return (
        text
        + " "
        + i18n.t(
            "unc.rule.stats",
            lang,
            density=i18n.fmt_pct(100 * box.density, lang, 0),
            coverage=i18n.fmt_pct(100 * box.coverage, lang, 0),
            base=i18n.fmt_pct(100 * box.base_rate, lang, 0),
        )
    )


def miss_rules(
    parameters: pd.DataFrame,
    outcomes: pd.DataFrame,
    labels_vi: Mapping[str, str],
    labels_en: Mapping[str, str],
    target_labels: pd.DataFrame | None = None,
    lo: float = 0.02,
    hi: float = 0.98,
    **prim_kw,
) -> pd.DataFrame:
    """A PRIM rule for every target cell missed in some but not all draws.

    `parameters`: draw + one column per parameter key; `outcomes`: draw, year, target_id,
    geo_type, geo, met (several replications per draw are averaged into a miss share)."""
    X = parameters.set_index("draw").sort_index()
    X = X.loc[:, X.nunique() > 1]
    rows = []
    keys = ["target_id", "geo_type", "geo", "year"]
    miss = outcomes.assign(miss=1.0 - outcomes["met"].astype(float)).groupby(keys + ["draw"], sort=False)["miss"].mean()
    for cell, s in miss.groupby(level=list(range(4)), sort=False):
        y = s.droplevel(list(range(4))).reindex(X.index).to_numpy()
        rate = float(np.nanmean(y))
        rec = dict(zip(keys, cell), probability_met=1 - rate)
        if not lo <= rate <= hi or X.shape[1] == 0:
            continue
        box = prim_box(X, np.nan_to_num(y), **prim_kw)
        if box is None:
            continue
        what_vi = what_en = None
        if target_labels is not None:
            lab = target_labels[(target_labels["target_id"] == cell[0])]
            if len(lab):
                what_vi, what_en = lab["label_vi"].iloc[0], lab["label_en"].iloc[0]
        rec.update(
            rule_vi=describe_box(box, labels_vi, "vi", what_vi),
            rule_en=describe_box(box, labels_en, "en", what_en),
            density=box.density,
            coverage=box.coverage,
            support=box.support,
            limits=box.to_json(),
        )
        rows.append(rec)
    cols = keys + ["probability_met", "rule_vi", "rule_en", "density", "coverage", "support", "limits"]
    return pd.DataFrame(rows, columns=cols)


# --- allocations compared on the same draws ------------------------------------------------------


@dataclass
class RobustnessResult:
    """Allocations compared across the same parameter draws."""

    values: pd.DataFrame  # draw, scenario, value (the metric)
    regrets: pd.DataFrame  # + best, regret, is_best
    summary: pd.DataFrame  # per scenario: value_mean, regret_mean, regret_p95, regret_max, share_best
    targets: pd.DataFrame  # scenario, year, target_id, geo_type, geo, probability_met, label_vi, label_en
    rules: pd.DataFrame  # scenario + miss_rules columns
    info: dict
    #: per scenario, target and year: probability of meeting it in every area it covers
    #: (`simlib.uncertainty.summaries.target_probabilities`)
    target_probabilities: pd.DataFrame = field(default_factory=pd.DataFrame)


def comparable(base, others: Sequence) -> tuple[list, list]:
    """(kept, left out): the scenarios of `others` that `compare_allocations` can run with `base`
    on the same draws — states-model scenarios sharing its uncertain parameters — and the rest
    (including any with `base`'s name)."""
    from simlib.uncertainty.space import build_space

    sp0 = build_space(base.params)
    kept, left = [], []
    for s in others:
        if getattr(s, "poverty_model", "states") != "states":  # the draws need the states model
            left.append(s)
            continue
        sp = build_space(s.params)
        ok = s.name != base.name and sp.keys == sp0.keys and sp.dims == sp0.dims
        (kept if ok else left).append(s)
    return kept, left


def compare_allocations(
    scenarios: Sequence,
    n: int = 200,
    metric=None,
    lower_is_better: bool = True,
    method: str = "lhs",
    seed: int | None = None,
    engine: str = "expected",
    replications: int = 1,
    executor: str = "serial",
    jobs: int | None = None,
    scheduler: str | None = None,
    rules: bool = True,
    progress: bool = False,
) -> RobustnessResult:
    """Run every scenario on the same `n` parameter draws (the same design points mapped through
    each scenario's parameter space, so identical values when they share their parameters) and
    compare them: regret on `metric` (default: province poor-household rate in the last year,
    lower is better), probability of meeting each target, and PRIM rules for misses."""
    from simlib.errors import InputError
    from simlib.options import RunOptions
    from simlib.uncertainty.evaluate import make_layout, map_draws
    from simlib.uncertainty.sampling import design, to_values
    from simlib.uncertainty.sensitivity import Output
    from simlib.uncertainty.space import build_space, require_states_model
    from simlib.uncertainty.summaries import outcomes_frame, target_probabilities

    metric = metric or Output("poor_rate", "province")
    if len(scenarios) < 2:
        raise InputError("length", field="scenarios", value=len(scenarios), allowed="≥ 2")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise InputError("schema", field="scenarios", value=names, detail="scenario names must differ")
    seed = scenarios[0].seed if seed is None else int(seed)
    for s in scenarios:
        require_states_model(s)
    spaces = [build_space(s.params) for s in scenarios]
    for s, sp in zip(scenarios[1:], spaces[1:]):
        if sp.keys != spaces[0].keys or sp.dims != spaces[0].dims:
            raise InputError(
                "schema",
                field="scenarios",
                value=s.name,
                detail="its uncertain parameters differ from the first scenario's; compare scenarios that share params/",
            )
    U = design(n, spaces[0].dims, method, seed)
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
    vals, tables, rule_frames, joint = [], [], [], []
    for s, sp in zip(scenarios, spaces):
        values, _ = to_values(sp, s.params, U)
        layout = make_layout(s, engine, counterfactual=False)
        col = layout.index(metric.indicator, metric.year or layout.years[-1], metric.geo)
        metric_v = np.full(n * R, np.nan)
        tv = np.full((n * R, len(layout.target_cells)), np.nan)
        tm = np.zeros((n * R, len(layout.target_cells)), bool)

        def consume(res, metric_v=metric_v, tv=tv, tm=tm, col=col):
            metric_v[res.samples] = res.indicators[:, col]
            tv[res.samples] = res.target_values
            tm[res.samples] = res.target_met

        map_draws(
            s,
            sp.keys,
            values,
            layout,
            consume,
            options,
            counterfactual=False,
            label=s.name,
        )
        vals.append(pd.DataFrame({"draw": np.arange(n), "scenario": s.name, "value": metric_v.reshape(n, R).mean(1)}))
        cells = layout.target_cells.copy()
        cells["probability_met"] = tm.mean(0)
        cells.insert(0, "scenario", s.name)
        tables.append(cells)
        outcomes = outcomes_frame(layout, tv, tm, R)
        joint.append(target_probabilities(cells.assign(samples=n * R), outcomes))
        if rules:
            frame = pd.DataFrame(values, columns=list(sp.keys))
            frame.insert(0, "draw", np.arange(n))
            r = miss_rules(frame, outcomes, sp.labels("vi"), sp.labels("en"), layout.target_cells)
            r.insert(0, "scenario", s.name)
            rule_frames.append(r)
    values_df = pd.concat(vals, ignore_index=True)
    reg = regret(values_df, lower_is_better)
    info = {
        "draws": n,
        "replications": R,
        "sampler": method,
        "seed": seed,
        "engine": engine,
        "scenarios": names,
        "metric": metric.name(make_layout(scenarios[0], engine, False).years),
        "lower_is_better": lower_is_better,
    }
    return RobustnessResult(
        values_df,
        reg,
        regret_summary(reg),
        pd.concat(tables, ignore_index=True),
        pd.concat(rule_frames, ignore_index=True) if rule_frames else pd.DataFrame(),
        info,
        pd.concat(joint, ignore_index=True),
    )
