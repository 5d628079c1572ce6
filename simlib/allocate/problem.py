"""The optimisation problem as arrays: decision variables, linear constraints, objectives.

Decision variables are amounts in billion VND per projected year of one (line, source) pair —
optionally also per district (`by_district`) or per year (`by_year`). Only pairs the capital
rules allow exist. A batch of allocations X (S, n) becomes spending (S, Y+1, L, D) in VND by one
matrix product, so the expected engine evaluates many allocations in one call; the year before
the start keeps the scenario's (historical) spending.

Linear constraints A x <= b (each row labelled for the binding-constraint report): envelope per
source and year, floors / commitments / ceilings per line or project, earmarks, the local
counterpart share, eligible-population caps (money beyond what reaches every eligible household
buys nothing), and the linear coverage targets (officers trained, infrastructure in every poor
district). The other targets are non-linear functions of the allocation (`target_slacks`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from simlib.allocate.spec import CENTRAL, LINEAR_TARGETS, OptimizeSpec
from simlib.allocate.structure import source_mask
from simlib.engines.common import EngineOutput
from simlib.engines.expected import run_expected
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.i18n import LocalText
from simlib.model import Model, compile_model
from simlib.multidim import MultidimModel, compile_multidim
from simlib.results import geographies
from simlib.scenario import SOURCES, Scenario
from simlib.schema import qv
from simlib.states import NEAR_POOR, POOR
from simlib.targets import target_specs

BN = 1e9


@dataclass
class Row:
    """One linear constraint row's meaning (for the plain-words report)."""

    kind: str  # envelope | floor | commitment | ceiling | earmark | counterpart | cap | target
    code: str | None = None  # line / project code or target id
    source: str | None = None
    year: int | None = None  # calendar year; None = every projected year
    unit: str | None = None  # district id
    amount: float = 0.0  # billion VND, share or households


@dataclass
class TargetRow:
    """One (target, geography, year) row: slack = sign * (value - threshold) >= 0 when met."""

    target_id: str
    indicator: str
    geo_index: int
    geo_type: str
    geo: str
    year_index: int  # 1..Y (index into Y+1)
    comparison: str
    threshold: float
    label: LocalText
    linear: bool

    @property
    def scale(self) -> float:
        return 1.0 if self.indicator.endswith("change") else 10.0


