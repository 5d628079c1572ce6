"""What an optimisation is asked to do: objective, decision variables and constraints.

An `OptimizeSpec` comes from an optional YAML file (`simlib optimize --spec FILE`, schema
`params/schema/optimize.schema.yaml`) and command-line switches. `resolve_spec` checks it against
a scenario — codes, sources, capital rules, and bounds that contradict each other or the
envelope — and reports every problem as an `InputError` that names the field, the value and what
is allowed, before any solver runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simlib.allocate.counterpart import CounterpartFloor, counterpart_floor
from simlib.allocate.dated import content_problems
from simlib.allocate.effort import EFFORTS, FULL, Effort, choose
from simlib.allocate.kept import requested_years
from simlib.allocate.structure import source_mask
from simlib.budget import MAX_VND, MONEY_UNITS, SOURCES
from simlib.errors import InputError, as_given, raise_if_any
from simlib.i18n import LocalText, fmt
from simlib.paths import display_path
from simlib.schema import load_yaml, qv, validate

if TYPE_CHECKING:  # annotations only: the scenario module reads datasets (pandas)
    from simlib.scenario import Scenario

OBJECTIVES = ("poor", "poor_near_poor", "welfare", "poverty_gap", "min_cost")
ROBUST = ("expected", "regret")
DEFAULT_DRAWS = 30
#: targets that are linear in the money and may be required with any objective
LINEAR_TARGETS = ("officers_trained", "infrastructure_poor_districts")
DEFAULT_FRONTIER = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5)
CENTRAL = ("central_investment", "central_recurrent")


@dataclass(frozen=True)
class Bound:
    """Floor / ceiling of one line or project code, billion VND per projected year."""

    code: str
    lines: tuple[int, ...]  # line indices the code covers
    floor: float = 0.0
    ceiling: float = float("inf")
    commitment: float = 0.0
    statutory: bool = False

    @property
    def lower(self) -> float:
        return max(self.floor, self.commitment)


@dataclass(frozen=True)
class Earmark:
    code: str
    lines: tuple[int, ...]
    source: int
    amount: float  # billion VND per projected year


@dataclass(frozen=True)
class OptimizeSpec:
    """A resolved optimisation request (money in billion VND per projected year)."""

    objective: str = "poor"
    by_district: bool = False
    by_year: bool = False
    envelope: np.ndarray | None = None  # (Y, sources) billion VND; None until resolved
    bounds: tuple[Bound, ...] = ()
    earmarks: tuple[Earmark, ...] = ()
    counterpart_min_share: float = 0.0  # the largest share any year is held to (`counterpart`)
    counterpart: CounterpartFloor | None = None  # per year: share and where it comes from
    targets: tuple[str, ...] | None = None  # None: all (min_cost) / none (other objectives)
    frontier: tuple[float, ...] = DEFAULT_FRONTIER
    robust: str | None = None  # expected | regret: over parameter draws
    draws: int = DEFAULT_DRAWS
    sampler: str = "lhs"
    seed: int | None = None  # None: the scenario's
    file: str | None = None
    raw: dict = field(default_factory=dict)
    effort: Effort = FULL  # how many engine runs the optimiser spends (`simlib.allocate.effort`)
    plan_years: tuple[int, ...] | None = None  # calendar years optimised (None: all; others keep the plan)


def year_blocks(spec: OptimizeSpec, years: tuple[int, ...]) -> list[int]:
    """Indices of the projected years with their own variables (`plan_years`, or every year with
    `by_year`), or [-1]: one allocation for every year. `years` the model's projected years."""
    if spec.plan_years is not None:
        return [years.index(y) for y in spec.plan_years]
    return list(range(len(years))) if spec.by_year else [-1]


def read_spec(path: str | Path | None) -> tuple[dict, str]:
    """The raw spec mapping of a file (validated against its schema), and the name to show."""
    if path is None:
        return {}, "<spec>"
    path = Path(path)
    raw = load_yaml(path)
    shown = display_path(path)
    errors = validate(raw, "optimize", shown, quantities=False)
    raise_if_any(errors or money_problems(raw, shown))
    return raw, shown


