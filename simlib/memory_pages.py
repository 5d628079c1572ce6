"""How simlib's own processes ask the kernel for the memory of large arrays.

numpy advises Linux to back every large array with transparent huge pages (`madvise(2)`,
MADV_HUGEPAGE). Where the kernel honours that advice only on request (`/sys/kernel/mm/
transparent_hugepage/enabled` = madvise, the usual default, with `defrag` = madvise), a first
touch of such an array waits for the kernel to compact memory into 2 MB pages. The
multidimensional engine on communes writes states of about 1 GB per run: on a 2-core machine
(3 December 2026, quiet, `plan_2027` and `crossing_2024_2027`, `simlib run`, three alternating
pairs) the advice cost 2.4–3.3 s of system time per run against 0.3–0.5 s of user time saved,
and 2.2–3.2 s of wall time (12.1–12.4 s without it, 14.5–15.4 s with it), with 0.3 GB more
resident memory for `plan_2027`. Numbers are the same either way: this decides only how pages are
allocated.

So the command line and the workers it starts decline the advice, and so does the explorer's
kernel once the explorer is opened (`simlib.workbench.explore`: it keeps engine states of that
size; `plan_2027`'s opening took 23–26 s with the advice, 6.1 s without, 5 December 2026), unless
the user chose themselves through numpy's own environment variable `NUMPY_MADVISE_HUGEPAGE`. A
program that imports simlib keeps numpy's default: its process is its own.
"""

from __future__ import annotations

import os

import numpy as np

#: numpy reads it when it is imported: processes started from here inherit the choice
ENV = "NUMPY_MADVISE_HUGEPAGE"


def decline_hugepage_advice() -> bool:
    """Stop numpy advising huge pages in this process and in the processes it starts (numpy's
    environment variable, set to 0), unless `NUMPY_MADVISE_HUGEPAGE` is already set. Returns
    whether numpy in this process now advises them."""
    if ENV in os.environ:
        return _advising()
    os.environ[ENV] = "0"
    setter = getattr(getattr(getattr(np, "_core", None), "multiarray", None), "_set_madvise_hugepage", None)
    if setter is not None:  # numpy was imported before the variable was set
        setter(False)
    return _advising()


def _advising() -> bool:
    getter = getattr(getattr(getattr(np, "_core", None), "multiarray", None), "_get_madvise_hugepage", None)
    return bool(getter()) if getter is not None else os.environ.get(ENV) != "0"
