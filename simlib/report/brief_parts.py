"""The decision brief in the order a planner reads it (brief61): what is decided now first.

Since 1 July 2025 Cao Bằng has no districts; planners now plan on communes (plan_2027). A batch's
brief (`simlib.report.decision.brief`) speaks of its largest group holding a plan — the 2024
allocations on districts — and named the commune plan only in its last message, among the
scenarios computed differently. `parts` puts first the group of the *current plan*: a plan whose
last projected year is counted on the units in force at that year's review (`units_used` =
`level_in_force` in its period record), the latest such plan if several; its messages are the
brief of that group alone (`decision.brief`), the plan's own verdict first, then the choice,
the targets and the trade-offs. The whole brief follows under its own heading. A batch without a
current plan, or whose largest plan group is the current plan's, keeps one brief as before.
In every part, an allocation whose money breaks legal rules its run let through
(`decision_runs.set_aside`: crossing_2024_2027's 2024 budget over the 2026–2027 envelope, a replay
to show the changes) is not one to choose: the part answers without it and says why, with its rate
(`decision.brief`, `decision.set_aside_message`; report63, brief64). An answer
naming a reference allocation (role `reference`: equal_split) says it is one (`with_reference_note`).
`parts_html` writes the parts as one section, the messages numbered on from part to part.
`reading_order` puts the groups of like scenarios in the same order for the index's scenario
tables and the comparison page's sections (order61): the current plan's group first, the others
after in `decision.groups`' order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import data, decision, html
from simlib.report.levels import used_levels, year_levels


@dataclass
class Part:
    """A part of the brief: its heading ("" for a brief of one part), messages and choice."""

    heading: str
    messages: list[decision.Message]
    best: decision.Run | None
    lead: int = 0  # messages said before the answer's box (the plan's own verdict)


def on_units_in_force(r: decision.Run) -> bool:
    """Whether `r`'s last projected year is counted on the units in force at that year's review."""
    y1 = data.years(r.tables.indicators)[-1]
    used = used_levels(r.tables.manifest).get(y1)
    return used is not None and used == year_levels(r.tables.manifest).get(y1)


def on_former_districts(r: decision.Run) -> bool:
    """Whether `r`'s last projected year is counted on districts while communes are in force."""
    y1 = data.years(r.tables.indicators)[-1]
    return (used_levels(r.tables.manifest).get(y1), year_levels(r.tables.manifest).get(y1)) == ("district", "commune")


def current_plan(runs: Sequence[decision.Run]) -> decision.Run | None:
    """The plan that is decided now: of the plans counted on the units in force at their last
    projected year, the one whose last year is latest (None without one)."""
    plans = [r for r in runs if r.role == "plan" and on_units_in_force(r)]
    return max(plans, key=lambda r: data.years(r.tables.indicators)[-1], default=None)


def reading_order(runs: Sequence[decision.Run]) -> list[list[decision.Run]]:
    """The groups of like scenarios (`decision.groups`) as the pages list them: the group holding
    the current plan (`current_plan`) first, the others after in their order; as
    `decision.groups` when there is no current plan."""
    gs = decision.groups(runs)
    now = current_plan(runs)
    return sorted(gs, key=lambda g: not any(r is now for r in g))  # stable: the others keep their order


def parts(runs: Sequence[decision.Run], lang: str, unallocated: dict | None = None) -> list[Part]:
    """The brief's parts: the current plan's group first, then the whole brief as before; an
    answer naming a reference allocation says it is one (`with_reference_note`)."""
    return [Part(p.heading, with_reference_note(p, lang), p.best, p.lead) for p in _parts(runs, lang, unallocated)]


def with_reference_note(p: Part, lang: str) -> list[decision.Message]:
    """`p`'s messages with, when its answer names a reference allocation (role `reference`:
    equal_split, a naive rule, not a plan), the words saying so in the answer's box, first among
    its notes (on the first message after the `lead`, whose notes the box says) — its rank kept as
    computed (report63)."""
    messages = list(p.messages)
    if p.best is None or p.best.role != "reference" or len(messages) <= p.lead:
        return messages
    m = messages[p.lead]
    note = i18n.t("decision.answer_reference", lang, title=fmt.quote(p.best.title(lang), lang))
    notes = " ".join(x for x in (note, m.answer_note) if x)
    messages[p.lead] = decision.Message(m.html, m.link, m.link_text, m.tentative, notes)
    return messages


def _parts(runs: Sequence[decision.Run], lang: str, unallocated: dict | None = None) -> list[Part]:
    """`parts` before the reference note."""
    messages, best = decision.brief(runs, lang, unallocated)
    gs = decision.groups(runs)
    now = current_plan(runs)
    if now is None or not gs or any(r is now for r in gs[0]):
        return [Part("", messages, best)]
    group = next(g for g in gs if any(r is now for r in g))
    first, first_best = decision.brief(group, lang, unallocated)  # without the allocations set aside
    own = decision.plan_message(group, lang)  # the plan's own verdict first, then the comparison
    if own is not None:
        first = [own] + [m for m in first if m.html != own.html]
    y1 = data.years(now.tables.indicators)[-1]
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    plan = next((r for r in gs[0] if r.role == "plan"), gs[0][0])
    key = "decision.part_earlier_old_units" if on_former_districts(plan) else "decision.part_earlier"
    return [
        Part(
            t("decision.part_now", title=fmt.quote(now.title(lang), lang), year=y1),
            first,
            first_best,
            int(own is not None),
        ),
        Part(t(key, title=fmt.quote(plan.title(lang), lang)), messages, best),
    ]


def without_links(ps: Sequence[Part]) -> list[Part]:
    """The parts with no link to the comparison page (a batch whose comparison page failed)."""
    return [
        Part(p.heading, [decision.Message(m.html, tentative=m.tentative) for m in p.messages], p.best, p.lead)
        for p in ps
    ]


def parts_html(ps: Sequence[Part], lang: str, caveat: str = "") -> str:
    """The brief of `ps` as one section: one part as `decision.brief_html` writes it; several,
    each under its heading with its own answer (after its `lead` messages), the messages numbered
    on across the parts."""
    if len(ps) == 1:
        return decision.brief_html(ps[0].messages, ps[0].best, lang, caveat)
    body, n = [], 1
    for p in ps:
        inner = ""
        for messages, best in ((p.messages[: p.lead], None), (p.messages[p.lead :], p.best)):
            if messages or best is not None:
                one = decision.brief_html(messages, best, lang)
                inner += one[one.index("</h2>") + 5 : one.rindex("</section>")].replace("<ol>", f'<ol start="{n}">', 1)
                n += len(messages)
        body.append(f'<div class="sl-brief-part"><h3>{html.esc(p.heading)}</h3>{inner}</div>')
    note = html.para(caveat, "sl-small") if caveat else ""
    title = html.esc(i18n.t("decision.title", lang))
    return f'<section class="sl-brief" id="brief"><h2>{title}</h2>{"".join(body)}{note}</section>'