def money_problems(raw: dict, file: str) -> list[InputError]:
    """Amounts of a spec that exceed `simlib.scenario.MAX_VND` once converted to VND."""
    unit = raw.get("unit", "billion VND")
    limit = MAX_VND / MONEY_UNITS[unit]
    items = [(f"envelope.{s}", v) for s, v in (raw.get("envelope") or {}).items()]
    items += [(f"lines.{c}.{k}", v) for c, b in (raw.get("lines") or {}).items() for k, v in b.items()]
    items += [(f"earmarks.{i}.amount", e.get("amount")) for i, e in enumerate(raw.get("earmarks") or [])]
    return [
        InputError("money_too_large", file=file, field=f, value=v, allowed=f"≤ {int(limit)} {unit}")
        for f, v in items
        if isinstance(v, (int, float)) and abs(v) > limit
    ]


@dataclass
class _Reading:
    """What reading one spec against a scenario needs: the catalogue, which sources each line can
    use, the money unit and envelope, and the problems found so far (all reported at once)."""

    scen: Scenario
    file: str
    scale: float  # billion VND per unit of the file's money
    envelope: np.ndarray  # (Y, S) billion VND a year
    errors: list = field(default_factory=list)

    @cached_property
    def mask(self) -> np.ndarray:
        """(lines, sources): which sources each catalogue line can use."""
        return source_mask(self.scen.catalogue, self.scen.params["funding"])

    def lines_of(self, code: str, fld: str) -> tuple[int, ...] | None:
        """Indices of the catalogue lines a code stands for; None (and a problem) if unknown."""
        cat = self.scen.catalogue
        allowed = cat.all_codes()
        if code not in allowed:
            self.errors.append(InputError("unknown_line", file=self.file, field=fld, value=code, allowed=allowed))
            return None
        return tuple(cat.codes.index(lc) for lc, _ in cat.expand(code))


def _envelope(raw: dict, scen: Scenario, scale: float) -> np.ndarray:
    """(Y, S) billion VND a year: the file's envelope every year, or the scenario's budget."""
    if "envelope" in raw:
        env_one = np.array([float(raw["envelope"].get(s, 0.0)) * scale for s in SOURCES])
        return np.broadcast_to(env_one, (scen.horizon, len(SOURCES))).copy()
    return scen.budget.amounts[1:].sum(axis=1) / 1e9


def _statutory_bounds(r: _Reading) -> list[Bound]:
    """The parameters' line floors and ceilings (shares of the smallest yearly envelope)."""
    bounds = []
    total_env = r.envelope.sum(axis=1).min() if len(r.envelope) else 0.0
    for code, b in (r.scen.params["allocation"].get("line_bounds") or {}).items():
        idx = r.lines_of(code, f"line_bounds.{code}")
        if idx is None:
            continue
        fl = qv(b["floor_share"]) * total_env if "floor_share" in b else 0.0
        ce = qv(b["ceiling_share"]) * total_env if "ceiling_share" in b else float("inf")
        bounds.append(Bound(code, idx, floor=fl, ceiling=ce, statutory=True))
    return bounds


def _file_bound(r: _Reading, code: str, b: dict, idx: tuple[int, ...]) -> Bound:
    """One line's floor, ceiling and commitment from the file, checked against each other and
    against the sources that can pay for the line."""
    fl = float(b.get("floor", 0.0)) * r.scale
    ce = float(b["ceiling"]) * r.scale if "ceiling" in b else float("inf")
    cm = float(b.get("commitment", 0.0)) * r.scale
    fld = f"lines.{code}"
    if max(fl, cm) > ce + 1e-9:
        which = "commitment" if cm > fl else "floor"
        r.errors.append(
            InputError(
                "opt_floor_above_ceiling",
                file=r.file,
                field=fld,
                value=f"{which} {max(fl, cm):g} > ceiling {ce:g}",
                line=code,
                floor=_bn(max(fl, cm)),
                ceiling=_bn(ce),
            )
        )
    reachable = r.mask[list(idx)].any(axis=0) & (r.envelope.min(axis=0) > 0)
    if max(fl, cm) > 0 and not reachable.any():
        r.errors.append(InputError("opt_no_money_for_line", file=r.file, field=fld, value=max(fl, cm), line=code))
    return Bound(code, idx, floor=fl, ceiling=ce, commitment=cm)


