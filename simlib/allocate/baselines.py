"""The allocations an optimum starts from and is compared with, under the same rules: the plan
moved to the nearest allocation the rules allow, and the equal split by source (each source's
envelope shared equally among the lines it may fund, then money left over shared among lines
with room); and the placing of money the optimum leaves without effect within the horizon.
"""

from __future__ import annotations

import numpy as np

from simlib.allocate import solve
from simlib.allocate.problem import BN, Problem, from_amounts
from simlib.allocate.structure import equal_by_source, source_mask
from simlib.scenario import Scenario


def starts(p: Problem, scen: Scenario) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Feasible starting points: the plan and the capital-respecting equal split (each moved to
    the nearest feasible allocation), and the cheapest feasible allocation."""
    x_plan = solve.project(p, from_amounts(p, scen.budget.amounts))
    x_equal = fill_equally(p, solve.project(p, from_amounts(p, equal_amounts(p, scen))))
    return [x_plan, x_equal, solve.feasible_point(p)], x_plan, x_equal


def corners(p: Problem) -> list[np.ndarray]:
    """Further starts for a multistart: for each line, the allocation with the most money on it
    (and the rest of each envelope shared equally where it fits), distinct allocations only."""
    out = []
    for li in sorted(set(p.var_line.tolist())):
        x = solve.concentrated(p, p.var_line == li)
        if x is None:
            continue
        x = fill_equally(p, x)
        if all(np.abs(x - y).sum() > 1e-6 * max(1.0, np.abs(y).sum()) for y in out):
            out.append(x)
    return out


def fill_equally(p: Problem, x: np.ndarray, rounds: int = 20) -> np.ndarray:
    """Share money left in an envelope equally among the lines that may use that source and still
    have room (below their eligible cap and ceiling; per district by the scenario's split),
    until nothing more fits."""
    for _ in range(rounds):
        slack = p.b - p.A @ x
        tol = 1e-6 * np.maximum(1.0, np.abs(p.b))
        add = np.zeros_like(x)
        for i in np.flatnonzero(p.envelope_rows & (slack > tol)):
            vars_i = np.flatnonzero(p.A[i] > 0)
            room = [
                v
                for v in vars_i
                if all(slack[j] > tol[j] for j in np.flatnonzero(p.A[:, v] > 0) if j != i and not p.envelope_rows[j])
            ]
            lines_r = sorted(set(p.var_line[room].tolist())) if room else []
            for li in lines_r:
                vs = [v for v in room if p.var_line[v] == li]
                w = np.array([p.model.split[li, p.var_unit[v]] if p.var_unit[v] >= 0 else 1.0 for v in vs])
                add[vs] += slack[i] / len(lines_r) * w / w.sum()
        if not add.any():
            break
        new = solve.project(p, x + add)
        if np.abs(new - x).sum() < 1e-6:
            break
        x = new
    return x


def place_leftover(p: Problem, x: np.ndarray, x_plan: np.ndarray, rounds: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Money the optimum leaves in an envelope because it changes nothing within the horizon
    (infrastructure money in the last year acts only after it) is placed as the plan places that
    source (equally where the plan has none), where lines have room — only if the objective does
    not get worse. Returns the allocation and the money placed per constraint row."""
    f = float(p.evaluate(x[None])[0])
    placed = np.zeros(len(p.b))
    for _ in range(rounds):
        slack = p.b - p.A @ x
        tol = 1e-4 * np.maximum(1.0, np.abs(p.b))
        add = np.zeros_like(x)
        rows = np.flatnonzero(p.envelope_rows & (slack > tol))
        for i in rows:
            vars_i = np.flatnonzero(p.A[i] > 0)
            room = np.array(
                [
                    v
                    for v in vars_i
                    if all(
                        slack[j] > tol[j] for j in np.flatnonzero(p.A[:, v] > 0) if j != i and not p.envelope_rows[j]
                    )
                ],
                int,
            )
            if not len(room):
                continue
            w = x_plan[room] if x_plan[room].sum() > 0 else np.ones(len(room))
            add[room] += slack[i] * w / w.sum()
        if not add.any():
            break
        try:
            cand = solve.project(p, x + add)
        except solve.Infeasible:  # pragma: no cover - x + add is near a feasible point
            break
        fc = float(p.evaluate(cand[None])[0])
        if fc > f + 1e-9 * max(abs(f), 1.0):
            break
        placed += np.maximum(slack - (p.b - p.A @ cand), 0.0) * p.envelope_rows
        x, f = cand, fc
    return x, placed


def equal_amounts(p: Problem, scen: Scenario) -> np.ndarray:
    """Amounts (Y+1, L, S) of an equal split that respects the capital rules: each source's
    envelope split equally among the lines it may fund and that reach somebody."""
    mask = source_mask(scen.catalogue, scen.params["funding"])
    usable = p.model.split.sum(axis=1) > 0
    out = np.zeros_like(scen.budget.amounts)
    out[0] = scen.budget.amounts[0]
    for yi in range(p.Y):
        out[yi + 1] = equal_by_source(p.spec.envelope[yi] * BN, mask, usable)
    return out
