"""A scenario's budget: money by year, budget item (content) and funding source, and its split
across units.

Money is planned by *content* (`simlib.catalogue`): the items of the budget are the budget lines'
modelled contents (coded by the line, `P4.1`) and the lines' other contents (`P4.1.facilities`).
A scenario may give money

- per content (`P4.1.facilities: {central_investment: 10}`): it goes to that item as given — the
  capital rule is then checked with the rest of the legal frame (`simlib.compliance`), so that a
  what-if run may ignore it;
- per budget line (`P4.1: {central_investment: 10, central_recurrent: 20}`): each source goes to
  the only content of the line that takes its capital (investment → facilities, recurrent →
  training); where several contents take it (local money, P5 recurrent: new house or repair), to
  the line's modelled content — a default recorded in `Budget.routing` and flagged as an
  assumption; money no content of the line may take is an error naming the capital rule;
- per project (`P3: {central_recurrent: 87}`): split over its lines by `share_of_project`, then
  as per line;
- as `envelope` + `shares`: each line receives its share of the total and the sources are
  assigned to respect the capital rules, then routed as above.

Parsing is strict and reports every problem at once.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib import i18n
from simlib.budget_bounds import MONEY_UNITS, implausible_money_errors
from simlib.catalogue import Catalogue
from simlib.errors import InputError, excel_code, excel_code_error, folded
from simlib.i18n import fmt
from simlib.split_names import SPLIT_RULES

SOURCES = ("central_investment", "central_recurrent", "local", "policy_credit", "mobilised")
#: the largest amount of money accepted, in VND: 2^53, the largest whole number of dong a float
#: holds exactly (about 9 million billion VND — above any budget, far below an overflow)
MAX_VND = float(2**53)
#: the least money a budget year holds, when it holds any: one million VND (a year of less is
#: amounts written in billion or million VND under `unit: VND`, not a programme's money)
MIN_YEAR_VND = 1e6


@dataclass(frozen=True)
class Routing:
    """Money given per line that went to the line's modelled content by default (an assumption:
    several contents of the line take that capital and the scenario did not say which)."""

    year: str  # the budget year's key as written (before same_as is followed)
    line: str
    source: str
    item: str
    vnd: float


@dataclass(frozen=True)
class Budget:
    """Planned money in VND by year, item and source.

    `years[0]` is the year before the projection starts: it funds lines whose effects come with a
    lag (infrastructure). Unless the scenario lists it, it repeats the first projected year.
    """

    years: tuple[int, ...]
    lines: tuple[str, ...]  # item codes (simlib.catalogue: budget lines' contents)
    sources: tuple[str, ...]
    amounts: np.ndarray  # (len(years), len(lines), len(sources)) VND
    district_split: Mapping[str, Any]  # item code -> rule name or {unit_id: share}
    default_split: str = "eligible_households"
    routing: tuple[Routing, ...] = field(default=())

    def total(self, year: int | None = None) -> float:
        if year is None:
            return float(self.amounts[1:].sum())
        return float(self.amounts[self.years.index(year)].sum())

    def line_totals(self) -> np.ndarray:
        """(years, lines) VND."""
        return self.amounts.sum(axis=2)


def capital_mask(catalogue: Catalogue, capital_of: Mapping[str, str]) -> np.ndarray:
    """(items, sources) bool: may source s fund item l under its content's capital rule?"""
    return np.array(
        [
            [capital_of[s] == "any" or capital_of[s] in catalogue.lines[lc].capital for s in SOURCES]
            for lc in catalogue.codes
        ]
    )


def _capital_text(catalogue: Catalogue, line: str) -> str:
    contents = catalogue.contents_of(line)
    if not contents:
        return "+".join(catalogue.lines[line].capital)
    return ", ".join(f"{c.code}: {'+'.join(c.capital)}" for c in contents)


def _route(catalogue, code, src, capital_of, where, file, errors) -> list[tuple[str, float, bool]]:
    """[(item, weight, by_default)] for money of source `src` given to `code` (a project, budget
    line or content); a routing failure goes to `errors` (named by the capital rule)."""
    cap = capital_of[src]
    if code in catalogue.contents or (code in catalogue.lines and code not in catalogue.budget_lines):
        return [(catalogue.expand(code)[0][0], 1.0, False)]
    out = []
    for lc, w in catalogue.expand(code):
        item, default = catalogue.route(lc, cap)
        if item is None:
            err = InputError(
                "capital_route", file=file, field=where, line=lc, capital=cap, contents=_capital_text(catalogue, lc)
            )
            errors.append(err)
            continue
        out.append((item, w, default))
    return out


