"""argparse's usage errors in the user's language: `usage_message` turns argparse's English
(`argument --jobs: invalid int value: 'abc'`) into simlib's catalogue text naming the option, the
value and what is allowed, with the closest allowed choice or option ("did you mean")."""

from __future__ import annotations

import re

from simlib import i18n
from simlib.errors import closest_names
from simlib.i18n import fmt
from simlib.schema import get_schema

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
#: a whole number written with separators between groups of thousands (`1,000`, `1.000`, `12 000`):
#: the command line does not read them (in Vietnamese `1,000` is one, `1.000` a thousand)
_GROUPED = re.compile(r"[+-]?\d{1,3}([.,\s])\d{3}(?:\1\d{3})*")


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
        allowed choice or option when one is close (a whole number written with thousands separators,
        `1,000`: `cli.option_int_grouped`, its digits alone); `message` itself if none matches.
    """
    head = _ARGUMENT_HEAD.fullmatch(message)
    option, rest = (head["option"], head["rest"]) if head else ("", message)
    for pattern, name in ARGPARSE_MESSAGES.items():
        found = re.fullmatch(pattern, rest, re.DOTALL)
        if found:
            fill = {"option": option, "command": command or "run", **found.groupdict()}
            text = i18n.t(f"cli.argparse_{name}", lang, **fill)
            if name == "int" and _GROUPED.fullmatch(found["value"].strip("'\"")):
                return _grouped_int(option, found["value"], lang)
            if name == "choice":
                return text + _choice_near(found["value"], found["allowed"], lang)
            if name == "unrecognized":
                return (
                    text
                    + _several_scenarios(found["names"], command, lang)
                    + _options_elsewhere(found["names"], commands, command, lang)
                    + _flag_near(found["names"], (commands or {}).get(command, flags), lang)
                )
            return text
    return message


def _grouped_int(option: str, value: str, lang: str | None) -> str:
    """The message for a whole number written with separators between groups of thousands
    (`'1,000'`, `'1.000'`, `'12 000'`, as argparse quotes it): it is refused, not guessed (a
    Vietnamese `1,000` is one, an English one a thousand); the digits alone are the way to write
    it (`1000`)."""
    digits = re.sub(r"[^\d+-]", "", value.strip("'\""))
    whole = fmt.number(int(digits), lang)
    return i18n.t("cli.option_int_grouped", lang, option=option, value=value, whole=whole, digits=digits)


#: dashes an editor puts for `--` or `-` (en dash, em dash, minus sign): `–lang` copied from a document
DASHES = "–—−"


def _unknown_names(names: str) -> list[tuple[str, str]]:
    """The options among argparse's unrecognised `names`, each as typed and as the long option it
    may be (`--horizn=2030` read as `--horizn`; `-lang` with one dash and `–lang` with an editor's
    dash as `--lang`)."""
    found = []
    for word in names.split():
        typed = word.split("=", 1)[0]
        if typed.startswith("--"):
            found.append((typed, typed))
        elif typed[:1] in DASHES + "-" and typed[1:2].isalpha() and len(typed) > 2:
            found.append((typed, "--" + typed[1:]))
    return found


def _several_scenarios(names: str, command, lang: str | None) -> str:
    """ "; simlib run runs one scenario: …batch…" when `simlib run` was given more scenario files
    than one (the unrecognised `names` hold a `.yaml` file); empty otherwise."""
    files = [w for w in names.split() if w.lower().endswith((".yaml", ".yml")) and not w.startswith("-")]
    return "; " + i18n.t("cli.run_one_scenario", lang) if command == "run" and files else ""


def _options_elsewhere(names: str, commands: dict | None, command, lang: str | None) -> str:
    """ "; --budget is an option of optimize, not of run" for each unrecognised option among
    `names` that another command has (`commands`: each command's long options); empty if none."""
    if not commands or command not in commands:
        return ""
    notes = []
    for name in dict.fromkeys(long for _, long in _unknown_names(names)):
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
    for typed, name in _unknown_names(names):
        found = closest_names(name, flags) or [f"--set {k}=…" for k in closest_names(name[2:].replace("-", "_"), keys)]
        near += [n for n in found if n not in near and n != typed]
    return "; " + i18n.t("err.did_you_mean", lang, near=", ".join(near)) if near else ""
