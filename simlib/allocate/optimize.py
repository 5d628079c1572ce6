"""`optimize`: the best split of the budget under the expected engine, certified.

Objectives (fewer is better, all counted at the horizon's annual review):
- `poor`: poor households;
- `poor_near_poor`: poor + near-poor households;
- `welfare`: poor households weighted up for ethnic-minority households and poor districts,
  plus near-poor households at a lower weight (`params/allocation.yaml`, welfare);
- `poverty_gap`: households' income shortfall below the line (a proxy in the states model, see
  `simlib.allocate.problem`);
- `min_cost`: the least total money that meets every plan target (`params/targets.yaml`) in
  every projected year, within the envelope and rules.
With `robust: expected | regret` (spec or `--robust`), the objective is taken over parameter
draws of the uncertainty analysis (`simlib.allocate.robust`).

The optimum comes from the certified loop (`simlib.allocate.certify`): piecewise-linear models of
the engine solved by HiGHS to a proven gap, with the models' error against the engine measured.
The result carries the allocation, its certificate, the scenario that reproduces it (a YAML
`simlib run` accepts), projected indicators and targets next to the plan and an equal split,
marginal values per line and per district, the binding rules in plain words with their basis and
shadow prices, the rule that stops more money reaching the best line, lines left without money
and why, money that reaches no one, and the frontier of poverty reduction against the budget.
When the targets cannot be met, the result says so with the best achievable value of each
target and which target binds. A scenario whose engine changes units within the run
(`units_switch`, the crossing) is optimised on the years of its new units, every evaluation run
through the switch (`simlib.allocate.crossing`): with `robust` every parameter draw too, with
`by_district` the money split across the new units.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.allocate import baselines, diagnose, engine_search, explain, solve, tables, unfunded
from simlib.allocate.absorption import absorbable_spend, unallocatable
from simlib.allocate.breaches import comparison_table
from simlib.allocate.certificate_text import certificate_text
from simlib.allocate.certify import MAX_EXTRA, Certificate, certified, objective_task
from simlib.allocate.continued import release
from simlib.allocate.counterpart import unknown_note
from simlib.allocate.crossing import crossing_note, crossing_spec, draw_targets, legal_check, prepare_crossing
from simlib.allocate.estimate import problem_runs, timed_zero
from simlib.allocate.explain import Binding, format_value, names_of
from simlib.allocate.frontier import frontier
from simlib.allocate.milp import shadow_prices
from simlib.allocate.mincost import linear_target_failure, poverty_optimum, solve_min_cost
from simlib.allocate.problem import (
    BN,
    Problem,
    amounts_of,
    build_problem,
    district_spend_shares,
    from_amounts,
    kept_model,
)
from simlib.allocate.pwl import build_curves, direction_ranges
from simlib.allocate.robust import RobustResult, robust_optimum
from simlib.allocate.rules import DEFAULT_PROVIDERS, absorption_rows
from simlib.allocate.scenario_out import optimal_scenario_raw, scenario_from_raw
from simlib.allocate.spec import OptimizeSpec, read_spec, resolve_spec
from simlib.allocate.summary import ASKED
from simlib.errors import InputError, as_given
from simlib.i18n import fmt
from simlib.scenario import Scenario, load_scenario

ABSORB_ROUNDS = 3  # re-solves with caps tightened to the optimum's own eligible counts


@dataclass
class OptimizationResult:
    """Everything `simlib optimize` reports (see the module docstring)."""

    scenario: Scenario
    spec: OptimizeSpec
    problem: Problem
    x: np.ndarray
    status: str  # optimal | targets_infeasible
    optimal: Scenario
    optimal_raw: dict
    allocation: pd.DataFrame
    lines: pd.DataFrame
    comparison: pd.DataFrame
    binding: list[Binding]
    frontier: pd.DataFrame
    certificate: Certificate
    infeasibility: list[dict] = field(default_factory=list)
    plan_findings: list = field(default_factory=list)
    plan_breaches: list = field(default_factory=list)  # the plan's breaches of the rows (`breaches.Breach`)
    amounts: dict = field(default_factory=dict)  # allocation name -> (Y+1, L, S) VND
    scenarios: dict = field(default_factory=dict)  # allocation name -> Scenario reproducing it
    districts: pd.DataFrame = field(default_factory=pd.DataFrame)  # marginal values per line and district
    best_line: dict | None = None  # the best line and the rule that stops it
    zero_lines: list = field(default_factory=list)
    unallocatable: pd.DataFrame = field(default_factory=pd.DataFrame)
    robust: RobustResult | None = None
    legal: dict = field(default_factory=dict)  # the optimum under the legal frame (compliance.legal_status)
    legal_violations: list = field(default_factory=list)  # breaches not asked to be ignored (none, or a bug)

    @property
    def convergence(self) -> dict:
        """The certificate as a mapping (summary.json)."""
        return {k: v for k, v in self.certificate.as_dict().items() if k != "models"}

    @property
    def verdict(self) -> str:
        """The status a reader is shown: `status`, except that an optimum whose certificate does
        not keep the optimiser's promise (`Certificate.promise_met`) is `not_certified`."""
        if self.status == "optimal" and not self.certificate.promise_met:
            return "not_certified"
        return self.status

    def message(self, lang: str | None = None, where: str = "cli") -> str:
        """A short summary: headline numbers against the allocation the optimiser started from
        (`where`: "cli", the scenario's plan, or "explorer", the allocation being explored; the
        words of `simlib.allocate.summary.ASKED`), or why the targets cannot be met; a what-if run that ignores
        legal rules says so first; lines left without money where the law is unclear end it (`unfunded`)."""
        lang = i18n.get_lang(lang)
        heads = [whatif_text(self.scenario, lang), whatif_text(self.problem.scenario, lang)]  # a crossing: both
        heads = [h for h in dict.fromkeys(heads) if h] + [crossing_note(self.scenario, self.spec, lang)]
        return "\n".join([h for h in heads if h] + [self._message(lang, where), *unfunded.texts(self, lang)])

    def _message(self, lang: str, where: str) -> str:
        if self.status == "targets_infeasible":
            return infeasible_message(self.infeasibility, lang)
        c = self.comparison.set_index("allocation")
        opt, plan = c.loc["optimal"], c.loc["plan"]
        if self.spec.objective == "min_cost":
            head = i18n.t(
                "alloc.summary_cost",
                lang,
                total=fmt.number(opt["total_bn"], lang, 1),
                plan=fmt.number(plan["total_bn"], lang, 1),
                poor=fmt.number(opt["poor"], lang),
                start=i18n.t(ASKED[where][0], lang),
            )
        else:
            head = summary_text(self.spec.objective, opt, plan, lang, where)
        text = head + "\n" + certificate_text(self.certificate, self.spec, lang)
        note = unknown_note(self.spec.counterpart) if self.spec.counterpart is not None else None
        return text + "\n" + note.get(lang) if note is not None else text


