"""The optimisation problem as arrays: decision variables, linear constraints, objectives.

Decision variables are amounts in billion VND per projected year of one (line, source) pair —
optionally also per district (`by_district`) or per year (`by_year`); see `rules.Variables`. A
batch of allocations X (S, n) becomes spending (S, Y+1, L, D) in VND by one matrix product, so
the expected engine evaluates many allocations in one call; the year before the start keeps the
scenario's (historical) spending.

In a year under a dated catalogue (`periods: dated`, the 2026–2035 programme's contents from
2026) only the cells a content stands for have variables (`simlib.allocate.dated`).

Linear constraints A x <= b come from rule providers (`simlib.allocate.rules`: capital rules,
envelopes, bounds, counterpart, absorption caps, and a legal frame's own rules), each row
labelled with its rule and basis, plus the linear coverage targets (officers trained,
infrastructure in every poor district). The other targets are non-linear functions of the
allocation (`target_slacks`).

The allocations are evaluated on the model the scenario names (`evaluate.engine_model`): the
states model, or the multidimensional model, whose annual reviews classify households by income
and deprivations under the standard in force at each review (a dated plan's horizon review under
the standard in force in its last year: plan_2027's end-2027 review under the 2027–2030 standard).

Objectives count households at the horizon's review with weights per group and state
(`objective_weights`): poor; poor + near-poor; welfare weights; and the poverty gap, the sum of
households' relative income shortfalls max(0, 1 - income / line) (FGT1 x households). The
multidimensional model carries each household's income, so there the poverty gap is its own
FGT1 sum at the horizon review (`MultidimOutput.fgt1`). The states model has no income: there it
is a documented proxy — each poor or near-poor household counts its state's mean relative income
shortfall at the baseline synthesis of the multidimensional model (`params/multidim.yaml`,
income by state), as far as the states show it; it does not see incomes moving within a state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from simlib.allocate.continued import Kept, allocated_from, core_model, described_from, engine_target, kept
from simlib.allocate.dated import cell_mask
from simlib.allocate.evaluate import direction_units, engine_model, run_batch, unit_model
from simlib.allocate.rules import BN, DEFAULT_PROVIDERS, Row, RowContext, Rows, variables
from simlib.allocate.spec import LINEAR_TARGETS, OptimizeSpec, year_blocks
from simlib.engines.common import EngineOutput
from simlib.i18n import LocalText
from simlib.model import Model, compile_model
from simlib.multidim import MultidimModel, compile_multidim
from simlib.results import geographies
from simlib.scenario import SOURCES, Scenario
from simlib.schema import qv
from simlib.states import NEAR_POOR, POOR
from simlib.targets import AT_THRESHOLD, LOWER_IS_BETTER, STRICT, target_specs

#: the optimiser meets a target by at least this much of its unit (points, %): a minimum-cost
#: optimum sits on its thresholds, and the written scenario (amounts to the VND, a change of about
#: 1e-9 of a unit) must still meet them as `simlib.targets` judges; a strict target (`<`, `>`)
#: must be clear of its threshold by more than `AT_THRESHOLD`, so it gets `STRICT_MARGIN`
TARGET_MARGIN = 1e-7
STRICT_MARGIN = 2 * AT_THRESHOLD


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
    model: Model  # the core model: groups, lines, units, money
    target: Model | MultidimModel  # the model the engine runs (`evaluate.engine_model`)
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
    target_rows: list[TargetRow]
    weights: np.ndarray  # (G, K) objective weights at the horizon
    cost_weights: np.ndarray  # (n,) billion VND of total money per unit of x (min_cost)
    base_spend: np.ndarray  # (Y+1, L, D) VND: the history year; projected years zero
    geos: list = field(default_factory=list)
    n_evals: int = 0
    #: told the engine runs of every evaluation of this problem (`evaluate` module docstring)
    on_runs: Callable[[float], None] | None = field(default=None, compare=False, repr=False)

    @property
    def n(self) -> int:
        return len(self.var_line)

    @property
    def Y(self) -> int:
        return len(self.model.years)

    @cached_property
    def envelope_rows(self) -> np.ndarray:
        """(m,) bool: the envelope rows."""
        return np.array([r.kind == "envelope" for r in self.rows], bool)

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
        return run_batch(self.target, self.spend(X), self.on_runs)

    @property
    def income_gap(self) -> bool:
        """Whether the objective is the multidimensional model's own poverty gap (FGT1 sums)."""
        return self.objective == "poverty_gap" and isinstance(engine_target(self.target), MultidimModel)

    def horizon(self, out: EngineOutput) -> np.ndarray:
        """(S, G, K) what the objective weighs at the horizon review: households by group and
        state, or for the multidimensional poverty gap their sums of relative income shortfalls."""
        return out.multidim.fgt1[:, -1] if self.income_gap else out.states[:, -1]

    def objective_from(self, out: EngineOutput) -> np.ndarray:
        """Objective values (S,) of an engine output (weighted households at the horizon)."""
        return np.einsum("sgk,gk->s", self.horizon(out), self.weights)

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
            "objective": np.einsum("sgk,gk->s", self.horizon(out), w),
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
        """Scaled slacks (S, R) from aggregates: >= 0 where the target row is met by at least
        `TARGET_MARGIN`."""
        if not self.target_rows:
            return np.zeros((agg["poor"].shape[0], 0))
        v = self.values_from(agg)
        thr = np.array([t.threshold for t in self.target_rows])
        sign = np.array([-1.0 if t.comparison in LOWER_IS_BETTER else 1.0 for t in self.target_rows])
        scale = np.array([t.scale for t in self.target_rows])
        need = np.array([STRICT_MARGIN if t.comparison in STRICT else TARGET_MARGIN for t in self.target_rows])
        return (sign * (v - thr) - need) / scale

    def target_values(self, out: EngineOutput) -> np.ndarray:
        """Values (S, R) of the non-linear target rows (the linear ones are rows of A)."""
        return self.values_from(self.aggregate(out))

    def target_slacks(self, out: EngineOutput) -> np.ndarray:
        """Scaled slacks (S, R): >= 0 where the target row is met."""
        return self.slacks_from(self.aggregate(out))

    def district_model(self, d: int) -> tuple[Model | MultidimModel, np.ndarray]:
        """The engine's model of unit d alone (units do not interact in the engine, so a change
        of spending in unit d changes only its groups; it takes the unit's spending column), and
        the indices of its groups (`evaluate.unit_model`)."""
        key = f"_sub{d}"
        if key not in self.__dict__:
            self.__dict__[key] = unit_model(self.target, d)
        return self.__dict__[key]

    def with_envelope_scale(self, k: float) -> Problem:
        """The same problem with every source envelope multiplied by `k` (frontier)."""
        return self.with_rows(b=np.where(self.envelope_rows, self.b * k, self.b))

    def with_rows(self, keep: np.ndarray | None = None, b: np.ndarray | None = None, **changes) -> Problem:
        """The same problem with only the rows `keep` (bool (m,)) and/or new right-hand sides."""
        keep = np.ones(len(self.rows), bool) if keep is None else keep
        b = self.b if b is None else b
        return replace(self, A=self.A[keep], b=b[keep], rows=[r for r, k in zip(self.rows, keep) if k], **changes)

    def with_objective(self, objective: str) -> Problem:
        """The same problem with another objective's weights."""
        return replace(self, objective=objective, weights=objective_weights(self.scenario, self.model, objective))

    def with_model(self, target: Model | MultidimModel) -> Problem:
        """The same variables and rows on another compiled model of the scenario (a parameter
        draw; the model its engine runs, `uncertainty.apply.target_for_values`, or a crossing's
        `Continued`): its split of each line across units (directions not per unit), its
        spending of the history year and of the years not optimised, its disbursement shares and
        objective weights."""
        model = core_model(target)
        spans = direction_units(self) < 0  # directions along the line's split: the draw's split
        dirs = self.dirs.copy()
        dirs[spans] = self.dirs[spans].sum(axis=-1, keepdims=True) * model.split[None, None]
        base = np.zeros_like(self.base_spend)  # the history year and the years kept: the draw's spending
        for yi in [-1] + fixed_years(self.spec, tuple(model.years)):
            base[yi + 1] = model.spend[yi + 1]
        disb = model.disbursement[self.var_source]
        p = replace(self, model=model, target=target, var_disb=disb, dirs=dirs, base_spend=base, n_evals=0)
        p.weights = objective_weights(self.scenario, model, self.objective)
        return p


