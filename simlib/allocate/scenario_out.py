"""The optimal allocation as a scenario: a mapping a YAML file holds, which `simlib run` and
`simlib batch` reproduce (same dataset, parameters, overrides and district rules as the source
scenario; the money and, per district, the optimiser's split replaced). A dated scenario's years
under a dated catalogue are written as `contents:` (`year_entry`)."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import numpy as np

from simlib.allocate.dated import contents_year
from simlib.allocate.rules import BN
from simlib.dated_budget import contents_entry, scenario_cells
from simlib.i18n import LocalText
from simlib.scenario import MONEY_UNITS, SOURCES, Scenario, scenario_from_dict


def _whole_vnd(bn: float) -> float:
    """Billion VND to the nearest VND: each written amount is within half a VND of the optimum's,
    so a year's total stays within the envelope it was optimised under (the legal check allows
    1 VND per billion) and a target met at its threshold stays met. (Rounding to the thousand
    VND broke the one or the other.)"""
    return round(bn, 9)


def optimal_scenario_raw(
    scen: Scenario, amounts: np.ndarray, objective: str, district_split: dict | None, allocation: str = "optimal"
) -> dict:
    """A scenario mapping (as a YAML file holds it) with `amounts` (Y+1, L, S) VND; the rest —
    dataset, parameters, overrides, district split — as in `scen`, the lines of `district_split`
    ({code: {unit: share}}) split as given: in `budget.district_split`, or for a scenario that
    switches units (the optimiser allocates the new units' years) in `units_switch.district_split`,
    the split from the switch year on, the budget's kept for the years before. Paths are left as
    they are (`write_optimization` rewrites them for the output folder). `allocation`: "optimal",
    or "equal_split" for the comparison's equal split by source (named and titled as such)."""
    raw = copy.deepcopy(scen.raw)
    goal = LocalText.of(f"alloc.objective.{objective}")
    if allocation != "equal_split":
        raw["name"] = f"{scen.name}_optimal_{objective}"
        raw.update(LocalText.of("alloc.scenario_title", title=scen.title, objective=goal).to_fields("title"))
        raw.update(LocalText.of("alloc.scenario_description", name=scen.name).to_fields("description"))
    else:
        raw["name"] = f"{scen.name}_equal_split"
        raw.update(LocalText.of("alloc.scenario_title_equal_split", title=scen.title).to_fields("title"))
        raw.update(LocalText.of("alloc.scenario_description_equal_split", name=scen.name).to_fields("description"))
    years = {}
    orig, scale = scen.raw["budget"]["years"], MONEY_UNITS[scen.raw["budget"]["unit"]] / BN
    cells = scenario_cells(scen)  # the dated years' content cells ({}: none)
    for yi, y in enumerate(scen.budget.years):
        if yi == 0:  # the year before the start is history: keep its entry as the scenario gives it
            years[str(y)] = _rescaled(
                resolved_entry(orig, str(y) if str(y) in orig else str(scen.budget.years[1])), scale
            )
            continue
        years[str(y)] = year_entry(scen, amounts, yi, cells.get(y))
    raw["budget"] = {"unit": "billion VND", "years": years}
    split = copy.deepcopy(scen.raw["budget"].get("district_split") or {})
    if split:
        raw["budget"]["district_split"] = split
    if district_split:
        switch = raw.get("units_switch")  # a crossing: the optimiser's units are the new ones
        holder = switch if switch is not None else raw["budget"]
        split = copy.deepcopy(holder.get("district_split") or split)
        split["lines"] = dict(split.get("lines") or {}) | {c: _round_shares(s) for c, s in district_split.items()}
        holder["district_split"] = split
    over = dict(raw.get("overrides") or {})
    for k, v in scen.set_overrides:
        if k.split(".", 1)[0] in scen.params.docs:
            over[k] = v
    if over:
        raw["overrides"] = over
    return raw


def year_entry(scen: Scenario, amounts: np.ndarray, yi: int, cells: dict | None) -> dict:
    """Budget year yi's entry (billion VND) from `amounts` (Y+1, L, S) VND: `lines:` by entry
    code, or — in a year under a dated catalogue, `cells` its content cells
    (`simlib.dated_budget.scenario_cells`) — `contents:`, which reads back to the same cells (as
    `lines:` it would be read as 2021–2025 money carried along `continues`). A dated year the
    optimiser kept as the scenario gives it (its amounts unchanged) whose money no content stands
    for (a carried `P5.repair`, say) keeps the scenario's own entry; money no content stands for
    in any other dated year is a bug (`dated.contents_year` raises)."""
    money = {}
    for li, code in enumerate(scen.catalogue.codes):
        for si, s in enumerate(SOURCES):
            if amounts[yi, li, si] / BN >= 5e-7:
                money[(code, s)] = _whole_vnd(float(amounts[yi, li, si]) / BN)
    if cells is not None:
        key, orig = str(scen.budget.years[yi]), scen.raw["budget"]["years"]
        kept = key in orig and np.array_equal(amounts[yi], scen.budget.amounts[yi])
        if kept and contents_entry(money, cells)[1]:
            return _rescaled(resolved_entry(orig, key), MONEY_UNITS[scen.raw["budget"]["unit"]] / BN)
        return contents_year(scen, scen.budget.years[yi], money, cells)
    lines: dict = {}
    for (code, s), amount in money.items():
        lines.setdefault(entry_code(scen, code, s), {})[s] = amount
    return {"lines": lines} if lines else {}


def entry_code(scen: Scenario, item: str, source: str) -> str:
    """The code under which a scenario gives `source` money to budget item `item`: the item's own
    code, or its content's id where money given to the line would be routed elsewhere (only in a
    what-if run that ignores the capital rule: `simlib.budget` routes a line's money by capital)."""
    cat = scen.catalogue
    if item not in cat.budget_lines:
        return item
    capital = scen.params["funding"]["sources"][source]["capital"]
    routed, _ = cat.route(item, capital)
    return item if routed == item else cat.lines[item].content


def resolved_entry(years: dict, key: str) -> dict:
    """A budget year's entry with `same_as` followed."""
    entry, seen = years[key], {key}
    while "same_as" in entry and str(entry["same_as"]) not in seen:
        seen.add(str(entry["same_as"]))
        entry = years[str(entry["same_as"])]
    return copy.deepcopy(entry)


def _rescaled(entry: dict, factor: float) -> dict:
    """A budget year's entry with its money converted by `factor` (shares unchanged)."""
    out = copy.deepcopy(entry)
    for code, by_src in (out.get("lines") or {}).items():
        out["lines"][code] = {k: float(v) * factor for k, v in by_src.items()}
    for content, by_src in (out.get("contents") or {}).items():
        out["contents"][content] = {k: float(v) * factor for k, v in by_src.items()}
    if "envelope" in out:
        out["envelope"] = {k: float(v) * factor for k, v in out["envelope"].items()}
    return out


def _round_shares(shares: dict[str, float], digits: int = 9) -> dict[str, float]:
    """Shares rounded for a YAML file that still add up to exactly 1 (within 1e-9)."""
    keys = list(shares)
    vals = np.round(np.array([shares[k] for k in keys], float), digits)
    vals[int(np.argmax(vals))] += 1.0 - vals.sum()
    return {k: float(round(v, digits)) for k, v in zip(keys, vals) if v > 0}


#: scenario keys that name a file or folder relative to the scenario file
PATH_KEYS = ("params", "transitions", "legal_frame")


def is_path(value) -> bool:
    """Whether a scenario's reference is a path (not a name such as a frame's or `none`)."""
    text = str(value)
    return "/" in text or "\\" in text or text.endswith((".yaml", ".yml"))


def anchored(raw: dict, scen: Scenario) -> dict:
    """The mapping with the file references of `PATH_KEYS` made absolute against `scen`'s folder
    (a scenario held in memory has no folder of its own)."""
    base = scen.file.parent if scen.file is not None else Path.cwd()
    out = dict(raw)
    for key in PATH_KEYS:
        if key in out and is_path(out[key]):
            out[key] = str((base / str(out[key])).resolve())
    return out


def scenario_from_raw(raw: dict, scen: Scenario) -> Scenario:
    """The optimal scenario in memory (same parameters, dataset and legal frame as `scen`)."""
    made = scenario_from_dict(anchored(raw, scen), file=None, params=scen.params, dataset=scen.dataset)
    return replace(made, raw=raw, legal=scen.legal)