@dataclass
class Problem:
    scenario: Scenario
    model: Model
    spec: OptimizeSpec
    objective: str
    var_line: np.ndarray  # (n,)
    var_source: np.ndarray  # (n,)
    var_unit: np.ndarray  # (n,) -1: the scenario's district split
    var_year: np.ndarray  # (n,) -1: every projected year
    var_dir: np.ndarray  # (n,) index of the spending pattern (direction)
    var_disb: np.ndarray  # (n,) disbursement share of the variable's source
    dirs: np.ndarray  # (K, Y, L, D) VND of spending per billion of spending along a direction
    A: np.ndarray  # (m, n)
    b: np.ndarray  # (m,)
    rows: list[Row]
    envelope_rows: np.ndarray  # (m,) bool
    target_rows: list[TargetRow]
    weights: np.ndarray  # (G, K) objective weights at the horizon
    cost_weights: np.ndarray  # (n,) billion VND of total money per unit of x (min_cost)
    base_spend: np.ndarray  # (Y+1, L, D) VND: the history year; projected years zero
    geos: list = field(default_factory=list)
    n_evals: int = 0
    #: the multidimensional model the engine runs (`model: multidim`), else None (the states model)
    multidim: MultidimModel | None = None

    @property
    def n(self) -> int:
        return len(self.var_line)

    @property
    def Y(self) -> int:
        return len(self.model.years)

    # --- evaluation ---------------------------------------------------------------------------
    def spend(self, X: np.ndarray) -> np.ndarray:
        """Spending (S, Y+1, L, D) VND for allocations X (S, n) billion VND."""
        X = np.atleast_2d(X)
        P = self.var_patterns()  # (n, Y*L*D)
        body = (X @ P).reshape(len(X), self.Y, *self.dirs.shape[2:])
        out = np.broadcast_to(self.base_spend, (len(X),) + self.base_spend.shape).copy()
        out[:, 1:] += body
        return out

    def var_patterns(self) -> np.ndarray:
        if "_P" not in self.__dict__:
            K = self.dirs.shape[0]
            flat = self.dirs.reshape(K, -1)
            self.__dict__["_P"] = flat[self.var_dir] * self.var_disb[:, None]
        return self.__dict__["_P"]

    def run(self, X: np.ndarray) -> EngineOutput:
        X = np.atleast_2d(X)
        self.n_evals += len(X)
        return self.run_spend(self.spend(X))

    def run_spend(self, spend: np.ndarray) -> EngineOutput:
        """The expected engine of the scenario's poverty model on spending (S, Y+1, L, D) VND."""
        if self.multidim is not None:
            return run_multidim_expected(self.multidim, spend)
        return run_expected(self.model, spend=spend)

    def objective_from(self, out: EngineOutput) -> np.ndarray:
        """Objective values (S,) of an engine output (weighted households at the horizon)."""
        return np.einsum("sgk,gk->s", out.states[:, -1], self.weights)

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        """Objective values (S,) to minimise; for min_cost, the total money."""
        X = np.atleast_2d(X)
        if self.objective == "min_cost":
            return X @ self.cost_weights
        return self.objective_from(self.run(X))

    # --- constraints --------------------------------------------------------------------------
    def group_masks(self) -> np.ndarray:
        """(Ngeo, G) 0/1: which groups each reporting geography holds."""
        if "_gm" not in self.__dict__:
            _, masks = geographies(self.model)  # (Ngeo, D, E)
            self.__dict__["_gm"] = masks[:, self.model.g_unit, self.model.g_eth]
        return self.__dict__["_gm"]

    def aggregate(self, out: EngineOutput, groups: np.ndarray | None = None) -> dict:
        """Sums the objective and the targets need, additive over groups (so a run of one
        district's groups can update a full run): objective (S,), poor / near-poor / households
        per geography (S, Y+1, Ngeo), production support given / wanted (S, Y)."""
        gm = self.group_masks() if groups is None else self.group_masks()[:, groups]
        w = self.weights if groups is None else self.weights[groups]
        st = out.states
        return {
            "objective": np.einsum("sgk,gk->s", st[:, -1], w),
            "poor": np.einsum("syg,ng->syn", st[..., POOR], gm),
            "near_poor": np.einsum("syg,ng->syn", st[..., NEAR_POOR], gm),
            "households": np.einsum("syg,ng->syn", st.sum(-1), gm),
            "ps_supported": out.ps_supported,
            "ps_wanting": out.ps_wanting,
        }

    def values_from(self, agg: dict) -> np.ndarray:
        """Values (S, R) of the non-linear target rows from aggregates, computed as
        `simlib.results.indicator_arrays` does."""
        S = agg["poor"].shape[0]
        vals = np.empty((S, len(self.target_rows)))
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = {
                "poor": 100 * agg["poor"] / agg["households"],
                "near_poor": 100 * agg["near_poor"] / agg["households"],
            }
            cov = np.minimum(100.0, 100.0 * agg["ps_supported"] / agg["ps_wanting"])
        for j, tr in enumerate(self.target_rows):
            y, g = tr.year_index, tr.geo_index
            if tr.indicator in ("poor_rate_change", "near_poor_rate_change"):
                r = rate[tr.indicator.removesuffix("_rate_change")]
                vals[:, j] = r[:, y, g] - r[:, y - 1, g]
            elif tr.indicator in ("poor_rate", "near_poor_rate"):
                vals[:, j] = rate[tr.indicator.removesuffix("_rate")][:, y, g]
            elif tr.indicator == "production_support_coverage":
                vals[:, j] = cov[:, y - 1]
            else:  # pragma: no cover - the linear targets are rows of A
                raise ValueError(tr.indicator)
        return vals

    def slacks_from(self, agg: dict) -> np.ndarray:
        """Scaled slacks (S, R) from aggregates: >= 0 where the target row is met."""
        if not self.target_rows:
            return np.zeros((agg["poor"].shape[0], 0))
        v = self.values_from(agg)
        thr = np.array([t.threshold for t in self.target_rows])
        sign = np.array([1.0 if t.comparison == ">=" else -1.0 for t in self.target_rows])
        scale = np.array([t.scale for t in self.target_rows])
        return sign * (v - thr) / scale

    def target_values(self, out: EngineOutput) -> np.ndarray:
        """Values (S, R) of the non-linear target rows (the linear ones are rows of A)."""
        return self.values_from(self.aggregate(out))

    def target_slacks(self, out: EngineOutput) -> np.ndarray:
        """Scaled slacks (S, R): >= 0 where the target row is met."""
        return self.slacks_from(self.aggregate(out))

    def district_model(self, d: int) -> tuple[Model, np.ndarray]:
        """The model restricted to unit d's groups (units do not interact in the engine, so a
        change of spending in unit d changes only these groups), and their indices."""
        key = f"_sub{d}"
        if key not in self.__dict__:
            g = np.flatnonzero(self.model.g_unit == d)
            self.__dict__[key] = (self.model.take_groups(g), g)
        return self.__dict__[key]

    def with_envelope_scale(self, k: float) -> Problem:
        """The same problem with every source envelope multiplied by `k` (frontier)."""
        b = np.where(self.envelope_rows, self.b * k, self.b)
        p = replace(self, b=b, n_evals=0)
        p.__dict__.pop("_P", None)
        return p