def summary_text(objective: str, opt, plan, lang: str, where: str = "cli") -> str:
    """The optimum's poor households at the horizon against those of the allocation it started
    from (`where`: "cli", the plan, or "explorer", the allocation being explored; `ASKED`): fewer, or more when the objective
    is not the poor count (a negative "fewer" read «−866 fewer than the plan»)."""
    diff = float(plan["poor"] - opt["poor"])
    return i18n.t(
        "alloc.summary" if diff >= 0 else "alloc.summary_more",
        lang,
        objective=i18n.t(f"alloc.objective.{objective}", lang),
        poor=fmt.number(opt["poor"], lang),
        plan_poor=fmt.number(plan["poor"], lang),
        fewer=fmt.number(abs(diff), lang),
        total=fmt.number(opt["total_bn"], lang, 1),
        start=i18n.t(ASKED[where][0], lang),
    )


def whatif_text(scen: Scenario, lang: str) -> str:
    """'' — or, for a what-if scenario that asks to ignore legal rules, a sentence naming them and
    saying the allocation could not be adopted as it stands."""
    rules = scen.ignored_rules
    if not rules:
        return ""
    names = ", ".join(i18n.t(f"legal.rule.{r}", lang) for r in rules)
    return i18n.t("alloc.whatif_ignored", lang, rules=names)


