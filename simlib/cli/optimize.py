"""`simlib optimize SCENARIO --objective … --out DIR`: the best split of the budget, certified.

Prints the headline, the certificate (proven gap, error of the piecewise-linear model), the
binding rules with their basis and what a billion more room in each is worth, the line where
one more billion does most and what stops it, lines left without money and why, and money that
reaches no one. Exit status: 0 optimal; 2 bad input (nothing written); 3 the targets cannot all
be met (the folder holds the allocation with the best achievable values, and the message says
which target binds).
"""

from __future__ import annotations

import re
import sys
import time

from simlib import i18n
from simlib.allocate.labels import legal_notes, line_labels, ranked, reads_as_zero
from simlib.allocate.progress import done_text, estimate_text, progress_text
from simlib.allocate.spec import OBJECTIVES, read_spec
from simlib.cli.common import (
    MAX_DRAWS,
    caught,
    check_out,
    later,
    load_scenario,
    print_money_notes,
    readable,
    readable_sets,
    say_first_compile,
)
from simlib.errors import InputError, InputErrors, raise_if_any
from simlib.i18n import fmt
from simlib.options import RunOptions
from simlib.paths import display_path
from simlib.report import levels

#: the request's check (`simlib.allocate.optimize`: the optimiser stack, seconds to load), loaded
#: once the scenario and the spec can be read: a mistyped path is said without it
_prepare = later("simlib.allocate.optimize:prepare")
#: what a first run compiles meanwhile, said as `simlib run` and `simlib batch` say it
#: (`simlib.batch.compiling`), and the time so far in the same words
compile_watch = later("simlib.batch.compiling:compile_watch")
line_display = later("simlib.batch.compiling:line_display")
elapsed_text = later("simlib.batch.compiling:elapsed_text")
kernels_of = later("simlib.batch.warmup:kernels_of")


def _scales(text: str | None):
    if text is None:
        return None

    try:
        scales = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError("opt_frontier", field="--frontier", value=text) from None
    if not all(0 <= k <= 10 for k in scales):  # as in params/schema/optimize.schema.yaml; NaN fails too
        raise InputError("opt_frontier", field="--frontier", value=text, allowed="0 … 10")
    if any(b <= a for a, b in zip(scales, scales[1:])):  # «0,5,1,1.5» meant 0.5, 1, 1.5
        raise InputError("opt_frontier_order", field="--frontier", value=text, allowed="0,0.5,1,1.5")
    return scales


#: one item of --years: a year (2025) or a range of years (2024-2026; also with the en dash or em
#: dash a range copied from a Vietnamese document has, 2024–2026)
_YEAR_ITEM = re.compile(r"^\s*(\d{4})\s*(?:[-–—]\s*(\d{4})\s*)?$")


def _years(text: str | None):
    """The projected years of `--years`: None (not given), "all", or a list of calendar years from
    comma-separated years and ranges (`2024,2026-2028`). Whether the scenario projects them is
    checked with the scenario (`simlib.allocate.spec`)."""
    if text is None or text.strip() == "all":
        return None if text is None else "all"
    allowed = "Y1,Y2,… | Y1-Y2 | all"
    years: list[int] = []
    items = [item for item in text.split(",") if item.strip()]
    for item in items:
        match = _YEAR_ITEM.match(item)
        if match is None:
            raise InputError("years_syntax", field="--years", value=text, allowed=allowed)
        first, last = int(match[1]), int(match[2] or match[1])
        if last < first:
            raise InputError("years_range_reversed", field="--years", value=item.strip(), allowed=f"{last}-{first}")
        years.extend(range(first, last + 1))
    if not years:
        raise InputError("years_syntax", field="--years", value=text, allowed=allowed)
    return years


def _check_args(args) -> None:
    """The problems of `--frontier`, `--years` and `--objective`, all at once, before any work."""
    errors = caught(_scales, args.frontier) + caught(_years, args.years)
    if args.objective is not None and args.objective not in OBJECTIVES:
        errors.append(InputError("enum", field="--objective", value=args.objective, allowed=OBJECTIVES))
    raise_if_any(errors)