def objective_weights(model: Model, objective: str, allocation: dict) -> np.ndarray:
    """(G, K) weight of each group-state household at the horizon in the objective."""
    G, K = model.n0.shape
    w = np.zeros((G, K))
    if objective in ("poor", "min_cost"):
        w[:, POOR] = 1.0
    elif objective == "poor_near_poor":
        w[:, POOR] = 1.0
        w[:, NEAR_POOR] = 1.0
    elif objective == "welfare":
        wel = allocation["welfare"]
        g = np.where(model.g_eth == 0, qv(wel["ethnic_minority_weight"]), 1.0)
        g = g * np.where(model.poor_district[model.g_unit], qv(wel["poor_district_weight"]), 1.0)
        w[:, POOR] = g
        w[:, NEAR_POOR] = g * qv(wel["near_poor_weight"])
    else:  # pragma: no cover - checked by the spec
        raise ValueError(objective)
    return w


def eligible_spend_caps(model: Model) -> np.ndarray:
    """(L, D) VND of spending per year beyond which a line reaches nobody more in a unit:
    eligible x max share x unit cost, the largest over the projected years of the runs with no
    programme and with the scenario's own money, plus 5 % (eligibility moves with the money)."""
    caps = np.zeros((len(model.line_codes), len(model.unit_ids)))
    for spend in (np.zeros_like(model.spend), model.spend):
        out = run_expected(model, spend=spend[None])
        e = out.eligible[0].max(axis=0)  # (L, D)
        caps = np.maximum(caps, e * model.max_share[:, None] * model.unit_cost[:, None])
    return caps * 1.05


def target_rows(model: Model, targets_doc: dict, wanted: tuple[str, ...] | None) -> list[TargetRow]:
    """Target rows as `simlib.targets.evaluate_targets` scores them (every projected year)."""
    geos, _ = geographies(model)
    index = {g: i for i, g in enumerate(geos)}
    poor_units = [u for u, p in zip(model.unit_ids, model.poor_district) if p]
    out = []
    for spec in target_specs(targets_doc):
        if wanted is not None and spec["target_id"] not in wanted:
            continue
        gl = [(spec["geo_type"], spec["geo"])]
        if spec["each_poor_district"]:
            gl += [("district", u) for u in poor_units]
        if (
            spec["indicator"] != "poor_districts_with_infrastructure"
            and spec["geo_type"] == "poor_districts"
            and not poor_units
        ):
            continue
        for gt, g in gl:
            if (gt, g) not in index:
                continue
            for yi in range(1, len(model.years) + 1):
                out.append(
                    TargetRow(
                        spec["target_id"],
                        spec["indicator"],
                        index[(gt, g)],
                        gt,
                        g,
                        yi,
                        spec["comparison"],
                        spec["threshold"],
                        LocalText.from_fields(spec, "label"),
                        spec["target_id"] in LINEAR_TARGETS,
                    )
                )
    return out


