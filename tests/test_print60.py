"""What a provincial leader reading the printed Vietnamese pages saw (print60): the money the
chosen allocation leaves reaching no one said twice on the index's first screen (the answer's
box and message 1)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
from verdict_frames import province_verdict

from simlib.report import decision as DC


def _run(name: str, rate: float):
    """A run as the brief reads it without parameter draws: one headline verdict in 2024."""
    ind = pd.DataFrame({"indicator": "poor_rate", "geo": "province", "year": [2023, 2025], "value": [24.0, rate]})
    return SimpleNamespace(
        name=name,
        role="alternative",
        key=("states", 2023, 2025),
        verdicts=province_verdict("not_met", np.nan, -1.0),
        tables=SimpleNamespace(indicators=ind, uncertainty=None, folder=None, manifest={}),
        title=lambda lang, n=name: n,
        rate=lambda year, v=rate: v,
    )


def test_the_chosen_allocations_money_reaching_no_one_is_said_once_in_the_answer():
    """The index said «77,9 tỷ đồng … không đến được đối tượng nào» in its answer's box and again
    in message 1: said once, in the box a leader reads first, with why (above the need at the norm)."""
    runs = [_run("plan", 19.1), _run("equal", 18.4), _run("infra", 19.0)]
    for lang, money, why in (
        ("vi", "77,9 tỷ đồng", "vượt nhu cầu của các đối tượng đủ điều kiện theo định mức"),
        ("en", "77.9 billion VND", "beyond what eligible beneficiaries can take up at the norm"),
    ):
        messages, best = DC.brief(runs, lang, {"plan": 0.0, "equal": 77.93818, "infra": 15.8})
        page = DC.brief_html(messages, best, lang)
        (answer,) = re.findall(r'<p class="sl-answer">(.*?)</p>', page, re.S)
        assert money in answer and why in answer
        assert page.count(money) == 1, lang
        assert money not in messages[0].html
    # one allocation: no answer's box, so message 1 keeps the sentence, once
    messages, best = DC.brief([_run("plan", 19.1)], "vi", {"plan": 12.34})
    page = DC.brief_html(messages, best, "vi")
    assert best is None and "sl-answer" not in page
    assert "12,3 tỷ đồng" in messages[0].html and page.count("12,3 tỷ đồng") == 1
