"""`simlib import-review FILE --out DIR`: turn the province's annual-review counts into a dataset."""

from __future__ import annotations

from simlib import i18n
from simlib.dataset import import_review
from simlib.paths import display_path


def register(sub) -> None:
    p = sub.add_parser("import-review", help="nhập số liệu rà soát hộ nghèo / import annual-review counts (CSV, XLSX)")
    p.add_argument("file", help="CSV or XLSX with columns unit_id, ethnic_group, area, state, households")
    p.add_argument("--template", default="caobang", help="dataset whose units and flags to use (default caobang)")
    p.add_argument(
        "--out", default=None, help="output dataset folder (default data/<name>); must be new or empty, see --replace"
    )
    p.add_argument(
        "--name", default=None, help="dataset name: letters, digits, _ and - (default <template>_review_<year>)"
    )
    p.add_argument(
        "--level",
        choices=("district", "commune"),
        default="district",
        help="units of the file: the template's districts (default) or the communes from 1 July 2025, "
        "named by code or name, with or without diacritics",
    )
    p.add_argument("--year", type=int, default=None, help="review year (default: the template's)")
    p.add_argument(
        "--replace",
        action="store_true",
        help="replace a dataset that import-review wrote before (files it did not write are kept)",
    )
    p.set_defaults(func=main, input_paths={"file": "file", "template": "dataset"})


def main(args) -> int:
    out = import_review(
        args.file,
        template=args.template,
        out_dir=args.out,
        name=args.name,
        year=args.year,
        replace=args.replace,
        level=args.level,
    )
    print(i18n.t("cli.wrote", i18n.get_lang(), path=display_path(out)))
    return 0
