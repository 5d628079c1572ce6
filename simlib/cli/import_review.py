"""`simlib import-review FILE --out DIR`: turn the province's annual-review counts into a dataset."""

from __future__ import annotations

from simlib import i18n
from simlib.cli.common import caught, later, readable
from simlib.errors import InputError, InputErrors
from simlib.paths import display_path

#: the review's reading and writing and the template dataset (`simlib.review_import`,
#: `simlib.dataset`: tables with pandas), loaded when `import-review` runs
load_dataset = later("simlib.dataset:load_dataset")
Target = later("simlib.review_import:Target")
import_review = later("simlib.review_import:import_review")
review_problems = later("simlib.review_import:review_problems")


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
    p.set_defaults(
        func=main, input_paths={"file": "file", "template": "dataset"}, file_checks=[_review_read], out_is_input=True
    )


def _review_read(args, bad: frozenset, others: bool) -> tuple[list[InputError], list]:
    """The review table's own problems (units, groups, states, counts) and those of the dataset's
    name, year and folder, said with the arguments' (`common.file_problems`): unless the file
    cannot be read or its units are unknown (a wrong `--template` or `--level`, said as such).
    The folder is checked by permissions only (nothing is made while arguments may be wrong), and
    not when the name it takes from a wrong `--year` would be a guess."""
    if not readable(args.file) or args.level not in ("district", "commune"):  # a wrong --level: _INVALID
        return [], []
    if caught(load_dataset, args.template):  # said by the arguments' check (`--template`)
        return [], []
    wrong_year = "--year" in bad  # said by the arguments' check; the default name would take it
    target = Target(args.out, args.name, None if wrong_year else args.year, args.replace)
    if wrong_year and args.name is None and args.out is None:  # the folder would be a guess
        target = None
    try:
        return review_problems(args.file, args.template, args.level, target), []
    except InputErrors as exc:  # the table cannot be read as one (its columns): its problems
        return list(exc.errors), []
    except InputError as exc:
        return [exc], []


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
