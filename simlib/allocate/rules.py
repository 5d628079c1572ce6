"""The rules an allocation must respect, as linear constraints on the optimiser's variables.

Decision variables are billion VND per projected year of one (line, source) pair — optionally
per district (`by_district`) or per year (`by_year`); `Variables` says which. Every rule is a set
of rows A x <= b, each labelled with a `Row`: what it is (`kind`), which rule it comes from
(`rule`) and on what basis (`basis`: a legal source, the scenario's budget, the spec file, or an
assumption, in words) — so that the optimum can say which rules bind and where they come from.

Rules come from providers: callables `provider(ctx) -> list[(a, b, Row)]` over a `RowContext`.
Built in (`DEFAULT_PROVIDERS`):
- `envelope_rows`: money per source and year within the money to allocate (the scenario's
  budget by source, or the spec file's envelope);
- `bound_rows`: floors, commitments and ceilings per line or project, and earmarks;
- `legal_rows`: the scenario's legal frame, exactly as `simlib.compliance.legal_constraints`
  states it — capital by content (Decision 90/QĐ-TTg as `params/legal/` records it), the
  central envelopes by year and source (illustrative where the frame says so), eligibility lists
  (P1.2 only in the exit-scheme districts), per-beneficiary norms, and the local counterpart
  (the frame's ratio, or the request's share as the labelled assumption it is); no rule is
  restated here. Rules a what-if scenario asks to ignore (`ignore_legal_rules`) are left out;
- `absorption_rows`: no line spends more in a unit than reaches people there (eligible
  households x take-up ceiling x unit cost), so the optimiser never puts money where it reaches
  no one.
Other rules join through their own provider (`build_problem(..., providers=...)` or
`optimize(..., providers=DEFAULT_PROVIDERS + (provider_of(fn),))`, where `fn(ctx)` gives named
linear constraints, see `constraint_rows`); their rows carry their rule ids and sources.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simlib.allocate.absorption import absorbable_spend
from simlib.allocate.spec import OptimizeSpec, year_blocks
from simlib.compliance import LeverLayout, legal_constraints
from simlib.i18n import LocalText
from simlib.model import Model
from simlib.scenario import SOURCES, Scenario

BN = 1e9


@dataclass
class Row:
    """One linear constraint row's meaning (for the plain-words report)."""

    kind: str  # envelope | floor | commitment | ceiling | earmark | cap | target | LEGAL_KINDS' values | legal
    code: str | None = None  # line / project code or target id
    source: str | None = None
    year: int | None = None  # calendar year; None = every projected year
    unit: str | None = None  # district id
    amount: float = 0.0  # billion VND, share or households
    rule: str = ""  # the rule's id (a legal frame's rule id, or the kind)
    basis: LocalText | None = None  # where the rule comes from, in words


@dataclass
class Variables:
    """Decision variables: each a (line, source) pair in one unit (-1: the scenario's split) and
    one projected year (-1: every year), spending along direction `dir` (`dirs` (K, Y, L, D) VND
    per billion), `disb` the disbursed share of the variable's source."""

    line: np.ndarray
    source: np.ndarray
    unit: np.ndarray
    year: np.ndarray
    dir: np.ndarray
    dirs: np.ndarray
    disb: np.ndarray

    @property
    def n(self) -> int:
        return len(self.line)

    def in_year(self, yi: int | None) -> np.ndarray:
        """Variables spending in projected year yi (None: every variable)."""
        return np.ones(self.n, bool) if yi is None else (self.year < 0) | (self.year == yi)


@dataclass
class RowContext:
    """What a rule provider sees: the scenario, its model, the request and the variables;
    `years` the projected-year blocks rows are made for (None: one block for every year)."""

    scenario: Scenario
    model: Model
    spec: OptimizeSpec
    v: Variables
    years: list
    target: object = None  # the model the engine runs (None: `model`; `evaluate.engine_model`)
    on_runs: Callable | None = None  # told the engine runs a provider makes (`evaluate` module docstring)

    def cal(self, yi: int | None) -> int | None:
        return None if yi is None else self.model.years[yi]


