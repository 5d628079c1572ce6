"""`simlib calibrate aggregate|households FILE... --out DIR`, `simlib calibrate series SPEC --out DIR`
and `simlib calibrate backtest CONFIG --out DIR`: estimate baseline transitions from review data, or
the trend and the programme's effects together from published rates, or back-test against
published figures."""

from __future__ import annotations

import sys
from pathlib import Path

from simlib import i18n
from simlib.cli.common import caught, check_out, later, load_scenario, readable
from simlib.errors import InputError, missing_file, raise_if_any
from simlib.paths import display_path

#: the readers of a series fit file and a back-test file (the calibration stack: SciPy, pandas,
#: seconds to load), loaded once the file is there: a mistyped path is said without them
_load_series_spec = later("simlib.calibrate.series_spec:load_series_spec")
_load_backtest = later("simlib.calibrate.backtest:load_backtest")


def _common(p) -> None:
    p.add_argument("files", nargs="+", help="CSV or XLSX files")
    p.add_argument(
        "--out", required=True, help="output folder: transitions.yaml, draws.csv, fitted.csv (replaced atomically)"
    )
    p.add_argument("--template", default="caobang", help="dataset whose units the data refer to (default caobang)")
    p.add_argument("--prior", default=None, help="transitions file used as prior (default params/transitions.yaml)")
    p.add_argument("--prior-scale", type=float, default=1.0, help="prior strength multiplier (default 1)")
    p.add_argument(
        "--budget", default=None, help="scenario whose budget acted in every observed year (to net out the programme)"
    )
    p.add_argument(
        "--budget-year", action="append", default=[], metavar="YEAR=SCENARIO", help="budget of one observed year"
    )
    p.add_argument(
        "--effects", action="store_true", help="also estimate a multiplier of all programme effects (needs budgets)"
    )
    p.add_argument(
        "--draws", type=int, default=200, help="posterior draws written to draws.csv (default 200, at most 100000)"
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the posterior draws")
    p.set_defaults(
        input_paths={"files": "file", "template": "dataset", "prior": "file", "budget": "file"},
        arg_checks=[_check_budgets],
        option_limits={"draws": ("--draws", 1, 100000)},
        out_kind="calibration",
        out_is_input=True,
        file_checks=[_budgets_read],
    )


def register(sub) -> None:
    p = sub.add_parser(
        "calibrate", help="hiệu chỉnh xác suất chuyển trạng thái / calibrate transitions from review data"
    )
    cs = p.add_subparsers(dest="calibrate_command", metavar="KIND", parser_class=type(p))
    cs.required = True
    a = cs.add_parser("aggregate", help="từ số liệu tổng hợp rà soát / from aggregate review counts")
    _common(a)
    a.add_argument(
        "--budget-scale",
        choices=["none", "poor_households"],
        default="none",
        help="scale budgets to the data's poor households (default none)",
    )
    a.set_defaults(func=main, kind="aggregate")
    h = cs.add_parser("households", help="từ danh sách hộ các năm / from household review lists")
    _common(h)
    h.add_argument(
        "--structure",
        choices=["per_class", "parametric"],
        default="per_class",
        help="per_class: rates per cell class (default); parametric: reference x modifiers",
    )
    h.set_defaults(func=main, kind="household")
    s = cs.add_parser(
        "series",
        help="xu hướng và tác động của Chương trình từ chuỗi tỷ lệ công bố / trend and programme effects from published rates",
    )
    s.add_argument("spec", help="series fit file, e.g. params/series/caobang.yaml")
    s.add_argument(
        "--out", required=True, help="output folder: transitions.yaml, posterior.csv, … (replaced atomically)"
    )
    s.add_argument("--draws", type=int, default=None, help="prior draws weighed by the data (default: the file's)")
    s.add_argument("--seed", type=int, default=None, help="seed (default: the file's)")
    s.set_defaults(
        func=series,
        input_paths={"spec": "file"},
        out_kind="calibration",
        out_is_input=True,
        option_limits={"draws": ("--draws", 50, 100000)},
        file_checks=[_series_read],
    )
    b = cs.add_parser("backtest", help="kiểm định ngược với số liệu công bố / back-test against published figures")
    b.add_argument("config", help="back-test file, e.g. params/backtest/published_2023.yaml")
    b.add_argument("--out", required=True, help="output folder (replaced atomically)")
    b.add_argument("--draws", type=int, default=None, help="posterior draws (default: the file's)")
    b.add_argument("--seed", type=int, default=None, help="seed (default: the file's)")
    b.set_defaults(
        func=backtest,
        input_paths={"config": "file"},
        out_kind="backtest",
        option_limits={"draws": ("--draws", 10, 10000)},
        file_checks=[_backtest_read],
    )


def _series_read(args, bad: frozenset, others: bool) -> tuple[list[InputError], list]:
    """The series fit file's own problems, said with the arguments' (`common.file_problems`)."""
    return (caught(_load_series_spec, args.spec) if readable(args.spec) else []), []


def _backtest_read(args, bad: frozenset, others: bool) -> tuple[list[InputError], list]:
    """The back-test file's own problems, said with the arguments' (`common.file_problems`)."""
    return (caught(_load_backtest, args.config) if readable(args.config) else []), []


def _budgets(items: list[str]) -> dict:
    out = {}
    for item in items:
        year, sep, path = item.partition("=")
        if not sep or not year.strip().isdigit() or not path.strip():
            raise InputError("cal_budget_syntax", field="--budget-year", value=item)
        out[int(year)] = path.strip()
    return out


def _check_budgets(args) -> None:
    """The problems of `--budget-year YEAR=SCENARIO`: its form, else its scenario files."""
    errors = caught(_budgets, args.budget_year)
    if not errors:
        paths = _budgets(args.budget_year).values()
        errors = [missing_file(p, "--budget-year") for p in paths if not Path(p).is_file()]
    raise_if_any(errors)


def _budgets_read(args, bad: frozenset, others: bool) -> tuple[list[InputError], list]:
    """The problems inside the budget scenarios (`--budget`, `--budget-year`), read as the
    calibration reads them (`load_scenario`), said with the arguments' (`common.file_problems`)."""
    paths = [args.budget] if args.budget is not None and readable(args.budget) else []
    if not caught(_budgets, args.budget_year):
        paths += [p for p in _budgets(args.budget_year).values() if readable(p)]
    return [e for p in dict.fromkeys(paths) for e in caught(load_scenario, p)], []


def main(args) -> int:
    # local import: the calibration stack (SciPy) takes seconds to load; only this command needs it
    from simlib.calibrate import calibrate_files, write_calibration
    from simlib.calibrate.result import summary_lines

    lang = i18n.get_lang()
    budgets = _budgets(args.budget_year)
    check_out(args.out, "calibration", [*args.files, args.prior, args.budget, *budgets.values()])
    what = i18n.t(f"cli.cal_what_{args.kind}", lang)
    print(i18n.t("cli.cal_estimating", lang, what=what, n=len(args.files)), file=sys.stderr)
    cal = calibrate_files(
        args.kind,
        args.files,
        template=args.template,
        prior=args.prior,
        prior_scale=args.prior_scale,
        budget=args.budget,
        budgets=budgets,
        budget_scale=getattr(args, "budget_scale", "none"),
        effects=args.effects,
        structure=getattr(args, "structure", None),
        draws=args.draws,
        seed=args.seed,
    )
    out = write_calibration(cal, args.out)
    for line in summary_lines(cal, lang):
        print(line)
    print(i18n.t("cli.wrote", lang, path=display_path(out)))
    print(i18n.t("cli.cal_use", lang, path=display_path(out / "transitions.yaml")))
    return 0


def backtest(args) -> int:
    # local import: the calibration stack (SciPy) takes seconds to load; only this command needs it
    from simlib.calibrate.backtest import error_lines, run_backtest, write_backtest

    lang = i18n.get_lang()
    check_out(args.out, "backtest", [args.config])
    res = run_backtest(args.config, draws=args.draws, seed=args.seed)
    out = write_backtest(res, args.out)
    for line in error_lines(res, lang):
        print(line)
    print(i18n.t("cli.wrote", lang, path=display_path(out)))
    return 0


def series(args) -> int:
    # local import: the calibration stack (SciPy) takes seconds to load; only this command needs it
    from simlib.calibrate.series import fit_series
    from simlib.calibrate.series_output import summary_lines, write_series_fit
    from simlib.calibrate.series_spec import load_series_spec

    lang = i18n.get_lang()
    check_out(args.out, "calibration", [args.spec])
    spec = load_series_spec(args.spec)
    n = args.draws or spec.draws
    print(i18n.t("cli.series_estimating", lang, draws=n, n=len(spec.observations)), file=sys.stderr)
    fit = fit_series(spec, draws=n, seed=args.seed)
    out = write_series_fit(fit, args.out)
    for line in summary_lines(fit, lang):
        print(line)
    print(i18n.t("cli.wrote", lang, path=display_path(out)))
    print(i18n.t("cli.cal_use", lang, path=display_path(out / "transitions.yaml")))
    return 0
