"""A local search on the engine itself around the piecewise optimum, where it is not certified.

The certified loop (`simlib.allocate.certify`) solves a separable piecewise-linear model of the
engine. Where that model is more than the promise off the engine (lines reaching the same households
interact; at economy effort each curve is only three points — on plan_2027 that, not the
interaction, made the 16.6 %: benchmarks/HISTORY.md, cert64), its optimum may not be the engine's:
an allocation next to it can be better on the engine itself. `improved` then tries transfers of
money between pairs of variables (part of one line's money moved to another line the same source may
fund), each checked against the same linear rules as every allocation the optimiser returns
(`solve.is_feasible`: envelopes, capital rules, floors, ceilings, counterpart, absorption caps, a
legal frame's rules) and each evaluated by the engine; only an allocation strictly better on the
engine is kept. The step (a share of the money moved) is tried at `FRACTIONS`, from all of it down
to a twentieth; a round that finds nothing better goes to the next smaller step. Of the transfers
allowed at a step, the `BATCH` the piecewise model ranks best are evaluated (all of them when there
are no more).

What the report can say (`Searched`): by how much the engine-checked result improved on the
piecewise optimum, in the objective's households, and what the last round tested without
finding anything better (its step and number of transfers). That is a measurement on the
engine, not a proven gap: the result is still not certified optimal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simlib.allocate import baselines, solve
from simlib.allocate.certify import Certificate, Task, certified, objective_task
from simlib.allocate.pwl import Curves

FRACTIONS = (1.0, 0.5, 0.2, 0.05)  # shares of a variable's money one transfer moves
BATCH = 6  # transfers evaluated per round (the piecewise model's best-ranked)
MAX_EVALUATIONS = 64  # engine runs the search may spend
GAIN = 1e-6  # a transfer is kept only if it gains more than this share of `scale`


@dataclass
class Searched:
    """What the local search did (see the module docstring); values are the engine's objective."""

    start: float  # at the piecewise optimum
    value: float  # at the allocation kept
    scale: float  # what `improvement` is a share of (the certificate's)
    rounds: int
    evaluations: int
    moves: int  # transfers kept
    last_fraction: float  # the step of the last round
    last_tested: int  # transfers the last round evaluated
    last_found: bool  # whether the last round found a better allocation (the search ran out of runs)

    @property
    def improvement(self) -> float:
        """How much better the allocation kept is than the piecewise optimum, as a share of `scale`."""
        return (self.start - self.value) / self.scale

    def as_dict(self) -> dict:
        return dict(vars(self)) | {"improvement": self.improvement}


def transfers(p, x: np.ndarray, fraction: float, var_dir: np.ndarray) -> list[tuple[int, int, float]]:
    """The transfers (i, j, amount) one step away from x: `fraction` of variable i's money moved
    to variable j of another direction (another line), for every pair the linear rules allow
    (A y <= b within `solve.TOL`, as `solve.is_feasible` checks)."""
    A, b = np.asarray(p.A, float), np.asarray(p.b, float)
    room = b + solve.TOL * np.maximum(1.0, np.abs(b)) - A @ x
    out = []
    for i in np.flatnonzero(x > 1e-9):
        amount = fraction * x[i]
        ok = np.all(amount * (A - A[:, [i]]) <= room[:, None], axis=0) & (var_dir != var_dir[i])
        out += [(int(i), int(j), float(amount)) for j in np.flatnonzero(ok)]
    return out


def moved(x: np.ndarray, move: tuple[int, int, float]) -> np.ndarray:
    """x after one transfer (i, j, amount)."""
    i, j, amount = move
    y = x.copy()
    y[i] = max(y[i] - amount, 0.0)
    y[j] += amount
    return y


def model_change(model: Curves, s: np.ndarray, move: tuple[int, int, float]) -> float:
    """The piecewise model's change of the objective for one transfer (two directions move; `s`
    the money each direction spends before it)."""
    i, j, amount = move
    ds = {int(model.var_dir[i]): -amount * model.disb[i]}
    dj = int(model.var_dir[j])
    ds[dj] = ds.get(dj, 0.0) + amount * model.disb[j]
    return float(
        sum(
            np.interp(s[k] + d, model.breaks[k], model.f[k]) - np.interp(s[k], model.breaks[k], model.f[k])
            for k, d in ds.items()
        )
    )


def local_search(
    p, x: np.ndarray, true: Callable, scale: float, model: Curves, budget: int = MAX_EVALUATIONS
) -> tuple[np.ndarray, Searched]:
    """Engine-checked transfers from x (see the module docstring): `true(X)` the engine's values
    (S,) of allocations (S, n), to minimise; `model` the piecewise model that chooses which
    transfers to evaluate (`model_change`) and tells the directions apart; at most `budget`
    engine runs."""
    fx = start = float(true(x[None])[0])
    level = rounds = evals = moves = 0
    last, found = (0.0, 0), False
    while level < len(FRACTIONS) and evals < budget:
        cands = transfers(p, x, FRACTIONS[level], model.var_dir)
        if len(cands) > BATCH:
            s = model.spend(x)
            guess = np.array([model_change(model, s, m) for m in cands])
            cands = [cands[i] for i in np.argsort(guess, kind="stable")[:BATCH]]
        cands = cands[: budget - evals]
        if not cands:
            level += 1
            continue
        ys = np.array([moved(x, m) for m in cands])
        vals = np.asarray(true(ys), float)
        rounds, evals, last = rounds + 1, evals + len(cands), (FRACTIONS[level], len(cands))
        k = int(np.argmin(vals))
        found = bool(vals[k] < fx - GAIN * scale)
        if found:
            x, fx, moves = ys[k], float(vals[k]), moves + 1
        else:
            level += 1
    return x, Searched(start, fx, scale, rounds, evals, moves, last[0], last[1], found)


def improved(p, f_zero: float, starts: list, tests: list, corners: bool) -> tuple[np.ndarray, Certificate]:
    """The optimum of the problem's objective (`searched_optimum` on `certify.objective_task`);
    `corners`: the multistart, when one is run, also starts from all money on each line."""
    extra = baselines.corners(p) if corners else None
    return searched_optimum(p, objective_task(p, f_zero), starts, tests, extra)


def searched_optimum(p, task: Task, starts: list, tests: list, extra=None) -> tuple[np.ndarray, Certificate]:
    """The certified loop (`certify.certified`), then, when its certificate does not keep the
    promise, the local search on the engine from its optimum (legal under p's linear rules,
    ranked by the loop's last piecewise model). The certificate's `value` is then the engine's
    value at the allocation kept; its gap and model error stay those of the piecewise optimum,
    and `searched` says what the search found (`Searched.as_dict`)."""
    x, cert = certified(task, starts, tests, extra=extra)
    if cert.promise_met or not cert.models:
        return x, cert
    x, found = local_search(p, x, task.true, cert.scale, cert.models[0])
    cert.value = found.value
    cert.searched = found.as_dict()
    return x, cert
