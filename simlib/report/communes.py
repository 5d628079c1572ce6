"""Report views for many units (the 56 commune-level units from 1 July 2025) and for a run that
crosses the 2025–2027 changes of rules.

With more than `MANY_UNITS` units, small multiples and a full table stop being readable; the
trajectories section then shows instead (`unit_views`):

- a **ranked dot plot**: every unit on one line, sorted by its poor rate at the horizon, the first
  review (hollow) joined to the horizon (filled); ★ marks poor units;
- a **proportional-symbol map** from the units' coordinates (`lat`, `lon` of units.csv; none is
  drawn without them): a circle per unit, its area proportional to the poor households at the
  horizon, poor units filled — no tiles, nothing downloaded, printable in black and white;
- **tables that aggregate and cut**: the units grouped by the 2024 districts they came from, and
  the units with the highest and lowest rates (`PAGE_ROWS` each); the full table is in the report's
  workbook (`table_district_rates`).

`changes_views` shows `period_changes.csv` (simlib.period_changes) at province level: previous
review, re-mapping, reclassification, real movement, this review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simlib import i18n
from simlib.geography import load_geography
from simlib.i18n import fmt
from simlib.report import charts, data, html
from simlib.report.period_notes import period_notes, period_source
from simlib.report.real_change import unit_change
from simlib.report.table import ReportTable, round_to_total, to_html
from simlib.unit_switch import unit_switch

#: more units than this: ranked dots, a map and cut tables instead of small multiples
MANY_UNITS = 12
#: rows shown in the page at each end of the ranked table
PAGE_ROWS = 10
#: more units than this: the ranked dots in two panels side by side; inches a unit's line takes
#: (56 communes in one column of 0.16 in took a printed page, at 4,7-point names; print65)
DOT_ROWS, DOT_ROW = 30, 0.17
#: the measures of the changes table, in order
CHANGE_MEASURES = ("poor", "near_poor")
CHANGE_COLUMNS = ("previous", "remapping", "reclassification", "movement", "current")


def many_units(ctx) -> bool:
    return len(ctx.unit_names) > MANY_UNITS


def unit_frame(ctx) -> pd.DataFrame:
    """One row per unit: name, poor flag, poor rate at the first and last review, poor households
    at the last, coordinates and the 2024 districts (where the dataset has them)."""
    ind, units = ctx.tables.indicators, ctx.scenario.dataset.units.set_index("unit_id")
    ys = data.years(ind)
    rows = []
    for u, name in ctx.unit_names.items():
        rate = data.series(ind, "poor_rate", u, "district").set_index("year")["mean"]
        poor = data.series(ind, "poor", u, "district").set_index("year")["mean"]
        rows.append(
            {"unit": u, "name": name, "first": rate.get(ys[0]), "last": rate.get(ys[-1]), "poor": poor.get(ys[-1])}
        )
    out = pd.DataFrame(rows).set_index("unit")
    out["is_poor"] = units["poor_district"].reindex(out.index).fillna(False).astype(bool)
    for col in ("lat", "lon"):
        if col in units.columns:
            out[col] = pd.to_numeric(units[col].reindex(out.index), errors="coerce")
    if "districts_2024" in units.columns:
        out["districts_2024"] = units["districts_2024"].reindex(out.index)
    reading = unit_change(ctx, out.index, ys[0], ys[-1])  # real change only when known
    out["change"] = [reading.per_year(u, a, b, len(ys)) for u, a, b in zip(out.index, out["first"], out["last"])]
    return out.sort_values("last", ascending=False)


def ranked_dots(ctx, frame: pd.DataFrame) -> html.Chart:
    """Every unit on its own line, sorted by the poor rate at the horizon; more than `DOT_ROWS`
    units in two panels side by side on one scale (the first half of the ranking on the left)."""
    L, ys = ctx.lang, data.years(ctx.tables.indicators)
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    n = len(frame)
    halves = [frame.iloc[: -(-n // 2)], frame.iloc[-(-n // 2) :]] if n > DOT_ROWS else [frame]
    rows = max(len(h) for h in halves)
    fig = Figure(figsize=(charts.WIDTH, DOT_ROW * rows + 1.2), layout="constrained")
    with matplotlib.rc_context(charts.RC):
        axes = fig.subplots(1, len(halves), sharex=True, squeeze=False)[0]
        for ax, part in zip(axes, halves):
            _dot_panel(ax, part, rows, ys, L)
            ax.set_xlabel(t("axis.poor_rate"))
        axes[-1].legend(loc="lower right", fontsize=8)
    return html.Chart(fig, t("report.fig.units_ranked", first=ys[0], last=ys[-1]))


def _dot_panel(ax, part: pd.DataFrame, rows: int, ys, lang: str) -> None:
    """One panel of `ranked_dots`: its units top down, room for `rows` of them."""
    y = np.arange(len(part))[::-1] + (rows - len(part))
    ax.hlines(y, part["first"], part["last"], color="0.6", lw=0.8)
    ax.plot(part["first"], y, "o", mfc="white", mec="black", ms=4, label=str(ys[0]))
    ax.plot(part["last"], y, "o", color="black", ms=4, label=str(ys[-1]))
    labels = [name + (" ★" if p else "") for name, p in zip(part["name"], part["is_poor"], strict=True)]
    ax.set_yticks(y, labels, fontsize=7.5)
    ax.set_ylim(-0.8, rows - 0.2)
    ax.xaxis.set_major_formatter(fmt.axis_formatter(lang))
    ax.grid(axis="x", alpha=1.0)


def symbol_map(ctx, frame: pd.DataFrame) -> html.Chart | None:
    """Circles at the units' coordinates, area ∝ poor households at the horizon (None without
    coordinates)."""
    if not {"lat", "lon"} <= set(frame.columns) or frame[["lat", "lon"]].isna().any().any():
        return None
    L, last = ctx.lang, data.years(ctx.tables.indicators)[-1]
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    lat, lon, poor = frame["lat"], frame["lon"], frame["poor"].clip(lower=0)
    scale = 600.0 / max(float(poor.max()), 1.0)  # points² per household: the largest circle 600 pt²
    fig = Figure(figsize=(charts.WIDTH, 6.0), layout="constrained")
    with matplotlib.rc_context(charts.RC):
        ax = fig.subplots()
        fill = np.where(frame["is_poor"], "0.35", "white")
        ax.scatter(lon, lat, s=poor * scale, c=fill, edgecolors="black", linewidths=0.6, alpha=0.85)
        for _, row in frame.nlargest(6, "poor").iterrows():
            ax.annotate(row["name"], (row["lon"], row["lat"]), fontsize=7, xytext=(4, 4), textcoords="offset points")
        ax.set_aspect(1 / np.cos(np.deg2rad(lat.mean())))
        ax.set_xlabel(t("axis.longitude"))
        ax.set_ylabel(t("axis.latitude"))
        for axis in (ax.xaxis, ax.yaxis):  # degrees in the report's decimals, all with one (105,4; 106,0)
            axis.set_major_formatter(fmt.axis_formatter(L, 1))
        refs = reference_sizes(float(poor.max()))
        for ref in refs:
            ax.scatter([], [], s=ref * scale, c="white", edgecolors="black", label=fmt.number(ref, L, 0))
        # each legend row as tall and its handle as wide as the largest circle (its diameter in
        # font sizes, 7 pt): the circles of 500 and 1.000 households overlapped each other, their
        # numbers and the legend's frame
        room = np.sqrt(max(refs) * scale) / 7 + 0.3
        ax.legend(
            title=t("report.map.legend"),
            loc="lower left",
            fontsize=7,
            title_fontsize=7,
            handleheight=room,
            handlelength=room,
            labelspacing=0.4,
        )
    return html.Chart(fig, t("report.fig.units_map", year=last))


def reference_sizes(largest: float) -> list[float]:
    """Three round numbers of households for the map's legend (about ¼, ½ and all of the largest)."""
    if largest <= 0:
        return [1.0]
    step = 10 ** np.floor(np.log10(largest / 4))
    return sorted({max(step, round(largest * f / step) * step) for f in (0.25, 0.5, 1.0)})