def _lines_entry(entry, base, catalogue, capital_of, scale, file, errors, notes) -> np.ndarray:
    codes = catalogue.codes
    allowed_codes = catalogue.all_codes()
    amounts = np.zeros((len(codes), len(SOURCES)))
    for code, by_src in entry["lines"].items():
        if code not in allowed_codes:
            errors.append(
                InputError("unknown_line", file=file, field=f"{base}.lines.{code}", value=code, allowed=allowed_codes)
            )
            continue
        for src, amount in by_src.items():
            for item, w, default in _route(
                catalogue, code, src, capital_of, f"{base}.lines.{code}.{src}", file, errors
            ):
                amounts[codes.index(item), SOURCES.index(src)] += amount * w * scale
                if default and amount:
                    notes.append(Routing(base.rsplit(".", 1)[-1], code, src, item, amount * w * scale))
    return amounts


def _share_targets(catalogue: Catalogue, shares: Mapping[str, float]) -> dict[str, float]:
    """Shares per budget line or content (projects split over their lines by `share_of_project`)."""
    out: dict[str, float] = {}
    for code, share in shares.items():
        pairs = [(code, 1.0)] if code in catalogue.contents or code in catalogue.lines else catalogue.expand(code)
        for tc, w in pairs:
            out[tc] = out.get(tc, 0.0) + share * w
    return out


def _target_item(catalogue: Catalogue, target: str, cap: str) -> tuple[str | None, bool]:
    """The item money of capital `cap` for a share target (a budget line, routed as in
    `Catalogue.route`, or a content, which takes only its own capital) goes to."""
    if target in catalogue.budget_lines:
        return catalogue.route(target, cap)
    content = catalogue.contents.get(target)
    item = content.item if content is not None else target
    ok = cap == "any" or cap in catalogue.lines[item].capital
    return (item if ok else None), False


def shares_sum_error(file: str | None, field: str, total: float) -> InputError:
    """The error for shares of `field` that add up to `total`, not 1: when they add up to 100,
    they were written as percentages (`P1: 40`), and the message says to write fractions."""
    shown = i18n.LocalText(**{lg: fmt.number(total, lg, decimals=6, trim=True) for lg in i18n.LANGS})  # 4,96 in vi
    if abs(total - 100.0) <= 1e-6:
        return InputError("shares_sum_percent", file=file, field=field, total=shown)
    return InputError("shares_sum", file=file, field=field, total=shown)


def _envelope_entry(entry, base, catalogue, capital_of, scale, file, errors, notes) -> np.ndarray:
    codes = catalogue.codes
    allowed_codes = catalogue.all_codes()
    amounts = np.zeros((len(codes), len(SOURCES)))
    shares = entry["shares"]
    unknown = [c for c in shares if c not in allowed_codes]
    for c in unknown:
        errors.append(InputError("unknown_line", file=file, field=f"{base}.shares.{c}", value=c, allowed=allowed_codes))
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-6:
        errors.append(shares_sum_error(file, f"{base}.shares", total))
    if unknown or abs(total - 1.0) > 1e-6:
        return amounts
    env = np.array([float(entry["envelope"].get(src, 0.0)) * scale for src in SOURCES])
    targets = _share_targets(catalogue, shares)
    tcodes = list(targets)
    dest = [[_target_item(catalogue, t, capital_of[s]) for s in SOURCES] for t in tcodes]
    mask = np.array([[d[0] is not None for d in row] for row in dest])
    totals = np.array([targets[t] for t in tcodes]) * env.sum()
    for si, src in enumerate(SOURCES):
        room = totals[mask[:, si]].sum()
        if env[si] > room * (1 + 1e-9) + 1e-6:
            takers = [t for t, ok in zip(tcodes, mask[:, si]) if ok]
            errors.append(
                InputError(
                    "envelope_capital",
                    file=file,
                    field=f"{base}.envelope.{src}",
                    value=env[si] / scale,
                    room=round(room / scale, 3),
                    lines=", ".join(takers),
                )
            )
    if errors:
        return amounts
    x = assign_sources(totals, env, mask)
    for ti, t in enumerate(tcodes):
        for si, src in enumerate(SOURCES):
            item, default = dest[ti][si]
            if item is not None and x[ti, si] > 0:
                amounts[codes.index(item), si] += x[ti, si]
                if default:
                    notes.append(Routing(base.rsplit(".", 1)[-1], t, src, item, float(x[ti, si])))
    return amounts


