"""The comparison of a batch's scenarios (used by `notebooks/compare_scenarios.ipynb`).

Only like is compared with like: runs of the same poverty model over the same years form a group
(`simlib.report.decision.groups`); each group has its own tables and charts, and a sentence says
how the groups differ. In each section the group of the plan decided now comes first, the others
after (`simlib.report.brief_parts.reading_order`, as on the index). Sections: title with the key messages (the same brief as the index), the
groups and their trade-offs, the verdict on each target in the plan's year, the allocations
compared on the same parameter draws (regret), trajectories, cost-effectiveness, money by
project, footer. Each returns blocks for `show`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

from simlib import i18n
from simlib.catalogue import catalogue_of
from simlib.i18n import fmt
from simlib.parameters import load_parameters
from simlib.paths import project_root
from simlib.report import bars, brief_parts, charts, data, decision, decision_money, decision_runs, html, verdict
from simlib.report.context import SUGGESTED_DRAWS, short_name, show, to_html  # noqa: F401 - the notebook's API
from simlib.report.data import RunTables
from simlib.report.levels import Levels, manifest_levels
from simlib.report.money_check import flagged
from simlib.report.robustness_rows import robustness_section_rows
from simlib.report.scenario_report import role as report_role
from simlib.report.scorecard import status_word, threshold_text, verdict_cell
from simlib.report.table import ReportTable, write_xlsx
from simlib.report.table import to_html as table_html
from simlib.report.table import write_csv as write_table_csv
from simlib.report.trends import rate_change_targets, target_steps
from simlib.runner import run
from simlib.scenario import load_scenario
from simlib.scenario_files import collect_scenarios
from simlib.schema import load_yaml


def label(run, lang: str, width: int = 34) -> str:
    """A scenario's title, shortened for chart labels."""
    return textwrap.shorten(run.title(lang), width, placeholder="…")


def load(
    results: Sequence[str | Path] = (),
    scenarios=(),
    engine: str = "expected",
    draws: int = 1,
    links: Sequence[str] = (),
) -> list[decision.Run]:
    """Runs to compare: the report folders in `results` (links to their reports relative to the
    batch folder: `links`, one per folder, or by default `<folder name>/report.html`); if there
    are none, the scenario files (or folders of them) in `scenarios`, run now with `engine`, each
    with its file's role as its report records it (`scenario_report.role`): a run in memory has no
    report, and without its role plan_2027 is no plan, so the pages would not lead with its group
    as they do from the batch's folders (`brief_parts.reading_order`)."""
    if results:
        given = dict(zip(map(str, results), links, strict=False)) if links else {}
        return decision_runs.folder_runs(results, lambda f: given.get(str(f)) or f"{f.name}/report.html")

    items = [scenarios] if isinstance(scenarios, (str, Path)) else list(scenarios)
    scens = [load_scenario(p) for p in collect_scenarios(items)]
    runs = [decision_runs.run_of(RunTables.from_result(run(s, engine=engine, draws=draws))) for s in scens]
    return [replace(r, role=report_role(s)) for r, s in zip(runs, scens, strict=True)]


def group_title(group: Sequence[decision.Run], lang: str) -> str:
    model, transitions, y0, y1 = group[0].key
    title = i18n.t("compare.group", lang, model=i18n.t(f"decision.model.{model}", lang), y0=y0 + 1, y1=y1)
    if transitions not in ("None", "params/transitions.yaml"):  # a calibrated or estimated transitions file
        title += i18n.t("compare.group_transitions", lang, what=transitions_name(transitions, lang))
    return title


#: how `simlib calibrate` wrote a transitions file (its `calibration.method`) -> plain words
TRANSITION_METHODS = ("series", "aggregate", "household")


