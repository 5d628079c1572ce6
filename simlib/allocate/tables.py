"""The tables of an optimisation result: allocations compared, money by line, source, district.

A dated scenario's tables also name the 2026–2035 content a year's money stands for (`content`;
`lines_table`: `content`, `content_from` and its title `content_vi` / `content_en`), so that no
money of a year under the dated catalogue is shown only as a 2021–2025 line's; an undated
scenario's tables have no such columns (unchanged)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.allocate.absorption import unallocatable
from simlib.allocate.evaluate import run_batch
from simlib.allocate.problem import BN, Problem, objective_weights
from simlib.dated_budget import content_title, dated_catalogues, item_contents, scenario_cells
from simlib.i18n import LANGS
from simlib.scenario import SOURCES, Scenario
from simlib.states import POOR


def summaries(p: Problem, named: dict[str, np.ndarray]) -> pd.DataFrame:
    """Objective, poor and poor + near-poor households at the horizon and total money for
    allocations given as spending (Y+1, L, D) VND, in one engine call; households lifted against
    two runs with less money: `households_lifted` against no money at all (the history year's
    included, as `simlib run`'s «without the programme»), `households_lifted_allocated` against
    no money in the years allocated only (`Problem.base_spend`: the history year's and the years
    kept keep theirs) — what the money decided here does, as the frontier counts it."""
    names = list(named)
    spend = np.array([named[k] for k in names])
    out = run_batch(p.target, spend, p.on_runs)
    none = run_batch(p.target, np.stack([np.zeros_like(spend[0]), p.base_spend]), p.on_runs)
    poor = out.states[:, -1, :, POOR].sum(-1)
    w_pnp = objective_weights(p.scenario, p.model, "poor_near_poor")
    pnp = np.einsum("sgk,gk->s", out.states[:, -1], w_pnp)
    obj = p.objective_from(out) if p.objective != "min_cost" else poor
    poor0, poor_kept = none.states[:, -1, :, POOR].sum(-1)
    columns = {"allocation": names, "objective": obj, "poor": poor, "poor_near_poor": pnp}
    return pd.DataFrame(columns | {"households_lifted": poor0 - poor, "households_lifted_allocated": poor_kept - poor})


def allocation_table(p: Problem, allocations: dict[str, np.ndarray]) -> pd.DataFrame:
    """Long table: allocation, year, line, source, amount_bn (projected years); for a dated
    scenario also `content`, the 2026–2035 content a year's money stands for (its `contents:`
    in the written scenario; empty in the years of the 2021–2025 lines)."""
    m = p.model
    cells = scenario_cells(p.scenario, m.years)
    rows = []
    for name, a in allocations.items():
        for yi, y in enumerate(m.years):
            for li, code in enumerate(m.line_codes):
                for si, s in enumerate(SOURCES):
                    v = a[yi + 1, li, si] / BN
                    if abs(v) > 1e-9:
                        row = {"allocation": name, "year": y, "line": code, "source": s, "amount_bn": float(v)}
                        rows.append(row | ({"content": cells.get(y, {}).get((code, s), "")} if cells else {}))
    columns = ["allocation", "year", "line", "source", "amount_bn"] + (["content"] if cells else [])
    return pd.DataFrame(rows, columns=columns)


def year_contents(p: Problem) -> dict[tuple[int, str], str]:
    """{(year, item): content} for the projected years under a dated catalogue (`item_contents`);
    empty for an undated scenario."""
    return {(y, it): c for y, items in item_contents(p.scenario, p.model.years).items() for it, c in items.items()}


def with_content(df: pd.DataFrame, p: Problem) -> pd.DataFrame:
    """`df` (columns year, line) with a `content` column for a dated scenario: the content a
    year's money of the line stands for ("" in the 2021–2025 years); unchanged otherwise."""
    found = year_contents(p)
    if not found:
        return df
    return df.assign(content=[found.get((int(y), ln), "") for y, ln in zip(df["year"], df["line"])])


