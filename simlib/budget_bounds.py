"""Upper plausibility bounds of a scenario's money: a year's amounts written in a unit a thousand
times smaller than the budget's (`local: 2000` meant as 2,000 million VND under `unit: billion
VND`) read as a thousand times too much money, and the run went on with it.

Two bounds, read from the parameter folder's `funding.yaml` (`plausibility`, each with its
source or assumption; no check when the folder has none):

- `max_public_year`: a year's public money (central investment, central recurrent and local)
  above a cited figure no single programme of the province can reach in a year;
- `max_local_to_central`: a year's local money more than this many times its central money.

A year beyond a bound is refused, as a year below `budget.MIN_YEAR_VND` is, naming its largest
amount of the sources concerned (the likeliest slip) and the unit a thousand times smaller; a
planner whose money is really that large raises the bound with `--set
funding.plausibility.<name>.limit=…`.
"""

from __future__ import annotations

import math

from simlib import i18n
from simlib.errors import InputError
from simlib.i18n import fmt

#: the sources of public money (the others, credit and mobilised funds, are not the budget's)
CENTRAL = ("central_investment", "central_recurrent")
PUBLIC = (*CENTRAL, "local")
#: the catalogue key naming the unit a thousand times smaller than a budget's unit
SMALLER_UNIT = {"billion VND": "err.money_slip_million", "million VND": "err.money_slip_thousand"}
#: VND in a billion: the bounds' unit
BILLION = 1e9


def amounts_by_source(entry: dict, base: str) -> list[tuple[str, str, float]]:
    """(field, source, amount as written: a number) of each amount a year's entry gives (`lines`,
    `contents`, `envelope`), numbers only (the schema says what else is wrong)."""
    out = []
    for part in ("lines", "contents"):
        for code, by in (entry.get(part) or {}).items():
            if isinstance(by, dict):
                out += [(f"{base}.{part}.{code}.{s}", s, a) for s, a in by.items()]
    out += [(f"{base}.envelope.{s}", s, a) for s, a in (entry.get("envelope") or {}).items()]
    return [(f, s, a) for f, s, a in out if isinstance(a, (int, float)) and not isinstance(a, bool)]


def implausible_money_errors(
    years_raw: dict, scale: float, unit: str, bounds: dict | None, file: str, refused: list[InputError]
) -> list:
    """The years of `years_raw` (money in `unit`, `scale` VND each) beyond the `bounds` (funding
    parameters' `plausibility`, none when None), one error each; a year with an amount `refused`
    already (too large to hold: `budget.MAX_VND`) or not finite is left to that error."""
    if not bounds:
        return []
    errors = []
    for year, entry in years_raw.items():
        base = f"budget.years.{year}"
        if not isinstance(entry, dict) or any((e.field or "").startswith(base + ".") for e in refused):
            continue
        amounts = amounts_by_source(entry, base)
        if not all(math.isfinite(a) for _, _, a in amounts):
            continue
        public = sum(a for _, s, a in amounts if s in PUBLIC) * scale
        central = sum(a for _, s, a in amounts if s in CENTRAL) * scale
        local = sum(a for _, s, a in amounts if s == "local") * scale
        top = bounds.get("max_public_year")
        if top is not None and public > top["limit"] * BILLION:
            kw = {"total": _billions(public), "limit": _billions(top["limit"] * BILLION)}
            errors.append(_slip("money_slip_year", amounts, PUBLIC, unit, file, year=year, **kw))
            continue
        ratio = bounds.get("max_local_to_central")
        if ratio is not None and central > 0 and local > ratio["limit"] * central:
            kw = {"local": _billions(local), "central": _billions(central), "limit": _number(ratio["limit"])}
            errors.append(_slip("money_slip_local", amounts, ("local",), unit, file, year=year, **kw))
    return errors


def _slip(code: str, amounts: list, sources: tuple, unit: str, file: str, **fields) -> InputError:
    """The error `code` at the largest amount of `sources` (the likeliest slip), with the unit a
    thousand times smaller than `unit` it may have been written in."""
    where, _, amount = max((a for a in amounts if a[1] in sources), key=lambda a: a[2])
    smaller = SMALLER_UNIT.get(unit, "err.money_slip_smaller")
    said = i18n.LocalText(**{lg: i18n.t(smaller, lg) for lg in i18n.LANGS})
    return InputError(code, file=file, field=where, value=amount, unit=unit, smaller=said, **fields)


def _billions(vnd: float) -> i18n.LocalText:
    return _number(vnd / BILLION)


def _number(value: float) -> i18n.LocalText:
    return i18n.LocalText(**{lg: fmt.number(value, lg, decimals=1, trim=True) for lg in i18n.LANGS})
