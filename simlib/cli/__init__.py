"""Command-line interface: `simlib list | validate | run | batch | import-review | ...`.

Thin: parses arguments, calls the library, prints. User errors print one clear message (in
Vietnamese by default, `--lang en` for English) and exit with status 2, without a traceback.
Each sub-command lives in its own module with `register(subparsers)`.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import importlib
import os
import sys
import traceback
import unicodedata

from simlib import i18n
from simlib.atomic import ENVIRONMENT_ERRNOS, os_problem
from simlib.cli.common import argument_problems, check_options
from simlib.cli.usage import ARGPARSE_MESSAGES, usage_message
from simlib.engines.kernel_cache import numba_threads_problem
from simlib.errors import InputError, InputErrors, SimlibError
from simlib.memory_pages import decline_hugepage_advice
from simlib.paths import display_path, typable_path
from simlib.schema import decline_iri_grammar

#: `usage_message` and its table live in `simlib.cli.usage`; shown here as before
__all__ = ["ARGPARSE_MESSAGES", "build_parser", "main", "usage_message"]

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
]


#: argparse's usage messages after which the parsing goes on, so that every problem of one command
#: line is reported at once (`_Parser.error`); any other ends it
_RECOVERABLE = ("the following arguments are required:", "ambiguous option:")
#: the value of an option argparse could not convert or that had none: its problem is recorded
_INVALID = object()


class _Swallow(argparse.Action):
    """Stands for an ambiguous option (`--e` for `--engine` or `--executor`) while the parsing goes
    on: takes the value written after it, if any, and keeps nothing (its problem is recorded)."""

    def __init__(self, option_strings, dest="ambiguous_option", nargs="?", **kwargs):
        super().__init__(option_strings, dest, nargs=nargs, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        pass


class _Parser(argparse.ArgumentParser):
    """argparse's parser that finds every problem of one command line before it says any (the
    developers' guide: every problem at once): a value that does not convert or is not among the
    choices, an option without its value, an ambiguous option, missing required arguments and
    unknown arguments are recorded in `problems` and the parsing goes on; then the checks of the
    parsed values (`common.argument_problems`: input files that do not exist, values out of range,
    malformed `--set`) join them, and all are said in one message, exit status 2."""

    #: every command's long options, set on the top parser by `build_parser` (for "did you mean")
    known_flags: tuple[str, ...] = ()
    #: each command's long options (`calibrate`'s by kind: `calibrate backtest`), set on the top
    #: parser by `build_parser`
    command_flags: dict[str, tuple[str, ...]] = {}
    #: the command given (`run`, `calibrate backtest`), once known (`parse_args`)
    command: str | None = None
    #: the parser of the (sub-)command given, once known (`parse_args`): its usage line is shown
    chosen: argparse.ArgumentParser | None = None
    #: argparse's usage messages (English) found so far while `parse_args` parses, shared by the top
    #: parser and every command's; None outside it (argparse's own behaviour: the first one ends it)
    problems: list[str] | None = None

    def parse_args(self, args=None, namespace=None):
        """argparse's, with every problem of the command line said at once (`_Parser`); unknown
        arguments are compared with the options of the command given (`usage_message`)."""
        problems: list[str] = []
        parsers = [self, *_commands(self)]
        for parser in parsers:
            parser.problems = problems
        parsed = argparse.Namespace() if namespace is None else namespace
        stopped = False
        try:
            parsed, extra = self.parse_known_args(args, parsed)
        except _Stop:  # a problem after which nothing more can be read (an unknown command)
            stopped, extra = True, []
        finally:
            for parser in parsers:
                parser.problems = None
        for name, value in vars(parsed).items():
            if value is _INVALID or isinstance(value, list) and _INVALID in value:
                setattr(parsed, name, [v for v in value if v is not _INVALID] if isinstance(value, list) else None)
        self.chosen = _chosen_parser(self, parsed)
        self.command = _command_name(self, self.chosen)
        if extra:
            problems.append(f"unrecognized arguments: {' '.join(extra)}")
        if problems:  # with the checks of what could be read (none if the parsing stopped)
            self.say(problems, [] if stopped else argument_problems(parsed, pending=True), parsed)
        return parsed

    def say(self, problems: list[str], errors: list[InputError] = (), args=None) -> None:
        """Print argparse's usage `problems` (English, as argparse words them) and the `errors` of
        the values read, in the user's language, all in one message after the usage line of the
        command given; exit with status 2."""
        shown = self.chosen or self
        shown.print_usage(sys.stderr)
        texts = [
            usage_message(m, flags=self.known_flags, commands=self.command_flags, command=self.command)
            for m in problems
        ]
        if errors:
            found = InputErrors(errors)
            _as_flags(found, args)
            texts += [e.message() for e in found.errors]
        if len(texts) > 1:
            texts = [i18n.t("cli.errors_found", n=len(texts)) + "".join(f"\n  - {t}" for t in texts)]
        sys.stderr.write(f"{shown.prog}: {i18n.t('cli.error_prefix')}: {texts[0]}\n")
        sys.exit(2)

    def error(self, message):  # argparse's own usage errors: exit 2, no traceback, the user's language
        if self.problems is None:  # outside `parse_args`: said at once, as argparse does
            self.say([message])
        self.problems.append(message)
        if not message.startswith(_RECOVERABLE):
            raise _Stop

    def _get_value(self, action, arg_string):
        """argparse's, recording a value that does not convert (`_INVALID` in its place)."""
        try:
            return super()._get_value(action, arg_string)
        except argparse.ArgumentError as err:
            if self.problems is None:
                raise
            self.problems.append(str(err))
            return _INVALID

    def _check_value(self, action, value):
        """argparse's, recording a value not among the choices (an unknown command ends the parsing)."""
        if value is _INVALID:
            return
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as err:
            if self.problems is None or isinstance(action, argparse._SubParsersAction):
                raise
            self.problems.append(str(err))

    def _match_argument(self, action, arg_strings_pattern):
        """argparse's, recording an option written without its value (it takes none, `_get_values`)."""
        try:
            return super()._match_argument(action, arg_strings_pattern)
        except argparse.ArgumentError as err:
            if self.problems is None:
                raise
            self.problems.append(str(err))
            return 0

    def _get_values(self, action, arg_strings):
        """argparse's; a value not among the choices (recorded by `_check_value`) is `_INVALID`, as
        one that does not convert: the checks of the files read go on without it (said once)."""
        if self.problems is not None and action.option_strings and action.nargs is None and not arg_strings:
            return _INVALID  # an option without its value, recorded by `_match_argument`
        value = super()._get_values(action, arg_strings)
        if self.problems is None or not action.option_strings or action.choices is None:
            return value
        if isinstance(value, list):
            return [v if v is _INVALID or v in action.choices else _INVALID for v in value]
        return value if value is _INVALID or value in action.choices else _INVALID

    def _parse_optional(self, arg_string):
        """argparse's, an ambiguous option (recorded by `error`) standing for one that takes the
        value written after it (`_Swallow`), so that the value is not read as an unknown argument."""
        before = len(self.problems) if self.problems is not None else None
        found = super()._parse_optional(arg_string)
        if before is None or len(self.problems) == before or not isinstance(found, tuple) or found[0] is not None:
            return found
        option, sep, explicit = arg_string.partition("=")
        return _Swallow([option]), option, explicit if sep else None


