"""A scenario budget under the dated programme catalogues (`periods: dated` in a scenario).

Each budget year runs under the catalogue in force in it (`simlib.programmes.catalogue_for_year`):
the 2021–2025 lines up to 2025, the 2026–2035 programme's contents from 2026. The model's
mechanisms are the 2021–2025 lines' (every content of the dated catalogue takes its unit cost, lag
and effects from one 2021–2025 line, `effects_from` — an assumption its file flags), so a year
under the dated catalogue is translated into money for those mechanism lines before the budget is
parsed (`simlib.budget`):

- `contents:` (money per content of the dated catalogue and source): each content's money goes to
  its `effects_from` line; a central source must be capital the content takes
  (`central_investment` → investment, `central_recurrent` → recurrent);
- `lines:` or `same_as` a year before the dated catalogue: the 2021–2025 money is CARRIED along the
  documented `continues` mapping (`ProgrammeCatalogue.links`; the same links as
  `simlib.programme_money.continue_spend`): each line's money goes to its successor contents with
  their shares, then to their mechanism lines. A key naming a content of a line
  (`P1.1.investment`) keeps its content when the successor's mechanism is that same line; a line
  without successor is an error (its money would vanish), never silently dropped.

`translate_budget` returns the translated `budget` mapping, a record per year (catalogue, how the
money was given, each carried link) for the manifest, and every problem at once.

The way back, for a program that holds a dated year's money as budget items (the explorer, the
optimiser): `content_cells` says which (item, source) cell each content's money of each source
lands in, so that a year's amounts can be written as `contents:` again (`contents_entry`) — and
money in any other cell has no content of the catalogue in force to stand for it.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass

from simlib.catalogue import Catalogue
from simlib.errors import InputError
from simlib.i18n import LocalText
from simlib.programmes import ProgrammeCatalogue, load_periods, load_programme_catalogue, period_for_year

#: the capital a central source brings (the dated catalogues' `capital` values)
SOURCE_CAPITAL = {"central_investment": "investment", "central_recurrent": "recurrent"}


@dataclass(frozen=True)
class YearRecord:
    """How one budget year's money was read: `given` is `lines` (a 2021–2025 year), `contents`
    (the dated catalogue's contents), `same_as` (another dated year's) or `carried` (2021–2025
    money carried along `continues`);
    `links` lists (key as written, content, share, mechanism line) of carried money."""

    year: int
    catalogue: str
    status: str
    source: str
    given: str
    links: tuple[tuple[str, str, float, str], ...] = ()

    def as_dict(self) -> dict:
        out = {"year": self.year, "catalogue": self.catalogue, "status": self.status, "source": self.source}
        out["given"] = self.given
        if self.links:
            out["carried"] = [{"from": k, "content": c, "share": s, "mechanism": m} for k, c, s, m in self.links]
        return out


def line_of(key: str, old_lines: tuple[str, ...]) -> str | None:
    """The 2021–2025 line a budget key names: itself, or the line whose content it is
    (`P1.1.investment` → `P1.1`); None for a project or an unknown key."""
    if key in old_lines:
        return key
    parents = [line for line in old_lines if key.startswith(line + ".")]
    return max(parents, key=len) if parents else None


def add_money(into: dict, key: str, by_source: dict, share: float = 1.0) -> None:
    target = into.setdefault(key, {})
    for src, amount in by_source.items():
        target[src] = target.get(src, 0.0) + float(amount) * share


def carry_lines(lines: dict, cat: ProgrammeCatalogue, old_lines, where: str, errors: list) -> tuple[dict, list]:
    """2021–2025 money by key → money by mechanism key along `continues` (see module docstring)."""
    out, links = {}, []
    for key, by_source in lines.items():
        line = line_of(key, old_lines)
        link = cat.links.get(line) if line else None
        if link is None or not link.successors:
            errors.append(
                InputError("carry_no_successor", field=f"{where}.lines.{key}", value=key, item=key, catalogue=cat.id)
            )
            continue
        for s in link.successors:
            mech = cat.lines[s.content]["effects_from"]
            target = key if mech == line else mech
            add_money(out, target, by_source, s.share)
            links.append((key, s.content, s.share, target))
    return out, links


def content_lines(contents: dict, cat: ProgrammeCatalogue, where: str, errors: list) -> dict:
    """Money by dated content → money by mechanism line, checking each central source's capital."""
    out = {}
    for content, by_source in contents.items():
        if content not in cat.lines:
            errors.append(
                InputError("enum", field=f"{where}.contents.{content}", value=content, allowed=list(cat.content_ids))
            )
            continue
        allowed = cat.capital(content)
        for src in by_source:
            if src in SOURCE_CAPITAL and SOURCE_CAPITAL[src] not in allowed:
                sources = LocalText.coded("source", [s for s, c in SOURCE_CAPITAL.items() if c in allowed])
                field = f"{where}.contents.{content}.{src}"
                errors.append(InputError("capital_content", field=field, value=src, line=content, sources=sources))
        add_money(out, cat.lines[content]["effects_from"], by_source)
    return out