def _earmarks(r: _Reading, raw: dict) -> list[Earmark]:
    """The file's earmarks (money of one source kept for a line), on the lines that can use it."""
    earmarks = []
    mask = r.mask
    for i, e in enumerate(raw.get("earmarks") or []):
        fld = f"earmarks.{i}"
        idx = r.lines_of(e["line"], fld + ".line")
        if idx is None:
            continue
        s = SOURCES.index(e["source"])
        ok = [li for li in idx if mask[li, s]]
        if not ok:
            allowed_src = [x for j, x in enumerate(SOURCES) if mask[list(idx)].any(axis=0)[j]]
            r.errors.append(
                InputError(
                    "capital",
                    file=r.file,
                    field=fld + ".source",
                    value=e["source"],
                    line=e["line"],
                    sources=LocalText.coded("source", allowed_src),
                )
            )
            continue
        earmarks.append(Earmark(e["line"], tuple(ok), s, float(e["amount"]) * r.scale))
    return earmarks


def _targets(raw: dict, objective: str, scen: Scenario, file: str, errors: list) -> tuple | None:
    """The targets the file names (known ones; other than the linear ones only with min_cost)."""
    target_ids = [t["id"] for t in scen.params["targets"]["targets"]]
    targets = raw.get("targets")
    if targets is None:
        return None
    for t in targets:
        if t not in target_ids:
            errors.append(InputError("enum", file=file, field="targets", value=t, allowed=target_ids))
        elif objective != "min_cost" and t not in LINEAR_TARGETS:
            errors.append(
                InputError("opt_target_needs_min_cost", file=file, field="targets", value=t, allowed=LINEAR_TARGETS)
            )
    return tuple(targets)


def _frontier(raw: dict, file: str, errors: list) -> tuple[float, ...]:
    """The envelope multiples of the frontier, each in [0, 10], increasing."""
    frontier = tuple(float(x) for x in raw.get("frontier", DEFAULT_FRONTIER))
    errors += [InputError("opt_frontier", file=file, field="frontier", value=x) for x in frontier if not 0 <= x <= 10]
    if any(b <= a for a, b in zip(frontier, frontier[1:])):
        errors.append(InputError("opt_frontier_order", file=file, field="frontier", value=list(frontier)))
    return frontier


def _switches(raw: dict, file: str, errors: list) -> tuple[str, bool, bool]:
    """Objective, by district, by year."""
    objective = raw.get("objective", "poor")
    if objective not in OBJECTIVES:
        errors.append(InputError("enum", file=file, field="objective", value=objective, allowed=OBJECTIVES))
    by_district, by_year = bool(raw.get("by_district", False)), bool(raw.get("by_year", False))
    if by_district and by_year:
        errors.append(InputError("opt_district_and_year", file=file, field="by_district"))
    return objective, by_district, by_year


