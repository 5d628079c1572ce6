"""Upper plausibility bounds of a scenario's money: a year's amounts written in a unit a thousand
times smaller than the budget's (`local: 2000` meant as 2,000 million VND under `unit: billion
VND`) read as a thousand times too much money, and the run went on with it.

Two bounds, read from the parameter folder's `funding.yaml` (`plausibility`, each with its
source or assumption; nothing is checked when the folder has none):

- `max_public_year` (a cited figure): a year's public money (central investment, central
  recurrent and local) above what the province's whole public investment and national target
  programmes came to in a year is refused (`implausible_money_errors`), as a year below
  `budget.MIN_YEAR_VND` is; a planner whose money is really that large raises the bound with
  `--set funding.plausibility.max_public_year.limit=…`;
- `max_local_to_central` (an assumption): a year's local money more than this many times its
  central money is only warned of (`local_share_warnings`: printed by `simlib validate` and
  `simlib run`, recorded in the run's manifest as `money_warnings`), since a what-if where the
  province pays most is possible.

Each names the year's largest amount of the sources concerned (the likeliest slip) and the unit a
thousand times smaller than the budget's it may have been written in.
"""

from __future__ import annotations

import math

from simlib import i18n
from simlib.errors import InputError
from simlib.i18n import fmt
from simlib.paths import display_path

#: VND in one unit of each unit a budget may be written in (`budget.unit`)
MONEY_UNITS = {"billion VND": 1e9, "million VND": 1e6, "VND": 1.0}
#: the catalogue key (`money.…`) naming each unit in the reader's language (tỷ đồng, triệu đồng, đồng)
UNIT_KEYS = {"billion VND": "billion", "million VND": "million", "VND": "dong"}
#: the sources of public money (the others, credit and mobilised funds, are not the budget's)
CENTRAL = ("central_investment", "central_recurrent")
PUBLIC = (*CENTRAL, "local")
#: the catalogue key naming the unit a thousand times smaller than a budget's unit
SMALLER_UNIT = {"billion VND": "err.money_slip_million", "million VND": "err.money_slip_thousand"}
#: VND in a billion: the bounds' unit
BILLION = 1e9


def bounds_for(funding: dict, dataset) -> dict:
    """The funding parameters with `plausibility.max_public_year` kept only when the `dataset`
    (`simlib.dataset.Dataset` or None) is of the province its cited figure is of (`province_vi`;
    a bound without one holds for every dataset): Cao Bằng's plan of a year bounds a Cao Bằng
    run, not a national one."""
    top = (funding.get("plausibility") or {}).get("max_public_year")
    own = (dataset.meta.get("province_vi") if dataset is not None else None) == (top or {}).get("province_vi")
    if top is None or "province_vi" not in top or own:
        return funding
    kept = {k: v for k, v in funding["plausibility"].items() if k != "max_public_year"}
    return {**funding, "plausibility": kept}


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
) -> list[InputError]:
    """The years of `years_raw` (money in `unit`, `scale` VND each) whose public money is above
    `max_public_year` of the `bounds` (funding parameters' `plausibility`; none when None), one
    error each; a year with an amount `refused` already (too large to hold: `budget.MAX_VND`)
    or not finite is left to that error."""
    top = (bounds or {}).get("max_public_year")
    errors = []
    for year, amounts in _years(years_raw, refused) if top is not None else ():
        public = sum(a for _, s, a in amounts if s in PUBLIC) * scale
        if public > top["limit"] * BILLION:
            kw = {"year": year, "total": _billions(public), "limit": _billions(top["limit"] * BILLION)}
            errors.append(InputError("money_slip_year", file=file, **_slip(amounts, PUBLIC, unit), **kw))
    return errors


def local_share_warnings(budget: dict, bounds: dict | None, file: str) -> list[InputError]:
    """Warnings (not raised: said and recorded) for the years of a scenario's `budget` mapping,
    as checked, whose local money is more than `max_local_to_central` of the `bounds` times their
    central money; none without that bound, or for years without central money."""
    ratio = (bounds or {}).get("max_local_to_central")
    scale = MONEY_UNITS.get(budget.get("unit"), 0.0) if isinstance(budget, dict) else 0.0
    out = []
    for year, amounts in _years(budget.get("years") or {}, []) if ratio is not None and scale else ():
        central = sum(a for _, s, a in amounts if s in CENTRAL) * scale
        local = sum(a for _, s, a in amounts if s == "local") * scale
        if central > 0 and local > ratio["limit"] * central:
            kw = {"year": year, "local": _billions(local), "central": _billions(central)}
            slip = _slip(amounts, ("local",), budget["unit"])
            out.append(InputError("money_slip_local", file=file, **slip, **kw, limit=_number(ratio["limit"])))
    return out


def _years(years_raw: dict, refused: list[InputError]):
    """(year, `amounts_by_source`) of each year of `years_raw` with finite amounts and none of
    them `refused` already."""
    for year, entry in years_raw.items():
        base = f"budget.years.{year}"
        if not isinstance(entry, dict) or any((e.field or "").startswith(base + ".") for e in refused):
            continue
        amounts = amounts_by_source(entry, base)
        if all(math.isfinite(a) for _, _, a in amounts):
            yield year, amounts


def _slip(amounts: list, sources: tuple, unit: str) -> dict:
    """The field and value of the largest amount of `sources` (the likeliest slip), the budget's
    `unit` named in each language (tỷ đồng / billion VND) and the unit a thousand times smaller it
    may have been written in."""
    where, _, amount = max((a for a in amounts if a[1] in sources), key=lambda a: a[2])
    smaller = SMALLER_UNIT.get(unit, "err.money_slip_smaller")
    said = i18n.LocalText(**{lg: i18n.t(smaller, lg) for lg in i18n.LANGS})
    named = i18n.LocalText(**{lg: i18n.t(f"money.{UNIT_KEYS.get(unit, 'billion')}", lg) for lg in i18n.LANGS})
    return {"field": where, "value": amount, "unit": named, "smaller": said}


def _billions(vnd: float) -> i18n.LocalText:
    return _number(vnd / BILLION)


def _number(value: float) -> i18n.LocalText:
    return i18n.LocalText(**{lg: fmt.number(value, lg, decimals=1, trim=True) for lg in i18n.LANGS})


def scenario_warnings(scen) -> list[InputError]:
    """`local_share_warnings` of a checked scenario (`simlib.scenario.Scenario`: its budget as
    read, `--set` items applied, and its parameters' bounds), naming its file."""
    shown = display_path(scen.file) if scen.file else "<scenario>"
    return local_share_warnings(scen.raw.get("budget") or {}, scen.params["funding"].get("plausibility"), shown)
