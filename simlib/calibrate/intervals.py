"""The programme's share of the decline and the cost per household lifted out, as intervals over
posterior draws.

A scenario whose transitions file was written by `simlib calibrate series` carries posterior draws
(`calibration.posterior`: baseline rates, every line's effects and unit costs, disbursement,
estimated together from the published series). For each draw the scenario's own budget runs
through the expected engine with and without the money; per projected year and geography:

- `poor_rate`, `poor_rate_without_programme` (%), `poor_rate_decline` (points since the baseline
  review, with the programme), `programme_points` (points the programme keeps off the poor rate);
- `poor_fewer_than_without_programme` (households) and `programme_share_of_decline` (%: the
  programme's points over the decline; left out where the rate did not fall);
- `cost_per_household_lifted` (province, million VND per household: money spent up to that year
  over the households kept out of poverty; left out where the programme lifted nobody).

A scenario that projects with hand-set rates (plan_2024: params/transitions.yaml) gets them from
the posterior of the series fit made for it from those rates (`fit_for`:
params/calibrated/caobang_series), and the sentence says so: the intervals are then of the
estimated rates, the page's central projection of the hand-set ones.

`programme_intervals(scen)` returns their 5/50/95 % points and means (`ProgrammeIntervals.table`,
written as `programme_intervals.csv` by `ProgrammeIntervals.write`, which `simlib run` and the
scenario report's export call) and the sentence for the CLI and the reports
(`ProgrammeIntervals.sentence(lang)`); None when the scenario has no posterior. This is the
function the reports call (`simlib.report.scenario_report.context` puts it in `ctx.intervals`). A posterior
estimated with other effect, unit-cost or disbursement priors than the scenario declares (a
changed params/program.yaml, overrides) still applies, but `stale` says so: re-run the fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.atomic import atomic_file
from simlib.calibrate.series_model import run_chunks
from simlib.calibrate.series_prior import JointDraws, JointPrior
from simlib.dataset import GROUPS
from simlib.errors import InputError, missing_file
from simlib.i18n import fmt
from simlib.model import Model, compile_model
from simlib.parameters import sha256_file
from simlib.paths import display_path, project_root
from simlib.scenario import Scenario
from simlib.schema import load_yaml
from simlib.states import POOR

QUANTILES = (0.05, 0.5, 0.95)
FILE = "programme_intervals.csv"
UNITS = {
    "poor_rate": "percent",
    "poor_rate_without_programme": "percent",
    "poor_rate_decline": "percentage points",
    "programme_points": "percentage points",
    "poor_fewer_than_without_programme": "households",
    "programme_share_of_decline": "percent",
    "cost_per_household_lifted": "million VND per household",
}


@dataclass
class Posterior:
    """The posterior draws a scenario's transitions file names, read for that scenario."""

    file: Path
    prior: JointPrior
    draws: JointDraws
    record: dict
    stale: bool


def posterior_of(scen: Scenario, transitions_file: Path | None = None) -> Posterior | None:
    """The posterior of `scen`'s transitions file (or of `transitions_file`), or None if it has
    none. A draws file that changed since the fit (sha256) is an error."""
    tfile = Path(transitions_file or scen.params.files["transitions"])
    doc = load_yaml(tfile) if transitions_file is not None else scen.params["transitions"]
    rec = (doc.get("calibration") or {}).get("posterior")
    if not rec or doc["calibration"].get("method") != "series":
        return None
    path = tfile.parent / rec["file"]
    if not path.is_file():
        raise missing_file(path)
    if rec.get("sha256") and sha256_file(path) != rec["sha256"]:
        raise InputError("series_posterior_changed", file=display_path(path), transitions=display_path(tfile))
    prior = JointPrior(scen, doc, 1.0)
    draws = prior.from_frame(pd.read_csv(path), display_path(path))
    stale = rec.get("programme_signature") != prior.programme_signature()
    return Posterior(path, prior, draws, dict(rec), stale)


