"""`simlib batch SCENARIOS... --out reports/`: validate every scenario, render one report per
scenario (papermill + nbconvert) in parallel, a comparison and an index page."""

from __future__ import annotations

import argparse
import sys

from simlib import i18n
from simlib.cli.common import MAX_DRAWS, later, print_money_notes, say_first_compile, scenario_check
from simlib.errors import raise_if_any
from simlib.paths import display_path
from simlib.scenario_files import collect_scenarios
from simlib.scenario_sets import parse_set_args

#: the batch (the engines, the reports' notebook stack), loaded when the arguments are checked
run_batch = later("simlib.batch:run_batch")
output_problems = later("simlib.batch.checks:output_problems")


def register(sub) -> None:
    p = sub.add_parser("batch", help="chạy nhiều kịch bản và tạo báo cáo / run scenarios and build their reports")
    p.add_argument("inputs", nargs="+", help="scenario files or folders")
    p.add_argument("--out", default="reports", help="output folder (default reports/)")
    p.add_argument("--jobs", type=int, default=None, help="parallel workers (default and most: CPU count)")
    # same destination as the global --lang, so `simlib batch ... --lang en` and `simlib --lang en batch ...`
    # both set it (SUPPRESS: when absent here, the global value is kept)
    p.add_argument(
        "--lang",
        dest="lang",
        type=i18n.lang_code,
        choices=i18n.LANGS,
        default=argparse.SUPPRESS,
        help="report language: vi (default) or en",
    )
    p.add_argument("--engine", default="expected", help="expected | microsim")
    p.add_argument("--draws", type=int, default=1, help=f"microsim replications (at most {MAX_DRAWS})")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: each scenario's)")
    p.add_argument("--executor", default="local", help="local (processes, default) | dask | serial")
    p.add_argument(
        "--scheduler", default=None, help="Dask scheduler address (with --executor dask; default: a local cluster)"
    )
    p.add_argument("--tables-only", action="store_true", help="write the tables only, no notebooks or HTML")
    g = p.add_argument_group("uncertainty / độ bất định")
    g.add_argument(
        "--uncertainty",
        type=int,
        default=0,
        metavar="N",
        help="N parameter draws per scenario: fan charts, probability of meeting each target and an "
        f"uncertainty report per scenario (default 0: off; at most {MAX_DRAWS})",
    )
    g.add_argument(
        "--uncertainty-multidim",
        type=int,
        default=None,
        metavar="M",
        help="at most M parameter draws per multidimensional scenario (each re-runs the whole model: "
        "seconds of CPU a draw; its report says how many ran); default: N, as every scenario; at most "
        f"{MAX_DRAWS}",
    )
    g.add_argument("--sampler", default="lhs", help="lhs | sobol | random (default lhs)")
    p.add_argument("--set", dest="set_items", action="append", default=[], metavar="KEY=VALUE")
    p.set_defaults(
        func=main,
        input_paths={"inputs": "scenarios"},
        arg_checks=[_check_out],
        # with any other problem the batch does not start: every scenario's problems are said with it
        file_checks=[scenario_check("inputs", always=False)],
        option_limits={
            "uncertainty": ("--uncertainty", 0, MAX_DRAWS),
            "uncertainty_multidim": ("--uncertainty-multidim", 0, MAX_DRAWS),
        },
    )


def _check_out(args) -> None:
    """`--out`, checked with the other arguments (every problem at once): what can be said of it
    before the scenarios are read (`simlib.batch.checks.output_problems`; the rest, which needs
    their names, when the batch starts). A folder refused stops the batch before its scenarios
    run: their problems are said with it (`file_checks`)."""
    raise_if_any(output_problems(args.out, not args.tables_only))


def main(args) -> int:
    lang = i18n.get_lang(getattr(args, "lang", None))
    paths = collect_scenarios(args.inputs)
    parse_set_args(args.set_items)  # a malformed item is refused before anything runs
    print_money_notes(paths, lang, set_items=args.set_items)

    def on_start(models: set) -> None:
        say_first_compile(models, lang)

    def on_invalid(bad: dict) -> None:
        print(i18n.t("cli.validation_failed", lang, n=len(bad)), file=sys.stderr)
        for p, exc in bad.items():
            print(f"✗ {display_path(p)}\n  " + exc.message(lang).replace("\n", "\n  "), file=sys.stderr)

    res = run_batch(
        paths,
        args.out,
        engine=args.engine,
        draws=args.draws,
        seed=args.seed,
        jobs=args.jobs,
        executor=args.executor,
        scheduler=args.scheduler,
        set_items=list(args.set_items),  # as typed: a report's notes see `12.500` (`simlib.money_notes`)
        progress=sys.stderr.isatty(),
        lang=lang,
        reports=not args.tables_only,
        on_invalid=on_invalid,
        on_start=on_start,
        uncertainty=args.uncertainty,
        sampler=args.sampler,
        uncertainty_multidim=args.uncertainty_multidim,
    )
    for it in res.items:
        if it.ok:
            shown = it.out_dir / "report.html" if not args.tables_only else it.out_dir
            print(f"✓ {it.name}: {display_path(shown)}")
        elif not it.invalid:
            print("✗ " + i18n.t("cli.scenario_failed", lang, name=it.name, error=it.error), file=sys.stderr)
        if it.uncertainty_error:
            print(
                "✗ " + i18n.t("cli.uncertainty_report_failed", lang, name=it.name, error=it.uncertainty_error),
                file=sys.stderr,
            )
    if res.compare_ok:
        print(i18n.t("cli.compare_written", lang, path=display_path(res.out_dir / "compare.html")))
    elif res.compare_ok is False:
        print("✗ " + i18n.t("cli.compare_failed", lang, error=res.compare_error), file=sys.stderr)
    failed = res.failed
    print(i18n.t("cli.batch_summary", lang, ok=len(res.items) - len(failed), total=len(res.items), failed=len(failed)))
    if res.index is not None:
        print(i18n.t("cli.index_written", lang, path=display_path(res.index)))
    if any(it.invalid for it in failed):
        return 2
    return 0 if res.ok else 1
