"""Comparison of several scenario runs (used by `notebooks/compare_scenarios.ipynb`).

Runs come from result folders (`simlib run` / `simlib batch` output) or are computed from
scenario files. Sections: title, ranked table, side-by-side scorecard, probability of meeting
each target (when the runs have parameter draws: `simlib run/batch --uncertainty N`),
trajectories, cost-effectiveness, money by project, footer (what produced each run). Each
returns blocks for `scenario_report.show`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import charts as C
from simlib.report import data as D
from simlib.report import html as H
from simlib.report.data import RunTables
from simlib.report.scenario_report import probability_span, rate_change_targets, short_name, show, to_html  # noqa: F401 - re-exported


def label(run: RunTables, lang: str, width: int = 34) -> str:
    """A scenario's title, shortened for chart labels."""
    import textwrap

    return textwrap.shorten(run.title(lang), width, placeholder="…")


def load(
    results: Sequence[str | Path] = (),
    scenarios: str | Path | Sequence[str | Path] = (),
    engine: str = "expected",
    draws: int = 1,
) -> list[RunTables]:
    """Runs to compare: the result folders in `results`; if there are none, the scenario files
    (or folders of them) in `scenarios`, run now with `engine`."""
    if results:
        return [RunTables.from_folder(f) for f in results]
    from simlib.batch import collect_scenarios
    from simlib.runner import run
    from simlib.scenario import load_scenario

    items = [scenarios] if isinstance(scenarios, (str, Path)) else list(scenarios)
    return [RunTables.from_result(run(load_scenario(p), engine=engine, draws=draws)) for p in collect_scenarios(items)]


def ranking(runs: Sequence[RunTables]) -> pd.DataFrame:
    """One row per run with its headline numbers, ranked: most targets met in the last year
    first, then the lowest poor rate at the horizon, then the lowest cost per household lifted
    out. Columns: rank, scenario, title_vi, title_en, and the `data.headline` numbers."""
    rows = []
    for r in runs:
        h = D.headline(r.indicators, r.targets)
        rows.append({"scenario": r.name, "title_vi": r.title("vi"), "title_en": r.title("en"), **h})
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    df["_cost"] = df["cost_per_household_lifted_end"].fillna(np.inf)
    df = df.sort_values(["targets_met", "poor_rate_end", "_cost"], ascending=[False, True, True], kind="stable")
    df = df.drop(columns="_cost").reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df


def ranking_frame(runs: Sequence[RunTables], lang: str) -> pd.DataFrame:
    """The ranked table for people (translated headers; numbers kept numeric)."""
    rk = ranking(runs)
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    if rk.empty:
        return rk
    y0, y1 = int(rk["year_start"].iloc[0]), int(rk["year_end"].iloc[0])
    return pd.DataFrame(
        {
            t("compare.rank"): rk["rank"],
            t("compare.scenario"): rk[i18n.column("title", lang)],
            t("compare.code"): rk["scenario"],
            t("compare.targets_met", year=y1): rk["targets_met"],
            t("compare.targets_total"): rk["targets_total"],
            t("compare.poor_rate", year=y1): rk["poor_rate_end"].round(4),
            t("compare.poor_rate_change", y0=y0, y1=y1): (rk["poor_rate_end"] - rk["poor_rate_start"]).round(4),
            t("compare.left_poverty", y0=y0 + 1, y1=y1): rk["left_poverty_total"].round(1),
            t("compare.fewer_poor", year=y1): rk["poor_fewer_end"].round(1),
            t("compare.money", y0=y0 + 1, y1=y1): rk["spend_total_billion"].round(4),
            t("compare.cost_per_lifted"): rk["cost_per_household_lifted_end"].round(4),
        }
    )


def title(runs: Sequence[RunTables], lang: str) -> list:
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    names = [r.title(lang) for r in runs]
    blocks = [
        f"<h1>{H.esc(t('compare.title'))}</h1>",
        H.para(t("compare.subtitle", n=len(runs)), "sl-sub"),
        H.bullet_list(names),
        H.note(t("compare.caveat")),
    ]
    engines = sorted({str(r.manifest.get("engine", "")) for r in runs})
    if len(engines) > 1:
        blocks.append(H.note(t("compare.mixed_engines", engines=", ".join(engines))))
    return blocks