def infeasible_message(rows: list[dict], lang: str) -> str:
    parts = [i18n.t("alloc.infeasible_head", lang)]
    for r in rows:
        text = i18n.t(
            "alloc.infeasible_row",
            lang,
            label=r[i18n.column("label", lang)],
            geo=r[i18n.column("geo_label", lang)],
            year=r["year"],
            best=format_value(r["best"], r["indicator"], lang),
            threshold=format_value(r["threshold"], r["indicator"], lang),
            binds=i18n.t("alloc.binds", lang) if r["binds"] else "",
        )
        parts.append("  - " + text)
    return "\n".join(parts)


# --- the linear rules --------------------------------------------------------------------------
def _diagnose_bounds(p: Problem, spec: OptimizeSpec) -> InputError:
    """Why the linear rules cannot hold together: drop each group of rows in turn and say which
    group's removal makes the rest feasible."""
    kinds = [r.kind for r in p.rows]
    for kind in ("target", "commitment", "floor", "earmark", "counterpart", "ceiling", "cap"):
        if kind not in kinds:
            continue
        try:
            solve.feasible_point(p.with_rows(np.array([k != kind for k in kinds])))
        except solve.Infeasible:
            continue
        fld = {"cap": "lines", "target": "targets"}.get(kind, kind)
        return InputError(f"opt_infeasible_{kind}", file=spec.file, field=fld)
    return InputError("opt_infeasible_all", file=spec.file, field="lines")


def _without_targets(p: Problem) -> Problem:
    return p.with_rows(np.array([r.kind != "target" for r in p.rows]), target_rows=[])


def _feasible(p: Problem, spec: OptimizeSpec, scen: Scenario, names: dict) -> tuple[Problem, str, list]:
    """The problem, or without its linear coverage targets when only they rule every allocation
    out (status targets_infeasible, with how far each can be met); bounds that contradict each
    other are an input error."""
    try:
        solve.feasible_point(p)
        return p, "optimal", []
    except solve.Infeasible:
        pass
    q = _without_targets(p)
    q = replace(q, target_rows=p.target_rows)
    try:
        solve.feasible_point(q)
    except solve.Infeasible:
        raise diagnose.legal_cause(q, spec.file) or _diagnose_bounds(p, spec) from None
    if not any(r.kind == "target" for r in p.rows):  # pragma: no cover - the loop above found the cause
        raise _diagnose_bounds(p, spec) from None
    return q, "targets_infeasible", linear_target_failure(p, scen, names)


# --- solving -----------------------------------------------------------------------------------
def _solve(p: Problem, starts: list, names: dict, f_zero: float, status: str, tests: list, corners: bool) -> tuple:
    """(x, status, infeasibility rows, certificate, poverty optimum) for the problem's objective;
    `corners`: the multistart (when one is needed) also starts from all money on each line."""
    if p.objective == "min_cost" and status == "optimal":
        return solve_min_cost(p, starts, names, f_zero)
    if p.objective == "min_cost":  # a linear coverage target cannot be met: best poverty result
        x, cert = poverty_optimum(p, starts, f_zero)
        return x, status, [], cert, x
    x, cert = engine_search.improved(p, f_zero, starts, tests, corners)  # certified, then searched on the engine
    return x, status, [], cert, x


