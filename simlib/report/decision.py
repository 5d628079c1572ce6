"""The decision a batch of scenarios informs: which allocation to choose and how sure that is.

- `groups` (`simlib.report.decision_runs`, with `Run` and `allocations`) puts runs that can be
  compared side by side together — same poverty model, same projected years — with the plan
  first and the counterfactual last; other groups are shown apart, with a sentence on how they
  differ.
- `shared_robustness` compares the allocations of a group on the parameter draws each scenario
  report already ran (same design, sampler and seed, same uncertain parameters): per draw, each
  allocation's poor rate at the horizon, its regret against the best allocation of that draw,
  and how often it is the best — computed once per batch, no run repeated. The counterfactual is
  not an allocation and takes no part.
- `brief` sets aside the allocations whose money breaks legal rules their run let through
  (`decision_runs.set_aside`; said why, with their rate, in `set_aside_message`) and writes three
  to five key messages from the results (the choice and how sure; the
  targets in the plan's year; the trade-offs; the plan's own verdict; the counterfactual and the
  scenarios computed differently), each with a link to its evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import data, html, verdict
from simlib.report.decision_runs import Run, allocations, groups, rules_text, set_aside
from simlib.report.levels import manifest_levels
from simlib.report.scorecard import each_unit_sentence, probability_words, shortfall_text
from simlib.uncertainty.robustness import regret, regret_summary
from simlib.uncertainty.run import load_draws
from simlib.uncertainty.summaries import all_targets_probability, has_unit_cells

#: billion VND reaching no one below which the brief does not mention it
UNALLOCATED_SAID = 0.5


# --- shared robustness ------------------------------------------------------------------------


def _draw_signature(r: Run) -> tuple | None:
    """What makes two scenarios' parameter draws the same draws, or None without draws."""
    u = r.tables.uncertainty
    if not u or r.tables.folder is None or not (r.tables.folder / "uncertainty_draws.npy").is_file():
        return None
    info = (u.get("manifest") or {}).get("uncertainty") or {}
    space = u.get("space")
    keys = tuple(space["key"]) if space is not None and "key" in space.columns else ()
    return (info.get("draws"), info.get("sampler"), info.get("seed"), info.get("replications"), keys)


def horizon_rates(r: Run) -> np.ndarray:
    """The province poor rate at the horizon in every parameter draw (mean over replications)."""
    arr, cells = load_draws(r.tables.folder)
    year = data.years(r.tables.indicators)[-1]
    col = cells.index[(cells["indicator"] == "poor_rate") & (cells["geo"] == "province") & (cells["year"] == year)]
    reps = int(((r.tables.uncertainty or {}).get("manifest") or {}).get("uncertainty", {}).get("replications", 1) or 1)
    return np.asarray(arr[:, col[0]], float).reshape(-1, reps).mean(axis=1)


@dataclass
class Robustness:
    """Allocations of one group on the same draws: per draw values and regrets, a summary."""

    values: pd.DataFrame  # draw, scenario, value, best, regret, is_best
    summary: pd.DataFrame  # scenario, value_mean, regret_mean, regret_p95, regret_max, share_best, draws
    left_out: list[str] = field(default_factory=list)


def shared_robustness(group: Sequence[Run]) -> Robustness | None:
    """Regret and share best of the group's allocations on their common draws (None when fewer
    than two allocations share draws)."""
    allocs = allocations(group)
    sigs = {r.name: _draw_signature(r) for r in allocs}
    known = [s for s in sigs.values() if s is not None]
    if not known:
        return None
    common = max(set(known), key=known.count)
    kept = [r for r in allocs if sigs[r.name] == common]
    if len(kept) < 2:
        return None
    frames = [
        pd.DataFrame({"draw": np.arange(len(v)), "scenario": r.name, "value": v})
        for r in kept
        for v in [horizon_rates(r)]
    ]
    reg = regret(pd.concat(frames, ignore_index=True), lower_is_better=True)
    return Robustness(reg, regret_summary(reg), [r.name for r in allocs if r not in kept])


# --- key messages ------------------------------------------------------------------------------


@dataclass
class Message:
    """One key message: its text (HTML) and a link to its evidence."""

    html: str
    link: str = ""
    link_text: str = ""
    #: a choice on the central projection alone (no shared parameter draws): the page's answer
    #: names it as the lowest projected rate, not as the allocation to choose
    tentative: bool = False
    answer_note: str = ""  # said in the answer's box beside the choice: its money reaching no one


