"""The uncertainty page of a scenario (used by `notebooks/uncertainty.ipynb`): how sure the
projection is, for a decision-maker — sections as blocks for `context.show`, like the scenario
report's.

1. title, links back to the scenario report, the overview and the comparison; contents;
2. fan charts of the poor rate against the yearly target steps;
3. the verdict on each target (the run's `verdicts.csv`, the same numbers as the scenario report);
4. when a target is missed — only the rules that were found and held on the other half of the
   draws, in plain words with units; one sentence for the rest;
5. what we most need to measure better: Sobol shares of the output's variance by kind of
   parameter and by project (shown only within [0, 1] with first order ≤ total; imprecise ones
   as their interval), optionally Morris screening;
6. the allocations compared on the same draws: in a batch, computed once for all scenarios and
   shown on the comparison page (linked here, with this scenario's own line); on its own, the
   allocations in `compare` are run here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.options import RunOptions
from simlib.paths import display_path
from simlib.report import html, scorecard, uncertainty, verdict
from simlib.report.assumptions import footer_html
from simlib.report.context import Links, show, to_html, verdict_targets, verdicts_of  # noqa: F401 - the notebook's API
from simlib.report.data import RunTables, unit_names
from simlib.report.levels import Levels
from simlib.report.parameter_names import criteria_of, readable
from simlib.report.robustness_rows import robustness_section_rows, run_robustness
from simlib.report.scorecard import area_name
from simlib.report.table import ReportTable
from simlib.report.table import to_html as table_html
from simlib.report.trends import fan_panels
from simlib.report.uncertainty import probability_figure, rules_note
from simlib.uncertainty.sensitivity import DEFAULT_OUTPUTS, screening_analysis, sensitivity_analysis

TOC = (
    ("fans", "unc.page.fans"),
    ("verdicts", "unc.page.verdicts"),
    ("rules", "unc.nb.rules"),
    ("sensitivity", "unc.nb.sensitivity"),
    ("robustness", "unc.nb.robustness"),
)


@dataclass
class PageContext:
    """What the page reads: a report folder's tables (with its parameter draws), the verdicts the
    scenario report wrote, the scenario, the language and the links around the page."""

    tables: RunTables
    verdicts: pd.DataFrame
    scenario: object
    lang: str
    links: Links = field(default_factory=Links)

    def t(self, key: str, **kw) -> str:
        return i18n.t(key, self.lang, **kw)

    def unc_tables(self) -> dict | None:
        u = self.tables.uncertainty
        return None if u is None else dict(u, indicators=self.tables.indicators)

    @property
    def info(self) -> dict:
        return ((self.tables.uncertainty or {}).get("manifest") or {}).get("uncertainty") or {}


def load(folder: str | Path, scenario, lang: str = "vi", links: Links | None = None) -> PageContext:
    """The page's context from a report folder (`simlib run --uncertainty N` or a batch report)."""
    tabs = RunTables.from_folder(folder)
    f = Path(folder) / "verdicts.csv"
    verdicts = pd.read_csv(f, dtype={"geo": str}) if f.is_file() else verdicts_of(tabs, verdict_targets(scenario))
    return PageContext(tabs, verdicts, scenario, i18n.get_lang(lang), links or Links())


def _up(ctx) -> str:
    return ctx.t("report.toc.up")


def title(ctx: PageContext) -> list:
    info = ctx.info
    intro = ctx.t(
        "unc.nb.intro",
        title=ctx.scenario.title(ctx.lang),
        draws=info.get("draws", "–"),
        sampler=i18n.label("unc.sampler", info.get("sampler", "lhs"), ctx.lang),
        seed=info.get("seed", "–"),
    )
    links = [
        (ctx.links.report, ctx.t("unc.page.back_report")),
        (ctx.links.index, ctx.t("report.nav.index")),
        (ctx.links.compare, ctx.t("report.nav.compare")),
    ]
    return [
        html.nav(links),
        f"<h1>{html.esc(ctx.t('unc.nb.title'))}</h1>",
        html.para(intro, "sl-sub"),
        html.toc(ctx.t("report.toc.title"), [(a, ctx.t(k)) for a, k in TOC]),
    ]


def fans(ctx: PageContext) -> list:
    return [
        html.heading(ctx.t("unc.page.fans"), anchor="fans", up=_up(ctx)),
        html.para(ctx.t("unc.page.fans_intro")),
        fan_panels(ctx),
    ]


