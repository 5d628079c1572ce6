"""When does a plan miss its target? Rules found by PRIM over the parameter draws.

- `prim_box`: rule induction with PRIM (the Patient Rule Induction Method, Friedman & Fisher
  1999), peeling and pasting by simlib's own `simlib.uncertainty.prim_box` (which says why it is
  not a package): found on half of the draws over the parameters most associated with misses,
  kept only if it holds on the other half, then cut to at most two plain conditions.
- `describe_box` says it in plain words with units, e.g. "misses when P2 – escape effect is below
  8.0% and P3.2 – unit cost is above 3.11 million VND per household" (`format_value`).
- `miss_rules` lists, for the target cells missed in some draws, the rules found — and only those.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.uncertainty.prim_box import box_stats, paste, peel

# --- PRIM ---------------------------------------------------------------------------------------

#: at most this many parameters — those whose ranks differ most between misses and the other
#: draws of the training half — are handed to PRIM: a few hundred draws cannot support a rule
#: over many parameters, and every parameter more is one more chance to peel on noise.
MAX_CANDIDATES = 10


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
        return _inside(X, self.limits)

    def to_json(self) -> str:
        return json.dumps(
            {
                c: [None if not np.isfinite(lo) else lo, None if not np.isfinite(hi) else hi]
                for c, (lo, hi) in self.limits.items()
            }
        )


def _inside(X: pd.DataFrame, limits: Mapping[str, tuple[float, float]]) -> np.ndarray:
    inside = np.ones(len(X), bool)
    for col, (lo, hi) in limits.items():
        x = X[col].to_numpy(float)
        inside &= (x >= lo) & (x <= hi)
    return inside


def _density(X: pd.DataFrame, y: np.ndarray, limits: Mapping[str, tuple[float, float]]) -> float:
    inside = _inside(X, limits)
    return float(y[inside].mean()) if inside.any() else 0.0


def varying(A: np.ndarray) -> np.ndarray:
    """Which columns of A hold at least two distinct values, NaN left out (as pandas'
    `nunique() > 1`, without its hashing of every column)."""
    return np.fmax.reduce(A, axis=0, initial=-np.inf) > np.fmin.reduce(A, axis=0, initial=np.inf)


def candidate_columns(X: pd.DataFrame, y: np.ndarray, k: int = MAX_CANDIDATES) -> list[str]:
    """The (at most) k varying columns of X most associated with y: largest |correlation between
    a column's ranks and y| (Spearman's), strongest first."""
    R = X.loc[:, varying(X.to_numpy(float))].rank()
    if R.shape[1] == 0:
        return []
    yc = y - y.mean()
    Rc = R - R.mean()
    score = np.abs(Rc.mul(yc, axis=0).sum()) / np.sqrt((Rc**2).sum() * (yc**2).sum())
    return list(score.sort_values(ascending=False, kind="stable").index[:k])


def _fit_box(X: pd.DataFrame, y: np.ndarray, kw: Mapping) -> tuple[dict, list]:
    """PRIM on the candidate columns: of the peeling trajectory, the densest box that holds
    `min_coverage` of the misses (the whole space if none does; ties: the larger coverage),
    pasted, then simplified (`_simplify`). Also the trajectory's (support, coverage, density)."""
    cols = candidate_columns(X, y.astype(float), kw["max_candidates"])
    if not cols:
        return {}, []
    Xc, yf = X[cols].to_numpy(float), y.astype(float)
    boxes = peel(Xc, yf, kw["alpha"], kw["min_support"])
    trajectory = [box_stats(Xc, yf, low, high) for low, high in boxes]
    ok = [i for i, (_, cov, _) in enumerate(trajectory) if cov >= kw["min_coverage"]] or [0]
    best = max(ok, key=lambda i: (trajectory[i][2], trajectory[i][1], i))
    low, high = paste(Xc, yf, *boxes[best], kw["alpha"])
    limits = {c: (float(lo), float(hi)) for c, lo, hi in zip(cols, low, high) if np.isfinite([lo, hi]).any()}
    return _simplify(limits, X[cols].reset_index(drop=True), y, kw), trajectory


