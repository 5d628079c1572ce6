"""Money likely written in the wrong unit is said on the reports (helper round65): a year whose
local money is more than twice its central money (params/funding.yaml,
plausibility.max_local_to_central; simlib.budget_bounds) was printed by `simlib validate`/`run`
and recorded in the manifest, but the scenario report, the index and the comparison page showed
nothing. Now the report says it on its first screen (which year, which amount, that it should be
checked; the field and command in a technical line), and the index and comparison mark the run."""

from __future__ import annotations

import html
from types import SimpleNamespace

import pytest
import yaml

from simlib.paths import params_dir
from simlib.report import compare, decision_runs, index
from simlib.report import scenario_report as R
from simlib.report.data import RunTables
from simlib.runner import run
from simlib.scenario import load_scenario

PLAN = params_dir() / "scenarios" / "plan_2024.yaml"
FIELD = "budget.years.2024.lines.P2.local"
SLIP = f"{FIELD}=2000"  # 2,000 million VND meant, under `unit: billion VND`


def _money_2024(local_p2: float) -> tuple[float, float]:
    """(central, local) billion VND of plan_2024's 2024 with P2's local money `local_p2`, summed here."""
    lines = yaml.safe_load(PLAN.read_text(encoding="utf-8"))["budget"]["years"][2024]["lines"]
    lines["P2"]["local"] = local_p2
    central = sum(by.get(s, 0) for by in lines.values() for s in ("central_investment", "central_recurrent"))
    return central, sum(by.get("local", 0) for by in lines.values())


def _first_screen(result, lang: str) -> str:
    return html.unescape("".join(b for b in R.title(R.context(result, lang)) if isinstance(b, str)))


@pytest.fixture(scope="module")
def slipped():
    return run(load_scenario(PLAN, [SLIP]))


@pytest.fixture(scope="module")
def plain():
    return run(load_scenario(PLAN))


def test_the_reports_first_screen_says_which_year_and_amount_to_check(slipped):
    central, local = _money_2024(2000)
    assert local > 2 * central  # 2,019 against 673 billion VND
    vi, en = _first_screen(slipped, "vi"), _first_screen(slipped, "en")
    notes = [x.split("</div>")[0] for x in vi.split('<div class="sl-note">')[1:]]
    (note,) = [x for x in notes if "Cần kiểm tra lại số liệu vốn" in x]
    assert notes.index(note) == 0  # the first note of the first screen
    for said in ("năm 2024", f"{local:,.0f} tỷ đồng".replace(",", "."), f"({central:.0f} tỷ đồng)"):
        assert said in note, (said, note)
    assert "số 2.000 đã được ghi theo triệu đồng thay vì theo tỷ đồng" in note
    assert "simlib" not in note and "budget.years" not in note  # plain: no tool words in the warning
    technical = vi.split("Ghi chú kỹ thuật: số cần kiểm tra")[1].split("</p>")[0]
    assert f"«{FIELD}»" in technical and "simlib validate" in technical
    assert f"Check the money figures of 2024: the year's local budget money comes to {local:,.0f} billion VND" in en
    assert "written in million VND rather than in billion VND" in en


def test_a_plan_as_written_shows_no_such_warning(plain):
    for lang, said in (("vi", "Cần kiểm tra lại số liệu vốn"), ("en", "Check the money figures")):
        page = _first_screen(plain, lang)
        assert said not in page and "⚠" not in page


def _run_of(result) -> decision_runs.Run:
    return decision_runs.run_of(RunTables.from_result(result))


def test_the_index_and_the_comparison_mark_the_run(slipped, plain, tmp_path):
    runs = {"slipped": _run_of(slipped), "plain": _run_of(plain)}
    runs["slipped"].tables.name = "slipped"  # two runs of one scenario, told apart here
    items = [
        SimpleNamespace(
            name=r.name,
            ok=True,
            out_dir=tmp_path / k,
            title=lambda lang, k=k: k,
            uncertainty_error=None,
            uncertainty_report=None,
        )
        for k, r in runs.items()
    ]
    page = "".join(
        index.scenario_tables(SimpleNamespace(items=items), {r.name: r for r in runs.values()}, tmp_path, "vi")
    )
    assert page.count("⚠ Cần kiểm tra lại số liệu vốn (xem phần đầu báo cáo)") == 1
    marked = page.split("⚠ Cần kiểm tra lại số liệu vốn")[0].rsplit("<tr>", 1)[1]
    assert 'href="slipped/report.html"' in marked and "plain/" not in marked
    notes = compare.reference_notes(list(runs.values()), "", "en")
    assert [n for n in notes if "check the money figures" in n] == [
        f"“{runs['slipped'].title('en')}”: check the money figures — the scenario's local money is unusually high"
        " against its central money, possibly written in the wrong unit (see the top of the scenario's report)."
    ]
