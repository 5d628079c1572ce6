"""The README's `simlib …` commands stay typable: every command it shows is one the command line
knows, with options that command has (and, in its fenced examples, values the parser accepts).

Nothing is run: the commands of the fenced ```bash blocks go through simlib's own parser and its
checks of the options' values (choices, types, ranges, `--set KEY=VALUE`; not the files named);
the `simlib …` commands quoted inline in the text are checked for their command and long options
only (they hold placeholders: `--jobs N`, `SCENARIO`). The README's `make` variables are checked in the Makefile.
"""

from __future__ import annotations

import importlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simlib.cli import build_parser
from simlib.cli.common import caught, option_problems, parse_set_args

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

#: options every command takes, also before the command (`simlib --lang en run …`)
GLOBAL_FLAGS = {"--lang", "--debug", "--help"}


def fenced_commands(text: str) -> list[str]:
    """The `simlib …` lines of the ```bash blocks, continuation lines joined, comments cut."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            tokens = shlex.split(line, comments=True)
            if tokens[:1] == ["simlib"]:
                found.append(shlex.join(tokens))
    return found


def inline_commands(text: str) -> list[str]:
    """The `simlib COMMAND …` code spans of the README's text (outside fenced blocks)."""
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    return [span for span in re.findall(r"`(simlib [^`]+)`", prose) if not span.startswith("simlib.")]


def command_and_flags(words: list[str], commands: dict[str, tuple[str, ...]]) -> tuple[str | None, list[str]]:
    """The command named in `words` (`calibrate backtest`; None if it names none of `commands`)
    and the long options given after it (`--set` of `--set=x`)."""
    rest = words[1:]
    while rest and rest[0] in GLOBAL_FLAGS:  # `simlib --lang en run …`
        rest = rest[2:] if rest[0] == "--lang" else rest[1:]
    for size in (2, 1):
        name = " ".join(rest[:size])
        if name in commands:
            return name, [w.split("=")[0] for w in rest[size:] if w.startswith("--")]
    return None, []


def known(words: list[str]) -> tuple[str | None, list[str]]:
    parser = build_parser()
    return command_and_flags(words, parser.command_flags)


def test_readme_shows_commands():
    """The extraction finds the README's commands (so the tests below do not pass on nothing)."""
    text = README.read_text(encoding="utf-8")
    assert len(fenced_commands(text)) >= 20
    assert len(inline_commands(text)) >= 20


@pytest.mark.parametrize("line", fenced_commands(README.read_text(encoding="utf-8")))
def test_fenced_command_parses(line, capsys):
    """Each fenced example is accepted by simlib's parser as typed: its command, its options and
    their values (choices, numbers), with no unknown or ambiguous option."""
    words = shlex.split(line)
    command, flags = known(words)
    assert command is not None, f"README: no such command: {line}"
    allowed = set(build_parser().command_flags[command])
    assert not [f for f in flags if f not in allowed], f"README: unknown option in: {line}"
    try:
        args = build_parser().parse_args(words[1:])
    except SystemExit:
        pytest.fail(f"README: the command line refuses {line}:\n{capsys.readouterr().err}")
    # the values' own checks (engine names, ranges, `--set KEY=VALUE`), not the files named
    errors = option_problems(args, getattr(args, "option_limits", None))
    errors += caught(parse_set_args, getattr(args, "set_items", None))
    assert not errors, f"README: {line}: " + "; ".join(e.message("en") for e in errors)


@pytest.mark.parametrize("span", inline_commands(README.read_text(encoding="utf-8")))
def test_inline_command_known(span):
    """Each `simlib COMMAND …` quoted in the text names a command and options it has."""
    words = span.replace("…", " ").split()
    commands = build_parser().command_flags
    if len(words) == 1 or len(words) == 2 and any(name.startswith(f"{words[1]} ") for name in commands):
        return  # `simlib` alone (the program), `simlib calibrate` (a group of commands)
    command, flags = command_and_flags(words, commands)
    assert command is not None, f"README: no such command: `{span}`"
    allowed = set(commands[command])
    assert not [f for f in flags if f not in allowed], f"README: unknown option in `{span}`"


def test_unknown_option_is_caught():
    """The checks above fail on an option a command does not have, and on a wrong command."""
    commands = build_parser().command_flags
    command, flags = command_and_flags(["simlib", "run", "x.yaml", "--out", "d", "--drawz", "2"], commands)
    assert command == "run" and "--drawz" not in commands[command] and "--drawz" in flags
    assert command_and_flags(["simlib", "calibrate", "backtest", "--seed=3"], commands) == (
        "calibrate backtest",
        ["--seed"],
    )
    assert command_and_flags(["simlib", "runn", "x.yaml"], commands) == (None, [])
    assert command_and_flags(["simlib", "--lang", "en", "list"], commands) == ("list", [])


def test_make_variables_exist():
    """The `make reports VAR=…` variables the README names are the Makefile's."""
    text = README.read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    named = set(re.findall(r"make \w+ ([A-Z_]+)=", text))
    assert named, "README names no make variable: update this test"
    assert not [v for v in named if not re.search(rf"^{v} \?=", makefile, flags=re.M)]
    targets = set(re.findall(r"`make (\w+)", text))
    assert not [t for t in targets if not re.search(rf"^{t}:", makefile, flags=re.M)]


@pytest.mark.parametrize("line", fenced_commands(README.read_text(encoding="utf-8")))
def test_fenced_command_inputs_exist(line):
    """The project's files a fenced example reads (`params/…`, `data/…`, not its `--out`) exist."""
    words = shlex.split(line)
    inputs = [w for before, w in zip(words, words[1:], strict=False) if before != "--out"]
    missing = [w for w in inputs if w.startswith(("params/", "data/")) and not (ROOT / w).exists()]
    assert not missing, f"README: {line}: no such file {missing}"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("workspace", ["/tmp/simlib-lab-elsewhere", None])
def test_make_lab_opens_the_workspace(workspace):
    """`make lab` opens JupyterLab in the folder `simlib.workbench` filled: `$SIMLIB_WORKSPACE`
    when set (README, *The planner's workbench*), else `workspace/` (printed, not run: `make -n`)."""
    env = {k: v for k, v in os.environ.items() if k != "SIMLIB_WORKSPACE"}
    if workspace:
        env["SIMLIB_WORKSPACE"] = workspace
    venv = Path(sys.executable).parent.parent  # an existing environment: nothing to install
    shown = subprocess.run(
        ["make", "-n", "lab", f"VENV={venv}"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    lab = [line for line in shown.splitlines() if " lab " in line]
    assert len(lab) == 1 and f"--ServerApp.root_dir='{workspace or 'workspace'}'" in lab[0]


def python_names(text: str) -> list[str]:
    """The `simlib.module.name` references of the README (a module, or a name in one)."""
    return sorted(set(re.findall(r"`(simlib(?:\.[A-Za-z_]\w*)+)", text)))


@pytest.mark.parametrize("name", python_names(README.read_text(encoding="utf-8")))
def test_python_name_exists(name):
    """Each `simlib.x.y` the README names is a module or a name reachable from one."""
    parts = name.split(".")
    for size in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:size]))
        except ImportError:
            continue
        for attribute in parts[size:]:
            assert hasattr(found, attribute), f"README: no {name}"
            found = getattr(found, attribute)
        return
    pytest.fail(f"README: no {name}")
