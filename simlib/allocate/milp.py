"""The piecewise-linear allocation problem as a mixed-integer linear programme, solved by HiGHS.

Variables: the allocation x (n, billion VND), and for each set of response curves (one per
model: the scenario's, or each parameter draw's) and each direction k a fill δ_kj in [0, 1] of
every segment j of the direction's curve (incremental formulation). The money a direction
spends links the two: sum_v disb_v x_v = sum_j len_kj δ_kj. A curve's value is its value at 0
plus sum_j Δf_kj δ_kj — exact when the segments are filled in order. Where the curve has
diminishing returns the linear programme fills them in order by itself; where it does not (a
later priority tier worth more, a target that gains faster after a kink), binaries y_kj enforce
the order (δ_k,j+1 <= y_kj <= δ_kj). They are added lazily: the relaxation is solved, and only
the directions whose out-of-order filling made a difference get binaries, until none does.
A solution of a relaxation that is feasible for the full programme is optimal for it.

Modes: "min" (minimise the weighted sum of the sets' objectives), "regret" (minimise the largest
excess of a set's objective over its own best value), "mincost" (least money with every target
slack at least a margin), "maxmin" (largest worst target slack).

The relative gap HiGHS proves is reported with the solution, scaled by `scale` (households the
programme keeps out of poverty, or the money, or the regret) rather than by the objective.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from simlib.allocate.pwl import Curves

MIP_REL_GAP = 1e-3  # HiGHS stops at this relative gap (the optimiser promises 0.5 %)
TIME_LIMIT = 60.0  # seconds per programme
LAZY_ROUNDS = 6
DUAL_ROOM = 1e-6  # room below the present spending in the dual programme, as a share of the curve range


@dataclass
class PLSolution:
    """A solution of the piecewise-linear programme."""

    x: np.ndarray  # (n,) billion VND
    value: float  # the model's objective at x (households, or billion VND, or regret)
    bound: float  # proven bound: no allocation does better on the model
    status: str  # optimal | time_limit
    binaries: int = 0
    seconds: float = 0.0
    fills: list = field(default_factory=list)  # per set, per direction: δ (m_k,)
    t: float | None = None

    @property
    def gap_abs(self) -> float:
        return abs(self.value - self.bound)


class Layout:
    """Column offsets of the variables: x | δ of each set | y | t | one."""

    def __init__(self, n: int, sets: list[Curves], need_t: bool, binary: set):
        self.n = n
        self.seg = []  # per set, per direction: (start, m)
        col = n
        for c in sets:
            row = []
            for b in c.breaks:
                row.append((col, len(b) - 1))
                col += len(b) - 1
            self.seg.append(row)
        self.bin = {}
        for si, k in sorted(binary):
            start, m = self.seg[si][k]
            if m > 1:
                self.bin[(si, k)] = (col, m - 1)
                col += m - 1
        self.t = col if need_t else None
        col += 1 if need_t else 0
        self.one = col
        self.size = col + 1


def _rows_for_curve(lay: Layout, si: int, values: list[np.ndarray], weight: float, row: dict) -> None:
    """Add weight x sum over directions of (Δvalue_kj δ_kj) to a sparse row {column: coefficient}."""
    for k, v in enumerate(values):
        start, m = lay.seg[si][k]
        if m:
            d = np.diff(v)
            for j in range(m):
                row[start + j] = row.get(start + j, 0.0) + weight * d[j]


def _constant(values: list[np.ndarray], ref: float) -> float:
    """A separable model's value with every direction at zero: ref + sum_k (value_k(0) - ref)."""
    return ref + sum(v[0] - ref for v in values)


@dataclass
class Programme:
    """What one programme is made of: the linear constraints on x (A x <= b), the curve sets, the
    mode and its data (see `solve_pl`)."""

    A: np.ndarray
    b: np.ndarray
    sets: list[Curves]
    mode: str
    weights: np.ndarray
    f_star: np.ndarray | None
    rows: np.ndarray
    margin: np.ndarray
    cost: np.ndarray | None
    offset: float


