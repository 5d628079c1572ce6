"""brief64: a brief of one part (`decision.brief` alone: the index or the comparison page of a
batch whose largest plan group is the current plan's, and the comparison notebook) set aside no
allocation breaking a legal rule its run let through; it named the crossing_2024_2027 of such a
batch, lowest rate, as the allocation to choose. Now every brief reads the rule from one place
(`decision_runs.set_aside`). Hand-built runs (`test_report63._brief_run`) whose rates say by hand
which allocation is lowest once the one over the envelope is set aside."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_report63 import _brief_run, _ctx, _plain

from simlib import i18n
from simlib.report import answer
from simlib.report import brief_parts as BP
from simlib.report import decision as DC
from simlib.report import decision_runs as DR
from simlib.report import html as H
from simlib.report import scenario_report as R
from simlib.runner import run
from simlib.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "params" / "scenarios"


def _one_group():
    """One group on communes (same model and years): the plan 19.37 %, the crossing 19.00 % (lowest,
    over the envelope), an alternative 19.20 %; by hand, the lowest allocation keeping the rules is
    the alternative."""
    return [
        _brief_run("plan_2027", "plan", 19.37, 2023, 2027, "commune"),
        _brief_run("crossing", "alternative", 19.00, 2023, 2027, "commune", breaches=("envelope",)),
        _brief_run("infra", "alternative", 19.20, 2023, 2027, "commune"),
    ]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_brief_alone_does_not_choose_a_run_over_the_legal_rules(lang):
    runs = _one_group()
    messages, best = DC.brief(runs, lang)
    assert best.name == "infra"  # min(19.37, 19.20), the crossing's 19.00 set aside
    aside = [m for m in messages if "CROSSING" in m.html]
    assert aside == [DC.set_aside_message(runs[1], lang)]
    rate = "19,00 %" if lang == "vi" else "19.00%"
    assert rate in aside[0].html and i18n.t("legal.rule.envelope", lang) in aside[0].html
    assert messages.index(aside[0]) == 1  # said right after the choice, as in the current plan's part
    assert not any("CROSSING" in m.html for m in messages if m is not aside[0])  # nor among the trade-offs


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_one_part_brief_box_does_not_name_the_crossing(lang):
    """The current plan's group is the largest plan group: one part (the path of the index and the
    comparison page), its box naming the alternative, not the crossing."""
    ps = BP.parts(_one_group(), lang)
    assert len(ps) == 1 and ps[0].best.name == "infra"
    (box,) = re.findall(r'<p class="sl-answer">(.*?)</p>', BP.parts_html(ps, lang), re.S)
    assert "INFRA" in box and "CROSSING" not in box


def test_set_aside_is_the_one_rule():
    """The plan is never set aside; an alternative keeping the rules is not; one breaking them is."""
    runs = _one_group()
    runs[0].tables.manifest["legal_after_switch"] = {"ignored_violations": [{"rule": "envelope"}]}
    assert DR.set_aside(runs) == [runs[1]]
    runs[1].tables.manifest["legal_after_switch"] = {"ignored_violations": []}
    assert DR.set_aside(runs) == []
    assert DC.brief(runs, "vi")[1].name == "crossing"  # kept the rules: it can be the answer


# --- equal_split's own report says it is a reference ------------------------------------------


def _first_screen(path, lang: str, set_items=()):
    """The title blocks of a scenario's report (its first screen, before the headline)."""
    ctx = R.context(run(load_scenario(path, list(set_items))), lang)
    return "".join(b for b in R.title(ctx) if isinstance(b, str))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_reference_says_so_on_its_own_reports_first_screen(lang):
    """equal_split (`role: reference`) says it is a naive rule, not a plan, as the brief, the
    comparison page and the index already do; a note read from the role, not from the name: the
    same file as an alternative says nothing of it, the 2024 plan called a reference says it."""
    said = H.note(i18n.t("report.note.reference", lang))
    assert said in _first_screen(SCENARIOS / "equal_split.yaml", lang)
    assert said not in _first_screen(SCENARIOS / "equal_split.yaml", lang, ["role=alternative"])
    assert said in _first_screen(SCENARIOS / "plan_2024.yaml", lang, ["role=reference"])


# --- no repeated note under a central-only answer -----------------------------------------------

CENTRAL = {"vi": "dự báo trung tâm", "en": "central projection"}
HOW_SURE = {"vi": "chưa đánh giá mức độ chắc chắn", "en": "how sure it is was not assessed"}


def _central_ctx(lang: str, asked: int, file=None):
    """`test_report63._ctx` of two targets judged by the central projection alone (no draws), the
    batch having asked `asked` draws of each scenario, the scenario read from `file`."""
    ctx = _ctx(_plain("projection"), lang)
    ctx.draws_asked, ctx.scenario.file = asked, file
    return ctx


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_note_under_a_central_answer_does_not_repeat_it(lang):
    """The bold count says «by the central projection, how sure not assessed»; the note under it
    said «no draws were run: the verdicts follow the central projection; how sure is unknown».
    It now says only what the count does not: why no draws ran and the command that runs them."""
    bold, *notes = answer.verdict_parts(_central_ctx(lang, 0))
    assert CENTRAL[lang] in bold and HOW_SURE[lang] in bold
    assert not any(CENTRAL[lang] in n for n in notes)
    assert notes[-1] == i18n.t("report.verdict.no_draws_asked", lang)
    # a multidimensional scenario of a batch that ran none of its draws: why (the commands that
    # run them are in the technical note, polish64: test_polish64)
    path = SCENARIOS / "multidim_2030.yaml"
    *_, batch = answer.verdict_parts(_central_ctx(lang, 100, path))
    assert CENTRAL[lang] not in batch and batch == i18n.t("report.verdict.no_draws_batch", lang, asked=100)