def resolved_entry(years_raw: dict, key: str) -> tuple[str, dict]:
    """The year whose entry `key` uses (following same_as as far as it goes) and that entry."""
    seen = [key]
    while "same_as" in years_raw[seen[-1]]:
        ref = str(years_raw[seen[-1]]["same_as"])
        if ref not in years_raw or ref in seen:
            break
        seen.append(ref)
    return seen[-1], years_raw[seen[-1]]


def translate_year(key, years_raw, period, cat, old_lines, errors) -> tuple[dict, YearRecord]:
    """One budget year of a dated scenario: its translated entry and its record."""
    entry, where = years_raw[key], f"budget.years.{key}"
    record = dict(year=int(key), catalogue=period.id, status=period.status, source=period.source)
    if period.kind != "dated":
        if "contents" in entry:
            errors.append(
                InputError("contents_period", field=f"{where}.contents", value=key, year=key, catalogue=period.id)
            )
        return entry, YearRecord(**record, given="lines")
    source_key, source = resolved_entry(years_raw, key)
    if "same_as" in source:  # a year not listed, or a circle: `simlib.budget` names it (never money 0)
        return entry, YearRecord(**record, given="same_as")
    if source_key != key and int(source_key) >= period.first:
        return entry, YearRecord(**record, given="same_as")  # same_as a dated year: translated there
    if "contents" in source:
        return {"lines": content_lines(source["contents"], cat, where, errors)}, YearRecord(**record, given="contents")
    if "envelope" in source or "shares" in source:
        errors.append(InputError("carry_envelope", field=where, value=key, catalogue=period.id))
        return {}, YearRecord(**record, given="carried")
    lines, links = carry_lines(source.get("lines") or {}, cat, old_lines, where, errors)
    return {"lines": lines}, YearRecord(**record, given="carried", links=tuple(links))


def translate_budget(budget_raw: dict, old_lines: tuple[str, ...]) -> tuple[dict, list[YearRecord], list[InputError]]:
    """The scenario's `budget` with every year under a dated catalogue translated to mechanism
    lines, the record of each year (sorted) and every problem (fields relative to the scenario).
    Year keys are read as a file gives them, text (a Python caller's numbers are written so)."""
    years = budget_raw.get("years")
    years_raw = {str(k): v for k, v in years.items()} if isinstance(years, dict) else {}
    out = copy.deepcopy({**budget_raw, "years": years_raw} if years_raw else budget_raw)
    errors: list[InputError] = []
    periods = load_periods()["catalogues"]
    catalogues = {p.id: load_programme_catalogue(p.file) for p in periods if p.kind == "dated"}
    records = []
    for key in sorted(years_raw):
        try:
            period = period_for_year(periods, int(key))
        except InputError as exc:
            errors.append(InputError("period_year", field=f"budget.years.{key}", value=key, **exc.fields))
            continue
        entry, record = translate_year(key, years_raw, period, catalogues.get(period.id), old_lines, errors)
        out["years"][key] = entry
        records.append(record)
    split = out.get("district_split")
    if isinstance(split, dict) and isinstance(split.get("lines"), dict):
        old_years = sorted(r.year for r in records if r.given == "lines")
        split["lines"] = split_content_keys(split["lines"], catalogues.values(), old_lines, old_years, errors)
    return out, records, errors