def transitions_name(path: str, lang: str) -> str:
    """A transitions file in force, in plain words for a heading: how it was estimated (the
    `calibration.method` that `simlib calibrate` records in it), never its path."""
    method = "file"
    for base in (Path.cwd(), project_root()):
        f = base / path
        if f.is_file():
            try:
                cal = load_yaml(f).get("calibration") or {}
            except Exception:  # noqa: BLE001 - unreadable here: named generically
                break
            method = str(cal.get("method", "file")).split(",")[0].strip() if isinstance(cal, dict) else "file"
            break
    return i18n.t(f"compare.transitions.{method if method in TRANSITION_METHODS else 'file'}", lang)


def _section(group: Sequence[decision.Run], body: Sequence[str]) -> str:
    """A group's blocks inside a section that names the group (model and years)."""
    model, _, y0, y1 = group[0].key
    return (
        f'<section class="sl-group" data-model="{html.esc(model)}" data-years="{y0}-{y1}">'
        + "".join(body)
        + "</section>"
    )


def _head(run: decision.Run, lang: str) -> str:
    return f'<span data-scenario="{html.esc(run.name)}">{html.esc(run.title(lang))}</span>'


def title(runs: Sequence[decision.Run], lang: str) -> list:
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    brief = brief_parts.parts(runs, lang, decision_money.unallocated_by_run(runs))
    blocks = [
        html.nav([("index.html", t("report.nav.index"))]),
        f"<h1>{html.esc(t('compare.title'))}</h1>",
        html.para(t("compare.subtitle", n=len(runs), groups=len(decision.groups(runs))), "sl-sub"),
        brief_parts.parts_html(brief, lang, t("decision.caveat")),
        html.toc(t("report.toc.title"), [(a, t(k)) for a, k in TOC]),
    ]
    engines = sorted({str(r.tables.manifest.get("engine", "")) for r in runs})
    if len(engines) > 1:
        blocks.append(html.note(t("compare.mixed_engines", engines=", ".join(engines))))
    return blocks


def ranking_table(
    group: Sequence[decision.Run], lang: str, rob: decision.Robustness | None, unallocated: dict
) -> ReportTable:
    """The trade-offs of a group's scenarios: poor rate, households kept out of poverty, cost per
    household, money that reaches no one, chance of meeting every target in the plan's year (under
    both readings when a target is judged in each poor unit too: the poor units together, each on
    its own), regret and share of draws best. Sorted by mean regret (or poor rate without draws)."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    ys = data.years(group[0].tables.indicators)
    y0, y1 = ys[0], ys[-1]
    year = decision.own_year(group)
    s = rob.summary.set_index("scenario") if rob is not None else None
    rows = [_ranking_row(r, group, lang, s, unallocated, (y0, y1, year)) for r in group]
    frame = pd.DataFrame(rows)
    if not any(decision.has_readings(r) for r in group):
        frame = frame.drop(columns=["together"]).rename(columns={"each": t("compare.all_met", year=year or y1)})
    else:
        levels = manifest_levels(group[0].tables.manifest)
        names = {
            "together": levels.t_at("compare.all_met_together", lang, year or y1, year=year or y1),
            "each": levels.t_at("compare.all_met_each", lang, year or y1, year=year or y1),
        }
        frame = frame.rename(columns=names)
    c = list(frame.columns)
    regret = t("unc.col.regret_mean")
    frame = frame.sort_values(regret if s is not None else c[2], kind="stable", na_position="last")
    kinds = ["pct1", "pts2", "int", "num1", "num1", "num1"] + ["pct1"] * (len(c) - 10) + ["num2", "pct0"]
    formats = dict(zip(c[2:], kinds))
    return ReportTable("ranking", t("compare.table.ranking"), frame.reset_index(drop=True), formats)


def reference_notes(group: Sequence[decision.Run], first: str, lang: str) -> list[str]:
    """What a group's reference allocations are (role `reference`: a naive rule, not a plan), and
    whether one ranks first (`first`: the title heading the ranking), and which allocations break
    legal rules their run let through (`decision_runs.rules_broken`) — said, not hidden or
    re-ranked (report63)."""
    notes = [
        i18n.t(
            "compare.reference_first" if r.title(lang) == first else "compare.reference",
            lang,
            title=fmt.quote(r.title(lang), lang),
        )
        for r in group
        if r.role == "reference"
    ]
    for r in decision.allocations(group):  # compared, not one to choose (the brief sets it aside)
        names = decision_runs.rules_text(r, lang)
        if names:
            notes.append(i18n.t("compare.rules_broken", lang, title=fmt.quote(r.title(lang), lang), rules=names))
    warned = [r for r in group if flagged(r.tables.manifest)]  # money likely in the wrong unit (money_check)
    return notes + [i18n.t("compare.money_check", lang, title=fmt.quote(r.title(lang), lang)) for r in warned]


def _ranking_row(r: decision.Run, group, lang: str, s: pd.DataFrame | None, unallocated: dict, years) -> dict:
    """One scenario's row of the ranking (`years`: first, last, the plan's own year or None); the
    two probability columns are named "together" and "each" until the table names them."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    y0, y1, year = years
    h = data.headline(r.tables.indicators, r.tables.targets)
    ranked = s is not None and r.name in s.index
    return {
        t("compare.scenario"): r.title(lang),
        t("compare.group_col"): group_title(group, lang),
        t("compare.poor_rate", year=y1): h["poor_rate_end"],
        t("compare.poor_rate_change", y0=y0, y1=y1): h["poor_rate_end"] - h["poor_rate_start"],
        t("compare.fewer_poor", year=y1): h["poor_fewer_end"],
        t("compare.money", y0=y0 + 1, y1=y1): h["spend_total_billion"],
        t("compare.cost_per_lifted"): h["cost_per_household_lifted_end"],
        t("compare.unallocated"): unallocated.get(r.name, 0.0),
        "together": 100 * decision.all_met_probability(r, year, "aggregate") if year else np.nan,
        "each": 100 * decision.all_met_probability(r, year) if year else np.nan,
        t("unc.col.regret_mean"): s.loc[r.name, "regret_mean"] if ranked else np.nan,
        t("compare.share_best"): 100 * s.loc[r.name, "share_best"] if ranked else np.nan,  # in %, said
    }


