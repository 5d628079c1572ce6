"""What a run records about the legal frame (manifest entry `legal`), for its reports' first screen.

`legal_status(scen, split, ignored)` says which frame applied (or that none did), whether its
envelope is illustrative, which projected years it does not cover, that the counterpart ratio is
unknown (when it is), where a territory rests on the dataset's flag rather than the frame's list,
(by year, naming a dated scenario's 2026–2035 contents in the years under that programme),
where the frame's lists and the dataset disagree, which money went to a line's modelled content by
default (an assumption), and which rules the run ignored with the breaches it let through. Each
point is also given as a sentence in every language (`notes_vi`, `notes_en`).
"""

from __future__ import annotations

import numpy as np

from simlib.compliance.rules import LIST_FLAGS, TOL, Violation, both, territory
from simlib.dated_budget import content_title, dated_catalogues, item_contents
from simlib.i18n import LANGS, LocalText
from simlib.scenario import switched_scenario


def _uncovered(scen, frame) -> list[int]:
    """Projected years the frame does not speak for, or for which it has no envelope."""
    if frame is None:
        return list(scen.years)
    return [y for y in scen.years if frame.for_year(y) is None or not frame.for_year(y).envelope.amounts.get(y)]


def _by_year(scen, frame) -> dict[int, str | None]:
    """The frame in force in each projected year (None: no frame speaks for it)."""
    if frame is None:
        return {}
    return {int(y): (f.name if (f := frame.for_year(y)) is not None else None) for y in scen.years}


def _unverified(scen, frame, split) -> list[dict]:
    """Funded items whose territory in some unit rests on the dataset's flag (the frame's list
    does not say), with the projected years their money goes there (`years`) and, in a year
    under a dated catalogue, the 2026–2035 content that money stands for (`contents`: {year:
    content}, `item_contents`; none for an undated scenario)."""
    _, verified = territory(scen, frame)
    by_year = scen.budget.amounts[1:].sum(axis=2)[:, :, None] * split[None]  # (Y, L, D)
    money = by_year.sum(axis=0)
    contents = item_contents(scen)
    out = []
    for li, code in enumerate(scen.catalogue.codes):
        unverified = (money[li] > TOL) & ~verified[li]
        if unverified.any():
            units = [u for di, u in enumerate(scen.dataset.unit_ids) if unverified[di]]
            years = [int(y) for yi, y in enumerate(scen.years) if by_year[yi, li, unverified].sum() > TOL]
            entry = {"item": code, "units": units, "years": years}
            found = {y: contents[y][code] for y in years if code in contents.get(y, {})}
            out.append(entry | ({"contents": found} if found else {}))
    return out


def _unverified_notes(entries: list[dict]) -> list[LocalText]:
    """The note on territories resting on the dataset's lists: the items by their codes
    («P1.1, P5, P6.1»); when some of their money is a 2026–2035 content's (a dated scenario), one
    note per run of years naming the same things — «Năm 2024, 2025: … P1.1, P1.2, P5 …», «Năm
    2026, 2027 (Chương trình 2026–2035): … C1 – …; C5 – … (dự kiến) …» (`content_title`), an
    item no content continues by its code."""
    if not any(e.get("contents") for e in entries):
        return [both("legal.note.unverified", items=", ".join(e["item"] for e in entries))]
    years_all = sorted({y for e in entries for y in e["years"]})
    cats = dated_catalogues(years_all)  # the years under a dated catalogue
    groups: list[tuple[list[int], dict[str, list[str]], bool]] = []  # years, names by language, dated
    for year in years_all:
        names = {lg: [] for lg in LANGS}
        for e in (e for e in entries if year in e["years"]):
            content = e.get("contents", {}).get(year)
            for lg in LANGS:
                name = content_title(cats[year], content, lg) if content else e["item"]
                names[lg] += [name] if name not in names[lg] else []
        dated = year in cats
        if groups and groups[-1][1] == names and groups[-1][2] == dated:
            groups[-1][0].append(year)
        else:
            groups.append(([year], names, dated))
    notes = []
    for years, names, dated in groups:
        key = "legal.note.unverified_dated" if dated else "legal.note.unverified_years"
        items = LocalText(**{lg: ("; " if dated else ", ").join(names[lg]) for lg in LANGS})  # titles hold commas
        notes.append(both(key, years=", ".join(map(str, years)), items=items))
    return notes


