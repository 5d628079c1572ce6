"""Back-testing: fit on the review years before T, project year T with T's budget, compare with
T's figures — errors per indicator on held-out years only.

For every held-out year T and series, the panel is cut at T-1 *before* anything is fitted
(`AggregatePanel.until`), so no figure of year T or later reaches the fit. The projection starts
from the filtered stock at T-1, applies the fitted baseline rates times the programme factors of
T's budget, adds new households, and is compared with the observed figures of T. Posterior draws
give a 90 % projection interval. A series with a single year before T is "fitted" by its prior.

A back-test is described by a YAML file (`params/backtest/*.yaml`, schema
`params/schema/backtest.schema.yaml`); `run_backtest` reads it and returns tidy tables.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simlib import __version__, i18n
from simlib.atomic import atomic_dir, output_folder
from simlib.calibrate.aggregate import Prepared, calibrate_aggregate, entry_vector, panel_exposure, run_filter, step
from simlib.calibrate.exposure import LAMBDA_GRID, Exposure, programme_factors
from simlib.calibrate.io import read_aggregate
from simlib.calibrate.panel import ESC_OBS, HH, NEAR_OBS, POOR_OBS, AggregatePanel
from simlib.calibrate.prior import Prior, load_prior
from simlib.calibrate.published import read_published
from simlib.calibrate.result import Calibration, dump_yaml
from simlib.dataset import Dataset, load_dataset
from simlib.errors import InputError, raise_if_any
from simlib.i18n import LocalText, fmt
from simlib.parameters import sha256_file
from simlib.paths import display_path
from simlib.scenario import Scenario, load_scenario
from simlib.schema import load_yaml, validate
from simlib.states import ESCAPED, NEAR_POOR, POOR
from simlib.transitions import transition_matrix

#: indicators compared, with their unit; counts only where the household total is published
RATE_INDICATORS = {
    "poor_rate": "percent",
    "near_poor_rate": "percent",
    "poor_near_poor_rate": "percent",
    "poor_rate_change": "percentage points",
    "near_poor_rate_change": "percentage points",
}
COUNT_INDICATORS = {"households": "households", "poor": "households", "near_poor": "households"}
INTERVAL = (0.05, 0.95)


@dataclass
class Series:
    """One series of a back-test: a panel, the dataset its cells come from, budgets per year."""

    id: str
    title: LocalText
    panel: AggregatePanel
    template: Dataset
    budgets: dict
    budget_scale: str = "none"
    notes: list[LocalText] = field(default_factory=list)  # assumptions behind the series


@dataclass
class BacktestResult:
    """series: observed, fitted (one step ahead, training years) and projected values (tidy);
    errors: one row per held-out year, series and indicator; summary: errors per indicator."""

    name: str
    title: LocalText
    holdout_years: tuple[int, ...]
    series: pd.DataFrame
    errors: pd.DataFrame
    summary: pd.DataFrame
    fits: dict
    info: dict


def _indicators(stock: np.ndarray, A: np.ndarray) -> dict[str, np.ndarray]:
    """Indicators (S, O) from cell stocks (S, C, K)."""
    by = np.einsum("oc,sck->sok", A, stock)
    hh = by.sum(axis=-1)
    poor, near = by[..., POOR], by[..., NEAR_POOR]
    return {
        "households": hh,
        "poor": poor,
        "near_poor": near,
        "escaped": by[..., list(ESCAPED)].sum(axis=-1),
        "poor_rate": 100 * poor / hh,
        "near_poor_rate": 100 * near / hh,
        "poor_near_poor_rate": 100 * (poor + near) / hh,
    }


def _observed(panel: AggregatePanel, t: int) -> dict[str, np.ndarray]:
    """Observed indicators (O,) of review index t (NaN where not published)."""
    st = panel.stock[t]
    hh = st[:, HH]
    out = {
        "households": hh,
        "poor": st[:, POOR_OBS],
        "near_poor": st[:, NEAR_OBS],
        "escaped": st[:, ESC_OBS],
        "poor_rate": 100 * st[:, POOR_OBS] / hh,
        "near_poor_rate": 100 * st[:, NEAR_OBS] / hh,
    }
    out["poor_near_poor_rate"] = out["poor_rate"] + out["near_poor_rate"]
    return out


def project_year(
    cal: Calibration,
    train: AggregatePanel,
    exposure_train: Exposure,
    scen: Scenario | None,
    year: int,
    budget_scale: str = "none",
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Indicators of review `year` (the one after the training panel's last): point projection
    (O,) under key 'point' and posterior draws (S, O) under 'draws'."""
    prep = Prepared(train)
    klass = train.cells.klass
    entry = entry_vector(cal.entry)
    lam = cal.effect_multiplier if cal.effect_multiplier is not None else 1.0
    f1t, f2t = exposure_train.factors(lam)
    R = cal.class_rates[klass]
    s_last = run_filter(prep, R, f1t, f2t, cal.growth, entry).stock[0, -1]
    C = len(train.cells)
    if scen is not None:
        scale = 1.0
        if budget_scale == "poor_households":
            scale = float(s_last[:, POOR].sum() / max(scen.dataset.counts[..., POOR].sum(), 1.0))
        mult = LAMBDA_GRID if cal.effect_multiplier is not None else np.array([1.0])
        a, b, _ = programme_factors(scen, year, train.cells, s_last, mult, scale)
        ex = Exposure(mult, a[:, None], b[:, None])
    else:
        ex = Exposure.none(1, C)
    F1, F2 = ex.factors(lam)
    _, _, m = step(s_last[None], R[None], F1[0][None], F2[0][None], cal.growth, entry)
    point = _indicators(m, prep.A)
    # draws: rates (and effect multiplier, growth) from the posterior, stock re-filtered per draw
    Rd = cal.class_draws[:, klass]
    sd = run_filter(prep, Rd, f1t, f2t, cal.growth, entry).stock[:, -1]
    if cal.effect_draws is not None:
        fs = [ex.factors(x) for x in cal.effect_draws]
        F1d, F2d = np.array([f[0][0] for f in fs]), np.array([f[1][0] for f in fs])
    else:
        F1d, F2d = F1[0][None], F2[0][None]
    # predictive draws: each household moves at random (multinomial from its state), on top of
    # the parameter uncertainty; the start stock is rounded at random to whole households
    rng = np.random.default_rng(seed)
    n = np.floor(sd) + (rng.random(sd.shape) < sd - np.floor(sd))
    P = transition_matrix(Rd, F1d, F2d)
    P = np.clip(P, 0.0, None)
    P /= P.sum(axis=-1, keepdims=True)
    moved = rng.multinomial(n.astype(np.int64), P).sum(axis=-2)
    born = rng.poisson(np.maximum(cal.growth_draws[:, None], 0.0) * n.sum(axis=-1))
    md = moved + rng.multinomial(born, entry / entry.sum())
    return {"point": {k: v[0] for k, v in point.items()}, "draws": _indicators(md.astype(float), prep.A)}


