"""The headline's answer to «are the plan's targets met?» (the scenario report's first screen):
the count of targets met, uncertain and not met in the targets' own years, then the notes a reader
needs to weigh it, each on a line of its own in plain type under the bold count."""

from __future__ import annotations

from simlib.report import html, verdict
from simlib.report import scorecard as scorecards
from simlib.report.context import ReportContext, no_draws_note
from simlib.report.levels import Levels


def verdict_parts(ctx: ReportContext) -> list[str]:
    """The answer to «are the targets met?»: first the count of targets met, uncertain and not met
    in the targets' own years (without draws: met and not met by the central projection, how sure
    not assessed, `verdict.count_key`; under both readings when a target is judged for each unit too), then
    the notes a reader needs to weigh that count (each reading per target, targets not set for the
    province or only proposed, why no draws ran and the command running them); [] when no target is judged."""
    v = verdict.headline_verdicts(ctx.verdicts)
    if v.empty:
        return []
    years = ", ".join(str(y) for y in sorted(v["year"].unique()))
    c = verdict.counts(ctx.verdicts)
    # without draws the count says «by the central projection, how sure not assessed»: the note
    # under it says why no draws ran and how to run them, not that again (brief64)
    basis = no_draws_note(ctx.scenario, ctx.draws_asked, ctx.lang) if verdict.central_only(ctx.verdicts) else ""
    readings = scorecards.reading_sentences(ctx.verdicts, ctx.lang, Levels.of(ctx))
    caveat = verdict.counted_caveat(ctx.verdicts, ctx.lang)
    if not readings:
        readings = [
            ctx.t(
                verdict.count_key(ctx.verdicts, "report.verdict.summary"),
                years=years,
                met=c["met"],
                uncertain=c["uncertain"],
                not_met=c["not_met"],
                total=len(v),
            )
        ]
    return [x for x in (*readings, caveat, basis) if x]


def verdict_sentence(ctx: ReportContext) -> str:
    """`verdict_parts` as one text."""
    return " ".join(verdict_parts(ctx))


def verdict_answer(ctx: ReportContext) -> str:
    """The answer box of the headline: the count in bold, the notes below it in plain type, one
    per line (a single bold paragraph of five sentences was hard to read); "" without targets."""
    parts = verdict_parts(ctx)
    if not parts:
        return ""
    notes = "".join(f"<li>{html.esc(x)}</li>" for x in parts[1:])
    return f'<div class="sl-answer"><p>{html.esc(parts[0])}</p>' + (
        f'<ul class="sl-answer-notes">{notes}</ul></div>' if notes else "</div>"
    )
