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
from simlib.errors import InputError
from simlib.i18n import fmt
from simlib.model import Model, compile_model
from simlib.parameters import sha256_file
from simlib.paths import display_path
from simlib.scenario import Scenario
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


def posterior_of(scen: Scenario) -> Posterior | None:
    """The posterior of `scen`'s transitions file, or None if it has none. A draws file that
    changed since the fit (sha256) is an error."""
    doc = scen.params["transitions"]
    rec = (doc.get("calibration") or {}).get("posterior")
    if not rec or doc["calibration"].get("method") != "series":
        return None
    tfile = Path(scen.params.files["transitions"])
    path = tfile.parent / rec["file"]
    if not path.is_file():
        raise InputError("file_missing", file=display_path(path))
    if rec.get("sha256") and sha256_file(path) != rec["sha256"]:
        raise InputError("series_posterior_changed", file=display_path(path), transitions=display_path(tfile))
    prior = JointPrior(scen, doc, 1.0)
    draws = prior.from_frame(pd.read_csv(path), display_path(path))
    stale = rec.get("programme_signature") != prior.programme_signature()
    return Posterior(path, prior, draws, dict(rec), stale)


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

    def row(self, indicator: str, year: int | None = None, geo: str = "province") -> pd.Series:
        t = self.table
        year = int(t["year"].max()) if year is None else year
        return t[(t["indicator"] == indicator) & (t["geo"] == geo) & (t["year"] == year)].iloc[0]

    @property
    def info(self) -> dict:
        """What the manifest records about the intervals: the draws file, their number, staleness."""
        return {"posterior": self.source, "draws": self.draws, "stale": self.stale}

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
    """Intervals of the programme's effect for `scen` from its posterior, or None without one."""
    if scen.poverty_model != "states":  # the draws are of the states model's parameters
        return None
    post = posterior_of(scen)
    if post is None:
        return None
    model = model or compile_model(scen)
    table = summarise(draw_indicators(scen, post, model), scen, model)
    money = bool(model.levers.amounts[1:].sum() > 0)
    return ProgrammeIntervals(
        scen.name, display_path(post.file), len(post.draws), post.stale, table, scen.baseline_year, money
    )