def register(sub) -> None:
    p = sub.add_parser("optimize", help="tối ưu phân bổ vốn / optimise the budget allocation")
    p.add_argument("scenario", help="scenario YAML file (its budget gives the envelope by source)")
    p.add_argument(
        "--objective", default=None, help="poor | poor_near_poor | welfare | poverty_gap | min_cost (default poor)"
    )
    p.add_argument("--out", required=True, help="output folder (replaced atomically)")
    p.add_argument(
        "--spec",
        default=None,
        help="YAML with envelope, floors, ceilings, commitments, earmarks (params/schema/optimize.schema.yaml)",
    )
    p.add_argument(
        "--by-district",
        action="store_true",
        help="also choose each line's split across the units allocated (districts, or communes/xã: plan_2027, and "
        "a units_switch scenario's commune years); one year at a time",
    )
    p.add_argument("--by-year", action="store_true", help="a separate allocation for each projected year")
    p.add_argument(
        "--years",
        default=None,
        metavar="Y1,Y2,…|Y1-Y2|all",
        help="projected years whose money is optimised (default all; economy effort: the last year); a scenario "
        "that switches units (units_switch) only years on the new units, a dated plan (role: plan, periods: dated; "
        "plan_2027) only the years of its plan year's programme period (2026-2027): the earlier years' money is "
        "kept as planned (already spent, not a decision left to take)",
    )
    p.add_argument(
        "--effort",
        default=None,
        choices=("auto", "full", "economy"),
        help="engine runs spent: full, economy, auto (economy for the multidimensional model)",
    )
    p.add_argument(
        "--frontier",
        default=None,
        metavar="K1,K2,…",
        help="envelope multipliers for the frontier (default 0,0.25,…,1.5; '' for none)",
    )
    p.add_argument(
        "--robust",
        default=None,
        choices=("expected", "regret"),
        help="optimise over parameter draws: best mean outcome, or least largest regret (a units_switch "
        "scenario: each draw through the switch, as simlib uncertainty runs it)",
    )
    draws = f"parameter draws of --robust (default 30, at most {MAX_DRAWS})"
    p.add_argument("--draws", type=int, default=None, metavar="N", help=draws)
    p.add_argument("--sampler", default=None, help="design of the draws: lhs | sobol | random (default lhs)")
    p.add_argument("--seed", type=int, default=None, help="seed of the draws (default the scenario's)")
    p.add_argument("--no-report", action="store_true", help="skip the report notebook")
    p.add_argument("--set", dest="set_items", action="append", default=[], metavar="KEY=VALUE")
    p.set_defaults(
        func=main,
        input_paths={"scenario": "file", "spec": "file"},
        out_kind="optimization",
        arg_checks=[_check_args],
        file_checks=[_read],
    )


def _switches(args, bad: frozenset = frozenset()) -> dict:
    """The options of `prepare` from the command line, those found wrong (`bad`, by flag) left
    out: the files are then checked as if they were not given, and each problem is said once."""

    def kept(flag: str, value):
        return None if flag in bad else value

    return {
        "objective": kept("--objective", args.objective),
        "by_district": args.by_district,
        "by_year": args.by_year,
        "frontier_scales": None if "--frontier" in bad else _scales(args.frontier),
        "robust": args.robust,
        "draws": kept("--draws", args.draws),
        "sampler": kept("--sampler", args.sampler),
        "seed": kept("--seed", args.seed),
        "years": None if "--years" in bad else _years(args.years),
        "effort": args.effort,
    }


