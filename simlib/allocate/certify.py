"""A certified optimum: piecewise-linear models of the engine, solved to a proven gap, re-sampled
around each new solution until the solution is the model's own optimum.

Each round samples the engine's response curves around the reference allocation
(`simlib.allocate.pwl`), solves the mixed-integer programme on them (`simlib.allocate.milp`,
HiGHS, to a proven relative gap), and evaluates the solution on the true engine. A better
solution becomes the next reference; a solution that the model overrates (interactions the
separable model misses) is shortened towards the reference until the engine confirms it. The
loop stops when the model built around the reference finds nothing better by more than a
tolerance. The certificate then says:

- `gap`: how far, at most, the reference is from the model's optimum (HiGHS's dual bound), as a
  share of `scale` — households the programme keeps out of poverty (weighted as the objective
  weighs them), or the money (min_cost); the optimiser promises 0.5 %;
- `approx_error`: the model's error against the engine where it was tested — the solutions of
  every round and the test allocations the caller gives (plan, equal split), as a share of
  `scale`: the model is exact at the reference and along each direction through it, and this
  says how much the interactions of directions matter away from it.

The gap is a proof about the model, and the model is separable: where the gap cannot be brought
under the promise, or the model's measured error is larger than the promise (lines reaching the
same households interact, so a better allocation far from the reference may be invisible from
it), a multistart from several allocations (the plan, the equal split, the cheapest allocation,
all money on each line in turn) reports the best and the spread of the results.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from simlib.allocate.effort import FULL, Effort
from simlib.allocate.milp import PLSolution, solve_pl
from simlib.allocate.pwl import build_curves, direction_ranges

PROMISED_GAP = 0.005  # the optimiser's promise: within 0.5 % of the model's optimum
#: the loop's tolerance, the one place it is set: a round that gains less than this share of
#: `scale` on the engine ends the loop, and so does a model around the result whose own optimum
#: gains less (`Certificate.stopped`). It is the tolerance the curves are sampled to
#: (`objective_task`: each of the K directions' chords within STOP × scale / K): a gain below it
#: is below what the models can tell apart from their own interpolation.
STOP = 2e-4
MAX_ROUNDS = 10  # the most rounds at any effort (each effort's `max_rounds` at most this)
MAX_EXTRA = 4  # extra multistart starts kept (the best on the engine)
STEPS = (0.5, 0.25, 0.1)  # shortened steps towards a solution the model overrates


@dataclass
class Certificate:
    """How good the allocation is, and how sure (see the module docstring)."""

    mode: str  # min | regret | mincost | maxmin
    method: str  # milp (certified) | multistart
    value: float  # the engine's objective at the allocation
    bound: float  # no allocation does better on the model (households / billion VND)
    scale: float  # what the gap and errors are shares of
    gap: float  # (value - bound) / scale, on the model built around the allocation
    approx_error: float  # largest |engine - model| / scale at the tested allocations
    tests: int  # allocations the model was tested at
    rounds: int
    evaluations: int
    binaries: int
    breakpoints: int
    seconds: float
    certified: bool  # gap <= PROMISED_GAP
    history: list = field(default_factory=list)  # per round: model value, engine value, step
    starts: list = field(default_factory=list)  # multistart: engine value from each start
    spread: float = 0.0  # multistart: (worst - best) / scale
    searched: dict = field(default_factory=dict)  # the local search on the engine (`engine_search.Searched`)
    stopped: str = "small_gain"  # why the loop ended (`STOPPED`)
    max_rounds: int = MAX_ROUNDS  # the most rounds it could run (the effort's)
    last_gain: float = 0.0  # what the last round that gained gained on the engine (objective units)
    next_gain: float = 0.0  # what the model around the result still sees (its optimum's gain)
    near_error: float = 0.0  # the model's error at the loop's own candidates (near the decision)
    far_error: float = 0.0  # at the caller's tests (the plan, the equal split: far from it)
    models: list = field(default_factory=list, repr=False)  # the last round's models (not written)

    @property
    def converged(self) -> bool:
        """The loop ended by its own rule (`STOPPED`), not at its maximum of rounds with a model
        that still sees a better allocation by `STOP` or more."""
        return self.stopped != "max_rounds"

    @property
    def promise_met(self) -> bool:
        """The optimiser's promise holds: the gap is proven within `PROMISED_GAP` and the model's
        measured error is no larger (otherwise the allocation is better where it was tested, but
        not proven optimal)."""
        return bool(self.certified and self.approx_error <= PROMISED_GAP)

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k != "models"} | {
            "promise_met": self.promise_met,
            "converged": self.converged,
        }


#: why the certified loop ended: its candidates found nothing better on the engine (`no_gain`), a
#: round gained less than `STOP` (`small_gain`), the model around the result sees no gain of
#: `STOP` or more (`model_optimum`: a further round would step to the result itself), no programme
#: could be solved (`no_solution`), or the effort's maximum of rounds was reached while the model
#: still saw a gain (`max_rounds`: not converged, the summary and the report say so)
STOPPED = ("no_gain", "small_gain", "model_optimum", "no_solution", "max_rounds")


@dataclass
class Task:
    """What a certified loop minimises: `true(X)` the engine's values (S,) of allocations (S, n);
    `curves(x)` the models around x; `solve(models)` the programme on them (a `PLSolution` whose
    value and bound have the sign of `true`); `scale(value)` what gaps are shares of;
    `error(models, X, values)` the models' largest error at allocations X; optional `final`
    (the programme whose bound certifies, default `solve`) and `after(x, value)` (told the
    engine's value of each round's full step)."""

    mode: str
    true: Callable
    curves: Callable
    solve: Callable
    scale: Callable
    error: Callable
    final: Callable | None = None
    after: Callable | None = None
    effort: Effort = FULL  # rounds, steps and multistart (`simlib.allocate.effort`)


def _round(task: Task, x: np.ndarray, fx: float, sol: PLSolution) -> tuple[list, np.ndarray]:
    """The full step to the programme's solution and shortened ones, with the engine's values."""
    cands = [x + g * (sol.x - x) for g in (1.0,) + task.effort.steps]
    vals = np.asarray(task.true(np.array(cands)), float)
    if task.after is not None:
        task.after(cands[0], float(vals[0]))
    return cands, vals


def _rounds(task: Task, x: np.ndarray, fx: float, models: list, sol) -> tuple:
    """The loop's rounds from x (models and programme built around it): (x, fx, models, sol, run),
    `run` the history, the candidates seen, the engine evaluations of the curves, why it stopped
    (`STOPPED`), the last round's gain on the engine and the gain the last models still see."""
    history, seen, evals, stopped, last = [], [], 0, "max_rounds", 0.0
    max_rounds = min(MAX_ROUNDS, task.effort.max_rounds)
    for rnd in range(1, max_rounds + 1):
        if sol is None:
            stopped = "no_solution"
            break
        cands, vals = _round(task, x, fx, sol)
        seen += [c for c, v in zip(cands, vals) if np.isfinite(v)]
        k = int(np.argmin(vals))
        history.append({"round": rnd, "model": sol.value, "bound": sol.bound, "engine": float(vals[0]), "step": 0.0})
        if not vals[k] < fx:
            if np.isfinite(vals[0]) or task.after is None:
                stopped = "no_gain"
                break
            sol = task.solve(models)  # `after` asked for a safer programme on the same models
            continue
        history[-1]["step"] = ((1.0,) + task.effort.steps)[k]
        last, x, fx = fx - float(vals[k]), cands[k], float(vals[k])
        models = task.curves(x)
        evals += sum(m.evaluations for m in models)
        sol = task.solve(models)
        if last < STOP * task.scale(fx):
            stopped = "small_gain"
            break
    ahead = max(0.0, fx - sol.value) if sol is not None and np.isfinite(fx - sol.value) else 0.0
    if stopped == "max_rounds" and (sol is None or ahead < STOP * task.scale(fx)):
        stopped = "model_optimum" if sol is not None else "no_solution"
    run = {"history": history, "seen": seen, "evals": evals, "stopped": stopped, "last": last, "ahead": ahead}
    return x, fx, models, sol, run


