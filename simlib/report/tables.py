"""Every table of a scenario report for people, and the files a report exports.

`report_tables(ctx)` lists the report's tables (`simlib.report.table.ReportTable`: translated
headers with units, row labels first, a format per column) — the same builders the page's
sections render, so the page, the workbook and the CSV files hold the same rows and numbers.

`export_run` writes into a report folder:

- the run's machine-readable tables as `simlib run` writes them (`states.csv`, `flows.csv`,
  `indicators.csv`, `targets.csv`, `programme.csv`, and the multidimensional model's; targets.csv
  without the commune rows of a target worded for poor districts, `verdict.without_unit_rows`), and
  `verdicts.csv` (the verdict on every target, area and year, with codes; `simlib.report.verdict`);
- with parameter draws, their tables (`uncertainty_*.csv`, and the per-sample array
  `uncertainty_draws.npy` + `uncertainty_cells.csv` when kept);
- every report table as `table_<key>.csv` for Excel in the report's language and all of them in
  `tables.xlsx`, after an information sheet (run, inputs, assumptions);
- `manifest.json`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.atomic import atomic_file
from simlib.report import assumptions, data, dated_rows, deprivation, money, scorecard, table, trends, verdict
from simlib.report.levels import Levels, district_worded_years
from simlib.report.table import ReportTable
from simlib.results import INDICATOR_UNITS

#: the run's own tidy tables, as `simlib run` writes them
RUN_TABLES = ("states", "flows", "indicators", "targets", "programme")
#: written when the run has them (multidimensional model; review-category flows; absorption;
#: re-mapping and reclassification apart from real movement, `simlib.period_changes`)
OPTIONAL_RUN_TABLES = ("deprivations", "deprivation_removals", "review_flows", "absorption", "period_changes")
#: indicators whose spread over the parameter draws the uncertainty table shows
KEY_INDICATORS = (
    "poor_rate",
    "near_poor_rate",
    "poor_near_poor_rate",
    "poor",
    "poor_fewer_than_without_programme",
    "cost_per_household_lifted",
)


def run_table(result, name: str):
    """A table of a run (`RunResult` or its `tables`) by name, or None."""
    for holder in (result, getattr(result, "tables", None)):
        v = getattr(holder, name, None) if holder is not None else None
        if isinstance(v, pd.DataFrame):
            return v
    return None


def budget_table(ctx) -> ReportTable:
    """Money and reach per budget line and year: planned amounts by source (billion VND), money
    spent after disbursement, beneficiaries reached and eligible (mean over draws), and the cost
    per beneficiary reached (million VND). A dated scenario's years under the 2026–2035 programme
    are rows of its contents (`simlib.report.dated_rows`)."""
    scen, lang = ctx.scenario, ctx.lang
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    cat = scen.catalogue
    bud = data.budget_by_line(scen)
    planned = bud.pivot_table(index=["line", "year"], columns="source", values="vnd", aggfunc="sum", fill_value=0.0)
    reach = data.reach_by_line(ctx.tables.programme).set_index(["line", "year"])
    src_cols = {src: f"{t(f'source.{src}')} ({t('unit.billion_vnd')})" for src in scen.budget.sources}
    totals = bud.groupby(["line", "year"])["vnd"].sum().to_dict()
    dated = dated_rows.dated_rows(scen, lang, totals, reach, lambda c: (f"{c} {cat.lines[c].name(lang)}",) * 2)
    if dated:
        specs = [
            (r.label, y, tuple(c for c in r.cells if c[1] == y), r.unit_item, r.lagged) for r in dated for y in r.years
        ]
    else:
        specs = [(f"{c} {cat.lines[c].name(lang)}", int(y), ((c, y),), c, False) for c in cat.codes for y in scen.years]
    line_col = t("table.line_or_content") if dated else t("table.line")
    rows = [budget_row(ctx, spec, planned, reach, src_cols, line_col) for spec in specs]
    frame = pd.DataFrame(rows)
    formats = {c: "num1" for c in src_cols.values()}
    formats.update({t("table.year"): "year", t("table.planned_total"): "num1", t("table.spent"): "num1"})
    formats.update({t("table.reached"): "int", t("table.eligible"): "int", t("table.cost_per_beneficiary"): "num1"})
    note = dated_rows.dated_note(scen, lang)
    return ReportTable("budget", t("report.table.budget"), frame, formats, note)


def budget_row(ctx, spec, planned, reach, src_cols, line_col) -> dict:
    """One row of `budget_table`: `spec` is (label, year, (item, year) cells, item of the unit,
    lagged: beneficiaries of earlier money only, no cost per beneficiary)."""
    t = ctx.t
    label, year, cells, unit_item, lagged = spec
    r = {line_col: label, t("table.year"): int(year)}
    total = 0.0
    for src, col in src_cols.items():
        v = sum(
            (float(planned.loc[cell, src]) / 1e9 if cell in planned.index and src in planned.columns else 0.0)
            for cell in cells
        )
        r[col], total = v, total + v
    found = [reach.loc[cell] for cell in cells if cell in reach.index]
    spent = sum((float(rr["spend_vnd"]) / 1e9 for rr in found), 0.0)
    reached = sum((float(rr["reached"]) for rr in found), 0.0)
    r[t("table.planned_total")] = total
    r[t("table.spent")] = spent
    r[t("table.reached")] = reached
    r[t("table.eligible")] = sum((float(rr["eligible"]) for rr in found), 0.0)
    r[t("table.beneficiary_unit")] = ctx.scenario.catalogue.lines[unit_item].unit(ctx.lang)
    r[t("table.cost_per_beneficiary")] = spent * 1e3 / reached if reached > 0 and not lagged else np.nan
    return r


def deprivation_tables(ctx) -> list[ReportTable]:
    """The deprivation section's tables (multidimensional model), each with its row labels."""
    if run_table(ctx.result, "deprivations") is None:
        return []
    sec = deprivation.deprivation_section(ctx.result, lang=ctx.lang, unit_names=ctx.unit_names)
    titles = {
        "dimensions": "report.table.dep_dimensions",
        "indicators": "report.table.dep_indicators",
        "districts": "report.table.dep_districts",
        "lines": "report.table.dep_lines",
        "fgt": "report.table.dep_fgt",
    }
    out = []
    for key, df in sec.tables.items():
        frame = df.reset_index() if (df.index.name or key in ("districts", "lines", "fgt")) else df
        if key == "fgt":
            frame = frame.rename(columns={frame.columns[0]: ctx.t("table.year")})
        lv = Levels.of(ctx)  # the unit table: the units the run used last (a switched run's new units)
        title = lv.t_last(titles[key], ctx.lang) if key == "districts" else lv.t(titles[key], ctx.lang)
        note = sec.notes.get(key, "")
        out.append(ReportTable(f"deprivation_{key}", title, frame, _dep_formats(key, frame, ctx), note=note))
    return out