def _simplify(limits: dict, X: pd.DataFrame, y: np.ndarray, kw: Mapping) -> dict:
    """Drop restrictions until at most `max_dims` remain and each one left raises the box's share
    of misses by at least `min_gain` (the one whose removal costs least goes first); no box at
    all unless its share of misses beats the overall share by `min_lift`. PRIM's densest box
    also trims parameters that only fit noise: before this, it restricts up to 8 parameters
    (measured: the 17 cells of plan_2024 missed in 2–98 % of 300 draws), which no reader can act
    on (tests/test_sensitivity_robustness.py::test_prim_rules_stay_short)."""
    limits = dict(limits)
    while limits:
        dens = _density(X, y, limits)
        costs = {c: dens - _density(X, y, {k: v for k, v in limits.items() if k != c}) for c in limits}
        c = min(costs, key=costs.get)
        if len(limits) > kw["max_dims"] or costs[c] < kw["min_gain"]:
            del limits[c]
        else:
            break
    if limits and _density(X, y, limits) - y.mean() < kw["min_lift"]:
        return {}
    return limits


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
    max_candidates: int = MAX_CANDIDATES,
) -> Box | None:
    """The PRIM box where misses (`y` = 1, or a miss share ≥ 1/2 over replications) concentrate.

    Peeling (`alpha` of the draws at a time, down to `min_support` of them) and pasting are
    `simlib.uncertainty.prim_box`'s; the box kept is the densest on the peeling trajectory
    holding at least `min_coverage` of the misses, pasted, with at most `max_dims` restrictions,
    each raising its share of misses by `min_gain`, and a share of misses at least `min_lift`
    above the overall share — otherwise it has no limits
    ("no simple condition"). With `holdout`, the box is found on the even-numbered draws and must
    show that lift on the odd-numbered ones too, so a rule that only fits noise (many parameters,
    few draws) is not reported. Its statistics are over all draws. Returns None when there is
    nothing to explain (no misses, or every draw misses)."""
    y = np.asarray(y, float) >= 0.5
    if y.size == 0 or not y.any() or y.all():
        return None
    kw = dict(
        alpha=alpha,
        min_support=min_support,
        min_coverage=min_coverage,
        max_dims=max_dims,
        min_gain=min_gain,
        min_lift=min_lift,
        max_candidates=max_candidates,
    )
    fit = np.arange(len(y)) % 2 == 0 if holdout else np.ones(len(y), bool)
    limits, trajectory = _fit_box(X[fit], y[fit], kw) if 0 < y[fit].sum() < fit.sum() else ({}, [])
    check = ~fit
    if holdout and limits:
        inside = _inside(X[check], limits)
        if not inside.any() or y[check][inside].mean() - y[check].mean() < min_lift:
            limits = {}
    inside = _inside(X, limits)
    return Box(
        limits=limits,
        density=float(y[inside].mean()),
        coverage=float(y[inside].sum() / y.sum()),
        support=float(inside.mean()),
        base_rate=float(y.mean()),
        n=int(inside.sum()),
        trajectory=trajectory,
    )


def _num(x: float, lang: str | None) -> str:
    """About three significant digits, without trailing zeros: 1.234, 12,5, 2, 0,075."""
    ax = abs(x)
    decimals = 0 if ax >= 100 else 1 if ax >= 10 else 2 if ax >= 0.1 else 3
    return fmt.number(x, lang, decimals, trim=True)


#: units written after a number ("VND per X" and shares are handled apart): unit -> message key
UNIT_KEYS = {
    "persons per household": "unc.unit.persons_per_household",
    "officers per commune": "unc.unit.officers_per_commune",
    "officers per district": "unc.unit.officers_per_district",
}
#: what a sum of money is counted per: "VND per X" -> message key of "/X"
PER_KEYS = {
    "household": "unc.unit.per_household",
    "household served": "unc.unit.per_household_served",
    "worker": "unc.unit.per_worker",
    "commune": "unc.unit.per_commune",
    "trainee": "unc.unit.per_trainee",
    "house": "unc.unit.per_house",
    "officer": "unc.unit.per_officer",
}


def format_value(x: float, unit: str | None = None, lang: str | None = None) -> str:
    """A parameter value with its unit, the local way: money in đồng, triệu đồng or tỷ đồng
    ("12,5 triệu đồng/hộ"), shares and probabilities in % ("62,3 %"), known counts with their
    unit; otherwise the number alone in Vietnamese (never an English unit), number and unit in
    English."""
    u = (unit or "").strip().lower()
    if u.startswith("vnd"):
        per = u.removeprefix("vnd").strip().removeprefix("per").strip()
        for scale, key in ((1e9, "unit.billion_vnd"), (1e6, "unit.million_vnd"), (1.0, "unc.unit.vnd")):
            if abs(x) >= scale or scale == 1.0:
                money = f"{_num(x / scale, lang)} {i18n.t(key, lang)}"
                break
        return money + (i18n.t(PER_KEYS[per], lang) if per in PER_KEYS else "")
    if u.startswith("share") or u.startswith("probability"):
        text = fmt.percent(100 * x, lang, 1 if abs(x) >= 0.01 else 2)
        return text + (i18n.t("unc.unit.per_year", lang) if u.endswith("per year") else "")
    if u in UNIT_KEYS:
        return f"{_num(x, lang)} {i18n.t(UNIT_KEYS[u], lang)}"
    return _num(x, lang) if i18n.get_lang(lang) == "vi" or not u else f"{_num(x, lang)} {unit}"