def _observed_rows(series: Series, obs_all: dict) -> list[tuple]:
    """Series-table rows of every observed value."""
    panel, rows = series.panel, []
    for t, y in enumerate(panel.years):
        for name, v in obs_all[t].items():
            for o, area in enumerate(panel.areas):
                if np.isfinite(v[o]):
                    rows.append((series.id, area, y, name, "observed", float(v[o]), np.nan, np.nan, np.nan))
    return rows


def _fitted_rows(series: Series, train, cal, ex_train, obs_all: dict, T: int) -> list[tuple]:
    """Series-table rows of the one-step-ahead fitted values of the training years (fit held out at `T`)."""
    fr = run_filter(
        train, cal.class_rates[train.cells.klass], *ex_train.factors(1.0), cal.growth, entry_vector(cal.entry)
    )
    A = Prepared(train).A
    rows = []
    for t in range(1, len(train.years)):
        for name, v in _indicators(fr.predicted_stock[:, t - 1], A).items():
            for o, area in enumerate(series.panel.areas):
                if np.isfinite(obs_all[t][name][o]):
                    rows.append((series.id, area, train.years[t], name, "fitted", float(v[0, o]), np.nan, np.nan, T))
    return rows


def _with_changes(proj: dict, obs: dict, prev: dict) -> tuple[dict, dict, dict]:
    """Point, draws and observed values with the year's change of each rate added."""
    point, dr = dict(proj["point"]), dict(proj["draws"])
    for base in ("poor_rate", "near_poor_rate"):
        point[f"{base}_change"] = point[base] - prev[base]
        dr[f"{base}_change"] = dr[base] - prev[base][None]
        obs = dict(obs, **{f"{base}_change": obs[base] - prev[base]})
    return point, dr, obs