@dataclass
class Rows:
    """Constraint rows being collected: sparse rows {column: coefficient} and their bounds."""

    R: list = field(default_factory=list)
    lo: list = field(default_factory=list)
    hi: list = field(default_factory=list)

    def add(self, row: dict, lb: float, ub: float) -> None:
        self.R.append(row)
        self.lo.append(lb)
        self.hi.append(ub)


def _linear_rows(A: np.ndarray, b: np.ndarray, out: Rows) -> None:
    """The linear constraints on x: A x <= b."""
    for i in range(len(A)):
        out.add({j: A[i, j] for j in np.flatnonzero(A[i])}, -np.inf, b[i])


def _linking_rows(sets: list[Curves], lay: Layout, out: Rows) -> None:
    """Linking: the money a direction spends = its filled segments."""
    for si, cs in enumerate(sets):
        for k, bk in enumerate(cs.breaks):
            vs = np.flatnonzero(cs.var_dir == k)
            start, m = lay.seg[si][k]
            row = {int(v): cs.disb[v] for v in vs}
            row.update({start + j: -float(L) for j, L in enumerate(np.diff(bk))})
            out.add(row, 0.0, 0.0)


def _order_rows(lay: Layout, out: Rows) -> None:
    """Segments filled in order where binaries are present: δ_{j+1} <= y_j <= δ_j."""
    for (si, k), (ys, m1) in lay.bin.items():
        start, _ = lay.seg[si][k]
        for j in range(m1):
            out.add({ys + j: 1.0, start + j: -1.0}, -np.inf, 0.0)
            out.add({start + j + 1: 1.0, ys + j: -1.0}, -np.inf, 0.0)


def _min_objective(p: Programme, lay: Layout, c: np.ndarray) -> None:
    """Mode "min": the weighted sum of the sets' objectives, less `offset`, into c."""
    const = 0.0
    for si, cs in enumerate(p.sets):
        row: dict = {}
        _rows_for_curve(lay, si, cs.f, p.weights[si], row)
        for j, v in row.items():
            c[j] += v
        const += p.weights[si] * _constant(cs.f, cs.f_ref)
    c[lay.one] = const - p.offset


def _regret_rows(p: Programme, lay: Layout, c: np.ndarray, out: Rows) -> None:
    """Mode "regret": minimise t with f_si(x) - f*_si - t <= 0 for every set."""
    c[lay.t] = 1.0
    for si, cs in enumerate(p.sets):
        row = {lay.t: -1.0, lay.one: _constant(cs.f, cs.f_ref) - p.f_star[si]}
        _rows_for_curve(lay, si, cs.f, 1.0, row)
        out.add(row, -np.inf, 0.0)


def _slack_rows(p: Programme, lay: Layout, c: np.ndarray, out: Rows) -> None:
    """Modes "mincost" (least money with every slack >= margin) and "maxmin" (largest t with
    every slack - t >= 0), on the first set's target slacks."""
    cs = p.sets[0]
    for r in p.rows:
        gv = [g[:, r] for g in cs.g]
        row = {lay.one: _constant(gv, cs.g_ref[r])}
        _rows_for_curve(lay, 0, gv, 1.0, row)
        if p.mode == "mincost":  # slack >= margin
            out.add(row, p.margin[r], np.inf)
        else:  # slack - t >= 0
            row[lay.t] = -1.0
            out.add(row, 0.0, np.inf)
    if p.mode == "mincost":
        c[: lay.n] = p.cost
    else:
        c[lay.t] = -1.0


def _sparse(lay: Layout, out: Rows) -> sparse.csr_matrix:
    M = sparse.lil_matrix((len(out.R), lay.size))
    for i, row in enumerate(out.R):
        for j, v in row.items():
            M[i, j] = v
    return M.tocsr()


