"""The batch's `index.html`, a decision brief: on the first screen, which allocation to choose
and how sure that is, in key messages each linked to its evidence (`simlib.report.decision`),
the plan decided now first (`simlib.report.brief_parts`); then the scenarios grouped by poverty
model and years, the group of the plan decided now first (`brief_parts.reading_order`; in a
group the plan first, the counterfactual last), each with its count of targets met,
headline numbers and links; failed scenarios with their error; how to get parameter draws when
there are none. What the leader reads says in plain words who does what; a command is in a
«Ghi chú kỹ thuật» line in small type under it (`report.technical.*`). Written atomically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simlib import __version__, i18n
from simlib.atomic import write_text
from simlib.clock import run_time
from simlib.engines.registry import get_engine
from simlib.i18n import fmt
from simlib.report import brief_parts, data, decision, decision_money, decision_runs, html, money_check, verdict
from simlib.report.compare import group_title
from simlib.report.context import SUGGESTED_DRAWS
from simlib.report.data import RunTables


def _rel(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_uri()


def _engine_text(result, engine: str, draws: int, lang: str) -> str:
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    eng = t(f"report.engine.{engine}") + (
        f" — {t('report.draws', n=draws)}" if get_engine(engine).replications(draws) > 1 else ""
    )
    n_unc = int(getattr(result, "uncertainty", 0) or 0)
    if n_unc:
        eng += " · " + t(
            "index.uncertainty_draws",
            n=n_unc,
            sampler=i18n.label("unc.sampler", getattr(result, "sampler", "lhs"), lang),
        )
    return eng


def _verdict_cell(run: decision.Run, lang: str) -> str:
    """The targets met, uncertain and not met in the targets' own years, the poor units taken
    together (brief61: one line; the count judging each poor unit on its own, the targets counted
    that are not the province's own or only proposed, and the chance of meeting every target are
    on the scenario report's first screen, `simlib.report.answer`, as the note under the table
    says)."""
    v = verdict.headline_verdicts(run.verdicts)
    if v.empty:
        return "–"
    c = verdict.counts(run.verdicts, reading="aggregate" if len(verdict.unit_targets(run.verdicts)) else None)
    shown = data.years_text(v["year"].unique())  # the counts cover every year judged
    key = verdict.count_key(run.verdicts, "index.verdict")  # no draws: no «chưa chắc đạt 0»
    text = html.esc(i18n.t(key, lang, year=shown, **c))
    text += html.esc(_kinds_text(v, lang))
    if run.link and _has_detail(run):
        more = html.link(f"{run.link}#headline", i18n.t("index.verdict_detail", lang))
        text += f'<br><span class="sl-small sl-screen">{more}</span>'
    return text


def _kinds_text(v, lang: str) -> str:
    """How many of the counted headline verdicts `v` are of targets that are not the province's
    own or only proposed (`verdict.counted_kinds`), so that a count is not read as the province
    meeting its own adopted targets; "" when they all are."""
    words = [
        i18n.t(key, lang, n=int(mask.sum()))
        for mask, key in zip(verdict.counted_kinds(v), ("index.verdict_reference", "index.verdict_proposed"))
        if mask.any()
    ]
    return i18n.t("index.verdict_kinds", lang, kinds=", ".join(words)) if words else ""


def _has_detail(run: decision.Run) -> bool:
    """Whether the scenario report says more of `run`'s targets than the index's count: the count
    judging each poor unit on its own, targets counted that are not the province's own or only
    proposed, the chance of meeting every target over parameter draws."""
    v = verdict.headline_verdicts(run.verdicts)
    year = int(v["year"].min())
    return bool(
        len(verdict.unit_targets(run.verdicts))
        or verdict.counted_caveat(run.verdicts, "en")
        or np.isfinite(decision.all_met_probability(run, year))
    )


def _links(it, out: Path, lang: str) -> list[str]:
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    rep = it.out_dir / "report.html"
    links = [html.link(_rel(rep, out), t("index.link.report"))]
    if it.uncertainty_report is not None:
        links.append(html.link(_rel(Path(it.uncertainty_report), out), t("index.link.uncertainty")))
    links += [
        html.link(_rel(it.out_dir / "tables.xlsx", out), t("index.link.xlsx")),
        html.link(_rel(it.out_dir / "report.ipynb", out), t("index.link.notebook")),
    ]
    failed_unc = it.out_dir / "uncertainty.failed.ipynb"
    if it.uncertainty_error and failed_unc.is_file():
        links.append(html.link(_rel(failed_unc, out), t("index.link.failed_nb")))
    return links


def _row(it, run: decision.Run, out: Path, lang: str) -> list[str]:
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    h = data.headline(run.tables.indicators, run.tables.targets)
    name = f"<strong>{html.link(_rel(it.out_dir / 'report.html', out), it.title(lang))}</strong>"
    if run.role in ("plan", "reference", "counterfactual"):
        name += f'<br><span class="sl-small">{html.esc(t(f"index.role.{run.role}"))}</span>'
    if money_check.flagged(run.tables.manifest):  # round65: money likely in the wrong unit (top of its report)
        name += f'<br><span class="sl-fail">⚠ {html.esc(t("index.money_check"))}</span>'
    if it.uncertainty_error:
        name += f'<br><span class="sl-fail">✗ {html.esc(t("index.uncertainty_failed"))}</span><br><span class="sl-small">{html.esc(it.uncertainty_error)}</span>'
    poor = f"{fmt.percent(h['poor_rate_start'], lang)} → {fmt.percent(h['poor_rate_end'], lang)}"
    years = t("report.card.years", y0=h["year_start"], y1=h["year_end"])
    poor += f'<br><span class="sl-small">{html.esc(f"{years} ({data.rate_basis(run.tables.indicators, lang)})")}</span>'
    return [
        name,
        poor,
        _verdict_cell(run, lang),
        html.esc(fmt.number(h["poor_fewer_end"], lang)),
        html.esc(fmt.number(h["spend_total_billion"], lang, 1)),
        html.esc(fmt.number(h["cost_per_household_lifted_end"], lang, 1)),
        " · ".join(_links(it, out, lang)),
    ]


def _failed_rows(items, out: Path, lang: str, done: set[str]) -> list[list[str]]:
    """Rows of the scenarios that failed; `done`: the names of the batch's good scenarios (an
    invalid file that took a good one's name has no previous report of its own: that folder is
    the good one's, just written)."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    rows = []
    for it in items:
        key = "index.status.invalid" if it.invalid else "index.status.failed"
        name = f'<strong>{html.esc(it.title(lang))}</strong><br><span class="sl-small mono">{html.esc(it.name)}</span>'
        status = f'<span class="sl-fail">✗ {html.esc(t(key))}</span><br><span class="sl-small">{html.esc(it.error).replace(chr(10), "<br>")}</span>'
        links = []
        prev = out / it.name / "report.html"
        if prev.is_file() and it.name not in done:
            links.append(html.link(_rel(prev, out), t("index.link.previous")))
        if it.failed_notebook is not None and Path(it.failed_notebook).is_file():
            links.append(html.link(_rel(Path(it.failed_notebook), out), t("index.link.failed_nb")))
        rows.append([name, status, " · ".join(links) or "–"])
    return rows