#: a tone mark on the first vowel of an open syllable «oa», «oe», «uy» (the register's «Hoà An»,
#: «Thuỷ»), and where the rest of the report writes it («Hòa An», «Thủy»)
_OLD_TONE = re.compile(
    r"([oO])([àáảãạ])(?![a-zà-ỹđ])|([oO])([èéẻẽẹ])(?![a-zà-ỹđ])|(?<![qQ])([uU])([ỳýỷỹỵ])(?![a-zà-ỹđ])"
)
_MOVE_TONE = {
    **dict(zip("àáảãạ", "òóỏõọ", strict=True)),
    **dict(zip("èéẻẽẹ", "òóỏõọ", strict=True)),
    **dict(zip("ỳýỷỹỵ", "ùúủũụ", strict=True)),
}
_PLAIN = {**dict.fromkeys("àáảãạ", "a"), **dict.fromkeys("èéẻẽẹ", "e"), **dict.fromkeys("ỳýỷỹỵ", "y")}


def modern_tone(name: str) -> str:
    """A name with the tone of «oa», «oe», «uy» in an open syllable on the first vowel, as the
    report writes every other name: `Huyện Hoà An` → `Huyện Hòa An`, `Xã Đàm Thuỷ` → `Xã Đàm
    Thủy`; `Hoàng`, `Quảng Hòa`, `Vinh Quý` (the «u» of «qu» is no vowel) unchanged."""

    def move(m: re.Match) -> str:
        first, marked = next((m.group(i), m.group(i + 1)) for i in (1, 3, 5) if m.group(i))
        lower = _MOVE_TONE[marked]
        return (lower.upper() if first.isupper() else lower) + _PLAIN[marked]

    return _OLD_TONE.sub(move, name)