def _q(text: str, lang: str) -> str:
    """`text` escaped, in the quotation marks of `lang` (`fmt.quote`: «…» / “…”)."""
    return fmt.quote(html.esc(text), lang)


def own_year(runs: Sequence[Run]) -> int | None:
    """The year a group's targets are compared in: the latest year that every run judges among
    its targets' own years (runs judged in different years — the crossing in 2024, 2026 and 2027,
    plan_2027 in 2027 — are compared in the year they share), else the earliest own year."""
    per = [{int(y) for y in verdict.headline_verdicts(r.verdicts)["year"]} for r in runs]
    per = [s for s in per if s]
    if not per:
        return None
    common = set.intersection(*per)
    return max(common) if common else min(min(s) for s in per)


def all_met_probability(r: Run, year: int, reading: str = "each_unit") -> float:
    """Probability that every target is met in `year` (NaN without draws), each poor unit on its
    own (`reading` "each_unit") or the poor units together ("aggregate")."""
    o = (r.tables.uncertainty or {}).get("outcomes")
    p = all_targets_probability(o, reading) if o is not None else pd.Series(dtype=float)
    return float(p.get(year, np.nan))


def has_readings(r: Run) -> bool:
    """Whether `r`'s draws judge some target in each poor unit too (two readings of "every
    target met")."""
    return has_unit_cells((r.tables.uncertainty or {}).get("outcomes"))


def choice(group: Sequence[Run], rob: Robustness | None, lang: str) -> tuple[Run | None, Message | None]:
    """The allocation to choose — least mean regret (or, without draws, lowest projected poor
    rate at the horizon) — and the message saying so and how sure it is."""
    allocs = allocations(group)
    if not allocs:
        return None, None
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    by_name = {r.name: r for r in allocs}
    y1 = data.years(allocs[0].tables.indicators)[-1]
    plan = next((r for r in allocs if r.role == "plan"), None)
    if rob is None:
        best = min(allocs, key=lambda r: r.rate(y1))
        text = t(
            "decision.choice_central",
            title=_q(best.title(lang), lang),
            year=y1,
            rate=fmt.percent(best.rate(y1), lang, 2),
        )
        return best, Message(text, "compare.html#ranking", t("decision.evidence"), tentative=True)
    s = rob.summary.set_index("scenario")
    best = by_name[s.index[0]]
    text = t(
        "decision.choice",
        title=_q(best.title(lang), lang),
        year=y1,
        share=fmt.percent(100 * s.loc[best.name, "share_best"], lang, 0),
        draws=int(s.loc[best.name, "draws"]),
        regret=fmt.number(s.loc[best.name, "regret_mean"], lang, 2),
        rate=fmt.percent(s.loc[best.name, "value_mean"], lang, 2),
    )
    if plan is not None and plan.name != best.name and plan.name in s.index:
        text += " " + t(
            "decision.choice_plan",
            regret=fmt.number(s.loc[plan.name, "regret_mean"], lang, 2),
            share=fmt.percent(100 * s.loc[plan.name, "share_best"], lang, 0),
        )
    return best, Message(text, "compare.html#robustness", t("decision.evidence"))


def single_message(r: Run, lang: str) -> Message:
    """A batch of one allocation has nothing to choose between: what it gives at the horizon (the
    central projection or the mean of its draws, said which) and its weakest target in the plan's
    year; the brief names no allocation to choose (`brief`)."""
    y1 = data.years(r.tables.indicators)[-1]
    year = own_year([r])
    weakest = weakest_target(r, year, lang) if year is not None else ""
    text = i18n.t(
        "decision.single",
        lang,
        title=_q(r.title(lang), lang),
        year=y1,
        basis=data.rate_basis(r.tables.indicators, lang),
        rate=fmt.percent(r.rate(y1), lang, 2),
        weakest=f"; {weakest}" if weakest else "",
    )
    return Message(text, "compare.html#ranking", i18n.t("decision.evidence", lang))


