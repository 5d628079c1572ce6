"""The datasets' source lists read in the page's language: an English page says «Vietnamese
Wikipedia» (the Vietnamese title of a cited page kept, in the English marks “…”: quote65), a
Vietnamese page gives each source its Vietnamese title and note, and no page lists a folder path
(`data/caobang`) as a source."""

from __future__ import annotations

import html
import re

import pytest

from simlib.dataset import load_dataset
from simlib.report.baseline import provenance


def source_list(name: str, lang: str) -> list[str]:
    """The items of the provenance section's source list, as text."""
    page = "".join(str(b) for b in provenance(load_dataset(name), lang))
    items = re.findall(r"<li>(.*?)</li>", page.split('<ul class="sl-list">', 1)[1].split("</ul>", 1)[0])
    return [html.unescape(re.sub(r"<[^>]+>", "", i)).replace("\xa0", " ") for i in items]


@pytest.mark.parametrize("name", ["caobang", "caobang_communes"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_source_is_a_folder_path(name, lang):
    items = source_list(name, lang)
    assert items and not [i for i in items if re.search(r"\bdata/\w", i)]


def test_english_sources_say_vietnamese_wikipedia():
    items = source_list("caobang", "en")
    wiki = [i for i in items if "Wikipedia" in i]
    assert len(wiki) == 2
    for item in wiki:
        outside_quotes = re.sub(r"“[^”]*”", "", item)
        assert "tiếng Việt" not in outside_quotes and "Vietnamese Wikipedia" in item, item
        assert "assumptions.yaml" not in item
    assert any(i.startswith("“Lịch sử hành chính Cao Bằng”") for i in wiki)


def test_vietnamese_sources_have_vietnamese_titles_and_notes():
    items = source_list("caobang", "vi")
    assert "Các trang về từng huyện trên Wikipedia tiếng Việt" in " ".join(items)
    assert not [i for i in items if "mirror" in i or "District pages" in i]
    # every source has its note in Vietnamese (numbers as 28,94 %), none in English
    assert all(i.endswith(")") and ("[V]" in i or "[S]" in i) for i in items)
    assert "tỷ lệ hộ nghèo 28,94 % cuối năm 2022, 24,71 % cuối năm 2023" in items[0]


def test_the_commune_dataset_cites_the_resolution_in_the_pages_language():
    en, vi = source_list("caobang_communes", "en"), source_list("caobang_communes", "vi")
    assert en[1].startswith("Resolution 1657/NQ-UBTVQH15 of 16 June 2025")
    assert vi[1].startswith("Nghị quyết 1657/NQ-UBTVQH15 ngày 16/6/2025")