def group_table(ctx, frame: pd.DataFrame) -> ReportTable | None:
    """Units grouped by the 2024 districts they came from: units, poor households and range of
    poor rates at the horizon (each header names its year: read64)."""
    if "districts_2024" not in frame.columns:
        return None
    L, last = ctx.lang, data.years(ctx.tables.indicators)[-1]  # the year of `unit_frame`'s "last"
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    poor, low, high = (t(k, year=last) for k in ("table.poor_households", "table.rate_low", "table.rate_high"))
    districts = load_geography().period("districts_2020").units.set_index("unit_id")
    names = {k: modern_tone(v) for k, v in districts[i18n.column("name", L)].items()}
    g = frame.groupby("districts_2024")
    out = pd.DataFrame(
        {
            t("table.former_districts"): [" + ".join(names.get(d, d) for d in key.split(";")) for key in g.groups],
            t("table.units"): g.size().to_numpy(),
            poor: g["poor"].sum().to_numpy(),
            low: g["last"].min().to_numpy(),
            high: g["last"].max().to_numpy(),
        }
    )
    formats = {t("table.units"): "int", poor: "int", low: "pct1", high: "pct1"}
    return ReportTable("unit_groups", t("report.table.unit_groups"), out, formats)


def ends_table(ctx, frame: pd.DataFrame) -> ReportTable:
    """The `PAGE_ROWS` units with the highest and the lowest poor rate at the horizon."""
    L, ys = ctx.lang, data.years(ctx.tables.indicators)
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    cut = frame if len(frame) <= 2 * PAGE_ROWS else pd.concat([frame.head(PAGE_ROWS), frame.tail(PAGE_ROWS)])
    reading = unit_change(ctx, frame.index, ys[0], ys[-1])
    change = reading.header(L)
    poor = t("table.poor_households", year=ys[-1])  # the header names its year (read64)
    out = pd.DataFrame(
        {
            t("table.unit"): [n + (" ★" if p else "") for n, p in zip(cut["name"], cut["is_poor"], strict=True)],
            str(ys[0]): cut["first"].to_numpy(),
            str(ys[-1]): cut["last"].to_numpy(),
            change: cut["change"].to_numpy(),
            poor: cut["poor"].to_numpy(),
        }
    )
    formats = {str(ys[0]): "pct1", str(ys[-1]): "pct1", change: "pts2", poor: "int"}
    title = t("report.table.unit_ends", n=PAGE_ROWS, total=len(frame))
    return ReportTable("unit_ends", title, out, formats, reading.note(L))


