"""Money that reads «0,00» billion VND in the optimiser's words (`simlib.allocate.labels.reads_as_zero`,
one rule for the CLI, the report's tables and the binding rules): it is not said as money left
over, reaching no one or placed without effect; an envelope left with such a slack is said as
used in full, and an envelope of such an amount as no money of its source. Every expectation is
worked by hand from the amounts below."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simlib.allocate.explain import binding_of, bindings
from simlib.allocate.labels import reads_as_zero
from simlib.allocate.plots import unallocatable_summary
from simlib.allocate.rules import Row


@pytest.mark.parametrize(
    "bn,zero",
    [
        (0.0, True),
        (0.004999, True),
        (-0.004999, True),
        (0.005, False),  # the double nearest 0.005 is above it: shown «0,01» (numpy's round says 0.0)
        (0.0051, False),
        (-0.006, False),
        (1e-12, True),
        (float("nan"), False),
    ],
)
def test_zero_is_what_reads_0_00(bn, zero):
    """Hand-worked: an amount reads «0,00» when it is under 5 million VND either way; 0.005 as a
    double (0.005000000000000000104…) rounds up."""
    assert reads_as_zero(bn) is zero


def test_the_reports_table_and_the_cli_agree_at_half_a_hundredth():
    """0.005 billion VND: the CLI says «0,01 tỷ đồng không đến được» (`reads_as_zero` is False),
    so the report's table keeps the row with 0.01; 0.004 is left out of both."""
    rows = pd.DataFrame(
        {
            "allocation": ["optimal", "optimal", "plan"],
            "year": [2024, 2024, 2024],
            "line": ["P2", "P3.1", "P3.1"],
            "district": ["D1", "D1", "D1"],
            "unallocatable_bn": [0.005, 0.004, 0.004],
        }
    )
    t = unallocatable_summary(rows, "vi")
    assert list(t.index) == ["P2"] and t.shape[1] == 1
    assert t.iloc[0, 0] == 0.01


def envelope_problem(slacks, amount=10.0):
    """One local-money envelope of `amount` billion VND per row, each used up to its slack."""
    m = len(slacks)
    rows = [Row("envelope", source="local", year=2024 + i, amount=amount, rule="envelope") for i in range(m)]
    p = SimpleNamespace(b=np.full(m, amount), A=np.eye(m), rows=rows, objective="poor", envelope_rows=np.ones(m, bool))
    return p, amount - np.array(slacks, float)


def test_a_slack_that_reads_0_00_is_said_as_used_in_full():
    """Envelopes of 10 billion VND left with 0.003 (reads «0,00»: used in full), 0.006 («Còn 0,01»)
    and 0 (used in full): the relative tolerance alone (1e-4 × 10 = 0.001 billion) called 0.003
    left over and printed «Còn 0,00 tỷ đồng»."""
    p, x = envelope_problem([0.003, 0.006, 0.0])
    out = bindings(p, x, np.zeros(3), {})
    kinds = {b.year: b.kind for b in out}
    assert kinds == {2024: "envelope", 2025: "unallocated", 2026: "envelope"}
    texts = {b.year: b.text("vi") for b in out}
    assert not re.search(r"(?<![\d.,])0,00", " ".join(texts.values()))  # «10,00» is not «0,00»
    assert texts[2024].startswith("Đã dùng hết") and "10,00 tỷ đồng" in texts[2024]
    assert texts[2025].startswith("Còn 0,01 tỷ đồng")


@pytest.mark.parametrize("lang,expected", [("vi", "Không có"), ("en", "No ")])
def test_an_envelope_of_no_money_is_said_so(lang, expected):
    """The rule that stops the best line may be an envelope of 0 billion VND (plan_2027's local
    money in 2027): «Đã dùng hết …: 0,00 tỷ đồng» said nothing; it reads as no money of the source,
    with what a billion more would be worth."""
    row = Row("envelope", source="local", year=2027, amount=0.0, rule="envelope")
    b = binding_of("envelope", row, 0.0, 2.0, {}, "poor")
    text = b.text(lang)
    assert text.startswith(expected) and "0,00" not in text and "0.00" not in text and "2027" in text
    assert ("2,0" if lang == "vi" else "2.0") in text  # the value of a billion more is still said
