"""`simlib robustness A.yaml B.yaml ... --out DIR`: allocations compared on the same parameter
draws — regret, probability of meeting each target, and when each misses."""

from __future__ import annotations

import json
import sys

from simlib import i18n
from simlib.atomic import atomic_dir
from simlib.cli.common import MAX_DRAWS, check_out, checked_scenarios, later, scenario_check
from simlib.errors import InputError, InputErrors
from simlib.i18n import fmt
from simlib.options import RunOptions
from simlib.paths import display_path
from simlib.scenario_files import collect_scenarios

#: the scenarios read as `simlib.batch` reads them (its notebook stack), loaded when they are read
load_all = later("simlib.batch:load_all")


def register(sub) -> None:
    p = sub.add_parser("robustness", help="so sánh độ vững của các phương án / compare allocations under uncertainty")
    p.add_argument("scenarios", nargs="+", help="two or more scenario files (or folders)")
    p.add_argument("--out", required=True, help="output folder (replaced atomically)")
    p.add_argument(
        "--uncertainty",
        type=int,
        default=200,
        metavar="N",
        help=f"parameter draws shared by all allocations (default 200, at most {MAX_DRAWS})",
    )
    p.add_argument("--sampler", default="lhs", help="lhs | sobol | random")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--executor", default="local", help="local | dask | serial")
    p.add_argument("--jobs", type=int, default=None)
    p.add_argument("--scheduler", default=None)
    p.set_defaults(
        func=main,
        input_paths={"scenarios": "scenarios"},
        out_kind="robustness",
        arg_checks=[_two_at_least],
        file_checks=[scenario_check("scenarios")],
    )


def _two_at_least(args) -> None:
    """Two scenarios at least (files, and the files of the folders given), counted with the other
    arguments; a file that is not there is said as such, not counted."""
    try:
        paths = collect_scenarios(args.scenarios)
    except (InputError, InputErrors):
        return
    if len(paths) < 2:
        raise InputError("scenarios_two", field="scenarios", n=len(paths))


def main(args) -> int:
    # local import: the uncertainty stack (SALib, SciPy) takes seconds to load; only this command needs it
    from simlib.uncertainty.robustness import compare_allocations

    lang = i18n.get_lang()
    options = RunOptions(
        seed=args.seed, executor=args.executor, jobs=args.jobs, scheduler=args.scheduler, progress=sys.stderr.isatty()
    )
    paths = collect_scenarios(args.scenarios)
    scens = checked_scenarios(args, paths) or load_all(paths)
    if len(scens) < 2:
        raise InputError("scenarios_two", field="scenarios", n=len(scens))
    inputs = [p for s in scens for p in s.input_paths()]
    check_out(args.out, "robustness", inputs)
    print(i18n.t("unc.cli.robustness", lang, k=len(scens), n=args.uncertainty), file=sys.stderr)
    res = compare_allocations(
        scens,
        n=args.uncertainty,
        method=args.sampler,
        options=options,
    )
    with atomic_dir(args.out, "robustness", inputs) as tmp:
        res.summary.to_csv(tmp / "regret_summary.csv", index=False)
        res.regrets.to_csv(tmp / "regret.csv", index=False)
        res.targets.to_csv(tmp / "robustness_targets.csv", index=False)
        res.rules.to_csv(tmp / "robustness_rules.csv", index=False)
        (tmp / "robustness.json").write_text(json.dumps(res.info, ensure_ascii=False, indent=2), encoding="utf-8")
    for _, row in res.summary.iterrows():
        print(
            f"{row['scenario']}: {i18n.t('unc.col.regret_mean', lang)} {fmt.number(row['regret_mean'], lang, 2)}; "
            f"{i18n.t('unc.col.share_best', lang)} {fmt.percent(100 * row['share_best'], lang, 0)}"
        )
    print(i18n.t("cli.wrote", lang, path=display_path(args.out)))
    return 0
