"""`simlib run SCENARIO --out DIR`: project one scenario and write its tables and manifest.

With `--uncertainty N`, also run N parameter draws (x `--draws` microsim replications) and write
quantile tables, target probabilities and rules beside the usual outputs (simlib.uncertainty).

When the scenario's transitions file carries posterior draws (`simlib calibrate series`), the
programme's share of the decline and the cost per household lifted out are printed as 90 %
intervals and written to `programme_intervals.csv` (simlib.calibrate.intervals).
"""

from __future__ import annotations

import sys

from simlib import i18n
from simlib.cli.common import (
    MAX_DRAWS,
    check_out,
    checked_scenario,
    later,
    print_money_notes,
    print_money_warnings,
    say_first_compile,
    scenario_check,
)
from simlib.errors import InputError
from simlib.i18n import fmt
from simlib.options import RunOptions
from simlib.paths import display_path

#: the run and its outputs (the engines: numba, their compiled kernels), loaded when a run starts
run = later("simlib.runner:run")
write_outputs = later("simlib.runner:write_outputs")
#: what a first run compiles meanwhile, said as a batch says it (`simlib.batch.compiling`)
compile_watch = later("simlib.batch.compiling:compile_watch")
line_display = later("simlib.batch.compiling:line_display")
#: the year kernels a run calls, as a batch knows its scenarios' (`simlib.batch.warmup.kernels_of`)
kernels_of = later("simlib.batch.warmup:kernels_of")


def register(sub) -> None:
    p = sub.add_parser("run", help="chạy một kịch bản / run one scenario")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--out", required=True, help="output folder (replaced atomically)")
    p.add_argument("--engine", default="expected", help="expected | microsim | microsim-fast | aggregate")
    p.add_argument(
        "--draws",
        type=int,
        default=1,
        help=f"microsim replications (per parameter draw with --uncertainty; at most {MAX_DRAWS})",
    )
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the scenario's)")
    p.add_argument(
        "--set",
        dest="set_items",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter or scenario field, e.g. program.lines.P2.effects.escape.value=0.2",
    )
    g = p.add_argument_group("uncertainty / độ bất định")
    g.add_argument(
        "--uncertainty",
        type=int,
        default=None,
        metavar="N",
        help=f"N parameter draws: quantiles and probabilities of meeting targets (at most {MAX_DRAWS}: each draw "
        "re-runs the model, a multidimensional one about 5 CPU s)",
    )
    g.add_argument("--sampler", default="lhs", help="lhs | sobol | random (default lhs)")
    c = p.add_argument_group("parallel work / chạy song song")
    c.add_argument(
        "--chunk",
        type=int,
        default=None,
        metavar="UNITS",
        help="run units (provinces) in chunks of this many through the executor, one random stream per unit",
    )
    c.add_argument("--executor", default="local", help="local | dask | serial (for --uncertainty and --chunk)")
    c.add_argument("--jobs", type=int, default=None, help="parallel workers (default and most: CPU count)")
    c.add_argument("--scheduler", default=None, help="Dask scheduler address (with --executor dask)")
    p.set_defaults(
        func=main, input_paths={"scenario": "file"}, out_kind="run", file_checks=[scenario_check("scenario")]
    )


def _options(args):
    """The run options of the command line (checked: a bad value is an error naming its flag)."""
    return RunOptions(
        engine=args.engine,
        draws=args.draws,
        seed=args.seed,
        chunk=args.chunk,
        executor=args.executor,
        jobs=args.jobs,
        scheduler=args.scheduler,
        progress=sys.stderr.isatty(),
    )


def _check_uncertainty(args) -> None:
    # local import: the uncertainty stack (SALib, SciPy) takes seconds to load; only this command needs it
    from simlib.uncertainty.sampling import METHODS

    if args.uncertainty is not None and args.sampler not in METHODS:
        raise InputError("enum", field="sampler", value=args.sampler, allowed=METHODS)


def _intervals(res, lang: str):
    """Print the programme's intervals from the scenario's posterior (states model); return the
    writer of programme_intervals.csv for the output folder, or None. The multidimensional model
    has no posterior (the calibration fits the states model's transitions): it says so and names
    its parameter draws instead."""
    # local import: the calibration stack (SciPy) takes seconds to load; only this command needs it
    from simlib.calibrate.intervals import programme_intervals

    if res.scenario.poverty_model != "states":
        path = display_path(res.scenario.file) if res.scenario.file else "<scenario.yaml>"
        print(i18n.t("cli.intervals_multidim", lang, command=f"simlib run {path} --uncertainty 200 --out …"))
        return None
    iv = programme_intervals(res.scenario, res.model)
    if iv is None:
        print(i18n.t("cli.intervals_none", lang))
        return None
    print(iv.sentence(lang))

    def extra(tmp) -> dict:
        return {"outputs": [iv.write(tmp)], "programme_intervals": iv.info}

    return extra


def _with_uncertainty(res, args, options, lang: str, extra=None):
    """Write the run and `--uncertainty` parameter draws with it; print the last year's chances."""
    # local import: the uncertainty stack (SALib, SciPy) takes seconds to load; only this command needs it
    from simlib.uncertainty.run import read_uncertainty, write_uncertainty

    scen = res.scenario
    print(
        i18n.t(
            "unc.cli.running", lang, n=args.uncertainty, reps=options.replications, name=scen.name, engine=args.engine
        ),
        file=sys.stderr,
    )
    out = write_uncertainty(
        res, args.out, args.uncertainty, extra=extra, options=options.but(chunk=None), method=args.sampler
    )
    t = read_uncertainty(out)["targets"]
    last = t[t["year"] == t["year"].max()].drop_duplicates("target_id")
    items = "; ".join(
        f"{tid}: {fmt.percent(100 * p, lang, 0)}" for tid, p in zip(last["target_id"], last["probability_met"])
    )
    print(i18n.t("unc.cli.summary", lang, year=int(t["year"].max()), items=items))
    return out


def _run_compiling(scen, options: RunOptions, lang: str):
    """`run(scen, options)`, saying what a first run compiles meanwhile (the multidimensional
    engine's kernels: minutes): the note before when the cache holds no compiled year, then the
    kernels compiled so far on a line of the terminal rewritten every second (`options.progress`:
    stderr is a terminal; not with a stochastic engine, whose progress bar is drawn there), or a
    plain line a minute otherwise; compiling is said to be over once the year kernels the run
    calls are compiled (`kernels_of`: `_year_both` only for a run its previous-standard twin
    continues), as a batch says it."""
    models = {scen.poverty_model}
    needed = kernels_of(scen, options)  # first: an engine that cannot run the model is said before the note
    say_first_compile(models, lang)
    live = options.progress and not options.engine_spec.stochastic
    with compile_watch(live, lang, models, needed=needed, display=line_display, short=False):
        return run(scen, options)


def main(args) -> int:
    lang = i18n.get_lang()
    options = _options(args)
    _check_uncertainty(args)
    scen = checked_scenario(args, args.scenario)
    check_out(args.out, "run", scen.input_paths())
    print_money_notes([args.scenario], lang, set_items=args.set_items)
    print_money_warnings(scen, lang)
    print(i18n.t("cli.running", lang, name=scen.name, engine=args.engine), file=sys.stderr)
    res = _run_compiling(scen, options, lang)
    extra = _intervals(res, lang)
    if args.uncertainty is None:
        out = write_outputs(res, args.out, extra=extra)
    else:
        out = _with_uncertainty(res, args, options, lang, extra)
    print(i18n.t("cli.wrote", lang, path=display_path(out)))
    return 0