def unit_views(ctx) -> list:
    """The trajectories section's views of every unit when there are many (see the module docstring)."""
    frame = unit_frame(ctx)
    blocks = [ranked_dots(ctx, frame)]
    chart = symbol_map(ctx, frame)
    if chart is not None:
        blocks.append(chart)
    tables = [group_table(ctx, frame), ends_table(ctx, frame)]
    blocks += [to_html(tb, ctx.lang) for tb in tables if tb is not None]
    if (ctx.scenario.dataset.meta.get("geography") or {}).get("estimated"):
        blocks.append(html.para(ctx.t("report.units_estimated"), "sl-small"))
    blocks.append(html.para(ctx.t("report.units_full_table"), "sl-small"))
    return blocks


@dataclass
class AfterSwitch:
    """A report context seen on the units a run's engine switched to (`simlib.unit_switch`), for
    the years from the switch: the scenario on the new units (its dataset: names, poor flags,
    coordinates, the 2024 districts), their names, the indicators of those years; everything
    else is the run's context (`ctx`)."""

    ctx: object
    year: int
    scenario: object
    unit_names: dict
    tables: object

    def __getattr__(self, name: str):
        return getattr(self.ctx, name)


def after_switch(ctx) -> AfterSwitch | None:
    """The context of the units a run switched to (None for a run that did not switch)."""
    if not (ctx.result.manifest.get("engine_units") or {}).get("switch"):
        return None
    sw = unit_switch(ctx.scenario)
    if sw is None:
        return None
    units = sw.scenario.dataset.units
    names = dict(zip(units["unit_id"], units[i18n.column("name", ctx.lang)], strict=True))
    ind = ctx.tables.indicators
    tables = SimpleNamespace(indicators=ind[ind["year"] >= sw.year], manifest=ctx.result.manifest)
    return AfterSwitch(ctx, sw.year, sw.scenario, names, tables)


def switched_unit_views(ctx) -> list:
    """A run whose engine switched units: a sentence and the views of every new unit over the
    years from the switch (`unit_views`), after the views of its first units (which end the
    year before); nothing for other runs."""
    after = after_switch(ctx)
    if after is None:
        return []
    ys = data.years(after.tables.indicators)
    text = ctx.t(
        "report.units_after_switch",
        year=after.year,
        units=len(after.unit_names),
        last=after.year - 1,
        first=ys[0],
        end=ys[-1],
    )
    return [html.para(text)] + unit_views(after)


def changes_table(ctx) -> ReportTable | None:
    """Province rows of `period_changes`: each year and measure, previous review → this review."""
    changes = getattr(ctx.result, "period_changes", None)
    if changes is None or changes.empty:
        return None
    L = ctx.lang
    t = lambda k, **kw: i18n.t(k, L, **kw)  # noqa: E731
    prov = changes[(changes["geo_type"] == "province") & changes["measure"].isin(CHANGE_MEASURES)]
    prov = prov.groupby(["year", "measure"], sort=False)[list(CHANGE_COLUMNS)].mean().reset_index()
    out = pd.DataFrame(
        {
            t("table.year_measure"): [
                f"{y} — {t(f'table.measure.{m}')}" for y, m in zip(prov["year"], prov["measure"], strict=True)
            ]
        }
    )
    whole = whole_change_rows(prov[list(CHANGE_COLUMNS)].to_numpy(float))
    for i, col in enumerate(CHANGE_COLUMNS):
        out[t(f"table.change.{col}")] = whole[:, i]
    formats = {t(f"table.change.{c}"): "int" for c in CHANGE_COLUMNS}
    note = t("report.changes.note") + " " + t("report.changes.rounding")
    return ReportTable("period_changes", t("report.table.period_changes"), out, formats, note=note)


