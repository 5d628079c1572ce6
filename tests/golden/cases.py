"""The golden cases: each bundled scenario with the expected engine, and the stochastic engines
and parameter draws on the plan with fixed seeds (so a reorganisation that changes a random
stream is caught too)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simlib.runner import run
from simlib.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent.parent
SCENARIOS = ROOT / "params" / "scenarios"
TABLES = (
    "states",
    "flows",
    "indicators",
    "targets",
    "programme",
    "review_flows",
    "deprivations",
    "deprivation_removals",
)


@dataclass(frozen=True)
class Case:
    name: str
    scenario: str
    engine: str = "expected"
    draws: int = 1
    seed: int | None = None
    uncertainty: int = 0


CASES = (
    *(Case(p.stem, p.stem) for p in sorted(SCENARIOS.glob("*.yaml"))),
    Case("plan_2024-microsim", "plan_2024", "microsim", draws=3, seed=11),
    Case("plan_2024-microsim-fast", "plan_2024", "microsim-fast", draws=3, seed=12),
    Case("plan_2024-aggregate", "plan_2024", "aggregate", draws=4, seed=13),
    Case("multidim_2030-microsim", "multidim_2030", "microsim", draws=2, seed=14),
    Case("plan_2024-uncertainty", "plan_2024", uncertainty=8, seed=15),
)


def case_tables(case: Case) -> dict[str, pd.DataFrame]:
    """The tables a case produces, by name (the CSV outputs of `simlib run`)."""
    scen = load_scenario(SCENARIOS / f"{case.scenario}.yaml")
    res = run(scen, engine=case.engine, draws=case.draws, seed=case.seed)
    out = {name: getattr(res.tables, name) for name in TABLES if getattr(res.tables, name, None) is not None}
    out["targets"] = res.targets
    if res.period_changes is not None:  # `periods: dated` scenarios
        out["period_changes"] = res.period_changes
    if case.uncertainty:
        from simlib.uncertainty.run import write_uncertainty

        with tempfile.TemporaryDirectory() as tmp:
            folder = write_uncertainty(res, Path(tmp) / "u", case.uncertainty, seed=case.seed, executor="serial")
            for name in ("quantiles", "targets"):
                out[f"uncertainty_{name}"] = pd.read_csv(folder / f"uncertainty_{name}.csv")
    case_tables.last = tuple(out)
    return out