class _Stop(Exception):
    """A usage problem after which argparse cannot read on (`_Parser.error`)."""


def _chosen_parser(parser: argparse.ArgumentParser, parsed: argparse.Namespace) -> argparse.ArgumentParser:
    """The parser of the deepest (sub-)command named in `parsed` (`simlib calibrate backtest`'s),
    below `parser`; `parser` itself if it has no sub-command or none was given."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(getattr(parsed, action.dest, None))
            if chosen is not None:
                return _chosen_parser(chosen, parsed)
    return parser


def _command_name(top: argparse.ArgumentParser, command: argparse.ArgumentParser) -> str | None:
    """The name of `command` below the `top` parser as typed (`calibrate backtest`); None for `top`."""
    return command.prog.removeprefix(top.prog).strip() or None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="simlib",
        description="Mô phỏng Chương trình MTQG giảm nghèo bền vững / Poverty-reduction programme simulator",
    )
    _global_options(parser, None, False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"simlib.cli.{name}").register(sub)
    for command in _commands(parser):  # also after the command: `simlib calibrate backtest … --lang en`
        _global_options(command, argparse.SUPPRESS, argparse.SUPPRESS)
    _name_flags(parser, {})
    parser.known_flags = tuple(sorted(_long_flags(parser)))
    parser.command_flags = {  # the commands that take arguments: those with no sub-command of their own
        _command_name(parser, c): tuple(sorted(_long_flags(c))) for c in _commands(parser) if not _commands(c)
    }
    return parser


def _global_options(parser: argparse.ArgumentParser, lang_default, debug_default) -> None:
    """`--lang` and `--debug` on `parser`, where it has no option of that name (`batch` has its
    own `--lang`, the reports' language). On a command they default to `argparse.SUPPRESS`, so
    that the value given before the command stays unless one is given after it."""
    own = {f for a in parser._actions for f in a.option_strings}
    if "--lang" not in own:
        help_ = "ngôn ngữ thông báo / message language (vi, en)"
        parser.add_argument("--lang", type=i18n.lang_code, choices=i18n.LANGS, default=lang_default, help=help_)
    if "--debug" not in own:
        parser.add_argument("--debug", action="store_true", default=debug_default, help="show tracebacks")


#: ASCII stand-ins for the punctuation simlib's messages use
_ASCII = str.maketrans(
    {"đ": "d", "Đ": "D", "—": "-", "–": "-", "−": "-", "→": "->", "…": "...", "≥": ">=", "≤": "<="}
    | dict.fromkeys("«»“”", '"')  # the quotation marks of both languages
)


def _ascii_fallback(error: UnicodeEncodeError) -> tuple[str, int]:
    """Codec error handler: Vietnamese letters without their marks (ắ -> a, đ -> d), anything
    else that the terminal cannot show as '?', so an ASCII-only terminal still gets the message."""
    text = error.object[error.start : error.end]
    plain = unicodedata.normalize("NFKD", text.translate(_ASCII))
    out = "".join(c for c in plain if not unicodedata.combining(c))
    return "".join(c if ord(c) < 128 else "?" for c in out), error.end


codecs.register_error("simlib-ascii", _ascii_fallback)


def _safe_streams() -> None:
    """Let stdout/stderr degrade gracefully where they cannot encode Vietnamese (e.g. an ASCII
    terminal): messages lose their diacritics instead of crashing with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "Lỗi đ ắ → …".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            with contextlib.suppress(AttributeError, ValueError, OSError):
                stream.reconfigure(errors="simlib-ascii")


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


def _commands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parsers of every sub-command under `parser`, nested ones included (`calibrate backtest`)."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                found += [command, *_commands(command)]
    return found


def _long_flags(parser: argparse.ArgumentParser) -> set[str]:
    """The long options (`--horizon`) of `parser` and of all its sub-commands."""
    found = {f for a in parser._actions for f in a.option_strings if f.startswith("--")}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                found |= _long_flags(command)
    return found


def _as_flags(exc: SimlibError, args) -> None:
    """Errors about an option are shown by the command's flag (`engine` -> `--engine`): those with
    no file, and those whose file is the option's own path (`out` for the folder given as --out)."""
    flags = getattr(args, "cli_flags", {})
    for err in getattr(exc, "errors", [exc]):
        if not isinstance(err, InputError) or err.field not in flags:
            continue
        own = getattr(args, err.field, None)
        if err.file is None or (
            isinstance(own, str | os.PathLike) and err.file in (display_path(own), typable_path(own))
        ):
            err.field = flags[err.field]


def main(argv: list[str] | None = None) -> int:
    """The `simlib` command: `argv` (None: this program's command line) parsed and run; the exit
    status. Run as the program (`argv` None), it first spares the process jsonschema's iri
    grammar (`schema.decline_iri_grammar`, about 1.2 s CPU) and, for it and its workers, numpy's
    huge-page advice (`memory_pages`); an in-process caller's is left as it is."""
    _safe_streams()
    if argv is None:
        decline_iri_grammar()
        decline_hugepage_advice()
    argv = sys.argv[1:] if argv is None else list(argv)
    previous = os.environ.get("SIMLIB_LANG")
    asked = i18n.lang_option(_lowered_lang(argv))
    _say_unknown_env_lang(asked)
    if asked:  # argparse's own errors, worker processes and notebook kernels speak it
        os.environ["SIMLIB_LANG"] = asked
    try:
        args = build_parser().parse_args(argv)
        if args.lang:
            os.environ["SIMLIB_LANG"] = args.lang
        return _dispatch(args)
    finally:  # in-process callers (tests, notebooks) keep their own setting
        if previous is None:
            os.environ.pop("SIMLIB_LANG", None)
        else:
            os.environ["SIMLIB_LANG"] = previous


def _say_unknown_env_lang(asked: str | None) -> None:
    """Say once, in both languages, that `$SIMLIB_LANG` names no language simlib speaks (`fr`)
    and that Vietnamese is used, unless the command line asks for a language (`asked`)."""
    value = i18n.unknown_env_lang()
    if asked or value is None:
        return
    for lang in i18n.LANGS:
        print(i18n.t("cli.lang_unknown", lang, value=value, langs=", ".join(i18n.LANGS)), file=sys.stderr)


def _lowered_lang(argv: list[str]) -> list[str]:
    """`argv` with the value of every `--lang` in lower case (`--lang VI`: caps lock, or the code
    as printed) and without a locale's region (`vi-VN`), as the parser reads it
    (`type=i18n.lang_code`)."""
    out = [str(a) for a in argv]
    for i, arg in enumerate(out):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            out[i] = "--lang=" + i18n.lang_code(arg.removeprefix("--lang="))
        elif i and out[i - 1] == "--lang":
            out[i] = i18n.lang_code(arg)
    return out


def _dispatch(args) -> int:
    lang = i18n.get_lang(args.lang)
    try:
        numba_env = numba_threads_problem()  # before anything imports numba
        if numba_env is not None:
            raise numba_env
        check_options(args)
        return int(args.func(args) or 0)
    except SimlibError as exc:
        _as_flags(exc, args)
        print(f"{i18n.t('cli.error_prefix', lang)}: {exc.message(lang)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader of our output went away (e.g. `simlib list | head`)
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more to flush there
        return 1
    except OSError as exc:  # disk full, read-only folder, no permission, name too long: the user can fix it
        if exc.errno not in ENVIRONMENT_ERRNOS:
            return _internal(args, exc, lang)
        if args.debug or os.environ.get("SIMLIB_DEBUG"):
            traceback.print_exc()
        print(f"{i18n.t('cli.error_prefix', lang)}: {os_problem(exc).message(lang)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(i18n.t("cli.interrupted", lang), file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: a bug, not a user error
        return _internal(args, exc, lang)


def _internal(args, exc: BaseException, lang: str) -> int:
    if args.debug or os.environ.get("SIMLIB_DEBUG"):
        traceback.print_exc()
    print(i18n.t("cli.internal_error", lang, error=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
