"""`min_cost`: the least money that meets every plan target; or, when no allocation within the
envelope and rules meets them all, the best compromise and each failing target's best value.

Every step is a certified loop (`simlib.allocate.certify`): the allocation with the largest worst
target slack (to find one that meets every target), then the least money keeping every slack
non-negative, both on piecewise-linear models of the engine re-sampled around each solution.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from simlib.allocate.certify import Certificate, certified, maxmin_task, mincost_task, objective_task
from simlib.allocate.problem import Problem
from simlib.scenario import Scenario


def poverty_optimum(p: Problem, starts: list, f_zero: float) -> tuple[np.ndarray, Certificate]:
    """The fewest poor households under the problem's linear rules (targets not required)."""
    q = p.with_objective("poor")
    return certified(objective_task(q, f_zero), starts, starts[:1])


def _infeasible_rows(p: Problem, x_mm: np.ndarray, t: float, names: dict) -> list[dict]:
    """For each target some row of which is missed at the best compromise x_mm: its best
    achievable value (that target alone optimised) and whether it is the binding one."""
    out = p.run(x_mm[None])
    slack, vals = p.target_slacks(out)[0], p.target_values(out)[0]
    rows = []
    for tid in dict.fromkeys(tr.target_id for tr in p.target_rows):
        idx = np.array([j for j, tr in enumerate(p.target_rows) if tr.target_id == tid])
        if slack[idx].min() >= 0:
            continue
        xb, _ = certified(maxmin_task(p, idx), [x_mm], [])
        best_out = p.run(xb[None])
        sb = p.target_slacks(best_out)[0]
        j = idx[int(np.argmin(sb[idx]))]
        tr = p.target_rows[j]
        rows.append(
            {
                "target_id": tid,
                "indicator": tr.indicator,
                "geo": tr.geo,
                "geo_label_vi": names.get(("geo", tr.geo, "vi"), tr.geo),
                "geo_label_en": names.get(("geo", tr.geo, "en"), tr.geo),
                "year": p.model.years[tr.year_index - 1],
                "value_at_best_compromise": float(vals[j]),
                "best": float(p.target_values(best_out)[0, j]),
                "threshold": tr.threshold,
                **tr.label.to_fields("label"),
                "binds": bool(slack[idx].min() <= t + 1e-3),
            }
        )
    return rows


def solve_min_cost(
    p: Problem, starts: list, names: dict, f_zero: float
) -> tuple[np.ndarray, str, list[dict], Certificate, np.ndarray]:
    """(allocation, status, infeasibility rows, certificate, poverty optimum): the least money
    meeting every target (status optimal), or the allocation with the best worst target and the
    failing targets' best values (status targets_infeasible)."""
    x_poor, _ = poverty_optimum(p, starts, f_zero)
    x_mm, cert_mm = certified(maxmin_task(p), [x_poor] + starts, [])
    t = -cert_mm.value
    if t < 0:
        return x_mm, "targets_infeasible", _infeasible_rows(p, x_mm, t, names), cert_mm, x_poor
    x, cert = certified(mincost_task(p), [x_mm], [x_poor])
    return x, "optimal", [], cert, x_poor


def linear_target_failure(p_lin: Problem, scen: Scenario, names: dict) -> list[dict]:
    """Which linear coverage targets (officers trained, infrastructure) the rules rule out, with
    the largest share of the money they need that the worst unit-year can get."""
    rows = []
    t_rows = [i for i, r in enumerate(p_lin.rows) if r.kind == "target"]
    base = [i for i, r in enumerate(p_lin.rows) if r.kind != "target"]
    n = p_lin.n
    for tid in sorted({p_lin.rows[i].code for i in t_rows}):
        idx = [i for i in t_rows if p_lin.rows[i].code == tid]
        # maximise s: a_r x >= s * need_r for the target's rows (rows are -a x <= -need)
        A = np.vstack(
            [
                np.hstack([p_lin.A[base], np.zeros((len(base), 1))]),
                np.hstack([p_lin.A[idx], np.array([[p_lin.rows[i].amount] for i in idx])]),
            ]
        )
        b = np.concatenate([p_lin.b[base], np.zeros(len(idx))])
        c = np.concatenate([np.zeros(n), [-1.0]])
        res = linprog(c, A_ub=A, b_ub=b, bounds=[(0, None)] * n + [(0, 1)], method="highs")
        share = float(res.x[-1]) if res.status == 0 else 0.0
        if share < 1 - 1e-9:
            spec = next(t for t in scen.params["targets"]["targets"] if t["id"] == tid)
            rows.append(
                {
                    "target_id": tid,
                    "indicator": spec["indicator"],
                    "geo": "province",
                    "geo_label_vi": names.get(("geo", "province", "vi"), ""),
                    "geo_label_en": names.get(("geo", "province", "en"), ""),
                    "year": "–",
                    "value_at_best_compromise": np.nan,
                    "best": 100.0 * share,
                    "threshold": 100.0,
                    "label_vi": spec["label_vi"],
                    "label_en": spec["label_en"],
                    "binds": True,
                }
            )
    return rows
