"""`simlib sensitivity SCENARIO --out DIR`: which parameter groups drive the projected poor rate
and the chance of meeting the province target (grouped Sobol indices + Morris screening)."""

from __future__ import annotations

import json
import sys

from simlib import i18n
from simlib.atomic import atomic_dir
from simlib.cli.common import MAX_DRAWS, check_out, checked_scenario, print_money_notes, scenario_check
from simlib.errors import InputError, raise_if_any
from simlib.options import RunOptions
from simlib.paths import display_path
from simlib.uncertainty.groupings import GROUPINGS


def register(sub) -> None:
    p = sub.add_parser("sensitivity", help="phân tích độ nhạy / global sensitivity analysis")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--out", required=True, help="output folder (replaced atomically)")
    p.add_argument(
        "--points",
        type=int,
        default=256,
        help=f"Sobol base points (rounded up to a power of 2; at most {MAX_DRAWS}); runs = points x (2 + groups)",
    )
    p.add_argument("--groupings", default="kind,project", help="comma-separated: kind, project, parameter")
    p.add_argument(
        "--morris",
        type=int,
        default=10,
        help=f"Morris trajectories over single parameters (0: none; at most {MAX_DRAWS})",
    )
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the scenario's)")
    p.add_argument("--executor", default="local", help="local | dask | serial")
    p.add_argument("--jobs", type=int, default=None)
    p.add_argument("--scheduler", default=None)
    p.add_argument("--set", dest="set_items", action="append", default=[], metavar="KEY=VALUE")
    p.set_defaults(
        func=main,
        input_paths={"scenario": "file"},
        out_kind="sensitivity",
        file_checks=[scenario_check("scenario")],
        arg_checks=[check_groupings],
    )


def groupings_of(text: str) -> tuple[str, ...]:
    """The groupings named by `--groupings` (`kind,project`: comma-separated, spaces ignored)."""
    return tuple(g.strip() for g in text.split(",") if g.strip())


def check_groupings(args) -> None:
    """`--groupings`, checked with the other arguments: each name one of `GROUPINGS`, and at
    least one (`--groupings ""` was an internal error once the work had started)."""
    names = groupings_of(args.groupings)
    wrong = [g for g in names if g not in GROUPINGS] or ([] if names else [args.groupings])
    raise_if_any([InputError("enum", field="--groupings", value=g, allowed=GROUPINGS) for g in wrong])


def main(args) -> int:
    # local import: the uncertainty stack (SALib, SciPy) takes seconds to load; only this command needs it
    from simlib.uncertainty.sensitivity import base_points, screening_analysis, sensitivity_analysis

    lang = i18n.get_lang()
    options = RunOptions(
        seed=args.seed, executor=args.executor, jobs=args.jobs, scheduler=args.scheduler, progress=sys.stderr.isatty()
    )
    scen = checked_scenario(args, args.scenario)
    inputs = scen.input_paths()
    check_out(args.out, "sensitivity", inputs)
    print_money_notes([args.scenario], lang, set_items=args.set_items)
    groupings = groupings_of(args.groupings)
    # the design's own count: --points 3 runs 4 base points (a power of 2), and says so
    print(i18n.t("unc.cli.sensitivity", lang, n=base_points(args.points)), file=sys.stderr)
    sens = sensitivity_analysis(scen, n=args.points, groupings=groupings, options=options)
    screen = screening_analysis(scen, r=args.morris, options=options) if args.morris > 0 else None
    with atomic_dir(args.out, "sensitivity", inputs) as tmp:
        sens.table.to_csv(tmp / "sensitivity_sobol.csv", index=False)
        info = {"scenario": scen.name, "parameter_hash": scen.params.hash, "sobol": sens.info}
        if screen is not None:
            screen.table.to_csv(tmp / "sensitivity_morris.csv", index=False)
            info["morris"] = screen.info
        (tmp / "sensitivity.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    print(i18n.t("cli.wrote", lang, path=display_path(args.out)))
    return 0
