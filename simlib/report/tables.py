"""Report tables for people (translated headers and labels, numbers kept numeric) and their
export as CSV and XLSX — planners work in Excel.

`export_tables` writes each table as `<name>.csv` and all of them as sheets of one workbook,
the same rows and columns in both, each file written atomically.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from simlib import i18n
from simlib.atomic import atomic_file
from simlib.report import data as D

#: CSV files written for people (translated headers) carry a BOM so Excel reads the diacritics
CSV_ENCODING = "utf-8-sig"
#: the run's own tidy tables, as `simlib run` writes them
RUN_TABLES = ("states", "flows", "indicators", "targets", "programme")


def geo_name(geo_type: str, geo: str, lang: str, unit_names: Mapping[str, str] | None = None) -> str:
    """Display name of a reporting geography (province, a district, poor districts, a group)."""
    if geo_type == "district":
        return (unit_names or {}).get(geo, geo)
    return i18n.label("geo", geo, lang)


def scorecard_frame(targets: pd.DataFrame, lang: str, unit_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The target scorecard as a table for people: target, area, year, projected value, its
    spread over draws, comparison, threshold, unit, share of draws meeting it, met or not."""
    sc = D.scorecard(targets)
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    out = pd.DataFrame(
        {
            t("table.target"): sc[i18n.column("label", lang)],
            t("table.area"): [geo_name(gt, g, lang, unit_names) for gt, g in zip(sc["geo_type"], sc["geo"])],
            t("table.year"): sc["year"].astype(int),
            t("table.projected"): sc["value"].round(4),
            t("table.low"): sc["lo"].round(4),
            t("table.high"): sc["hi"].round(4),
            t("table.comparison"): sc["comparison"],
            t("table.threshold"): sc["threshold"],
            t("table.unit"): [indicator_unit(i, lang) for i in sc["indicator"]],
            t("table.share_met"): sc["share_met"].round(4),
            t("table.status"): [t("target.met") if m else t("target.not_met") for m in sc["met"]],
        }
    )
    return out


def indicator_unit(indicator: str, lang: str) -> str:
    from simlib.results import INDICATOR_UNITS

    unit = INDICATOR_UNITS.get(indicator, "")
    key = {
        "percent": "unit.pct",
        "percentage points": "unit.pts",
        "households": "unit.households",
        "billion VND": "unit.billion_vnd",
        "million VND per household": "unit.million_vnd_per_household",
    }.get(unit)
    return i18n.t(key, lang) if key else unit