def run_certified(task: Task, x0: np.ndarray, tests: list[np.ndarray]) -> tuple[np.ndarray, Certificate]:
    """The certified loop from x0 (feasible; see the module docstring); `tests` are further
    allocations to test the models at."""
    t0 = time.perf_counter()
    x, fx = x0.copy(), float(task.true(x0[None])[0])
    models = task.curves(x)
    evals = sum(m.evaluations for m in models)
    sol = task.solve(models)
    x, fx, models, sol, run = _rounds(task, x, fx, models, sol)
    history, seen, evals = run["history"], run["seen"], evals + run["evals"]
    final = task.final(models) if task.final is not None else sol
    scale = task.scale(fx)
    bound = final.bound if final is not None else np.nan
    gap = max(0.0, fx - bound) / scale if final is not None else np.inf
    test_x = tests + seen
    far = task.error(models, np.array(tests)) / scale if tests else 0.0
    near = task.error(models, np.array(seen)) / scale if seen else 0.0
    err = max(far, near)
    cert = Certificate(
        mode=task.mode,
        method="milp",
        value=fx,
        bound=float(bound),
        scale=scale,
        gap=float(gap),
        approx_error=float(err),
        tests=len(test_x),
        rounds=len(history),
        evaluations=evals,
        binaries=final.binaries if final is not None else 0,
        breakpoints=int(sum(len(b) for m in models for b in m.breaks)),
        seconds=time.perf_counter() - t0,
        certified=bool(gap <= PROMISED_GAP),
        history=history,
        models=models,
        stopped=run["stopped"],
        max_rounds=min(MAX_ROUNDS, task.effort.max_rounds),
        last_gain=float(run["last"]),
        next_gain=float(run["ahead"]),
        near_error=float(near),
        far_error=float(far),
    )
    return x, cert


