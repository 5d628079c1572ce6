"""simlib — projections of poor, near-poor, newly escaped and non-poor households under a
budget allocation of Vietnam's National Target Program for Sustainable Poverty Reduction.

Typical use::

    import simlib
    scen = simlib.load_scenario("params/scenarios/plan_2024.yaml")
    res = simlib.run(scen)                                   # expected engine
    res = simlib.run(scen, simlib.RunOptions(engine="microsim", draws=20, seed=1))
    res.indicators.head()
"""

from __future__ import annotations

import errno
import os
import sys
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version
from pathlib import Path

try:
    __version__ = _version("simlib")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+src"

from simlib import i18n  # noqa: E402
from simlib.clock import import_f2py_despite_a_malformed_time  # noqa: E402
from simlib.errors import InputError, InputErrors, SimlibError  # noqa: E402


def _refuse_a_vanished_current_folder() -> None:
    """Stop, saying so, if the current folder no longer exists (deleted or renamed while a shell
    stood in it): the imports below call `os.path.abspath` (coverage, imported by numba where it
    is installed; numba's cache), which dies with a bare FileNotFoundError traceback before the
    command line can speak.

    Started as the command (`simlib …`, `python -m simlib …`, whose package import runs with
    `sys.argv[0] == "-m"`): the message on standard error in the user's language (`--lang` on the
    command line, else `$SIMLIB_LANG`, else Vietnamese), exit status 2. Imported by another
    program: FileNotFoundError with that message.
    """
    try:
        os.getcwd()
        return
    except FileNotFoundError:
        pass
    argv = [str(a) for a in getattr(sys, "argv", None) or [""]]
    lang = i18n.lang_option(argv[1:])
    text = i18n.t("cli.current_folder_gone", lang)
    if argv[0] == "-m" or Path(argv[0]).stem == "simlib":
        print(f"{i18n.t('cli.error_prefix', lang)}: {text}", file=sys.stderr)
        raise SystemExit(2)
    raise FileNotFoundError(errno.ENOENT, text)


_refuse_a_vanished_current_folder()  # before the imports below, which need the current folder
import_f2py_despite_a_malformed_time()  # before SciPy imports it: see simlib.clock
from simlib.options import RunOptions  # noqa: E402
from simlib.runner import RunResult, run  # noqa: E402
from simlib.scenario import Scenario, load_scenario  # noqa: E402

__all__ = [
    "__version__",
    "InputError",
    "InputErrors",
    "SimlibError",
    "Scenario",
    "load_scenario",
    "run",
    "RunOptions",
    "RunResult",
]
