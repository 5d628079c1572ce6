"""polish64: a leader's sentences name no tool command, file or internal key; the commands are
in a technical note in small type; the notes on the central projection say it once."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from test_brief64 import _central_ctx

from simlib.report import answer
from simlib.report import scenario_report as R
from simlib.report.context import fewer_draws_note
from simlib.runner import run
from simlib.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "params" / "scenarios"
#: what only a technician types or reads: a command, a flag, a file of the report folder
TECHNICAL = re.compile(r"simlib |make reports|--uncertainty|UNCERTAINTY|\.csv|\.xlsx|\.yaml")
TECH_NOTE = {"vi": "Ghi chú kỹ thuật", "en": "Technical note"}


def _small(blocks) -> list[str]:
    """The texts of the paragraphs in small type among a section's blocks."""
    return [b for b in blocks if isinstance(b, str) and 'class="sl-small"' in b]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("asked", [0, 100])
def test_the_answer_says_in_plain_words_who_runs_the_draws(lang, asked):
    """The note under the answer gave «simlib run … --uncertainty 100 --out …» and «make reports
    UNCERTAINTY_MULTIDIM=100» on the leader's first screen."""
    notes = answer.verdict_parts(_central_ctx(lang, asked, SCENARIOS / "multidim_2030.yaml"))[1:]
    assert notes and not any(TECHNICAL.search(n) for n in notes), notes
    team = {"vi": "bộ phận kỹ thuật", "en": "technical team"}[lang]
    assert team in notes[-1]


@pytest.fixture(scope="module")
def equal_split():
    return run(load_scenario(SCENARIOS / "equal_split.yaml"))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_commands_are_in_a_technical_note_in_small_type(equal_split, lang):
    """Without draws asked, the scorecard's section ends with the technical note giving the
    command; its other note says what the cells lack, not «the verdicts follow the central
    projection; how sure is unknown» again (the answer says it)."""
    ctx = R.context(equal_split, lang)
    small = _small(R.scorecard(ctx))
    (tech,) = [b for b in small if TECH_NOTE[lang] in b]
    assert "simlib run params/scenarios/equal_split.yaml --uncertainty 100 --out …" in tech
    assert not any(TECHNICAL.search(b) for b in small if b is not tech)
    how_sure = {"vi": "chưa biết mức độ chắc chắn", "en": "how sure they are is unknown"}[lang]
    assert not any(how_sure in b for b in small)
    # a batch that asked 20 draws and ran none: the section on how sure holds the note, the
    # scorecard no second one
    ctx.draws_asked, ctx.uncertainty_note = 20, "…"
    assert not any(TECH_NOTE[lang] in b for b in _small(R.scorecard(ctx)))
    ctx.links = replace(ctx.links, uncertainty=None)
    (tech,) = [b for b in _small(R.uncertainty(ctx)) if TECH_NOTE[lang] in b]
    assert "make reports UNCERTAINTY_MULTIDIM=20" in tech and "equal_split.yaml --uncertainty 20 --out" in tech


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_batch_notes_on_fewer_draws_give_no_command(lang):
    scen = load_scenario(SCENARIOS / "multidim_2030.yaml")
    for ran in (0, 20):
        note = fewer_draws_note(scen, ran, 100, lang)
        assert note and not TECHNICAL.search(note), note
