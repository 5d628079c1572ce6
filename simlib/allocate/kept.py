"""Which projected years' money a request may allocate; the others keep the scenario's money.

A dated plan — `role: plan` with `periods: dated` in its scenario file (plan_2027) — is the plan
of its last projected year (the year its report judges, `simlib.report.context.verdict_targets`),
written when the years before it are over: it projects them only to reach its year from the last
review. Its years under an earlier programme period than the plan year's
(`params/catalogues/periods.yaml`: 2024–2025 under the 2021–2025 programme, which has ended) are
history: their money was planned, split, checked and spent, and reallocating it is not a
decision anyone can take. The years from the first year of the plan year's period can be
allocated (plan_2027: 2026 and 2027, under the 2026–2035 programme). Every other scenario can
have every projected year allocated (plan_2024: 2024 and 2025; a scenario that switches units
allocates the years on its new units, `simlib.allocate.crossing`).

`requested_years` resolves a request's `years` (a list, `all`, or none) against this: a year
that cannot be allocated is an `InputError` naming the years asked, those that can be allocated
and why (the scenario file and its fields), before any engine runs; `all` (and full effort's
default) means the years that can be allocated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simlib.errors import InputError
from simlib.paths import display_path
from simlib.programmes import catalogue_for_year

if TYPE_CHECKING:  # annotations only: the scenario module reads datasets (pandas)
    from simlib.scenario import Scenario


def is_dated_plan(scen: Scenario) -> bool:
    """Whether `scen` is the plan of its last year under dated catalogues (`role: plan`,
    `periods: dated`)."""
    return scen.dated and scen.raw.get("role") == "plan" and len(scen.years) > 1


def allocatable_years(scen: Scenario) -> tuple[int, ...]:
    """The projected years whose money may be allocated (module docstring)."""
    years = tuple(int(y) for y in scen.years)
    if not is_dated_plan(scen):
        return years
    first = catalogue_for_year(years[-1]).first
    return tuple(y for y in years if y >= first)


def kept_error(scen: Scenario, asked, file: str) -> InputError | None:
    """An `InputError` (field `years` of `file`, the request) for years in `asked` whose money
    cannot be allocated, naming the years asked, those that can be and why; None if none."""
    allowed = allocatable_years(scen)
    kept = sorted(int(y) for y in set(asked) - set(allowed))
    if not kept:
        return None
    ended = catalogue_for_year(kept[-1])
    return InputError(
        "years_kept",
        file=file,
        field="years",
        value=sorted(int(y) for y in asked),
        suggest=(),
        allowed=allowed,
        kept=", ".join(map(str, kept)),
        scenario=scen.name,
        scenario_file=display_path(scen.file) if scen.file else scen.name,
        plan_year=allowed[-1],
        first=ended.first,
        last=ended.last,
        periods="params/catalogues/periods.yaml",
    )


def requested_years(raw_years, scen: Scenario, plan_year_only: bool, file: str, errors: list) -> tuple | None:
    """The calendar years a request allocates (None: every projected year as one request) from
    its `years` (`raw_years`: None, 'all', a year or a list of years); `plan_year_only` (economy
    effort) makes the last projected year the default. Years not projected and years that cannot
    be allocated are appended to `errors`."""
    allowed = allocatable_years(scen)
    if raw_years is None and plan_year_only and len(scen.years) > 1:
        return (int(scen.years[-1]),)
    if raw_years is None or raw_years == "all":
        return None if allowed == tuple(int(y) for y in scen.years) else allowed
    years = [raw_years] if isinstance(raw_years, int) else list(raw_years)
    bad = sorted(set(years) - set(scen.years))
    if bad:
        shown = ", ".join(map(str, bad))
        errors.append(InputError("years_not_projected", file=file, field="years", years=shown, allowed=scen.years))
    good = sorted(set(years) - set(bad))
    error = kept_error(scen, good, file) if good else None
    if error is not None:
        errors.append(error)
    return tuple(good) or None