def _projected(series: Series, train, proj: dict, obs_all: dict, T: int) -> tuple[list[tuple], list[dict]]:
    """Series-table rows of the projection of year `T` and the error rows where it was observed."""
    panel = series.panel
    ti = panel.years.index(T)
    point, dr, obs = _with_changes(proj, obs_all[ti], obs_all[ti - 1])
    est = panel.households_estimated[ti] if panel.households_estimated is not None else np.zeros(panel.n_obs, bool)
    rows, errs = [], []
    for o, area in enumerate(panel.areas):
        for name, unit in {**RATE_INDICATORS, **COUNT_INDICATORS}.items():
            lo, hi = np.quantile(dr[name][:, o], INTERVAL)
            rows.append((series.id, area, T, name, "projected", float(point[name][o]), float(lo), float(hi), T))
            ob = obs[name][o]
            if not np.isfinite(ob) or (name in COUNT_INDICATORS and est[o]):
                continue
            errs.append(
                {
                    "series": series.id,
                    "area": area,
                    "year": T,
                    "indicator": name,
                    "unit": unit,
                    "observed": float(ob),
                    "projected": float(point[name][o]),
                    "error": float(point[name][o] - ob),
                    "abs_error": float(abs(point[name][o] - ob)),
                    "lo": float(lo),
                    "hi": float(hi),
                    "covered": bool(lo <= ob <= hi),
                    "training_years": f"{train.years[0]}–{train.years[-1]}",
                    "transitions_fitted": len(train.years) - 1,
                }
            )
    return rows, errs


def backtest_series(series: Series, holdout_years, prior: Prior, draws: int = 200, seed: int = 0):
    """Rows of the series table and the error table for one series, and the fits by year."""
    panel = series.panel
    obs_all = {t: _observed(panel, t) for t in range(len(panel.years))}
    rows, errs, fits = _observed_rows(series, obs_all), [], {}
    for T in holdout_years:
        if T not in panel.years or T - 1 not in panel.years:
            raise InputError(
                "cal_holdout",
                field="holdout_years",
                value=T,
                series=series.id,
                allowed=", ".join(str(y) for y in panel.years[1:]),
            )
        train = panel.until(T - 1)  # nothing of year T or later reaches the fit
        ex_train = panel_exposure(train, series.budgets, prior)
        cal = calibrate_aggregate(train, prior, ex_train, draws=draws, seed=seed)
        fits[(series.id, T)] = cal
        rows += _fitted_rows(series, train, cal, ex_train, obs_all, T)
        proj = project_year(cal, train, ex_train, series.budgets.get(T), T, series.budget_scale, seed)
        more_rows, more_errs = _projected(series, train, proj, obs_all, T)
        rows += more_rows
        errs += more_errs
    return rows, errs, fits


def summarise(errors: pd.DataFrame) -> pd.DataFrame:
    """Errors per indicator over all held-out rows: n, mean error (bias), MAE, RMSE, coverage of
    the 90 % interval."""
    if errors.empty:
        return pd.DataFrame(columns=["indicator", "unit", "n", "bias", "mae", "rmse", "coverage"])
    g = errors.groupby(["indicator", "unit"], sort=False)
    return g.apply(
        lambda d: pd.Series(
            {
                "n": len(d),
                "bias": d["error"].mean(),
                "mae": d["abs_error"].mean(),
                "rmse": float(np.sqrt((d["error"] ** 2).mean())),
                "coverage": d["covered"].mean(),
            }
        ),
        include_groups=False,
    ).reset_index()


def load_backtest(path: str | Path) -> tuple[dict, list[Series], Prior]:
    """Read and validate a back-test file; resolve its series, templates, budgets and prior."""
    path = Path(path)
    cfg = load_yaml(path)
    shown = display_path(path)
    raise_if_any(validate(cfg, "backtest", shown, quantities=False))
    base = path.resolve().parent
    prior = load_prior(base / cfg["prior"] if "prior" in cfg else None, scale=float(cfg.get("prior_scale", 1.0)))
    out, errors = [], []
    for i, s in enumerate(cfg["series"]):
        f = f"series.{i}"
        template = load_dataset(s["template"], relative_to=base)
        if s["kind"] == "published":
            missing = [k for k in ("file", "area", "years") if k not in s]
            if missing:
                errors.extend(InputError("missing", file=shown, field=f, name=m) for m in missing)
                continue
            panel = read_published(
                base / s["file"], s["area"], {int(k): v for k, v in s["years"].items()}, template, prior.growth0
            )
        else:
            if "files" not in s:
                errors.append(InputError("missing", file=shown, field=f, name="files"))
                continue
            panel = read_aggregate([base / x for x in s["files"]], template)
        budgets = {}
        if "budget" in s:
            scen = load_scenario(base / s["budget"])
            budgets = {y: scen for y in panel.years[1:]}
        for y, p in (s.get("budgets") or {}).items():
            budgets[int(y)] = load_scenario(base / p)
        out.append(
            Series(
                s["id"],
                LocalText.from_fields(s, "title"),
                panel,
                template,
                budgets,
                s.get("budget_scale", "none"),
                _file_notes(s) + list(panel.notes),
            )
        )
    raise_if_any(errors)
    cfg["_file"], cfg["_sha256"] = shown, sha256_file(path)
    return cfg, out, prior