def resolve_spec(scen: Scenario, raw: dict | None = None, file: str = "<spec>", **switches: Any) -> OptimizeSpec:
    """Check a spec against `scen` and resolve codes and money; `switches` (objective,
    by_district, by_year, frontier) override the file. Every problem is reported at once."""
    raw = dict(raw or {})
    raw.update({k: v for k, v in switches.items() if v is not None})
    errors: list[InputError] = []
    objective, by_district, by_year = _switches(raw, file, errors)
    scale = MONEY_UNITS[raw.get("unit", "billion VND")] / 1e9
    r = _Reading(scen, file, scale, _envelope(raw, scen, scale), errors)
    bounds = _statutory_bounds(r)
    for code, b in (raw.get("lines") or {}).items():
        idx = r.lines_of(code, f"lines.{code}")
        if idx is not None:
            bounds.append(_file_bound(r, code, b, idx))
    earmarks = _earmarks(r, raw)
    cp = counterpart_floor(scen, raw)
    targets = _targets(raw, objective, scen, file, errors)
    effort, plan_years = _effort(raw, scen, file, errors)
    if by_district and plan_years is not None and len(plan_years) > 1:  # one split per line for every year
        shown = ", ".join(map(str, plan_years))
        errors.append(InputError("opt_district_years", file=file, field="years", years=shown, last=plan_years[-1]))
    frontier = _frontier(raw, file, errors) if "frontier" in raw or effort.name == "full" else ()
    errors += _robust_problems(raw, objective, file)
    raise_if_any(as_given(errors, [k for k, v in switches.items() if v is not None]))
    spec = OptimizeSpec(
        objective=objective,
        by_district=by_district,
        by_year=by_year,
        envelope=r.envelope,
        bounds=tuple(bounds),
        earmarks=tuple(earmarks),
        counterpart_min_share=cp.largest,
        counterpart=cp,
        targets=targets,
        frontier=frontier,
        robust=raw.get("robust"),
        draws=int(raw.get("draws", DEFAULT_DRAWS)),
        sampler=str(raw.get("sampler", "lhs")),
        seed=None if raw.get("seed") is None else int(raw["seed"]),
        file=file,
        raw=raw,
        effort=effort,
        plan_years=plan_years,
    )
    check_consistency(spec, scen, file)
    return spec


def _effort(raw: dict, scen: Scenario, file: str, errors: list) -> tuple[Effort, tuple[int, ...] | None]:
    """The effort (`effort`: auto | full | economy) and the years optimised (`years`: a list of
    projected years, or 'all'; economy's default the last projected year; a dated plan's years of
    an ended programme period are refused, `simlib.allocate.kept`)."""
    asked = raw.get("effort")
    if asked is not None and asked not in EFFORTS:
        errors.append(InputError("enum", file=file, field="effort", value=asked, allowed=EFFORTS))
    effort = choose(scen.poverty_model, asked)
    return effort, requested_years(raw.get("years"), scen, effort.plan_year_only, file, errors)


def _robust_problems(raw: dict, objective: str, file: str) -> list[InputError]:
    """A robust request: a known kind, not with min_cost, a sensible number of draws."""
    out = []
    robust = raw.get("robust")
    if robust is not None and robust not in ROBUST:
        out.append(InputError("enum", file=file, field="robust", value=robust, allowed=ROBUST))
    if robust is not None and objective == "min_cost":
        out.append(InputError("opt_robust_min_cost", file=file, field="robust", value=robust))
    draws = raw.get("draws", DEFAULT_DRAWS)
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or not 2 <= draws <= 400:
        out.append(InputError("opt_draws", file=file, field="draws", value=draws, allowed="2 … 400"))
    if raw.get("sampler", "lhs") not in ("lhs", "sobol", "random"):
        out.append(
            InputError("enum", file=file, field="sampler", value=raw.get("sampler"), allowed=("lhs", "sobol", "random"))
        )
    return out


def _bn(x: float) -> LocalText:
    """Billion VND in every language, with as few decimals (up to 3) as show the value."""
    if not np.isfinite(x):
        return LocalText("∞", "∞")
    return fmt.local_text(fmt.number, x, decimals=3, trim=True)


def _line_floors(spec: OptimizeSpec, n_lines: int) -> np.ndarray:
    """Per line (billion VND a year): the largest lower bound or earmark set on that line alone."""
    floors = np.zeros(n_lines)
    for b in spec.bounds:
        if b.lower > 0 and len(b.lines) == 1:
            floors[b.lines[0]] = max(floors[b.lines[0]], b.lower)
    for em in spec.earmarks:
        if len(em.lines) == 1:
            floors[em.lines[0]] = max(floors[em.lines[0]], em.amount)
    return floors


