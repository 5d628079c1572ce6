"""The time a run says it was made at: now, or a fixed time for byte-identical outputs.

Every output simlib writes says what produced it, including when (the manifest's `created_utc`,
report footers, the workbooks' information sheet and document properties). That time is the one
thing that differs between two runs of the same inputs and seed. Builders of reproducible files
fix it with the `SOURCE_DATE_EPOCH` environment variable (whole seconds since 1970-01-01 UTC; the
convention of reproducible-builds.org); simlib honours it, so that two runs with it set give
identical files, the workbooks and pages included. Without it, the time is the clock's.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import os

from simlib.errors import InputError

#: the environment variable of the reproducible-builds convention
ENV = "SOURCE_DATE_EPOCH"
#: the latest time a zip entry (a workbook's parts) can carry: zip stores years up to 2107
ZIP_LATEST = _dt.datetime(2107, 12, 31, 23, 59, 58, tzinfo=_dt.UTC)
#: the earliest: zip stores years from 1980
ZIP_EARLIEST = _dt.datetime(1980, 1, 1, tzinfo=_dt.UTC)


def fixed_time() -> _dt.datetime | None:
    """The time `SOURCE_DATE_EPOCH` fixes (UTC), None when it is not set; an `InputError` naming
    the variable when it is not a whole number of seconds from 0 to year 9999."""
    raw = os.environ.get(ENV)
    if raw is None:
        return None
    text = raw.strip()
    try:
        seconds = int(text) if text.isdigit() else None
        return _dt.datetime.fromtimestamp(seconds, _dt.UTC) if seconds is not None else _bad(raw)
    except (OverflowError, OSError, ValueError):
        return _bad(raw)


def _bad(raw: str):
    raise InputError("source_date_epoch", field=ENV, value=raw)


def run_time() -> _dt.datetime:
    """When this run says it was made (UTC, whole seconds): `SOURCE_DATE_EPOCH` if set, else now."""
    fixed = fixed_time()
    return fixed if fixed is not None else _dt.datetime.now(_dt.UTC).replace(microsecond=0)


def zip_time(when: _dt.datetime) -> tuple[int, int, int, int, int, int]:
    """`when` (UTC) as a zip entry's date and time (even seconds; clamped to what zip stores)."""
    when = min(max(when, ZIP_EARLIEST), ZIP_LATEST)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second - when.second % 2)


def import_f2py_despite_a_malformed_time() -> None:
    """Import `numpy.f2py` with a malformed `SOURCE_DATE_EPOCH` hidden from it.

    numpy.f2py reads the variable with `int()` when it is imported (for the date it writes into
    generated Fortran wrappers, which simlib never generates) and raises a bare `ValueError` on
    anything else; SciPy imports it, so a malformed value would stop simlib with a traceback before
    it could say what is wrong. With the variable hidden during that import, simlib reports the
    value itself (`fixed_time`, checked with the command-line options). A well-formed or absent
    value is left alone; the variable is always restored."""
    try:
        fixed_time()
        return
    except InputError:
        raw = os.environ.pop(ENV)
    try:
        importlib.import_module("numpy.f2py")
    finally:
        os.environ[ENV] = raw