Provider = Callable[[RowContext], list]


def variables(
    model: Model, spec: OptimizeSpec, disb: np.ndarray, first: int = 0, cells: np.ndarray | None = None
) -> Variables:
    """One variable per (line, source with money), per district (`by_district`) and year
    (`by_year`; only the plan years with `plan_years`); lines nobody is eligible for anywhere get none.
    `first`: the first projected year on the model's units (a crossing's switch, `continued`).
    `cells` (Y, L, S) bool: the (line, source) cells that may take money in each projected year
    (`simlib.allocate.dated.cell_mask`: in a year under a dated catalogue, the cells a content
    stands for); a cell gets no variable in a year it may not take money, nor a variable for every
    year unless it may take money in every year. None: every cell."""
    L, D, Y = len(model.line_codes), len(model.unit_ids), len(model.years)
    split = model.split
    sources = [si for si in range(len(SOURCES)) if spec.envelope[:, si].max() > 0]
    # a scenario holds one split per line for every year on its units, the year before the start
    # included: a line keeps the scenario's split when its money from that year still acts (lag
    # >= 1) or when it has money in a year on these units that keeps the scenario's money (not
    # optimised): a split written for the optimised year would move that money too
    kept = [i + 1 for i, y in enumerate(model.years) if i >= first and spec.plan_years and y not in spec.plan_years]
    per_district = ~((model.lag > 0) & (model.spend[0].sum(axis=1) > 0)) & ~(model.spend[kept].sum(axis=(0, 2)) > 0)
    dirs, cols = [], []
    for yb in year_blocks(spec, tuple(model.years)):
        for li in range(L):
            srcs = [si for si in sources if cells is None or cells[slice(None) if yb < 0 else yb, li, si].all()]
            if split[li].sum() <= 0 or (cells is not None and not srcs):
                continue
            units = [int(d) for d in np.flatnonzero(split[li] > 0)] if spec.by_district and per_district[li] else [-1]
            for du in units:
                pat = np.zeros((Y, L, D))
                ys = slice(None) if yb < 0 else slice(yb, yb + 1)
                if du < 0:
                    pat[ys, li, :] = split[li] * BN
                else:
                    pat[ys, li, du] = BN
                cols += [(li, si, du, yb, len(dirs)) for si in srcs]
                dirs.append(pat)
    v = np.array(cols, dtype=int).reshape(-1, 5).T
    return Variables(*v, dirs=np.stack(dirs) if dirs else np.zeros((0, Y, L, D)), disb=disb[v[1]])


def _basis(key: str, **fields) -> LocalText:
    return LocalText.of(f"alloc.basis.{key}", **fields)


def envelope_rows(ctx: RowContext) -> list:
    """Money per source within the envelope of each year (or of every year)."""
    env, v = ctx.spec.envelope, ctx.v
    basis = _basis("envelope_spec" if "envelope" in ctx.spec.raw else "envelope_scenario")
    out = []
    for yi in ctx.years:
        for si, src in enumerate(SOURCES):
            amount = env[:, si].min() if yi is None else env[yi, si]
            a = (v.in_year(yi) & (v.source == si)).astype(float)
            if a.any() or amount < 0:
                row = Row("envelope", source=src, year=ctx.cal(yi), amount=amount, rule="envelope", basis=basis)
                out.append((a, amount, row))
    return out


def forced_money(ctx: RowContext) -> np.ndarray:
    """(L,) billion VND per year that floors, commitments and earmarks force onto single lines."""
    forced = np.zeros(len(ctx.model.line_codes))
    for bd in ctx.spec.bounds:
        if len(bd.lines) == 1:
            forced[bd.lines[0]] = max(forced[bd.lines[0]], bd.lower)
    for em in ctx.spec.earmarks:
        if len(em.lines) == 1:
            forced[em.lines[0]] = max(forced[em.lines[0]], em.amount)
    return forced