def gap_weights(scen: Scenario, model: Model) -> np.ndarray:
    """(G, K) mean relative income shortfall max(0, 1 - income / line) of a household of each
    group and state at the baseline synthesis of the multidimensional model (0 above the line):
    the weights of the states model's poverty-gap proxy (module docstring)."""
    mm = compile_multidim(scen, model)
    return np.einsum("gkb,gb->gk", mm.init_income(0), mm.fgt1_bin[0][model.g_area])


def objective_weights(scen: Scenario, model: Model, objective: str) -> np.ndarray:
    """(G, K) weight of each group-state household at the horizon in the objective."""
    G, K = model.n0.shape
    w = np.zeros((G, K))
    allocation = scen.params["allocation"]
    if objective == "poverty_gap":  # the multidimensional model weighs its own FGT1 sums (Problem.horizon)
        return np.ones((G, K)) if scen.poverty_model == "multidim" else gap_weights(scen, model)
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


def coverage_rows(ctx: RowContext, P: np.ndarray, lin_ids: set) -> list:
    """The linear coverage targets: every officer trained, infrastructure in every poor district.
    P (n, Y, L, D) billion VND of spending per unit of each variable."""
    model, scen = ctx.model, ctx.scenario
    n, Y = P.shape[0], len(model.years)
    hist, out = model.spend[0], []
    basis = LocalText.of("alloc.basis.targets")
    if "officers_trained" in lin_ids:
        for lc in scen.params["targets"]["coverage"]["officers_trained"]["lines"]:
            li = model.line_codes.index(lc)
            need = model.unit_cost[li] * model.capacity_units[li]  # VND: every officer of the unit
            for yi in range(Y):
                idx = yi + 1 - model.lag[li]
                for d in np.flatnonzero(need > 0):
                    row = Row("target", "officers_trained", None, model.years[yi], model.unit_ids[d], need[d] / BN)
                    row.rule, row.basis = "officers_trained", basis
                    if idx >= 1:
                        out.append((-P[:, idx - 1, li, d], -need[d] / BN, row))
                    else:
                        out.append((np.zeros(n), (hist[li, d] - need[d]) / BN, row))
    if "infrastructure_poor_districts" in lin_ids:
        infra = np.flatnonzero(model.infra_lines)
        amount = model.infra_min_spend / BN
        for yi in range(Y):
            for d in np.flatnonzero(model.poor_district):
                row = Row("target", "infrastructure_poor_districts", None, model.years[yi], model.unit_ids[d], amount)
                row.rule, row.basis = "infrastructure_poor_districts", basis
                out.append((-P[:, yi, infra, d].sum(axis=1), -amount, row))
    return out


