"""The scenario report, one function per section (used by `notebooks/scenario_report.ipynb`).

Each section function takes the `ReportContext` and returns a list of blocks — HTML strings
and `Chart`s — that `show` displays in the notebook (and that nbconvert turns into the
rendered report). Sections, in order: title, headline, scorecard, trajectories,
uncertainty (fan charts and the probability of meeting each target, only when parameter draws
were asked for), flows, money, coverage, assumptions, footer (the run manifest).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import charts as C
from simlib.report import data as D
from simlib.report import html as H
from simlib.report.data import RunTables


@dataclass
class ReportContext:
    """What every section reads: the run, its tables, the language and display names."""

    result: object  # simlib.runner.RunResult
    tables: RunTables
    lang: str
    unit_names: dict = field(default_factory=dict)
    head: dict = field(default_factory=dict)
    #: the parameter draws (`simlib.uncertainty.UncertaintyResult`), when asked for
    uncertainty: object | None = None
    #: link (relative to the report) to the detailed uncertainty report, when there is one
    uncertainty_link: str | None = None
    #: why draws were asked for but not run (e.g. the multidimensional model), shown in their place
    uncertainty_note: str = ""

    def t(self, key: str, **kw) -> str:
        return i18n.t(key, self.lang, **kw)

    @property
    def scenario(self):
        return self.result.scenario

    @property
    def draws(self) -> int:
        return self.tables.draws

    @property
    def spread_shown(self) -> bool:
        return self.draws > 1

    def unc_tables(self) -> dict | None:
        """The uncertainty tables as `simlib.report.uncertainty` reads them (with the central
        run's indicators for the fan charts), or None without parameter draws."""
        u = self.tables.uncertainty
        return None if u is None else dict(u, indicators=self.tables.indicators)

    def target_probabilities(self):
        """Per target and year: probability of meeting it in every area it covers (None
        without parameter draws); see `simlib.uncertainty.summaries.target_probabilities`."""
        return self.tables.target_probabilities()


def prepare(
    scenario: str | Path,
    engine: str = "expected",
    draws: int = 1,
    seed: int | None = None,
    lang: str = "vi",
    set_items: Sequence[str] = (),
    uncertainty: int = 0,
    sampler: str = "lhs",
    executor: str = "serial",
    jobs: int | None = None,
    uncertainty_link: str | None = None,
) -> ReportContext:
    """Load and run a scenario for its report.

    With `uncertainty` = N > 0, also run N parameter draws (`sampler` lhs | sobol | random,
    seeded by `seed`; with the microsimulation, `draws` replications each) through
    `simlib.uncertainty.run_uncertainty` on `executor` with `jobs` workers (serial by default:
    inside `simlib batch` the scenarios already run in parallel)."""
    from simlib.runner import run
    from simlib.scenario import load_scenario

    lang = i18n.get_lang(lang)
    scen = load_scenario(scenario, list(set_items or []))
    res = run(scen, engine=engine, draws=int(draws), seed=seed)
    note = ""
    if uncertainty and scen.poverty_model != "states":  # draws need the states model's engines
        uncertainty, note = 0, i18n.t("report.uncertainty.states_only", lang)
    unc = run_draws(res, int(uncertainty or 0), sampler=sampler, executor=executor, jobs=jobs) if uncertainty else None
    ctx = context(res, lang, unc, uncertainty_link)
    ctx.uncertainty_note = note
    return ctx


def run_draws(result, n: int, sampler: str = "lhs", executor: str = "serial", jobs: int | None = None):
    """N parameter draws of a run's scenario, with the run's engine, replications and seed."""
    from simlib.errors import InputError
    from simlib.uncertainty.run import run_uncertainty
    from simlib.uncertainty.sampling import METHODS

    if n < 1:
        raise InputError("draws", field="uncertainty", value=n)
    if sampler not in METHODS:
        raise InputError("enum", field="sampler", value=sampler, allowed=METHODS)
    m = result.manifest
    return run_uncertainty(
        result.scenario,
        n,
        engine=m["engine"],
        draws=int(m["draws"]),
        method=sampler,
        seed=m["seed"],
        executor=executor,
        jobs=jobs,
    )


def context(result, lang: str = "vi", uncertainty=None, uncertainty_link: str | None = None) -> ReportContext:
    """A report context for a run already in memory (and its parameter draws, if any)."""
    lang = i18n.get_lang(lang)
    tabs = RunTables.from_result(result)
    units = result.scenario.dataset.units
    names = dict(zip(units["unit_id"], units[i18n.column("name", lang)]))
    if uncertainty is not None:
        u = uncertainty
        tabs.uncertainty = {
            "quantiles": u.quantiles,
            "targets": u.targets,
            "rules": u.rules,
            "outcomes": u.outcomes,
            "parameters": u.parameters,
            "space": u.space,
            "info": u.info,
        }
    return ReportContext(
        result, tabs, lang, names, D.headline(tabs.indicators, tabs.targets), uncertainty, uncertainty_link or None
    )


def to_html(blocks: Sequence) -> str:
    """Blocks as one HTML fragment (charts become embedded PNGs)."""
    out = []
    for b in blocks:
        out.append(H.figure(b) if isinstance(b, H.Chart) else str(b))
    return "\n".join(out)


def show(blocks: Sequence) -> None:
    """Display blocks in a notebook as one HTML output (so the report carries no code); a
    section with nothing to say displays nothing."""
    from IPython.display import HTML, display

    if blocks:
        display(HTML(to_html(blocks)))


# --------------------------------------------------------------------------- helpers


def short_name(code: str, catalogue, lang: str, width: int = 46) -> str:
    """`P3.1 Hỗ trợ phát triển sản xuất…`: the code and a short display name (a translation
    key `short.<code>` when there is one, else the catalogue name shortened)."""
    key = f"short.{code}"
    if i18n.has(key):
        name = i18n.t(key, lang)
    elif code in catalogue.lines:
        name = catalogue.lines[code].name(lang)
    elif code in catalogue.projects:
        name = catalogue.projects[code].name(lang)
    else:
        name = code
    return f"{code} " + textwrap.shorten(name, width, placeholder="…")


def _with_spread(ctx: ReportContext, h: dict, key: str, f) -> str:
    if not ctx.spread_shown:
        return ""
    return ctx.t("report.spread_range", low=f(h[key + "_lo"], ctx.lang), high=f(h[key + "_hi"], ctx.lang))


def rate_change_targets(targets, geo_types=("province", "poor_districts", "ethnic_group")) -> dict:
    """{geo: threshold in points per year} of the poor-rate change targets in a target table."""
    sel = targets[(targets["indicator"] == "poor_rate_change") & targets["geo_type"].isin(geo_types)]
    return {g: float(v) for g, v in sel.groupby("geo", sort=False)["threshold"].first().items()}


def _series(ind, indicator, geo, label, style, geo_type=None, value_labels=False) -> C.Series:
    s = D.series(ind, indicator, geo, geo_type)
    return C.Series(
        label, s["year"].tolist(), s["mean"].tolist(), s["lo"].tolist(), s["hi"].tolist(), style, value_labels
    )


# --------------------------------------------------------------------------- sections


def title(ctx: ReportContext) -> list:
    """Report title, what it covers, and the caveat on estimated data and assumed effects."""
    scen, h = ctx.scenario, ctx.head
    province = scen.dataset.meta.get(i18n.column("province", ctx.lang), "")
    engine = ctx.t(f"report.engine.{ctx.result.manifest['engine']}")
    if ctx.spread_shown:
        engine += " — " + ctx.t("report.draws", n=ctx.draws)
    created = fmt.date(ctx.result.manifest.get("created_utc"), ctx.lang)
    blocks = [
        f"<h1>{H.esc(ctx.t('report.title', title=scen.title(ctx.lang)))}</h1>",
        H.para(ctx.t("report.subtitle", province=province, first=h["year_start"] + 1, last=h["year_end"]), "sl-sub"),
        H.para(ctx.t("report.produced", engine=engine, date=created), "sl-small"),
    ]
    if scen.description(ctx.lang):
        blocks.append(H.para(scen.description(ctx.lang)))
    blocks.append(H.note(" ".join(caveats(ctx))))
    return blocks


def dataset_estimated_share(dataset) -> float | None:
    """Share of baseline households in rows flagged `estimated` (None if the data say nothing)."""
    import pandas as pd

    f = Path(dataset.path) / str(dataset.meta.get("baseline_file", f"baseline_{dataset.baseline_year}.csv"))
    try:
        df = pd.read_csv(f, usecols=["households", "estimated"], dtype={"estimated": str})
    except (OSError, ValueError):
        return None
    est = df["estimated"].str.strip().str.lower().isin(["true", "1", "yes"])
    total = df["households"].sum()
    return float(df.loc[est, "households"].sum() / total) if total else None


def effect_assumptions(program: dict) -> tuple[int, int]:
    """(effect sizes flagged as assumptions, all effect sizes) in the programme parameters."""
    n = total = 0
    for d in program["lines"].values():
        for q in (d.get("effects") or {}).values():
            total += 1
            n += _basis(q) == "assumption"
    return n, total


def caveats(ctx: ReportContext) -> list[str]:
    """How to read the figures: projections, not statistics; estimated baseline and assumed
    effect sizes when that is what the inputs say."""
    out = [ctx.t("report.caveat.base")]
    share = dataset_estimated_share(ctx.scenario.dataset)
    if share is not None and share > 0.5:
        out.append(ctx.t("report.caveat.estimated"))
    n, total = effect_assumptions(ctx.scenario.params["program"])
    if n:
        out.append(ctx.t("report.caveat.assumed", n=n, total=total))
    return out


def headline(ctx: ReportContext) -> list:
    """Poor and near-poor rates now and projected, households leaving poverty, relapses and new
    poor, households kept out of poverty by the programme, cost per household lifted out."""
    h, L = ctx.head, ctx.lang
    y0, y1 = h["year_start"], h["year_end"]
    n_years = y1 - y0
    change = h["poor_rate_end"] - h["poor_rate_start"]
    key = "report.headline.fall" if change < 0 else "report.headline.rise"
    sentence = ctx.t(
        key,
        start=fmt.percent(h["poor_rate_start"], L),
        end=fmt.percent(h["poor_rate_end"], L),
        y0=y0,
        y1=y1,
        change=f"{fmt.number(abs(change), L, 2)} {ctx.t('unit.pts')}",
        n=n_years,
    )
    cards = [
        (
            ctx.t("report.card.poor_rate"),
            f"{fmt.percent(h['poor_rate_start'], L)} → {fmt.percent(h['poor_rate_end'], L)}",
            ctx.t("report.card.years", y0=y0, y1=y1) + _with_spread(ctx, h, "poor_rate_end", fmt.percent),
        ),
        (
            ctx.t("report.card.near_poor_rate"),
            f"{fmt.percent(h['near_poor_rate_start'], L)} → {fmt.percent(h['near_poor_rate_end'], L)}",
            ctx.t("report.card.years", y0=y0, y1=y1) + _with_spread(ctx, h, "near_poor_rate_end", fmt.percent),
        ),
        (
            ctx.t("report.card.left_poverty", y0=y0 + 1, y1=y1),
            fmt.households(h["left_poverty_total"], L),
            ctx.t(
                "report.card.left_poverty_detail",
                escapes=fmt.number(h["escapes_total"], L),
                near=fmt.number(h["poor_to_near_poor_total"], L),
            ),
        ),
        (
            ctx.t("report.card.fell_in", y0=y0 + 1, y1=y1),
            fmt.households(h["relapses_total"] + h["new_poor_total"], L),
            ctx.t(
                "report.card.fell_in_detail",
                relapses=fmt.number(h["relapses_total"], L),
                new=fmt.number(h["new_poor_total"], L),
            ),
        ),
        (
            ctx.t("report.card.fewer_poor", y1=y1),
            fmt.households(h["poor_fewer_end"], L),
            ctx.t("report.card.fewer_poor_detail") + _with_spread(ctx, h, "poor_fewer_end", fmt.households),
        ),
        (
            ctx.t("report.card.cost_per_lifted"),
            fmt.million_vnd(h["cost_per_household_lifted_end"], L, 1),
            ctx.t("report.card.cost_detail", money=fmt.number(h["spend_total_billion"], L, 1), y0=y0 + 1, y1=y1),
        ),
        (
            ctx.t("report.card.targets_met", year=y1),
            f"{h['targets_met']}/{h['targets_total']}",
            ctx.t("report.card.targets_detail"),
        ),
    ]
    cards += _all_targets_card(ctx, y1)
    blocks = [H.heading(ctx.t("report.section.headline"), anchor="headline"), H.para(sentence), H.cards(cards)]
    st = D.target_status(ctx.tables.targets)
    missed = st[(st["year"] == y1) & ~st["met"]]
    if len(missed):
        labels = ctx.tables.targets.drop_duplicates("target_id").set_index("target_id")[i18n.column("label", L)]
        blocks.append(H.para(ctx.t("report.headline.missed", year=y1)))
        blocks.append(H.bullet_list([labels[t] for t in missed["target_id"]]))
    if ctx.spread_shown:
        blocks.append(H.para(ctx.t("report.spread_note", n=ctx.draws), "sl-small"))
    return blocks


def _all_targets_card(ctx: ReportContext, year: int) -> list:
    """With parameter draws: a card with the probability of meeting every target in `year`."""
    if ctx.uncertainty is None:
        return []
    from simlib.uncertainty.summaries import all_targets_probability

    p = all_targets_probability(ctx.uncertainty.outcomes).get(year)
    if p is None:
        return []
    return [
        (
            ctx.t("report.card.all_targets", year=year),
            fmt.percent(100 * p, ctx.lang, 0),
            ctx.t("report.card.all_targets_detail", n=ctx.uncertainty.info["draws"]),
        )
    ]


def _value_text(indicator: str, v: float, lang: str, unit: bool = True) -> str:
    if indicator.endswith("_change"):
        return fmt.signed(v, lang, 2) + (f" {i18n.t('unit.pts_short', lang)}" if unit else "")
    if indicator.endswith("_rate") or indicator in D.COVERAGE_INDICATORS:
        return fmt.percent(v, lang)
    return fmt.number(v, lang, 1)


def _status_html(ctx: ReportContext, met: bool, share: float) -> str:
    text = ("✓ " + ctx.t("target.met")) if met else ("✗ " + ctx.t("target.not_met"))
    cls = "sl-met" if met else "sl-notmet"
    extra = (
        f' <span class="sl-small">({ctx.t("report.share_of_draws", pct=fmt.percent(100 * share, ctx.lang, 0))})</span>'
        if ctx.spread_shown
        else ""
    )
    return f'<span class="{cls}">{H.esc(text)}</span>{extra}'


def probability_span(
    p: float, lang: str, target_id: str = "", geo: str = "", year: int | str = "", kind: str = "cell"
) -> str:
    """A probability of meeting a target as HTML, carrying its exact value (`data-probability`,
    a share 0–1) and what it is about, so readers and tests see the same number."""
    attrs = f'data-probability="{p:.6f}" data-kind="{H.esc(kind)}" data-target="{H.esc(target_id)}" data-geo="{H.esc(geo)}" data-year="{H.esc(year)}"'
    return f'<span class="sl-prob" {attrs}>{H.esc(fmt.percent(100 * p, lang, 0))}</span>'


def scorecard_html(targets, lang: str, unit_names: dict, spread_shown: bool, probabilities=None) -> str:
    """The scorecard table: one row per target and area, one column per projected year with
    the projected value and met / not met; the threshold beside the target. With
    `probabilities` (`uncertainty_targets.csv`: one row per target, area and year), the
    probability of meeting the target in that area over the parameter draws is shown beside
    met / not met."""
    ctx_t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    sc = D.scorecard(targets)
    if sc.empty:
        return H.para(ctx_t("report.no_targets"))
    years = sorted(sc["year"].unique())
    header = [ctx_t("table.target"), ctx_t("table.area"), ctx_t("table.threshold")] + [str(y) for y in years]
    rows, classes = [], []
    from simlib.report.tables import geo_name

    prob = {}
    if probabilities is not None:
        prob = {
            (a, g, int(y)): float(p)
            for a, g, y, p in zip(
                probabilities["target_id"],
                probabilities["geo"],
                probabilities["year"],
                probabilities["probability_met"],
            )
        }

    for (tid, gt, geo), g in sc.groupby(["target_id", "geo_type", "geo"], sort=False):
        first = g.iloc[0]
        label = first[i18n.column("label", lang)]
        comp = "≤" if first["comparison"] == "<=" else "≥"
        cells = [
            "" if first["detail"] else H.esc(label),
            f'<span class="sl-nw">{H.esc(geo_name(gt, geo, lang, unit_names))}</span>',
            H.esc(f"{comp} {_value_text(first['indicator'], first['threshold'], lang)}"),
        ]
        for y in years:
            r = g[g["year"] == y]
            if r.empty:
                cells.append("–")
                continue
            r = r.iloc[0]
            val = _value_text(r["indicator"], r["value"], lang, unit=False)
            if spread_shown:
                val += f'<br><span class="sl-small">{H.esc(fmt.span(r["lo"], r["hi"], lambda x, lg, r=r: _value_text(r["indicator"], x, lg, False), lang))}</span>'
            text = ("✓ " + ctx_t("target.met")) if r["met"] else ("✗ " + ctx_t("target.not_met"))
            cls = "sl-met" if r["met"] else "sl-notmet"
            share = (
                f' <span class="sl-small">({ctx_t("report.share_of_draws", pct=fmt.percent(100 * r["share_met"], lang, 0))})</span>'
                if spread_shown
                else ""
            )
            p = prob.get((tid, geo, int(y)))
            if p is not None and np.isfinite(p):
                share += (
                    f'<br><span class="sl-small">{H.esc(ctx_t("report.probability_label"))} '
                    f"{probability_span(p, lang, tid, geo, int(y))}</span>"
                )
            cells.append(f'{val}<br><span class="{cls}">{H.esc(text)}</span>{share}')
        rows.append(cells)
        classes.append("sub" if first["detail"] else "")
    numeric = [False, False, True] + [True] * len(years)
    return H.table(header, rows, numeric=numeric, row_classes=classes, raw_cols=range(len(header)))


def scorecard(ctx: ReportContext) -> list:
    """Each target of the plan: projected value, target, met or not (per projected year)."""
    blocks = [H.heading(ctx.t("report.section.scorecard"), anchor="scorecard"), H.para(ctx.t("report.scorecard.intro"))]
    probs = ctx.uncertainty.targets if ctx.uncertainty is not None else None
    blocks.append(scorecard_html(ctx.tables.targets, ctx.lang, ctx.unit_names, ctx.spread_shown, probs))
    if ctx.spread_shown:
        blocks.append(H.para(ctx.t("report.scorecard.spread_note", n=ctx.draws), "sl-small"))
    if probs is not None:
        blocks.append(H.para(ctx.t("report.scorecard.probability_note", n=ctx.uncertainty.info["draws"]), "sl-small"))
    return blocks


def rate_panels(ind, targets, lang: str) -> C.Chart:
    """Poor rate of the province, the poor districts together and ethnic-minority households,
    each against the path its target asks for."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    thresholds = rate_change_targets(targets)
    y = D.years(ind)
    panels = []
    for geo, gt in (
        ("province", "province"),
        ("poor_districts", "poor_districts"),
        ("ethnic_minority", "ethnic_group"),
    ):
        s = _series(ind, "poor_rate", geo, t("report.projected"), 0, gt)
        tg = []
        if geo in thresholds and len(s.y):
            xs, ys = D.target_path(s.y[0], thresholds[geo], y[0], y[1:])
            tg.append(C.Target(t("report.target_path"), xs, ys))
        panels.append(C.Panel(i18n.label("geo", geo, lang), [s], tg))
    fig = C.line_panels(
        panels,
        ylabel=t("axis.poor_rate"),
        xlabel=t("axis.year"),
        lang=lang,
        ncols=3,
        value_fmt=lambda v: fmt.percent(v, lang),
        legend=[(t("report.projected"), 0), (t("report.target_path_legend"), "target")],
        panel_height=2.6,
    )
    parts = [
        f"{i18n.label('geo', g, lang, default=g)} {fmt.points(v, lang, 0)}/{t('unit.year')}"
        for g, v in thresholds.items()
    ]
    return H.Chart(fig, t("report.fig.rates", targets="; ".join(parts)))


def district_panels(ind, targets, lang: str, unit_names: dict, poor_units: Sequence[str]) -> C.Chart:
    """Small multiples: the poor rate of every district, with the poor-district target path."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    thr = rate_change_targets(targets, ("poor_districts",)).get("poor_districts")
    y = D.years(ind)
    panels = []
    for u, name in unit_names.items():
        s = _series(ind, "poor_rate", u, t("report.projected"), 0, "district")
        tg = []
        title = name
        if u in poor_units:
            title += " ★"
            if thr is not None and len(s.y):
                xs, ys = D.target_path(s.y[0], thr, y[0], y[1:])
                tg.append(C.Target(t("report.target_path"), xs, ys))
        panels.append(C.Panel(title, [s], tg))
    fig = C.line_panels(
        panels,
        ylabel=t("axis.poor_rate_short"),
        xlabel=t("axis.year"),
        lang=lang,
        ncols=5,
        value_fmt=lambda v: fmt.percent(v, lang),
        legend=[(t("report.projected"), 0), (t("report.target_path_legend"), "target")],
        panel_height=2.0,
    )
    cap = t("report.fig.districts", rule=fmt.points(thr, lang, 0) if thr is not None else "–")
    return H.Chart(fig, cap)


def district_table(ind, lang: str, unit_names: dict, poor_units: Sequence[str], threshold: float | None) -> str:
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    ys = D.years(ind)
    header = [t("table.district")] + [str(y) for y in ys] + [t("table.change_per_year", y0=ys[0], y1=ys[-1])]
    rows = []
    for u, name in unit_names.items():
        s = D.series(ind, "poor_rate", u, "district").set_index("year")["mean"]
        ch = (s.iloc[-1] - s.iloc[0]) / max(1, len(s) - 1)
        label = name + (" ★" if u in poor_units else "")
        rows.append([label] + [fmt.percent(s.get(y), lang) for y in ys] + [fmt.points(ch, lang)])
    return H.table(header, rows, numeric=[False] + [True] * (len(ys) + 1), caption=t("report.table.districts"))


def trajectories(ctx: ReportContext) -> list:
    """Poor rate over the years: province, poor districts, ethnic-minority households and every
    district, against the target lines."""
    ind, L = ctx.tables.indicators, ctx.lang
    poor_units = [u for u, p in zip(ctx.scenario.dataset.unit_ids, ctx.scenario.dataset.poor_district) if p]
    thr = rate_change_targets(ctx.tables.targets, ("poor_districts",)).get("poor_districts")
    blocks = [
        H.heading(ctx.t("report.section.trajectories"), anchor="trajectories"),
        H.para(ctx.t("report.trajectories.intro")),
    ]
    blocks.append(rate_panels(ind, ctx.tables.targets, L))
    blocks.append(district_panels(ind, ctx.tables.targets, L, ctx.unit_names, poor_units))
    blocks.append(district_table(ind, L, ctx.unit_names, poor_units, thr))
    if ctx.spread_shown:
        blocks.append(H.para(ctx.t("report.band_note", n=ctx.draws), "sl-small"))
    return blocks


def fan_panels(tables: dict, lang: str) -> H.Chart:
    """Fan charts of the poor rate of the province, the poor districts together and
    ethnic-minority households over the parameter draws, each against its target path."""
    import matplotlib

    from simlib.report import uncertainty as U

    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    geos = ("province", "poor_districts", "ethnic_minority")
    fig = C._figure(C.WIDTH, 3.3)
    with matplotlib.rc_context(C.RC):
        axes = fig.subplots(1, len(geos), sharey=True)
        for i, (ax, geo) in enumerate(zip(axes, geos)):
            U.fan_chart(tables, "poor_rate", geo, lang=lang, ax=ax, legend=False, title=False)
            ax.set_title(i18n.label("geo", geo, lang), loc="left", fontsize=9)
            ax.set_xlabel(t("axis.year"), fontsize=8.5)
            ax.set_ylabel(t("axis.poor_rate") if i == 0 else "")
            ax.grid(alpha=1.0)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper left", ncols=3, fontsize=8.5)
    return H.Chart(fig, t("report.fig.fans"))


def probability_table_html(probs, lang: str) -> str:
    """Per target: the probability of meeting it in each projected year (in every area it
    covers), with the median and 90 % interval of its value in the area it names."""
    from simlib.report.tables import geo_name

    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    years = sorted(int(y) for y in probs["year"].unique())
    header = [t("table.target"), t("table.area"), t("table.threshold")] + [str(y) for y in years]
    rows = []
    for tid, g in probs.groupby("target_id", sort=False):
        first = g.iloc[0]
        comp = "≤" if first["comparison"] == "<=" else "≥"
        area = geo_name(first["geo_type"], first["geo"], lang)
        if int(first["areas"]) > 1:
            area += f'<br><span class="sl-small">{H.esc(t("report.uncertainty.each_area", n=int(first["areas"]) - 1))}</span>'
        cells = [
            H.esc(first[i18n.column("label", lang)]),
            area,
            H.esc(f"{comp} {_value_text(first['indicator'], first['threshold'], lang)}"),
        ]
        for y in years:
            r = g[g["year"] == y]
            if r.empty or not np.isfinite(r["probability_met"].iloc[0]):
                cells.append("–")
                continue
            r = r.iloc[0]
            txt = lambda v, r=r: _value_text(r["indicator"], v, lang, unit=False)  # noqa: E731
            cell = f"<strong>{probability_span(float(r['probability_met']), lang, tid, r['geo'], y, 'target')}</strong>"
            if int(r["areas"]) > 1:
                cell += (
                    f'<br><span class="sl-small">{H.esc(t("report.uncertainty.named_area", area=geo_name(r["geo_type"], r["geo"], lang)))} '
                    f"{probability_span(float(r['probability_area']), lang, tid, r['geo'], y)}</span>"
                )
            cell += (
                f'<br><span class="sl-small">{H.esc(t("report.uncertainty.median", value=txt(r["value_q50"])))}'
                f"<br>{H.esc(t('report.uncertainty.interval', lo=txt(r['value_q05']), hi=txt(r['value_q95'])))}</span>"
            )
            cells.append(cell)
        rows.append(cells)
    return H.table(
        header,
        rows,
        numeric=[False, False, True] + [True] * len(years),
        raw_cols=range(len(header)),
        caption=t("report.uncertainty.table_caption"),
    )


def probability_figure(probs, lang: str, year: int | None = None, by: str | None = None) -> H.Chart:
    """Bars of the probability of meeting each target in `year` (default the last); with `by`
    (a column, e.g. the scenario), one bar per value of that column."""
    import matplotlib

    from simlib.report import uncertainty as U

    frame = probs.assign(scenario=probs[by] if by else "")
    year = int(year or frame["year"].max())
    n_targets = frame["target_id"].nunique()
    n_bars = max(1, frame["scenario"].nunique())
    fig = C._figure(C.WIDTH, 0.9 + 0.42 * n_targets * n_bars**0.8, layout=None)
    with matplotlib.rc_context(C.RC):
        ax = fig.add_subplot()
        U.probability_chart(frame, lang=lang, year=year, ax=ax)
        ax.set_title("")
        ax.xaxis.set_major_formatter(fmt.axis_formatter(lang))
    return H.Chart(fig, i18n.t("report.fig.probabilities", lang, year=year))


def uncertainty(ctx: ReportContext) -> list:
    """How sure the projection is, when parameter draws were asked for: fan charts of the poor
    rate (province, poor districts, ethnic-minority households) against their target paths,
    and the probability of meeting each target (table and chart). Nothing otherwise."""
    tabs = ctx.unc_tables()
    if ctx.uncertainty_note:
        return [H.heading(ctx.t("report.section.uncertainty"), anchor="uncertainty"), H.para(ctx.uncertainty_note)]
    if tabs is None or ctx.uncertainty is None:
        return []
    info, L = ctx.uncertainty.info, ctx.lang
    probs = ctx.target_probabilities()
    samples = int(info.get("samples", info["draws"]))
    reps = int(info.get("replications", 1))
    intro = ctx.t(
        "report.uncertainty.intro",
        n=info["draws"],
        sampler=i18n.label("unc.sampler", info["sampler"], L),
        seed=info["seed"],
        k=info.get("parameters", "–"),
    )
    if reps > 1:
        intro += " " + ctx.t("report.uncertainty.replications", r=reps, samples=samples)
    blocks = [H.heading(ctx.t("report.section.uncertainty"), anchor="uncertainty"), H.para(intro), fan_panels(tabs, L)]
    if probs is not None and len(probs):
        blocks.append(H.heading(ctx.t("report.uncertainty.probabilities"), 3))
        blocks.append(H.para(ctx.t("report.uncertainty.probabilities_intro")))
        blocks.append(probability_table_html(probs, L))
        blocks.append(probability_figure(probs, L))
    pm = 100 * 1.96 * np.sqrt(0.25 / max(1, samples))
    blocks.append(H.para(ctx.t("report.uncertainty.precision", n=samples, pm=fmt.number(pm, L, 0)), "sl-small"))
    if ctx.uncertainty_link:
        blocks.append(f"<p>{H.link(ctx.uncertainty_link, ctx.t('report.uncertainty.details'))}</p>")
    return blocks


def flows(ctx: ReportContext) -> list:
    """Households escaping, moving to near-poor, relapsing and newly poor, per projected year."""
    ind, L = ctx.tables.indicators, ctx.lang
    ys = D.years(ind)[1:]
    cats = [i18n.label("flow", D.FLOW_OF_INDICATOR[i], L) for i in D.FLOW_INDICATORS]
    groups, errors, rows = [], [], []
    for y in ys:
        vals, lo, hi = [], [], []
        for i in D.FLOW_INDICATORS:
            m, a, b = D.value_at(ind, i, y)
            vals.append(m), lo.append(a), hi.append(b)
        groups.append((str(y), vals))
        errors.append((lo, hi))
    fig = C.grouped_bars(
        cats,
        groups,
        ylabel=ctx.t("axis.households"),
        lang=L,
        value_fmt=lambda v: fmt.number(v, L),
        errors=errors if ctx.spread_shown else None,
    )
    for ci in range(len(D.FLOW_INDICATORS)):
        vals = [g[1][ci] for g in groups]
        rows.append([cats[ci]] + [fmt.number(v, L) for v in vals] + [fmt.number(sum(vals), L)])
    header = [ctx.t("table.flow")] + [str(y) for y in ys] + [ctx.t("table.total")]
    return [
        H.heading(ctx.t("report.section.flows"), anchor="flows"),
        H.para(ctx.t("report.flows.intro")),
        H.Chart(fig, ctx.t("report.fig.flows")),
        H.table(header, rows, numeric=[False] + [True] * (len(ys) + 1), caption=ctx.t("report.table.flows")),
    ]


def money(ctx: ReportContext) -> list:
    """Where the money goes: budget by project and source, beneficiaries reached per line, cost
    per beneficiary, and what it buys — poor households with and without the programme and the
    cost per household lifted out."""
    scen, L, h = ctx.scenario, ctx.lang, ctx.head
    cat = scen.catalogue
    bud = D.budget_by_line(scen)
    projects = list(cat.projects)
    by = bud.groupby(["project", "source"])["vnd"].sum()
    segments = []
    for src in scen.budget.sources:
        segments.append((i18n.t(f"source.{src}", L), [by.get((p, src), 0.0) / 1e9 for p in projects]))
    y_first, y_last = scen.years[0], scen.years[-1]
    fig1 = C.stacked_barh(
        [short_name(p, cat, L) for p in projects],
        segments,
        xlabel=ctx.t("axis.billion_vnd_period", y0=y_first, y1=y_last),
        lang=L,
        total_fmt=lambda v: fmt.number(v, L, 1),
    )
    blocks = [
        H.heading(ctx.t("report.section.money"), anchor="money"),
        H.para(ctx.t("report.money.intro", total=fmt.number(bud["vnd"].sum() / 1e9, L, 1), y0=y_first, y1=y_last)),
        H.Chart(fig1, ctx.t("report.fig.budget")),
    ]
    reach = D.reach_by_line(ctx.tables.programme)
    hh_lines = [c for c in cat.codes if cat.lines[c].population == "households"]
    groups = []
    for y in scen.years:
        r = reach[reach["year"] == y].set_index("line")["reached"]
        groups.append((str(y), [float(r.get(c, 0.0)) for c in hh_lines]))
    if len(groups) > 1 and all(np.allclose(g[1], groups[0][1], rtol=1e-9, atol=1e-9) for g in groups):
        groups = [(ctx.t("report.each_year", y0=y_first, y1=y_last), groups[0][1])]  # the same every year: one bar
    fig2 = C.barh(
        [short_name(c, cat, L, 40) for c in hh_lines],
        groups,
        xlabel=ctx.t("axis.households_reached"),
        lang=L,
        value_fmt=lambda v: fmt.number(v, L),
    )
    blocks.append(H.Chart(fig2, ctx.t("report.fig.reached")))
    # table: money, reach and cost per beneficiary by line
    header = [ctx.t("table.line"), ctx.t("table.planned_period", y0=y_first, y1=y_last), ctx.t("table.spent_period")]
    header += [ctx.t("table.reached_year", year=y) for y in scen.years] + [
        ctx.t("table.beneficiary_unit"),
        ctx.t("table.cost_per_beneficiary"),
    ]
    rows = []
    for c in cat.codes:
        ln = cat.lines[c]
        r = reach[reach["line"] == c].set_index("year")
        planned = bud.loc[bud["line"] == c, "vnd"].sum() / 1e9
        spent = float(r["spend_vnd"].sum()) / 1e9 if len(r) else 0.0
        reached = [float(r["reached"].get(y, 0.0)) if len(r) else 0.0 for y in scen.years]
        cost = spent * 1e3 / sum(reached) if sum(reached) > 0 else float("nan")
        rows.append(
            [short_name(c, cat, L, 60), fmt.number(planned, L, 1), fmt.number(spent, L, 1)]
            + [fmt.number(v, L) for v in reached]
            + [ln.unit(L), fmt.number(cost, L, 1)]
        )
    blocks.append(
        H.table(
            header,
            rows,
            numeric=[False, True, True] + [True] * len(scen.years) + [False, True],
            caption=ctx.t("report.table.money"),
        )
    )
    # what the money buys: poor households with and without the programme
    ind = ctx.tables.indicators
    with_p = D.series(ind, "poor", "province")
    fewer = D.series(ind, "poor_fewer_than_without_programme", "province").set_index("year")
    without = [
        m + (fewer["mean"].get(y, 0.0) if y in fewer.index else 0.0) for y, m in zip(with_p["year"], with_p["mean"])
    ]
    s1 = C.Series(
        ctx.t("report.with_programme"),
        with_p["year"].tolist(),
        with_p["mean"].tolist(),
        with_p["lo"].tolist(),
        with_p["hi"].tolist(),
        0,
    )
    s2 = C.Series(ctx.t("report.without_programme"), with_p["year"].tolist(), without, style=1)
    fig3 = C.line_chart(
        [s1, s2],
        ylabel=ctx.t("axis.poor_households"),
        xlabel=ctx.t("axis.year"),
        lang=L,
        value_fmt=lambda v: fmt.number(v, L),
        ymin=None,
    )
    blocks.append(H.heading(ctx.t("report.money.buys"), 3))
    blocks.append(
        H.para(
            ctx.t(
                "report.money.cost_sentence",
                fewer=fmt.households(h["poor_fewer_end"], L),
                y1=h["year_end"],
                cost=fmt.million_vnd(h["cost_per_household_lifted_end"], L, 1),
                money=fmt.number(h["spend_total_billion"], L, 1),
            )
        )
    )
    blocks.append(H.Chart(fig3, ctx.t("report.fig.with_without")))
    return blocks


def coverage(ctx: ReportContext) -> list:
    """The plan's coverage targets: production support (80 %), officers trained (100 %), poor
    districts with infrastructure investment (100 %)."""
    ind, L = ctx.tables.indicators, ctx.lang
    tg = ctx.tables.targets
    thr = {i: float(v) for i, v in tg.groupby("indicator")["threshold"].first().items()}
    panels, rows = [], []
    ys = D.years(ind)[1:]
    for i in D.COVERAGE_INDICATORS:
        s = D.series(ind, i, "province").set_index("year")
        vals = [float(s["mean"].get(y, np.nan)) for y in ys]
        lo = [float(s["lo"].get(y, np.nan)) for y in ys]
        hi = [float(s["hi"].get(y, np.nan)) for y in ys]
        target = thr.get(i)
        panels.append(
            C.BarPanel(
                textwrap.fill(i18n.t(f"short.indicator.{i}", L), 28),
                [str(y) for y in ys],
                vals,
                target,
                ctx.t("report.target_value", value=fmt.percent(target, L, 0)) if target is not None else "",
                lo if ctx.spread_shown else None,
                hi if ctx.spread_shown else None,
            )
        )
        rows.append(
            [i18n.label("indicator", i, L)]
            + [fmt.percent(v, L) for v in vals]
            + [fmt.percent(target, L, 0) if target is not None else "–"]
        )
    fig = C.bar_panels(
        panels, ylabel=ctx.t("axis.percent"), lang=L, value_fmt=lambda v: fmt.percent(v, L, 0), ymax=100.0
    )
    header = [ctx.t("table.indicator")] + [str(y) for y in ys] + [ctx.t("table.threshold")]
    return [
        H.heading(ctx.t("report.section.coverage"), anchor="coverage"),
        H.para(ctx.t("report.coverage.intro")),
        H.Chart(fig, ctx.t("report.fig.coverage")),
        H.table(header, rows, numeric=[False] + [True] * (len(ys) + 1)),
    ]


def _basis(q) -> str:
    if isinstance(q, dict):
        if "source" in q:
            return "source"
        if "assumption" in q:
            return "assumption"
    return ""


def assumptions(ctx: ReportContext) -> list:
    """What the projection rests on: the baseline data and where it comes from, the programme
    parameters (and which are assumptions), disbursement, and any overrides."""
    from simlib.schema import qv

    scen, L = ctx.scenario, ctx.lang
    ds = scen.dataset
    blocks = [H.heading(ctx.t("report.section.assumptions"), anchor="assumptions")]
    blocks.append(H.heading(ctx.t("report.assumptions.data"), 3))
    desc = ds.meta.get(i18n.column("description", L), "")
    blocks.append(
        H.para(ctx.t("report.assumptions.dataset", name=ds.name, version=ds.version or "–", year=ds.baseline_year))
    )
    if desc:
        blocks.append(H.para(" ".join(str(desc).split())))
    srcs = H.source_items(ds.meta.get("sources"))
    if srcs:
        blocks.append(H.para(ctx.t("report.assumptions.sources")))
        blocks.append(H.bullet_list(srcs, raw=True))
    # programme parameters
    prog = scen.params["program"]
    blocks.append(H.heading(ctx.t("report.assumptions.parameters"), 3))
    n_eff = n_ass = 0
    rows = []
    for code in scen.catalogue.codes:
        if scen.catalogue.lines[code].money_only:  # a content with no household benefit in the model
            dash = "–"
            rows.append(
                [short_name(code, scen.catalogue, L, 50), dash, dash, dash, ctx.t("report.assumptions.money_only")]
            )
            continue
        d = prog["lines"][code]
        ben = d["beneficiary"]
        effs = []
        for ch, q in d.get("effects", {}).items():
            n_eff += 1
            n_ass += _basis(q) == "assumption"
            rng = q.get("range") if isinstance(q, dict) else None
            txt = f"{i18n.t('channel.' + ch, L)} {fmt.number(qv(q), L, 2)}"
            if rng:
                txt += f" [{fmt.number(rng[0], L, 2)}–{fmt.number(rng[1], L, 2)}]"
            effs.append(txt + ("*" if _basis(q) == "assumption" else ""))
        uc = ben["unit_cost"]
        rows.append(
            [
                short_name(code, scen.catalogue, L, 50),
                fmt.number(qv(uc) / 1e6, L, 1) + ("*" if _basis(uc) == "assumption" else ""),
                ben.get(i18n.column("unit", L), ""),
                fmt.number(qv(d["lag"]), L),
                "; ".join(effs) or "–",
            ]
        )
    blocks.append(H.para(ctx.t("report.assumptions.effects_note", n=n_ass, total=n_eff)))
    blocks.append(
        H.table(
            [
                ctx.t("table.line"),
                ctx.t("table.unit_cost"),
                ctx.t("table.beneficiary_unit"),
                ctx.t("table.lag"),
                ctx.t("table.effects"),
            ],
            rows,
            numeric=[False, True, False, True, False],
        )
    )
    blocks.append(H.para(ctx.t("report.assumptions.star"), "sl-small"))
    # disbursement
    fund = scen.params["funding"]["sources"]
    disb = [f"{i18n.t('source.' + s, L)}: {fmt.percent(100 * qv(v['disbursement']), L, 0)}" for s, v in fund.items()]
    blocks.append(H.para(ctx.t("report.assumptions.disbursement", shares="; ".join(disb))))
    over = dict(ctx.result.manifest.get("overrides") or {})
    over.update(ctx.result.manifest.get("set") or {})
    if over:
        blocks.append(H.para(ctx.t("report.assumptions.overrides")))
        blocks.append(
            H.bullet_list([f'<span class="mono">{H.esc(k)} = {H.esc(v)}</span>' for k, v in over.items()], raw=True)
        )
    blocks.append(H.para(ctx.t("report.assumptions.files"), "sl-small"))
    return blocks


def manifest_rows(manifest: dict, lang: str) -> list[tuple[str, str]]:
    """The run manifest as (label, value) rows for a report footer."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    ds = manifest.get("dataset") or {}
    rows = [
        (t("manifest.scenario"), f"{manifest.get('scenario', '')} ({manifest.get('scenario_file') or '–'})"),
        (
            t("manifest.engine"),
            f"{i18n.label('report.engine', manifest.get('engine', ''), lang, default=manifest.get('engine', ''))}, "
            f"{t('manifest.draws')} {manifest.get('draws', '')}, "
            f"{t('manifest.seed')} {manifest.get('seed', '')}",
        ),
        (t("manifest.dataset"), f"{ds.get('name', '')} {ds.get('version', '')} ({ds.get('baseline_year', '')})"),
        (t("manifest.parameter_hash"), str(manifest.get("parameter_hash", ""))),
        (t("manifest.run_id"), str(manifest.get("run_id", ""))),
        (
            t("manifest.version"),
            f"simlib {manifest.get('simlib_version', '')}, Python {manifest.get('python', '')}, "
            f"numpy {manifest.get('numpy', '')}, pandas {manifest.get('pandas', '')}",
        ),
        (t("manifest.created"), fmt.timestamp(manifest.get("created_utc"), lang)),
    ]
    for path, sha in sorted((manifest.get("input_files") or {}).items()):
        rows.append((t("manifest.input"), f"{path}  sha256:{sha[:16]}…"))
    return rows


def footer_html(manifest: dict, lang: str) -> str:
    rows = manifest_rows(manifest, lang)
    trs = "".join(f"<tr><td>{H.esc(k)}</td><td>{H.esc(v)}</td></tr>" for k, v in rows)
    return (
        f'<footer class="sl-footer"><p><strong>{H.esc(i18n.t("manifest.title", lang))}</strong> — '
        f"{H.esc(i18n.t('manifest.explain', lang))}</p><table>{trs}</table></footer>"
    )


def footer(ctx: ReportContext) -> list:
    """The run manifest: what produced this report (scenario, hashes, versions, seed)."""
    return [footer_html(ctx.result.manifest, ctx.lang)]


#: the report's sections in order (the notebook calls them one per cell)
def _frame_table(df, lang: str, caption: str = "") -> str:
    """A display table (already translated headers) as HTML, numbers formatted the local way."""
    import numbers

    numeric = [
        bool(len(df)) and all(isinstance(v, numbers.Number) and not isinstance(v, bool) for v in df[c])
        for c in df.columns
    ]
    rows = [
        [
            fmt.number(v, lang, 1)
            if isinstance(v, numbers.Number) and not isinstance(v, bool)
            else ("" if v is None else str(v))
            for v in row
        ]
        for row in df.itertuples(index=False)
    ]
    return H.table([str(c) for c in df.columns], rows, numeric=numeric, caption=caption)


def deprivations(ctx: ReportContext) -> list:
    """The deprivation dimensions (multidimensional model): which dimensions and indicators
    improve among poor and near-poor households, where, and thanks to which line; poverty gap and
    severity; a note where the poverty standard changes. Nothing for the states model."""
    from simlib.report import deprivation as dep

    res = ctx.result
    if getattr(res.tables, "deprivations", None) is None:
        return []
    sec = dep.deprivation_section(res, lang=ctx.lang, unit_names=ctx.unit_names)
    L = ctx.lang
    blocks = [H.heading(ctx.t("report.section.deprivations"), anchor="deprivations")]
    blocks += [H.para(t) for t in sec.texts]
    captions = {
        "shares": "report.fig.dep_shares",
        "districts": "report.fig.dep_districts",
        "lines": "report.fig.dep_lines",
        "fgt": "report.fig.dep_fgt",
    }
    tables = {
        "dimensions": "report.table.dep_dimensions",
        "indicators": "report.table.dep_indicators",
        "districts": "report.table.dep_districts",
        "lines": "report.table.dep_lines",
        "fgt": "report.table.dep_fgt",
    }
    for key, fig in sec.figures.items():
        blocks.append(H.Chart(fig, ctx.t(captions.get(key, ""))))
    for key, df in sec.tables.items():
        blocks.append(_frame_table(df, L, ctx.t(tables.get(key, ""))))
    return blocks


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
    """Write the run's tables (CSV + XLSX) and manifest into `output_dir` (see
    `simlib.report.tables.export_run`); `parameters` are the notebook's, recorded in the manifest."""
    from simlib.report.tables import export_run, probability_frame

    info = {"notebook": "scenario_report.ipynb", "lang": ctx.lang, "parameters": dict(parameters or {})}
    if ctx.uncertainty is None:
        return export_run(ctx.result, output_dir, ctx.lang, info)
    files = ctx.uncertainty.write(output_dir)
    return export_run(
        ctx.result,
        output_dir,
        ctx.lang,
        info,
        people_frames={"probabilities": probability_frame(ctx.target_probabilities(), ctx.lang)},
        manifest_extra={"uncertainty": ctx.uncertainty.info},
        other_outputs=tuple(files),
    )