def scenario_tables(result, runs: dict, out: Path, lang: str) -> list[str]:
    """The scenarios by group (model and years; the plan decided now's group first), then the failed ones."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731

    header = [
        t("index.col.scenario"),
        t("index.col.poor_rate"),
        t("index.col.verdict"),
        t("index.col.fewer_poor"),
        t("index.col.money"),
        t("index.col.cost"),
        t("index.col.files"),
    ]
    by_name = {it.name: it for it in result.items if it.ok}  # an invalid file may repeat a good one's name
    parts = [html.heading(t("index.section.scenarios"), anchor="scenarios")]
    for g in brief_parts.reading_order(list(runs.values())):
        rows = [_row(by_name[r.name], r, out, lang) for r in g]
        table = html.table(
            header, rows, numeric=[False, True, False, True, True, True, False], raw_cols=range(len(header))
        )
        parts += [html.heading(group_title(g, lang), 3), f'<div class="sl-files">{table}</div>']
    if runs:
        parts.append(html.para(t("index.verdict_note", col=t("index.col.verdict")), "sl-small"))
    failed = [it for it in result.items if not it.ok]
    if failed:
        parts += [
            html.heading(t("index.section.failed"), 3),
            '<div class="sl-files">'
            + html.table(
                [t("index.col.scenario"), t("index.col.status"), t("index.col.files")],
                _failed_rows(failed, out, lang, set(by_name)),
                raw_cols=range(3),
            )
            + "</div>",
            html.note(t("index.failed_note")),
            html.para(t("report.technical.batch_again"), "sl-small"),  # the command: the technical team's
        ]
    return parts


def index_html(result, out_dir: str | Path, lang: str, engine: str = "expected", draws: int = 1) -> str:
    """The index page of a batch (`simlib.batch.BatchResult`)."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    out = Path(out_dir)
    items = result.items
    ok = [it for it in items if it.ok and it.out_dir is not None]
    now = fmt.timestamp(run_time(), lang)
    parts = [
        f"<h1>{html.esc(t('index.title'))}</h1>",
        html.para(
            t(
                "index.subtitle",
                ok=len(ok),
                total=len(items),
                engine=_engine_text(result, engine, draws, lang),
                time=now,
            ),
            "sl-sub",
        ),
    ]
    runs = {
        it.name: decision_runs.run_of(RunTables.from_folder(it.out_dir), _rel(it.out_dir / "report.html", out))
        for it in ok
    }
    if runs:
        brief = brief_parts.parts(list(runs.values()), lang, decision_money.unallocated_by_run(list(runs.values())))
        if not result.compare_ok:
            brief = brief_parts.without_links(brief)  # no comparison page to link to
        caveat = " ".join(
            x for x in (t("decision.caveat"), decision_money.disbursement_note(list(runs.values()), lang)) if x
        )
        parts.append(brief_parts.parts_html(brief, lang, caveat))
    if result.compare_ok:
        parts.append(
            f'<p class="sl-screen"><strong>{html.link("compare.html", t("index.compare_link"))}</strong> <span class="sl-small">({html.link("compare.xlsx", t("index.link.xlsx"))})</span></p>'
        )
    elif result.compare_ok is False:
        parts.append(html.note(t("index.compare_failed", error=result.compare_error)))
    parts += scenario_tables(result, runs, out, lang)
    parts.append(html.para(t("index.explain"), "sl-small"))
    n_unc = int(getattr(result, "uncertainty", 0) or 0)
    parts.append(
        html.para(t("index.uncertainty_explain", n=n_unc) if n_unc else t("index.uncertainty_how"), "sl-small")
    )
    if not n_unc:  # the plain words above say who runs them; the command is the technical team's
        parts.append(html.para(t("report.technical.batch_draws", n=SUGGESTED_DRAWS), "sl-small"))
    parts.append(f'<footer class="sl-footer"><p>{html.esc(t("index.footer", version=__version__))}</p></footer>')
    return html.page("\n".join(parts), t("index.title"), lang)


def write_index(result, out_dir: str | Path, lang: str, engine: str = "expected", draws: int = 1) -> Path:
    """Write `index.html` into `out_dir` atomically; returns its path."""
    path = Path(out_dir) / "index.html"
    write_text(path, index_html(result, out_dir, lang, engine, draws))
    return path