@dataclass
class _Variables:
    """Decision variables: each a (line, source) pair in one unit (-1: the scenario's split) and
    one projected year (-1: every year), spending along direction `dir` (`dirs` (K, Y, L, D) VND
    per billion)."""

    line: np.ndarray
    source: np.ndarray
    unit: np.ndarray
    year: np.ndarray
    dir: np.ndarray
    dirs: np.ndarray

    @property
    def n(self) -> int:
        return len(self.line)

    def in_year(self, yi: int | None) -> np.ndarray:
        """Variables spending in projected year yi (None: every variable)."""
        return np.ones(self.n, bool) if yi is None else (self.year < 0) | (self.year == yi)


def _variables(model: Model, spec: OptimizeSpec, mask: np.ndarray) -> _Variables:
    """One variable per allowed (line, source), per district (`by_district`) and year (`by_year`)."""
    L, D, Y = len(model.line_codes), len(model.unit_ids), len(model.years)
    split = model.split
    # a scenario holds one district split per line for every year, the year before the start
    # included: a line whose money from that year still acts (lag >= 1) keeps the scenario's split
    per_district = ~((model.lag > 0) & (model.spend[0].sum(axis=1) > 0))
    dirs, cols = [], []
    for yb in list(range(Y)) if spec.by_year else [-1]:
        for li in range(L):
            if split[li].sum() <= 0:
                continue  # nobody eligible anywhere: money would buy nothing
            units = [int(d) for d in np.flatnonzero(split[li] > 0)] if spec.by_district and per_district[li] else [-1]
            for du in units:
                pat = np.zeros((Y, L, D))
                ys = slice(None) if yb < 0 else slice(yb, yb + 1)
                if du < 0:
                    pat[ys, li, :] = split[li] * BN
                else:
                    pat[ys, li, du] = BN
                cols += [(li, si, du, yb, len(dirs)) for si in range(len(SOURCES)) if mask[li, si]]
                dirs.append(pat)
    v = np.array(cols, dtype=int).reshape(-1, 5).T
    return _Variables(*v, dirs=np.stack(dirs) if dirs else np.zeros((0, Y, L, D)))


class _Rows:
    """Linear constraint rows A x <= b with their meaning, in the order they are added."""

    def __init__(self):
        self.A: list[np.ndarray] = []
        self.b: list[float] = []
        self.rows: list[Row] = []

    def add(self, a: np.ndarray, b: float, row: Row) -> None:
        self.A.append(a)
        self.b.append(b)
        self.rows.append(row)


def _money_rows(out: _Rows, v: _Variables, spec: OptimizeSpec, years: list, cal) -> np.ndarray:
    """Envelopes per source (and year); floors, commitments and ceilings; earmarks; the local
    counterpart share. Returns the money (L,) floors and earmarks force onto single lines."""
    env = spec.envelope  # (Y, S) billion VND
    for yi in years:
        for si, src in enumerate(SOURCES):
            amount = env[:, si].min() if yi is None else env[yi, si]
            a = (v.in_year(yi) & (v.source == si)).astype(float)
            if a.any() or amount < 0:
                out.add(a, amount, Row("envelope", source=src, year=cal(yi), amount=amount))
    forced = np.zeros(v.dirs.shape[2])
    for bd in spec.bounds:
        sel = np.isin(v.line, bd.lines)
        for yi in years:
            a = (v.in_year(yi) & sel).astype(float)
            if bd.lower > 0:
                kind = "commitment" if bd.commitment >= bd.floor and bd.commitment > 0 else "floor"
                out.add(-a, -bd.lower, Row(kind, code=bd.code, year=cal(yi), amount=bd.lower))
            if np.isfinite(bd.ceiling):
                out.add(a, bd.ceiling, Row("ceiling", code=bd.code, year=cal(yi), amount=bd.ceiling))
        if len(bd.lines) == 1:
            forced[bd.lines[0]] = max(forced[bd.lines[0]], bd.lower)
    for em in spec.earmarks:
        sel = np.isin(v.line, em.lines) & (v.source == em.source)
        for yi in years:
            a = (v.in_year(yi) & sel).astype(float)
            out.add(
                -a, -em.amount, Row("earmark", code=em.code, source=SOURCES[em.source], year=cal(yi), amount=em.amount)
            )
        if len(em.lines) == 1:
            forced[em.lines[0]] = max(forced[em.lines[0]], em.amount)
    if spec.counterpart_min_share > 0:  # local counterpart: r * central - local <= 0
        central = np.isin(v.source, [SOURCES.index(s) for s in CENTRAL])
        local = v.source == SOURCES.index("local")
        for yi in years:
            ym = v.in_year(yi)
            a = spec.counterpart_min_share * (ym & central) - (ym & local)
            out.add(a.astype(float), 0.0, Row("counterpart", year=cal(yi), amount=spec.counterpart_min_share))
    return forced