def _variable_bounds(lay: Layout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounds (x >= 0, 0 <= δ, y <= 1, t free, one = 1) and integrality (the binaries y)."""
    lb = np.zeros(lay.size)
    ub = np.full(lay.size, np.inf)
    ub[lay.n : lay.one] = 1.0
    if lay.t is not None:
        lb[lay.t], ub[lay.t] = -np.inf, np.inf
    lb[lay.one] = ub[lay.one] = 1.0
    integ = np.zeros(lay.size)
    for ys, m1 in lay.bin.values():
        integ[ys : ys + m1] = 1
    return lb, ub, integ


def _assemble(p: Programme, lay: Layout) -> tuple:
    """Objective vector, constraint matrix with bounds, variable bounds and integrality."""
    c = np.zeros(lay.size)
    out = Rows()
    _linear_rows(p.A, p.b, out)
    _linking_rows(p.sets, lay, out)
    _order_rows(lay, out)
    if p.mode == "min":
        _min_objective(p, lay, c)
    elif p.mode == "regret":
        _regret_rows(p, lay, c, out)
    else:
        _slack_rows(p, lay, c, out)
    lb, ub, integ = _variable_bounds(lay)
    return c, _sparse(lay, out), np.array(out.lo), np.array(out.hi), lb, ub, integ


def _prefix(lengths: np.ndarray, s: float) -> np.ndarray:
    """Fills of segments filled in order to spend s."""
    before = np.concatenate([[0.0], np.cumsum(lengths)[:-1]])
    return np.clip((s - before) / np.where(lengths > 0, lengths, 1.0), 0.0, 1.0)


def _out_of_order(sets, lay: Layout, z, mode, rows, weights, tol: float) -> set:
    """(set, direction) pairs whose filling out of order changed the objective or a constraint
    in the programme's favour by more than `tol`."""
    bad = set()
    for si, cs in enumerate(sets):
        for k, bk in enumerate(cs.breaks):
            start, m = lay.seg[si][k]
            if m < 2 or (si, k) in lay.bin:
                continue
            d = z[start : start + m]
            L = np.diff(bk)
            p = _prefix(L, float(L @ d))
            if np.abs(p - d).max() < 1e-9:
                continue
            gain = (np.diff(cs.f[k]) @ (d - p)) * (-1 if mode in ("min", "regret") else 0)
            if mode in ("mincost", "maxmin"):
                gv = np.diff(cs.g[k][:, rows], axis=0)  # (m, R')
                gain = float(np.max(gv.T @ (d - p), initial=0.0))
            if gain > tol:
                bad.add((si, k))
    return bad


def _solve_once(p: Programme, lay: Layout, rel_gap: float, time_limit: float):
    """HiGHS on the programme laid out as `lay`: its result and the integrality vector."""
    c, M, lo, hi, lb, ub, integ = _assemble(p, lay)
    res = milp(
        c,
        integrality=integ,
        bounds=Bounds(lb, ub),
        constraints=LinearConstraint(M, lo, hi),
        options={"mip_rel_gap": rel_gap, "time_limit": time_limit},
    )
    return res, integ


def _solution(p: Programme, lay: Layout, res, integ: np.ndarray, t0: float) -> PLSolution:
    z = res.x
    bound = res.mip_dual_bound if integ.any() and res.mip_dual_bound is not None else res.fun
    sign = -1.0 if p.mode == "maxmin" else 1.0
    fills = [[z[s : s + m] for s, m in seg] for seg in lay.seg]
    return PLSolution(
        x=np.maximum(z[: lay.n], 0.0),
        value=sign * float(res.fun) + p.offset,
        bound=sign * float(bound) + p.offset,
        status="optimal" if res.status == 0 else "time_limit",
        binaries=int(integ.sum()),
        seconds=time.perf_counter() - t0,
        fills=fills,
        t=None if lay.t is None else float(z[lay.t]),
    )


def solve_pl(
    A: np.ndarray,
    b: np.ndarray,
    sets: list[Curves],
    mode: str = "min",
    weights: np.ndarray | None = None,
    f_star: np.ndarray | None = None,
    rows: np.ndarray | None = None,
    margin: np.ndarray | None = None,
    cost: np.ndarray | None = None,
    offset: float = 0.0,
    scale: float = 1.0,
    rel_gap: float = MIP_REL_GAP,
    time_limit: float = TIME_LIMIT,
) -> PLSolution | None:
    """Solve the programme (see the module docstring); None when it is infeasible. In mode
    "min" the solver sees the objective minus `offset` (the no-programme value), so that its
    relative gap is relative to what the programme achieves; `scale` sets the tolerance of the
    out-of-order check. Binaries are added lazily (`LAZY_ROUNDS`), then to every curve."""
    t0 = time.perf_counter()
    n = A.shape[1]
    R = len(sets[0].g_ref)
    p = Programme(
        A=A,
        b=b,
        sets=sets,
        mode=mode,
        weights=np.ones(len(sets)) / len(sets) if weights is None else weights,
        f_star=f_star,
        rows=np.arange(R) if rows is None else np.asarray(rows, int),
        margin=np.zeros(R) if margin is None else margin,
        cost=cost,
        offset=offset,
    )
    binary: set = set()
    need_t = mode in ("regret", "maxmin")
    for _ in range(LAZY_ROUNDS):
        lay = Layout(n, sets, need_t, binary)
        res, integ = _solve_once(p, lay, rel_gap, time_limit)
        if res.x is None:
            return None
        more = _out_of_order(sets, lay, res.x, mode, p.rows, p.weights, tol=1e-7 * max(scale, 1.0))
        if not more:
            break
        binary |= more
    else:  # still out of order: every curve gets its binaries
        binary = {(si, k) for si, cs in enumerate(sets) for k in range(len(cs.breaks))}
        lay = Layout(n, sets, need_t, binary)
        res, integ = _solve_once(p, lay, rel_gap, time_limit)
        if res.x is None:
            return None
    return _solution(p, lay, res, integ, t0)


def shadow_prices(A: np.ndarray, b: np.ndarray, cs: Curves, x: np.ndarray) -> np.ndarray:
    """(m,) change of the model's objective per unit more of each row's right-hand side b_i
    (<= 0: relaxing a binding row helps), on the linear programme around allocation x: every
    direction's spending confined to the segment of its curve that starts at or before its
    present spending (the marginal for an increase, not an average over segments)."""
    n, K = A.shape[1], cs.K
    s = cs.spend(x)
    cost, bounds, link = [0.0] * n, [(0, None)] * n, []
    for k in range(K):
        bk = cs.breaks[k]
        j = int(np.clip(np.searchsorted(bk, s[k], side="right") - 1, 0, max(len(bk) - 2, 0)))
        if len(bk) < 2:
            cost.append(0.0)
            bounds.append((0.0, 0.0))
        else:
            cost.append((cs.f[k][j + 1] - cs.f[k][j]) / (bk[j + 1] - bk[j]))
            # a little room below the present spending: with the segment's start (a breakpoint
            # at the reference) as a bound, the duals are degenerate and may credit a row with
            # the value of a direction that cannot take more money
            eps = DUAL_ROOM * max(bk[-1] - bk[0], 1e-12)
            bounds.append((min(bk[j], s[k]) - eps, bk[j + 1]))
        row = np.zeros(n + K)
        vs = np.flatnonzero(cs.var_dir == k)
        row[vs] = cs.disb[vs]
        row[n + k] = -1.0
        link.append(row)
    if len(A) == 0:
        return np.zeros(0)
    res = linprog(
        np.array(cost),
        A_ub=np.hstack([A, np.zeros((len(A), K))]),
        b_ub=b,
        A_eq=np.array(link),
        b_eq=np.zeros(K),
        bounds=bounds,
        method="highs",
    )
    if res.status != 0:
        return np.full(len(A), np.nan)
    return np.asarray(res.ineqlin.marginals, float)