def _same_file(a, b) -> bool:
    pa, pb = Path(a), Path(b)
    pa, pb = (pa if pa.is_absolute() else project_root() / pa), (pb if pb.is_absolute() else project_root() / pb)
    return pa.resolve() == pb.resolve()


def fit_for(scen: Scenario) -> Path | None:
    """The transitions file of a series fit made for this very scenario from its own transitions
    file as prior (`calibration.scenario.file` is the scenario's file and `calibration.spec.inputs`
    names its transitions file), in the `calibrated/` folder next to that transitions file; None
    if there is none. Its posterior estimates the scenario's baseline rates and effects from the
    published series, so it gives the scenario's programme share and cost as intervals even when
    the scenario projects with its hand-set rates (plan_2024 and params/calibrated/caobang_series)."""
    if scen.file is None or scen.dated:
        return None
    own = Path(scen.params.files["transitions"])
    for tfile in sorted((own.parent / "calibrated").glob("*/transitions.yaml")):
        cal = load_yaml(tfile).get("calibration") or {}
        made_for = (cal.get("scenario") or {}).get("file")
        inputs = (cal.get("spec") or {}).get("inputs") or {}
        if made_for and _same_file(made_for, scen.file) and any(_same_file(k, own) for k in inputs):
            return tfile
    return None


def _geos(model: Model) -> list[tuple[str, str, np.ndarray]]:
    unit_poor = np.asarray(model.poor_district)[model.g_unit]
    out = [("province", "province", np.ones(len(model.g_unit), bool)), ("poor_districts", "poor_districts", unit_poor)]
    return out + [("ethnic_group", g, np.asarray(model.g_eth) == i) for i, g in enumerate(GROUPS)]


def _counts(model: Model, spend, post: Posterior, rates) -> tuple[np.ndarray, np.ndarray]:
    """Poor households and households (n, Y+1, Ngeo) of every draw with money `spend`."""
    masks = np.column_stack([m for _, _, m in _geos(model)]).astype(float)
    n, Y1 = spend.shape[0], spend.shape[1]
    poor, total = np.empty((n, Y1, masks.shape[1])), np.empty((n, Y1, masks.shape[1]))
    for b, out in run_chunks(model, spend, post.draws.effects, rates):
        poor[b] = out.states[..., POOR] @ masks
        total[b] = out.states.sum(axis=-1) @ masks
    return poor, total


def draw_indicators(scen: Scenario, post: Posterior, model: Model | None = None) -> dict[str, np.ndarray]:
    """The indicators of the module docstring, (n, Y+1, Ngeo) per posterior draw."""
    model = model or compile_model(scen)
    d = post.draws
    real = np.einsum("yls,ns,ld->nyld", model.levers.amounts, d.disbursement, model.levers.split)
    effective = real * post.prior.cost_ratio(model, d)[:, None, :, None]
    rates = post.prior.group_rates(model, d)
    poor, total = _counts(model, effective, post, rates)
    poor0, total0 = _counts(model, np.zeros_like(effective), post, rates)
    rate, rate0 = 100 * poor / total, 100 * poor0 / total0
    decline = rate[:, :1] - rate
    points = rate0 - rate
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(decline > 1e-9, 100 * points / decline, np.nan)
        fewer = poor0 - poor
        spent = np.cumsum(real[:, 1:].sum(axis=(2, 3)), axis=1) / 1e6  # million VND, projected years
        cost = np.full(rate.shape, np.nan)
        cost[:, 1:, 0] = np.where(fewer[:, 1:, 0] > 1e-6, spent / fewer[:, 1:, 0], np.nan)
    return {
        "poor_rate": rate,
        "poor_rate_without_programme": rate0,
        "poor_rate_decline": decline,
        "programme_points": points,
        "poor_fewer_than_without_programme": fewer,
        "programme_share_of_decline": share,
        "cost_per_household_lifted": cost,
    }


