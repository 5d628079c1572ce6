"""Robust allocations: the best allocation over parameter draws, not only at the central values.

The draws are the uncertainty analysis's (`simlib.uncertainty`: the parameter space of the
scenario — `scenario_space`, with the multidimensional model its own parameters too — a seeded
Latin hypercube / Sobol / random design, each draw applied and compiled): effect sizes, unit
costs, take-up, baseline transitions, disbursement... Each draw is the same problem — the same
variables and linear rules, which are about planned money — on that draw's model; for a scenario
that changes units (the crossing, `simlib.allocate.crossing.draw_targets`) that draw's run
through the switch, both segments on the draw's values, as `simlib uncertainty` runs it. Two
robust objectives:

- `expected`: the fewest households (the objective's weights) on average over the draws;
- `regret`: the least largest regret, a draw's regret being how many more households the
  allocation leaves (weighted) than that draw's own optimum (each found by the certified loop).

Both are solved as one piecewise-linear programme with a set of response curves per draw
(`simlib.allocate.milp`), in the certified loop (`simlib.allocate.certify`); gaps and errors are
shares of the households the programme keeps out of poverty on average over the draws. The
absorption caps are the central model's (a draw with a lower take-up reaches fewer households
with the same money, which its curves show as no gain).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.allocate.certify import Certificate, Task, certified, objective_task
from simlib.allocate.milp import solve_pl
from simlib.allocate.problem import Problem
from simlib.allocate.pwl import build_curves, direction_ranges
from simlib.scenario import Scenario
from simlib.uncertainty import sample
from simlib.uncertainty.apply import target_for_values
from simlib.uncertainty.space import scenario_space


@dataclass
class Draws:
    """The problem on each parameter draw."""

    problems: list[Problem]
    f_zero: np.ndarray  # (N,) objective with no programme, per draw
    keys: tuple[str, ...]
    values: np.ndarray  # (N, keys) the drawn values
    method: str
    seed: int

    @property
    def n(self) -> int:
        return len(self.problems)

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        """(N, S) objective of allocations X (S, n) in every draw."""
        return np.array([q.evaluate(X) for q in self.problems])


def draw_problems(
    p: Problem, n: int, method: str = "lhs", seed: int | None = None, scen: Scenario | None = None, targets=None
) -> Draws:
    """The problem on `n` parameter draws of the uncertainty space of `scen` (default the
    problem's scenario; `scenario_space`, as `simlib uncertainty` samples it). `targets`: (keys,
    values (N, k)) -> the engine model of each draw (default `target_for_values` of the problem's
    scenario; a crossing's run through the switch, `simlib.allocate.crossing.draw_targets`)."""
    scen = p.scenario if scen is None else scen
    seed = int(scen.seed if seed is None else seed)
    space = scenario_space(scen)
    smp = sample(space, scen.params, n, method, seed)
    if targets is None:
        targets = own_targets(p.scenario)
    problems = [p.with_model(t) for t in targets(smp.keys, smp.values)]
    zero = np.zeros((1, p.n))
    f_zero = np.array([float(q.evaluate(zero)[0]) for q in problems])
    return Draws(problems, f_zero, smp.keys, smp.values, method, seed)


def own_targets(scen: Scenario):
    """(keys, values (N, k)) -> the model `scen`'s engine runs for each draw (`target_for_values`)."""
    return lambda keys, values: (target_for_values(scen, keys, v) for v in values)


def draw_optima(draws: Draws, starts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each draw's own certified optimum: allocations (N, n), values (N,), gaps (N,)."""
    X, f, gaps = [], [], []
    for q, fz in zip(draws.problems, draws.f_zero):
        x, cert = certified(objective_task(q, float(fz)), starts, [])
        X.append(x)
        f.append(cert.value)
        gaps.append(cert.gap)
    return np.array(X), np.array(f), np.array(gaps)


def robust_task(draws: Draws, kind: str, f_star: np.ndarray | None = None) -> Task:
    """The certified loop's task for the `expected` or `regret` objective over the draws."""
    ranges = [direction_ranges(q) for q in draws.problems]
    A, b = draws.problems[0].A, draws.problems[0].b
    K = max(len(ranges[0]), 1)
    f_zero = float(draws.f_zero.mean())

    def true(X):
        F = draws.evaluate(X)
        return F.mean(axis=0) if kind == "expected" else (F - f_star[:, None]).max(axis=0)

    def scale(fx):
        return max(f_zero - (fx if kind == "expected" else float(np.mean(f_star))), 1.0)

    def curves(x):
        tol = 2e-4 * scale(float(true(x[None])[0])) / K
        return [build_curves(q, x, r, tol_f=tol) for q, r in zip(draws.problems, ranges)]

    def solve(models):
        if kind == "expected":
            return solve_pl(A, b, models, "min", offset=f_zero, scale=scale(0.0))
        return solve_pl(A, b, models, "regret", f_star=f_star, scale=scale(0.0))

    def model_value(models, x):
        v = np.array([m.value(x) for m in models])
        return float(v.mean() if kind == "expected" else (v - f_star).max())

    def error(models, X):
        vals = true(X)
        return float(max((abs(model_value(models, x) - v) for x, v in zip(X, vals)), default=0.0))

    return Task(kind, true, curves, solve, scale, error)


@dataclass
class RobustResult:
    """A robust optimum and how it fares draw by draw against the other allocations."""

    x: np.ndarray
    certificate: Certificate
    table: pd.DataFrame  # draw, allocation, value, regret, is_best
    summary: pd.DataFrame  # allocation, mean, worst, mean/max regret, share best, wins vs plan
    draws: Draws
    draw_gaps: np.ndarray  # (N,) gaps of each draw's own optimum (regret)


def compare(draws: Draws, named: dict[str, np.ndarray], f_star: np.ndarray | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per draw, each allocation's value and regret (against the draw's own optimum when known,
    else against the best of the allocations compared); and a summary per allocation."""
    names = list(named)
    F = draws.evaluate(np.array([named[k] for k in names]))  # (N, A)
    best = F.min(axis=1) if f_star is None else np.minimum(f_star, F.min(axis=1))
    rows = []
    for a, name in enumerate(names):
        for d in range(draws.n):
            rows.append({"draw": d, "allocation": name, "value": F[d, a], "regret": F[d, a] - best[d]})
    table = pd.DataFrame(rows)
    table["is_best"] = table["value"] <= table.groupby("draw")["value"].transform("min") + 1e-9
    plan = F[:, names.index("plan")] if "plan" in names else None
    summary = pd.DataFrame(
        {
            "allocation": names,
            "value_mean": F.mean(axis=0),
            "value_worst": F.max(axis=0),
            "regret_mean": (F - best[:, None]).mean(axis=0),
            "regret_max": (F - best[:, None]).max(axis=0),
            "share_best": table.groupby("allocation", sort=False)["is_best"].mean().reindex(names).to_numpy(),
            "draws_better_than_plan": (F < plan[:, None] - 1e-9).sum(axis=0) if plan is not None else np.nan,
            "draws_worse_than_plan": (F > plan[:, None] + 1e-9).sum(axis=0) if plan is not None else np.nan,
        }
    )
    return table, summary


def robust_optimum(
    p: Problem, starts: list[np.ndarray], named: dict[str, np.ndarray], scen: Scenario | None = None, targets=None
) -> RobustResult:
    """The robust optimum of `p` under `p.spec.robust` over `p.spec.draws` draws, compared with
    the allocations `named` (plan, equal split, central optimum) draw by draw; `scen` and
    `targets` as in `draw_problems` (a crossing's draws through the switch)."""
    spec = p.spec
    draws = draw_problems(p, spec.draws, spec.sampler, spec.seed, scen, targets)
    f_star, gaps = None, np.zeros(draws.n)
    if spec.robust == "regret":
        X_star, f_star, gaps = draw_optima(draws, starts)
    x, cert = certified(robust_task(draws, spec.robust, f_star), starts, list(named.values()))
    table, summary = compare(draws, {"optimal": x, **named}, f_star)
    return RobustResult(x, cert, table, summary, draws, gaps)
