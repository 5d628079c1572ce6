"""Solvers for an allocation `Problem`: feasibility, projection, and a trust-region sequential
linear programme with a separable piecewise-linear model.

The expected engine's response to money is piecewise smooth: a line's returns fall in steps as
its money moves from one priority tier to the next, and stop where every eligible household is
reached; lines interact only weakly (a household reached by two lines). Gradient methods
stumble on those kinks. So each iteration samples the engine along every spending direction
(one line, or one line in one district, in one or every year) at a few amounts up and down —
all in one batched call of the vectorised engine — and builds from them, for the objective and
for every target, a piecewise-linear response per direction. A linear programme (HiGHS) then
chooses the step within the constraints and a trust region, and a batched line search on the
true engine accepts it only if it really improves. Every iterate meets the linear constraints;
the objective never gets worse; everything is deterministic.

Three modes: "objective" (fewest weighted households), "maxmin" (the best worst target slack)
and "mincost" (the least money that keeps every target met).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from simlib.allocate.problem import Problem
from simlib.engines.expected import run_expected

TOL = 1e-5  # relative tolerance of the linear constraints
FRACS = np.array([0.125, 0.25, 0.5, 1.0])  # sampled amounts, as fractions of the trust region


class Infeasible(Exception):
    """The linear constraints have no solution (the caller says why)."""


def _lp(c, A=None, b=None, bounds=None, A_eq=None, b_eq=None):
    A = None if A is None or len(A) == 0 else A
    return linprog(
        c,
        A_ub=A,
        b_ub=None if A is None else b,
        A_eq=A_eq,
        b_eq=b_eq,
        bounds=bounds if bounds is not None else [(0, None)] * len(c),
        method="highs",
    )


def feasible_point(p: Problem) -> np.ndarray:
    """The cheapest allocation that meets every linear constraint, or `Infeasible`."""
    res = _lp(p.cost_weights.astype(float), p.A, p.b)
    if res.status != 0:
        raise Infeasible()
    return np.maximum(res.x, 0.0)


def project(p: Problem, x0: np.ndarray) -> np.ndarray:
    """The feasible allocation closest to x0 (least sum of absolute differences)."""
    n = p.n
    c = np.concatenate([np.zeros(n), np.ones(n)])
    eye = np.eye(n)
    A = np.vstack([np.hstack([p.A, np.zeros((len(p.A), n))]), np.hstack([eye, -eye]), np.hstack([-eye, -eye])])
    b = np.concatenate([p.b, x0, -x0])
    res = _lp(c, A, b)
    if res.status != 0:
        raise Infeasible()
    return np.maximum(res.x[:n], 0.0)


def is_feasible(p: Problem, x: np.ndarray, tol: float = TOL) -> bool:
    return bool(np.all(x >= -tol) and np.all(p.A @ x <= p.b + tol * np.maximum(1.0, np.abs(p.b))))


def direction_spend(p: Problem, x: np.ndarray) -> np.ndarray:
    """Spending (K,) billion VND along each direction at allocation x."""
    cur = np.zeros(p.dirs.shape[0])
    np.add.at(cur, p.var_dir, p.var_disb * x)
    return cur


def sample(p: Problem, x: np.ndarray, delta: float, with_slacks: bool):
    """The engine at x and at x plus / minus delta x FRACS billion VND of spending along every
    direction (removals stop at zero): (spend along directions (K,), amounts up (K, B),
    amounts down (K, B), objective (1 + 2KB,), slacks (1 + 2KB, R) or None)."""
    sp = p.spend(x[None])[0]
    K, B = p.dirs.shape[0], len(FRACS)
    cur = direction_spend(p, x)
    up = np.broadcast_to(delta * FRACS, (K, B)).copy()
    dn = np.minimum(delta * FRACS[None, :], cur[:, None])
    steps = np.concatenate([up, -dn], axis=1).reshape(-1)  # (K * 2B,)
    if p.spec.by_district and (p.var_unit >= 0).any() and p.multidim is None:  # per-unit models: states only
        f, sl = _sample_by_district(p, sp, steps.reshape(K, 2 * B), with_slacks)
        return cur, up, dn, f, sl
    batch = np.broadcast_to(sp, (1 + K * 2 * B,) + sp.shape).copy()
    batch[1:, 1:] += steps[:, None, None, None] * np.repeat(p.dirs, 2 * B, axis=0)
    np.maximum(batch, 0.0, out=batch)
    p.n_evals += len(batch)
    out = p.run_spend(batch)
    f = p.objective_from(out)
    sl = p.target_slacks(out) if with_slacks else None
    return cur, up, dn, f, sl


def _sample_by_district(p: Problem, sp: np.ndarray, steps: np.ndarray, with_slacks: bool):
    """`sample` for per-district directions: units do not interact in the engine, so each unit's
    perturbations run on a model of that unit's groups only and update the full run's sums —
    exact, and about D times cheaper. Directions spanning every unit run on the full model."""
    K, S2 = steps.shape
    dir_unit = np.full(K, -1)
    dir_unit[p.var_dir] = p.var_unit
    glob = np.flatnonzero(dir_unit < 0)
    batch = np.broadcast_to(sp, (1 + len(glob) * S2,) + sp.shape).copy()
    batch[1:, 1:] += steps[glob].reshape(-1)[:, None, None, None] * np.repeat(p.dirs[glob], S2, axis=0)
    np.maximum(batch, 0.0, out=batch)
    p.n_evals += len(batch)
    agg_g = p.aggregate(p.run_spend(batch))
    agg0 = {k: v[:1] for k, v in agg_g.items()}
    full = {k: np.repeat(v, 1 + K * S2, axis=0) for k, v in agg0.items()}
    pos_g = 1 + (glob[:, None] * S2 + np.arange(S2)[None, :]).ravel()
    for k, v in agg_g.items():
        full[k][pos_g] = v[1:]
    for d in np.unique(dir_unit[dir_unit >= 0]):
        ks = np.flatnonzero(dir_unit == d)
        sub, g = p.district_model(int(d))
        batch = np.broadcast_to(sp, (1 + len(ks) * S2,) + sp.shape).copy()
        batch[1:, 1:] += steps[ks].reshape(-1)[:, None, None, None] * np.repeat(p.dirs[ks], S2, axis=0)
        np.maximum(batch, 0.0, out=batch)
        p.n_evals += len(batch) * len(g) / max(len(p.model.g_unit), 1)
        agg = p.aggregate(run_expected(sub, spend=batch), groups=g)
        pos = 1 + (ks[:, None] * S2 + np.arange(S2)[None, :]).ravel()
        for k, v in agg.items():
            full[k][pos] = agg0[k] + (v[1:] - v[0])
    return full["objective"], (p.slacks_from(full) if with_slacks else None)


def _segment_slopes(v0: np.ndarray, vals: np.ndarray, lens_up: np.ndarray, lens_dn: np.ndarray):
    """Per-billion change of a quantity on each sampled segment: adding money (K, B, ...) and
    removing money (K, B, ...), from its value v0 at x and vals (K, 2B, ...) at the samples."""
    K, B = lens_up.shape
    head = np.broadcast_to(v0, (K, 1) + np.shape(v0))
    du = np.diff(np.concatenate([head, vals[:, :B]], axis=1), axis=1)
    dd = np.diff(np.concatenate([head, vals[:, B:]], axis=1), axis=1)
    extra = (1,) * np.ndim(v0)
    lu, ld = lens_up.reshape(K, B, *extra), lens_dn.reshape(K, B, *extra)
    su = np.divide(du, lu, out=np.zeros_like(du), where=lu > 1e-12)
    sd = np.divide(dd, ld, out=np.zeros_like(dd), where=ld > 1e-12)
    return su, sd


def pl_slp(
    p: Problem,
    x0: np.ndarray,
    mode: str,
    rows: np.ndarray | None = None,
    max_iter: int = 60,
    delta0: float | None = None,
    min_delta: float = 1e-3,
    rel_tol: float = 1e-6,
    stop_at: float | None = None,
    margin: float = 0.0,
) -> tuple[np.ndarray, float, dict]:
    """Trust-region SLP with the separable piecewise-linear model (see the module docstring).

    mode "objective": minimise the problem's objective; returns (x, objective, info).
    mode "maxmin": maximise the worst scaled target slack over `rows` (all by default), stopping
    early once it reaches `stop_at`; returns (x, worst slack, info).
    mode "mincost": from an allocation meeting every target, the least total money that still
    meets them all (asking the model for `margin` of slack); returns (x, total money, info).
    """
    n, K, B = p.n, p.dirs.shape[0], len(FRACS)
    R = len(p.target_rows)
    rows = np.arange(R) if rows is None else np.asarray(rows)
    c = p.cost_weights

    def score(X):
        if mode == "objective":
            return -p.evaluate(X)
        sl = p.target_slacks(p.run(X))
        if mode == "maxmin":
            return sl[:, rows].min(axis=1)
        return np.where((sl >= 0).all(axis=1), -(X @ c), -np.inf)

    x = x0.copy()
    cur = float(score(x[None])[0])
    env = p.b[p.envelope_rows]
    delta = delta0 if delta0 is not None else 0.25 * max(float(np.max(np.abs(env))) if len(env) else 1.0, 1e-3)
    hist, it = [cur], 0
    nu = K * B
    nv = n + 2 * nu + (1 if mode == "maxmin" else 0)
    A_eq = np.zeros((K, nv))
    A_eq[p.var_dir, np.arange(n)] = p.var_disb
    for k in range(K):
        A_eq[k, n + k * B : n + (k + 1) * B] = -1.0
        A_eq[k, n + nu + k * B : n + nu + (k + 1) * B] = 1.0
    A_lin = np.hstack([p.A, np.zeros((len(p.A), nv - n))]) if len(p.A) else np.zeros((0, nv))
    for _ in range(max_iter):
        if delta < min_delta or (stop_at is not None and cur >= stop_at):
            break
        if len(hist) > 4 and abs(hist[-1] - hist[-5]) <= rel_tol * max(1.0, abs(hist[-1])):
            break
        dcur, up, dn, f, sl = sample(p, x, delta, with_slacks=mode != "objective")
        lens_up = np.diff(np.concatenate([np.zeros((K, 1)), up], axis=1), axis=1)
        lens_dn = np.diff(np.concatenate([np.zeros((K, 1)), dn], axis=1), axis=1)
        bounds = [(0, None)] * n + list(zip(np.zeros(nu), lens_up.ravel())) + list(zip(np.zeros(nu), lens_dn.ravel()))
        cost = np.zeros(nv)
        A_ub, b_ub = [A_lin], [p.b]
        if mode == "objective":
            su, sd = _segment_slopes(f[0], f[1:].reshape(K, 2 * B), lens_up, lens_dn)
            cost[n : n + nu], cost[n + nu : n + 2 * nu] = su.ravel(), sd.ravel()
        else:
            su, sd = _segment_slopes(sl[0], sl[1:].reshape(K, 2 * B, R), lens_up, lens_dn)  # (K, B, R)
            use = rows if mode == "maxmin" else np.arange(R)
            G = np.zeros((len(use), nv))  # model slack change: -G[:, vars] . u
            G[:, n : n + nu] = -su[:, :, use].reshape(nu, -1).T
            G[:, n + nu : n + 2 * nu] = -sd[:, :, use].reshape(nu, -1).T
            if mode == "maxmin":
                bounds.append((None, None))
                G[:, -1] = 1.0  # t - model change <= slack
                A_ub.append(G), b_ub.append(sl[0, use])
                cost[-1] = -1.0
            else:
                need = np.minimum(margin, np.maximum(sl[0], 0.0)) - sl[0]
                A_ub.append(G), b_ub.append(-need)
                cost[:n] = c
        res = _lp(cost, np.vstack(A_ub), np.concatenate(b_ub), bounds, A_eq, dcur)
        if res.status != 0:
            delta *= 0.5
            hist.append(cur)
            continue
        d = res.x[:n] - x
        if np.abs(d).max() < 1e-9:
            delta *= 0.5
            hist.append(cur)
            continue
        gam = np.array([1.0, 0.5, 0.25])
        X = np.maximum(x[None] + gam[:, None] * d[None], 0.0)
        sc = score(X)
        k = int(np.argmax(sc))
        if sc[k] > cur + 1e-12 * max(1.0, abs(cur)) and is_feasible(p, X[k]):
            x, cur = X[k], float(sc[k])
            delta = delta * 1.5 if k == 0 else delta * 0.5
        else:
            delta *= 0.25
        hist.append(cur)
    info = {
        "iterations": it + 1,
        "converged": it + 1 < max_iter,
        "last_improvement": float(abs(hist[-1] - hist[-5])) if len(hist) > 4 else float(abs(hist[-1] - hist[0])),
    }
    value = -cur if mode == "objective" else (cur if mode == "maxmin" else float(x @ c))
    return x, value, info


def minimise(
    p: Problem, starts: list[np.ndarray], max_iter: int = 60, rel_tol: float = 1e-6
) -> tuple[np.ndarray, float, dict]:
    """The best allocation found from the best of the feasible `starts` (never worse than any)."""
    X = np.array(starts)
    fs = p.evaluate(X)
    k = int(np.argmin(fs))
    x, f, info = pl_slp(p, X[k].copy(), "objective", max_iter=max_iter, rel_tol=rel_tol)
    if f > fs[k]:  # pragma: no cover - the method is monotone
        x, f = X[k].copy(), float(fs[k])
    info["start"] = k
    return x, f, info


def targets_met(p: Problem, x: np.ndarray) -> bool:
    return not p.target_rows or bool(np.all(p.target_slacks(p.run(x[None]))[0] >= 0))


SOURCE_PREFERENCE = {
    "central_investment": 0.0,
    "central_recurrent": 0.0,
    "local": 1.0,
    "policy_credit": 2.0,
    "mobilised": 3.0,
}


def tidy_sources(p: Problem, x: np.ndarray) -> np.ndarray:
    """The same spending along every direction with the sources reassigned so that each line
    draws on as few sources as possible: central money first, then local counterpart, policy
    credit and mobilised money (a vertex of the linear programme). Only when every source is
    disbursed at the same rate (otherwise the source changes the spending); returns x if the
    reassignment fails."""
    from simlib.scenario import SOURCES

    if np.ptp(p.var_disb) > 1e-12 or p.n == 0:
        return x
    K = p.dirs.shape[0]
    A_eq = np.zeros((K, p.n))
    A_eq[p.var_dir, np.arange(p.n)] = 1.0
    w = np.array([SOURCE_PREFERENCE.get(SOURCES[s], 4.0) for s in p.var_source]) * p.cost_weights
    res = _lp(w, p.A, p.b, A_eq=A_eq, b_eq=A_eq @ x)
    if res.status != 0:
        return x
    y = np.maximum(res.x, 0.0)
    return y if is_feasible(p, y) else x