def _dep_formats(key: str, frame: pd.DataFrame, ctx) -> dict:
    """Formats of a deprivation table: shares and changes with one decimal, households whole,
    income lines in whole VND."""
    cols = list(frame.columns)
    if key == "fgt":
        out = {cols[0]: "year"}
        for c in cols[1:]:
            out[c] = "int" if c.startswith(ctx.t("indicator.income_line_rural")[:8]) else "num1"
        return out
    households = {ctx.t("dep.col.households_fewer"), ctx.t("dep.col.removed")}
    return {
        c: ("int" if (c in households or key == "lines") and "%" not in c else "num1")
        for c in cols[1:]
        if frame[c].dtype.kind in "fi"
    }


def uncertainty_tables(ctx) -> list[ReportTable]:
    """With parameter draws: the median and 90 % interval of the key indicators by year."""
    u = ctx.tables.uncertainty
    if not u or "quantiles" not in u:
        return []
    t = lambda k, **kw: i18n.t(k, ctx.lang, **kw)  # noqa: E731
    q = u["quantiles"]
    q = q[q["indicator"].isin(KEY_INDICATORS) & (q["geo"] == "province")]
    if q.empty:
        return []
    frame = pd.DataFrame(
        {
            t("table.indicator"): [i18n.label("indicator", i, ctx.lang) for i in q["indicator"]],
            t("table.year"): q["year"].astype(int).to_numpy(),
            t("table.median"): q["q50"].to_numpy(),
            t("table.q05"): q["q05"].to_numpy(),
            t("table.q95"): q["q95"].to_numpy(),
            t("table.unit"): [unit_text(i, ctx.lang) for i in q["indicator"]],
            t("table.samples"): q["samples"].astype(int).to_numpy(),
        }
    )
    formats = {t("table.year"): "year", t("table.median"): "num2", t("table.q05"): "num2", t("table.q95"): "num2"}
    formats[t("table.samples")] = "int"
    # expected households shown whole beside rates with two decimals (the CSV keeps its decimals)
    whole = ["int" if INDICATOR_UNITS.get(i) == "households" else None for i in q["indicator"]]
    return [ReportTable("uncertainty", t("report.table.uncertainty"), frame, formats, row_formats=whole)]


