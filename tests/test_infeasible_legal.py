"""A legal rule that makes the optimiser's floors infeasible is named, with its source and the
amounts that clash (issue 15, `simlib.allocate.diagnose`). Constructed cases on the tiny fixture
(horizon 1, the hand-worked lines of `test_allocate.known_raw`) with a made-up frame whose only
document is Decision 1/QĐ-UBND (`test_optimise_legal.frame`)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT
from hostile_helpers import INTERNAL, cli
from test_allocate import ALL_BUT, spec_for
from test_optimise_legal import frame, tiny_with

from simlib.allocate.diagnose import conflict
from simlib.allocate.optimize import optimize
from simlib.allocate.rules import Row
from simlib.errors import InputError


def _floor_error(envelope_legal: float, floor: float, money: float = 5.0) -> InputError:
    scen = tiny_with(frame({"central_recurrent": envelope_legal}))
    lines = {c: {"ceiling": 0} for c in ALL_BUT} | {"P3.1": {"floor": floor}}
    with pytest.raises(InputError) as info:
        optimize(scen, spec_for(scen, {"central_recurrent": money}, lines), with_frontier=False)
    return info.value


def test_a_floor_above_the_frames_envelope_names_the_envelope_rule_its_source_and_both_amounts():
    """P3.1 floor 3 billion VND, 5 billion to allocate, the frame's central recurrent envelope 1:
    no allocation meets the floor, and only the legal envelope stands in its way (the money to
    allocate is larger than the floor), so the message names that rule, its document and 1 and 3."""
    err = _floor_error(envelope_legal=1.0, floor=3.0)
    vi, en = err.message("vi"), err.message("en")
    assert "1/QĐ-UBND" in vi and "Decision 1/QĐ-UBND" in en
    assert "central envelope" in en and "dự toán" in vi and "given to the province" in en
    assert "floor of 3 billion VND" in en and "mức sàn 3 tỷ đồng" in vi
    assert "given to the province: 1 billion VND" in en
    # the money to allocate (5) is not part of the clash: it would allow the floor
    assert "to allocate" not in en


def test_a_floor_within_the_frames_envelope_but_above_the_money_is_not_blamed_on_the_law():
    """Floor 3, frame's envelope 10, money to allocate 2: the law allows the floor, the budget does
    not — no legal rule is named (the optimiser's own diagnosis of its bounds speaks instead)."""
    err = _floor_error(envelope_legal=10.0, floor=3.0, money=2.0)
    assert "1/QĐ-UBND" not in err.message("vi") and "central envelope" not in err.message("en")


def test_the_deletion_filter_leaves_an_irreducible_set():
    """x1 + x2 <= 1 (envelope), x1 >= 2 (floor), x2 >= 0.5 (floor), x1 <= 5 (ceiling, harmless):
    the irreducible set is the envelope and the first floor — feasible once either is dropped."""
    A = np.array([[1.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [1.0, 0.0]])
    b = np.array([1.0, -2.0, -0.5, 5.0])
    rows = [
        Row("legal_envelope", None, "central_recurrent", 2024, None, 1.0, "envelope"),
        Row("floor", "A", None, 2024, None, 2.0, "floor"),
        Row("floor", "B", None, 2025, None, 0.5, "floor"),
        Row("ceiling", "A", None, 2024, None, 5.0, "ceiling"),
    ]
    assert conflict(A, b, rows) == [0, 1]
    assert conflict(A[[0, 2, 3]], b[[0, 2, 3]], [rows[i] for i in (0, 2, 3)]) is None


def test_the_command_line_names_the_rules_exits_2_and_writes_nothing(tmp_path):
    """plan_2024 under its frame (illustrative central investment envelope 410 billion VND a year)
    with a P1.1 floor of 500 and 600 of central investment to allocate: investment capital is
    capped by the frame, recurrent capital may not fund P1.1 (capital by content), and local and
    mobilised money (40 + 13) cannot close the gap (410 + 53 < 500) — the command names both legal
    rules with their documents and the floor, exits 2 without a traceback and writes nothing."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "objective: poor\nunit: billion VND\n"
        "envelope: {central_investment: 600, central_recurrent: 263, local: 40, mobilised: 13}\n"
        "lines:\n  P1.1: {floor: 500}\ncounterpart_min_share: 0\nfrontier: []\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, text = cli("--lang", "en", "optimize", ROOT / "params/scenarios/plan_2024.yaml", "--spec", spec, "--out", out)
    assert code == 2 and not any(s in text for s in INTERNAL)
    assert "central envelope" in text and "410 billion VND" in text and "652/QĐ-TTg" in text
    assert "capital by content" in text and "Decision 90/QĐ-TTg" in text
    assert "floor of 500 billion VND" in text
    assert not out.exists()
