"""`simlib list`: scenarios available and the programme's budget lines."""

from __future__ import annotations

from pathlib import Path

from simlib import i18n
from simlib.catalogue import catalogue_of
from simlib.errors import InputError
from simlib.i18n import fmt
from simlib.parameters import load_parameters
from simlib.paths import display_path, scenarios_dir, typable_path
from simlib.scenario_files import collect_scenarios
from simlib.schema import load_yaml


def register(sub) -> None:
    p = sub.add_parser("list", help="liệt kê kịch bản và dự án / list scenarios and programme lines")
    p.add_argument("--scenarios", default=None, help="scenario folder (default params/scenarios)")
    p.set_defaults(func=main, arg_checks=[_check_folder])


def _check_folder(args) -> None:
    """`--scenarios` names a folder: a file given there is said so (it was listed as the folder's
    one scenario, exit status 0)."""
    if args.scenarios and Path(args.scenarios).is_file():
        raise InputError("not_folder", file=typable_path(args.scenarios), field="--scenarios")


def main(args) -> int:
    lang = i18n.get_lang()
    folder = Path(args.scenarios) if args.scenarios else scenarios_dir()
    files = collect_scenarios([folder])  # a folder that is not there, or holds none: said, exit 2
    print(i18n.t("cli.list_scenarios", lang, path=display_path(folder)))
    for f in files:
        try:
            raw = load_yaml(f)
            title = raw.get(i18n.column("title", lang), "")
        except Exception:  # noqa: BLE001 - listing must not fail on one broken file
            title = "(?)"
        print(f"  {f.stem:<24} {title}")
    cat = catalogue_of(load_parameters())
    print()
    print(i18n.t("cli.list_lines", lang))
    for code, ln in cat.lines.items():
        if ln.money_only:  # no unit cost: the model does not weigh its effect on households
            print(f"  {code:<5} {ln.name(lang)}  [{i18n.t('cli.list_unmeasured', lang)}]")
            continue
        cost = fmt.number(ln.unit_cost / 1e6, lang, 1)
        print(f"  {code:<5} {ln.name(lang)}  [{cost} {i18n.t('unit.million_vnd', lang)} / {ln.unit(lang)}]")
    return 0
