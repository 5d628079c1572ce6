"""Issue 16's checks on a small Vietnamese batch with parameter draws (the plan, an alternative
allocation and the counterfactual on the tiny dataset): every table has row labels; no
Vietnamese page contains a word the glossary says to avoid; the scorecard, the XLSX, the CSVs
and the comparison give one probability per target (checked against the per-draw outcomes); the
index names the allocation to choose and how sure, checked against the draws computed here; and
the comparison never puts runs of different models or years in one group."""

from __future__ import annotations

import html as htmllib
import re
import subprocess
import sys
from html.parser import HTMLParser
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, tiny_raw

pytestmark = pytest.mark.slow

N = 12  # parameter draws
PROB = re.compile(r'<span class="sl-prob"([^>]*)>')
ATTR = re.compile(r'data-(\w+)="([^"]*)"')

#: words a Vietnamese page must not show: the "avoid" column of the project's Vietnamese glossary
#: (hạt giống, Bộ máy tính, "(expected)", Mã băm tham số, IPF alone, assumptions.yaml, "source",
#: ISO / UTC dates, 1,234.5 numbers) and English or internal words that leaked into pages before
FORBIDDEN_WORDS = (
    "hạt giống",
    "Bộ máy tính",
    "Mã băm",
    "IPF",
    "assumptions.yaml",
    "source",
    "UTC",
    "expected",
    "lhs",
    "draws",
    "scenario",
    "target",
    "NaN",
    "None",
    "Traceback",
    "nan",
    "inf",
)
FORBIDDEN_PATTERNS = (
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),  # an ISO date
    re.compile(r"\b\d{1,3}(,\d{3})+\.\d+\b"),  # 1,234.5 (English number format)
    re.compile(r"`"),  # literal backticks of markdown or code
    re.compile(r"\b[a-z]+_[a-z_]+\b"),  # a code or key (snake_case)
)


