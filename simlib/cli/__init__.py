"""Command-line interface: `simlib list | validate | run | batch | import-review | ...`.

Thin: parses arguments, calls the library, prints. User errors print one clear message (in
Vietnamese by default, `--lang en` for English) and exit with status 2, without a traceback.
Each sub-command lives in its own module with `register(subparsers)`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

from simlib import i18n
from simlib.errors import InputError, SimlibError

#: sub-command modules under simlib.cli, in the order shown by --help
COMMANDS = [
    "list_cmd",
    "validate",
    "run",
    "batch",
    "import_review",
    # calibration
    "calibrate",
    # allocation and optimisation
    "optimize",
    # uncertainty and sensitivity
    "sensitivity",
    "robustness",
    # performance and national scale
]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own usage errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: {i18n.t('cli.error_prefix')}: {message}\n")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="simlib",
        description="Mô phỏng Chương trình MTQG giảm nghèo bền vững / Poverty-reduction programme simulator",
    )
    parser.add_argument(
        "--lang", choices=i18n.LANGS, default=None, help="ngôn ngữ thông báo / message language (vi, en)"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"simlib.cli.{name}").register(sub)
    _name_flags(parser, {})
    return parser


def _name_flags(parser: argparse.ArgumentParser, inherited: dict[str, str]) -> None:
    """Record each (sub-)command's flags by field name (`engine` -> `--engine`): the library names
    options by field, the command line shows its flags."""
    flags = dict(inherited)
    flags.update({a.dest: max(a.option_strings, key=len) for a in parser._actions if a.option_strings})
    parser.set_defaults(cli_flags=flags)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                _name_flags(command, flags)


def _as_flags(exc: SimlibError, flags: dict[str, str]) -> None:
    """Errors about an option (no file) are shown by the command's flag: `engine` -> `--engine`."""
    for err in getattr(exc, "errors", [exc]):
        if isinstance(err, InputError) and err.file is None and err.field in flags:
            err.field = flags[err.field]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = os.environ.get("SIMLIB_LANG")
    if args.lang:  # worker processes and notebook kernels inherit the language
        os.environ["SIMLIB_LANG"] = args.lang
    try:
        return _dispatch(args)
    finally:  # in-process callers (tests, notebooks) keep their own setting
        if previous is None:
            os.environ.pop("SIMLIB_LANG", None)
        else:
            os.environ["SIMLIB_LANG"] = previous


def _dispatch(args) -> int:
    lang = i18n.get_lang(args.lang)
    try:
        return int(args.func(args) or 0)
    except SimlibError as exc:
        _as_flags(exc, getattr(args, "cli_flags", {}))
        print(f"{i18n.t('cli.error_prefix', lang)}: {exc.message(lang)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(i18n.t("cli.interrupted", lang), file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: a bug, not a user error
        if args.debug or os.environ.get("SIMLIB_DEBUG"):
            traceback.print_exc()
        print(i18n.t("cli.internal_error", lang, error=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