def _cap_rows(out: _Rows, v: _Variables, model: Model, years: list, cal, forced: np.ndarray, disb: np.ndarray) -> None:
    """Eligible-population caps, on spending (never below what floors or earmarks force)."""
    caps = eligible_spend_caps(model)  # (L, D) VND
    split = model.split
    for yi in years:
        for li in range(len(model.line_codes)):
            sel = v.in_year(yi) & (v.line == li)
            if not sel.any():
                continue
            for du in sorted(set(v.unit[sel].tolist())):
                s2 = sel & (v.unit == du)
                if du < 0:
                    pos = split[li] > 0
                    cap = float(np.max(caps[li, pos] / split[li, pos])) / BN
                else:
                    cap = caps[li, du] / BN
                cap = max(cap, forced[li] * disb.max())
                unit = None if du < 0 else model.unit_ids[du]
                out.add(
                    np.where(s2, v_disb_of(v.source, disb), 0.0),
                    cap,
                    Row("cap", model.line_codes[li], None, cal(yi), unit, cap),
                )


def _coverage_rows(out: _Rows, model: Model, scen: Scenario, P: np.ndarray, lin_ids: set) -> None:
    """The linear coverage targets: every officer trained, infrastructure in every poor district."""
    n, Y = P.shape[0], len(model.years)
    hist = model.spend[0]
    if "officers_trained" in lin_ids:
        for lc in scen.params["targets"]["coverage"]["officers_trained"]["lines"]:
            li = model.line_codes.index(lc)
            need = model.unit_cost[li] * model.capacity_units[li]  # VND: every officer of the unit
            for yi in range(Y):
                idx = yi + 1 - model.lag[li]
                for d in np.flatnonzero(need > 0):
                    row = Row(
                        "target",
                        code="officers_trained",
                        year=model.years[yi],
                        unit=model.unit_ids[d],
                        amount=need[d] / BN,
                    )
                    if idx >= 1:
                        out.add(-P[:, idx - 1, li, d], -need[d] / BN, row)
                    else:
                        out.add(np.zeros(n), (hist[li, d] - need[d]) / BN, row)
    if "infrastructure_poor_districts" in lin_ids:
        infra = np.flatnonzero(model.infra_lines)
        amount = model.infra_min_spend / BN
        for yi in range(Y):
            for d in np.flatnonzero(model.poor_district):
                row = Row(
                    "target",
                    code="infrastructure_poor_districts",
                    year=model.years[yi],
                    unit=model.unit_ids[d],
                    amount=amount,
                )
                out.add(-P[:, yi, infra, d].sum(axis=1), -amount, row)


