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
allowed at a step, the `BATCH` ranked best are evaluated (all of them when there are no more).

The ranking is the engine's, not the piecewise model's alone (which ranks best the transfers it
got wrong in the first place): before the first round each line that may give money is run
`DELTA` billion VND less and each line that may take money `DELTA` more (`marginal_points`: its
gain per billion measured on the engine next to the current allocation, one engine run each,
continued from the kept state like every other run), and those points join the line's curve
(`with_points`, anchored at the curve's value there); after a transfer is kept the two lines it
moved are measured again at their new money. A transfer's rank is its change on these curves
(`model_change`): the engine's one-line marginals for a small transfer, the sampled curve beyond
them. The measuring runs count in the search's engine runs (`Searched.measured`).

What the report can say (`Searched`): by how much the engine-checked result improved on the
piecewise optimum, in the objective's households, and what the last round tested without
finding anything better (its step and number of transfers). That is a measurement on the
engine, not a proven gap: the result is still not certified optimal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from simlib.allocate import baselines, solve
from simlib.allocate.certify import Certificate, Task, certified, objective_task
from simlib.allocate.pwl import Curves

FRACTIONS = (1.0, 0.5, 0.2, 0.05)  # shares of a variable's money one transfer moves
BATCH = 6  # transfers evaluated per round (the best-ranked)
MAX_EVALUATIONS = 64  # engine runs the search may spend, the marginals' measuring runs among them
DELTA = 1.0  # billion VND of a line's spending less and more: its marginals on the engine
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
    measured: int = 0  # of the `evaluations`, the runs measuring the lines' marginals

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


def probe(model: Curves, x: np.ndarray, k: int, sign: float) -> np.ndarray | None:
    """x with direction k's spending `DELTA` less (`sign` -1: from its variable holding the most
    money) or more (+1: on its variable spending the most per billion); None where it cannot: less
    money there than that, or more than the direction can spend (its curve's last point)."""
    vs = np.flatnonzero((model.var_dir == k) & (model.disb > 0))
    if not len(vs) or (sign > 0 and model.spend(x)[k] + DELTA > model.breaks[k][-1] + 1e-9):
        return None
    i = int(vs[np.argmax(x[vs] * model.disb[vs] if sign < 0 else model.disb[vs])])
    amount = DELTA / model.disb[i]
    if sign < 0 and x[i] < amount - 1e-12:
        return None
    y = x.copy()
    y[i] += sign * amount
    return y


def marginal_points(model: Curves, x: np.ndarray, fx: float, true: Callable, ups, downs, room: int) -> tuple:
    """The engine's one-line marginals at x (`fx` the engine's value there): each direction of
    `downs` run `DELTA` billion VND less, each of `ups` `DELTA` more (`probe`), in one call of
    `true`. ({k: [(spending, the engine's change from fx)]}, runs); nothing is run when the runs
    would be more than `room`."""
    s = model.spend(x)
    keys, ys = [], []
    for sign, ks in ((-1.0, downs), (1.0, ups)):
        for k in sorted(ks):
            y = probe(model, x, k, sign)
            if y is not None:
                keys.append((k, sign))
                ys.append(y)
    if not ys or len(ys) > room:
        return {}, 0
    points: dict[int, list] = {}
    for (k, sign), v in zip(keys, np.asarray(true(np.array(ys)), float)):
        points.setdefault(k, []).append((float(s[k] + sign * DELTA), float(v) - fx))
    return points, len(ys)


def with_points(model: Curves, x: np.ndarray, points: dict) -> Curves:
    """`model` with each direction's measured points (`marginal_points`) joined to its curve, at
    the spending x gives it and anchored at the curve's value there (the points the curve had
    between them replaced; target slacks interpolated, the search does not read them)."""
    s = model.spend(x)
    breaks, fs, gs = list(model.breaks), list(model.f), list(model.g)
    for k, pts in points.items():
        b, f, g = breaks[k], fs[k], gs[k]
        at = float(np.interp(s[k], b, f))
        new_s = np.array([s[k]] + [q for q, _ in pts])
        keep = (b < new_s.min() - 1e-9) | (b > new_s.max() + 1e-9)
        nb = np.concatenate([b[keep], new_s])
        nf = np.concatenate([f[keep], [at] + [at + d for _, d in pts]])
        order = np.argsort(nb, kind="stable")
        breaks[k], fs[k] = nb[order], nf[order]
        gs[k] = np.array([np.interp(breaks[k], b, g[:, r]) for r in range(g.shape[1])]).T.reshape(len(nb), -1)
    return replace(model, breaks=breaks, f=fs, g=gs)


def local_search(
    p, x: np.ndarray, true: Callable, scale: float, model: Curves, budget: int = MAX_EVALUATIONS
) -> tuple[np.ndarray, Searched]:
    """Engine-checked transfers from x (see the module docstring): `true(X)` the engine's values
    (S,) of allocations (S, n), to minimise; `model` the piecewise model whose curves, with the
    engine's one-line marginals joined (`marginal_points`, `with_points`), rank the transfers
    (`model_change`) and tell the directions apart; at most `budget` engine runs."""
    fx = start = float(true(x[None])[0])
    level = rounds = moves = 0
    last, found = (0.0, 0), False
    every = [m for f in FRACTIONS for m in transfers(p, x, f, model.var_dir)]
    ups, downs = ({int(model.var_dir[m[e]]) for m in every} for e in (1, 0))
    points, evals = marginal_points(model, x, fx, true, ups, downs, budget)
    model, measured = with_points(model, x, points), evals
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
        if not found:
            level += 1
            continue
        x, fx, moves = ys[k], float(vals[k]), moves + 1
        two = {int(model.var_dir[cands[k][0]]), int(model.var_dir[cands[k][1]])}  # measured again
        points, runs = marginal_points(model, x, fx, true, two, two, budget - evals)
        model, evals, measured = with_points(model, x, points), evals + runs, measured + runs
    return x, Searched(start, fx, scale, rounds, evals, moves, last[0], last[1], found, measured)


def improved(p, f_zero: float, starts: list, tests: list, corners: bool) -> tuple[np.ndarray, Certificate]:
    """The optimum of the problem's objective (`searched_optimum` on `certify.objective_task`);
    `corners`: the multistart, when one is run, also starts from all money on each line."""
    extra = baselines.corners(p) if corners else None
    return searched_optimum(p, objective_task(p, f_zero), starts, tests, extra)


def searched_optimum(p, task: Task, starts: list, tests: list, extra=None) -> tuple[np.ndarray, Certificate]:
    """The certified loop (`certify.certified`), then, when its certificate does not keep the
    promise, the local search on the engine from its optimum (legal under p's linear rules,
    ranked by the loop's last piecewise model with the engine's one-line marginals joined). The certificate's `value` is then the engine's
    value at the allocation kept; its gap and model error stay those of the piecewise optimum,
    and `searched` says what the search found (`Searched.as_dict`)."""
    x, cert = certified(task, starts, tests, extra=extra)
    if cert.promise_met or not cert.models:
        return x, cert
    x, found = local_search(p, x, task.true, cert.scale, cert.models[0])
    cert.value = found.value
    cert.searched = found.as_dict()
    return x, cert