def budget_frame(scenario, programme: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Money and reach per budget line and year: planned amounts by source (billion VND), money
    spent after disbursement, beneficiaries reached and eligible (mean over draws), and the cost
    per beneficiary reached (million VND)."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    cat = scenario.catalogue
    bud = D.budget_by_line(scenario)
    planned = bud.pivot_table(index=["line", "year"], columns="source", values="vnd", aggfunc="sum", fill_value=0.0)
    reach = D.reach_by_line(programme).set_index(["line", "year"])
    rows = []
    for line in cat.codes:
        ln = cat.lines[line]
        for year in scenario.years:
            r = {
                t("table.code"): line,
                t("table.line"): ln.name(lang),
                t("table.year"): int(year),
            }
            total = 0.0
            for src in scenario.budget.sources:
                v = (
                    float(planned.loc[(line, year), src]) / 1e9
                    if (line, year) in planned.index and src in planned.columns
                    else 0.0
                )
                r[i18n.t(f"source.{src}", lang) + f" ({t('unit.billion_vnd')})"] = round(v, 6)
                total += v
            r[t("table.planned_total")] = round(total, 6)
            rr = reach.loc[(line, year)] if (line, year) in reach.index else None
            spent = float(rr["spend_vnd"]) / 1e9 if rr is not None else 0.0
            reached = float(rr["reached"]) if rr is not None else 0.0
            r[t("table.spent")] = round(spent, 6)
            r[t("table.reached")] = round(reached, 2)
            r[t("table.eligible")] = round(float(rr["eligible"]), 2) if rr is not None else 0.0
            r[t("table.beneficiary_unit")] = ln.unit(lang)
            r[t("table.cost_per_beneficiary")] = round(spent * 1e3 / reached, 4) if reached > 0 else float("nan")
            rows.append(r)
    return pd.DataFrame(rows)


def _sheet_name(name: str, used: set) -> str:
    base = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "sheet"
    s, i = base, 1
    while s in used:
        i += 1
        s = f"{base[:28]}_{i}"
    used.add(s)
    return s


def write_xlsx(frames: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """All tables as sheets of one workbook (header row bold and frozen, columns sized)."""
    from openpyxl.styles import Font

    path = Path(path)
    used: set = set()
    with atomic_file(path, "wb") as fh:
        with pd.ExcelWriter(fh, engine="openpyxl") as xw:
            for name, df in frames.items():
                sheet = _sheet_name(name, used)
                df.to_excel(xw, sheet_name=sheet, index=False)
                ws = xw.sheets[sheet]
                ws.freeze_panes = "A2"
                for cell in ws[1]:
                    cell.font = Font(bold=True)
                for ci, col in enumerate(df.columns, start=1):
                    sample = [str(col)] + [str(v) for v in df[col].head(200).tolist()]
                    width = min(60, max(8, max(len(s) for s in sample) + 2))
                    ws.column_dimensions[ws.cell(row=1, column=ci).column_letter].width = width
    return path


def export_tables(
    frames: Mapping[str, pd.DataFrame], folder: str | Path, xlsx_name: str = "tables.xlsx", people: tuple[str, ...] = ()
) -> list[str]:
    """Write each table as `<name>.csv` and all of them into `xlsx_name` in `folder`; tables
    named in `people` (translated headers) get a BOM so Excel shows Vietnamese correctly.
    Returns the file names written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in frames.items():
        with atomic_file(
            folder / f"{name}.csv", "w", encoding=CSV_ENCODING if name in people else "utf-8", newline=""
        ) as fh:
            df.to_csv(fh, index=False)
        written.append(f"{name}.csv")
    write_xlsx(frames, folder / xlsx_name)
    written.append(xlsx_name)
    return written


def write_json(obj, path: str | Path) -> None:
    with atomic_file(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=2, default=str)


def probability_frame(probabilities: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The probability of meeting each target (`simlib.uncertainty.summaries.target_probabilities`)
    as a table for people: target, area, year, probability in every area the target covers,
    probability in the area it names, median and 90 % interval of its value there, unit,
    samples. Probabilities as shares (0–1)."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    p = probabilities
    return pd.DataFrame(
        {
            t("table.target"): p[i18n.column("label", lang)].to_numpy(),
            t("table.area"): [geo_name(gt, g, lang) for gt, g in zip(p["geo_type"], p["geo"])],
            t("table.year"): p["year"].astype(int).to_numpy(),
            t("table.probability_met"): p["probability_met"].round(4).to_numpy(),
            t("table.probability_area"): p["probability_area"].round(4).to_numpy(),
            t("table.median"): p["value_q50"].round(4).to_numpy(),
            t("table.q05"): p["value_q05"].round(4).to_numpy(),
            t("table.q95"): p["value_q95"].round(4).to_numpy(),
            t("table.comparison"): p["comparison"].to_numpy(),
            t("table.threshold"): p["threshold"].to_numpy(),
            t("table.unit"): [indicator_unit(i, lang) for i in p["indicator"]],
            t("table.samples"): p["samples"].astype(int).to_numpy(),
        }
    )


def export_run(
    result,
    folder: str | Path,
    lang: str,
    report_info: Mapping | None = None,
    people_frames: Mapping[str, pd.DataFrame] | None = None,
    manifest_extra: Mapping | None = None,
    other_outputs: tuple[str, ...] = (),
) -> list[str]:
    """Everything a scenario report exports: the run's tidy tables (as `simlib run` writes
    them), the scorecard and budget tables for people (and `people_frames`, e.g. the
    probabilities of meeting targets), one workbook with all of them, and `manifest.json` (the
    run's manifest plus what rendered the report and `manifest_extra`; `other_outputs` are
    files the caller wrote into the folder)."""
    scen = result.scenario
    names = dict(zip(scen.dataset.units["unit_id"], scen.dataset.units[i18n.column("name", lang)]))
    frames = {n: getattr(result, n) for n in RUN_TABLES}
    frames["scorecard"] = scorecard_frame(result.targets, lang, names)
    frames["budget"] = budget_frame(scen, result.programme, lang)
    frames.update(people_frames or {})
    people = ("scorecard", "budget") + tuple(people_frames or ())
    written = export_tables(frames, folder, people=people) + list(other_outputs)
    manifest = dict(result.manifest, outputs=written + ["manifest.json"])
    if report_info:
        manifest["report"] = dict(report_info)
    manifest.update(manifest_extra or {})
    write_json(manifest, Path(folder) / "manifest.json")
    return written + ["manifest.json"]