def targets_message(group: Sequence[Run], best: Run | None, lang: str) -> Message | None:
    """The targets in the plan's year: the chance each allocation meets all of them."""
    allocs = allocations(group)
    year = own_year(allocs)
    if year is None:
        return None
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    probs = {r.name: all_met_probability(r, year) for r in allocs}
    if all(np.isnan(p) for p in probs.values()):
        return central_targets_message(allocs, year, lang)
    if len(allocs) == 1:  # no "highest" of one
        p = fmt.percent(100 * np.nan_to_num(probs[allocs[0].name], nan=0.0), lang, 0)
        text = t("decision.targets_single", year=year, title=_q(allocs[0].title(lang), lang), p=p)
        together = together_sentence(allocs, year, lang)
        return Message(" ".join(x for x in (text, together) if x), "compare.html#verdicts", t("decision.evidence"))
    if all(np.nan_to_num(p, nan=0.0) == 0.0 for p in probs.values()):  # no "highest" among zeros
        n = len(verdict.headline_verdicts(allocs[0].verdicts))
        text = t("decision.targets_none", year=year, n=n, m=len(allocs))
        return Message(text, "compare.html#verdicts", t("decision.evidence"))
    top = max(allocs, key=lambda r: np.nan_to_num(probs[r.name], nan=-1))
    others = "; ".join(
        f"{_q(r.title(lang), lang)} {fmt.percent(100 * probs[r.name], lang, 0)}" for r in allocs if r is not top
    )
    text = t(
        "decision.targets",
        year=year,
        title=_q(top.title(lang), lang),
        p=fmt.percent(100 * probs[top.name], lang, 0),
        others=others,
    )
    together = together_sentence(allocs, year, lang)
    return Message(" ".join(x for x in (text, together) if x), "compare.html#verdicts", t("decision.evidence"))


def central_targets_message(allocs: Sequence[Run], year: int, lang: str) -> Message:
    """Without draws: the allocation meeting the largest share of the targets judged in `year` in
    the central projection (every allocation counted in that same year), or those sharing it."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    tally = {r.name: verdict.counts(r.verdicts, year=year) for r in allocs}
    met = {n: c["met"] for n, c in tally.items()}
    total = {n: sum(c.values()) for n, c in tally.items()}
    share = {n: met[n] / total[n] if total[n] else -1.0 for n in tally}
    tops = [r for r in allocs if share[r.name] == max(share.values())]
    if len(tops) > 1:  # no "most" among equals
        titles = "; ".join(f"{_q(r.title(lang), lang)} ({met[r.name]}/{total[r.name]})" for r in tops)
        text, each = t("decision.targets_central_tied", year=year, titles=titles), ""
    else:
        top = tops[0]
        text = t(
            "decision.targets_central_single" if len(allocs) == 1 else "decision.targets_central",
            year=year,
            title=_q(top.title(lang), lang),
            met=met[top.name],
            total=total[top.name],
        )
        in_year = top.verdicts[top.verdicts["year"] == year]
        each = each_unit_sentence(in_year, lang, manifest_levels(top.tables.manifest))
    return Message(" ".join(x for x in (text, each) if x), "compare.html#verdicts", t("decision.evidence"))


def together_sentence(allocs: Sequence[Run], year: int, lang: str) -> str:
    """The probabilities of meeting every target with the poor units judged together (the other
    reading of a target set for poor units); "" when no allocation's draws judge units."""
    with_units = [r for r in allocs if has_readings(r)]
    if not with_units:
        return ""
    items = "; ".join(
        f"{_q(r.title(lang), lang)} {fmt.percent(100 * all_met_probability(r, year, 'aggregate'), lang, 0)}"
        for r in with_units
    )
    return manifest_levels(with_units[0].tables.manifest).t_at("decision.targets_together", lang, year, items=items)


def weakest_target(r: Run, year: int, lang: str) -> str:
    """The target `r` is least likely (or furthest) to meet in `year`, with its probability."""
    v = verdict.headline_verdicts(r.verdicts)
    v = v[v["year"] == year]
    if v.empty:
        return ""
    key = v["probability"].fillna(v["margin"].rank(pct=True))
    w = v.loc[key.idxmin()]
    target = w[i18n.column("label", lang)]
    if not np.isfinite(w["probability"]):  # no draws: the central projection's verdict, not a probability
        return i18n.t(
            "decision.weakest_central", lang, target=target, verdict=i18n.t(f"target.{w['status']}", lang).lower()
        )
    label = probability_words(r.verdicts, w, lang, lambda: manifest_levels(r.tables.manifest))
    return i18n.t("decision.weakest", lang, target=target, label=label, p=fmt.percent(100 * w["probability"], lang, 0))