def unit_text(indicator: str, lang: str) -> str:
    """The unit of an indicator in the reader's language (%, điểm %, hộ, tỷ đồng…)."""
    key = {
        "percent": "unit.pct",
        "percentage points": "unit.pts",
        "households": "unit.households",
        "billion VND": "unit.billion_vnd",
        "million VND per household": "unit.million_vnd_per_household",
    }.get(INDICATOR_UNITS.get(indicator, ""))
    return i18n.t(key, lang) if key else ""


def report_tables(ctx) -> list[ReportTable]:
    """Every table of the scenario report, in the report's order."""
    out = [
        scorecard.scorecard_table(ctx.verdicts, ctx.lang, ctx.area_names, Levels.of(ctx)),
        trends.district_table(ctx),
    ]
    out += [x for x in (trends.switched_unit_table(ctx),) if x is not None]  # the units switched to
    out += uncertainty_tables(ctx)
    out += deprivation_tables(ctx)
    out += [money.flows_table(ctx)]
    out += [x for x in (money.review_flows_table(ctx),) if x is not None]
    out += [money.money_table(ctx), budget_table(ctx)]
    out += [x for x in (money.unallocated_table(ctx),) if x is not None]
    out += [money.coverage_table(ctx), assumptions.parameters_table(ctx)]
    out += [x for x in (assumptions.evidence_table(ctx),) if x is not None]
    return out


def info_rows(ctx) -> list[tuple[str, str]]:
    """The workbook's information sheet: what the tables are, the run, the main assumptions."""
    t = ctx.t
    rows = [(t("xlsx.title"), t("report.title", title=ctx.scenario.title(ctx.lang)))]
    rows += assumptions.manifest_rows(ctx.result.manifest, ctx.lang)
    rows += [
        (t("xlsx.caveats"), " ".join(assumptions.caveats(ctx))),
        (t("xlsx.disbursement"), assumptions.disbursement_text(ctx)),
    ]
    if ctx.uncertainty is not None:
        info = ctx.uncertainty.info
        rows.append(
            (
                t("xlsx.draws"),
                t(
                    "xlsx.draws_text",
                    n=info["draws"],
                    sampler=i18n.label("unc.sampler", info["sampler"], ctx.lang),
                    seed=info["seed"],
                ),
            )
        )
    rows.append((t("xlsx.formats"), t("xlsx.formats_text")))
    return rows


def write_json(obj, path: str | Path) -> None:
    with atomic_file(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=2, default=str)


def export_run(ctx, folder: str | Path, report_info: Mapping | None = None) -> list[str]:
    """Everything a scenario report exports (see the module docstring); returns the file names."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    worded = district_worded_years(ctx.result.manifest)
    for name in RUN_TABLES + OPTIONAL_RUN_TABLES:
        df = run_table(ctx.result, name)
        if name == "targets":  # the rows the verdicts judge: no commune as a poor district
            df = verdict.without_unit_rows(df, worded)
        if df is not None:
            df.to_csv(folder / f"{name}.csv", index=False)
            written.append(f"{name}.csv")
    ctx.verdicts.to_csv(folder / "verdicts.csv", index=False)
    written.append("verdicts.csv")
    extra = {}
    if ctx.uncertainty is not None:
        written += ctx.uncertainty.write(folder)
        for f in ("uncertainty_target_values.npy", "uncertainty_target_met.npy"):
            (folder / f).unlink(missing_ok=True)
        extra["uncertainty"] = ctx.uncertainty.info
    if getattr(ctx, "intervals", None) is not None:  # programme_intervals.csv, as `simlib run` writes it
        written.append(ctx.intervals.write(folder))
        extra["programme_intervals"] = ctx.intervals.info
    written += table.export(report_tables(ctx), folder, ctx.lang, info=info_rows(ctx))
    manifest = dict(ctx.result.manifest, outputs=written + ["manifest.json"], **extra)
    if report_info:
        manifest["report"] = dict(report_info)
    write_json(manifest, folder / "manifest.json")
    return written + ["manifest.json"]