def _absorbed(scen, spec, p, providers, starts, names, f_zero, status, tests) -> tuple:
    """Solve with absorption caps from the eligible counts of the runs with no programme and with
    the scenario's money; then, since the optimum's own money moves who is eligible, with caps
    from the optimum's own run, until they settle. The best allocation that spends no money
    where it reaches no one is kept (the last one when none does). Only the first round's
    multistart starts from every line's corner; later rounds start from the previous optimum."""
    best, caps = None, None
    rounds = min(ABSORB_ROUNDS, spec.effort.absorb_rounds)
    for rnd in range(rounds):
        out = _solve(p, starts, names, f_zero, status, tests, corners=rnd == 0 and spec.effort.multistart)
        x = out[0]
        sp = p.spend(x[None])
        lost, _ = unallocatable(p.target, sp, p.on_runs)
        value = float(out[3].value)
        if lost.sum() <= 1e-4 * BN * p.Y and (best is None or value < best[1][3].value - 1e-9):
            best = (p, out)
        if rnd == rounds - 1:
            break
        new = absorbable_spend(p.target, [sp[0]], p.on_runs)
        if caps is not None and np.allclose(new, caps, rtol=1e-3, atol=1e-3 * BN):
            break
        caps = new
        provs = tuple(partial(absorption_rows, caps=caps) if f is absorption_rows else f for f in providers)
        q = build_problem(scen, spec, model=p.model, providers=provs, target=p.target, on_runs=p.on_runs)
        p = q if status == "optimal" else replace(_without_targets(q), target_rows=p.target_rows)
        try:
            starts = [solve.project(p, s) for s in [x] + starts]
        except solve.Infeasible:  # floors above what now reaches people: keep the last caps
            break
    p, (x, status2, infeas, cert, x_pov) = best if best is not None else (p, out)
    return p, x, status2, infeas, cert, x_pov


def _explained(p: Problem, x: np.ndarray, f_zero: float, names: dict, placed, models=()) -> dict:
    """Marginal values, binding rules with shadow prices, the best line, lines left at zero;
    `models` the certificate's last piecewise models (economy effort uses them for the shadow
    prices instead of sampling the curves again around x)."""
    marg = explain.line_marginals(p, x)
    values = np.full(len(p.rows), np.nan)
    effort = p.spec.effort
    if p.objective != "min_cost":
        if not effort.unit_marginals and models:  # economy: the certificate's last models, not re-run
            curves = models[0]
        else:
            tol = 2e-4 * max(abs(f_zero - float(p.evaluate(x[None])[0])), 1.0)
            curves = build_curves(p, x, direction_ranges(p), tol_f=tol, grid=effort.grid, rounds=effort.refine)
        values = explain.row_values(p, shadow_prices(p.A, p.b, curves, x))
    binding = explain.bindings(p, x, values, names, placed) + explain.target_bindings(p, x, names)
    return {
        "marg": marg,
        "districts": explain.district_marginals(p, x) if effort.unit_marginals else pd.DataFrame(),
        "binding": binding,
        "best": explain.best_line(p, x, marg, values, names),
        "zero": explain.zero_lines(p, x, marg, values, names),
    }


