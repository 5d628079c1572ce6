"""`simlib validate FILE...`: check scenario files (and the parameters they use) without running."""

from __future__ import annotations

import sys

from simlib import i18n
from simlib.cli.common import later, print_money_notes, print_money_warnings, scenario_check
from simlib.errors import SimlibError
from simlib.paths import display_path
from simlib.scenario_files import collect_scenarios
from simlib.scenario_sets import parse_set_args

#: the checks of `simlib.batch.checks`, loaded when they run (the scenarios and their legal frame:
#: no engine, numba, SciPy nor the reports' notebook stack)
check_all = later("simlib.batch:check_all")
#: the run's first-screen sentences on the rules a scenario's legal frame does not check
scenario_not_checked = later("simlib.compliance:scenario_not_checked")


def register(sub) -> None:
    p = sub.add_parser("validate", help="kiểm tra tệp kịch bản / check scenario files")
    p.add_argument("files", nargs="+", help="scenario files or folders")
    p.add_argument("--set", dest="set_items", action="append", default=[], metavar="KEY=VALUE")
    p.set_defaults(func=main, input_paths={"files": "scenarios"}, file_checks=[scenario_check("files", always=False)])


def main(args) -> int:
    lang = i18n.get_lang()
    paths = collect_scenarios(args.files)
    checked = check_all(paths, parse_set_args(args.set_items))
    bad = {p: v for p, v in checked.items() if isinstance(v, BaseException)}
    shown: set[str] = set()  # an override's note under the first file it applies to, not under each
    for p in paths:
        exc = bad.get(p)
        if exc is None:
            print("✓ " + i18n.t("cli.valid", lang, path=display_path(p)))
            for note in scenario_not_checked(checked[p]):  # as the run's first screen: notes, not errors
                print("  " + i18n.t("cli.valid_note", lang, note=note.get(lang)))
            print_money_warnings(checked[p], lang, file=sys.stdout, indent="  ")
        elif isinstance(exc, SimlibError):
            print(f"✗ {display_path(p)}\n  " + exc.message(lang).replace("\n", "\n  "))
        else:  # a bug in simlib on this file: said so, and the other files are still checked
            error = i18n.t("cli.internal_error", lang, error=f"{type(exc).__name__}: {exc}")
            print(f"✗ {display_path(p)}\n  {error}")
        print_money_notes([p], lang, file=sys.stdout, indent="  ", set_items=args.set_items, shown=shown)
    if any(not isinstance(e, SimlibError) for e in bad.values()):
        return 1
    return 2 if bad else 0