def _parse_year(entry, base, catalogue, capital_of, scale, file, errors, notes) -> np.ndarray:
    """Amounts (items, sources) in VND of one year's budget entry; problems go to `errors`,
    money routed by default to `notes`."""
    if "lines" in entry and ("envelope" in entry or "shares" in entry):
        errors.append(InputError("budget_lines_or_shares", file=file, field=base))
    elif ("envelope" in entry) != ("shares" in entry):
        errors.append(InputError("budget_envelope_shares", file=file, field=base))
    elif "lines" in entry:
        return _lines_entry(entry, base, catalogue, capital_of, scale, file, errors, notes)
    elif "envelope" in entry:
        return _envelope_entry(entry, base, catalogue, capital_of, scale, file, errors, notes)
    return np.zeros((len(catalogue.codes), len(SOURCES)))


def assign_sources(totals: np.ndarray, envelope: np.ndarray, mask: np.ndarray, iters: int = 50_000) -> np.ndarray:
    """Split each line's total (L,) over sources (S,) so that every source's envelope is used
    exactly and money only goes where `mask` (L, S) allows (investment capital to investment
    lines). Iterative proportional fitting from an even start: deterministic, and it keeps each
    line's source mix as close to the overall mix as the capital rules allow."""
    x = mask * totals[:, None] * envelope[None, :]
    for _ in range(iters):
        col = x.sum(axis=0)
        x *= np.divide(envelope, col, out=np.zeros_like(col), where=col > 0)[None, :]
        row = x.sum(axis=1)
        x *= np.divide(totals, row, out=np.zeros_like(row), where=row > 0)[:, None]
        if np.allclose(x.sum(axis=0), envelope, rtol=1e-12, atol=1.0):  # within 1 VND
            break
    return x


def _resolve_year(years_raw: dict, year: str) -> tuple[str | None, list[str]]:
    """The year whose amounts `year` uses (following same_as), and the chain followed; None if
    the chain ends at a year not listed or runs in a circle."""
    chain = [year]
    while "same_as" in years_raw[chain[-1]]:
        ref = str(years_raw[chain[-1]]["same_as"])
        if ref not in years_raw or ref in chain:
            return None, chain + [ref]
        chain.append(ref)
    return chain[-1], chain


def _same_as_errors(years_raw: dict, file: str) -> list[InputError]:
    """Every same_as that names a year not listed, and every circle of same_as, once."""
    errors, circles = [], set()
    with_amounts = sorted(y for y, e in years_raw.items() if "same_as" not in e)
    for year, entry in years_raw.items():
        if "same_as" not in entry:
            continue
        ref = str(entry["same_as"])
        field_ = f"budget.years.{year}.same_as"
        if ref not in years_raw:
            allowed = with_amounts or "—"
            errors.append(InputError("same_as", file=file, field=field_, value=entry["same_as"], allowed=allowed))
            continue
        found, chain = _resolve_year(years_raw, year)
        if found is None and chain[-1] in chain[:-1]:
            loop = chain[chain.index(chain[-1]) :]
            key = frozenset(loop)
            if key not in circles:
                circles.add(key)
                errors.append(
                    InputError(
                        "same_as_cycle", file=file, field=field_, chain=" → ".join(loop), allowed=with_amounts or None
                    )
                )
    return errors


def _money_errors(years_raw: dict, scale: float, unit: str, file: str) -> list[InputError]:
    """Amounts that exceed `MAX_VND` once converted to VND; in a unit larger than VND, said as
    written in đồng (`money_in_dong`), with the amount to write in the budget's unit."""
    errors = []
    limit = MAX_VND / scale
    for y, entry in years_raw.items():
        items = [
            (f"lines.{code}.{src}", amt) for code, by in (entry.get("lines") or {}).items() for src, amt in by.items()
        ]
        items += [(f"envelope.{src}", amt) for src, amt in (entry.get("envelope") or {}).items()]
        for where, amt in items:
            if isinstance(amt, (int, float)) and abs(amt) > limit:
                where, allowed = f"budget.years.{y}.{where}", f"≤ {int(limit)} {unit}"
                if scale == 1:
                    errors.append(InputError("money_too_large", file=file, field=where, value=amt, allowed=allowed))
                    continue
                meant, kw = f"{amt / scale:.15g}", {"file": file, "field": where, "value": amt, "allowed": allowed}
                errors.append(InputError("money_in_dong", **kw, meant=meant, unit=unit))
    return errors


def _small_year_errors(parsed: dict[str, np.ndarray], unit: str, file: str) -> list[InputError]:
    """Years whose money, though not nil, is less than `MIN_YEAR_VND` in all (`102.5` under
    `unit: VND` is 102.5 đồng: the run went on as if the programme had no money)."""
    errors = []
    for key, amounts in parsed.items():
        total = float(amounts.sum())
        if 0 < total < MIN_YEAR_VND:
            shown = i18n.LocalText(**{lg: fmt.number(total, lg, decimals=3, trim=True) for lg in i18n.LANGS})
            errors.append(InputError("money_year_tiny", file=file, field=f"budget.years.{key}", total=shown, unit=unit))
    return errors


