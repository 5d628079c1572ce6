"""quote65: English quotes with “…” and Vietnamese with «…», never one inside the other; the index
page tells a leader who does what and keeps its commands in a technical note; a dataset's
description says in administrative words who replaces its estimates, the command in the note."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
import yaml

from simlib import i18n
from simlib.batch import BatchItem, BatchResult
from simlib.dataset import load_dataset
from simlib.errors import written_oddly
from simlib.i18n import catalogue
from simlib.report.assumptions import dataset_description, dataset_technical
from simlib.report.index import index_html
from simlib.table_files import missing_columns_error

ROOT = Path(__file__).resolve().parents[1]
GUILLEMETS = re.compile("[«»]")
#: what only a technician types: a command, a flag, a file or folder of the project
TECHNICAL = re.compile(r"simlib [a-z]|make reports|--[a-z]|UNCERTAINTY|\.ipynb|\.yaml|params/|notebooks/")
#: a quotation inside a quotation of the same marks: «… «…» …»
NESTED = re.compile(r"«[^»]*«")


def test_the_english_catalogue_quotes_with_english_marks():
    """89 English texts quoted with «…» (rules, targets, scenario titles, Excel's menu items, cells
    typed in the explorer): an English reader reads “…”, the Vietnamese «…» (`fmt.QUOTES`)."""
    texts = catalogue.read_files(langs=("en", "vi"))
    english = {k: v for entries in texts["en"].values() for k, v in entries.items()}
    assert not [k for k, v in english.items() if GUILLEMETS.search(v)]
    vietnamese = {k: v for entries in texts["vi"].values() for k, v in entries.items()}
    # Vietnamese «…» only; “ ” appear where a message names those characters (Word's quotes)
    assert [k for k, v in vietnamese.items() if re.search("[“”]", v)] == ["err.typographic_quotes"]
    assert not [k for k, v in {**english, **vietnamese}.items() if NESTED.search(v)]


def _builds_guillemets(node: ast.AST) -> bool:
    """An f-string or a `+` putting text between «»: a quote written for one language only."""
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
        return any(GUILLEMETS.search(p) for p in parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        sides = (node.left, node.right)
        return any(
            isinstance(s, ast.Constant) and isinstance(s.value, str) and GUILLEMETS.search(s.value) for s in sides
        )
    return False


def test_no_code_quotes_with_guillemets_of_its_own():
    """decision._q (the brief's titles), compare's reference notes, brief_parts' part headings, a
    path typed oddly and a CSV header to rename wrote «…» in English pages and messages: a quote is
    `fmt.quote(text, lang)`, the one place that knows each language's marks."""
    found = []
    for path in sorted((ROOT / "simlib").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(ROOT)}:{n.lineno}" for n in ast.walk(tree) if _builds_guillemets(n)]
    assert not found


@pytest.mark.parametrize("lang, marks", [("vi", "«»"), ("en", "“”")])
def test_input_messages_quote_in_the_readers_language(tmp_path, lang, marks):
    """A path typed with blanks and a CSV header written in Vietnamese are quoted in the message's
    language (they were «…» in English)."""
    odd = written_oddly(" plan.yaml ", "scenario").message(lang)
    assert f"{marks[0]} plan.yaml {marks[1]}" in odd, odd
    header = missing_columns_error(["Mã đơn vị", "Số hộ"], ["unit_id", "households"], "units.csv").message(lang)
    assert f"{marks[0]}Số hộ{marks[1]} → households" in header, header
    if lang == "en":
        assert not GUILLEMETS.search(odd + header)


def _failed_batch(tmp_path: Path) -> BatchResult:
    item = BatchItem(ROOT / "params" / "scenarios" / "bad.yaml", "bad", error="bad.yaml: budget: missing")
    return BatchResult([item], tmp_path)


def _paragraphs(page: str) -> list[tuple[str, str]]:
    """(class, text) of the page's paragraphs and notes, tags and entities left out."""
    blocks = re.findall(r'<(?:p|div)(?: class="([^"]*)")?>(.*?)</(?:p|div)>', page, flags=re.S)
    return [(cls, re.sub(r"<[^>]+>", "", text)) for cls, text in blocks]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_index_tells_a_leader_who_does_what_and_keeps_commands_in_a_technical_note(tmp_path, lang):
    """«… chạy lại với số lượt rút tham số, ví dụ: simlib batch params/scenarios --out reports
    --uncertainty 200 (hoặc make reports UNCERTAINTY=200) … (notebooks/uncertainty.ipynb)» and
    «Sửa lỗi được nêu rồi chạy lại lệnh «make reports»» on the leader's index page."""
    page = index_html(_failed_batch(tmp_path), tmp_path, lang)
    note = i18n.t("report.technical.batch_draws", lang, n=1).split(":")[0]  # «Ghi chú kỹ thuật»
    plain = [text for cls, text in _paragraphs(page) if not text.startswith(note) and "sl-fail" not in cls]
    said = [t for t in plain if "bad.yaml" not in t]  # the failed scenario's own error, as the run gave it
    assert said and not [t for t in said if TECHNICAL.search(t)], said
    team = {"vi": "bộ phận kỹ thuật", "en": "technical team"}[lang]
    assert sum(team in t.lower() for t in said) == 2, said  # the failed run, the draws
    technical = [text for _, text in _paragraphs(page) if text.startswith(note)]
    assert len(technical) == 2 and "make reports" in technical[0] and "--uncertainty 100" in technical[1]
    if lang == "en":
        assert not GUILLEMETS.search(page)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", ["caobang", "caobang_communes"])
def test_the_dataset_description_says_who_replaces_the_estimates(lang, name):
    """plan_2024's description ended «… Khi có kết quả rà soát chính thức của tỉnh, hãy thay (bộ
    phận kỹ thuật thực hiện).»: an instruction to the reader, its object gone with the command."""
    ds = load_dataset(name)
    written = " ".join(ds.meta[f"description_{lang}"].split())
    command = re.search(r"simlib import-review[^»`]*", written).group(0)
    desc = dataset_description(ds, lang)
    assert "simlib" not in desc and "(" + i18n.t("report.assumptions.replace_estimates", lang)[1:] not in desc
    assert desc.endswith(i18n.t("report.assumptions.replace_estimates", lang))
    assert not re.search(r"hãy thay|[Rr]eplace it", desc) and "()" not in desc
    first = written.split(". ")[0]  # the rest is kept as written
    assert desc.startswith(first.replace("2022-2025", "2022–2025"))
    marks = {"vi": "«»", "en": "“”"}[lang]
    assert dataset_technical(ds, lang).endswith(f"{marks[0]}{command}{marks[1]}.")


@pytest.mark.parametrize("folder", sorted(p.parent.name for p in (ROOT / "data").glob("*/dataset.yaml")))
def test_a_datasets_sources_quote_nothing_inside_a_quote(folder):
    """«Số hộ … (bộ dữ liệu cấp huyện «caobang», số ước tính)» in the sources list, itself quoted
    on the page: a quote inside a quote, and an internal code on a leader's page."""
    meta = yaml.safe_load((ROOT / "data" / folder / "dataset.yaml").read_text(encoding="utf-8"))
    for source in meta.get("sources") or []:
        vi, en = source.get("title_vi", ""), source.get("title", "")
        assert not GUILLEMETS.search(vi + en), source
        assert not re.search(r"\b(?:caobang|data/)\w*", vi + en), source


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_scenarios_computed_differently_come_under_a_sentence(lang):
    """plan_2024 and plan_2027 together: the index's seventh message was a lone «(xem căn cứ)»
    before a list «… tính theo Mô hình đa chiều (…), các năm 2023–2027: trình bày riêng.» (no
    counterfactual to say first; the model's capital mid-sentence; the base year among the years
    its group's heading calls «dự báo 2024–2027»)."""
    from test_report_decision import _brief_run

    from simlib.report import decision as DC

    other = _brief_run("other", 19.3)
    other.key = ("multidim", 2023, 2025)
    text = DC.context_message([_brief_run("plan", 19.0, "plan")], [[other]], lang).html
    lead, listed = text.split("<ul", 1)
    assert lead.strip().rstrip(":") and lead.strip() == html.escape(i18n.t("decision.other_groups", lang))
    model = i18n.t("decision.model.multidim", lang)
    assert model[:1].lower() + model[1:] in listed and "2024–2025" in listed and "2023" not in listed
