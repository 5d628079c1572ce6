"""Lines the recommended split leaves without money where the law is unclear about it.

A line whose effect on households the model measures (`OptimizationResult.zero_lines`, `measured`)
may get nothing at the optimum: its money does more elsewhere. Whether the province may adopt
that depends on rules the legal frame could not state as constraints. The frame says so in
`caps_and_floors.component_projects` (`simlib.legal.ComponentRule`), one rule per capital type and
period: for recurrent money (2024–2025) the province's People's Council splits the programme's money
between its component projects; for development-investment capital (2022–2025, P1.2) the medium-term
public investment plan assigns it and the province gives it to the units using it; for 2026–2027 (the
2026–2035 programme, frame `caobang_communes_2026_2027`) a rule per capital type names what was seen
of the programme's allocation texts. In all of them no floor per project was found, and the
documents to check are named. No floor is invented from that; instead the recommendation says
plainly, for each such line:

- that it gives the line (code and name) no money in the years allocated, and the plan's money
  for it a year;
- what that leaves undone: the households the line serves (its eligibility in
  `params/program.yaml`) get no support from it, and the province's targets it counts toward
  (`params/targets.yaml` `coverage`): not met when no line counted toward them gets money;
- then, once per rule, that whether this is allowed must be checked against the frame's documents
  (named, with how each was seen) and what they require; for investment capital the sentence first
  says the lines are funded with it (`CHECK_KEYS`). A scenario crossing periods (plan_2027: 2024–2027)
  gets the rule of each period its years fall in, in year order.

`texts(result, lang)` gives the sentences (the result's message ends with them); `record(result)`
gives them for `summary.json` (`unfunded`; an older result has no such key).
"""

from __future__ import annotations

from simlib import i18n
from simlib.i18n import fmt

#: the sentence on an unfunded line's targets, by whether another line counted toward it gets money
TARGET_KEYS = {True: "alloc.unfunded.target_others", False: "alloc.unfunded.target_none"}
#: a line's households by state, in words (program.yaml `eligible` states)
STATE_KEYS = {
    "poor": "alloc.unfunded.state.poor",
    "near_poor": "alloc.unfunded.state.near_poor",
    "escaped": "alloc.unfunded.state.escaped",
    "non_poor": "alloc.unfunded.state.non_poor",
}
#: a line is a sub-project when its code has a dot (P3.1), else a project (P2)
WHAT_KEYS = {True: "alloc.unfunded.what_sub", False: "alloc.unfunded.what_project"}
#: the closing sentence by the rule's capital types (any other: the general sentence)
CHECK_KEYS = {("investment",): "alloc.unfunded.check_investment"}


def _years(result) -> tuple[int, ...]:
    return tuple(result.spec.plan_years or result.problem.scenario.years)


def _rule_years(scen, capital: str, years) -> list[tuple[tuple[int, ...], object, object]]:
    """The component-project rules speaking for `capital` in `years`, each with its frame (the one
    in force in those years, `LegalFrame.for_year`) and the years it speaks for, in year order."""
    found: dict[int, tuple[list[int], object, object]] = {}
    for y in sorted(int(y) for y in years):
        frame = scen.legal.for_year(y) if scen.legal is not None else None
        r = frame.component_rule_for(capital, y) if frame is not None else None
        if r is not None:
            found.setdefault(id(r), ([], frame, r))[0].append(y)
    return [(tuple(ys), frame, rule) for ys, frame, rule in found.values()]


def who(entries: list, lang: str) -> str:
    """The households a line serves, in words, from its `eligible` entries (program.yaml)."""
    parts = []
    for e in entries:
        states = list(e.get("states") or [])
        text = ", ".join(i18n.t(STATE_KEYS[s], lang) for s in states)
        if e.get("poor_districts_only"):
            text += i18n.t("alloc.unfunded.in_poor_districts", lang)
        if e.get("unit_flag"):
            text += i18n.t("alloc.unfunded.in_selected_units", lang)
        if e.get("attributes"):
            text += i18n.t("alloc.unfunded.with_attributes", lang)
        if e.get("labour"):
            text += i18n.t("alloc.unfunded.able", lang)
        parts.append(text)
    return "; ".join(parts) or i18n.t("alloc.unfunded.everyone", lang)


