"""Allocation arithmetic and scenario writing for the explorer (`simlib.workbench`,
`notebooks/explore.ipynb`).

Plain functions, tested without widgets: an allocation is written as a scenario file
(`scenario_dict`, `save_scenario`: every year explicit, by item and source, validated before it
is written). The explorer itself edits amounts by content, source and year
(`simlib.workbench.state`); the project-share arithmetic here (`allocation_amounts`: project
shares and a yearly envelope become amounts, each project's money split across its lines and
sources as in the starting scenario, or by the catalogue's `share_of_project` where the scenario
gives the project nothing) is no longer used by it and does not check the legal frame.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import yaml

from simlib import i18n
from simlib.atomic import write_text
from simlib.dated_budget import contents_entry, scenario_cells
from simlib.errors import InputError
from simlib.i18n import LocalText
from simlib.paths import display_path
from simlib.scenario import scenario_from_dict
from simlib.schema import parse_yaml

SOURCE_FOR_CAPITAL = {"investment": "central_investment", "recurrent": "central_recurrent"}


def project_totals(scenario, year_index: int = 1) -> dict[str, float]:
    """Planned VND per project in one budget year (index 1 = the first projected year)."""
    b, cat = scenario.budget, scenario.catalogue
    per_line = b.amounts[year_index].sum(axis=1)
    out = {p: 0.0 for p in cat.projects}
    for li, line in enumerate(b.lines):
        out[cat.lines[line].project] += float(per_line[li])
    return out


def base_shares(scenario) -> dict[str, float]:
    """Each project's share of the first projected year's budget (equal shares if it is empty)."""
    tot = project_totals(scenario)
    s = sum(tot.values())
    if s <= 0:
        return {p: 1.0 / len(tot) for p in tot}
    return {p: v / s for p, v in tot.items()}


def base_envelope(scenario) -> float:
    """Total planned VND of the first projected year."""
    return float(scenario.budget.amounts[1].sum())


def _default_split(scenario, project: str) -> np.ndarray:
    """(L, S) weights of a project's money when the base scenario gives it none: lines by
    `share_of_project`, each from the first funding source its capital type allows."""
    b, cat = scenario.budget, scenario.catalogue
    w = np.zeros((len(b.lines), len(b.sources)))
    for lc, share in cat.expand(project):
        caps = cat.lines[lc].capital
        src = SOURCE_FOR_CAPITAL["recurrent"] if "recurrent" in caps else SOURCE_FOR_CAPITAL[caps[0]]
        w[b.lines.index(lc), b.sources.index(src)] += share
    total = w.sum()
    return w / total if total > 0 else w


def allocation_amounts(scenario, shares: Mapping[str, float], envelope_vnd: float) -> np.ndarray:
    """Budget amounts (years, lines, sources) in VND: every budget year gets `envelope_vnd`,
    split over projects by `shares` (rescaled to add up to 1) and within each project as in
    `scenario` that year."""
    b, cat = scenario.budget, scenario.catalogue
    total_share = float(sum(max(0.0, float(v)) for v in shares.values()))
    out = np.zeros_like(b.amounts, dtype=float)
    if total_share <= 0 or envelope_vnd <= 0:
        return out
    proj_of_line = np.array([cat.lines[code].project for code in b.lines])
    for yi in range(b.amounts.shape[0]):
        for p in cat.projects:
            share = max(0.0, float(shares.get(p, 0.0))) / total_share
            if share == 0:
                continue
            mask = proj_of_line == p
            block = np.where(mask[:, None], b.amounts[yi], 0.0)
            tot = block.sum()
            w = block / tot if tot > 0 else _default_split(scenario, p)
            out[yi] += envelope_vnd * share * w
    return out


def _relocate(ref: str, old_dir: Path, new_dir: Path) -> str:
    """A path reference (dataset, params) valid from `old_dir`, rewritten for a file in `new_dir`."""
    if "/" not in ref and "\\" not in ref:
        return ref  # a bare dataset name under data/
    p = Path(ref)
    if not p.is_absolute():
        p = (old_dir / p).resolve()
    try:
        return os.path.relpath(p, new_dir)
    except ValueError:  # another drive (Windows)
        return str(p)


def year_entry(b, amounts: np.ndarray, cells: dict | None) -> dict:
    """One budget year's entry from its amounts (items, sources) in VND, in billion VND rounded to
    the thousand VND: `lines:` by budget item, or under a dated catalogue (`cells`, from
    `simlib.dated_budget.scenario_cells`) `contents:` by content, as a planner of that year writes
    it. Money no content stands for cannot be written there (a `ValueError`)."""
    by_cell = {
        (item, src): round(float(amounts[li, si]) / 1e9, 6)
        for li, item in enumerate(b.lines)
        for si, src in enumerate(b.sources)
        if round(float(amounts[li, si]) / 1e9, 6) > 0
    }
    if cells is None:
        lines: dict = {}
        for (item, src), v in by_cell.items():
            lines.setdefault(item, {})[src] = v
        return {"lines": lines} if lines else {}
    contents, stray = contents_entry(by_cell, cells)
    if stray:
        raise ValueError(f"money no content of the year's catalogue stands for: {stray}")
    return {"contents": contents} if contents else {}


def scenario_dict(
    scenario,
    amounts: np.ndarray,
    name: str,
    title: LocalText,
    target_dir: str | Path,
    description: LocalText | None = None,
) -> dict:
    """A scenario mapping (as in a YAML file) with `amounts` (VND) as its budget, every year
    listed explicitly in billion VND (`year_entry`); everything else (dataset, horizon, seed, district split,
    overrides) kept from `scenario`."""
    raw = copy.deepcopy(scenario.raw)
    b, cells = scenario.budget, scenario_cells(scenario)
    years = {int(y): year_entry(b, amounts[yi], cells.get(int(y))) for yi, y in enumerate(b.years)}
    budget = {"unit": "billion VND", "years": years}
    if "district_split" in (raw.get("budget") or {}):
        budget["district_split"] = raw["budget"]["district_split"]
    raw["budget"] = budget
    raw["name"] = name
    raw.update(title.to_fields("title"))
    raw.update((description or LocalText()).to_fields("description"))
    old_dir = Path(scenario.file).parent if scenario.file else Path.cwd()
    for key in ("dataset", "params"):
        if key in raw:
            raw[key] = _relocate(str(raw[key]), old_dir, Path(target_dir).resolve())
    return raw


def save_scenario(
    scenario,
    amounts: np.ndarray,
    path: str | Path,
    name: str,
    title: LocalText,
    overwrite: bool = False,
    description: LocalText | None = None,
) -> Path:
    """Write the allocation as a scenario YAML at `path` (atomically), once it is known to load
    as a valid scenario from there: an invalid result is never written (and an existing file,
    with `overwrite`, is kept)."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError("file_exists", file=display_path(path))
    raw = scenario_dict(scenario, amounts, name, title, path.parent, description)
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    scenario_from_dict(parse_yaml(text, display_path(path)), file=path.resolve())  # as it will be read back
    write_text(path, f"# {i18n.t('explore.saved_header', 'en')}\n" + text)
    return path