def whole_change_rows(rows: np.ndarray) -> np.ndarray:
    """Rows (previous, remapping, reclassification, movement, current) of expected households in
    whole households keeping the table's identities: the two reviews rounded half up (so one
    review's count reads the same as the next year's previous review), and the three changes
    rounded by largest remainder to add up to their difference — each within one household of
    its own value."""
    rows = np.asarray(rows, float)
    out = np.empty_like(rows)
    out[:, 0], out[:, -1] = np.floor(rows[:, 0] + 0.5), np.floor(rows[:, -1] + 0.5)
    for i, r in enumerate(rows):
        out[i, 1:-1] = round_to_total(r[1:-1], 0, total=out[i, -1] - out[i, 0])
    return out


def standard_change_notes(ctx) -> list[str]:
    """One sentence per review whose poor count holds a reclassification (a change of standard):
    its change of the province poor rate split into reclassification and the rest (re-mapping
    adds nothing to the province), in points — for reading that year's rate-change targets,
    which compare reviews under two standards."""
    changes = getattr(ctx.result, "period_changes", None)
    if changes is None or changes.empty:
        return []
    prov = changes[changes["geo_type"] == "province"].groupby(["year", "measure"])[list(CHANGE_COLUMNS)].mean()
    notes = []
    for year in sorted({y for y, _ in prov.index}):
        poor, hh = prov.loc[(year, "poor")], prov.loc[(year, "households")]
        if abs(poor["reclassification"]) < 0.5:
            continue
        total = 100 * (poor["current"] / hh["current"] - poor["previous"] / hh["previous"])
        recl = 100 * poor["reclassification"] / hh["current"]
        L = ctx.lang
        notes.append(
            ctx.t(
                "report.changes.standard_crossed",
                year=year,
                households=fmt.households(abs(poor["reclassification"]), L),
                total=fmt.points(total, L),
                reclassification=fmt.points(recl, L),
                movement=fmt.points(total - recl, L),
            )
        )
    return notes


def period_name(code: str, lang: str) -> str:
    """A programme, standard, unit set, target set or way of giving money by its name (the code
    itself when the catalogue has no name for it)."""
    return i18n.label("report.periods.id", str(code), lang, default=str(code))


def aside(text: str, note: str) -> str:
    """`text` with `note` beside it: in brackets, or after a dash when `text` already ends with its
    own (a programme «…, giai đoạn I (2026–2030) — vốn theo nội dung», not «… (2026–2030) (vốn
    theo nội dung)»)."""
    return f"{text} — {note}" if text.endswith(")") else f"{text} ({note})"


def programmes_text(ctx) -> str:
    """The programme (catalogue) the projected years ran under, from the run's period record: its
    name, or each name with its years when the run crosses programmes (plan_2027: the 2021–2025
    programme in 2024–2025, the merged 2026–2035 one from 2026: «…, năm 2024–2025; …»)."""
    record = (ctx.result.manifest.get("periods") or {}).get("years", [])
    spans: list[list] = []
    for row in record:
        cid = (row.get("catalogue") or {}).get("id")
        if cid is None:
            continue
        if spans and spans[-1][0] == cid:
            spans[-1][2] = row["year"]
        else:
            spans.append([cid, row["year"], row["year"]])
    if not spans:
        return period_name("ntp_spr_2021_2025", ctx.lang)
    names = [period_name(cid, ctx.lang) for cid, _a, _b in spans]
    if len(spans) == 1:
        return names[0]
    # «…, giai đoạn I (2026–2030), năm 2026–2027», not a second bracket after the name's own
    return "; ".join(
        i18n.t("report.programme_years", ctx.lang, name=n, years=f"{a}–{b}" if a != b else str(a))
        for n, (_c, a, b) in zip(names, spans)
    )


