"""`simlib batch SCENARIOS... --out reports/`: run many scenarios, in parallel."""
from __future__ import annotations

import sys

from simlib import i18n


def register(sub) -> None:
    p = sub.add_parser("batch", help="chạy nhiều kịch bản / run a batch of scenarios")
    p.add_argument("inputs", nargs="+", help="scenario files or folders")
    p.add_argument("--out", default="reports", help="output folder (default reports/)")
    p.add_argument("--jobs", type=int, default=None, help="parallel workers (default: CPU count)")
    p.add_argument("--engine", default="expected", help="expected | microsim")
    p.add_argument("--draws", type=int, default=1)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--executor", default="local", help="local | dask | serial")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address (with --executor dask)")
    p.add_argument("--set", dest="set_items", action="append", default=[], metavar="KEY=VALUE")
    p.set_defaults(func=main)


def main(args) -> int:
    from simlib.batch import collect_scenarios, run_batch
    from simlib.paths import display_path
    from simlib.scenario import parse_set_args

    lang = i18n.get_lang()
    paths = collect_scenarios(args.inputs)
    items = run_batch(paths, args.out, engine=args.engine, draws=args.draws, seed=args.seed, jobs=args.jobs,
                      executor=args.executor, scheduler=args.scheduler, set_items=parse_set_args(args.set_items),
                      progress=sys.stderr.isatty(), lang=lang)
    failed = [it for it in items if not it.ok]
    for it in items:
        if it.ok:
            print(f"✓ {it.name}: {display_path(it.out_dir)}")
        else:
            print(f"✗ " + i18n.t("cli.scenario_failed", lang, name=it.name, error=it.error), file=sys.stderr)
    print(i18n.t("cli.batch_summary", lang, ok=len(items) - len(failed), total=len(items), failed=len(failed)))
    return 2 if failed else 0
