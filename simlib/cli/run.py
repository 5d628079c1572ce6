"""`simlib run SCENARIO --out DIR`: project one scenario and write its tables and manifest."""
from __future__ import annotations

import sys

from simlib import i18n


def register(sub) -> None:
    p = sub.add_parser("run", help="chạy một kịch bản / run one scenario")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--out", required=True, help="output folder (replaced atomically)")
    p.add_argument("--engine", default="expected", help="expected | microsim | microsim-fast | aggregate")
    p.add_argument("--draws", type=int, default=1, help="microsim replications")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the scenario's)")
    p.add_argument("--set", dest="set_items", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter or scenario field, e.g. program.lines.P2.effects.escape.value=0.2")
    # performance and national scale (issue 8)
    p.add_argument("--chunk", type=int, default=None, metavar="UNITS",
                   help="run units (provinces) in chunks of this many through the executor, one random stream per unit")
    p.add_argument("--executor", default="local", help="with --chunk: local | dask | serial")
    p.add_argument("--jobs", type=int, default=None, help="with --chunk: parallel workers (default: CPU count)")
    p.add_argument("--scheduler", default=None, help="with --chunk --executor dask: scheduler address")
    p.set_defaults(func=main)


def main(args) -> int:
    from simlib.paths import display_path
    from simlib.runner import run, write_outputs
    from simlib.scenario import load_scenario

    lang = i18n.get_lang()
    scen = load_scenario(args.scenario, args.set_items)
    print(i18n.t("cli.running", lang, name=scen.name, engine=args.engine), file=sys.stderr)
    chunking = None
    if args.chunk is not None:
        if args.chunk < 1:
            from simlib.errors import InputError

            raise InputError("chunk", field="--chunk", value=args.chunk)
        chunking = {"chunk": args.chunk, "executor": args.executor, "jobs": args.jobs, "scheduler": args.scheduler}
    res = run(scen, engine=args.engine, draws=args.draws, seed=args.seed, progress=sys.stderr.isatty(), chunking=chunking)
    out = write_outputs(res, args.out)
    print(i18n.t("cli.wrote", lang, path=display_path(out)))
    return 0