def _read(args, bad: frozenset, others: bool) -> tuple[list[InputError], list]:
    """The problems inside the scenario and the spec file (`--spec`), said with the arguments'
    (`simlib.cli.common.file_problems`): each file's own, then, when both can be read, the request
    they make with the options that are right (`prepare`: years the scenario does not project,
    targets of an objective, …); and the files the optimisation reads, for the check of `--out`."""
    spec = args.spec if args.spec is not None and readable(args.spec) else None
    own = caught(read_spec, spec) if spec is not None else []
    if not readable(args.scenario):
        return own, []
    sets = readable_sets(args.set_items)
    try:
        scen = load_scenario(args.scenario, sets)
    except InputErrors as exc:
        return exc.errors + own, []
    except InputError as exc:
        return [exc, *own], []
    read = scen.input_paths() + ([spec] if spec is not None else [])
    if own or spec is None and args.spec is not None:  # the request is checked once the spec can be read
        return own, read
    return caught(_prepare, args.scenario, spec_path=spec, set_overrides=sets, **_switches(args, bad)), read


def main(args) -> int:
    # local import: the optimiser stack takes seconds to load; only this command needs it
    from simlib.allocate.optimize import optimize, prepare
    from simlib.allocate.output import SCENARIO_FILE, read_summary, write_optimization

    lang = i18n.get_lang()
    scen, spec = prepare(args.scenario, spec_path=args.spec, set_overrides=args.set_items, **_switches(args))
    check_out(args.out, "optimization", scen.input_paths() + [args.spec])
    print_money_notes([args.scenario], lang, set_items=args.set_items)
    print(
        i18n.t("cli.optimizing", lang, name=scen.name, objective=i18n.t(f"alloc.objective.{spec.objective}", lang)),
        file=sys.stderr,
    )
    years = ", ".join(map(str, spec.plan_years or scen.years))
    effort = i18n.t(f"cli.optimize_effort.{spec.effort.name}", lang)
    print(i18n.t("cli.optimize_plan", lang, effort=effort, years=years), file=sys.stderr)
    meter = Meter(lang)
    models = {scen.poverty_model}
    say_first_compile(models, lang)
    # the kernels a run of the scenario calls: the comparison runs of the written tables are such runs
    needed = kernels_of(scen, RunOptions())
    with compile_watch(False, lang, models, needed=needed, display=line_display, short=False):
        res = optimize(scen, spec, progress=sys.stderr.isatty(), on_estimate=meter.estimate, on_runs=meter)
        print(done_text(meter.runs, meter.minutes(), lang), file=sys.stderr)
        out = write_optimization(res, args.out, report=not args.no_report, lang=lang, on_stage=meter.stage)
    meter.stage("written")
    stream = sys.stderr if res.status != "optimal" else sys.stdout
    print(res.message(lang), file=stream)
    unmet = read_summary(out).get("unmet_targets")  # the province's targets the optimum misses, not required
    if unmet:
        print(unmet[lang], file=stream)
    explain_to(res, lang)
    print(i18n.t("cli.optimize_scenario", lang, path=display_path(out / SCENARIO_FILE)))
    print(i18n.t("cli.wrote", lang, path=display_path(out)))
    return 0 if res.status == "optimal" else 3


