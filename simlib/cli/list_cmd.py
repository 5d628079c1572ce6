"""`simlib list`: scenarios available and the programme's budget lines.

A scenario file that cannot be read, or whose fields break the scenario schema, is listed by its
name with a mark, and its problems are said after the list, as `simlib validate` words them
(exit status 2; the good ones are still listed). The checks that read the datasets and the legal
frame (pandas) are `simlib validate`'s: `list` stays light.
"""

from __future__ import annotations

import sys
from pathlib import Path

from simlib import i18n
from simlib.catalogue import catalogue_of
from simlib.errors import InputError, InputErrors
from simlib.i18n import fmt
from simlib.parameters import load_parameters
from simlib.paths import display_path, scenarios_dir, typable_path
from simlib.scenario_files import collect_scenarios
from simlib.schema import load_yaml, validate


def register(sub) -> None:
    p = sub.add_parser("list", help="liệt kê kịch bản và dự án / list scenarios and programme lines")
    p.add_argument("--scenarios", default=None, help="scenario folder (default params/scenarios)")
    p.set_defaults(func=main, arg_checks=[_check_folder])


def _check_folder(args) -> None:
    """`--scenarios` names a folder: a file given there is said so (it was listed as the folder's
    one scenario, exit status 0)."""
    if args.scenarios and Path(args.scenarios).is_file():
        raise InputError("not_folder", file=typable_path(args.scenarios), field="--scenarios")


def _read(path: Path) -> tuple[dict | None, list[InputError]]:
    """The scenario file `path` as a mapping and the problems its reading and the scenario schema
    find (the messages of `simlib validate`); None if it cannot be read."""
    try:
        raw = load_yaml(path)
    except InputErrors as exc:
        return None, list(exc.errors)
    except InputError as exc:
        return None, [exc]
    return raw, validate(raw, "scenario", path, quantities=False)


def main(args) -> int:
    lang = i18n.get_lang()
    folder = Path(args.scenarios) if args.scenarios else scenarios_dir()
    files = collect_scenarios([folder])  # a folder that is not there, or holds none: said, exit 2
    print(i18n.t("cli.list_scenarios", lang, path=display_path(folder)))
    problems: list[InputError] = []
    for f in files:
        raw, found = _read(f)
        problems += [e if e.file else e.with_file(display_path(f)) for e in found]
        title = f"⚠ {i18n.t('cli.list_broken', lang)}" if found else raw.get(i18n.column("title", lang), "")
        print(f"  {f.stem:<24} {title}")
    _lines(lang)
    if problems:
        said = problems[0].message(lang) if len(problems) == 1 else InputErrors(problems).message(lang)
        print(f"{i18n.t('cli.error_prefix', lang)}: {said}", file=sys.stderr)
        print(i18n.t("cli.list_broken_hint", lang, path=display_path(folder)), file=sys.stderr)
        return 2
    return 0


def _lines(lang: str) -> None:
    """Print the programme's projects and sub-projects with their unit costs."""
    cat = catalogue_of(load_parameters())
    print()
    print(i18n.t("cli.list_lines", lang))
    for code, ln in cat.lines.items():
        if ln.money_only:  # no unit cost: the model does not weigh its effect on households
            print(f"  {code:<5} {ln.name(lang)}  [{i18n.t('cli.list_unmeasured', lang)}]")
            continue
        cost = fmt.number(ln.unit_cost / 1e6, lang, 1)
        print(f"  {code:<5} {ln.name(lang)}  [{cost} {i18n.t('unit.million_vnd', lang)} / {ln.unit(lang)}]")
