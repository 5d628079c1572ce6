"""`optimize`: the best split of the budget under the expected engine.

Objectives (fewer is better, all counted at the horizon's annual review):
- `poor`: poor households;
- `poor_near_poor`: poor + near-poor households;
- `welfare`: poor households weighted up for ethnic-minority households and poor districts,
  plus near-poor households at a lower weight (`params/allocation.yaml`, welfare);
- `min_cost`: the least total money that meets every plan target (`params/targets.yaml`) in
  every projected year, within the envelope and bounds.

The result carries the allocation, the scenario that reproduces it (a YAML `simlib run` accepts),
projected indicators and targets next to the plan and an equal split, the marginal value of one
more billion VND in each line, the binding constraints in plain words (Vietnamese and English),
and the frontier of poverty reduction against the total budget. When the targets cannot be met,
the result says so with the best achievable value of each target and which target binds.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from simlib import i18n
from simlib.allocate import solve
from simlib.allocate.problem import (
    BN,
    Problem,
    amounts_of,
    build_problem,
    district_spend_shares,
    from_amounts,
    objective_weights,
)
from simlib.allocate.spec import OptimizeSpec, resolve_spec
from simlib.allocate.structure import check_budget, equal_by_source, source_mask
from simlib.errors import InputError
from simlib.i18n import LANGS, LocalText, fmt
from simlib.scenario import MONEY_UNITS, SOURCES, Scenario, scenario_from_dict
from simlib.states import POOR


@dataclass
class Binding:
    """A constraint that holds with equality at the optimum, in plain words."""

    kind: str
    code: str | None
    source: str | None
    year: int | None
    unit: str | None
    amount: float
    value_per_billion: float | None  # households lifted per extra billion VND where meaningful
    text: LocalText  # binding.csv: text_vi, text_en


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
    convergence: dict
    infeasibility: list[dict] = field(default_factory=list)
    plan_findings: list = field(default_factory=list)
    amounts: dict = field(default_factory=dict)  # allocation name -> (Y+1, L, S) VND
    scenarios: dict = field(default_factory=dict)  # allocation name -> Scenario reproducing it

    def message(self, lang: str | None = None) -> str:
        """A short summary: headline numbers, or why the targets cannot be met."""
        lang = i18n.get_lang(lang)
        if self.status == "targets_infeasible":
            parts = [i18n.t("alloc.infeasible_head", lang)]
            for r in self.infeasibility:
                parts.append(
                    "  - "
                    + i18n.t(
                        "alloc.infeasible_row",
                        lang,
                        label=r[i18n.column("label", lang)],
                        geo=r[i18n.column("geo_label", lang)],
                        year=r["year"],
                        best=_fmt_value(r["best"], r["indicator"], lang),
                        threshold=_fmt_value(r["threshold"], r["indicator"], lang),
                        binds=i18n.t("alloc.binds", lang) if r["binds"] else "",
                    )
                )
            return "\n".join(parts)
        c = self.comparison.set_index("allocation")
        opt, plan = c.loc["optimal"], c.loc["plan"]
        if self.spec.objective == "min_cost":
            return i18n.t(
                "alloc.summary_cost",
                lang,
                total=fmt.number(opt["total_bn"], lang, 1),
                plan=fmt.number(plan["total_bn"], lang, 1),
                poor=fmt.number(opt["poor"], lang),
            )
        return i18n.t(
            "alloc.summary",
            lang,
            objective=i18n.t(f"alloc.objective.{self.spec.objective}", lang),
            poor=fmt.number(opt["poor"], lang),
            plan_poor=fmt.number(plan["poor"], lang),
            fewer=fmt.number(plan["poor"] - opt["poor"], lang),
            total=fmt.number(opt["total_bn"], lang, 1),
        )


def _fmt_value(v: float, indicator: str, lang: str) -> str:
    return fmt.points(v, lang) if indicator.endswith("change") else fmt.percent(v, lang)


# --- the pieces -----------------------------------------------------------------------------
def _diagnose_bounds(p: Problem, spec: OptimizeSpec) -> InputError:
    """Why the linear constraints cannot hold together: drop each group of rows in turn and say
    which group's removal makes the rest feasible."""
    groups = {}
    for i, r in enumerate(p.rows):
        groups.setdefault(r.kind, []).append(i)
    for kind in ("target", "commitment", "floor", "earmark", "counterpart", "ceiling", "cap"):
        if kind not in groups:
            continue
        keep = np.array([r.kind != kind for r in p.rows])
        q = replace(
            p,
            A=p.A[keep],
            b=p.b[keep],
            rows=[r for r, k in zip(p.rows, keep) if k],
            envelope_rows=p.envelope_rows[keep],
        )
        try:
            solve.feasible_point(q)
        except solve.Infeasible:
            continue
        return InputError(
            f"opt_infeasible_{kind}", file=spec.file, field={"cap": "lines", "target": "targets"}.get(kind, kind)
        )
    return InputError("opt_infeasible_all", file=spec.file, field="lines")