class Meter:
    """Progress on stderr: the estimate before the runs start, then every `EVERY` runs of the
    engine (runs of the whole model; a unit's model counts its share) with the CPU time spent, at
    most one line every `interval` seconds (the first at once): a long optimisation (40,000 runs of
    plan_2024 at full effort) says where it is without 4,000 lines."""

    EVERY = 10

    def __init__(self, lang: str, interval: float = 2.0):
        self.lang, self.runs, self.told, self.expected = lang, 0.0, 0, None
        self.t0, self.wall = time.process_time(), time.monotonic()
        self.interval, self.last = interval, -float("inf")

    def stage(self, stage: str, **values) -> None:
        """A line of its own for a stage of writing the results (`write_optimization`'s
        `on_stage`: the comparison runs, each one done, the report, all written), with the time
        since the optimisation started."""
        took = elapsed_text(time.monotonic() - self.wall, self.lang)
        print(i18n.t(f"cli.optimize_stage.{stage}", self.lang, elapsed=took, **values), file=sys.stderr, flush=True)

    def minutes(self) -> str:
        return fmt.number((time.process_time() - self.t0) / 60, self.lang, 1)

    def estimate(self, runs: int, seconds: float) -> None:
        self.expected = runs
        print(estimate_text(runs, seconds, self.lang), file=sys.stderr)

    def __call__(self, runs: float) -> None:
        self.runs += runs
        now = time.monotonic()
        if int(self.runs // self.EVERY) > self.told and now - self.last >= self.interval:
            self.told, self.last = int(self.runs // self.EVERY), now
            print(progress_text(self.runs, self.expected, self.minutes(), self.lang), file=sys.stderr)


def explain_to(res, lang: str, stream=None) -> None:
    """The explanation of an optimum: binding rules with their basis, the best line and what
    stops it, the most valuable lines per billion, lines without money, unallocatable money."""
    stream = stream or sys.stdout
    print(i18n.t("cli.opt_binding", lang), file=stream)
    for b in res.binding:
        basis = f" [{b.basis(lang)}]" if b.basis is not None else ""
        print("  • " + b.text(lang) + basis, file=stream)
    if res.best_line is not None:
        print("  → " + res.best_line["text"](lang), file=stream)
    for line in marginal_lines(res, lang):
        print(line, file=stream)
    for z in res.zero_lines:
        print("  ○ " + z["text"](lang), file=stream)
    lost = res.unallocatable.groupby("allocation")["unallocatable_bn"].sum() if len(res.unallocatable) else {}
    for name, v in dict(lost).items():
        if reads_as_zero(v):  # «0,00 tỷ đồng không đến được …» says nothing
            continue
        name_t = i18n.t(f"alloc.allocation.{name}", lang)
        print(
            "  ! " + i18n.t("cli.opt_unallocatable", lang, allocation=name_t, amount=fmt.number(v, lang, 2)),
            file=stream,
        )
    for f in res.plan_findings:
        print("  ! " + f.message(lang), file=stream)
    if res.plan_breaches:
        print("  ! " + i18n.t("alloc.report.plan_breaks", lang), file=stream)
        for b in res.plan_breaches:
            print("    • " + b.text.get(lang), file=stream)
    notes = res.legal.get(f"notes_{lang}") or []
    for note in legal_notes(res.legal, res.message(lang), lang) if notes else []:  # the message may say one
        print("  § " + note, file=stream)
    for v in res.legal_violations:
        print("  ! " + v.message(lang), file=stream)


def marginal_lines(res, lang: str, top: int = 5) -> list[str]:
    """The summary's marginal values: the `top` lines, then the `top` line × unit pairs, where one
    more billion VND does most, one per text line with the value first, each line named as the
    report names it (`line_labels`: code and name, and for a dated scenario the 2026–2035 content
    its money stands for from a year on); a pair «Huyện Thạch An: P6.1 Giảm nghèo về thông tin»."""
    labels = dict(zip(res.lines["line"], line_labels(res.lines, lang))) if len(res.lines) else {}
    out = []
    marg = res.lines.dropna(subset=["objective_per_billion_added"]) if len(res.lines) else res.lines
    best = marg.sort_values("objective_per_billion_added", ascending=False).head(top)
    if len(best):
        out.append(i18n.t("cli.opt_marginal", lang))
        out += ranked([(labels.get(r.line, r.line), r.objective_per_billion_added) for r in best.itertuples()], lang)
    if len(res.districts):
        ds = res.problem.scenario.dataset  # the units allocated (a crossing: the communes)
        best = res.districts.sort_values("objective_per_billion_added", ascending=False).head(top)
        pairs = [
            (f"{ds.unit_name(r.district, lang)}: {labels.get(r.line, r.line)}", r.objective_per_billion_added)
            for r in best.itertuples()
        ]
        out.append(i18n.t(levels.key("cli.opt_marginal_district", ds.level), lang))
        out += ranked(pairs, lang)
    return out
