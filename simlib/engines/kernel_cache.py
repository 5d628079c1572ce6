"""Whether the engines' compiled kernels are on disk yet, and whether numba's settings in the
environment let it start (`numba_threads_problem`). numba keeps each kernel's machine code
in the `__pycache__` folder beside its module (`cache=True`, `simlib.engines.multidim_numba`):
the first run on a machine compiles them all (about 5 minutes of `make reports` on a 2-core
machine), later runs load them. Read from the files only: no numba imported."""

from __future__ import annotations

import os
from pathlib import Path

from simlib.errors import InputError

#: the folder of the engines' modules, whose `__pycache__` holds their kernels' cache
ENGINES_DIR = Path(__file__).resolve().parent


#: the compiled code (`*.nbc`) of the multidimensional engine's year, the last and largest
#: kernel a first run compiles (importing the engines writes index files, `*.nbi`, and a few small
#: kernels' code: not a sign that the rest is there)
YEAR_KERNEL = "multidim_jit._year-*.nbc"


def kernels_cached(folder: Path = ENGINES_DIR) -> bool | None:
    """Whether numba's cache in `folder`'s `__pycache__` holds the engines' compiled year
    (`YEAR_KERNEL`); None when numba keeps its cache elsewhere (`NUMBA_CACHE_DIR`): not known.
    A cache left by an older version counts as there (the note it spares is only a courtesy)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    cache = folder / "__pycache__"
    return cache.is_dir() and any(cache.glob(YEAR_KERNEL))


#: the environment variable setting numba's threads (numba's own name)
NUMBA_THREADS = "NUMBA_NUM_THREADS"


def numba_threads_problem() -> InputError | None:
    """The problem with `NUMBA_NUM_THREADS` when it is set but no whole number ≥ 1: numba refuses
    to import with 0 or a negative count (an internal ValueError in the middle of a command) and
    ignores a value it cannot read with a long warning. None when unset or right."""
    raw = os.environ.get(NUMBA_THREADS)
    if raw is None or (raw.strip().isdigit() and int(raw) >= 1):
        return None
    return InputError("numba_threads", field=NUMBA_THREADS, value=raw, allowed="≥ 1")