def groups(runs: Sequence[decision.Run], lang: str) -> list:
    """Each group of comparable scenarios with its trade-off table."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    unallocated = decision_money.unallocated_by_run(runs)
    gs = brief_parts.reading_order(runs)
    blocks = [
        html.heading(t("compare.section.groups"), anchor="groups", up=t("report.toc.up")),
        html.para(t("compare.groups.intro")),
    ]
    if len(gs) > 1:
        blocks.append(html.note(t("compare.groups.apart", n=len(gs))))
    blocks.append('<span id="ranking"></span>')
    for g in gs:
        rob = decision.shared_robustness(g)
        rt = ranking_table(g, lang, rob, unallocated)
        rt.frame = rt.frame.drop(columns=t("compare.group_col"))
        body = [html.heading(group_title(g, lang), 3), table_html(rt, lang, caption=False)]
        body += [html.para(x, "sl-small") for x in reference_notes(g, rt.frame[t("compare.scenario")].iloc[0], lang)]
        blocks.append(_section(g, body))
    blocks.append(html.para(t("compare.ranking.intro"), "sl-small"))
    return blocks


def verdicts(runs: Sequence[decision.Run], lang: str) -> list:
    """Per group: each target in the plan's year (its own year), one column per scenario."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    blocks = [
        html.heading(t("compare.section.verdicts"), anchor="verdicts", up=t("report.toc.up")),
        html.para(t("compare.verdicts.intro")),
    ]
    for g in brief_parts.reading_order(runs):
        heads = [verdict.headline_verdicts(r.verdicts) for r in g]
        keys = list(dict.fromkeys((tid, int(y)) for h in heads for tid, y in zip(h["target_id"], h["year"])))
        if not keys:
            continue
        header = [html.esc(t("table.target")), html.esc(t("table.year")), html.esc(t("table.threshold"))] + [
            _head(r, lang) for r in g
        ]
        rows = []
        for tid, y in keys:
            first = next(
                h[(h["target_id"] == tid) & (h["year"] == y)].iloc[0]
                for h in heads
                if ((h["target_id"] == tid) & (h["year"] == y)).any()
            )
            row = [
                html.esc(first[i18n.column("label", lang)]),
                str(y),
                html.esc(threshold_text(first["indicator"], first["comparison"], first["threshold"], lang)),
            ]
            for r, h in zip(g, heads):
                m = h[(h["target_id"] == tid) & (h["year"] == y)]
                row.append(readings_cell(m.iloc[0], lang, manifest_levels(r.tables.manifest)) if len(m) else "–")
            rows.append(row)
        n = len(header)
        table = html.table(
            header, rows, numeric=[False, True, True] + [True] * len(g), raw_cols=range(n), raw_header=True
        )
        blocks.append(_section(g, [html.heading(group_title(g, lang), 3), table]))
    return blocks


