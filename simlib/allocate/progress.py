"""The optimiser's progress in words, for the command line (`simlib.cli.optimize.Meter`) and the
explorer («Suggest», `simlib.workbench.compare.Progress`): the estimate once the problem is
built, the runs done against it, and the runs it took. Counts of runs are written as numbers of
the language (39.828 / 39,828), CPU time with the digits that say something."""

from __future__ import annotations

import math

from simlib import i18n
from simlib.i18n import fmt


def seconds_decimals(seconds: float) -> int:
    """Decimals that show a run's CPU seconds with two significant digits, at least two: a run of
    the states model (about 0.002 s) read «× 0,00 giây CPU ≈ 1,1 phút CPU»."""
    if not (math.isfinite(seconds) and seconds > 0):
        return 2
    return max(2, 1 - math.floor(math.log10(seconds)))


def progress_key(done: int, expected: int | None) -> str:
    """The progress line's key: before the estimate, «… of about {expected}» while the runs are
    within it, and once they pass it a line that says so instead of a count beyond its own total."""
    if not expected:
        return "cli.optimize_progress_start"
    return "cli.optimize_progress" if done <= expected else "cli.optimize_progress_over"


def runs_text(runs: float, lang: str) -> str:
    """A count of runs as a whole number of the language: 39828 → «39.828» (vi), «39,828» (en)."""
    return fmt.number(round(runs), lang, 0)


def estimate_text(runs: int, seconds: float, lang: str) -> str:
    """«About {runs} runs × {seconds} CPU seconds ≈ {minutes} CPU minutes»; with the runs of
    `--robust` among them (`simlib.allocate.effort.EstimatedRuns`), how many are for its draws and
    how many it may take if its search starts again from the other starts; and, where the local
    search on the engine may run, the most runs it may add (a bound: it runs only if the
    certificate misses its promise)."""
    sec = fmt.number(seconds, lang, seconds_decimals(seconds))
    minutes = fmt.number(runs * seconds / 60, lang, 1)
    robust = getattr(runs, "robust", 0)
    if robust:
        draws = fmt.number(runs.draws, lang, 0)
        text = i18n.t(
            "cli.optimize_estimate_robust",
            lang,
            runs=runs_text(runs, lang),
            robust=runs_text(robust, lang),
            draws=draws,
            seconds=sec,
            minutes=minutes,
        )
        most = runs + getattr(runs, "restart", 0)
        if most > runs:
            mins = fmt.number(most * seconds / 60, lang, 1)
            text += " " + i18n.t("cli.optimize_estimate_restart", lang, most=runs_text(most, lang), minutes=mins)
    else:
        text = i18n.t("cli.optimize_estimate", lang, runs=runs_text(runs, lang), seconds=sec, minutes=minutes)
    search = getattr(runs, "search", 0)
    if search:
        mins = fmt.number(search * seconds / 60, lang, 1)
        text += " " + i18n.t("cli.optimize_estimate_search", lang, runs=runs_text(search, lang), minutes=mins)
    return text + rounds_text(runs, lang)


def rounds_text(runs, lang: str) -> str:
    """The certified loop's stopping rule as the estimate tells it (`EstimatedRuns.rounds`,
    `.stop`), with a leading space; "" when the estimate does not carry it."""
    rounds = getattr(runs, "rounds", 0)
    if not rounds:
        return ""
    tol = fmt.percent(100 * getattr(runs, "stop", 0.0), lang, 2)
    return " " + i18n.t("cli.optimize_estimate_rounds", lang, rounds=fmt.number(rounds, lang, 0), tolerance=tol)


def progress_text(runs: float, expected: int | None, minutes: str, lang: str) -> str:
    """The runs done so far against the estimate `expected` (none yet: while the problem is
    built), with the CPU minutes spent (`minutes`, already written)."""
    done = int(round(runs))
    total = runs_text(expected, lang) if expected else expected
    return i18n.t(progress_key(done, expected), lang, runs=runs_text(done, lang), expected=total, minutes=minutes)


def done_text(runs: float, minutes: str, lang: str) -> str:
    """«Done: {runs} runs of the model, {minutes} CPU minutes»."""
    return i18n.t("cli.optimize_done", lang, runs=runs_text(runs, lang), minutes=minutes)