# --- entry point -------------------------------------------------------------------------------
def optimize(
    scen: Scenario,
    spec: OptimizeSpec | None = None,
    progress: bool = False,
    with_frontier: bool = True,
    providers: tuple | None = None,
    on_estimate=None,
    on_runs=None,
    **switches,
) -> OptimizationResult:
    """Optimise `scen`'s budget under `spec` (see `simlib.allocate.spec`); `switches` such as objective='poor' or
    by_district=True build a spec when none is given; `providers` replace the rule providers (default
    `rules.DEFAULT_PROVIDERS`; a legal frame adds its own); `on_estimate(runs, cpu_seconds_per_run)` is told the
    expected engine runs once the problem is built, `--robust`'s among them (`simlib.allocate.estimate.problem_runs`;
    the no-programme run timed, `timed_zero`); `on_runs(runs)` is told the engine runs of every call this
    optimisation makes, in runs of the whole model (a unit's model counts its share; `evaluate`), and no other."""
    spec = spec or resolve_spec(scen, **switches)
    providers = DEFAULT_PROVIDERS if providers is None else providers
    own, draws, (model, target) = scen, {}, kept_model(scen, spec)  # the scenario on the units allocated, its models
    if scen.units_switch:  # a crossing: the years on the new units, through the switch (`crossing`)
        cross = prepare_crossing(scen, spec, on_runs)
        own, spec, model, target = cross.scenario, cross.spec, cross.model, cross.target
        draws = {"scen": scen, "targets": draw_targets(scen, target)} if spec.robust else {}
    names = names_of(own, spec.plan_years)
    built = build_problem(own, spec, model=model, target=target, providers=providers, on_runs=on_runs)
    p, status, infeas = _feasible(built, spec, own, names)
    starts, x_plan, x_equal = baselines.starts(p, own)
    if spec.by_district:
        starts.append(_line_level_start(own, spec, p, providers))
    x_raw_plan = from_amounts(p, own.budget.amounts)
    f_zero, seconds = timed_zero(p)  # timed before the estimate is worked out (it took 1.3 ms of 1.6)
    if on_estimate is not None:
        search = engine_search.MAX_EVALUATIONS if p.objective != "min_cost" else 0  # `_solve`'s search
        on_estimate(problem_runs(p, spec, len(starts), direction_ranges(p), with_frontier, MAX_EXTRA, search), seconds)
    p, x, status, infeas2, cert, x_poverty = _absorbed(
        own, spec, p, providers, starts, names, f_zero, status, [x_plan, x_equal]
    )
    infeas = infeas or infeas2
    x_plan, x_equal = solve.project(p, x_plan), baselines.fill_equally(p, solve.project(p, x_equal))
    rob = None
    if spec.robust and status == "optimal":
        named = {"central_optimum": x, "plan": x_raw_plan, "equal_split": x_equal}
        rob = robust_optimum(p, [x, x_plan, x_equal], named, **draws)
        x, cert = rob.x, rob.certificate
    placed = np.zeros(len(p.b))
    if spec.objective != "min_cost" and not spec.robust:
        x, placed = baselines.place_leftover(p, x, x_plan)
    x = solve.tidy_sources(p, x)
    res = _result(
        scen, spec, p, x, status, infeas, cert, x_plan, x_equal, x_poverty, names, placed, rob, progress, with_frontier
    )
    release(p.target)  # what the model's runs keep (`continued.Kept`): a gigabyte for the communes
    return res