def readings_cell(r, lang: str, levels: Levels) -> str:
    """A headline verdict's cell (`scorecard.verdict_cell`); for a target judged for each unit
    too (`units` > 0), a line with both readings: the poor units together and each unit on its own
    (`verdict.READING_COLUMNS`), with how many units reach it."""
    cell = verdict_cell(r, lang)
    if int(r.get("units", 0) or 0) <= 0:
        return cell
    line = levels.t_at(
        "compare.verdicts.readings",
        lang,
        int(r["year"]),
        together=status_word(r["aggregate_status"], lang).lower(),
        each=status_word(r["each_unit_status"], lang).lower(),
        units_met=int(r["units_met"]),
        units=int(r["units"]),
    )
    return f'{cell}<br><span class="sl-small">{html.esc(line)}</span>'


def robustness(runs: Sequence[decision.Run], lang: str) -> list:
    """The allocations of each group on the same parameter draws: regret and share best."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    blocks = [html.heading(t("unc.nb.robustness"), anchor="robustness", up=t("report.toc.up"))]
    found = False
    for g in brief_parts.reading_order(runs):
        rob = decision.shared_robustness(g)
        if rob is None:
            continue
        found = True
        titles = {r.name: r.title(lang) for r in g}
        body = [html.heading(group_title(g, lang), 3)] + robustness_section_rows(rob.summary, "", lang, titles)
        body.append(to_html([regret_chart(rob, titles, lang)]))
        blocks.append(_section(g, body))
    if not found and not any(len(decision.allocations(g)) > 1 for g in brief_parts.reading_order(runs)):
        blocks.append(html.para(t("compare.robustness.single")))  # draws or not, nothing to compare
    elif not found:  # who runs the draws in plain words, the command in a technical note
        blocks.append(html.para(t("compare.robustness.none")))
        blocks.append(html.para(t("report.technical.batch_draws", n=SUGGESTED_DRAWS), "sl-small"))
    return blocks


def regret_chart(rob: decision.Robustness, titles: dict, lang: str) -> html.Chart:
    """Each allocation's regret over the draws (box: 25–75 %, whiskers 5–95 %), least first."""
    reg = rob.values
    order = list(rob.summary["scenario"])
    fig = charts.new_figure(charts.WIDTH, 0.9 + 0.5 * len(order))

    with matplotlib.rc_context(charts.RC):
        ax = fig.add_subplot()
        ax.boxplot(
            [reg.loc[reg["scenario"] == s, "regret"].to_numpy() for s in order],
            vert=False,
            whis=(5, 95),
            showfliers=False,
            tick_labels=[textwrap.shorten(titles.get(s, s), 40, placeholder="…") for s in order],
            medianprops={"color": "black"},
        )
        ax.invert_yaxis()
        ax.set_xlabel(i18n.t("unc.chart.regret_xlabel", lang))
        ax.xaxis.set_major_formatter(fmt.axis_formatter(lang))
    return html.Chart(fig, i18n.t("compare.fig.regret", lang))