def split_content_keys(
    lines: dict, catalogues, old_lines, old_years: list[int], errors: list, base: str = "budget.district_split"
) -> dict:
    """`budget.district_split.lines` without the keys that name a content of a dated catalogue
    (`C1.infrastructure_poor_communes`, or a key close to one), each refused with what to write.

    A split across units is one table per 2021–2025 line (item) for every year of the budget
    (`simlib.model.Levers.split`), and a content's money lands on its mechanism line
    (`effects_from`): the split is written on that line, and it then moves that line's money of
    the years under the 2021–2025 lines (`old_years`) too — which a split named by the content
    would hide, so none is read as one."""
    kept = {}
    years = ", ".join(map(str, old_years))
    for key, spec in lines.items():
        found = content_named(str(key), catalogues, old_lines)
        group = group_named(str(key), catalogues, old_lines) if found is None else None
        if found is None and group is None:
            kept[key] = spec
            continue
        fields = dict(field=f"{base}.lines.{key}", value=key)
        if group is not None:
            errors.append(group_error(group, fields, years))
            continue
        content, cat = found
        fields |= dict(content=content, catalogue=cat.id, line=cat.lines[content]["effects_from"])
        if years:
            errors.append(InputError("split_content_years", **fields, years=years))
        else:
            errors.append(InputError("split_content", **fields))
    return kept


def group_named(key: str, catalogues, old_lines) -> tuple[str, ProgrammeCatalogue] | None:
    """(project, its catalogue) when a split key is a project (group of contents) of a dated
    catalogue (`C1`) and no 2021–2025 code; None else."""
    if line_of(key, old_lines) is not None:
        return None
    return next(((key, cat) for cat in catalogues if key in cat.projects), None)


def group_error(group: tuple[str, ProgrammeCatalogue], fields: dict, years: str) -> InputError:
    """A split named by a project of a dated catalogue, refused with its contents and the
    2021–2025 lines they run on (`effects_from`), where the split is written."""
    code, cat = group
    contents = list(cat.projects[code].get("lines") or [])
    lines = sorted({cat.lines[c]["effects_from"] for c in contents if c in cat.lines})
    fields |= dict(content=code, catalogue=cat.id, contents=", ".join(contents))
    fields |= dict(lines=", ".join(f"`{ln}`" for ln in lines))
    if years:
        return InputError("split_group_years", **fields, years=years)
    return InputError("split_group", **fields)


def switch_split_lines(split_raw: dict, old_lines, errors: list) -> dict:
    """A scenario's `units_switch.district_split` without its keys naming a dated content, each
    refused as `split_content_keys` says."""
    lines = split_raw.get("lines")
    if not isinstance(lines, dict):
        return split_raw
    periods = load_periods()["catalogues"]
    catalogues = [load_programme_catalogue(p.file) for p in periods if p.kind == "dated"]
    kept = split_content_keys(lines, catalogues, old_lines, [], errors, "units_switch.district_split")
    return {**split_raw, "lines": kept}


def content_named(key: str, catalogues, old_lines) -> tuple[str, ProgrammeCatalogue] | None:
    """(content, its catalogue) a split key names: a content of a dated catalogue, or the one
    closest to a key that is no 2021–2025 code (`C1.infrastructure_poor_commune`); None else."""
    if line_of(key, old_lines) is not None or key.split(".")[0] in {c.split(".")[0] for c in old_lines}:
        return None
    for cat in catalogues:
        close = [key] if key in cat.lines else difflib.get_close_matches(key, list(cat.content_ids), 1, 0.8)
        if close:
            return close[0], cat
    return None


def dated_catalogues(years) -> dict[int, ProgrammeCatalogue]:
    """The dated catalogue in force in each of `years` that has one (years of the 2021–2025 lines
    and years no period covers are left out)."""
    periods = load_periods()["catalogues"]
    loaded: dict[str, ProgrammeCatalogue] = {}
    out = {}
    for year in years:
        period = next((p for p in periods if p.covers(int(year))), None)
        if period is not None and period.kind == "dated":
            if period.id not in loaded:
                loaded[period.id] = load_programme_catalogue(period.file)
            out[int(year)] = loaded[period.id]
    return out