def _file_notes(s: dict) -> list[LocalText]:
    """A series' `notes` (English) and `notes_vi`, item by item; a note given in one language only
    stands in for the other."""
    en, vi = list(s.get("notes", [])), list(s.get("notes_vi", []))
    return [LocalText(vi=v or e, en=e or v) for e, v in itertools.zip_longest(en, vi, fillvalue="")]


def run_backtest(path: str | Path, draws: int | None = None, seed: int | None = None) -> BacktestResult:
    """Run the back-test described by a YAML file (see module docstring)."""
    cfg, series, prior = load_backtest(path)
    draws = int(draws or cfg.get("draws", 200))
    seed = int(cfg.get("seed", 0) if seed is None else seed)
    rows, errs, fits = [], [], {}
    for s in series:
        r, e, f = backtest_series(s, tuple(cfg["holdout_years"]), prior, draws, seed)
        rows += r
        errs += e
        fits.update(f)
    table = pd.DataFrame(
        rows, columns=["series", "area", "year", "indicator", "kind", "value", "lo", "hi", "holdout_year"]
    )
    errors = pd.DataFrame(errs)
    info = {
        "backtest": cfg["name"],
        "file": cfg["_file"],
        "sha256": cfg["_sha256"],
        "draws": draws,
        "seed": seed,
        "prior": {"file": prior.file, "sha256": prior.sha256, "scale": prior.scale},
        "series": {
            s.id: {
                **s.title.to_fields("title"),
                "years": list(s.panel.years),
                "notes_vi": [n.vi for n in s.notes],
                "notes_en": [n.en for n in s.notes],
                "data": list(s.panel.sources),
                "budgets": {str(y): display_path(sc.file) if sc.file else sc.name for y, sc in s.budgets.items()},
            }
            for s in series
        },
    }
    return BacktestResult(
        cfg["name"],
        LocalText.from_fields(cfg, "title"),
        tuple(cfg["holdout_years"]),
        table,
        errors,
        summarise(errors),
        fits,
        info,
    )


def write_backtest(result: BacktestResult, out_dir: str | Path) -> Path:
    """series.csv, errors.csv, summary.csv, the fitted transitions of every (series, year) and
    manifest.json, written atomically."""
    out_dir = output_folder(out_dir, kind="backtest")
    with atomic_dir(out_dir, "backtest") as tmp:
        result.series.to_csv(tmp / "series.csv", index=False)
        result.errors.to_csv(tmp / "errors.csv", index=False)
        result.summary.to_csv(tmp / "summary.csv", index=False)
        (tmp / "fits").mkdir()
        for (sid, T), cal in result.fits.items():
            (tmp / "fits" / f"{sid}_{T}.yaml").write_text(dump_yaml(cal.transitions_doc()), encoding="utf-8")
        manifest = dict(
            result.info,
            simlib_version=__version__,
            holdout_years=list(result.holdout_years),
            outputs=["series.csv", "errors.csv", "summary.csv", "fits/"],
        )
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
    return out_dir


def indicator_label(code: str, lang: str | None = None) -> str:
    for key in (f"indicator.{code}", f"cal.indicator.{code}"):
        if i18n.has(key):
            return i18n.t(key, lang)
    return code


def error_lines(result: BacktestResult, lang: str | None = None) -> list[str]:
    """The held-out errors as lines of text (CLI)."""
    out = [i18n.t("cli.bt_head", lang, name=result.title(lang), years=", ".join(map(str, result.holdout_years)))]
    for _, r in result.errors.iterrows():
        d = 2 if r["unit"] != "households" else 0
        out.append(
            i18n.t(
                "cli.bt_line",
                lang,
                series=r["series"],
                year=r["year"],
                indicator=indicator_label(r["indicator"], lang),
                obs=fmt.number(r["observed"], lang, d),
                proj=fmt.number(r["projected"], lang, d),
                err=fmt.signed(r["error"], lang, d),
                lo=fmt.number(r["lo"], lang, d),
                hi=fmt.number(r["hi"], lang, d),
            )
        )
    return out