def tradeoffs(
    group: Sequence[Run], best: Run | None, rob: Robustness | None, lang: str, unallocated: dict
) -> Message | None:
    """Each other allocation's trade-off: poor rate and regret, its weakest target, money that
    reaches no one."""
    allocs = [r for r in allocations(group) if best is None or r.name != best.name]
    year = own_year(allocations(group))
    if not allocs:
        return None
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    y1 = data.years(allocs[0].tables.indicators)[-1]
    s = rob.summary.set_index("scenario") if rob is not None else None
    items = []
    for r in allocs:
        rate, basis = fmt.percent(r.rate(y1), lang, 2), data.rate_basis(r.tables.indicators, lang)
        parts = [t("decision.trade_rate", year=y1, rate=rate, basis=basis)]
        if s is not None and r.name in s.index:
            parts.append(t("decision.trade_regret", regret=fmt.number(s.loc[r.name, "regret_mean"], lang, 2)))
        if year is not None:
            parts.append(weakest_target(r, year, lang))
        if unallocated.get(r.name, 0) > UNALLOCATED_SAID:
            parts.append(t("decision.trade_unallocated", money=fmt.number(unallocated[r.name], lang, 1)))
        items.append(f"{_q(r.title(lang), lang)}: " + "; ".join(html.esc(p) for p in parts if p))
    text = (
        html.esc(t("decision.tradeoffs")) + "<ul class='sl-list'>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
    )
    return Message(text, "compare.html#ranking", t("decision.evidence"))


def plan_message(group: Sequence[Run], lang: str) -> Message | None:
    """The plan's own verdict in its year, and its largest shortfall."""
    plan = next((r for r in group if r.role == "plan"), None)
    if plan is None:
        return None
    v = verdict.headline_verdicts(plan.verdicts)
    if v.empty:
        return None
    each = each_unit_sentence(plan.verdicts, lang, manifest_levels(plan.tables.manifest))
    c = verdict.counts(plan.verdicts, reading="aggregate" if each else None)
    text = i18n.t(
        verdict.count_key(plan.verdicts, "decision.plan"),
        lang,
        title=_q(plan.title(lang), lang),
        year=int(v["year"].min()),
        met=c["met"],
        uncertain=c["uncertain"],
        not_met=c["not_met"],
        total=len(v),
    )
    # without draws the count says «by the central projection, how sure not assessed» itself: no
    # note repeating it (polish64, as brief64 under the report's answer)
    notes = (each, verdict.counted_caveat(plan.verdicts, lang))
    text += "".join(f" {x}" for x in notes if x)
    worst = v[v["status"] != "met"]
    if len(worst):
        w = worst.loc[worst["margin"].idxmin()]
        short = shortfall_text(w, lang)
        if short:
            text += " " + i18n.t("decision.plan_worst", lang, target=w[i18n.column("label", lang)], short=short)
    return Message(text, f"{plan.link}#scorecard" if plan.link else "", i18n.t("decision.evidence", lang))


def context_message(main: Sequence[Run], others: Sequence[Sequence[Run]], lang: str) -> Message | None:
    """What the programme buys (against the counterfactual) and how the scenarios computed
    differently (another model or other years) differ — never in the same column."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    parts = []
    y1 = data.years(main[0].tables.indicators)[-1]
    plan = next((r for r in main if r.role == "plan"), allocations(main)[0] if allocations(main) else None)
    cf = next((r for r in main if r.role == "counterfactual"), None)
    if cf is not None and plan is not None:
        parts.append(
            t(
                "decision.counterfactual",
                title=_q(cf.title(lang), lang),
                year=y1,
                basis=data.rate_basis(cf.tables.indicators, lang),  # central projection or mean of draws
                rate=fmt.percent(cf.rate(y1), lang, 1),
                gap=fmt.number(cf.rate(y1) - plan.rate(y1), lang, 2),
                plan=_q(plan.title(lang), lang),
            )
        )
    spread, apart = [r.rate(y1) for r in allocations(main)], []
    for g in others:
        for r in g:
            ys = data.years(r.tables.indicators)
            model = t(f"decision.model.{r.key[0]}")  # a heading's label, said mid-sentence
            text = t(
                "decision.other_group",
                title=_q(r.title(lang), lang),
                model=model[:1].lower() + model[1:],
                y0=ys[0] + 1,  # the projected years (after the base year), as the group's heading says
                y1=ys[-1],
            )
            if plan is not None and y1 in ys and len(spread) > 1:
                wider = abs(r.rate(y1) - plan.rate(y1)) > max(spread) - min(spread)
                text += " " + t(
                    "decision.other_gap" if wider else "decision.other_gap_within",
                    year=y1,
                    gap=fmt.number(abs(r.rate(y1) - plan.rate(y1)), lang, 2),
                    plan=_q(plan.title(lang), lang),
                    spread=fmt.number(max(spread) - min(spread), lang, 2),
                )
            apart.append(text)
    if not parts and not apart:
        return None
    # one scenario computed differently per line: a reader scans them instead of one long paragraph,
    # under a sentence saying what they are when nothing comes before them
    if apart and not parts:
        parts.append(t("decision.other_groups"))
    text = " ".join(html.esc(p) for p in parts) + (html.bullet_list(apart) if apart else "")
    return Message(text, "compare.html#groups", t("decision.evidence"))


def with_own_unallocated(
    first: Message | None, best: Run | None, lang: str, unallocated: dict, boxed: bool = True
) -> Message | None:
    """The chosen allocation's money reaching no one (the trade-offs say the others'), said once:
    in the answer's box (`boxed`), or in the choice message when a page has no answer box."""
    money = unallocated.get(best.name, 0.0) if best is not None else 0.0
    if first is None or money <= UNALLOCATED_SAID:
        return first
    if boxed:
        said = i18n.t("decision.answer_unallocated", lang, money=fmt.number(money, lang, 1))
        return Message(first.html, first.link, first.link_text, first.tentative, said)
    note = i18n.t("decision.choice_unallocated", lang, money=fmt.number(money, lang, 1))
    return Message(f"{first.html} {html.esc(note)}", first.link, first.link_text, first.tentative)


