"""`simlib optimize SCENARIO --objective … --out DIR`: the best split of the budget.

Exit status: 0 optimal; 2 bad input (nothing written); 3 the targets cannot all be met (the
folder holds the allocation with the best achievable values, and the message says which target
binds).
"""

from __future__ import annotations

import sys

from simlib import i18n


def _scales(text: str | None):
    if text is None:
        return None
    from simlib.errors import InputError

    try:
        scales = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError("opt_frontier", field="--frontier", value=text) from None
    if not all(0 <= k <= 10 for k in scales):  # as in params/schema/optimize.schema.yaml; NaN fails too
        raise InputError("opt_frontier", field="--frontier", value=text, allowed="0 … 10")
    return scales


def register(sub) -> None:
    p = sub.add_parser("optimize", help="tối ưu phân bổ vốn / optimise the budget allocation")
    p.add_argument("scenario", help="scenario YAML file (its budget gives the envelope by source)")
    p.add_argument("--objective", default=None, help="poor | poor_near_poor | welfare | min_cost (default poor)")
    p.add_argument("--out", required=True, help="output folder (replaced atomically)")
    p.add_argument(
        "--spec",
        default=None,
        help="YAML with envelope, floors, ceilings, commitments, earmarks (params/schema/optimize.schema.yaml)",
    )
    p.add_argument("--by-district", action="store_true", help="also choose each line's split across districts")
    p.add_argument("--by-year", action="store_true", help="a separate allocation for each projected year")
    p.add_argument(
        "--frontier",
        default=None,
        metavar="K1,K2,…",
        help="envelope multipliers for the frontier (default 0,0.25,…,1.5; '' for none)",
    )
    p.add_argument("--no-report", action="store_true", help="skip the report notebook")
    p.add_argument("--set", dest="set_items", action="append", default=[], metavar="KEY=VALUE")
    p.set_defaults(func=main)


def main(args) -> int:
    from simlib.allocate.optimize import optimize, prepare
    from simlib.allocate.output import SCENARIO_FILE, write_optimization
    from simlib.cli.common import check_out
    from simlib.paths import display_path

    lang = i18n.get_lang()
    scen, spec = prepare(
        args.scenario,
        objective=args.objective,
        spec_path=args.spec,
        set_overrides=args.set_items,
        by_district=args.by_district,
        by_year=args.by_year,
        frontier_scales=_scales(args.frontier),
    )
    check_out(args.out, "optimization", scen.input_paths() + [args.spec])
    print(
        i18n.t("cli.optimizing", lang, name=scen.name, objective=i18n.t(f"alloc.objective.{spec.objective}", lang)),
        file=sys.stderr,
    )
    res = optimize(scen, spec, progress=sys.stderr.isatty())
    out = write_optimization(res, args.out, report=not args.no_report, lang=lang)
    stream = sys.stderr if res.status != "optimal" else sys.stdout
    print(res.message(lang), file=stream)
    for b in res.binding:
        print("  • " + b.text(lang))
    for f in res.plan_findings:
        print("  ! " + f.message(lang))
    print(i18n.t("cli.optimize_scenario", lang, path=display_path(out / SCENARIO_FILE)))
    print(i18n.t("cli.wrote", lang, path=display_path(out)))
    return 0 if res.status == "optimal" else 3
