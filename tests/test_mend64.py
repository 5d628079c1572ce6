"""Round 64's mends of what hostile64 left: a scenario file cut off while being saved, CSV text
saved under a .yaml name, an optimiser spec among the scenarios of a folder, a path typed in NFD,
and a scenario's `params:` folder after the scenario was copied to another folder. Each answer:
exit status 2, one message naming the file (and field), what is wrong and what to write; no
traceback, nothing written."""

from __future__ import annotations

import pytest
from conftest import ROOT
from hostile_helpers import assert_user_error, cli

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

SCENARIOS = ROOT / "params" / "scenarios"


# 1. a file cut off while being saved


@pytest.mark.parametrize(
    "lang,says",
    [
        ("vi", ["bị cắt ngang", "dòng 40 «P3.1: {central_recurrent: 23.909, local: 2, mob»", "chép lại"]),
        ("en", ["looks cut off", "line 40 «P3.1: {central_recurrent: 23.909, local: 2, mob»", "copy it again"]),
    ],
)
def test_a_file_cut_inside_a_line_is_said_cut_off(here, lang, says):
    """equal_split.yaml cut after 2600 bytes, inside a `{…}` of line 40, was «cannot parse YAML at
    line 40, column 56: expected ',' or '}', but got '<stream end>'» — the parser's English in
    the Vietnamese message. It says now the file looks cut off, its last line, and what to do."""
    (here / "cut.yaml").write_bytes((SCENARIOS / "equal_split.yaml").read_bytes()[:2600])
    code, text = cli("--lang", lang, "validate", "cut.yaml")
    assert_user_error(code, text, says)
    assert "stream" not in text and text.count("cut.yaml:") == 1


def test_quoted_text_cut_off_names_the_line_it_opened_on(here):
    """A quoted title cut off: the line the quote opened on, its text."""
    (here / "cut.yaml").write_text('name: x\ntitle_vi: "Chia đều', encoding="utf-8")
    code, text = cli("validate", "cut.yaml")
    assert_user_error(code, text, ['dòng 2 «title_vi: "Chia đều»', "mở từ dòng 2"])
    assert "end of stream" not in text