def set_aside_message(r: Run, lang: str) -> Message:
    """Why an allocation is not one to choose (report63): its money breaks legal rules its run let
    through (`decision_runs.set_aside`), so the brief's answer does not name it; its projected rate
    is still said, and its report linked."""
    y1 = data.years(r.tables.indicators)[-1]
    text = i18n.t(
        "decision.set_aside",
        lang,
        title=_q(r.title(lang), lang),
        year=y1,
        basis=data.rate_basis(r.tables.indicators, lang),
        rate=fmt.percent(r.rate(y1), lang, 2),
        rules=rules_text(r, lang),
    )
    return Message(text, r.link, i18n.t("decision.evidence", lang))


def brief(runs: Sequence[Run], lang: str, unallocated: dict | None = None) -> tuple[list[Message], Run | None]:
    """The key messages of a batch and the allocation it points to: never one its group sets aside
    (`decision_runs.set_aside`), whose reason follows the first message (`set_aside_message`)."""
    gs = groups(runs)
    if not gs:
        return [], None
    aside = set_aside(gs[0])
    main = [r for r in gs[0] if not any(r is a for a in aside)]
    said = [set_aside_message(r, lang) for r in aside]
    allocs = allocations(main)
    if len(allocs) == 1:  # nothing to choose between: no answer, no trade-offs
        first = with_own_unallocated(single_message(allocs[0], lang), allocs[0], lang, unallocated or {}, boxed=False)
        msgs = [first, *said, targets_message(main, None, lang), plan_message(main, lang)]
        msgs.append(context_message(main, gs[1:], lang))
        return [m for m in msgs if m is not None], None
    rob = shared_robustness(main)
    best, first = choice(main, rob, lang)
    first = with_own_unallocated(first, best, lang, unallocated or {})
    msgs = [
        first,
        *said,
        targets_message(main, best, lang),
        tradeoffs(main, best, rob, lang, unallocated or {}),
        plan_message(main, lang),
        context_message(main, gs[1:], lang),
    ]
    return [m for m in msgs if m is not None], best


def brief_html(messages: Sequence[Message], best: Run | None, lang: str, caveat: str = "") -> str:
    """The brief as the first thing on a page: the answer, then the numbered messages."""
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    items = []
    for m in messages:
        link = f' <span class="sl-small sl-screen">({html.link(m.link, m.link_text)})</span>' if m.link else ""
        # a message ending in a list has its evidence link after its lead-in, not alone below the list
        head, sep, rest = m.html.partition("<ul")
        items.append(f"<li>{head}{link}{sep}{rest}</li>" if sep else f"<li>{m.html}{link}</li>")
    key = "decision.answer_central" if any(m.tentative for m in messages) else "decision.answer"
    notes = "".join(" " + m.answer_note for m in messages if m.answer_note)
    answer = f'<p class="sl-answer">{html.esc(t(key, title=best.title(lang)) + notes)}</p>' if best else ""
    note = html.para(caveat, "sl-small") if caveat else ""
    return f'<section class="sl-brief" id="brief"><h2>{html.esc(t("decision.title"))}</h2>{answer}<ol>{"".join(items)}</ol>{note}</section>'