def periods_table(ctx) -> ReportTable | None:
    """The rules of each year from the manifest's `periods` (simlib.period_record): programme
    catalogue, poverty standard (and whether the model applied it), units in force and units of
    the counts, targets — with their sources in the note."""
    record = ctx.result.manifest.get("periods") or {}
    if not record.get("dated"):
        return None
    t = ctx.t
    rows, sources = [], {}
    for r in record["years"]:
        cat, std, geo, tgt = r["catalogue"], r["standard"], r["geography"], r["targets"]
        for kind, entry in (("catalogue", cat), ("standard", std), ("geography", geo), ("targets", tgt)):
            if entry and entry.get("source"):
                code = entry.get("id") or entry.get("in_force")
                sources.setdefault(code, period_source(kind, code, entry, ctx.lang))
        applied = t("report.periods.applied") if std["applied"] else t("report.periods.recorded")
        rows.append(
            {
                t("table.year"): r["year"],
                t("table.periods.catalogue"): aside(
                    period_name(cat["id"], ctx.lang), period_name(cat["given"], ctx.lang)
                )
                if cat
                else "–",
                t("table.periods.standard"): aside(period_name(std["id"], ctx.lang), applied),
                t(
                    "table.periods.units"
                ): f"{period_name(geo['in_force'], ctx.lang)} / {period_name(geo['units_used'], ctx.lang)}",
                t("table.periods.targets"): period_name(tgt["id"], ctx.lang),
            }
        )
    note = "; ".join(f"{period_name(k, ctx.lang)}: {v}" for k, v in sources.items())
    return ReportTable("periods", t("report.table.periods"), pd.DataFrame(rows), {t("table.year"): "year"}, note=note)


def changes_views(ctx) -> list:
    """The rules of each year and the changes table with its explanation (dated runs), or nothing."""
    blocks = []
    periods = periods_table(ctx)
    if periods is not None:
        # the sources' long web addresses as links (the workbook's note keeps them written out)
        blocks.append(to_html(replace(periods, note=""), ctx.lang))
        blocks.append(f'<p class="sl-small">{html.linked(periods.note, ctx.t("report.periods.source_link"))}</p>')
        blocks += [
            html.para(n, "sl-small") for n in period_notes(ctx.result.manifest["periods"].get("notes", []), ctx.lang)
        ]
    table = changes_table(ctx)
    if table is not None:
        blocks += [html.para(ctx.t("report.changes.intro")), to_html(table, ctx.lang)]
        blocks += [html.para(n) for n in standard_change_notes(ctx)]
    return blocks


def switch_notes(ctx) -> list[str]:
    """A run whose engine switched units (`simlib.unit_switch`): the legal rules of the new units'
    frame it set aside and the breaches let through (the manifest's `legal_after_switch`)."""
    manifest = ctx.result.manifest
    after, switch = manifest.get("legal_after_switch") or {}, (manifest.get("engine_units") or {}).get("switch")
    rules = after.get("ignored_rules") or []
    if not switch or not rules:
        return []
    units = manifest["engine_units"]["by_year"][str(switch["year"])]["units"]
    head = ctx.t(
        "report.note.rules_ignored_after_switch",
        year=switch["year"],
        units=units,
        # the frame by its title and the rules by name, not their ids («caobang_communes_2026_2027»,
        # «envelope»), on a page a provincial leader reads
        frame=after.get(i18n.column("title", ctx.lang)) or after.get("frame"),
        rules=", ".join(i18n.label("legal.rule", str(r), ctx.lang, default=str(r)) for r in rules),
    )
    texts = [v.get(f"text_{ctx.lang}") for v in after.get("ignored_violations") or []]
    return [html.note(head) + html.bullet_list([t for t in texts if t])]