def build_problem(
    scen: Scenario,
    spec: OptimizeSpec,
    model: Model | None = None,
    providers: tuple | None = None,
    target=None,
    on_runs: Callable[[float], None] | None = None,
) -> Problem:
    """Variables, constraints and objective weights for `scen` under `spec`; the rules come from
    `providers` (default `rules.DEFAULT_PROVIDERS`; a legal frame adds its own). The allocations
    are evaluated on the model the scenario names (`evaluate.engine_model`); `target` is that
    model when the caller has it compiled already (on top of `model`). `on_runs(runs)` is told the
    engine runs of building the problem and of every evaluation of it (`Problem.on_runs`)."""
    model = model or compile_model(scen)
    target = engine_model(scen, model) if target is None else target
    Y = len(model.years)
    v = variables(model, spec, model.disbursement, described_from(target), cell_mask(scen, model.years))
    blocks = year_blocks(spec, tuple(model.years))
    ctx = RowContext(scen, model, spec, v, [None] if blocks == [-1] else blocks, target, on_runs)
    rows = Rows()
    for provider in DEFAULT_PROVIDERS if providers is None else providers:
        rows.extend(provider(ctx))
    wanted = spec.targets
    if spec.objective == "min_cost" and wanted is None:
        wanted = tuple(t["id"] for t in scen.params["targets"]["targets"])
    first = allocated_from(target)  # a crossing: years before the first allocated are fixed (`continued`)
    trows = [t for t in target_rows(model, scen.params["targets"], wanted or ()) if t.year_index > first]
    P = (v.dirs.reshape(len(v.dirs), -1)[v.dir] * v.disb[:, None]).reshape((v.n,) + v.dirs.shape[1:]) / BN
    rows.extend(coverage_rows(ctx, P, {t.target_id for t in trows if t.linear}))
    base = np.zeros(model.spend.shape)
    base[0] = model.spend[0]
    for yi in fixed_years(spec, tuple(model.years)):
        base[yi + 1] = model.spend[yi + 1]  # years not optimised keep the scenario's money
    geos, _ = geographies(model)
    return Problem(
        scenario=scen,
        model=model,
        target=target,
        spec=spec,
        objective=spec.objective,
        var_line=v.line,
        var_source=v.source,
        var_unit=v.unit,
        var_year=v.year,
        var_dir=v.dir,
        var_disb=v.disb,
        dirs=v.dirs,
        A=np.array(rows.A) if rows.A else np.zeros((0, v.n)),
        b=np.array(rows.b, float),
        rows=rows.rows,
        target_rows=[t for t in trows if not t.linear],
        weights=objective_weights(scen, model, spec.objective),
        cost_weights=np.where(v.year < 0, float(Y), 1.0),  # billion VND over the horizon per unit of x
        base_spend=base,
        geos=geos,
        on_runs=on_runs,
    )


