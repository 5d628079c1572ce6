"""Round 58 of hostile inputs: the mistakes a tired planner (or a careless maintainer) made that
simlib answered wrongly, each with the answer it must give now (exit status 2 and a clear
message, no traceback; the other scenarios of a batch still run; nothing of the user's touched).
"""

from __future__ import annotations

import pytest
import yaml
from conftest import tiny_raw
from hostile_helpers import assert_user_error, cli

from simlib.errors import InputError
from simlib.uncertainty.sensitivity import sensitivity_analysis


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


@pytest.mark.parametrize(
    "lang,groupings,says",
    [
        ("vi", "", "tùy chọn dòng lệnh «--groupings»: giá trị không hợp lệ (giá trị: ''; cho phép: kind, project"),
        ("en", " , ", "option '--groupings': value not allowed (value: ' , '; allowed: kind, project, parameter)"),
        ("en", "kind,projet", "option '--groupings': value not allowed (value: 'projet'; allowed: kind, project"),
    ],
    ids=["empty", "blank", "misspelt"],
)
def test_sensitivity_groupings_are_checked_with_the_arguments(here, lang, groupings, says):
    """`simlib sensitivity … --groupings ""` was an internal error (ValueError: need at least one
    array to concatenate) once the analysis had started; a misspelt grouping was said as
    «'grouping'», not the option typed, after «Analysing…». Now both with the other arguments
    (here `--points 1`), before any work."""
    code, text = cli(
        "--lang", lang, "sensitivity", "good.yaml", "--out", "o", "--groupings", groupings, "--points", "1"
    )
    assert_user_error(code, text, [says, "--points"])
    assert not (here / "o").exists()


def test_sensitivity_analysis_without_a_grouping_is_an_input_error(tiny_scenario):
    """The library's own call with no grouping: an input error naming the field, not a crash."""
    with pytest.raises(InputError, match="grouping"):
        sensitivity_analysis(tiny_scenario, n=2, groupings=())
