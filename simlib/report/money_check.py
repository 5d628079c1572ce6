"""The scenario report's warning of money likely written in the wrong unit: a year whose local
money is more than `max_local_to_central` times its central money (`simlib.budget_bounds`:
`local: 2000` meant as 2,000 million VND under `unit: billion VND` reads as 2,000 billion VND).
`simlib validate` and `simlib run` print it and the run's manifest records it (`money_warnings`);
the report says it near its top in plain words — which year, which amount, that the figure should
be checked — so that a leader does not read results built on a possibly mistyped amount with no
sign; where the figure is and the command that checks it go in a technical line under it. The
index and comparison pages mark the scenario (`flagged`)."""

from __future__ import annotations

from simlib import i18n
from simlib.budget_bounds import scenario_warnings
from simlib.i18n import fmt
from simlib.report import html


def flagged(manifest: dict) -> bool:
    """Whether a run's money was warned of (its manifest's `money_warnings`)."""
    return bool(manifest.get("money_warnings"))


def warning_texts(scen, lang: str) -> list[str]:
    """One plain sentence per year warned of (`simlib.budget_bounds.scenario_warnings` of the
    checked scenario `scen`, `--set` items applied): the year, its local and central money, the
    amount as written and the unit it may have been meant in."""
    out = []
    for w in scenario_warnings(scen):
        f = w.fields
        unit = f["unit"](lang)  # tỷ đồng / billion VND (simlib.budget_bounds)
        value = fmt.number(w.value, lang, 4, trim=True)
        kw = {k: f[k] for k in ("year", "local", "central", "limit", "smaller")}
        out.append(i18n.t("report.note.money_check", lang, value=value, unit=unit, **kw))
    return out


def technical_line(scen, lang: str) -> str:
    """The «Ghi chú kỹ thuật» line under the warnings: the fields to check, their file, the
    assumed bound and the command that prints the warnings again; "" without warnings."""
    warned = scenario_warnings(scen)
    if not warned:
        return ""
    fields = ", ".join(fmt.quote(w.field, lang) for w in warned)
    return i18n.t(
        "report.technical.money_check", lang, fields=fields, file=warned[0].file, limit=warned[0].fields["limit"]
    )


def notes(ctx) -> list[str]:
    """The report's first-screen blocks: each warning as a note, then the technical line."""
    texts = warning_texts(ctx.scenario, ctx.lang)
    if not texts:
        return []
    return [html.note("⚠ " + x) for x in texts] + [html.para(technical_line(ctx.scenario, ctx.lang), "sl-small")]