def trajectories(runs: Sequence[decision.Run], lang: str) -> list:
    """Per group: the province poor rate, one line per scenario, with the plan's target steps."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    blocks = [html.heading(t("compare.section.trajectories"), anchor="trajectories", up=t("report.toc.up"))]
    for g in brief_parts.reading_order(runs):
        series = []
        for i, r in enumerate(g):
            s = data.series(r.tables.indicators, "poor_rate", "province", "province")
            series.append(
                charts.Series(
                    label(r, lang), s["year"].tolist(), s["mean"].tolist(), s["lo"].tolist(), s["hi"].tolist(), i
                )
            )
        thr = rate_change_targets(g[0].tables.targets).get("province")
        steps = []
        if thr is not None:
            s0 = series[0]
            steps = [charts.Target("", [a, c], [b, d]) for a, b, c, d in target_steps(s0.x, s0.y, thr)]
        fig = charts.line_chart(
            series,
            ylabel=t("axis.poor_rate"),
            xlabel=t("axis.year"),
            lang=lang,
            targets=steps,
            value_fmt=lambda v: fmt.percent(v, lang),
            ymin=None,
            height=4.2,
        )
        blocks.append(
            _section(g, [html.heading(group_title(g, lang), 3), to_html([html.Chart(fig, t("compare.fig.province"))])])
        )
    return blocks


def money(runs: Sequence[decision.Run], lang: str) -> list:
    """Money spent by project in each scenario (billion VND, projected years together)."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    cat = catalogue_of(load_parameters())
    blocks = [html.heading(t("compare.section.money"), anchor="money", up=t("report.toc.up"))]
    for g in brief_parts.reading_order(runs):
        per = []
        for r in g:
            pr = r.tables.programme.groupby(["draw", "line"])["spend_vnd"].sum().groupby("line").mean()
            by_p: dict = {}
            for line, v in pr.items():
                p = data.project_of(str(line), cat)
                by_p[p] = by_p.get(p, 0.0) + float(v) / 1e9
            per.append(by_p)
        projects = list(dict.fromkeys(list(cat.projects) + [p for d in per for p in d]))
        segments = [(short_name(p, cat, lang, 30), [d.get(p, 0.0) for d in per]) for p in projects]
        fig = bars.stacked_barh(
            [label(r, lang, 40) for r in g],
            segments,
            xlabel=t("axis.billion_vnd"),
            lang=lang,
            total_fmt=lambda v: fmt.number(v, lang, 1),
        )
        blocks.append(
            _section(g, [html.heading(group_title(g, lang), 3), to_html([html.Chart(fig, t("compare.fig.money"))])])
        )
    return blocks


