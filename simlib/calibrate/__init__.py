"""Calibration of the baseline transition probabilities from annual-review data, and back-testing.

Two paths, one output:

- `aggregate` (`aggregate.py`): counts of poor / near-poor (/ newly escaped, flows) households per
  district or cell and year -> reference rates x relative-risk modifiers (the structure of
  `params/transitions.yaml`), posterior mode and Laplace uncertainty.
- `household` (`household.py`): household-level review lists of consecutive years -> transition
  counts (36-month escaped cohort included) -> per-class conjugate posterior (or reference x
  modifiers).

Both use `params/transitions.yaml` (or another transitions file) as a pseudo-count prior
(`prior.py`), can take the programme budgets of the observed years into account so the estimate
is the *baseline* without the programme (`exposure.py`), and write a transitions file with its
provenance, posterior draws and a fitted-versus-observed table (`result.py`) that a scenario
selects with `transitions: <path>`. `backtest.py` fits on years before T, projects T and reports
errors on the held-out years only. Readers and their checks are in `io.py` (published figures:
`published.py`); synthetic data from a known model in `synthetic.py`; charts in `plots.py`.
"""

from __future__ import annotations

from pathlib import Path

from simlib.calibrate.aggregate import calibrate_aggregate, panel_exposure
from simlib.calibrate.backtest import run_backtest, write_backtest
from simlib.calibrate.exposure import LAMBDA_GRID
from simlib.calibrate.household import calibrate_households, register_exposure
from simlib.calibrate.io import check_two_years, read_aggregate, read_register
from simlib.calibrate.prior import load_prior
from simlib.calibrate.result import Calibration, rates_for_model, read_draws, write_calibration
from simlib.dataset import load_dataset
from simlib.errors import InputError, raise_if_any
from simlib.paths import display_path
from simlib.scenario import load_scenario

__all__ = [
    "calibrate_files",
    "Calibration",
    "read_draws",
    "rates_for_model",
    "write_calibration",
    "run_backtest",
    "write_backtest",
]


def calibrate_files(
    kind: str,
    files,
    template: str | Path = "caobang",
    prior: str | Path | None = None,
    prior_scale: float = 1.0,
    budget: str | Path | None = None,
    budgets: dict | None = None,
    budget_scale: str = "none",
    effects: bool = False,
    structure: str | None = None,
    draws: int = 200,
    seed: int = 0,
) -> Calibration:
    """Read review data and estimate baseline rates.

    kind: "aggregate" (review counts) or "household" (review lists); files: CSV/XLSX paths;
    template: the dataset whose units (and poor-district flags) the data refer to; prior: a
    transitions file (default params/transitions.yaml), `prior_scale` times as strong; budget: a
    scenario whose budget acted in every observed year, `budgets` {year: scenario} per year;
    effects: also estimate a multiplier of all programme effects (needs budgets); structure:
    "parametric" or "per_class" (household lists only; default per_class).
    """
    if kind not in ("aggregate", "household"):
        raise InputError("enum", field="kind", value=kind, allowed=["aggregate", "household"])
    if draws < 1:
        raise InputError("draws", field="draws", value=draws)
    try:
        ds = load_dataset(template)
    except InputError as exc:
        if exc.code == "dataset_missing":
            exc.field = "template"
        raise
    pr = load_prior(prior, scale=prior_scale)
    tmpl = {"dataset": ds.name, "version": ds.version, "files": ds.file_hashes}
    scen_by_year = {}
    if budget:
        scen_by_year["*"] = load_scenario(budget)
    for y, p in (budgets or {}).items():
        scen_by_year[int(y)] = load_scenario(p)
    mult = LAMBDA_GRID if effects else (1.0,)
    shown = ", ".join(display_path(f) for f in files)
    if kind == "aggregate":
        panel = read_aggregate(files, ds)
        raise_if_any(check_two_years(panel.years, shown))  # one review: nothing to calibrate from
        by_year = {y: scen_by_year.get(y, scen_by_year.get("*")) for y in panel.years[1:]}
        by_year = {y: s for y, s in by_year.items() if s is not None}
        ex = panel_exposure(panel, by_year, pr, mult, budget_scale)
        return calibrate_aggregate(panel, pr, ex, effects=effects, draws=draws, seed=seed, template=tmpl)
    tc = read_register(files, ds)
    raise_if_any(check_two_years(tc.years, shown))
    by_year = {y: scen_by_year.get(y, scen_by_year.get("*")) for y in tc.years[1:]}
    by_year = {y: s for y, s in by_year.items() if s is not None}
    ex = register_exposure(tc, by_year, mult)
    return calibrate_households(
        tc, pr, ex, structure=structure or "per_class", effects=effects, draws=draws, seed=seed, template=tmpl
    )