def _capital_problems(spec, scen, mask, floors, e, year: int, file: str) -> list[InputError]:
    """Hall's condition for each capital kind: the floors of the lines that can use only the
    sources giving that kind of capital fit within those sources."""
    errors = []
    for kind in ("investment", "recurrent"):
        only = [
            li
            for li in range(len(floors))
            if mask[li].any() and all(mask[li, s] <= _takes(scen, s, kind) for s in range(len(SOURCES)))
        ]
        usable = sum(e[s] for s in range(len(SOURCES)) if _takes(scen, s, kind))
        need_k = floors[only].sum()
        if need_k > usable + 1e-9:
            names = ", ".join(scen.catalogue.codes[li] for li in only if floors[li] > 0)
            errors.append(
                InputError(
                    "opt_floors_above_capital",
                    file=file,
                    field="lines",
                    value=_bn(need_k),
                    year=year,
                    lines=names,
                    kind=kind,
                    envelope=_bn(usable),
                )
            )
    return errors


def _earmark_problems(spec: OptimizeSpec, e: np.ndarray, year: int, file: str) -> list[InputError]:
    """Earmarks on one source above that source's envelope."""
    errors = []
    for s in range(len(SOURCES)):
        ear = sum(em.amount for em in spec.earmarks if em.source == s)
        if ear > e[s] + 1e-9:
            errors.append(
                InputError(
                    "opt_earmark_above_source",
                    file=file,
                    field="earmarks",
                    value=_bn(ear),
                    year=year,
                    source=SOURCES[s],
                    envelope=_bn(e[s]),
                )
            )
    return errors


def year_share(spec: OptimizeSpec, year: int) -> float:
    """The counterpart share `year` is held to (0 when no rule applies that year)."""
    if spec.counterpart is None:
        return spec.counterpart_min_share
    return spec.counterpart.share(year) or 0.0


def _counterpart_problems(spec: OptimizeSpec, e: np.ndarray, year: int, file: str) -> list[InputError]:
    """A local counterpart asked for with no local envelope, or one the local envelope cannot
    give for the central money that earmarks force (the counterpart only binds on what is spent)."""
    errors = []
    central = sum(e[SOURCES.index(s)] for s in CENTRAL)
    local = e[SOURCES.index("local")]
    share = year_share(spec, year)
    if share > 0 and local <= 0 < central:
        errors.append(
            InputError(
                "opt_no_local",
                file=file,
                field="envelope.local",
                value=0,
                year=year,
                pct=f"{100 * share:g}",
                central=_bn(central),
            )
        )
    forced_central = sum(em.amount for em in spec.earmarks if SOURCES[em.source] in CENTRAL)
    if share * forced_central > local + 1e-9:
        errors.append(
            InputError(
                "opt_counterpart",
                file=file,
                field="counterpart_min_share",
                value=share,
                year=year,
                local=_bn(local),
                central=_bn(forced_central),
            )
        )
    return errors


def check_consistency(spec: OptimizeSpec, scen: Scenario, file: str = "<spec>") -> None:
    """Bounds that cannot hold together within the envelope, named one by one: floors above
    the envelope (in total, or for the capital they can use), earmarks above a source, a local
    counterpart the local envelope cannot give."""
    errors: list[InputError] = content_problems(spec, scen, file)
    if errors:  # the floors' sums below would say the same less clearly
        raise_if_any(errors)
    mask = source_mask(scen.catalogue, scen.params["funding"])
    floors = _line_floors(spec, len(scen.catalogue.codes))
    proj_floor = sum(b.lower for b in spec.bounds if len(b.lines) > 1)
    need = max(floors.sum(), proj_floor)
    for year, e in zip(scen.years, spec.envelope):  # envelope: (Y, S)
        if need > e.sum() + 1e-9:
            errors.append(
                InputError(
                    "opt_floors_above_envelope",
                    file=file,
                    field="lines",
                    value=_bn(need),
                    year=year,
                    envelope=_bn(e.sum()),
                )
            )
            continue
        errors += _capital_problems(spec, scen, mask, floors, e, year, file)
        errors += _earmark_problems(spec, e, year, file)
        errors += _counterpart_problems(spec, e, year, file)
    raise_if_any(errors)


def _takes(scen: Scenario, s: int, kind: str) -> bool:
    cap = scen.params["funding"]["sources"][SOURCES[s]]["capital"]
    return cap in (kind, "any")