def _starts(p: Problem, scen: Scenario) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Feasible starting points: the plan and the capital-respecting equal split (each moved to
    the nearest feasible allocation), and the cheapest feasible allocation."""
    x_plan = solve.project(p, from_amounts(p, scen.budget.amounts))
    x_equal = fill_equally(p, solve.project(p, from_amounts(p, equal_amounts(p, scen))))
    return [x_plan, x_equal, solve.feasible_point(p)], x_plan, x_equal


def fill_equally(p: Problem, x: np.ndarray, rounds: int = 20) -> np.ndarray:
    """Share money left in an envelope equally among the lines that may use that source and still
    have room (below their eligible cap and ceiling; per district by the scenario's split),
    until nothing more fits."""
    for _ in range(rounds):
        slack = p.b - p.A @ x
        tol = 1e-6 * np.maximum(1.0, np.abs(p.b))
        add = np.zeros_like(x)
        for i in np.flatnonzero(p.envelope_rows & (slack > tol)):
            vars_i = np.flatnonzero(p.A[i] > 0)
            room = [
                v
                for v in vars_i
                if all(slack[j] > tol[j] for j in np.flatnonzero(p.A[:, v] > 0) if j != i and not p.envelope_rows[j])
            ]
            lines_r = sorted(set(p.var_line[room].tolist())) if room else []
            for li in lines_r:
                vs = [v for v in room if p.var_line[v] == li]
                w = np.array([p.model.split[li, p.var_unit[v]] if p.var_unit[v] >= 0 else 1.0 for v in vs])
                add[vs] += slack[i] / len(lines_r) * w / w.sum()
        if not add.any():
            break
        new = solve.project(p, x + add)
        if np.abs(new - x).sum() < 1e-6:
            break
        x = new
    return x


def place_leftover(p: Problem, x: np.ndarray, x_plan: np.ndarray, rounds: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Money the optimum leaves in an envelope because it changes nothing within the horizon
    (infrastructure money in the last year acts only after it) is placed as the plan places that
    source (equally where the plan has none), where lines have room — only if the objective does
    not get worse. Returns the allocation and the money placed per constraint row."""
    f = float(p.evaluate(x[None])[0])
    placed = np.zeros(len(p.b))
    for _ in range(rounds):
        slack = p.b - p.A @ x
        tol = 1e-4 * np.maximum(1.0, np.abs(p.b))
        add = np.zeros_like(x)
        rows = np.flatnonzero(p.envelope_rows & (slack > tol))
        for i in rows:
            vars_i = np.flatnonzero(p.A[i] > 0)
            room = np.array(
                [
                    v
                    for v in vars_i
                    if all(
                        slack[j] > tol[j] for j in np.flatnonzero(p.A[:, v] > 0) if j != i and not p.envelope_rows[j]
                    )
                ],
                int,
            )
            if not len(room):
                continue
            w = x_plan[room] if x_plan[room].sum() > 0 else np.ones(len(room))
            add[room] += slack[i] * w / w.sum()
        if not add.any():
            break
        try:
            cand = solve.project(p, x + add)
        except solve.Infeasible:  # pragma: no cover - x + add is near a feasible point
            break
        fc = float(p.evaluate(cand[None])[0])
        if fc > f + 1e-9 * max(abs(f), 1.0):
            break
        placed += np.maximum(slack - (p.b - p.A @ cand), 0.0) * p.envelope_rows
        x, f = cand, fc
    return x, placed


def equal_amounts(p: Problem, scen: Scenario) -> np.ndarray:
    """Amounts (Y+1, L, S) of an equal split that respects the capital rules: each source's
    envelope split equally among the lines it may fund and that reach somebody."""
    mask = source_mask(scen.catalogue, scen.params["funding"])
    usable = p.model.split.sum(axis=1) > 0
    out = np.zeros_like(scen.budget.amounts)
    out[0] = scen.budget.amounts[0]
    for yi in range(p.Y):
        out[yi + 1] = equal_by_source(p.spec.envelope[yi] * BN, mask, usable)
    return out


def line_marginals(p: Problem, x: np.ndarray) -> pd.DataFrame:
    """Households lifted out of poverty (and objective change) per extra billion VND in each
    line, and per billion VND taken away, at allocation x. Money follows the line's present
    district split; without a year dimension the extra billion is spread over the projected
    years (so values are per billion in total)."""
    m = p.model
    sp = p.spend(x[None])[0]
    L, D, Y = len(m.line_codes), len(m.unit_ids), p.Y
    blocks = list(range(Y)) if p.spec.by_year else [None]
    pats, keys = [], []
    for yb in blocks:
        for li in range(L):
            ys = range(Y) if yb is None else [yb]
            pat = np.zeros((Y + 1, L, D))
            for yi in ys:
                cur = sp[yi + 1, li]
                w = cur / cur.sum() if cur.sum() > 0 else m.split[li]
                pat[yi + 1, li] = w * BN / len(ys)
            pats.append(pat)
            keys.append((yb, li))
    pats = np.array(pats)
    batch = np.concatenate([sp[None], sp[None] + pats, np.maximum(sp[None] - pats, 0.0)])
    out = p.run_spend(batch)
    poor = out.states[:, -1, :, POOR].sum(-1)
    obj = p.objective_from(out) if p.objective != "min_cost" else poor
    n = len(keys)
    cut_ok = np.array([(sp[1:, li] - pats[k, 1:, li] >= -1e-6).all() for k, (_, li) in enumerate(keys)])
    rows = []
    for k, (yb, li) in enumerate(keys):
        rows.append(
            {
                "line": m.line_codes[li],
                "year": None if yb is None else m.years[yb],
                "lifted_per_billion_added": float(poor[0] - poor[1 + k]),
                "lifted_per_billion_cut": float(poor[1 + n + k] - poor[0]) if cut_ok[k] else np.nan,
                "objective_per_billion_added": float(obj[0] - obj[1 + k]),
                "reached_share": float(_reached_share(out, m, li)),
            }
        )
    return pd.DataFrame(rows)


def _reached_share(out, m, li) -> float:
    """Share of the line's reachable beneficiaries (eligible x max share) reached, worst year."""
    r = out.reached[0, :, li].sum(-1)
    e = (out.eligible[0, :, li] * m.max_share[li]).sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(e > 0, r / e, np.nan)
    return float(np.nanmin(s)) if np.isfinite(s).any() else np.nan


def _binding(
    p: Problem, x: np.ndarray, marg: pd.DataFrame, lang_names: dict, placed: np.ndarray | None = None
) -> list[Binding]:
    """Constraints that hold with equality at x, in plain words, with what a billion more is
    worth; and money placed without effect within the horizon (`placed`, per row)."""
    slack = p.b - p.A @ x
    mask = source_mask(p.scenario.catalogue, p.scenario.params["funding"])
    gain = marg.groupby("line")["lifted_per_billion_added"].max()
    disb = {s: p.var_disb[p.var_source == i][0] for i, s in enumerate(SOURCES) if (p.var_source == i).any()}
    out: list[Binding] = []
    seen_caps = set()
    # lines that cannot take more money: at a binding ceiling, or reaching everybody eligible
    blocked = set(marg.loc[marg["reached_share"] >= 0.999, "line"])
    for i, r in enumerate(p.rows):
        if r.kind == "ceiling" and slack[i] <= 1e-4 * max(1.0, abs(p.b[i])):
            blocked.update(lc for lc, _ in p.scenario.catalogue.expand(r.code))
    for i, r in enumerate(p.rows):
        tol = 1e-4 * max(1.0, abs(p.b[i]))
        if r.kind == "envelope" and slack[i] > tol:
            out.append(_b("unneeded" if p.objective == "min_cost" else "unallocated", r, slack[i], None, lang_names))
            continue
        if slack[i] > tol:
            continue
        if r.kind == "envelope" and placed is not None and placed[i] > tol:
            out.append(_b("no_effect", r, placed[i], None, lang_names))
            continue
        if r.kind == "envelope":
            si = SOURCES.index(r.source)
            cand = [
                gain.get(code, 0.0)
                for li, code in enumerate(p.model.line_codes)
                if mask[li, si] and code not in blocked
            ]
            v = max(cand) * disb.get(r.source, 1.0) if cand else None
            if r.amount > 0:
                out.append(_b("envelope", r, r.amount, v, lang_names))
        elif r.kind == "cap":
            continue  # reported from the engine's coverage below
        elif r.kind in ("floor", "commitment", "ceiling", "earmark"):
            out.append(_b(r.kind, r, r.amount, gain.get(r.code), lang_names))
        elif r.kind == "counterpart":
            if np.abs(p.A[i]) @ x > 1e-6:  # only when money is spent
                out.append(_b("counterpart", r, r.amount, None, lang_names))
        elif r.kind == "target":
            key = (r.code, r.year)
            if key in seen_caps:
                continue
            seen_caps.add(key)
            out.append(_b("target_linear", r, r.amount, None, lang_names))
    from simlib.allocate.problem import Row

    for _, mrow in marg.iterrows():
        if mrow["reached_share"] >= 0.999:
            out.append(
                _b(
                    "cap",
                    Row("cap", code=mrow["line"], year=None if pd.isna(mrow["year"]) else int(mrow["year"])),
                    0.0,
                    None,
                    lang_names,
                )
            )
    if p.target_rows:
        sl = p.target_slacks(p.run(x[None]))[0]
        vals = p.target_values(p.run(x[None]))[0]
        for j, tr in enumerate(p.target_rows):
            if sl[j] <= 1e-3:
                fields = {
                    "label": tr.label,
                    "geo": tr.geo,
                    "value": vals[j],
                    "threshold": tr.threshold,
                    "indicator": tr.indicator,
                }
                year = p.model.years[tr.year_index - 1]
                out.append(
                    Binding(
                        "target",
                        tr.target_id,
                        None,
                        year,
                        tr.geo if tr.geo_type == "district" else None,
                        vals[j],
                        None,
                        LocalText(
                            vi=_target_text("vi", fields, year, lang_names),
                            en=_target_text("en", fields, year, lang_names),
                        ),
                    )
                )
    return out


def _target_text(lang: str, f: dict, year: int, names: dict) -> str:
    geo = names.get(("geo", f["geo"], lang), f["geo"])
    return i18n.t(
        "alloc.bind.target",
        lang,
        label=f["label"],
        geo=geo,
        year=year,
        value=_fmt_value(f["value"], f["indicator"], lang),
        threshold=_fmt_value(f["threshold"], f["indicator"], lang),
    )


def _b(kind: str, r, amount: float, value: float | None, names: dict) -> Binding:
    texts = {}
    for lang in LANGS:
        year = i18n.t("alloc.every_year", lang) if r.year is None else i18n.t("alloc.in_year", lang, year=r.year)
        line = names.get(("line", r.code, lang), r.code or "")
        text = i18n.t(
            f"alloc.bind.{kind}",
            lang,
            line=line,
            code=r.code or "",
            source=i18n.label("source", r.source, lang) if r.source else "",
            amount=fmt.number(amount, lang, 2),
            year=year,
            pct=fmt.percent(100 * r.amount, lang),
        )
        if value is not None and np.isfinite(value):
            text += " " + i18n.t("alloc.bind.value", lang, value=fmt.number(value, lang, 1))
        texts[lang] = text
    return Binding(kind, r.code, r.source, r.year, r.unit, float(amount), value, LocalText(**texts))


def _names(scen: Scenario) -> dict:
    out = {}
    for lang in LANGS:
        for code, ln in scen.catalogue.lines.items():
            out[("line", code, lang)] = f"{code} ({ln.name(lang)})"
        for code, pj in scen.catalogue.projects.items():
            out.setdefault(("line", code, lang), f"{code} ({pj.name(lang)})")
        for u in scen.dataset.unit_ids:
            out[("geo", u, lang)] = scen.dataset.unit_name(u, lang)
        for g in ("province", "poor_districts", "ethnic_minority", "kinh"):
            out[("geo", g, lang)] = i18n.t(f"geo.{g}", lang)
        for t in scen.params["targets"]["targets"]:
            out[("line", t["id"], lang)] = t[i18n.column("label", lang)]
    return out


# --- the optimal scenario ------------------------------------------------------------------
def optimal_scenario_raw(scen: Scenario, amounts: np.ndarray, objective: str, district_split: dict | None) -> dict:
    """A scenario mapping (as a YAML file holds it) with `amounts` (Y+1, L, S) VND; the rest —
    dataset, parameters, overrides, district split — as in `scen`. Paths are left as they are
    (`write_optimization` rewrites them for the output folder)."""
    raw = copy.deepcopy(scen.raw)
    raw["name"] = f"{scen.name}_optimal_{objective}"
    goal = LocalText.of(f"alloc.objective.{objective}")
    raw.update(LocalText.of("alloc.scenario_title", title=scen.title, objective=goal).to_fields("title"))
    raw.update(LocalText.of("alloc.scenario_description", name=scen.name).to_fields("description"))
    years = {}
    orig, scale = scen.raw["budget"]["years"], MONEY_UNITS[scen.raw["budget"]["unit"]] / BN
    for yi, y in enumerate(scen.budget.years):
        if yi == 0:  # the year before the start is history: keep its entry as the scenario gives it
            years[str(y)] = _rescaled(
                _resolved_entry(orig, str(y) if str(y) in orig else str(scen.budget.years[1])), scale
            )
            continue
        lines = {}
        for li, code in enumerate(scen.catalogue.codes):
            by_src = {
                s: round(float(amounts[yi, li, si]) / BN, 6)
                for si, s in enumerate(SOURCES)
                if amounts[yi, li, si] / BN >= 5e-7
            }
            if by_src:
                lines[code] = by_src
        years[str(y)] = {"lines": lines} if lines else {}
    split = copy.deepcopy(scen.raw["budget"].get("district_split") or {})
    if district_split:
        per_line = dict(split.get("lines") or {})
        for code, shares in district_split.items():
            per_line[code] = _round_shares(shares)
        split["lines"] = per_line
    raw["budget"] = {"unit": "billion VND", "years": years}
    if split:
        raw["budget"]["district_split"] = split
    over = dict(raw.get("overrides") or {})
    for k, v in scen.set_overrides:
        if k.split(".", 1)[0] in scen.params.docs:
            over[k] = v
    if over:
        raw["overrides"] = over
    return raw


def _resolved_entry(years: dict, key: str) -> dict:
    """A budget year's entry with `same_as` followed."""
    entry, seen = years[key], {key}
    while "same_as" in entry and str(entry["same_as"]) not in seen:
        seen.add(str(entry["same_as"]))
        entry = years[str(entry["same_as"])]
    return copy.deepcopy(entry)


def _rescaled(entry: dict, factor: float) -> dict:
    """A budget year's entry with its money converted by `factor` (shares unchanged)."""
    out = copy.deepcopy(entry)
    for code, by_src in (out.get("lines") or {}).items():
        out["lines"][code] = {k: float(v) * factor for k, v in by_src.items()}
    if "envelope" in out:
        out["envelope"] = {k: float(v) * factor for k, v in out["envelope"].items()}
    return out


def _round_shares(shares: dict[str, float], digits: int = 9) -> dict[str, float]:
    """Shares rounded for a YAML file that still add up to exactly 1 (within 1e-9)."""
    keys = list(shares)
    vals = np.round(np.array([shares[k] for k in keys], float), digits)
    vals[int(np.argmax(vals))] += 1.0 - vals.sum()
    return {k: float(round(v, digits)) for k, v in zip(keys, vals) if v > 0}


def _scenario_from_raw(raw: dict, scen: Scenario) -> Scenario:
    """The optimal scenario in memory (same parameters and dataset objects as `scen`)."""
    return scenario_from_dict(raw, file=None, params=scen.params, dataset=scen.dataset)


# --- comparison -----------------------------------------------------------------------------
def _summaries(p: Problem, named: dict[str, np.ndarray]) -> pd.DataFrame:
    """Objective, poor and poor + near-poor households at the horizon and total money for
    allocations given as spending (Y+1, L, D) VND, in one engine call."""
    names = list(named)
    spend = np.array([named[k] for k in names])
    out = p.run_spend(spend)
    zero = p.run_spend(np.zeros_like(spend[:1]))
    poor = out.states[:, -1, :, POOR].sum(-1)
    w_pnp = objective_weights(p.model, "poor_near_poor", p.scenario.params["allocation"])
    pnp = np.einsum("sgk,gk->s", out.states[:, -1], w_pnp)
    obj = p.objective_from(out) if p.objective != "min_cost" else poor
    poor0 = zero.states[0, -1, :, POOR].sum()
    return pd.DataFrame(
        {"allocation": names, "objective": obj, "poor": poor, "poor_near_poor": pnp, "households_lifted": poor0 - poor}
    )


def _allocation_table(p: Problem, allocations: dict[str, np.ndarray]) -> pd.DataFrame:
    """Long table: allocation, year, line, source, amount_bn (projected years)."""
    m = p.model
    rows = []
    for name, a in allocations.items():
        for yi, y in enumerate(m.years):
            for li, code in enumerate(m.line_codes):
                for si, s in enumerate(SOURCES):
                    v = a[yi + 1, li, si] / BN
                    if abs(v) > 1e-9:
                        rows.append({"allocation": name, "year": y, "line": code, "source": s, "amount_bn": float(v)})
    return pd.DataFrame(rows, columns=["allocation", "year", "line", "source", "amount_bn"])


# --- frontier -------------------------------------------------------------------------------
def frontier(p: Problem, x_ref: np.ndarray, scales: tuple[float, ...], progress: bool = False) -> pd.DataFrame:
    """Poverty reduction against the total budget: the best allocation (for the problem's
    objective) with every source envelope multiplied by each scale, warm-started from the
    neighbouring point. `x_ref` is the optimum at scale 1. Points where floors or commitments do
    not fit the smaller envelope are marked infeasible."""
    zero = p.run_spend(np.zeros((1,) + p.base_spend.shape))
    poor0 = float(zero.states[0, -1, :, POOR].sum())
    rows = []
    prev = x_ref
    for k in tqdm(
        sorted(scales, key=lambda s: (abs(s - 1.0), s)),
        desc=i18n.t("alloc.progress_frontier"),
        disable=not progress,
        leave=False,
    ):
        q = p.with_envelope_scale(k)
        if abs(k - 1.0) < 1e-12:
            x = x_ref
        else:
            try:
                cands = [solve.project(q, x_ref * k)]
            except solve.Infeasible:
                rows.append({"scale": k, "feasible": False})
                continue
            cands.append(solve.project(q, prev))
            x, _, _ = solve.minimise(q, cands, max_iter=12, rel_tol=1e-4) if k > 0 else (cands[0], 0.0, {})
        out = p.run_spend(q.spend(x[None]))
        poor = float(out.states[0, -1, :, POOR].sum())
        rows.append(
            {
                "scale": k,
                "feasible": True,
                "total_bn": float(x @ p.cost_weights),
                "objective": float(p.objective_from(out)[0]),
                "poor": poor,
                "households_lifted": poor0 - poor,
            }
        )
        prev = x
    df = pd.DataFrame(rows, columns=["scale", "feasible", "total_bn", "objective", "poor", "households_lifted"])
    return df.sort_values("scale").reset_index(drop=True)


# --- min cost -------------------------------------------------------------------------------
def _as_objective(p: Problem, objective: str) -> Problem:
    return replace(
        p, objective=objective, weights=objective_weights(p.model, objective, p.scenario.params["allocation"])
    )


def _solve_min_cost(
    p: Problem, starts: list[np.ndarray], names: dict, seed: np.ndarray | None = None
) -> tuple[np.ndarray, str, list[dict], dict]:
    """Least money meeting the targets; or, when no allocation within the envelope and bounds
    meets them all, the allocation with the best worst target and, for each target that cannot
    be met, its best achievable value (that target alone optimised) and whether it binds."""
    x_poor, _, info = solve.minimise(_as_objective(p, "poor"), starts, max_iter=30)
    cands = [x_poor] + starts
    k = int(np.argmax(p.target_slacks(p.run(np.array(cands))).min(axis=1)))
    x_mm, t, _ = solve.pl_slp(p, cands[k], "maxmin", stop_at=0.05)
    if t < 0:
        x_mm, t, _ = solve.pl_slp(p, x_mm, "maxmin", max_iter=80)
    if t < 0:
        out = p.run(x_mm[None])
        slack, vals = p.target_slacks(out)[0], p.target_values(out)[0]
        rows = []
        for tid in dict.fromkeys(tr.target_id for tr in p.target_rows):
            idx = np.array([j for j, tr in enumerate(p.target_rows) if tr.target_id == tid])
            if slack[idx].min() >= 0:
                continue
            xb, _, _ = solve.pl_slp(p, x_mm, "maxmin", rows=idx, max_iter=40)
            sb = p.target_slacks(p.run(xb[None]))[0]
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
                    "best": float(p.target_values(p.run(xb[None]))[0, j]),
                    "threshold": tr.threshold,
                    **tr.label.to_fields("label"),
                    "binds": bool(slack[idx].min() <= t + 1e-3),
                }
            )
        info["poverty_optimum"] = x_poor
        return x_mm, "targets_infeasible", rows, info
    # the targets' boundary is curved: ask the linear model for a little slack, then less
    x = x_mm  # start from the cheaper of the two allocations that meet every target
    if seed is not None and p.cost_weights @ seed < p.cost_weights @ x_mm and solve.targets_met(p, seed):
        x = seed
    for margin in (5e-3, 1e-3, 2e-4):
        x, _, info2 = solve.pl_slp(p, x, "mincost", max_iter=60, margin=margin)
    info2["poverty_optimum"] = x_poor
    return x, "optimal", [], info2