def _year_errors(years_raw: dict, years: tuple[int, ...], file: str) -> list[InputError]:
    errors = []
    start, last = years[1], years[-1]
    for y in years_raw:
        if int(y) not in years:
            errors.append(
                InputError("year_outside", file=file, field=f"budget.years.{y}", value=y, first=start, last=last)
            )
    missing = [y for y in years[1:] if str(y) not in years_raw]
    if len(missing) == 1:
        errors.append(InputError("year_missing", file=file, field="budget.years", year=missing[0]))
    elif missing:  # one message naming every year missing, not one a year
        errors.append(InputError("years_missing", file=file, field="budget.years", year=", ".join(map(str, missing))))
    return errors


#: the ways a year's money is given besides `same_as`
AMOUNT_KEYS = ("lines", "envelope", "shares", "contents")


def year_shape_errors(years_raw: dict, dated: bool, file: str) -> list[InputError]:
    """Problems of how each year gives its money that would otherwise drop money without a word:
    `same_as` next to amounts (the amounts were ignored), `contents` next to `lines`, `envelope`
    or `shares` (those were ignored), `contents` in a scenario without `periods: dated` (the
    contents were ignored: the year ran with no money)."""
    errors = []
    for year, entry in years_raw.items():
        if not isinstance(entry, dict):
            continue  # the schema says what a year must be
        where, given = f"budget.years.{year}", [k for k in AMOUNT_KEYS if k in entry]
        if "same_as" in entry and given:
            errors.append(InputError("same_as_mixed", file=file, field=where, given=", ".join(given)))
        elif "contents" in entry and len(given) > 1:
            others = ", ".join(k for k in given if k != "contents")
            errors.append(InputError("contents_mixed", file=file, field=where, others=others))
        if "contents" in entry and not dated:
            errors.append(InputError("contents_not_dated", file=file, field=f"{where}.contents", year=year))
    return errors


def parse_budget(
    raw: dict,
    catalogue: Catalogue,
    unit_ids: tuple[str, ...] | None,
    funding: dict,
    start: int | None,
    horizon: int | None,
    file: str,
) -> tuple[Budget | None, list[InputError]]:
    """Budget amounts (VND) from the scenario's `budget` mapping, with every problem listed.

    With `start` or `horizon` None (not known: the dataset or those fields have problems of
    their own) the years are not checked; with `unit_ids` None the district names are not."""
    scale = MONEY_UNITS[raw["unit"]]
    years_raw: dict = raw["years"]
    errors = _money_errors(years_raw, scale, raw["unit"], file)
    errors += _same_as_errors(years_raw, file)
    known = start is not None and horizon is not None
    years = tuple(range(start - 1, start + horizon)) if known else ()
    if known:
        errors += _year_errors(years_raw, years, file)
    capital_of = {s: funding["sources"][s]["capital"] for s in SOURCES}
    parsed: dict[str, np.ndarray] = {}
    notes: list[Routing] = []
    for key, entry in years_raw.items():
        if "same_as" not in entry:
            args = (catalogue, capital_of, scale, file, errors, notes)
            parsed[key] = _parse_year(entry, f"budget.years.{key}", *args)
    split, default = _district_split(raw.get("district_split") or {}, catalogue, unit_ids, file, errors)
    errors += _small_year_errors(parsed, raw["unit"], file)
    errors += implausible_money_errors(years_raw, scale, raw["unit"], funding.get("plausibility"), file, errors)
    if errors or not known:
        return None, errors
    amounts = np.zeros((len(years), len(catalogue.codes), len(SOURCES)))
    for yi, y in enumerate(years):
        if str(y) in years_raw:
            found, _ = _resolve_year(years_raw, str(y))
            amounts[yi] = parsed[found]
    if str(years[0]) not in years_raw:
        amounts[0] = amounts[1]
    return Budget(years, catalogue.codes, SOURCES, amounts, split, default, tuple(notes)), []


def district_split_problems(split_raw: dict, catalogue: Catalogue, unit_ids, file: str, field_: str) -> list:
    """The problems of a split of the money across units given at `field_` (`budget.district_split`,
    or a scenario's `units_switch.district_split` on the new units `unit_ids`)."""
    errors: list = []
    _district_split(split_raw, catalogue, unit_ids, file, errors, field_)
    return errors


