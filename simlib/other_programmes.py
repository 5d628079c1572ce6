"""Other programmes acting on the same households, as an optional scenario input (issue 14).

Programme 1719 (ethnic minority and mountainous areas), new rural development, policy credit and
the 2024–2025 temporary-house campaign reach the households this programme reaches
(`params/evidence.yaml` `other_programmes`). A scenario declares what it assumes about each in
`other_programmes:`, so that their effect is not credited to this programme::

    other_programmes:
      - programme: programme_1719_ethnic_minority_mountainous   # a key of the register's section
        as_in_baseline: true        # at its level of the baseline period: nothing is added
      - programme: temporary_house_campaign_2024_2025
        acts_as: P5                 # the model item whose unit cost, eligibility, reach and effects it has
        amounts: {2024: 50}         # billion VND actually spent ABOVE its baseline-period level
        basis: "source or ASSUMPTION: ..."

The rule that avoids double counting: the baseline transition rates describe the years they were
estimated from (`params/transitions.yaml`, or the series fit), when these programmes were already
running, so the trend already contains their effect at that level. `as_in_baseline` (the bundled
scenarios' assumption for every programme of the register) adds nothing; `amounts` are only the
money above that level, which then acts through the named item of this programme's catalogue (same
unit cost, eligibility, priority, lag, pools and effects; split across units like that item) in
every engine (`simlib.engines.reach.acting_spend`) — in the scenario's run and in the run without
this programme's money, so "kept out of poverty by the programme" and the cost per household lifted
out count only this programme's money and effect. Money below the baseline level (a programme cut)
cannot be given (amounts are not negative): state it in the scenario's description instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib.budget import MONEY_UNITS
from simlib.catalogue import Catalogue
from simlib.errors import InputError

#: the register section that lists the programmes a scenario may name
REGISTER_SECTION = "other_programmes"
#: register keys of that section that are not programmes
NOT_PROGRAMMES = ("default_for_attribution",)


@dataclass(frozen=True)
class OtherProgramme:
    """One declared programme: at its baseline level, or money above it acting as an item."""

    programme: str  # key of the register's `other_programmes`
    as_in_baseline: bool
    acts_as: str = ""  # item code of the catalogue ("" when as_in_baseline)
    amounts: tuple[tuple[int, float], ...] = ()  # (year, VND actually spent above the baseline level)
    basis: str = ""


def register_programmes(register: dict) -> list[str]:
    """The programmes a scenario may declare (keys of the register's `other_programmes`)."""
    section = (register or {}).get(REGISTER_SECTION) or {}
    return [k for k in section if k not in NOT_PROGRAMMES]


def _one(entry: dict, i: int, ctx: tuple) -> tuple[OtherProgramme | None, list[InputError]]:
    catalogue, names, years, unit, file = ctx
    where = f"other_programmes.{i}"
    errors = []
    if entry["programme"] not in names:
        errors.append(
            InputError("enum", file=file, field=where + ".programme", value=entry["programme"], allowed=names)
        )
    if entry.get("as_in_baseline"):
        if "amounts" in entry or "acts_as" in entry:
            errors.append(InputError("enum", file=file, field=where + ".amounts", value="amounts", allowed=["none"]))
        return (None if errors else OtherProgramme(entry["programme"], True, basis=entry.get("basis", ""))), errors
    for name in ("acts_as", "amounts", "basis"):
        if name not in entry:
            errors.append(InputError("missing", file=file, field=where, name=name))
    codes = [c for c, ln in catalogue.lines.items() if not ln.money_only and ln.population == "households"]
    if "acts_as" in entry and entry["acts_as"] not in codes:
        errors.append(InputError("enum", file=file, field=where + ".acts_as", value=entry["acts_as"], allowed=codes))
    for year in entry.get("amounts") or {}:
        if int(year) not in years:
            first, last = years[0], years[-1]
            errors.append(
                InputError("year_outside", file=file, field=f"{where}.amounts.{year}", first=first, last=last)
            )
    if errors:
        return None, errors
    amounts = tuple((int(y), float(v) * unit) for y, v in sorted(entry["amounts"].items(), key=lambda kv: int(kv[0])))
    return OtherProgramme(entry["programme"], False, entry["acts_as"], amounts, entry["basis"]), []


def parse_other_programmes(
    entries: list | None, catalogue: Catalogue, register: dict, start: int, horizon: int, unit: str, file: str
) -> tuple[tuple[OtherProgramme, ...], list[InputError]]:
    """The scenario's `other_programmes` (schema-valid entries), and every problem: a programme
    the register does not list, an item that is not a household line of the catalogue, a year
    outside the budget's years (the year before the start, for lags, to the last projected year),
    money without its item or basis, or money next to `as_in_baseline`. `unit` is the budget's
    money unit (e.g. billion VND)."""
    names = register_programmes(register)
    years = list(range(start - 1, start + horizon))
    ctx = (catalogue, names, years, MONEY_UNITS[unit], file)
    out, errors = [], []
    for i, entry in enumerate(entries or []):
        prog, errs = _one(entry, i, ctx)
        errors.extend(errs)
        if prog is not None:
            out.append(prog)
    return tuple(out), errors


def other_amounts(
    programmes: tuple[OtherProgramme, ...], codes: tuple[str, ...], start: int, horizon: int
) -> np.ndarray:
    """VND (Y+1, L) the declared programmes spend above their baseline level, by budget year
    (index 0 the year before the start) and the item they act as."""
    out = np.zeros((horizon + 1, len(codes)))
    for prog in programmes:
        for year, vnd in prog.amounts:
            out[year - start + 1, codes.index(prog.acts_as)] += vnd
    return out