def _linear_target_failure(p_lin: Problem, p_nolin: Problem, scen: Scenario, names: dict) -> list[dict]:
    """Which linear coverage targets (officers trained, infrastructure) the bounds rule out, with
    the largest share of the money they need that the worst unit-year can get."""
    from scipy.optimize import linprog

    rows = []
    t_rows = [i for i, r in enumerate(p_lin.rows) if r.kind == "target"]
    base = [i for i, r in enumerate(p_lin.rows) if r.kind != "target"]
    for tid in sorted({p_lin.rows[i].code for i in t_rows}):
        idx = [i for i in t_rows if p_lin.rows[i].code == tid]
        n = p_lin.n
        # maximise s: a_r x >= s * need_r for the target's rows (rows are -a x <= -need)
        A = np.vstack(
            [
                np.hstack([p_lin.A[base], np.zeros((len(base), 1))]),
                np.hstack([p_lin.A[idx], np.array([[p_lin.rows[i].amount] for i in idx])]),
            ]
        )
        b = np.concatenate([p_lin.b[base], np.zeros(len(idx))])
        res = linprog(
            np.concatenate([np.zeros(n), [-1.0]]), A_ub=A, b_ub=b, bounds=[(0, None)] * n + [(0, 1)], method="highs"
        )
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


