"""The lead's checks of stop 61: a scenario's `horizon` written as the last year."""

from __future__ import annotations

import pytest
from conftest import ROOT

from simlib.cli import main as cli_main
from simlib.schema import horizon_as_year, validate


def _doc(horizon) -> dict:
    return {"name": "x", "horizon": horizon}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_horizon_written_as_a_year_says_how_to_count(lang):
    """`horizon: 2030` (the last year, not the number of years) is refused with how to count the
    years; the value and the limit are said."""
    errors = [e for e in validate(_doc(2030), "scenario", "s.yaml") if e.field == "horizon"]
    assert [e.code for e in errors] == ["horizon_year"]
    text = errors[0].message(lang)
    assert "2030" in text and "30" in text
    assert ("horizon: 7" in text) and (("số năm dự báo" in text) if lang == "vi" else ("projected years" in text))


def test_horizon_too_large_but_not_a_year_keeps_the_limit_message():
    """31 or 10**30 is no year of this era: the ordinary limit message stays."""
    for value in (31, 10**30):
        codes = [e.code for e in validate(_doc(value), "scenario", "s.yaml") if e.field == "horizon"]
        assert codes == ["maximum"]


@pytest.mark.parametrize(
    ("field", "value", "bound", "expected"),
    [
        ("horizon", 2030, "maximum", True),
        ("horizon", 1900, "maximum", True),
        ("horizon", 2201, "maximum", False),
        ("horizon", True, "maximum", False),
        ("horizon", 2030.5, "maximum", False),
        ("start_year", 2030, "maximum", False),
        ("horizon", 2030, "minimum", False),
    ],
)
def test_horizon_as_year_rule(field, value, bound, expected):
    assert horizon_as_year(field, value, bound) is expected


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_run_uncertainty_zero_says_to_leave_the_option_out(lang, tmp_path, capsys):
    """`simlib run … --uncertainty 0` (no draws, as `batch --uncertainty 0` means) is refused with
    exit 2, saying that no draws is the option left out; `robustness` (whose draws are its
    comparison) keeps the plain range message."""
    out = tmp_path / "out"
    argv = [
        "--lang",
        lang,
        "run",
        str(ROOT / "params/scenarios/plan_2024.yaml"),
        "--out",
        str(out),
        "--uncertainty",
        "0",
    ]
    assert cli_main(argv) == 2
    text = capsys.readouterr()
    text = text.out + text.err
    assert ("bỏ hẳn tùy chọn --uncertainty" in text) if lang == "vi" else ("leave --uncertainty out" in text)
    assert not out.exists()
    rob = [
        "--lang",
        lang,
        "robustness",
        str(ROOT / "params/scenarios/plan_2024.yaml"),
        str(ROOT / "params/scenarios/plan_2027.yaml"),
    ]
    assert cli_main([*rob, "--out", str(out), "--uncertainty", "0"]) == 2
    text = capsys.readouterr()
    assert "--uncertainty out" not in text.out + text.err and "bỏ hẳn" not in text.out + text.err


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_index_verdict_cell_says_how_many_counted_targets_are_not_the_provinces_own(lang):
    """plan_2027's 2027 count «đạt 2» is of a national target the province is only compared with
    and a poor-commune target only proposed: the index's one-line cell says so (1 and 1), and says
    nothing more for a province's own adopted targets."""
    from test_brief61 import COMMUNES, _run
    from test_verdict_readings import _run as verdicts

    from simlib.report import index as IX

    run = _run("plan_2027", 19.4, "plan", 2027, COMMUNES)
    v = verdicts(-3.2, {"a": -4.0, "b": -2.5})
    run.verdicts = v.assign(proposed=v["target_id"] == "u", reference_area=(v["target_id"] == "p").map({True: "VN"}))
    cell = IX._verdict_cell(run, lang)
    if lang == "vi":
        assert "(trong đó 1 chỉ để đối chiếu, 1 mới dự kiến)" in cell
    else:
        assert "(of which 1 for comparison only, 1 only proposed)" in cell
    run.verdicts = v  # every counted target the province's own and adopted
    cell = IX._verdict_cell(run, lang)
    assert "trong đó" not in cell and "of which" not in cell