def verdicts(ctx: PageContext) -> list:
    blocks = [
        html.heading(ctx.t("unc.page.verdicts"), anchor="verdicts", up=_up(ctx)),
        html.para(
            ctx.t(
                "report.scorecard.intro",
                p_met=fmt.percent(100 * verdict.P_MET, ctx.lang, 0),
                p_not=fmt.percent(100 * verdict.P_NOT_MET, ctx.lang, 0),
            )
        ),
        scorecard.scorecard_html(ctx.verdicts, ctx.lang, _unit_names(ctx), Levels.of(ctx)),
    ]
    blocks += [html.para(s) for s in scorecard.reading_sentences(ctx.verdicts, ctx.lang, Levels.of(ctx))]
    v = verdict.headline_verdicts(ctx.verdicts)
    if len(v) and v["probability"].notna().any():
        bars = reading_bars(v, (ctx.tables.uncertainty or {}).get("targets"), Levels.of(ctx))
        blocks.append(probability_figure(bars, ctx.lang, sorted(v["year"].unique())))  # every year judged
    return blocks


def reading_bars(head: pd.DataFrame, unc_targets: pd.DataFrame | None, levels: Levels) -> pd.DataFrame:
    """The probability chart's rows (`probability_met`) from headline verdicts: a target judged
    for each unit too (`verdict.unit_targets`) gets two bars, the poor units together (the named
    area's own probability in `unc_targets`, the run's `uncertainty_targets.csv`) and each unit on
    its own (its verdict's probability: in every area); the others one."""
    out = head.rename(columns={"probability": "probability_met"})
    units = out["units"] > 0 if "units" in out else pd.Series(False, index=out.index)
    if not units.any():
        return out
    own = pd.Series(dtype=float)
    if unc_targets is not None and len(unc_targets):
        named = unc_targets[unc_targets["geo_type"] != "district"]
        own = named.set_index([named["target_id"], named["geo"].astype(str), named["year"].astype(int)])[
            "probability_met"
        ]
    rows = []
    for _, r in out.iterrows():
        if not units[r.name]:
            rows.append(r)
            continue
        together = r.copy()
        together["probability_met"] = own.get((r["target_id"], str(r["geo"]), int(r["year"])), float("nan"))
        each = r.copy()
        each["target_id"] = f"{r['target_id']}/each_unit"
        for lang in i18n.LANGS:
            col = i18n.column("label", lang)
            together[col] = f"{r[col]} ({levels.t_at('unc.chart.reading_together', lang, int(r['year']))})"
            each[col] = f"{r[col]} ({levels.t_at('unc.chart.reading_each', lang, int(r['year']))})"
        rows += [together, each]
    return pd.DataFrame(rows).reset_index(drop=True)


def _unit_names(ctx: PageContext) -> dict:
    return unit_names(ctx.scenario, ctx.lang, switched=True)


def rules_table(ctx: PageContext) -> ReportTable | None:
    """The rules found for misses (targets' named areas and districts), or None."""
    r = (ctx.tables.uncertainty or {}).get("rules")
    if r is None or r.empty:
        return None
    r = r[r["limits"].fillna("{}") != "{}"] if "limits" in r.columns else r
    if r.empty:
        return None
    labels = ctx.tables.targets.drop_duplicates("target_id").set_index("target_id")[i18n.column("label", ctx.lang)]
    t = ctx.t
    criteria = criteria_of(ctx.scenario.params)
    frame = pd.DataFrame(
        {
            t("table.target_area"): [
                f"{labels.get(a, a)} ({area_name(gt, g, ctx.lang, _unit_names(ctx), Levels.of(ctx), [y])})"
                for a, gt, g, y in zip(r["target_id"], r["geo_type"], r["geo"], r["year"], strict=True)
            ],
            t("table.year"): r["year"].astype(int).to_numpy(),
            t("table.probability_pct"): (100 * r["probability_met"]).to_numpy(),
            t("unc.col.rule"): [readable(x, ctx.lang, criteria) for x in r[i18n.column("rule", ctx.lang)]],
        }
    )
    return ReportTable("rules", t("unc.nb.rules"), frame, {t("table.year"): "year", t("table.probability_pct"): "pct1"})


def rules(ctx: PageContext) -> list:
    blocks = [html.heading(ctx.t("unc.nb.rules"), anchor="rules", up=_up(ctx)), html.para(ctx.t("unc.nb.rules_note"))]
    table = rules_table(ctx)
    if table is not None:
        blocks.append(table_html(table, ctx.lang, caption=False))
    note = rules_note(ctx.unc_tables(), lang=ctx.lang, headline=False)
    if note:
        blocks.append(html.para(note))
    return blocks