def bound_rows(ctx: RowContext) -> list:
    """Floors, commitments and ceilings per line or project; earmarks of a source."""
    v, spec, out = ctx.v, ctx.spec, []
    for bd in spec.bounds:
        sel = np.isin(v.line, bd.lines)
        basis = _basis("statutory") if bd.statutory else _basis("spec", file=spec.file or "")
        for yi in ctx.years:
            a = (v.in_year(yi) & sel).astype(float)
            if bd.lower > 0:
                kind = "commitment" if bd.commitment >= bd.floor and bd.commitment > 0 else "floor"
                out.append((-a, -bd.lower, Row(kind, bd.code, None, ctx.cal(yi), None, bd.lower, kind, basis)))
            if np.isfinite(bd.ceiling):
                out.append(
                    (a, bd.ceiling, Row("ceiling", bd.code, None, ctx.cal(yi), None, bd.ceiling, "ceiling", basis))
                )
    for em in spec.earmarks:
        sel = np.isin(v.line, em.lines) & (v.source == em.source)
        basis = _basis("spec", file=spec.file or "")
        for yi in ctx.years:
            a = (v.in_year(yi) & sel).astype(float)
            row = Row("earmark", em.code, SOURCES[em.source], ctx.cal(yi), None, em.amount, "earmark", basis)
            out.append((-a, -em.amount, row))
    return out


def absorption_rows(ctx: RowContext, caps: np.ndarray | None = None) -> list:
    """Per line, unit (or the line's split) and year block: spending at most what reaches people
    (`absorption.absorbable_spend`), never below what floors and earmarks force."""
    model, v = ctx.model, ctx.v
    caps = absorbable_spend(ctx.target or model, on_runs=ctx.on_runs) if caps is None else caps  # (Y, L, D) VND
    forced = forced_money(ctx) * (v.disb.max() if v.n else 1.0)
    split, out = model.split, []
    for yi in ctx.years:
        cy = caps.min(axis=0) if yi is None else caps[yi]
        for li, code in enumerate(model.line_codes):
            sel = v.in_year(yi) & (v.line == li)
            for du in sorted(set(v.unit[sel].tolist())):
                if du < 0:
                    pos = split[li] > 0
                    cap = float(np.min(cy[li, pos] / split[li, pos])) / BN
                else:
                    cap = cy[li, du] / BN
                cap = max(cap, forced[li])
                unit = None if du < 0 else model.unit_ids[du]
                a = np.where(sel & (v.unit == du), v.disb, 0.0)
                out.append((a, cap, Row("cap", code, None, ctx.cal(yi), unit, cap, "absorption", _basis("absorption"))))
    return out


def constraint_rows(constraints) -> list:
    """Rows from named linear constraints over the optimiser's variables — the legal frame's
    format: each with `name` (the rule's id), `source` (its legal source in words, a LocalText),
    `row` (n,), `sense` ('<=', '>=' or '=='), `rhs` (billion VND) and `key` (a mapping that may
    name the item or line, source, year and unit). They bind as kind `legal`, named by their
    rule id and basis; '>=' rows are negated, '==' rows give two rows."""
    out = []
    for c in constraints:
        key = dict(getattr(c, "key", None) or {})
        code = key.get("item", key.get("line", c.name))
        row = Row("legal", code, key.get("source"), key.get("year"), key.get("unit"), float(c.rhs), c.name, c.source)
        a, b = np.asarray(c.row, float), float(c.rhs)
        if c.sense in ("<=", "=="):
            out.append((a, b, row))
        if c.sense in (">=", "=="):
            out.append((-a, -b, row))
    return out


def provider_of(constraints_of: Callable) -> Provider:
    """A rule provider from a function `constraints_of(ctx)` giving named linear constraints (see
    `constraint_rows`): how a legal frame's constraints join the optimiser's rules."""

    def provider(ctx: RowContext) -> list:
        return constraint_rows(constraints_of(ctx))

    return provider