def footer(runs: Sequence[decision.Run], lang: str) -> list:
    """What produced each run (scenario, engine, seed, parameter hash, run id, version)."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    rows = []
    for r in runs:
        m = r.tables.manifest
        eng = i18n.label("report.engine", m.get("engine", ""), lang, default=m.get("engine", ""))
        rows.append(
            f"<tr><td>{html.esc(r.title(lang))}</td><td>{html.esc(eng)}, {html.esc(t('manifest.draws'))} {html.esc(m.get('draws', ''))}, "
            f"{html.esc(t('manifest.seed'))} {html.esc(m.get('seed', ''))}; {html.esc(t('manifest.parameter_hash'))} "
            f"{html.esc(str(m.get('parameter_hash', ''))[:16])}…; {html.esc(t('manifest.run_id'))} {html.esc(m.get('run_id', ''))}; "
            f"{html.esc(fmt.timestamp(m.get('created_utc'), lang))}</td></tr>"
        )
    return [
        f'<footer class="sl-footer"><p><strong>{html.esc(t("manifest.title"))}</strong> — {html.esc(t("manifest.explain"))}</p><table>{"".join(rows)}</table></footer>'
    ]


TOC = (
    ("groups", "compare.section.groups"),
    ("verdicts", "compare.section.verdicts"),
    ("robustness", "unc.nb.robustness"),
    ("trajectories", "compare.section.trajectories"),
    ("money", "compare.section.money"),
)
SECTIONS = (title, groups, verdicts, robustness, trajectories, money, footer)


def build(runs: Sequence[decision.Run], lang: str) -> list:
    out: list = []
    for s in SECTIONS:
        out.extend(s(runs, lang))
    return out


def group_columns(group: Sequence[decision.Run], lang: str) -> dict:
    """How the exported files name a group: its heading on the page (`group_title`) and its key
    (model, transitions, first and last year) — never a position, which the page (in
    `brief_parts.reading_order`) and a file read alone need not share."""
    model, transitions, y0, y1 = group[0].key
    return {
        "group": group_title(group, lang),
        "model": model,
        "transitions": transitions,
        "first_year": y0,
        "last_year": y1,
    }


def export(runs: Sequence[decision.Run], output_dir: str | Path, lang: str) -> list[str]:
    """The comparison's tables, their groups in the page's order (`brief_parts.reading_order`)
    and named as `group_columns`: machine-readable (`compare_verdicts.csv`: every run's verdicts;
    `compare_robustness.csv`: regret summary per group; `compare_regret.csv`: per draw) and for
    people (`compare_table_<key>.csv` and `compare.xlsx`)."""
    out = Path(output_dir)
    order = brief_parts.reading_order(runs)
    verdict_rows = [r.verdicts.assign(scenario=r.name, **group_columns(g, lang)) for g in order for r in g]
    pd.concat(verdict_rows, ignore_index=True).to_csv(out / "compare_verdicts.csv", index=False)
    written = ["compare_verdicts.csv"]
    unallocated = decision_money.unallocated_by_run(runs)
    ranks, summaries, values = [], [], []
    for g in order:
        rob = decision.shared_robustness(g)
        ranks.append(ranking_table(g, lang, rob, unallocated))
        if rob is not None:
            summaries.append(rob.summary.assign(**group_columns(g, lang)))
            values.append(rob.values.assign(**group_columns(g, lang)))
    rank = replace(
        ranks[0],
        frame=pd.concat([r.frame for r in ranks], ignore_index=True),
        formats={c: f for r in ranks for c, f in r.formats.items()},  # each group's own columns too
    )
    if summaries:
        pd.concat(summaries, ignore_index=True).to_csv(out / "compare_robustness.csv", index=False)
        pd.concat(values, ignore_index=True).to_csv(out / "compare_regret.csv", index=False)
        written += ["compare_robustness.csv", "compare_regret.csv"]
    write_table_csv(rank, out / "compare_table_ranking.csv", lang)
    sheets = [group_sheet(g, r, i, lang) for i, (g, r) in enumerate(zip(order, ranks), start=1)]
    write_xlsx(sheets, out / "compare.xlsx", lang, files={t.key: "compare_table_ranking.csv" for t in sheets})
    return written + ["compare_table_ranking.csv", "compare.xlsx"]


#: a group's sheet name in compare.xlsx, by its model (at most 31 characters with the years)
SHEET_KEYS = {"multidim": "compare.sheet.multidim", "states": "compare.sheet.states"}


def group_sheet(group: Sequence[decision.Run], rank: ReportTable, number: int, lang: str) -> ReportTable:
    """A group's ranking as a sheet of compare.xlsx: its own columns only, headed in row 1 (the
    CSV puts every group's rows in one table, each group's columns beside the others', blank in
    the other groups' rows), named by its model and years (`SHEET_KEYS`), its heading
    (`group_title`) on the information sheet."""
    model, _, y0, y1 = group[0].key
    frame = rank.frame.drop(columns=i18n.t("compare.group_col", lang))
    title = i18n.t(SHEET_KEYS.get(model, "compare.sheet.states"), lang, y0=y0 + 1, y1=y1)
    return ReportTable(f"ranking_{number}", title, frame, dict(rank.formats), note=group_title(group, lang))
