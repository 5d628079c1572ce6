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
import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from simlib import i18n
from simlib.clock import import_f2py_despite_a_malformed_time
from simlib.errors import InputError, InputErrors, SimlibError
from simlib.lazy import package_names

if TYPE_CHECKING:  # the names `__getattr__` gives, for readers and type checkers
    from simlib.options import RunOptions
    from simlib.runner import RunResult, run
    from simlib.scenario import Scenario, load_scenario


def _refuse_a_vanished_current_folder() -> None:
    """Stop, saying so, if the current folder no longer exists (deleted or renamed while a shell
    stood in it): the engines' imports call `os.path.abspath` (coverage, imported by numba where
    it is installed; numba's cache), which dies with a bare FileNotFoundError traceback before the
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


_refuse_a_vanished_current_folder()  # before anything that needs the current folder
import_f2py_despite_a_malformed_time()  # before SciPy imports it: see simlib.clock

#: the names of the package's API that live in its modules, imported on first access
#: (`__getattr__`): `import simlib` (and the command line's `--help`, `list`, `validate`) does
#: not load the engines, numba, pandas or their compiled kernels until a run needs them
LAZY = {
    "RunOptions": "simlib.options:RunOptions",
    "RunResult": "simlib.runner:RunResult",
    "run": "simlib.runner:run",
    "Scenario": "simlib.scenario:Scenario",
    "load_scenario": "simlib.scenario:load_scenario",
}

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


_lazy_getattr, _lazy_dir = package_names(globals(), LAZY)


def __getattr__(name: str):
    """One of the `LAZY` names (`simlib.run`, `from simlib import RunOptions`), its module
    imported on first access, `__version__` (`installed_version`), or a module of the package
    (`simlib.programmes.catalogue_for_year(2025)` after `import simlib`, as when the package
    imported them all); the name then kept on the package (`simlib.lazy.package_names`)."""
    if name == "__version__":
        globals()[name] = installed_version()
        return globals()[name]
    return _lazy_getattr(name)


def __dir__() -> list[str]:
    return sorted(set(_lazy_dir()) | {"__version__"})


def installed_version() -> str:
    """simlib's version as installed; "0.0.0+src" when running from a source tree that is not
    installed. Read when first asked for (`simlib.__version__`: the outputs' manifests): importing
    `importlib.metadata` takes about 20 ms, which `--help` and the other commands need not wait."""
    metadata = importlib.import_module("importlib.metadata")
    try:
        return metadata.version("simlib")
    except metadata.PackageNotFoundError:
        return "0.0.0+src"
