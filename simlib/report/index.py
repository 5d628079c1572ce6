"""The batch's `index.html`: every scenario with its status, headline numbers and links to its
report, tables and executed notebook (and its uncertainty report when the batch ran parameter
draws, else a note on how to get one); failed scenarios with their error; a link to the
comparison. Written atomically."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from simlib import i18n
from simlib.atomic import write_text
from simlib.engines.registry import get_engine
from simlib.i18n import fmt
from simlib.report import html as H


def _rel(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_uri()


def index_html(result, out_dir: str | Path, lang: str, engine: str = "expected", draws: int = 1) -> str:
    """The index page of a batch (`simlib.batch.BatchResult`)."""
    from simlib import __version__

    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    out = Path(out_dir)
    items = result.items
    n_ok = sum(it.ok for it in items)
    now = fmt.timestamp(_dt.datetime.now(_dt.UTC), lang)
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
    parts = [
        f"<h1>{H.esc(t('index.title'))}</h1>",
        H.para(t("index.subtitle", ok=n_ok, total=len(items), engine=eng, time=now), "sl-sub"),
    ]
    if result.compare_ok:
        parts.append(
            f"<p><strong>{H.link('compare.html', t('index.compare_link'))}</strong> "
            f'<span class="sl-small">({H.link("compare.xlsx", t("index.link.xlsx"))})</span></p>'
        )
    elif result.compare_ok is False:
        parts.append(H.note(t("index.compare_failed", error=result.compare_error)))
    header = [
        t("index.col.scenario"),
        t("index.col.status"),
        t("index.col.poor_rate"),
        t("index.col.targets"),
        t("index.col.fewer_poor"),
        t("index.col.money"),
        t("index.col.cost"),
        t("index.col.files"),
    ]
    rows = []
    for it in items:
        name_cell = f'<strong>{H.esc(it.title(lang))}</strong><br><span class="sl-small mono">{H.esc(it.name)}</span>'
        if it.ok and it.out_dir is not None:
            h = it.headline
            rep = it.out_dir / "report.html"
            name_cell = (
                f"<strong>{H.link(_rel(rep, out), it.title(lang))}</strong><br>"
                f'<span class="sl-small mono">{H.esc(it.name)}</span>'
            )
            status = f'<span class="sl-met">✓ {H.esc(t("index.status.ok"))}</span>'
            poor = f"{fmt.percent(h.get('poor_rate_start'), lang)} → {fmt.percent(h.get('poor_rate_end'), lang)}"
            poor += f'<br><span class="sl-small">{H.esc(t("report.card.years", y0=h.get("year_start"), y1=h.get("year_end")))}</span>'
            targets = H.esc(f"{h.get('targets_met', '–')}/{h.get('targets_total', '–')} ({h.get('year_end', '')})")
            if h.get("all_targets_probability") is not None:
                targets += (
                    f'<br><span class="sl-small">{H.esc(t("index.all_targets_probability"))} '
                    f"{H.esc(fmt.percent(100 * h['all_targets_probability'], lang, 0))}</span>"
                )
            links = [
                H.link(_rel(rep, out), t("index.link.report")),
                H.link(_rel(it.out_dir / "tables.xlsx", out), t("index.link.xlsx")),
                H.link(_rel(it.out_dir / "report.ipynb", out), t("index.link.notebook")),
            ]
            if it.uncertainty_report is not None:
                links.insert(1, H.link(_rel(Path(it.uncertainty_report), out), t("index.link.uncertainty")))
            if it.uncertainty_error:
                status += (
                    f'<br><span class="sl-fail">✗ {H.esc(t("index.uncertainty_failed"))}</span>'
                    f'<br><span class="sl-small">{H.esc(it.uncertainty_error)}</span>'
                )
                failed_unc = it.out_dir / "uncertainty.failed.ipynb"
                if failed_unc.is_file():
                    links.append(H.link(_rel(failed_unc, out), t("index.link.failed_nb")))
            rows.append(
                [
                    name_cell,
                    status,
                    poor,
                    targets,
                    H.esc(fmt.number(h.get("poor_fewer_end"), lang)),
                    H.esc(fmt.number(h.get("spend_total_billion"), lang, 1)),
                    H.esc(fmt.number(h.get("cost_per_household_lifted_end"), lang, 1)),
                    " · ".join(links),
                ]
            )
        else:
            key = "index.status.invalid" if it.invalid else "index.status.failed"
            status = (
                f'<span class="sl-fail">✗ {H.esc(t(key))}</span><br>'
                f'<span class="sl-small">{H.esc(it.error).replace(chr(10), "<br>")}</span>'
            )
            links = []
            prev = out / it.name / "report.html"
            if prev.is_file():
                links.append(H.link(_rel(prev, out), t("index.link.previous")))
            if it.failed_notebook is not None and Path(it.failed_notebook).is_file():
                links.append(H.link(_rel(Path(it.failed_notebook), out), t("index.link.failed_nb")))
            rows.append([name_cell, status, "–", "–", "–", "–", "–", " · ".join(links) or "–"])
    parts.append(
        H.table(header, rows, numeric=[False, False, True, True, True, True, True, False], raw_cols=range(len(header)))
    )
    parts.append(H.para(t("index.explain"), "sl-small"))
    if n_unc:
        parts.append(H.para(t("index.uncertainty_explain", n=n_unc), "sl-small"))
    else:
        parts.append(H.para(t("index.uncertainty_how"), "sl-small"))
    if any(not it.ok for it in items):
        parts.append(H.note(t("index.failed_note")))
    parts.append(f'<footer class="sl-footer"><p>{H.esc(t("index.footer", version=__version__))}</p></footer>')
    return H.page("\n".join(parts), t("index.title"), lang)


def write_index(result, out_dir: str | Path, lang: str, engine: str = "expected", draws: int = 1) -> Path:
    """Write `index.html` into `out_dir` atomically; returns its path."""
    path = Path(out_dir) / "index.html"
    write_text(path, index_html(result, out_dir, lang, engine, draws))
    return path