def _disagreements(scen, frame) -> list[dict]:
    """Units where a list of the frame and the dataset's flag for it disagree."""
    if frame is None:
        return []
    out = []
    for lst, flag in LIST_FLAGS.items():
        data = scen.dataset.unit_flag(flag)
        members = frame.members_of(lst, scen.dataset)
        for di, unit in enumerate(scen.dataset.unit_ids):
            member = members[unit]
            if member is not None and bool(member) != bool(data[di]):
                out.append({"list": lst, "unit": unit, "frame": bool(member), "dataset": bool(data[di])})
    return out


def _routing(scen) -> list[dict]:
    agg: dict[tuple, float] = {}
    for r in scen.budget.routing:
        agg[(r.line, r.source, r.item)] = agg.get((r.line, r.source, r.item), 0.0) + r.vnd
    return [{"line": k[0], "source": k[1], "item": k[2], "vnd_per_listed_year": v} for k, v in agg.items()]


def not_checked_notes(*frames) -> list[LocalText]:
    """The first-screen sentences on the rules the legal `frames` could not state, so do not check
    (`meta.not_checked`; e.g. the 2026–2027 commune frame records no counterpart ratio and no
    norms, so no allocation can breach those rules), each once; a frame of None says nothing."""
    notes: list[LocalText] = []
    for frame in frames:
        notes += [n for n in (frame.not_checked if frame is not None else ()) if n not in notes]
    return notes


def scenario_not_checked(scen) -> list[LocalText]:
    """`not_checked_notes` of the frames a run of `scen` is checked against, known before it runs
    (`simlib validate` says them): the frame in force and, for a scenario that switches units
    (`units_switch`), the frame of its new units."""
    switched = switched_scenario(scen).legal if scen.units_switch else None
    return not_checked_notes(scen.legal, switched)


def _notes(rec: dict, frame) -> list[LocalText]:
    """The first-screen sentences."""
    notes = []
    if frame is None:
        notes.append(both("legal.note.no_frame"))
        return notes
    if rec["ignored_rules"]:
        rules = {lg: ", ".join(both(f"legal.rule.{r}").get(lg) for r in rec["ignored_rules"]) for lg in LANGS}
        n = len(rec["ignored_violations"])
        notes.append(LocalText(**{lg: both("legal.note.ignored", rules=rules[lg], n=n).get(lg) for lg in LANGS}))
    notes.extend(not_checked_notes(frame))  # rules the frame could not state (not found): not checked
    if any(f.envelope.illustrative for f in frame.chain()):
        notes.append(both("legal.note.illustrative"))
    if rec["years_not_covered"]:
        notes.append(both("legal.note.uncovered", years=", ".join(map(str, rec["years_not_covered"]))))
    if rec["counterpart"]["ratio"] is None:
        notes.append(both("legal.note.counterpart_unknown"))
    if rec["default_routing"]:
        notes.append(both("legal.note.default_routing", n=len(rec["default_routing"])))
    if rec["unverified_territory"]:
        notes.extend(_unverified_notes(rec["unverified_territory"]))
    return notes


def legal_status(scen, split: np.ndarray, ignored: list[Violation]) -> dict:
    """The manifest entry `legal` of a run of `scen` (JSON-able)."""
    frame = scen.legal
    ratio = frame.counterpart.ratio if frame is not None else None
    rec = {
        "frame": frame.name if frame is not None else None,
        "title_vi": frame.title.vi if frame is not None else None,
        "title_en": frame.title.en if frame is not None else None,
        "envelope_illustrative": bool(frame.envelope.illustrative) if frame is not None else None,
        "frame_by_year": _by_year(scen, frame),
        "years_not_covered": _uncovered(scen, frame),
        "counterpart": {"ratio": ratio, "known": ratio is not None},
        "ignored_rules": list(scen.ignored_rules),
        "ignored_violations": [v.record() for v in ignored],
        "unverified_territory": _unverified(scen, frame, split),
        "list_disagreements": _disagreements(scen, frame),
        "default_routing": _routing(scen),
    }
    notes = _notes(rec, frame)
    for lg in LANGS:
        rec[f"notes_{lg}"] = [n.get(lg) for n in notes]
    return rec