def certified(
    task: Task, starts: list[np.ndarray], tests: list[np.ndarray], extra: list[np.ndarray] | None = None
) -> tuple[np.ndarray, Certificate]:
    """The loop from the best of `starts`. When its gap stays above the promise, or the model's
    error at the tested allocations is larger than the promise (the lines interact, and the
    model built around one allocation may not see a better one far from it), a multistart from
    every start and every `extra` one (e.g. all money on one line): the best result, with the
    spread of the results. Of the `extra` starts, the `MAX_EXTRA` best on the engine are used."""
    vals = np.asarray(task.true(np.array(starts)), float)
    k = int(np.argmin(vals))
    x, cert = run_certified(task, starts[k], tests)
    others = [s for i, s in enumerate(starts) if i != k]
    if extra:  # the most promising extra starts on the engine only (each loop costs ~1 s on the plan)
        ev = np.asarray(task.true(np.array(extra)), float)
        others += [extra[i] for i in np.argsort(ev, kind="stable")[:MAX_EXTRA] if np.isfinite(ev[i])]
    if cert.promise_met or not others or not task.effort.multistart:
        return x, cert
    results = [(x, cert)] + [run_certified(task, s, tests) for s in others]
    values = np.array([c.value for _, c in results])
    best = int(np.argmin(values))
    x, cert = results[best]
    finite = values[np.isfinite(values)]
    cert.method = "multistart"
    cert.starts = [float(v) for v in values]
    cert.spread = float((finite.max() - finite.min()) / cert.scale) if len(finite) else 0.0
    cert.evaluations = int(sum(c.evaluations for _, c in results))
    cert.seconds = float(sum(c.seconds for _, c in results))
    cert.tests = int(max(c.tests for _, c in results))
    return x, cert


# --- the tasks --------------------------------------------------------------------------------
def _value_error(models, X, true_vals) -> float:
    return float(max((abs(models[0].value(x) - v) for x, v in zip(X, true_vals)), default=0.0))


