"""The Vietnamese texts bundled with simlib — datasets' and scenarios' `*_vi` fields, which the
reports print as they are — hold no word the report glossary forbids on Vietnamese pages and no
code (snake_case). The report test (`test_report_decision`) scans rendered pages of a tiny dataset,
so it cannot see the real datasets' descriptions: this test reads them at the source."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import ROOT
from test_report_decision import FORBIDDEN_WORDS

CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")
FILES = sorted([*ROOT.glob("data/*/dataset.yaml"), *ROOT.glob("params/scenarios/*.yaml")])


def vietnamese_texts(node, path=""):
    """(path, text) of every string under a key ending in `_vi` (or a `vi:` key)."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            if isinstance(value, str) and (str(key).endswith("_vi") or key == "vi"):
                yield here, value
            else:
                yield from vietnamese_texts(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from vietnamese_texts(value, f"{path}[{i}]")


def test_the_scan_sees_the_bundled_files():
    assert len(FILES) >= 8
    assert any(True for f in FILES for _ in vietnamese_texts(yaml.safe_load(f.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("file", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_vietnamese_fields_use_no_forbidden_word_or_code(file):
    doc = yaml.safe_load(file.read_text(encoding="utf-8"))
    for where, text in vietnamese_texts(doc):
        for word in FORBIDDEN_WORDS:
            assert not re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text), f"{file.name}{where}: «{word}»"
        assert not CODE.search(text), f"{file.name}{where}: «{CODE.search(text).group(0)}»"