def in_sentence(name: str) -> str:
    """A parameter's label inside a sentence: its first letter in lower case when its first word
    is an ordinary capitalised word («Xác suất nền …» → «xác suất nền …»); a code or an
    abbreviation («P2 – …», «NSTW …») as it is."""
    word = name.split(" ", 1)[0]
    if len(word) > 1 and word[0].isupper() and word[1:].isalpha() and word[1:].islower():
        return name[0].lower() + name[1:]
    return name


def describe_conditions(
    box: Box,
    labels: Mapping[str, str] | None = None,
    lang: str | None = None,
    units: Mapping[str, str] | None = None,
) -> str:
    """'P2 – escape effect below 8.0% and …' in `lang`, each threshold with its unit (`units`:
    column -> unit as in params/, e.g. 'VND per household', 'share')."""
    labels, units = labels or {}, units or {}
    parts = []
    for col, (lo, hi) in box.limits.items():
        name = in_sentence(labels.get(col, col))
        fmt = lambda v, col=col: format_value(v, units.get(col), lang)  # noqa: E731
        if np.isfinite(lo) and np.isfinite(hi):
            parts.append(i18n.t("unc.rule.between", lang, name=name, lo=fmt(lo), hi=fmt(hi)))
        elif np.isfinite(hi):
            parts.append(i18n.t("unc.rule.below", lang, name=name, x=fmt(hi)))
        else:
            parts.append(i18n.t("unc.rule.above", lang, name=name, x=fmt(lo)))
    return i18n.t("unc.rule.and", lang).join(parts)


def describe_box(
    box: Box | None,
    labels: Mapping[str, str] | None = None,
    lang: str | None = None,
    what: str | None = None,
    units: Mapping[str, str] | None = None,
) -> str:
    """A plain-words rule: when the target is missed, how often, and how much of the misses it explains."""
    if box is None:
        return i18n.t("unc.rule.none", lang)
    if not box.limits:
        return i18n.t("unc.rule.no_pattern", lang, rate=fmt.percent(100 * box.base_rate, lang, 0))
    text = i18n.t(
        "unc.rule.misses_when",
        lang,
        what=what or i18n.t("unc.rule.the_plan", lang),
        conditions=describe_conditions(box, labels, lang, units),
    )
    return (
        text
        + " "
        + i18n.t(
            "unc.rule.stats",
            lang,
            density=fmt.percent(100 * box.density, lang, 0),
            coverage=fmt.percent(100 * box.coverage, lang, 0),
            base=fmt.percent(100 * box.base_rate, lang, 0),
        )
    )


RULE_COLUMNS = ["probability_met", "rule_vi", "rule_en", "density", "coverage", "support", "limits"]


def miss_rules(
    parameters: pd.DataFrame,
    outcomes: pd.DataFrame,
    labels_vi: Mapping[str, str],
    labels_en: Mapping[str, str],
    target_labels: pd.DataFrame | None = None,
    lo: float = 0.02,
    hi: float = 0.98,
    units: Mapping[str, str] | None = None,
    **prim_kw,
) -> pd.DataFrame:
    """The PRIM rules found for target cells missed in some but not all draws (between `lo` and
    `hi` of them): one row per cell *with* a rule that held on the check half (`prim_box`); cells
    without one have no row.

    `parameters`: draw + one column per parameter key; `outcomes`: draw, year, target_id,
    geo_type, geo, met (several replications per draw are averaged into a miss share); `units`:
    parameter key -> unit (as in params/), so thresholds read "12,5 triệu đồng/hộ", "62,3 %"."""
    X = parameters.set_index("draw").sort_index()
    X = X.loc[:, X.nunique() > 1]
    rows = []
    keys = ["target_id", "geo_type", "geo", "year"]
    miss = outcomes.assign(miss=1.0 - outcomes["met"].astype(float)).groupby(keys + ["draw"], sort=False)["miss"].mean()
    for cell, s in miss.groupby(level=list(range(4)), sort=False):
        y = s.droplevel(list(range(4))).reindex(X.index).to_numpy()
        rate = float(np.nanmean(y))
        if not lo <= rate <= hi or X.shape[1] == 0:
            continue
        box = prim_box(X, np.nan_to_num(y), **prim_kw)
        if box is None or not box.limits:
            continue
        what = {"vi": None, "en": None}
        if target_labels is not None:
            lab = target_labels[(target_labels["target_id"] == cell[0])]
            if len(lab):
                what = {"vi": lab["label_vi"].iloc[0], "en": lab["label_en"].iloc[0]}
        rec = dict(zip(keys, cell), probability_met=1 - rate)
        rec.update(
            rule_vi=describe_box(box, labels_vi, "vi", what["vi"], units),
            rule_en=describe_box(box, labels_en, "en", what["en"], units),
            density=box.density,
            coverage=box.coverage,
            support=box.support,
            limits=box.to_json(),
        )
        rows.append(rec)
    return pd.DataFrame(rows, columns=keys + RULE_COLUMNS)