def kept_model(scen: Scenario, spec: OptimizeSpec) -> tuple[Model | None, Kept | None]:
    """The core model of `scen` and the model its evaluations run, `Kept` (`continued`): with the
    scenario's money in the years before the first one `spec` allocates; (None, None) for a
    scenario that changes units (its models come from `crossing.prepare_crossing`)."""
    if scen.units_switch:
        return None, None
    model = compile_model(scen)
    years = [model.years.index(y) for y in spec.plan_years or ()]
    return model, kept(engine_model(scen, model), min(years, default=0))


def fixed_years(spec: OptimizeSpec, years: tuple[int, ...]) -> list[int]:
    """Indices of the projected years the request does not optimise (they keep the plan)."""
    if spec.plan_years is None:
        return []
    return [i for i, y in enumerate(years) if y not in spec.plan_years]


def amounts_of(problem: Problem, x: np.ndarray) -> np.ndarray:
    """Scenario amounts (Y+1, L, S) VND of allocation x; index 0 keeps the scenario's history."""
    sc = problem.scenario
    Y, L = problem.Y, len(problem.model.line_codes)
    out = np.zeros((Y + 1, L, len(SOURCES)))
    out[0] = sc.budget.amounts[0]
    for yi in fixed_years(problem.spec, tuple(problem.model.years)):
        out[yi + 1] = sc.budget.amounts[yi + 1]
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