def line_contents(p: Problem) -> dict[str, dict]:
    """{item: content, its first year and its title in each language (`content_title`)} for the
    items that stand for one content in every projected year under a dated catalogue."""
    by_year = item_contents(p.scenario, p.model.years)
    cats = dated_catalogues(by_year)
    out = {}
    for item in p.model.line_codes:
        found = {(items.get(item), cats[y].id) for y, items in by_year.items()}
        if len(found) == 1 and None not in next(iter(found)):
            y = min(by_year)
            content = by_year[y][item]
            titles = {f"content_{lang}": content_title(cats[y], content, lang) for lang in LANGS}
            out[item] = {"content": content, "content_from": y} | titles
    return out


def with_line_content(df: pd.DataFrame, p: Problem) -> pd.DataFrame:
    """`df` (column `line`, no year: `marginals_by_district.csv`) with `content` and
    `content_from` for a dated scenario: the content the line's money stands for from its first
    dated year (`line_contents`, as `lines_table`), "" for a line no content continues (P1.2,
    the Decision 880 scheme); unchanged for an undated scenario (as `with_content`)."""
    if df.empty or not scenario_cells(p.scenario, p.model.years):
        return df
    found = line_contents(p)
    content = [found.get(ln, {}).get("content", "") for ln in df["line"]]
    first = pd.array([found.get(ln, {}).get("content_from") for ln in df["line"]], dtype="Int64")
    return df.assign(content=content, content_from=first)


def lines_table(p: Problem, scen: Scenario, allocs: dict, marg: pd.DataFrame) -> pd.DataFrame:
    """Per line: money per projected year under each allocation, bounds, marginal values (a
    dated scenario: the content each line's money stands for from its first dated year,
    `line_contents`; empty for the lines no content continues)."""
    m = p.model
    rows = []
    first = (
        marg[marg["year"].isna()]
        if marg["year"].isna().any()
        else marg.groupby("line", as_index=False).mean(numeric_only=True)
    )
    first = first.set_index("line")
    for li, code in enumerate(m.line_codes):
        ln = scen.catalogue.lines[code]
        lower = max([b.lower for b in p.spec.bounds if b.lines == (li,)] + [0.0])
        upper = min([b.ceiling for b in p.spec.bounds if b.lines == (li,)] + [np.inf])
        row = {"line": code, **ln.name.to_fields("name"), "capital": "+".join(ln.capital)}
        for k in ("optimal", "plan", "equal_split"):
            row[f"{k}_bn_per_year"] = float(allocs[k][1:, li].sum() / BN / p.Y)
        row["floor_bn"] = lower
        row["ceiling_bn"] = upper if np.isfinite(upper) else np.nan
        if code in first.index:
            for c in (
                "lifted_per_billion_added",
                "lifted_per_billion_cut",
                "objective_per_billion_added",
                "reached_share",
            ):
                row[c] = float(first.loc[code, c])
        rows.append(row)
    out = pd.DataFrame(rows)
    if scenario_cells(p.scenario, m.years):
        found = line_contents(p)
        empty = {"content": "", "content_from": np.nan} | {f"content_{lang}": "" for lang in LANGS}
        extra = pd.DataFrame([found.get(code, empty) for code in out["line"]], index=out.index)
        out = pd.concat([out, extra], axis=1).astype({"content_from": "Int64"})
    return out


def unallocatable_table(p: Problem, spends: dict[str, np.ndarray]) -> pd.DataFrame:
    """Money that reaches no one (`absorption.unallocatable`), per allocation, acting year, line
    and district, in billion VND; rows with less than a thousandth of a billion are left out."""
    names = list(spends)
    lost, acting = unallocatable(p.target, np.array([spends[k] for k in names]), p.on_runs)
    m, rows = p.model, []
    for a, name in enumerate(names):
        for y, li, d in zip(*np.nonzero(lost[a] > 1e6)):
            rows.append(
                {
                    "allocation": name,
                    "year": m.years[y],
                    "line": m.line_codes[li],
                    "district": m.unit_ids[d],
                    "acting_bn": float(acting[a, y, li, d] / BN),
                    "unallocatable_bn": float(lost[a, y, li, d] / BN),
                }
            )
    columns = ["allocation", "year", "line", "district", "acting_bn", "unallocatable_bn"]
    return with_content(pd.DataFrame(rows, columns=columns), p)