@dataclass
class ProgrammeIntervals:
    """Intervals over posterior draws for one scenario (see the module docstring)."""

    scenario: str
    source: str
    draws: int
    stale: bool
    table: pd.DataFrame
    baseline_year: int
    money: bool = True
    notes: list = field(default_factory=list)
    #: the transitions file of a fit made for this scenario when the scenario projects with other
    #: (hand-set) rates (`fit_for`); "" when the posterior is of the scenario's own transitions
    fitted: str = ""

    def row(self, indicator: str, year: int | None = None, geo: str = "province") -> pd.Series:
        t = self.table
        year = int(t["year"].max()) if year is None else year
        return t[(t["indicator"] == indicator) & (t["geo"] == geo) & (t["year"] == year)].iloc[0]

    @property
    def info(self) -> dict:
        """What the manifest records about the intervals: the draws file, their number, staleness."""
        out = {"posterior": self.source, "draws": self.draws, "stale": self.stale}
        return out | ({"fit_for_scenario": self.fitted} if self.fitted else {})

    def write(self, folder: str | Path) -> str:
        """Write `table` as `programme_intervals.csv` into `folder` (atomically); its file name."""
        Path(folder).mkdir(parents=True, exist_ok=True)
        with atomic_file(Path(folder) / FILE, "w", encoding="utf-8", newline="") as fh:
            self.table.to_csv(fh, index=False)
        return FILE

    def sentence(self, lang: str | None = None) -> str:
        """The programme's share of the decline and the cost per household lifted out at the
        horizon, as 90 % intervals (one line)."""
        if not self.money:
            return i18n.t("cli.intervals_no_money", lang)
        share, cost = self.row("programme_share_of_decline"), self.row("cost_per_household_lifted")
        text = i18n.t(
            "cli.intervals",
            lang,
            first=self.baseline_year,
            last=int(share["year"]),
            lo=fmt.number(share["q05"], lang, 0),
            hi=fmt.percent(share["q95"], lang, 0),
            mid=fmt.percent(share["q50"], lang, 0),
            clo=fmt.number(cost["q05"], lang, 0),
            chi=fmt.million_vnd(cost["q95"], lang, 0),
            n=fmt.number(self.draws, lang),
        )
        if self.fitted:
            text += " " + i18n.t("cli.intervals_fit_for", lang)  # the file is in `info` (manifest)
        return text + (" " + i18n.t("cli.intervals_stale", lang) if self.stale else "")


def summarise(ind: dict[str, np.ndarray], scen: Scenario, model: Model) -> pd.DataFrame:
    """5/50/95 % points, mean and the number of draws with a value, per indicator, year and geography."""
    years = (scen.baseline_year,) + tuple(model.years)
    rows = []
    for name, arr in ind.items():
        for g, (gtype, geo, _) in enumerate(_geos(model)):
            for y, year in enumerate(years[1:], start=1):
                x = arr[:, y, g]
                ok = np.isfinite(x)
                if not ok.any():
                    continue
                q = np.quantile(x[ok], QUANTILES)
                rows.append((scen.name, year, gtype, geo, name, UNITS[name], *q, float(x[ok].mean()), int(ok.sum())))
    cols = ["scenario", "year", "geo_type", "geo", "indicator", "unit", "q05", "q50", "q95", "mean", "draws"]
    return pd.DataFrame(rows, columns=cols)


def programme_intervals(scen: Scenario, model: Model | None = None) -> ProgrammeIntervals | None:
    """Intervals of the programme's effect for `scen` from its posterior — or, when its own
    transitions have none, from the posterior of a series fit made for it (`fit_for`, said in
    the sentence) — or None without either."""
    if scen.poverty_model != "states":  # the draws are of the states model's parameters
        return None
    post, fitted = posterior_of(scen), ""
    if post is None:
        tfile = fit_for(scen)
        post = posterior_of(scen, tfile) if tfile is not None else None
        fitted = display_path(tfile) if post is not None else ""
    if post is None:
        return None
    model = model or compile_model(scen)
    table = summarise(draw_indicators(scen, post, model), scen, model)
    money = bool(model.levers.amounts[1:].sum() > 0)
    return ProgrammeIntervals(
        scen.name, display_path(post.file), len(post.draws), post.stale, table, scen.baseline_year, money, [], fitted
    )
