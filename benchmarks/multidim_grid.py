"""`python -m benchmarks.multidim_grid [--quick]`: convergence study of the multidimensional
expected engine's income grid (issue 18), written to `benchmarks/multidim_grid_results.json`.

The grid (`params/multidim.yaml` -> `income.grid`, `simlib.multidim.income.make_edges`) is a
numerical parameter: its choice rests on this study, not on how the results look. For each
bundled multidimensional scenario the whole run (the plan, its no-money counterfactual, the twin
under the previous standard where there is one) is made on a fine reference grid and on the
candidate grids, and the headline indicators of the runs' `indicators` table are compared:

- deviation from the reference: largest absolute (households; rates in percentage points) and
  relative (rows whose reference is at least `REL_FLOOR` households or 0.1 point) per indicator;
- for scale: the width of the 90 % parameter-draw interval of the same rows (q05 to q95 of
  `run_uncertainty` of multidim_2030 with `UNCERTAINTY_DRAWS` draws, the bundled seed), and the
  largest ratio deviation / width over the rows where both exist;
- CPU ms per scenario-year of the expected engine alone (`time.process_time`, all threads), the
  grids timed in the same process in alternating order (forward, backward, ...), medians, with
  the load average at the start and the end.

The accuracy bar (task of issue 18): every headline deviation < 2 % of the interval width and
< 0.05 percentage points of every rate, for today's default and for the candidate alike.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from simlib.engines.multidim_expected import run_multidim_expected
from simlib.runner import run
from simlib.scenario import load_scenario
from simlib.uncertainty.run import run_uncertainty
from simlib.unit_switch import compile_run_model

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "multidim_grid_results.json"
SCENARIOS = ("multidim_2030", "plan_2027", "crossing_2024_2027")
HEADLINE = (
    "poor",
    "near_poor",
    "poor_rate",
    "near_poor_rate",
    "poor_near_poor_rate",
    "poor_fewer_than_without_programme",
    "poor_near_poor_fewer_than_without_programme",
)
RATES = ("poor_rate", "near_poor_rate", "poor_near_poor_rate")
REL_FLOOR = 10.0  # households: relative deviations of smaller reference counts are not reported
UNCERTAINTY_DRAWS = 20
BOUNDS = {"lowest": 100_000.0, "highest": 100_000_000.0}  # VND per person per month, as params/multidim.yaml


def grid_doc(step: float, tail_step: float | None = None, within: float = 0.0, **bounds) -> dict:
    """An `income.grid` mapping of params/multidim.yaml (uniform without `tail_step`)."""
    b = dict(BOUNDS, **bounds)
    doc = {
        "lowest": {"value": b["lowest"], "unit": "VND per person per month", "assumption": "study"},
        "highest": {"value": b["highest"], "unit": "VND per person per month", "assumption": "study"},
        "step": {"value": step, "unit": "log points", "assumption": "study"},
    }
    if tail_step is not None:
        doc["tail_step"] = {"value": tail_step, "unit": "log points", "assumption": "study"}
        doc["fine_within"] = {"value": within, "unit": "log points", "assumption": "study"}
    return doc


#: name -> income.grid; the first is the reference
GRIDS = {
    "reference_uniform_0.0125": grid_doc(0.0125),
    "uniform_0.05 (default before)": grid_doc(0.05),
    "uniform_0.1": grid_doc(0.1),
    "fine_0.05_within_0.7_tail_0.2": grid_doc(0.05, 0.2, 0.7),
    "fine_0.025_within_0.7_tail_0.2": grid_doc(0.025, 0.2, 0.7),
    "fine_0.025_within_0.5_tail_0.2": grid_doc(0.025, 0.2, 0.5),
    "fine_0.025_within_1.0_tail_0.2": grid_doc(0.025, 0.2, 1.0),
}


def scenario(name: str, grid: dict):
    return load_scenario(ROOT / "params" / "scenarios" / f"{name}.yaml", [("multidim.income.grid", grid)])


def headline(name: str, grid: dict) -> pd.DataFrame:
    """The headline rows of the scenario's indicators table on `grid` (rates in percent, so their
    deviations are in percentage points)."""
    ind = run(scenario(name, grid)).indicators
    ind = ind[ind["indicator"].isin(HEADLINE)]
    return ind.set_index(["year", "geo_type", "geo", "indicator"])["value"].astype(float)


def deviations(cand: pd.Series, ref: pd.Series, width: pd.Series | None) -> dict:
    """Per indicator: largest absolute and relative deviation and, where an interval width is
    known, the largest deviation / width; with the row where each happens."""
    d = (cand - ref).dropna()
    out = {}
    for ind, dev in d.groupby(level="indicator"):
        r = ref.loc[dev.index]
        floor = 0.1 if ind in RATES else REL_FLOOR
        rel = (dev.abs() / r.abs()).where(r.abs() >= floor).dropna()
        row = {
            "max_abs": float(dev.abs().max()),
            "max_abs_at": list(map(str, dev.abs().idxmax())),
            "max_rel": float(rel.max()) if len(rel) else None,
            "max_rel_at": list(map(str, rel.idxmax())) if len(rel) else None,
        }
        if width is not None:
            w = width.reindex(dev.index)
            ratio = (dev.abs() / w).where(w > 0).dropna()
            if len(ratio):
                row["max_share_of_90pct_width"] = float(ratio.max())
                row["max_share_at"] = list(map(str, ratio.idxmax()))
        out[ind] = row
    return out


def interval_widths(quick: bool) -> tuple[pd.Series, dict]:
    """q95 - q05 of the headline rows over parameter draws of multidim_2030 (rates in points)."""
    n = 4 if quick else UNCERTAINTY_DRAWS
    scen = load_scenario(ROOT / "params" / "scenarios" / "multidim_2030.yaml")
    c = time.process_time()
    q = run_uncertainty(scen, n, jobs=1).quantiles
    info = {"draws": n, "method": "lhs", "seed": scen.seed, "cpu_s": time.process_time() - c}
    q = q[q["indicator"].isin(HEADLINE)]
    lo, hi = _quantile_columns(q)
    w = (q[hi] - q[lo]).astype(float)
    w.index = pd.MultiIndex.from_frame(q[["year", "geo_type", "geo", "indicator"]])
    info["quantile_columns"] = [lo, hi]
    return w, info


def _quantile_columns(q: pd.DataFrame) -> tuple[str, str]:
    for lo, hi in (("q05", "q95"), ("p05", "p95"), ("q0.05", "q0.95")):
        if lo in q.columns and hi in q.columns:
            return lo, hi
    raise KeyError(f"no 5 % / 95 % columns in {list(q.columns)}")


def engine_ms(name: str, grids: dict, rounds: int) -> dict:
    """Median CPU and wall ms per scenario-year of the expected engine on each grid, the grids
    timed alternating in this process after one untimed run each (the reference grid is not timed:
    it is there for accuracy only)."""
    models = {}
    for g, doc in grids.items():
        _, mm = compile_run_model(scenario(name, doc))
        run_multidim_expected(mm, mm.base.spend)
        models[g] = mm
    got: dict = {g: {"cpu": [], "wall": []} for g in grids}
    start = list(os.getloadavg())
    for r in range(rounds):
        for g in list(grids) if r % 2 == 0 else list(grids)[::-1]:
            mm = models[g]
            c, w = time.process_time(), time.perf_counter()
            run_multidim_expected(mm, mm.base.spend)
            y = len(mm.base.years)
            got[g]["cpu"].append((time.process_time() - c) / y * 1e3)
            got[g]["wall"].append((time.perf_counter() - w) / y * 1e3)
    out = {
        g: {
            "bins": int(len(models[g].edges) - 1),
            "cpu_ms_per_scenario_year": float(np.median(v["cpu"])),
            "wall_ms_per_scenario_year": float(np.median(v["wall"])),
            "cpu_ms_rounds": [round(x, 1) for x in v["cpu"]],
        }
        for g, v in got.items()
    }
    return {"rounds": rounds, "load_start": start, "load_end": list(os.getloadavg()), "grids": out}


def study(names: tuple[str, ...], grids: dict) -> dict:
    """{scenario: {grid: headline rows}} on every grid, and the CPU seconds of each whole run."""
    tables, cpu = {}, {}
    for name in names:
        tables[name], cpu[name] = {}, {}
        for g, doc in grids.items():
            c = time.process_time()
            tables[name][g] = headline(name, doc)
            cpu[name][g] = time.process_time() - c
            print(name, g, round(cpu[name][g], 1), flush=True)
    return {"tables": tables, "whole_run_cpu_s": cpu}


def compare(tables: dict, width: pd.Series | None) -> dict:
    """Deviations of every candidate grid from the first (the reference), per scenario; the
    interval widths (multidim_2030's) are used for that scenario only."""
    res = {}
    for name, by_grid in tables.items():
        ref_name, ref = next(iter(by_grid.items()))
        w = width if name == "multidim_2030" else None
        res[name] = {
            "reference": ref_name,
            "grids": {g: deviations(t, ref, w) for g, t in list(by_grid.items())[1:]},
        }
    return res


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="multidim_2030 only, 4 draws, 2 timing rounds")
    ap.add_argument("--scenarios", nargs="*", default=list(SCENARIOS))
    args = ap.parse_args(argv)
    names = ("multidim_2030",) if args.quick else tuple(args.scenarios)
    res: dict = {"grids": GRIDS, "load_start": list(os.getloadavg())}
    runs = study(names, GRIDS)
    res["whole_run_cpu_s"] = runs["whole_run_cpu_s"]
    res["deviations"] = compare(runs["tables"], None)
    _write(res)
    width, res["uncertainty"] = interval_widths(args.quick)
    res["deviations"] = compare(runs["tables"], width)
    res["interval_width_90pct_max"] = {k: float(v.max()) for k, v in width.groupby(level="indicator")}
    _write(res)
    timed = dict(list(GRIDS.items())[1:])
    res["timing"] = {n: engine_ms(n, timed, 2 if args.quick else 6) for n in names[:2]}
    res["load_end"] = list(os.getloadavg())
    _write(res)


def _write(res: dict) -> None:
    RESULTS.write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