#: a legal rule's id (`simlib.compliance.RULES`) -> the row kind the explanation words it by
LEGAL_KINDS = {
    "capital": "capital",
    "counterpart": "counterpart",
    "envelope": "legal_envelope",
    "territory": "territory",
    "norm": "norm",
}


def legal_layout(ctx: RowContext) -> LeverLayout:
    """The optimiser's variables in the legal frame's terms (`simlib.compliance.LeverLayout`):
    items are the model's lines, years index the budget's years (0 the history year)."""
    v, model, scen = ctx.v, ctx.model, ctx.scenario
    year = np.where(v.year < 0, -1, v.year + 1)
    units = tuple(model.unit_ids)
    return LeverLayout(
        tuple(scen.budget.years), tuple(model.line_codes), SOURCES, units, v.line, v.source, year, v.unit, model.split
    )


def counterpart_assumption(ctx: RowContext) -> tuple[float, LocalText] | None:
    """The local counterpart share the request asks for, as the labelled assumption the legal frame
    uses where it knows no ratio (the spec file's, else `params/allocation.yaml`'s in the years it
    was chosen for; `simlib.allocate.counterpart`)."""
    spec = ctx.spec
    if spec.counterpart_min_share <= 0:
        return None
    q = ctx.scenario.params["allocation"]["money"]["counterpart"]["min_local_share_of_central"]
    if "counterpart_min_share" in spec.raw:
        basis = _basis("spec", file=spec.file or "")
    else:
        basis = _basis("source", file="params/allocation.yaml") if "source" in q else _basis("assumption")
    return spec.counterpart_min_share, basis


def _counterpart_applies(ctx: RowContext, row: Row) -> bool:
    """Whether a counterpart row's year has a counterpart rule (a year whose frame knows no ratio
    and that no request or assumption covers is not held to any)."""
    floor = ctx.spec.counterpart
    return floor is None or row.year is None or floor.share(row.year) is not None


def legal_rows(ctx: RowContext) -> list:
    """The scenario's legal frame (`simlib.compliance.legal_constraints`: capital by content,
    central envelopes by year and source, eligibility lists, the local counterpart, support norms)
    as rows, each under its rule id and legal source; rules a what-if scenario asks to ignore are
    left out, and so is the counterpart in years without a counterpart rule. Rows that repeat
    unchanged in every year (variables for every year) are kept once."""
    assumed = counterpart_assumption(ctx)
    floor = ctx.spec.counterpart
    found = legal_constraints(
        ctx.scenario, legal_layout(ctx), model=ctx.model, absorption=False, assumed_counterpart=assumed
    )
    seen: dict = {}
    for a, b, row in constraint_rows(found):
        row.kind = LEGAL_KINDS.get(row.rule, "legal")
        if row.kind == "counterpart":
            if not _counterpart_applies(ctx, row):
                continue
            share = floor.share(row.year) if floor is not None and row.year is not None else None
            row.amount = share if share is not None else assumed[0]
        key = (row.rule, row.code, row.source, row.unit, a.tobytes(), b)
        if key in seen:
            seen[key][2].year = None
        else:
            seen[key] = (a, b, row)
    return list(seen.values())


DEFAULT_PROVIDERS: tuple[Provider, ...] = (envelope_rows, bound_rows, legal_rows, absorption_rows)


class Rows:
    """Linear constraint rows A x <= b with their meaning, in the order they are added."""

    def __init__(self):
        self.A: list[np.ndarray] = []
        self.b: list[float] = []
        self.rows: list[Row] = []

    def add(self, a: np.ndarray, b: float, row: Row) -> None:
        self.A.append(a)
        self.b.append(b)
        self.rows.append(row)

    def extend(self, items: list) -> None:
        for a, b, row in items:
            self.add(a, b, row)
