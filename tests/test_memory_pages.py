"""simlib's command line and workers decline numpy's huge-page advice (`simlib.memory_pages`),
unless the user chose through numpy's own variable; a program importing simlib keeps numpy's."""

import os
import subprocess
import sys
from pathlib import Path

PROBE = (
    "import os, numpy as np; {setup}"
    "print(os.environ.get('NUMPY_MADVISE_HUGEPAGE'), np._core.multiarray._get_madvise_hugepage())"
)


def _probe(setup: str, env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if env_value is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = env_value
    code = PROBE.format(setup=setup)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return out.stdout.split()[-2] + " " + out.stdout.split()[-1]


def test_declined_in_this_process_and_for_the_ones_it_starts():
    setup = "from simlib.memory_pages import decline_hugepage_advice as d; print(d());"
    assert _probe(setup, None) == "0 False"


def test_the_user_s_own_choice_is_kept():
    setup = "from simlib.memory_pages import decline_hugepage_advice as d; d();"
    assert _probe(setup, "1") == "1 True"
    assert _probe(setup, "0") == "0 False"


def test_importing_simlib_changes_nothing():
    default = _probe("", None)
    assert _probe("import simlib, simlib.cli, simlib.executors;", None) == default


def test_the_command_line_declines_it_for_its_workers():
    """`simlib` run as a program sets numpy's variable, which the processes it starts inherit."""
    code = (
        "import os, sys; from simlib.cli import main; sys.argv = ['simlib', '--help'];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "import subprocess; r = subprocess.run([sys.executable, '-c', "
        '\'import os, numpy as np; print(os.environ.get("NUMPY_MADVISE_HUGEPAGE"), '
        "np._core.multiarray._get_madvise_hugepage())'], capture_output=True, text=True);\n"
        "print('CHILD', r.stdout.strip())"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip().splitlines()[-1] == "CHILD 0 False"


def test_the_explorer_declines_it_once_opened():
    """The explorer's kernel (`simlib.workbench.explore`, the notebook's one call) declines the
    advice as the command line does; the user's own choice is kept; importing it changes nothing."""
    scenario = Path(__file__).resolve().parent.parent / "params" / "scenarios" / "plan_2024.yaml"
    opened = f"from simlib.workbench import explore; explore({str(scenario)!r});"
    default = _probe("", None)
    assert _probe("import simlib.workbench;", None) == default
    assert _probe(opened, None) == "0 False"
    assert _probe(opened, "1") == "1 True"
