"""`simlib optimize SCENARIO --objective … --out DIR`: the best split of the budget, certified.

Prints the headline, the certificate (proven gap, error of the piecewise-linear model), the
binding rules with their basis and what a billion more room in each is worth, the line where
one more billion does most and what stops it, lines left without money and why, and money that
reaches no one. Exit status: 0 optimal; 2 bad input (nothing written); 3 the targets cannot all
be met (the folder holds the allocation with the best achievable values, and the message says
which target binds).
"""

from __future__ import annotations

import sys

from simlib import i18n
from simlib.cli.common import check_out
from simlib.errors import InputError
from simlib.i18n import fmt
from simlib.paths import display_path


def _scales(text: str | None):
    if text is None:
        return None

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
    p.add_argument(
        "--objective", default=None, help="poor | poor_near_poor | welfare | poverty_gap | min_cost (default poor)"
    )
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
    p.add_argument(
        "--robust",
        default=None,
        choices=("expected", "regret"),
        help="optimise over parameter draws: best mean outcome, or least largest regret",
    )
    p.add_argument("--draws", type=int, default=None, metavar="N", help="parameter draws of --robust (default 30)")
    p.add_argument("--sampler", default=None, help="design of the draws: lhs | sobol | random (default lhs)")
    p.add_argument("--seed", type=int, default=None, help="seed of the draws (default the scenario's)")
    p.add_argument("--no-report", action="store_true", help="skip the report notebook")
    p.add_argument("--set", dest="set_items", action="append", default=[], metavar="KEY=VALUE")
    p.set_defaults(func=main)


def main(args) -> int:
    # local import: the optimiser stack takes seconds to load; only this command needs it
    from simlib.allocate.optimize import optimize, prepare
    from simlib.allocate.output import SCENARIO_FILE, write_optimization

    lang = i18n.get_lang()
    scen, spec = prepare(
        args.scenario,
        objective=args.objective,
        spec_path=args.spec,
        set_overrides=args.set_items,
        by_district=args.by_district,
        by_year=args.by_year,
        frontier_scales=_scales(args.frontier),
        robust=args.robust,
        draws=args.draws,
        sampler=args.sampler,
        seed=args.seed,
    )
    check_out(args.out, "optimization", scen.input_paths() + [args.spec])
    print(
        i18n.t("cli.optimizing", lang, name=scen.name, objective=i18n.t(f"alloc.objective.{spec.objective}", lang)),
        file=sys.stderr,
    )
    if scen.poverty_model != "states":  # tens of thousands of runs of a model that takes seconds each
        print(i18n.t("cli.optimize_multidim_slow", lang), file=sys.stderr)
    res = optimize(scen, spec, progress=sys.stderr.isatty())
    out = write_optimization(res, args.out, report=not args.no_report, lang=lang)
    stream = sys.stderr if res.status != "optimal" else sys.stdout
    print(res.message(lang), file=stream)
    explain_to(res, lang)
    print(i18n.t("cli.optimize_scenario", lang, path=display_path(out / SCENARIO_FILE)))
    print(i18n.t("cli.wrote", lang, path=display_path(out)))
    return 0 if res.status == "optimal" else 3


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
    marg = res.lines.dropna(subset=["objective_per_billion_added"])
    top = marg.sort_values("objective_per_billion_added", ascending=False).head(5)
    if len(top):
        items = ", ".join(f"{r.line} {fmt.number(r.objective_per_billion_added, lang, 2)}" for r in top.itertuples())
        print(i18n.t("cli.opt_marginal", lang, items=items), file=stream)
    if len(res.districts):
        ds = res.scenario.dataset
        top = res.districts.sort_values("objective_per_billion_added", ascending=False).head(5)
        items = ", ".join(
            f"{r.line} – {ds.unit_name(r.district, lang)} {fmt.number(r.objective_per_billion_added, lang, 2)}"
            for r in top.itertuples()
        )
        print(i18n.t("cli.opt_marginal_district", lang, items=items), file=stream)
    for z in res.zero_lines:
        print("  ○ " + z["text"](lang), file=stream)
    lost = res.unallocatable.groupby("allocation")["unallocatable_bn"].sum() if len(res.unallocatable) else {}
    for name, v in dict(lost).items():
        name_t = i18n.t(f"alloc.allocation.{name}", lang)
        print(
            "  ! " + i18n.t("cli.opt_unallocatable", lang, allocation=name_t, amount=fmt.number(v, lang, 2)),
            file=stream,
        )
    for f in res.plan_findings:
        print("  ! " + f.message(lang), file=stream)
    for note in res.legal.get(f"notes_{lang}", []):
        print("  § " + note, file=stream)
    for v in res.legal_violations:
        print("  ! " + v.message(lang), file=stream)