def objective_task(problem, f_zero: float) -> Task:
    """Fewest households (the problem's objective weights) under the linear constraints; gaps
    are shares of the households the programme keeps out of poverty (`f_zero`: no programme)."""
    ranges = direction_ranges(problem)
    K = max(len(ranges), 1)
    true = remembered(problem.evaluate)

    def scale(fx):
        return max(abs(f_zero - fx), 1.0)

    def curves(x):
        fx = float(true(x[None])[0])
        e = problem.spec.effort
        tol = STOP * scale(fx) / K
        return [build_curves(problem, x, ranges, tol_f=tol, grid=e.grid, rounds=e.refine, inner=e.inner)]

    def solve(models):
        return solve_pl(problem.A, problem.b, models, "min", offset=f_zero, scale=scale(models[0].f_ref))

    def error(models, X):
        return _value_error(models, X, true(X))

    return Task("min", true, curves, solve, scale, error, effort=problem.spec.effort)


def remembered(evaluate: Callable) -> Callable:
    """`evaluate` (S, n) -> (S,) that runs the engine only on allocations it has not seen (the
    engine is deterministic: the loop asks again for the reference, the starts and the tested
    allocations)."""
    seen: dict[bytes, float] = {}

    def true(X):
        X = np.atleast_2d(np.asarray(X, float))
        keys = [x.tobytes() for x in X]
        new = [i for i, k in enumerate(keys) if k not in seen]
        firsts = list({keys[i]: i for i in reversed(new)}.values())
        if firsts:
            for i, v in zip(firsts, evaluate(X[firsts])):
                seen[keys[i]] = float(v)
        return np.array([seen[k] for k in keys])

    return true


def _neg(sol: PLSolution | None) -> PLSolution | None:
    if sol is not None:
        sol.value, sol.bound = -sol.value, -sol.bound
    return sol


def maxmin_task(problem, rows: np.ndarray | None = None) -> Task:
    """The largest worst target slack over `rows` (all by default); values are its negative."""
    ranges = direction_ranges(problem)
    rows = np.arange(len(problem.target_rows)) if rows is None else np.asarray(rows, int)

    def true(X):
        return -problem.target_slacks(problem.run(X))[:, rows].min(axis=1)

    def curves(x):
        return [build_curves(problem, x, ranges, tol_f=np.inf, tol_g=1e-4, with_slacks=True)]

    def solve(models):
        return _neg(solve_pl(problem.A, problem.b, models, "maxmin", rows=rows))

    def error(models, X):
        sl = problem.target_slacks(problem.run(X))[:, rows]
        return float(max((np.abs(models[0].slacks(x)[rows] - s).max() for x, s in zip(X, sl)), default=0.0))

    return Task("maxmin", true, curves, solve, lambda fx: 1.0, error)


def mincost_task(problem) -> Task:
    """The least money meeting every target row; a step the engine finds short of a target asks
    the next programme for that much more slack on it."""
    ranges = direction_ranges(problem)
    R = len(problem.target_rows)
    margin = np.zeros(R)

    def true(X):
        ok = (problem.target_slacks(problem.run(X)) >= 0).all(axis=1)
        return np.where(ok, X @ problem.cost_weights, np.inf)

    def curves(x):
        return [build_curves(problem, x, ranges, tol_f=np.inf, tol_g=1e-4, with_slacks=True)]

    def solve(models, m=None):
        m = margin if m is None else m
        return solve_pl(problem.A, problem.b, models, "mincost", margin=m, cost=problem.cost_weights)

    def after(x, value):
        if np.isfinite(value):  # the model's own step met every target: ask no margin next
            margin[:] = 0.0
        else:
            sl = problem.target_slacks(problem.run(x[None]))[0]
            margin[:] += np.maximum(-sl, 0.0) + 1e-4 * (sl < 0)

    def error(models, X):
        sl = problem.target_slacks(problem.run(X))
        return float(max((np.abs(models[0].slacks(x) - s).max() for x, s in zip(X, sl)), default=0.0))

    return Task(
        "mincost",
        true,
        curves,
        solve,
        lambda fx: max(abs(fx), 1e-9),
        error,
        final=lambda models: solve(models, np.zeros(R)),
        after=after,
    )