def ranked_table(runs: Sequence[RunTables], lang: str) -> list:
    """The ranked table: targets met, poor rate, households lifted out, money, cost per household."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    rk = ranking(runs)
    if rk.empty:
        return []
    y0, y1 = int(rk["year_start"].iloc[0]), int(rk["year_end"].iloc[0])
    header = [
        t("compare.rank"),
        t("compare.scenario"),
        t("compare.targets_met", year=y1),
        t("compare.poor_rate", year=y1),
        t("compare.poor_rate_change", y0=y0, y1=y1),
        t("compare.fewer_poor", year=y1),
        t("compare.money", y0=y0 + 1, y1=y1),
        t("compare.cost_per_lifted"),
    ]
    rows = []
    for _, r in rk.iterrows():
        rows.append(
            [
                str(r["rank"]),
                r[i18n.column("title", lang)],
                f"{r['targets_met']}/{r['targets_total']}",
                fmt.percent(r["poor_rate_end"], lang),
                fmt.number(r["poor_rate_end"] - r["poor_rate_start"], lang, 2),
                fmt.number(r["poor_fewer_end"], lang),
                fmt.number(r["spend_total_billion"], lang, 1),
                fmt.number(r["cost_per_household_lifted_end"], lang, 1),
            ]
        )
    return [
        H.heading(t("compare.section.ranking"), anchor="ranking"),
        H.para(t("compare.ranking.intro")),
        H.table(header, rows, numeric=[True, False, True, True, True, True, True, True]),
    ]


def scorecard(runs: Sequence[RunTables], lang: str) -> list:
    """Side-by-side scorecard: each target and year, one column per scenario (met in every
    area the target covers)."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    if not runs:
        return []
    labels = {}
    status = {}
    values = {}
    for r in runs:
        st = D.target_status(r.targets)
        status[r.name] = {
            (a, int(y)): (bool(m), float(s))
            for a, y, m, s in zip(st["target_id"], st["year"], st["met"], st["share_met"])
        }
        sc = D.scorecard(r.targets)
        main = sc[~sc["detail"]]
        values[r.name] = {
            (a, int(y)): (ind, v)
            for a, y, ind, v in zip(main["target_id"], main["year"], main["indicator"], main["value"])
        }
        for a, lab in zip(sc["target_id"], sc[i18n.column("label", lang)]):
            labels.setdefault(a, lab)
    probs = {}
    for r in runs:
        p = r.target_probabilities()
        if p is not None:
            probs[r.name] = {(a, int(y)): float(v) for a, y, v in zip(p["target_id"], p["year"], p["probability_met"])}
    keys = list(dict.fromkeys(k for r in runs for k in status[r.name]))
    keys.sort(key=lambda k: (list(labels).index(k[0]), k[1]))
    header = [t("table.target"), t("table.year")] + [r.title(lang) for r in runs]
    rows = []
    from simlib.report.scenario_report import _value_text

    for k in keys:
        row = [H.esc(labels[k[0]]), str(k[1])]
        for r in runs:
            if k not in status[r.name]:
                row.append("–")
                continue
            met, share = status[r.name][k]
            ind, v = values[r.name].get(k, ("", np.nan))
            text = ("✓ " + t("target.met")) if met else ("✗ " + t("target.not_met"))
            cls = "sl-met" if met else "sl-notmet"
            cell = f'{H.esc(_value_text(ind, v, lang, unit=False))}<br><span class="{cls}">{H.esc(text)}</span>'
            p = probs.get(r.name, {}).get(k)
            if p is not None and np.isfinite(p):
                cell += (
                    f'<br><span class="sl-small">{H.esc(t("report.probability_label"))} '
                    f"{probability_span(p, lang, k[0], '', k[1], 'target')}</span>"
                )
            row.append(cell)
        rows.append(row)
    blocks = [
        H.heading(t("compare.section.scorecard"), anchor="scorecard"),
        H.para(t("compare.scorecard.intro")),
        H.table(header, rows, numeric=[False, True] + [True] * len(runs), raw_cols=range(len(header))),
    ]
    if probs:
        blocks.append(H.para(t("compare.scorecard.probability_note"), "sl-small"))
    return blocks


