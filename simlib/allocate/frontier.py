"""Poverty reduction against the total budget: the optimum with every source envelope scaled."""

from __future__ import annotations

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from simlib import i18n
from simlib.allocate import solve
from simlib.allocate.certify import certified, objective_task
from simlib.allocate.problem import Problem
from simlib.states import POOR

COLUMNS = ["scale", "feasible", "total_bn", "objective", "poor", "households_lifted_allocated", "gap"]


def frontier(p: Problem, x_ref: np.ndarray, scales: tuple[float, ...], progress: bool = False) -> pd.DataFrame:
    """The certified optimum (for the problem's objective) with every source envelope multiplied
    by each scale, started from the optimum at scale 1 (`x_ref`) scaled, and from the
    neighbouring point's. Points where floors or commitments do not fit the smaller envelope are
    marked infeasible. `households_lifted_allocated`: poor households at the horizon with no money
    in the years allocated (`Problem.base_spend`), less the point's — what the money counted in
    `total_bn` does (`simlib.allocate.tables.summaries`)."""
    zero = p.run(np.zeros((1, p.n)))
    poor0 = float(zero.states[0, -1, :, POOR].sum())
    f_zero = float(p.objective_from(zero)[0])
    rows, prev = [], x_ref
    for k in tqdm(
        sorted(scales, key=lambda s: (abs(s - 1.0), s)),
        desc=i18n.t("alloc.progress_frontier"),
        disable=not progress,
        leave=False,
    ):
        q = p.with_envelope_scale(k)
        gap = 0.0
        if abs(k - 1.0) < 1e-12:
            x = x_ref
        else:
            try:
                starts = [solve.project(q, x_ref * k), solve.project(q, prev)]
            except solve.Infeasible:
                rows.append({"scale": k, "feasible": False})
                continue
            x, cert = certified(objective_task(q, f_zero), starts, [])
            gap = cert.gap
        out = q.run(x[None])
        poor = float(out.states[0, -1, :, POOR].sum())
        rows.append(
            {
                "scale": k,
                "feasible": True,
                "total_bn": float(x @ p.cost_weights),
                "objective": float(p.objective_from(out)[0]),
                "poor": poor,
                "households_lifted_allocated": poor0 - poor,
                "gap": gap,
            }
        )
        prev = x
    return pd.DataFrame(rows, columns=COLUMNS).sort_values("scale").reset_index(drop=True)
