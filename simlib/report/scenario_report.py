"""The scenario report, one function per section (used by `notebooks/scenario_report.ipynb`).

Each section function takes the `ReportContext` (`simlib.report.context`) and returns a list of
blocks — HTML strings and `Chart`s — that `show` displays in the notebook (and that nbconvert
turns into the rendered report). Sections, in order: title (links to the pages around it, a
table of contents), headline, scorecard, trajectories (`trends`), uncertainty, deprivations,
flows, money, coverage (`money`), assumptions, glossary (`assumptions`), footer (the run
manifest). Every verdict on a target comes from `ctx.verdicts` (`simlib.report.verdict`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.money_notes import GroupedAmount
from simlib.report import answer, communes, data, deprivation, html, intervals, money_check, trends, verdict
from simlib.report import assumptions as assumption_notes
from simlib.report import money as money_tables
from simlib.report import scorecard as scorecards
from simlib.report.assumptions import caveats, dataset_estimated_share  # noqa: F401 - the notebook's API
from simlib.report.context import (  # noqa: F401 - the notebook's API
    Links,
    ReportContext,
    context,
    draws_technical_note,
    prepare,
    run_draws,
    short_name,
    show,
    to_html,
)
from simlib.report.levels import Levels
from simlib.report.table import to_html as table_html
from simlib.report.tables import deprivation_tables, export_run
from simlib.report.trends import rate_change_targets  # noqa: F401 - re-exported for the workbench
from simlib.report.uncertainty import probability_figure

#: (anchor, catalogue key) of the sections in the table of contents
TOC = (
    ("headline", "report.section.headline"),
    ("scorecard", "report.section.scorecard"),
    ("trajectories", "report.section.trajectories"),
    ("uncertainty", "report.section.uncertainty"),
    ("deprivations", "report.section.deprivations"),
    ("flows", "report.section.flows"),
    ("money", "report.section.money"),
    ("coverage", "report.section.coverage"),
    ("assumptions", "report.section.assumptions"),
    ("glossary", "report.section.glossary"),
)


def _up(ctx: ReportContext) -> str:
    return ctx.t("report.toc.up")


def role(scen) -> str:
    """'plan', 'reference', 'counterfactual' or 'alternative': the scenario's `role`, or
    'counterfactual' for a scenario without money."""
    r = scen.raw.get("role")
    if r:
        return str(r)
    return "counterfactual" if float(np.sum(scen.budget.amounts)) == 0.0 else "alternative"


def _notes(ctx: ReportContext) -> list[str]:
    """First-screen notes: a counterfactual or a reference (its `role`: equal_split, a naive rule
    to compare with, not a plan; brief64); a what-if run that sets legal rules aside; what the
    legal frame could not check (the run's `legal` record, `simlib.compliance.status`). First of
    all, money likely written in the wrong unit (`money_check`)."""
    out = money_check.notes(ctx)
    said = {"counterfactual": "report.note.counterfactual", "reference": "report.note.reference"}
    if role(ctx.scenario) in said:
        out.append(html.note(ctx.t(said[role(ctx.scenario)])))
    legal = ctx.result.manifest.get("legal") or {}
    ignored = ctx.scenario.ignored_rules or tuple(legal.get("ignored_rules") or ())
    if ignored:
        out.append(html.note(ctx.t("report.note.rules_ignored", rules=", ".join(str(r) for r in ignored))))
    if _rebased(ctx):  # a rate-change target judged across a change of standard: say how, up front
        out += [html.note(n) for n in communes.standard_change_notes(ctx)]
    sentences = legal.get(f"notes_{ctx.lang}") or []
    if sentences:
        out.append(html.para(ctx.t("report.note.legal_frame"), "sl-small") + html.bullet_list(sentences))
    return out + money_notes(ctx.result.manifest, ctx.lang) + communes.switch_notes(ctx)


def money_notes(manifest: dict, lang: str) -> list[str]:
    """A note for each amount of the scenario likely meant in thousands (the manifest's
    `money_notes`, `simlib.money_notes`: how it was read, what to write), so that no reader takes
    the verdict of a run whose money may be a thousand times smaller than the plan's for granted."""
    return [html.note(GroupedAmount(**n).message(lang)) for n in manifest.get("money_notes") or ()]


def _rebased(ctx: ReportContext) -> bool:
    """Whether a target of the run was judged from a re-based previous review (simlib.targets)."""
    targets = ctx.result.targets
    return targets is not None and "rebased" in targets and bool(targets["rebased"].fillna(False).any())


def title(ctx: ReportContext) -> list:
    """Report title, links to the pages around it, what it covers, caveats, contents."""
    scen, h, L = ctx.scenario, ctx.head, ctx.lang
    province = scen.dataset.meta.get(i18n.column("province", L), "")
    engine = ctx.t(f"report.engine.{ctx.result.manifest['engine']}")
    if ctx.spread_shown:
        engine += " — " + ctx.t("report.draws", n=ctx.draws)
    created = fmt.date(ctx.result.manifest.get("created_utc"), L)
    links = [
        (ctx.links.index, ctx.t("report.nav.index")),
        (ctx.links.compare, ctx.t("report.nav.compare")),
        (ctx.links.uncertainty, ctx.t("report.nav.uncertainty")),
    ]
    blocks = [
        html.nav(links),
        f"<h1>{html.esc(ctx.t('report.title', title=scen.title(L)))}</h1>",
        html.para(
            ctx.t(
                "report.subtitle",
                programme=communes.programmes_text(ctx),
                province=province,
                first=h["year_start"] + 1,
                last=h["year_end"],
            ),
            "sl-sub",
        ),
        html.para(ctx.t("report.produced", engine=engine, date=created), "sl-small"),
    ]
    if scen.description(L):
        blocks.append(html.para(scen.description(L)))
    blocks += _notes(ctx)
    blocks.append(html.note(" ".join(caveats(ctx))))
    shown = [(a, ctx.t(k)) for a, k in TOC if _has_section(ctx, a)]
    blocks.append(html.toc(ctx.t("report.toc.title"), shown))
    return blocks


def _has_section(ctx: ReportContext, anchor: str) -> bool:
    if anchor == "uncertainty":
        return ctx.uncertainty is not None or bool(ctx.uncertainty_note)
    if anchor == "deprivations":
        return getattr(ctx.result.tables, "deprivations", None) is not None
    return True


def headline_sentence(ctx: ReportContext) -> str:
    """The poor rate from the baseline to the horizon (and before a change of standard)."""
    h, L, ind = ctx.head, ctx.lang, ctx.tables.indicators
    y0, y1 = h["year_start"], h["year_end"]
    breaks = trends.standard_breaks(ind)
    before = breaks[0] - 1 if breaks else y1
    # both rates as the sentence writes them (two decimals, as the published 24,71 %), and the
    # change between those: «từ 24,7 % xuống 19,1 %, tức giảm 5,65 điểm %» did not add up
    start, end = fmt.shown(h["poor_rate_start"], 2), fmt.shown(data.value_at(ind, "poor_rate", before)[0], 2)
    change = end - start
    sentence = ctx.t(
        "report.headline.fall" if change < 0 else "report.headline.rise",
        start=fmt.percent(start, L, 2),
        end=fmt.percent(end, L, 2),
        interval=intervals.interval(ctx, "poor_rate", before, fmt.percent, "report.headline.interval"),
        y0=y0,
        y1=before,
        change=f"{fmt.number(abs(change), L, 2)} {ctx.t('unit.pts')}",
        n=before - y0,
    )
    if breaks:
        sentence += " " + ctx.t(
            "report.headline.after_break", year=breaks[0], y1=y1, end=fmt.percent(h["poor_rate_end"], L)
        )
    return sentence


def _rate_card(ctx: ReportContext, key: str, indicator: str, breaks: list[int]) -> tuple[str, str, str]:
    h, L = ctx.head, ctx.lang
    y0, y1 = h["year_start"], h["year_end"]
    start, end = (
        data.value_at(ctx.tables.indicators, indicator, y0)[0],
        data.value_at(ctx.tables.indicators, indicator, y1)[0],
    )
    detail = ctx.t("report.card.years", y0=y0, y1=y1) + intervals.interval(ctx, indicator, y1, fmt.percent)
    if breaks:
        before = data.value_at(ctx.tables.indicators, indicator, breaks[0] - 1)[0]
        detail += " " + ctx.t("report.card.before_break", year=breaks[0] - 1, value=fmt.percent(before, L))
    return ctx.t(key), f"{fmt.percent(start, L)} → {fmt.percent(end, L)}", detail


def _movement_cards(ctx: ReportContext, breaks: list[int]) -> list[tuple[str, str, str]]:
    """Households leaving and falling into poverty over the projected years without a change of
    standard; the year of a change apart (its flows include reclassification)."""
    ind, L = ctx.tables.indicators, ctx.lang
    ys = [y for y in data.years(ind)[1:] if y not in breaks]
    tot = {
        i: sum(data.value_at(ind, i, y)[0] for y in ys)
        for i in ("escapes", "poor_to_near_poor", "relapses", "new_poor")
    }
    span = f"{ys[0]}–{ys[-1]}" if ys else "–"
    if breaks:
        span += " " + ctx.t("report.card.except_break", years=", ".join(str(y) for y in breaks))
    cards = [
        (
            ctx.t("report.card.left_poverty_span", span=span),
            fmt.households(tot["escapes"] + tot["poor_to_near_poor"], L),
            ctx.t(
                "report.card.left_poverty_detail",
                escapes=fmt.number(tot["escapes"], L),
                near=fmt.number(tot["poor_to_near_poor"], L),
            ),
        ),
        (
            ctx.t("report.card.fell_in_span", span=span),
            fmt.households(tot["relapses"] + tot["new_poor"], L),
            ctx.t(
                "report.card.fell_in_detail",
                relapses=fmt.number(tot["relapses"], L),
                new=fmt.number(tot["new_poor"], L),
            ),
        ),
    ]
    for y in breaks:
        d_poor = data.value_at(ind, "poor", y)[0] - data.value_at(ind, "poor", y - 1)[0]
        d_near = data.value_at(ind, "near_poor", y)[0] - data.value_at(ind, "near_poor", y - 1)[0]
        cards.append(
            (
                ctx.t("report.card.break", year=y),
                fmt.signed(d_poor, L) + " " + ctx.t("unit.households"),
                ctx.t("report.card.break_detail", near=fmt.signed(d_near, L)),
            )
        )
    return cards


def headline(ctx: ReportContext) -> list:
    """The first screen: the poor rate to the horizon, the verdict on the targets in their own
    years (and which are not surely met, by how much), the key figures with their intervals."""
    h, L = ctx.head, ctx.lang
    y1 = h["year_end"]
    breaks = trends.standard_breaks(ctx.tables.indicators)
    cards = [
        _rate_card(ctx, "report.card.poor_rate", "poor_rate", breaks),
        _rate_card(ctx, "report.card.near_poor_rate", "near_poor_rate", breaks),
    ]
    if "poor_near_poor_rate" in set(ctx.tables.indicators["indicator"]):
        cards.append(_rate_card(ctx, "report.card.poor_near_poor_rate", "poor_near_poor_rate", breaks))
    cards += _movement_cards(ctx, breaks)
    fewer = fmt.households(h["poor_fewer_end"], L) if np.isfinite(h["poor_fewer_end"]) else fmt.DASH
    cards.append(
        (
            ctx.t("report.card.fewer_poor", y1=y1),
            fewer,
            ctx.t("report.card.fewer_poor_detail")
            + intervals.interval(ctx, "poor_fewer_than_without_programme", y1, fmt.households),
        )
    )
    cards.append(
        (
            ctx.t("report.card.cost_per_lifted"),
            fmt.million_vnd(h["cost_per_household_lifted_end"], L, 1),
            ctx.t(
                "report.card.cost_detail",
                money=fmt.number(h["spend_total_billion"], L, 1),
                y0=h["year_start"] + 1,
                y1=y1,
            )
            + intervals.cost(ctx, y1),
        )
    )
    cards += _verdict_cards(ctx)
    blocks = [
        html.heading(ctx.t("report.section.headline"), anchor="headline", up=_up(ctx)),
        html.para(headline_sentence(ctx)),
    ]
    if ctx.intervals is not None:  # the programme's share and cost as intervals over posterior draws
        blocks.append(html.para(ctx.intervals.sentence(L)))
    blocks.append(html.para(assumption_notes.disbursement_text(ctx), "sl-small"))  # money spent is not money planned
    box = answer.verdict_answer(ctx)
    if box:
        blocks.append(box)
    blocks.append(html.cards(cards))
    blocks += not_sure(ctx)
    if ctx.spread_shown:
        blocks.append(html.para(ctx.t("report.spread_note", n=ctx.draws), "sl-small"))
    return blocks


def _verdict_cards(ctx: ReportContext) -> list[tuple[str, str, str]]:
    v = verdict.headline_verdicts(ctx.verdicts)
    if v.empty:
        return []
    c = verdict.counts(ctx.verdicts)
    years = ", ".join(str(y) for y in sorted(v["year"].unique()))
    value, detail = scorecards.reading_card(ctx.verdicts, ctx.lang, Levels.of(ctx)) or (
        f"{c['met']}/{len(v)}",
        ctx.t(verdict.count_key(ctx.verdicts, "report.card.targets_verdict"), **c),
    )
    out = [(ctx.t("report.card.targets_met", year=years), value, detail)]
    if ctx.uncertainty is not None:
        year = int(sorted(v["year"].unique())[0])
        u = ctx.uncertainty
        card = scorecards.all_targets_card(u.outcomes, year, u.info["draws"], ctx.lang, Levels.of(ctx))
        if card is not None:
            out.append(card)
    return out


def not_sure(ctx: ReportContext) -> list:
    """The targets of their own years that are not met or not surely met: status, probability (or
    that the verdict is the central projection's, without draws), shortfall."""
    v = verdict.headline_verdicts(ctx.verdicts)
    v = v[v["status"] != "met"]
    if v.empty:
        return []
    items = []
    for _, r in v.iterrows():
        text = f"{r[i18n.column('label', ctx.lang)]} ({r['year']}): {scorecards.status_word(r['status'], ctx.lang).lower()}"
        if np.isfinite(r["probability"]):
            words = scorecards.probability_words(ctx.verdicts, r, ctx.lang, lambda: Levels.of(ctx))
            text += f", {words} {fmt.percent(100 * r['probability'], ctx.lang, 0)}"
        elif r["basis"] == "projection":  # no draws: the central projection's verdict, not a certainty
            text += f" {ctx.t('report.headline.by_projection')}"
        short = scorecards.shortfall_text(r, ctx.lang)
        items.append(text + (f"; {short}" if short else ""))
    head = "report.headline.not_met_central" if verdict.central_only(ctx.verdicts) else "report.headline.not_sure"
    return [html.para(ctx.t(head)), html.bullet_list(items)]


def scorecard(ctx: ReportContext) -> list:
    """Each target: projected value, 90 % interval, verdict and probability, in its own years
    and then as an outlook."""
    blocks = [
        html.heading(ctx.t("report.section.scorecard"), anchor="scorecard", up=_up(ctx)),
        html.para(
            ctx.t(
                "report.scorecard.intro",
                p_met=fmt.percent(100 * verdict.P_MET, ctx.lang, 0),
                p_not=fmt.percent(100 * verdict.P_NOT_MET, ctx.lang, 0),
            )
        ),
        scorecards.scorecard_html(ctx.verdicts, ctx.lang, ctx.area_names, Levels.of(ctx)),
    ]
    note = scorecards.former_districts_note(ctx.verdicts, ctx.scenario.dataset.units, ctx.lang, Levels.of(ctx))
    if note:
        blocks.append(html.para(note, "sl-small"))
    if ctx.uncertainty is None:  # the answer says why no draws ran; here, what the cells lack
        blocks.append(html.para(ctx.t("report.scorecard.central_note"), "sl-small"))
        if not ctx.uncertainty_note:  # no section on how sure: its technical note is here
            blocks.append(html.para(draws_technical_note(ctx.scenario, ctx.draws_asked, ctx.lang), "sl-small"))
    else:
        blocks.append(
            html.para(
                Levels.of(ctx).t_over(
                    "report.scorecard.probability_note",
                    ctx.lang,
                    verdict.headline_verdicts(ctx.verdicts)["year"].unique(),
                    n=ctx.uncertainty.info["draws"],
                ),
                "sl-small",
            )
        )
    return blocks


def trajectories(ctx: ReportContext) -> list:
    return trends.trajectories(ctx)


def uncertainty(ctx: ReportContext) -> list:
    """How sure the projection is, when parameter draws were asked for: fan charts of the poor
    rate against the target steps, the probability of meeting each target in its own year."""
    head = html.heading(ctx.t("report.section.uncertainty"), anchor="uncertainty", up=_up(ctx))
    technical = html.para(draws_technical_note(ctx.scenario, ctx.draws_asked, ctx.lang), "sl-small")
    if ctx.uncertainty_note and ctx.uncertainty is None:
        return [head, html.para(ctx.uncertainty_note), technical]
    if ctx.unc_tables() is None or ctx.uncertainty is None:
        return []
    info, L = ctx.uncertainty.info, ctx.lang
    samples = int(info.get("samples", info["draws"]))
    intro = ctx.t(
        "report.uncertainty.intro",
        n=info["draws"],
        sampler=i18n.label("unc.sampler", info["sampler"], L),
        seed=info["seed"],
        k=info.get("parameters", "–"),
    )
    if int(info.get("replications", 1)) > 1:
        intro += " " + ctx.t("report.uncertainty.replications", r=int(info["replications"]), samples=samples)
    blocks = [head, html.para(intro)] + ([html.para(ctx.uncertainty_note), technical] if ctx.uncertainty_note else [])
    blocks.append(trends.fan_panels(ctx))
    v = verdict.headline_verdicts(ctx.verdicts)
    if len(v) and v["probability"].notna().any():
        probs = v.rename(columns={"probability": "probability_met"})
        blocks.append(probability_figure(probs, L, sorted(v["year"].unique())))  # every year judged
    pm = 100 * 1.96 * np.sqrt(0.25 / max(1, samples))
    blocks.append(html.para(ctx.t("report.uncertainty.precision", n=samples, pm=fmt.number(pm, L, 0)), "sl-small"))
    if ctx.links.uncertainty:
        blocks.append(f"<p>{html.link(ctx.links.uncertainty, ctx.t('report.uncertainty.details'))}</p>")
    return blocks


def deprivations(ctx: ReportContext) -> list:
    """The deprivation dimensions (multidimensional model): which improve, where, thanks to which
    line; poverty gap and severity; a note where the poverty standard changes."""
    if getattr(ctx.result.tables, "deprivations", None) is None:
        return []
    sec = deprivation.deprivation_section(ctx.result, lang=ctx.lang, unit_names=ctx.unit_names)
    captions = {
        "shares": "report.fig.dep_shares",
        "districts": "report.fig.dep_districts",
        "lines": "report.fig.dep_lines",
        "fgt": "report.fig.dep_fgt",
    }
    blocks = [html.heading(ctx.t("report.section.deprivations"), anchor="deprivations", up=_up(ctx))]
    blocks += [html.para(t) for t in sec.texts]
    lv = Levels.of(ctx)
    blocks += [
        html.Chart(
            fig, (lv.t_last if key == "districts" else lv.t)(captions.get(key, "report.fig.dep_shares"), ctx.lang)
        )
        for key, fig in sec.figures.items()
    ]
    blocks += [table_html(t, ctx.lang) for t in deprivation_tables(ctx)]
    return blocks


def flows(ctx: ReportContext) -> list:
    return money_tables.flows(ctx)


def money(ctx: ReportContext) -> list:
    return money_tables.money(ctx)


def coverage(ctx: ReportContext) -> list:
    return money_tables.coverage(ctx)


def assumptions(ctx: ReportContext) -> list:
    return assumption_notes.assumptions(ctx) + assumption_notes.glossary(ctx)


def footer(ctx: ReportContext) -> list:
    """The run manifest: what produced this report (scenario, hashes, versions, seed)."""
    return [assumption_notes.footer_html(ctx.result.manifest, ctx.lang)]


def scorecard_html(targets, lang: str, unit_names: dict, spread_shown: bool = False, probabilities=None) -> str:
    """The scorecard of a targets table alone (no parameter draws), for the workbench's view."""
    ind = pd.DataFrame(columns=["indicator", "geo", "year", "value"])
    return scorecards.scorecard_html(verdict.verdict_table(targets, ind), lang, unit_names)


SECTIONS = (
    title,
    headline,
    scorecard,
    trajectories,
    uncertainty,
    deprivations,
    flows,
    money,
    coverage,
    assumptions,
    footer,
)


def build(ctx: ReportContext) -> list:
    """Every section's blocks, in order (for a report made without a notebook, e.g. tests)."""
    out: list = []
    for s in SECTIONS:
        out.extend(s(ctx))
    return out


def export(ctx: ReportContext, output_dir: str | Path, parameters: dict | None = None) -> list[str]:
    """Write the run's tables (machine-readable CSV, the report's tables as CSV and XLSX) and
    its manifest into `output_dir` (see `simlib.report.tables.export_run`); `parameters` are the
    notebook's, recorded in the manifest with the scenario's role."""
    info = {
        "notebook": "scenario_report.ipynb",
        "lang": ctx.lang,
        "role": role(ctx.scenario),
        "parameters": dict(parameters or {}),
    }
    return export_run(ctx, output_dir, info)
