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
import re
import sys
import traceback
import unicodedata

from simlib import i18n
from simlib.atomic import ENVIRONMENT_ERRNOS, os_problem
from simlib.cli.common import check_options
from simlib.errors import InputError, SimlibError, closest_names
from simlib.memory_pages import decline_hugepage_advice
from simlib.paths import display_path
from simlib.schema import decline_iri_grammar, get_schema

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


#: argparse's own usage messages (English, after its `argument OPTION: ` head) -> the name of
#: their catalogue text `cli.argparse_<name>`; the named groups, and `option`, fill its fields.
#: A message matching none is shown as argparse wrote it.
ARGPARSE_MESSAGES: dict[str, str] = {
    r"the following arguments are required: (?P<names>.+)": "required",
    r"invalid int value: (?P<value>.+)": "int",
    r"invalid float value: (?P<value>.+)": "float",
    r"invalid choice: (?P<value>.+?) \(choose from (?P<allowed>.+)\)": "choice",
    r"unrecognized arguments: (?P<names>.+)": "unrecognized",
    r"expected one argument": "one_argument",
    r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)": "ambiguous",
}
_ARGUMENT_HEAD = re.compile(r"argument (?P<option>.+?): (?P<rest>.+)", re.DOTALL)


def usage_message(
    message: str, lang: str | None = None, flags: tuple[str, ...] = (), commands: dict | None = None, command=None
) -> str:
    """argparse's usage error `message` in `lang` (None: `$SIMLIB_LANG`, else Vietnamese).

    Parameters
    ----------
    message : str
        What argparse passes to `ArgumentParser.error`, e.g. "argument --jobs: invalid int
        value: 'abc'".
    lang : str, optional
        The language of the answer.
    flags : tuple of str, optional
        The options the commands know (`--horizon`, ...): an unrecognised option close to one of
        them gets a "did you mean" (`--horizn` -> `--horizon`).
    commands : dict, optional
        Each command's long options (`{"run": ("--out", ...), "calibrate backtest": ...}`), with
        `command` the one given: an unrecognised option is then compared with that command's
        options only, and one another command has is said to be that command's (`--budget` on
        `run`).
    command : str, optional
        The command given (`run`, `calibrate backtest`), named in the pointer to its `--help`.

    Returns
    -------
    str
        The catalogue text `cli.argparse_<name>` of the first pattern of `ARGPARSE_MESSAGES`
        that matches, filled with the option, the value and what is allowed, with the closest
        allowed choice or option when one is close; `message` itself if none matches.
    """
    head = _ARGUMENT_HEAD.fullmatch(message)
    option, rest = (head["option"], head["rest"]) if head else ("", message)
    for pattern, name in ARGPARSE_MESSAGES.items():
        found = re.fullmatch(pattern, rest, re.DOTALL)
        if found:
            fill = {"option": option, "command": command or "run", **found.groupdict()}
            text = i18n.t(f"cli.argparse_{name}", lang, **fill)
            if name == "choice":
                return text + _choice_near(found["value"], found["allowed"], lang)
            if name == "unrecognized":
                return (
                    text
                    + _options_elsewhere(found["names"], commands, command, lang)
                    + _flag_near(found["names"], (commands or {}).get(command, flags), lang)
                )
            return text
    return message


def _unknown_names(names: str) -> list[str]:
    """The options among argparse's unrecognised `names` (`--horizn=2030` read as `--horizn`)."""
    return [w.split("=", 1)[0] for w in names.split() if w.startswith("--")]


def _options_elsewhere(names: str, commands: dict | None, command, lang: str | None) -> str:
    """ "; --budget is an option of optimize, not of run" for each unrecognised option among
    `names` that another command has (`commands`: each command's long options); empty if none."""
    if not commands or command not in commands:
        return ""
    notes = []
    for name in dict.fromkeys(_unknown_names(names)):
        owners = [c for c, flags in commands.items() if name in flags and c != command]
        if owners and name not in commands[command]:
            notes.append(i18n.t("cli.option_of_other", lang, option=name, owners=", ".join(owners), command=command))
    return "".join("; " + n for n in notes)


def _choice_near(value: str, allowed: str, lang: str | None) -> str:
    """ "; did you mean …?" after argparse's invalid choice, with the choices closest to the value
    (`errors.closest_names`, as for keys and values in files); empty if none is close. argparse
    writes both as Python literals ('en', 'vi')."""
    choices = [c.strip().strip("'\"") for c in allowed.split(",")]
    near = closest_names(value.strip("'\""), choices)
    return "; " + i18n.t("err.did_you_mean", lang, near=", ".join(f"'{n}'" for n in near)) if near else ""


def _flag_near(names: str, flags: tuple[str, ...], lang: str | None) -> str:
    """ "; did you mean …?" after argparse's unrecognised arguments, with the known options closest
    to each unknown option among `names` (`--horizn=2030` is read as `--horizn`) or, failing
    that, `--set KEY=…` for the scenario key closest to its name (`--horizn` -> `--set
    horizon=…`); empty if nothing is close."""
    keys = sorted(get_schema("scenario")["properties"]) if "--set" in flags else []
    near = []
    for name in _unknown_names(names):
        found = closest_names(name, flags) or [f"--set {k}=…" for k in closest_names(name[2:].replace("-", "_"), keys)]
        near += [n for n in found if n not in near and n != name]
    return "; " + i18n.t("err.did_you_mean", lang, near=", ".join(near)) if near else ""


class _Parser(argparse.ArgumentParser):
    #: every command's long options, set on the top parser by `build_parser` (for "did you mean")
    known_flags: tuple[str, ...] = ()
    #: each command's long options (`calibrate`'s by kind: `calibrate backtest`), set on the top
    #: parser by `build_parser`
    command_flags: dict[str, tuple[str, ...]] = {}
    #: the command given (`run`, `calibrate backtest`), once known (`parse_args`)
    command: str | None = None
    #: the parser of the (sub-)command given, once known (`parse_args`): its usage line is shown
    chosen: argparse.ArgumentParser | None = None

    def parse_args(self, args=None, namespace=None):
        """argparse's, knowing the command given when it refuses unrecognised arguments (they are
        compared with that command's options, `usage_message`)."""
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            self.chosen = _chosen_parser(self, parsed)
            self.command = _command_name(self, self.chosen)
            self.error(f"unrecognized arguments: {' '.join(extra)}")
        return parsed

    def error(self, message):  # argparse's own usage errors: exit 2, no traceback, the user's language
        # arguments the command given does not take: that command's usage line and name, as argparse
        # shows them for the command's own errors (a missing --out), not the top level's
        shown = self.chosen or self
        shown.print_usage(sys.stderr)
        text = usage_message(message, flags=self.known_flags, commands=self.command_flags, command=self.command)
        sys.stderr.write(f"{shown.prog}: {i18n.t('cli.error_prefix')}: {text}\n")
        sys.exit(2)


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
        parser.add_argument("--lang", choices=i18n.LANGS, default=lang_default, help=help_)
    if "--debug" not in own:
        parser.add_argument("--debug", action="store_true", default=debug_default, help="show tracebacks")


#: ASCII stand-ins for the punctuation simlib's messages use
_ASCII = str.maketrans(
    {"đ": "d", "Đ": "D", "—": "-", "–": "-", "−": "-", "→": "->", "…": "...", "«": '"', "»": '"', "≥": ">=", "≤": "<="}
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
        if err.file is None or (isinstance(own, str | os.PathLike) and err.file == display_path(own)):
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
    asked = i18n.lang_option(argv)
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


def _dispatch(args) -> int:
    lang = i18n.get_lang(args.lang)
    try:
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