def _result(
    scen, spec, p, x, status, infeas, cert, x_plan, x_equal, x_poverty, names, placed, rob, progress, with_frontier
) -> OptimizationResult:
    """Tables, explanations and the frontier around the solution."""
    amounts = amounts_of(p, x)
    raw = optimal_scenario_raw(scen, amounts, spec.objective, district_spend_shares(p, x))
    optimal = scenario_from_raw(raw, scen)
    eq_raw = optimal_scenario_raw(
        scen, amounts_of(p, x_equal), spec.objective, district_spend_shares(p, x_equal), "equal_split"
    )
    allocs = {
        "optimal": amounts,
        "plan": scen.budget.amounts,
        "plan_feasible": amounts_of(p, x_plan),
        "equal_split": amounts_of(p, x_equal),
    }
    spends = {
        "optimal": p.spend(x[None])[0],
        "plan": p.model.spend,
        "plan_feasible": p.spend(x_plan[None])[0],
        "equal_split": p.spend(x_equal[None])[0],
    }
    comp, findings, breaks = comparison_table(p.scenario, spec, p, [x, x_plan, x_equal], allocs, spends, names)
    f_zero = float(p.evaluate(np.zeros((1, p.n)))[0])
    ex = _explained(p, x, f_zero, names, placed, getattr(cert, "models", ()))
    fr = pd.DataFrame()
    if with_frontier and spec.frontier:
        fp = p if spec.objective != "min_cost" else _without_targets(p).with_objective("poor")
        fr = frontier(fp, x_poverty if spec.objective == "min_cost" or spec.robust else x, spec.frontier, progress)
    legal, breaches = legal_check(optimal)
    note = unknown_note(spec.counterpart) if spec.counterpart is not None else None
    for lang in ("vi", "en") if note is not None else ():
        legal.setdefault(f"notes_{lang}", []).append(note.get(lang))
    return OptimizationResult(
        scenario=scen,
        spec=spec,
        problem=p,
        x=x,
        status=status,
        optimal=optimal,
        optimal_raw=raw,
        allocation=tables.allocation_table(p, allocs),
        lines=tables.lines_table(p, scen, allocs, ex["marg"]),
        comparison=comp,
        binding=ex["binding"],
        frontier=fr,
        certificate=cert,
        infeasibility=infeas,
        plan_findings=findings,
        plan_breaches=breaks,
        amounts=allocs,
        scenarios={"optimal": optimal, "plan": scen, "equal_split": scenario_from_raw(eq_raw, scen)},
        districts=tables.with_line_content(ex["districts"], p),
        best_line=ex["best"],
        zero_lines=ex["zero"],
        unallocatable=tables.unallocatable_table(p, spends),
        robust=rob,
        legal=legal,
        legal_violations=breaches,
    )


def _line_level_start(scen: Scenario, spec: OptimizeSpec, p: Problem, providers) -> np.ndarray:
    """For a per-district problem: the optimum of the same problem with each line split across
    districts by the scenario's rule, moved into the per-district problem (which can only do
    better from there)."""
    sub = replace(spec, by_district=False, frontier=(), robust=None)
    q = build_problem(scen, sub, model=p.model, providers=providers, target=p.target, on_runs=p.on_runs)
    if spec.objective == "min_cost" or not any(r.kind == "target" for r in p.rows):
        q = _without_targets(q) if spec.objective != "min_cost" else _without_targets(q).with_objective("poor")
    try:
        starts, _, _ = baselines.starts(q, scen)
        f_zero = float(q.evaluate(np.zeros((1, q.n)))[0])
        xq, _ = certified(objective_task(q, f_zero), starts, [])
        return solve.project(p, from_amounts(p, amounts_of(q, xq)))
    except solve.Infeasible:  # pragma: no cover - the per-district problem is feasible
        return solve.feasible_point(p)


def prepare(
    scenario_path,
    objective: str | None = None,
    spec_path=None,
    set_overrides=None,
    by_district: bool | None = None,
    by_year: bool | None = None,
    frontier_scales=None,
    **switches,
) -> tuple[Scenario, OptimizeSpec]:
    """Load a scenario and an optional spec file and resolve the request (all input errors here);
    `switches` (robust, draws, sampler, seed) override the spec file."""
    scen = load_scenario(scenario_path, set_overrides)
    raw, shown = read_spec(spec_path)
    spec = resolve_spec(
        scen,
        raw,
        shown,
        objective=objective,
        by_district=by_district or None,
        by_year=by_year or None,
        frontier=list(frontier_scales) if frontier_scales is not None else None,
        **switches,
    )
    if not scen.units_switch:
        return scen, spec
    try:
        return scen, crossing_spec(scen, spec)
    except InputError as err:  # a year asked before the switch: on the command line, said of --years
        raise as_given([err], [k for k, v in switches.items() if v is not None])[0] from None


def run_optimization(scenario_path, progress: bool = False, **kw) -> OptimizationResult:
    """Load a scenario (and an optional spec file) and optimise it (keywords as `prepare`)."""
    scen, spec = prepare(scenario_path, **kw)
    return optimize(scen, spec, progress=progress)


__all__ = ["OptimizationResult", "Binding", "optimize", "prepare", "run_optimization", "frontier"]