def probability_frame(runs: Sequence[RunTables], lang: str | None = None) -> pd.DataFrame:
    """Per scenario with parameter draws, target and year: the probability of meeting the
    target in every area it covers (`RunTables.target_probabilities`), with the scenario's
    code and (shortened) title. Empty when no run has parameter draws."""
    frames = []
    for r in runs:
        p = r.target_probabilities()
        if p is None:
            continue
        p = p.copy()
        p["scenario"] = r.name
        p["scenario_label"] = label(r, lang or "vi", 40)
        p["draws"] = int((r.uncertainty or {}).get("manifest", {}).get("uncertainty", {}).get("draws", 0)) or np.nan
        frames.append(p)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def probabilities(runs: Sequence[RunTables], lang: str) -> list:
    """The probability of meeting each target per scenario over its parameter draws (only the
    runs that have them): a chart for the last year and a table for every year. Nothing when
    no run has parameter draws."""
    from simlib.report.scenario_report import probability_figure

    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    pf = probability_frame(runs, lang)
    if pf.empty:
        return []
    with_draws = [r for r in runs if r.name in set(pf["scenario"])]
    years = sorted(int(y) for y in pf["year"].unique())
    header = [t("table.target"), t("table.year")] + [r.title(lang) for r in with_draws]
    rows = []
    for tid, g in pf.groupby("target_id", sort=False):
        for y in years:
            row = [H.esc(g[i18n.column("label", lang)].iloc[0]), str(y)]
            for r in with_draws:
                v = g[(g["scenario"] == r.name) & (g["year"] == y)]["probability_met"]
                row.append(
                    probability_span(float(v.iloc[0]), lang, tid, "", y, "target")
                    if len(v) and np.isfinite(v.iloc[0])
                    else "–"
                )
            rows.append(row)
    draws = sorted({int(d) for d in pf["draws"].dropna()})
    blocks = [
        H.heading(t("compare.section.probabilities"), anchor="probabilities"),
        H.para(t("compare.probabilities.intro", draws=", ".join(str(d) for d in draws) or "–")),
    ]
    if len(with_draws) < len(runs):
        blocks.append(
            H.note(
                t("compare.probabilities.missing", names=", ".join(r.title(lang) for r in runs if r not in with_draws))
            )
        )
    blocks.append(probability_figure(pf, lang, by="scenario_label"))
    blocks.append(H.table(header, rows, numeric=[False, True] + [True] * len(with_draws), raw_cols=range(len(header))))
    return blocks


def trajectories(runs: Sequence[RunTables], lang: str) -> list:
    """Poor rate of the province over the years, one line per scenario, against the target
    path; and the poor districts and ethnic-minority households side by side."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    if not runs:
        return []
    ind0 = runs[0].indicators
    ys = D.years(ind0)
    thr = rate_change_targets(runs[0].targets)
    series = []
    for i, r in enumerate(runs):
        s = D.series(r.indicators, "poor_rate", "province", "province")
        series.append(
            C.Series(label(r, lang), s["year"].tolist(), s["mean"].tolist(), s["lo"].tolist(), s["hi"].tolist(), i)
        )
    targets = []
    if "province" in thr and series:
        xs, yv = D.target_path(series[0].y[0], thr["province"], ys[0], ys[1:])
        targets.append(C.Target(t("report.target_path"), xs, yv))
    fig = C.line_chart(
        series,
        ylabel=t("axis.poor_rate"),
        xlabel=t("axis.year"),
        lang=lang,
        targets=targets,
        value_fmt=lambda v: fmt.percent(v, lang),
        ymin=None,
        height=4.2,
    )
    panels = []
    for geo, gt in (("poor_districts", "poor_districts"), ("ethnic_minority", "ethnic_group")):
        ss = []
        for i, r in enumerate(runs):
            s = D.series(r.indicators, "poor_rate", geo, gt)
            ss.append(C.Series(label(r, lang), s["year"].tolist(), s["mean"].tolist(), style=i))
        tg = []
        if geo in thr and ss and len(ss[0].y):
            xs, yv = D.target_path(ss[0].y[0], thr[geo], ys[0], ys[1:])
            tg.append(C.Target(t("report.target_path"), xs, yv))
        panels.append(C.Panel(i18n.label("geo", geo, lang), ss, tg))
    legend = [(label(r, lang), i) for i, r in enumerate(runs)] + [(t("report.target_path_legend"), "target")]
    fig2 = C.line_panels(
        panels,
        ylabel=t("axis.poor_rate"),
        xlabel=t("axis.year"),
        lang=lang,
        ncols=2,
        ymin=None,
        legend=legend,
        panel_height=3.0,
    )
    return [
        H.heading(t("compare.section.trajectories"), anchor="trajectories"),
        H.Chart(fig, t("compare.fig.province")),
        H.Chart(fig2, t("compare.fig.groups")),
    ]


def cost_effectiveness(runs: Sequence[RunTables], lang: str) -> list:
    """What each allocation buys: poor households fewer than without the programme, and the
    cost per household lifted out."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    rk = ranking(runs)
    if rk.empty:
        return []
    y0, y1 = int(rk["year_start"].iloc[0]), int(rk["year_end"].iloc[0])
    import textwrap

    names = [textwrap.shorten(n, 40, placeholder="…") for n in rk[i18n.column("title", lang)]]
    fig1 = C.barh(
        names,
        [(str(y1), rk["poor_fewer_end"].tolist())],
        xlabel=t("axis.households"),
        lang=lang,
        value_fmt=lambda v: fmt.number(v, lang),
    )
    fig2 = C.barh(
        names,
        [(str(y1), rk["cost_per_household_lifted_end"].tolist())],
        xlabel=t("axis.million_vnd_per_household"),
        lang=lang,
        value_fmt=lambda v: fmt.number(v, lang, 1),
    )
    return [
        H.heading(t("compare.section.cost"), anchor="cost"),
        H.para(t("compare.cost.intro", y0=y0 + 1, y1=y1)),
        H.Chart(fig1, t("compare.fig.fewer", year=y1)),
        H.Chart(fig2, t("compare.fig.cost", y0=y0 + 1, y1=y1)),
    ]


