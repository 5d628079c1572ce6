"""Round 58 of hostile inputs: the mistakes a tired planner (or a careless maintainer) made that
simlib answered wrongly, each with the answer it must give now (exit status 2 and a clear
message, no traceback; the other scenarios of a batch still run; nothing of the user's touched).
"""

from __future__ import annotations

import pytest
import yaml
from conftest import tiny_raw
from hostile_helpers import assert_user_error, cli


@pytest.fixture(autouse=True)
def default_language(monkeypatch):
    """Vietnamese unless a test asks otherwise, whatever the shell running the tests says."""
    monkeypatch.delenv("SIMLIB_LANG", raising=False)


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A private current folder (messages show paths relative to it) holding the tiny scenario
    as `good.yaml`."""
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(tiny_raw(name="good")), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_same_file_twice_in_a_batch_runs_once(here):
    """`simlib batch good.yaml ./good.yaml` (or a folder and a file in it): the second mention was
    taken for another scenario of the same name, and its error replaced the first one's
    scenario: «0/2 scenarios done», nothing run. The file runs once."""
    code, text = cli("batch", "good.yaml", "./good.yaml", ".", "--out", "out", "--tables-only", "--executor", "serial")
    assert code == 0, text
    assert "đã được dùng" not in text and "1/1" in text, text
    assert (here / "out" / "good" / "indicators.csv").is_file()
