"""The explorer driven in JupyterLab (headless Chromium, stop 63); what it found, checked through
the widget API:

- in the 0.15 s after another year was chosen, the cells still showed the previous year's
  amounts, greyed but taking the keyboard: a Tab and a number typed then went into a cell of the
  year left. The cells are now hidden from the choice on (`stale_css`).
"""

from __future__ import annotations

import re

import pytest

from simlib.workbench.grid import BUSY_CLASS
from simlib.workbench.state import AllocationState
from tests.conftest import ROOT

PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"


@pytest.fixture
def view(tmp_path):
    from simlib.workbench.view import ExplorerView

    return ExplorerView(AllocationState.load(PLAN), "vi", tmp_path, debounce=0)


def test_a_year_switch_hides_the_cells_at_once(view):
    """From the choice on, no box of the year left takes a keystroke: hidden (Tab passes it by,
    Chromium takes the focus from it) with no delay."""
    css = view.w["style"].value
    rules = re.findall(
        r"([^{}]*:is\(\.sl-amount, \.sl-total\) input[^{}]*)\{([^}]*)\}", css
    )
    assert len(rules) == 1
    selectors, body = rules[0]
    assert (
        f".sl-explorer:has(.{BUSY_CLASS}) :is(.sl-amount, .sl-total) input" in selectors
    )
    for k in range(len(view.grid.options)):
        assert (
            f".sl-shown-{k} option:nth-child({k + 1}):not(:checked)) :is(.sl-amount"
            in selectors
        )
    assert (
        "visibility: hidden" in body
        and "transition" not in body
        and "pointer-events: none" in body
    )