def _district_split(
    split_raw: dict, catalogue: Catalogue, unit_ids, file: str, errors: list, field_: str = "budget.district_split"
) -> tuple[dict, str]:
    """The budget's district split: {item code: rule or {unit: share}} and the default rule."""
    allowed_codes = catalogue.all_codes()
    default = split_raw.get("default", "eligible_households")
    if default not in SPLIT_RULES:
        errors.append(
            InputError("enum", file=file, field=f"{field_}.default", value=default, allowed=sorted(SPLIT_RULES))
        )
    split = {}
    for code, spec in (split_raw.get("lines") or {}).items():
        f = f"{field_}.lines.{code}"
        if code not in allowed_codes:
            errors.append(InputError("unknown_line", file=file, field=f, value=code, allowed=allowed_codes))
            continue
        if isinstance(spec, str):
            if spec not in SPLIT_RULES:
                errors.append(InputError("enum", file=file, field=f, value=spec, allowed=sorted(SPLIT_RULES)))
                continue
        else:
            bad = [u for u in spec if unit_ids is not None and u not in unit_ids]
            for u in bad:
                errors.append(InputError("unknown_unit", file=file, field=f"{f}.{u}", value=u, allowed=unit_ids))
            total = sum(spec.values())
            if abs(total - 1.0) > 1e-6:
                errors.append(shares_sum_error(file, f, total))
            if bad or abs(total - 1.0) > 1e-6:
                continue
        for item in catalogue.items_of(code):
            split[item] = spec
    return split, default


def former_district_errors(errors: list[InputError], units) -> list[InputError]:
    """`errors` with each unknown unit that is a district before 1 July 2025 (`ha_quang` in a
    split on the communes, or `Ha Quang`) told as such, with the communes that now hold it
    (`units`: the dataset's units table, whose `districts_2024` column lists each commune's former
    districts), each written as a spreadsheet saves a number (`excel_key_error`), and each that is
    a unit's name rather than its code (`unit_name_errors`: a name with its diacritics first, then
    one without them that names no former district)."""
    errors = unit_name_errors([excel_key_error(e) for e in errors], units, folded_names=False)
    if units is not None and "districts_2024" in units.columns:
        held: dict[str, list[str]] = {}
        names = units["name_vi"] if "name_vi" in units.columns else units["unit_id"]
        for uid, name, former in zip(units["unit_id"], names, units["districts_2024"].fillna(""), strict=True):
            for district in str(former).split(";"):
                held.setdefault(district.strip(), []).append(f"{uid} ({name})")
        out = []
        for e in errors:
            district = e.value if e.value in held else folded(" ".join(str(e.value).split()))
            if e.code == "unknown_unit" and district in held:
                communes = ", ".join(held[district])
                e = InputError("unit_former_district", file=e.file, field=e.field, district=e.value, communes=communes)
            out.append(e)
        errors = out
    return unit_name_errors(errors, units, folded_names=True)


def excel_key_error(error: InputError) -> InputError:
    """`error`, or when it is an unknown unit written as a spreadsheet saves a number (`1290.0:`
    for `'01290':`, or for a district's code in words) the error saying so
    (`simlib.errors.excel_code_error`)."""
    if error.code != "unknown_unit" or excel_code(str(error.value)) is None:
        return error
    return excel_code_error([str(error.value)], None, error.allowed, error.file, error.field)


def unit_name_errors(errors: list[InputError], units, folded_names: bool = False) -> list[InputError]:
    """`errors` with each unknown unit written as a unit's name (`Phường Thục Phán`, or without
    its kind: `Thục Phán`; case and spacing ignored; with `folded_names`, also without its
    diacritics: `Thuc Phan`) told as such, with the code to write."""
    if units is None or "name_vi" not in units.columns:
        return errors
    key_of = folded if folded_names else (lambda written: written)
    codes: dict[str, set[str]] = {}
    for uid, name in zip(units["unit_id"], units["name_vi"].fillna(""), strict=True):
        words = unicodedata.normalize("NFC", str(name)).casefold().split()
        for written in {" ".join(words), " ".join(words[1:])} - {""}:
            codes.setdefault(key_of(written), set()).add(str(uid))
    code_of = {k: min(v) for k, v in codes.items() if len(v) == 1}  # a name two units share: none
    out = []
    for e in errors:
        key = key_of(" ".join(unicodedata.normalize("NFC", str(e.value)).casefold().split()))
        if e.code == "unknown_unit" and key in code_of:
            e = InputError("unit_name_not_code", file=e.file, field=e.field, written=e.value, unit=code_of[key])
        out.append(e)
    return out