def targets_text(scen, code: str, funded: set, lang: str) -> str:
    """The province's targets the line counts toward (`coverage` of targets.yaml), each with
    whether another line counted toward it still gets money."""
    tparams = scen.params["targets"]
    out = []
    for key, cov in (tparams.get("coverage") or {}).items():
        lines = list(cov.get("lines") or [])
        if code not in lines:
            continue
        others = [c for c in lines if c != code and c in funded]
        for t in tparams["targets"]:
            if t["id"] == key or t["id"].startswith(key + "_"):
                label = t[i18n.column("label", lang)]
                out.append(i18n.t(TARGET_KEYS[bool(others)], lang, target=label, others=", ".join(others)))
    return "".join(out)


def _line_text(result, row, years, funded: set, lang: str) -> str:
    """The sentence on one unfunded line: its money in the plan, whom it serves, its targets."""
    code = row["line"]
    scen = result.problem.scenario
    plan = result.lines.set_index("line").loc[code, "plan_bn_per_year"]
    return i18n.t(
        "alloc.unfunded.line",
        lang,
        line=row["name"].get(lang),
        what=i18n.t(WHAT_KEYS["." in code], lang),
        years=", ".join(str(y) for y in years),
        plan=fmt.number(float(plan), lang, 1),
        who=who(scen.params["program"]["lines"][code].get("eligible") or [], lang),
        targets=targets_text(scen, code, funded, lang),
    )


def check_text(codes, frame, rule, lang: str) -> str:
    """The closing sentence: whether leaving `codes` without money is allowed is to be checked
    against the rule's documents (named, with how each was seen) and what they require."""
    return i18n.t(
        CHECK_KEYS.get(rule.capital, "alloc.unfunded.check"), lang, lines=", ".join(codes),
        rule=frame.cite_all(rule.citations, lang), check=rule.check.get(lang),
    )  # fmt: skip


def unfunded(result) -> list[tuple[dict, tuple[int, ...], list]]:
    """(zero-line row, years, rules) for each measured line the optimum leaves without money in
    years whose frame has a component-project rule for the line's capital: the years any rule speaks
    for, and the rules as (years, frame, rule), one per period (`_rule_years`)."""
    scen = result.problem.scenario
    if scen.legal is None or result.lines.empty:
        return []
    capital = result.lines.set_index("line")["capital"]
    out = []
    for row in result.zero_lines:
        if not row.get("measured") or row["line"] not in capital.index:
            continue
        rules = _rule_years(scen, str(capital[row["line"]]), _years(result))
        if rules:
            out.append((row, tuple(sorted(y for ys, _, _ in rules for y in ys)), rules))
    return out


def _funded(result) -> set:
    """Lines with money at the optimum in the years allocated."""
    return set(result.lines.loc[result.lines["optimal_bn_per_year"] > 0, "line"])


def texts(result, lang: str) -> list[str]:
    """The sentences of the module docstring in `lang`: one per unfunded line, then one per rule
    naming the lines it leaves open."""
    found = unfunded(result)
    funded = _funded(result) if found else set()
    out = [_line_text(result, row, years, funded, lang) for row, years, _ in found]
    by_rule: dict = {}
    for row, _, rules in found:
        for years, frame, rule in rules:
            by_rule.setdefault(id(rule), (years[0], frame, rule, []))[3].append(row["line"])
    ordered = sorted(by_rule.values(), key=lambda g: g[0])  # stable: earlier periods' rules first
    return out + [check_text(codes, frame, rule, lang) for _, frame, rule, codes in ordered]


def record(result) -> list[dict]:
    """For summary.json: per unfunded line its code, years, the sentence in each language and the
    rule to check (`check`: the closing sentence for this line alone; one per period's rule, joined)."""
    found = unfunded(result)
    funded = _funded(result) if found else set()
    return [
        {"line": row["line"], "years": list(years)}
        | {lang: _line_text(result, row, years, funded, lang) for lang in i18n.LANGS}
        | {"check": {lang: " ".join(check_text([row["line"]], f, r, lang) for _, f, r in rules) for lang in i18n.LANGS}}
        for row, years, rules in found
    ]


__all__ = ["check_text", "record", "targets_text", "texts", "unfunded", "who"]