def no_sensitivity(ctx: PageContext) -> str:
    """Why the page has no sensitivity analysis; for the multidimensional model, what it would
    cost and the command that computes it."""
    text = ctx.t("unc.page.no_sensitivity")
    if getattr(ctx.scenario, "poverty_model", "states") == "states":
        return text
    path = display_path(ctx.scenario.file) if getattr(ctx.scenario, "file", None) else "<scenario.yaml>"
    return (
        text + " " + ctx.t("unc.page.no_sensitivity_multidim", command=f"simlib sensitivity {path} --points 32 --out …")
    )


def sensitivity_caption(table: pd.DataFrame, output: str, grouping: str, lang: str) -> str:
    """A sensitivity chart's caption: the grouping, the output it is for with its year («Theo
    loại tham số — Tỷ lệ hộ nghèo toàn tỉnh năm 2025: …»; two charts had the same caption), and,
    when no group's first-order index is precise enough to draw, that every group is marked «*»
    for that reason (the mark then tells no group from another)."""
    rows = table[(table["output"] == output) & (table["grouping"] == grouping)]
    column = i18n.column("output_label", lang)
    label = str(rows[column].iloc[0]) if column in rows.columns and len(rows) else output
    text = i18n.t(f"unc.page.fig_{grouping}", lang, output=label)
    if len(rows) and "S1_reliable" in rows.columns and not rows["S1_reliable"].astype(bool).any():
        text += " " + i18n.t("unc.page.fig_all_marked", lang)
    return text


def sensitivity(ctx: PageContext, points: int = 64, morris: int = 0, options: RunOptions | None = None) -> list:
    """Sobol shares of the variance of the poor rate and of meeting the province target (by kind
    of parameter and by project); Morris screening when `morris` trajectories are asked for. Run
    with `options` (a `RunOptions`; None: its defaults, seed the scenario's)."""
    blocks = [html.heading(ctx.t("unc.nb.sensitivity"), anchor="sensitivity", up=_up(ctx))]
    if points <= 0:
        return blocks + [html.para(no_sensitivity(ctx))]
    sens = sensitivity_analysis(ctx.scenario, n=points, groupings=("kind", "project"), options=options)
    blocks.append(html.para(uncertainty.sensitivity_note(sens, ctx.lang)))
    for output in sens.table["output"].unique():
        blocks.append(
            html.Chart(
                uncertainty.sensitivity_chart(sens, output=output, grouping="kind", lang=ctx.lang),
                sensitivity_caption(sens.table, output, "kind", ctx.lang),
            )
        )
    first = sens.table["output"].iloc[0]
    blocks.append(
        html.Chart(
            uncertainty.sensitivity_chart(sens, output=first, grouping="project", lang=ctx.lang),
            sensitivity_caption(sens.table, first, "project", ctx.lang),
        )
    )
    if morris > 0:
        screen = screening_analysis(ctx.scenario, r=morris, outputs=DEFAULT_OUTPUTS[:1], options=options)
        blocks.append(html.Chart(uncertainty.morris_chart(screen, lang=ctx.lang), ctx.t("unc.page.fig_morris")))
    return blocks


def robustness(
    ctx: PageContext,
    shared: str | Path | None = None,
    compare=(),
    draws: int = 0,
    options: RunOptions | None = None,
) -> list:
    """This allocation against the others on the same draws: from the batch's shared comparison
    (`shared`: its `compare_robustness.csv`), or run here against the scenarios of `compare` with
    `options` (a `RunOptions`; None: its defaults, seed the scenario's)."""
    blocks = [html.heading(ctx.t("unc.nb.robustness"), anchor="robustness", up=_up(ctx))]
    if shared is not None and Path(shared).is_file():
        summary = pd.read_csv(shared)
    elif compare:
        summary = run_robustness(ctx.scenario, compare, draws, options)
    elif ctx.links.compare:  # a batch: compared once for all scenarios, on the comparison page
        return blocks + [
            html.para(ctx.t("unc.page.shared")),
            f"<p>{html.link(ctx.links.compare + '#robustness', ctx.t('unc.page.to_compare'))}</p>",
        ]
    else:
        return blocks + [html.para(ctx.t("unc.nb.no_compare"))]
    if summary is None or summary.empty:
        return blocks + [html.para(ctx.t("unc.nb.no_compare"))]
    blocks += robustness_section_rows(summary, ctx.scenario.name, ctx.lang)
    if ctx.links.compare:
        blocks.append(f"<p>{html.link(ctx.links.compare + '#robustness', ctx.t('unc.page.to_compare'))}</p>")
    return blocks


def footer(ctx: PageContext) -> list:
    """What produced the draws (the run manifest)."""
    return [footer_html(ctx.tables.manifest, ctx.lang)]
