"""`simlib validate FILE...`: check scenario files (and the parameters they use) without running."""

from __future__ import annotations

from simlib import i18n


def register(sub) -> None:
    p = sub.add_parser("validate", help="kiểm tra tệp kịch bản / check scenario files")
    p.add_argument("files", nargs="+", help="scenario files or folders")
    p.add_argument("--set", dest="set_items", action="append", default=[], metavar="KEY=VALUE")
    p.set_defaults(func=main)


def main(args) -> int:
    from simlib.batch import collect_scenarios, validate_all
    from simlib.paths import display_path
    from simlib.scenario import parse_set_args

    lang = i18n.get_lang()
    paths = collect_scenarios(args.files)
    bad = validate_all(paths, parse_set_args(args.set_items))
    for p in paths:
        if p in bad:
            print(f"✗ {display_path(p)}\n  {bad[p].message(lang)}")
        else:
            print("✓ " + i18n.t("cli.valid", lang, path=display_path(p)))
    return 2 if bad else 0