def build_problem(scen: Scenario, spec: OptimizeSpec, model: Model | None = None) -> Problem:
    """Variables, constraints and objective weights for `scen` under `spec`."""
    model = model or compile_model(scen)
    Y = len(model.years)
    disb = np.array([qv(scen.params["funding"]["sources"][s]["disbursement"]) for s in SOURCES])
    v = _variables(model, spec, source_mask(scen.catalogue, scen.params["funding"]))
    years = list(range(Y)) if spec.by_year else [None]

    def cal(yi):
        return None if yi is None else model.years[yi]

    rows = _Rows()
    forced = _money_rows(rows, v, spec, years, cal)
    n_env = sum(r.kind == "envelope" for r in rows.rows)
    _cap_rows(rows, v, model, years, cal, forced, disb)
    wanted = spec.targets
    if spec.objective == "min_cost" and wanted is None:
        wanted = tuple(t["id"] for t in scen.params["targets"]["targets"])
    trows = target_rows(model, scen.params["targets"], wanted or ())
    var_disb = v_disb_of(v.source, disb)
    P = (v.dirs.reshape(len(v.dirs), -1)[v.dir] * var_disb[:, None]).reshape((v.n,) + v.dirs.shape[1:]) / BN
    _coverage_rows(rows, model, scen, P, {t.target_id for t in trows if t.linear})
    env_mask = np.zeros(len(rows.rows), bool)
    env_mask[:n_env] = True
    base = np.zeros(model.spend.shape)
    base[0] = model.spend[0]
    geos, _ = geographies(model)
    return Problem(
        scenario=scen,
        model=model,
        spec=spec,
        objective=spec.objective,
        var_line=v.line,
        var_source=v.source,
        var_unit=v.unit,
        var_year=v.year,
        var_dir=v.dir,
        var_disb=var_disb,
        dirs=v.dirs,
        A=np.array(rows.A) if rows.A else np.zeros((0, v.n)),
        b=np.array(rows.b, float),
        rows=rows.rows,
        envelope_rows=env_mask,
        target_rows=[t for t in trows if not t.linear],
        weights=objective_weights(model, spec.objective, scen.params["allocation"]),
        cost_weights=np.where(v.year < 0, float(Y), 1.0),  # billion VND over the horizon per unit of x
        base_spend=base,
        geos=geos,
        multidim=compile_multidim(scen, model) if scen.poverty_model == "multidim" else None,
    )


def v_disb_of(v_src: np.ndarray, disb: np.ndarray) -> np.ndarray:
    return disb[v_src]


def amounts_of(problem: Problem, x: np.ndarray) -> np.ndarray:
    """Scenario amounts (Y+1, L, S) VND of allocation x; index 0 keeps the scenario's history."""
    sc = problem.scenario
    Y, L = problem.Y, len(problem.model.line_codes)
    out = np.zeros((Y + 1, L, len(SOURCES)))
    out[0] = sc.budget.amounts[0]
    for v in range(problem.n):
        ys = range(Y) if problem.var_year[v] < 0 else [problem.var_year[v]]
        for yi in ys:
            out[yi + 1, problem.var_line[v], problem.var_source[v]] += x[v] * BN
    return out


def district_spend_shares(problem: Problem, x: np.ndarray) -> dict[str, dict[str, float]]:
    """For by-district allocations: each funded line's split of *spending* across units (shares
    summing to 1), which reproduces the optimiser's spending exactly under any disbursement."""
    out = {}
    if not problem.spec.by_district:
        return out
    m = problem.model
    for li, code in enumerate(m.line_codes):
        sel = problem.var_line == li
        if not sel.any() or (problem.var_unit[sel] < 0).any():
            continue  # the line keeps the scenario's split
        w = np.zeros(len(m.unit_ids))
        np.add.at(w, problem.var_unit[sel], x[sel] * problem.var_disb[sel])
        if w.sum() > 1e-12:
            out[code] = {u: float(v) for u, v in zip(m.unit_ids, w / w.sum())}
    return out


def from_amounts(problem: Problem, amounts: np.ndarray, split: np.ndarray | None = None) -> np.ndarray:
    """An allocation x of the problem's form from scenario amounts (Y+1, L, S) VND (projected years
    averaged when the problem has one allocation for every year); by-district variables follow
    `split` (L, D) (default the scenario's district split). Pairs without a variable are dropped."""
    split = problem.model.split if split is None else split
    x = np.zeros(problem.n)
    proj = amounts[1:] / BN
    for v in range(problem.n):
        li, si, du, yb = problem.var_line[v], problem.var_source[v], problem.var_unit[v], problem.var_year[v]
        a = proj[:, li, si].mean() if yb < 0 else proj[yb, li, si]
        x[v] = a * (split[li, du] if du >= 0 else 1.0)
    return x