# --- entry point ----------------------------------------------------------------------------
def optimize(
    scen: Scenario, spec: OptimizeSpec | None = None, progress: bool = False, with_frontier: bool = True, **switches
) -> OptimizationResult:
    """Optimise `scen`'s budget under `spec` (see `simlib.allocate.spec`); `switches` such as
    objective='poor' or by_district=True build a spec when none is given."""
    spec = spec or resolve_spec(scen, **switches)
    names = _names(scen)
    p = build_problem(scen, spec)
    status, infeas = "optimal", []
    try:
        solve.feasible_point(p)
    except solve.Infeasible:
        lin_targets = [r for r in p.rows if r.kind == "target"]
        keep = np.array([r.kind != "target" for r in p.rows])
        q = replace(
            p,
            A=p.A[keep],
            b=p.b[keep],
            rows=[r for r, k in zip(p.rows, keep) if k],
            envelope_rows=p.envelope_rows[keep],
        )
        try:
            solve.feasible_point(q)
        except solve.Infeasible:
            raise _diagnose_bounds(p, spec) from None
        if not lin_targets:  # pragma: no cover - the loop above found the cause
            raise _diagnose_bounds(p, spec) from None
        infeas = _linear_target_failure(p, q, scen, names)
        status = "targets_infeasible"
        p = q
    starts, x_plan, x_equal = _starts(p, scen)
    seed = _line_level_seed(scen, spec, p, status) if spec.by_district else None
    if seed is not None:
        starts.append(seed)
    if spec.objective == "min_cost" and status == "optimal":
        x, status, infeas, info = _solve_min_cost(p, starts, names, seed)
    elif spec.objective == "min_cost":  # a linear coverage target cannot be met: best poverty result instead
        x, _, info = solve.minimise(_as_objective(p, "poor"), starts)
    else:
        x, _, info = solve.minimise(p, starts)
    info["engine_evaluations"] = int(p.n_evals)
    x_poverty = info.pop("poverty_optimum", x)
    placed = np.zeros(len(p.b))
    if spec.objective != "min_cost":
        x, placed = place_leftover(p, x, x_plan)
    x = solve.tidy_sources(p, x)

    amounts = amounts_of(p, x)
    raw = optimal_scenario_raw(scen, amounts, spec.objective, district_spend_shares(p, x))
    optimal = _scenario_from_raw(raw, scen)
    equal = _scenario_from_raw(
        optimal_scenario_raw(scen, amounts_of(p, x_equal), spec.objective, district_spend_shares(p, x_equal)), scen
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
    comp = _summaries(p, spends)
    comp["total_bn"] = [allocs[k][1:].sum() / BN for k in comp["allocation"]]
    findings = check_budget(scen, min_counterpart=spec.counterpart_min_share)
    comp["feasible"] = [True, solve.is_feasible(p, from_amounts(p, scen.budget.amounts)) and not findings, True, True]
    if p.target_rows:
        sl = p.target_slacks(p.run(np.array([x, from_amounts(p, scen.budget.amounts), x_plan, x_equal])))
        comp["targets_met"] = (sl >= -1e-6).all(axis=1)
    marg = line_marginals(p, x)
    lines = _lines_table(p, scen, allocs, marg)
    binding = _binding(p, x, marg, names, placed)
    fr = pd.DataFrame()
    if with_frontier and spec.frontier:
        fp = p if spec.objective != "min_cost" else _as_objective(_without_targets(p), "poor")
        fr = frontier(fp, x_poverty, spec.frontier, progress=progress)
    return OptimizationResult(
        scenario=scen,
        spec=spec,
        problem=p,
        x=x,
        status=status,
        optimal=optimal,
        optimal_raw=raw,
        allocation=_allocation_table(p, allocs),
        lines=lines,
        comparison=comp,
        binding=binding,
        frontier=fr,
        convergence=info,
        infeasibility=infeas,
        plan_findings=findings,
        amounts=allocs,
        scenarios={"optimal": optimal, "plan": scen, "equal_split": equal},
    )


def _line_level_seed(scen: Scenario, spec: OptimizeSpec, p: Problem, status: str) -> np.ndarray | None:
    """For a per-district problem: the optimum of the same problem with each line split across
    districts by the scenario's rule, as a feasible starting point (the per-district problem can
    only do better from there)."""
    sub_spec = replace(spec, by_district=False, frontier=())
    q = build_problem(scen, sub_spec, model=p.model)
    if status != "optimal":
        q = _without_targets(q)
    try:
        starts, _, _ = _starts(q, scen)
    except solve.Infeasible:  # pragma: no cover - the per-district problem is feasible
        return None
    if spec.objective == "min_cost" and status == "optimal":
        xq, _, _, _ = _solve_min_cost(q, starts, {})
    else:
        xq, _, _ = solve.minimise(q if spec.objective != "min_cost" else _as_objective(q, "poor"), starts)
    try:
        return solve.project(p, from_amounts(p, amounts_of(q, xq)))
    except solve.Infeasible:  # pragma: no cover
        return None


def _without_targets(p: Problem) -> Problem:
    keep = np.array([r.kind != "target" for r in p.rows])
    return replace(
        p,
        A=p.A[keep],
        b=p.b[keep],
        rows=[r for r, k in zip(p.rows, keep) if k],
        envelope_rows=p.envelope_rows[keep],
        target_rows=[],
    )


def _lines_table(p: Problem, scen: Scenario, allocs: dict, marg: pd.DataFrame) -> pd.DataFrame:
    """Per line: money per projected year under each allocation, bounds, marginal values."""
    m = p.model
    rows = []
    first = (
        marg[marg["year"].isna()]
        if not p.spec.by_year
        else marg.groupby("line", as_index=False).mean(numeric_only=True)
    )
    first = first.set_index("line")
    for li, code in enumerate(m.line_codes):
        ln = scen.catalogue.lines[code]
        lower = max([b.lower for b in p.spec.bounds if b.lines == (li,)] + [0.0])
        upper = min([b.ceiling for b in p.spec.bounds if b.lines == (li,)] + [np.inf])
        row = {"line": code, **ln.name.to_fields("name"), "capital": "+".join(ln.capital)}
        for k in ("optimal", "plan", "equal_split"):
            row[f"{k}_bn_per_year"] = float(allocs[k][1:, li].sum() / BN / p.Y)
        row["floor_bn"] = lower
        row["ceiling_bn"] = upper if np.isfinite(upper) else np.nan
        if code in first.index:
            for c in (
                "lifted_per_billion_added",
                "lifted_per_billion_cut",
                "objective_per_billion_added",
                "reached_share",
            ):
                row[c] = float(first.loc[code, c])
        rows.append(row)
    return pd.DataFrame(rows)


def prepare(
    scenario_path,
    objective: str | None = None,
    spec_path=None,
    set_overrides=None,
    by_district: bool | None = None,
    by_year: bool | None = None,
    frontier_scales=None,
) -> tuple[Scenario, OptimizeSpec]:
    """Load a scenario and an optional spec file and resolve the request (all input errors here)."""
    from simlib.allocate.spec import read_spec
    from simlib.scenario import load_scenario

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
    )
    return scen, spec


def run_optimization(
    scenario_path,
    objective: str | None = None,
    spec_path=None,
    set_overrides=None,
    by_district: bool | None = None,
    by_year: bool | None = None,
    frontier_scales=None,
    progress: bool = False,
) -> OptimizationResult:
    """Load a scenario (and an optional spec file) and optimise it."""
    scen, spec = prepare(scenario_path, objective, spec_path, set_overrides, by_district, by_year, frontier_scales)
    return optimize(scen, spec, progress=progress)


__all__ = ["OptimizationResult", "Binding", "optimize", "prepare", "run_optimization", "frontier", "line_marginals"]