def content_cells(
    dated: ProgrammeCatalogue, items: Catalogue, capital_of: dict[str, str]
) -> dict[tuple[str, str], str]:
    """{(budget item, source): content}: the item each content's money of each source lands in
    (its `effects_from` line routed by the source's capital, as `simlib.budget` routes it), for
    the sources the content's capital allows. `capital_of` gives each source's capital
    (`investment`, `recurrent` or `any`). Raises `ValueError` when two contents land in one cell
    (their money could not be told apart again)."""
    out: dict[tuple[str, str], str] = {}
    for content in dated.content_ids:
        line = dated.lines[content]["effects_from"]
        allowed = dated.capital(content)
        for src, capital in capital_of.items():
            if src in SOURCE_CAPITAL and SOURCE_CAPITAL[src] not in allowed:
                continue
            item, _ = items.route(line, capital)
            if item is None:
                continue
            if (item, src) in out:
                raise ValueError(f"{dated.id}: {out[(item, src)]} and {content} both land in {item} / {src}")
            out[(item, src)] = content
    return out


def contents_entry(amounts: dict[tuple[str, str], float], cells: dict[tuple[str, str], str]) -> tuple[dict, list]:
    """A dated year's `contents:` mapping {content: {source: amount}} from amounts by (item,
    source) — contents in the catalogue's order, sources in the funding file's — and the
    (item, source) cells holding money that no content lands in."""
    contents: dict[str, dict[str, float]] = {}
    for cell, content in cells.items():
        if amounts.get(cell):
            by_src = contents.setdefault(content, {})
            by_src[cell[1]] = by_src.get(cell[1], 0.0) + amounts[cell]
    return contents, [cell for cell, v in amounts.items() if v and cell not in cells]


def scenario_cells(scen, years=None) -> dict[int, dict[tuple[str, str], str]]:
    """{budget year: {(item, source): content}} (`content_cells`) for each of `years` (default:
    the projected years) under a dated catalogue, when the scenario (`simlib.scenario.Scenario`)
    is dated (`periods: dated`); empty for other scenarios."""
    if not scen.dated:
        return {}
    capital_of = {s: v["capital"] for s, v in scen.params["funding"]["sources"].items()}
    cats = dated_catalogues(scen.budget.years[1:] if years is None else years)
    return {y: content_cells(cat, scen.catalogue, capital_of) for y, cat in cats.items()}


def item_contents(scen, years=None) -> dict[int, dict[str, str]]:
    """{dated year: {budget item: content}}: the content whose money lands in each item
    (`scenario_cells`) in each of `years` (default: the projected years) under a dated catalogue;
    an item two contents land in, by different sources, has no single content and is left out.
    Empty for a scenario that is not dated."""
    out: dict[int, dict[str, str]] = {}
    for year, cells in scenario_cells(scen, years).items():
        found: dict[str, set[str]] = {}
        for (item, _src), content in cells.items():
            found.setdefault(item, set()).add(content)
        out[year] = {item: next(iter(c)) for item, c in found.items() if len(c) == 1}
    return out


def content_title(dated: ProgrammeCatalogue, code: str, lang: str) -> str:
    """«C5 – Hỗ trợ nhà ở cho hộ nghèo … (dự kiến)»: a content's project code and the content's
    name in `lang` (a project code: the project's code and name), as a decision-maker reads the
    money of a year under the dated catalogue."""
    project = dated.lines[code]["project"] if code in dated.lines else code
    return f"{project} – {dated.name(code).get(lang)}"


def dated_titles(scen, langs, years=None) -> dict[tuple[str, str, int], str]:
    """{(budget item or 2021–2025 project, lang, dated year): title}: how the money of each
    2021–2025 item (`item_contents`) is named in a year under a dated catalogue — the title of
    the content it stands for (`content_title`); a 2021–2025 project whose items with a content
    all stand for contents of one dated project gets that project's title. Items and projects
    that stand for no content keep no entry (their own 2021–2025 names apply)."""
    out: dict[tuple[str, str, int], str] = {}
    by_year = item_contents(scen, years)
    cats = dated_catalogues(by_year)
    for year, items in by_year.items():
        dated = cats[year]
        projects: dict[str, set[str]] = {}
        for item, content in items.items():
            projects.setdefault(scen.catalogue.lines[item].project, set()).add(dated.lines[content]["project"])
            for lang in langs:
                out[(item, lang, year)] = content_title(dated, content, lang)
        for old, new in projects.items():
            if len(new) == 1 and old not in items:
                for lang in langs:
                    out[(old, lang, year)] = content_title(dated, next(iter(new)), lang)
    return out