def money(runs: Sequence[RunTables], lang: str) -> list:
    """Money spent by project in each scenario (billion VND, projected years together)."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    if not runs:
        return []
    from simlib.catalogue import catalogue_of
    from simlib.parameters import load_parameters

    cat = catalogue_of(load_parameters())
    projects = list(cat.projects)
    per = []
    for r in runs:
        pr = r.programme.groupby(["draw", "line"])["spend_vnd"].sum().groupby("line").mean()
        by_p = {p: 0.0 for p in projects}
        for line, v in pr.items():
            by_p.setdefault(D.project_of(str(line), cat), 0.0)
            by_p[D.project_of(str(line), cat)] += float(v) / 1e9
        per.append(by_p)
    projects = list(dict.fromkeys(projects + [p for d in per for p in d]))
    segments = [(short_name(p, cat, lang, 30), [d.get(p, 0.0) for d in per]) for p in projects]
    fig = C.stacked_barh(
        [label(r, lang, 40) for r in runs],
        segments,
        xlabel=t("axis.billion_vnd"),
        lang=lang,
        total_fmt=lambda v: fmt.number(v, lang, 1),
    )
    return [H.heading(t("compare.section.money"), anchor="money"), H.Chart(fig, t("compare.fig.money"))]


def _engine(code: str, lang: str) -> str:
    return i18n.label("report.engine", code, lang, default=code)


def footer(runs: Sequence[RunTables], lang: str) -> list:
    """What produced each run (scenario, engine, seed, parameter hash, run id, version)."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    rows = []
    for r in runs:
        m = r.manifest
        rows.append(
            f"<tr><td>{H.esc(r.name)}</td><td>{H.esc(_engine(m.get('engine', ''), lang))}, {H.esc(t('manifest.draws'))} "
            f"{H.esc(m.get('draws', ''))}, {H.esc(t('manifest.seed'))} {H.esc(m.get('seed', ''))}; "
            f"{H.esc(t('manifest.parameter_hash'))} {H.esc(str(m.get('parameter_hash', ''))[:16])}…; "
            f"{H.esc(t('manifest.run_id'))} {H.esc(m.get('run_id', ''))}; simlib {H.esc(m.get('simlib_version', ''))}; "
            f"{H.esc(fmt.timestamp(m.get('created_utc'), lang))}</td></tr>"
        )
    return [
        f'<footer class="sl-footer"><p><strong>{H.esc(t("manifest.title"))}</strong> — {H.esc(t("manifest.explain"))}</p>'
        f"<table>{''.join(rows)}</table></footer>"
    ]


SECTIONS = (title, ranked_table, scorecard, probabilities, trajectories, cost_effectiveness, money, footer)


def build(runs: Sequence[RunTables], lang: str) -> list:
    out: list = []
    for s in SECTIONS:
        out.extend(s(runs, lang))
    return out


def scorecard_frame(runs: Sequence[RunTables], lang: str) -> pd.DataFrame:
    """Every scenario's scorecard in one table (translated headers), scenario first."""
    from simlib.report.tables import scorecard_frame as one

    frames = []
    for r in runs:
        f = one(r.targets, lang)
        f.insert(0, i18n.t("compare.code", lang), r.name)
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def export(runs: Sequence[RunTables], output_dir: str | Path, lang: str) -> list[str]:
    """The comparison's tables as CSV and one workbook (`compare.xlsx`) in `output_dir`."""
    from simlib.report.tables import export_tables

    frames = {"compare_ranking": ranking_frame(runs, lang), "compare_scorecard": scorecard_frame(runs, lang)}
    pf = probability_frame(runs, lang)
    if not pf.empty:
        from simlib.report.tables import probability_frame as people

        f = people(pf, lang)
        f.insert(0, i18n.t("compare.code", lang), pf["scenario"].to_numpy())
        frames["compare_probabilities"] = f
    return export_tables(frames, output_dir, xlsx_name="compare.xlsx", people=tuple(frames))
