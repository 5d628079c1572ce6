"""The leader's part of the optimiser's report in words a provincial leader reads: how far the
recommended split can be trusted (`trust`: what each check establishes, in households or
billion VND, without the solver's terms), the result's message without its technical sentence
(`leader_message`) and the province's targets the split misses with what to ask of the planning
office (`unmet_words`) — not the command line's option, which a leader does not type.

The solver's terms (gap, piecewise model, breakpoints, binary variables, HiGHS) and the command
stay in the report's technical annex (`simlib.report.optimization.certificate`, the message's
`certificate_text`, `alloc.report.command`) and in the CLI.
"""

from __future__ import annotations

import pandas as pd

from simlib import i18n
from simlib.allocate.certify import PROMISED_GAP as PROMISE
from simlib.i18n import fmt
from simlib.report.table import ReportTable

#: the conclusion of `trust` by the verdict a reader is shown (summary.json `verdict`)
VERDICTS = {
    "optimal": "alloc.trust.verdict_met",
    "not_certified": "alloc.trust.verdict_not_met",
    "targets_infeasible": "alloc.trust.verdict_infeasible",
}


def trust(cert: dict, verdict: str, objective: str, lang: str) -> ReportTable:
    """How far the recommended split can be trusted, for the leader's part of the report: what
    each check establishes, in words and in the objective's own units (households, billion VND),
    without the solver's terms (gap, piecewise model, breakpoints, binaries: `certificate`, the
    technical annex). Shares of `scale` (what the programme achieves, or the money for
    `min_cost`) are turned into amounts: 0,88 % of 2.709 households is about 24 households."""
    t = i18n.t
    scale, mode = float(cert["scale"]), cert.get("mode", "min")
    households = mode in ("min", "regret")
    measure = t(f"alloc.measure.{'poor' if objective == 'min_cost' else objective}", lang)

    def share(x):
        return fmt.percent(100 * float(x), lang, 2)

    def about(x):
        return (
            t("alloc.trust.about", lang, amount=fmt.number(float(x) * scale, lang), measure=measure)
            if households
            else ""
        )

    gap = float(cert["gap"])
    if households:
        better = t("alloc.trust.better_households", lang, amount=fmt.number(gap * scale, lang), measure=measure,
                   share=share(gap), scale=fmt.number(scale, lang))  # fmt: skip
    elif mode == "mincost":
        better = t("alloc.trust.better_money", lang, amount=fmt.number(gap * scale, lang, 1), share=share(gap))
    else:
        better = t("alloc.trust.better_other", lang, share=share(gap))
    err = float(cert["approx_error"])
    exact = "alloc.trust.exact_within" if err <= PROMISE else "alloc.trust.exact_over"
    rows = [
        (t("alloc.trust.verdict", lang), t(VERDICTS.get(verdict, VERDICTS["not_certified"]), lang)),
        (t("alloc.trust.better", lang), better),
        (t("alloc.trust.exact", lang), t(exact, lang, share=share(err), about=about(err), tests=cert["tests"])),
    ]
    if cert.get("starts"):
        spread = float(cert.get("spread", 0.0))
        text = t("alloc.trust.starts_text", lang, n=len(cert["starts"]), share=share(spread), about=about(spread))
        rows.append((t("alloc.trust.starts", lang), text))
    cols = [t("alloc.trust.col.question", lang), t("alloc.trust.col.answer", lang)]
    return ReportTable("trust", "", pd.DataFrame(rows, columns=cols), {c: "text" for c in cols})


def leader_message(summary: dict, lang: str) -> str:
    """The result's message (summary.json `message_<lang>`) for the leader's part of the report:
    without its technical sentence on the certificate (`certificate_text`, shown in the annex;
    an older summary without it: the message whole)."""
    message = summary[i18n.column("message", lang)]
    technical = (summary.get("certificate_text") or {}).get(lang)
    if not technical:
        return message
    return "\n".join(line for line in message.split("\n") if line.strip() != technical.strip())


def unmet_words(summary: dict, lang: str) -> str:
    """The province's targets the recommended split misses, in the report's words (what to ask
    of the planning office: `unmet_targets` → `report`); an older summary: the command line's."""
    unmet = summary.get("unmet_targets") or {}
    return (unmet.get("report") or {}).get(lang) or unmet.get(lang, "")


__all__ = ["VERDICTS", "leader_message", "trust", "unmet_words"]