def simlib(*args):
    return subprocess.run(
        [sys.executable, "-m", "simlib", *args], cwd=ROOT, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("decision")
    sc = base / "scenarios"
    sc.mkdir()
    plan = tiny_raw(role="plan")
    alt = tiny_raw(name="tiny_alt", title_vi="Ưu tiên sinh kế thử", title_en="Livelihoods test")
    alt["budget"]["years"]["2024"]["lines"].update(
        {"P1.1": {"central_investment": 10}, "P2": {"central_recurrent": 30}}
    )
    zero = tiny_raw(name="tiny_zero", title_vi="Không có vốn", title_en="No money")
    zero["budget"] = {"unit": "billion VND", "years": {"2023": {}, "2024": {}, "2025": {}}}
    for name, raw in (("a_plan", plan), ("b_alt", alt), ("c_zero", zero)):
        (sc / f"{name}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    out = base / "reports"
    r = simlib("batch", str(sc), "--out", str(out), "--jobs", "2", "--lang", "vi", "--uncertainty", str(N))
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def pages(out):
    return sorted(out.glob("*.html")) + sorted(out.glob("*/*.html"))


class Tables(HTMLParser):
    """Every table body row's cells as text, and the page's visible text."""

    def __init__(self):
        super().__init__()
        self.rows, self.text, self.footer, self._row, self._cell, self._in = [], [], [], None, None, []

    def handle_starttag(self, tag, attrs):
        self._in.append(tag)
        if tag == "tr" and "tbody" in self._in:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        for k, v in attrs:
            if k in ("alt", "title") and v:
                self.text.append(v)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        while self._in and self._in.pop() != tag:
            pass

    def handle_data(self, data):
        if self._in and self._in[-1] in ("style", "script"):
            return
        data = data.replace("\u00a0", " ")  # the pages keep "–" and "%" on their line with no-break spaces
        if self._cell is not None:
            self._cell.append(data.strip())
        (self.footer if "footer" in self._in else self.text).append(data)


def parsed(path) -> Tables:
    p = Tables()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def spans(text: str, kind: str | None = None) -> list[tuple[float, str, str, str, int]]:
    out = []
    for attrs in PROB.findall(text):
        a = dict(ATTR.findall(attrs))
        out.append((float(a["probability"]), a["kind"], htmllib.unescape(a["target"]), a["geo"], int(a["year"])))
    return [s for s in out if kind is None or s[1] == kind]


def test_every_table_row_has_a_label(batch):
    seen = 0
    for page in pages(batch):
        for row in parsed(page).rows:
            seen += 1
            assert row and row[0].strip() not in ("", "–", "-"), f"{page.name}: a row without label: {row}"
    assert seen > 50


def test_no_vietnamese_page_shows_a_glossary_forbidden_word(batch):
    for page in pages(batch):
        p = parsed(page)
        text, footer = " ".join(p.text), " ".join(p.footer)  # the footer: provenance (file paths, run id)
        for w in FORBIDDEN_WORDS:
            for part in (text, footer):
                assert not re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", part), f"{page}: «{w}»"
        for pat in FORBIDDEN_PATTERNS:
            m = pat.search(text)
            assert m is None, f"{page}: «{m.group(0)}» in …{text[max(0, m.start() - 80) : m.end() + 80]}…"
        assert re.search(r"ngày \d{2} tháng \d{2} năm \d{4}", text + footer), f"{page}: no Vietnamese date"


def cell_probabilities(outcomes: pd.DataFrame) -> dict:
    """{(target, geo, year): share of samples meeting the target there}, by hand."""
    g = outcomes.groupby(["target_id", "geo", "year"])["met"].mean()
    return {(a, b, int(c)): float(p) for (a, b, c), p in g.items()}


def test_one_probability_per_target_on_every_page_and_file(batch):
    from simlib.report import table as T

    compare = pd.read_csv(batch / "compare_verdicts.csv")
    for name in ("tiny_plan", "tiny_alt", "tiny_zero"):
        folder = batch / name
        truth = cell_probabilities(pd.read_csv(folder / "uncertainty_outcomes.csv"))
        v = pd.read_csv(folder / "verdicts.csv")
        machine = {(a, b, int(c)): p for a, b, c, p in zip(v["target_id"], v["geo"], v["year"], v["probability"])}
        assert set(machine) == set(truth)
        for k, p in truth.items():
            assert machine[k] == pytest.approx(p, abs=1e-9)
        # the page's scorecard: the same number in every cell
        html = (folder / "report.html").read_text(encoding="utf-8")
        shown = {(t, g, y): p for p, kind, t, g, y in spans(html) if kind in ("cell", "target")}
        assert shown and all(p == pytest.approx(truth[k], abs=1e-6) for k, p in shown.items())
        # the people's CSV and the workbook: the same percentages, rounded to one decimal
        sc = T.read_csv(folder / "table_scorecard.csv", "vi")
        pct = "Xác suất đạt (%)"
        assert list(sc[pct].round(1)) == [round(100 * p, 1) for p in v["probability"]]
        book = pd.read_excel(folder / "tables.xlsx", sheet_name=None)
        sheet = next(s for s in book.values() if pct in s.columns)
        assert list(sheet[pct].round(1)) == list(sc[pct].round(1))
        # the comparison's verdicts: the scenario's own rows
        c = compare[compare["scenario"] == name]
        assert sorted(zip(c["target_id"], c["geo"], c["year"], c["probability"])) == sorted(
            zip(v["target_id"], v["geo"], v["year"], v["probability"])
        )
        # a verdict says met only when at least 80 % of the draws meet the target
        for s, p in zip(v["status"], v["probability"]):
            assert (s == "met") == (p >= 0.8 - 1e-12) and (s == "not_met") == (p <= 0.2 + 1e-12)


def horizon_rates(folder) -> np.ndarray:
    """Province poor rate at the last year in every draw, from the kept draws (by hand)."""
    arr = np.load(folder / "uncertainty_draws.npy")
    cells = pd.read_csv(folder / "uncertainty_cells.csv")
    year = cells["year"].max()
    col = cells.index[(cells["indicator"] == "poor_rate") & (cells["geo"] == "province") & (cells["year"] == year)][0]
    return np.asarray(arr[:, col], float)


def test_index_names_the_choice_and_how_sure_as_the_draws_give_it(batch):
    from simlib.i18n import fmt

    rates = {n: horizon_rates(batch / n) for n in ("tiny_plan", "tiny_alt")}  # the allocations
    stack = np.vstack(list(rates.values()))
    regret = stack - stack.min(axis=0)
    names = list(rates)
    best = names[int(np.argmin(regret.mean(axis=1)))]
    share = float(np.mean(np.argmin(stack, axis=0) == names.index(best)))
    title = {"tiny_plan": "Kịch bản thử", "tiny_alt": "Ưu tiên sinh kế thử"}[best]
    text = " ".join(parsed(batch / "index.html").text)
    # the best of the allocations compared, on the criterion the draws give (readers59)
    assert (
        f"Phương án tốt nhất trong các phương án phân bổ được so sánh, theo tiêu chí tỷ lệ hộ nghèo cuối kỳ (mức thiệt bình quân thấp nhất qua các lượt rút tham số): «{title}»"
        in text
    )
    assert f"{fmt.percent(100 * share, 'vi', 0)} số lượt" in text
    assert fmt.number(regret[names.index(best)].mean(), "vi", 2) in text or share == 1.0
    # the plan comes first in the table of scenarios, the counterfactual last
    rows = [r[0] for r in parsed(batch / "index.html").rows if r and r[0]]
    order = [next(i for i, r in enumerate(rows) if t in r) for t in ("Kịch bản thử", "Không có vốn")]
    assert order[0] < order[1]


def test_the_disbursement_assumed_is_said_in_the_brief_and_on_the_scenario_page(batch):
    """The share of planned money spent in its year, by source, as params/funding.yaml sets it."""
    from simlib.i18n import fmt, t
    from simlib.parameters import load_parameters
    from simlib.schema import qv

    fund = load_parameters()["funding"]["sources"]
    shares = [f"{t('source.' + s, 'vi')} {fmt.percent(100 * qv(v['disbursement']), 'vi', 0)}" for s, v in fund.items()]
    brief = " ".join(parsed(batch / "index.html").text)
    page = " ".join(parsed(batch / "tiny_plan" / "report.html").text)
    for text in (brief, page):
        assert all(s in text for s in shares), shares


def fake_run(model: str, y0: int, y1: int, role: str = "alternative"):
    return SimpleNamespace(key=(model, y0, y1), role=role, name=f"{model}_{y0}_{y1}_{role}")


def test_comparison_groups_only_like_with_like():
    from simlib.report import decision as DC

    runs = [
        fake_run("states", 2023, 2025, "counterfactual"),
        fake_run("multidim", 2023, 2030, "plan"),
        fake_run("states", 2023, 2025),
        fake_run("states", 2023, 2030),
        fake_run("states", 2023, 2025, "plan"),
    ]
    groups = DC.groups(runs)
    assert sorted(r.name for g in groups for r in g) == sorted(r.name for r in runs)  # none lost
    for g in groups:
        assert len({r.key for r in g}) == 1  # one model and one span of years per group
    first = groups[0]
    assert first[0].role == "plan" and first[-1].role == "counterfactual" and len(first) == 3


def _brief_run(name: str, rate: float, role: str = "alternative"):
    """A run as the brief reads it: a rate at every year, headline verdicts in 2024."""
    verdicts = pd.DataFrame({"detail": [False, False], "own_year": [True, True], "year": [2024, 2024]})
    ind = pd.DataFrame({"indicator": "poor_rate", "geo": "province", "year": [2023, 2025], "value": [24.0, rate]})
    return SimpleNamespace(
        name=name,
        role=role,
        key=("states", 2023, 2025),
        verdicts=verdicts,
        tables=SimpleNamespace(indicators=ind, uncertainty=None),
        title=lambda lang, n=name: n,
        rate=lambda year, v=rate: v,
    )


def test_no_allocation_is_called_highest_among_zero_probabilities(monkeypatch):
    from simlib.report import decision as DC

    runs = [_brief_run("a", 19.0, "plan"), _brief_run("b", 18.5)]
    monkeypatch.setattr(DC, "all_met_probability", lambda r, year: 0.0)
    text = DC.targets_message(runs, None, "en").html
    assert "highest" not in text and "none of the 2 allocations meets all 2 targets" in text
    monkeypatch.setattr(DC, "all_met_probability", lambda r, year: 0.3 if r.name == "b" else 0.1)
    assert "“b” has the highest probability" in DC.targets_message(runs, None, "en").html


def test_a_scenario_computed_differently_is_never_said_to_differ_more_than_it_does():
    from simlib.report import decision as DC

    main = [_brief_run("plan", 19.0, "plan"), _brief_run("other", 18.0)]  # spread 1.0 point
    close, far = _brief_run("close", 19.3), _brief_run("far", 21.0)
    close.key = far.key = ("multidim", 2023, 2025)
    text = DC.context_message(main, [[close, far]], "en").html
    near_part, far_part = text.split("“far”")
    assert "within the 1.00-point spread" in near_part and "more than" not in near_part
    assert "more than the 1.00-point spread" in far_part


def _judged_run(name: str, years_status: dict, role: str = "alternative"):
    """A run whose headline verdicts are judged in the given years: {year: [status, …]}."""
    rows = [(y, s) for y, ss in years_status.items() for s in ss]
    verdicts = pd.DataFrame(
        {"detail": False, "own_year": True, "year": [y for y, _ in rows], "status": [s for _, s in rows]}
    )
    run = _brief_run(name, 19.0, role)
    run.verdicts = verdicts
    run.tables = SimpleNamespace(indicators=run.tables.indicators, uncertainty=None, manifest={})
    return run


def test_central_targets_are_compared_in_a_year_every_allocation_judges():
    """Without draws: a run judged in 2024, 2026 and 2027 (5 of 10 met) and one judged in 2027 only
    (2 of 2) were compared as "5/10 is the most, in 2024"; they are compared in 2027, where both
    meet 2 of 2, and neither is called the one meeting the most."""
    from simlib.report import decision as DC

    cross = _judged_run("cross", {2024: ["met"] + ["not_met"] * 5, 2026: ["met", "met"], 2027: ["met", "met"]})
    plan = _judged_run("plan", {2027: ["met", "met"]}, "plan")
    assert DC.own_year([plan, cross]) == 2027
    text = DC.targets_message([plan, cross], None, "en").html
    assert "2027" in text and "most" not in text and "“plan” (2/2)" in text and "“cross” (2/2)" in text
    worse = _judged_run("worse", {2027: ["met", "not_met"]})
    text = DC.targets_message([plan, worse], None, "en").html
    assert "“plan” meets the most targets (2/2)" in text
    # no common year: the earliest judged
    assert DC.own_year([_judged_run("a", {2024: ["met"]}), _judged_run("b", {2027: ["met"]})]) == 2024


def test_a_message_ending_in_a_list_has_its_link_after_the_lead_in():
    """The trade-offs message is a lead-in and a list: its evidence link sat alone below the list."""
    from simlib.report import decision as DC

    msgs = [DC.Message("Trade-offs:<ul class='sl-list'><li>a</li><li>b</li></ul>", "compare.html#ranking", "evidence")]
    page = DC.brief_html(msgs, None, "en")
    assert page.index("evidence") < page.index("<ul") and page.count("evidence") == 1
    plain = DC.brief_html([DC.Message("One sentence.", "compare.html", "evidence")], None, "en")
    assert "One sentence. <span" in plain
