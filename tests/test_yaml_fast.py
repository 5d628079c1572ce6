"""YAML files read by libyaml's parser first (`simlib.yaml_strict.FastStrictLoader`) and, when it
refuses or finds them wrong, by the pure-Python `StrictLoader`: the same values, the same
refusals in the same words."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simlib import yaml_strict
from simlib.errors import InputError
from simlib.money_notes import grouped_amounts
from simlib.schema import parse_yaml
from simlib.yaml_strict import (
    MAX_YAML_DEPTH,
    FastStrictLoader,
    StrictLoader,
    depth_over,
    parse_strict,
    parse_with,
    text_not_octal,
)

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "params").rglob("*.yaml")) + sorted((ROOT / "tests").rglob("*.yaml"))

#: documents whose values differ between YAML readers that resolve or scan differently
TRICKY = [
    "a: 2024-07-01\nb: 010\nc: 0x1F\nd: 1_000\ne: yes\nf: ~\ng: .inf\nh: 1e3\ni: '1,5'\n",
    "hộ_nghèo: 'tái nghèo'\nghi chú: |\n  dòng một\n  dòng hai\nx: >-\n  gấp\n  lại\n",
    "base: &b {rate: 0.05, years: [2024, 2025]}\nother: *b\nlist: [*b, *b]\n",
    "'quoted: key': \"tab\\there\"\nempty:\nnested: {a: {b: {c: [1, [2, [3]]]}}}\n",
]


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_every_bundled_file_reads_the_same_through_both_readers(path):
    text = path.read_bytes().decode("utf-8", errors="replace")
    outcomes = []
    for read in (parse_strict, lambda t: parse_with(StrictLoader, t)):
        try:
            outcomes.append(repr(read(text)))
        except Exception as exc:  # noqa: BLE001 - a refusal is compared by its kind
            outcomes.append(type(exc).__name__)
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_documents_read_the_same(text):
    """As PyYAML's safe reader reads them, but for octal-looking scalars, text in both (split61)."""

    class OctalAsText(yaml.SafeLoader):
        resolve = text_not_octal

    assert repr(parse_strict(text)) == repr(yaml.load(text, Loader=OctalAsText))


def test_a_valid_file_is_read_without_the_pure_python_reader(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the pure-Python reader read a valid file")

    monkeypatch.setattr(yaml_strict, "StrictLoader", refuse)
    assert parse_strict("a: [1, 2]\n") == {"a": [1, 2]}


def nested(depth: int) -> str:
    """`depth` flow lists, one inside the next."""
    return "a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"


def test_depth_over_counts_as_the_scanner_does():
    """The root mapping is level 1, each list one more: `nested(d)` holds d levels."""
    node = FastStrictLoader(nested(7)).get_single_node()
    assert not depth_over(node, 7) and depth_over(node, 6)


@pytest.mark.parametrize("depth", [MAX_YAML_DEPTH + 1, 500, 999, 5000])
def test_deep_documents_are_refused_as_before(depth):
    """Between the limit and libyaml's own (1,000) the fast reader composes the file; it is
    refused all the same, in the pure-Python reader's words."""
    with pytest.raises(InputError) as got:
        parse_yaml(nested(depth), "deep.yaml")
    assert got.value.code == "yaml_too_deep"


def test_the_limit_itself_is_read():
    assert parse_strict(nested(MAX_YAML_DEPTH))["a"] is not None


@pytest.mark.parametrize(
    "text,code",
    [
        ("seed: 1\nseed: 2\n", "duplicate_key"),
        ("a:\n\tb: 1\n", "yaml_tab"),
        ("a: &a [*a]\n", "yaml_recursive"),
        ("a: [1, 2\nb: 3\n", "yaml_open_bracket"),  # said in plain words since input65
        ("name: a\nx: [1, 2]]\ny: 1\n", "yaml_between"),
        ("? [a, b]\n: 1\n", "yaml_key"),  # a list as a key: once an internal error (TypeError)
    ],
)
def test_refusals_keep_the_pure_python_readers_words(monkeypatch, text, code):
    """The same code and the same message (line, column, the parser's words) as when only the
    pure-Python reader reads."""
    with pytest.raises(InputError) as fast:
        parse_yaml(text, "f.yaml")
    monkeypatch.setattr(yaml_strict, "FastStrictLoader", StrictLoader)
    with pytest.raises(InputError) as slow:
        parse_yaml(text, "f.yaml")
    assert fast.value.code == slow.value.code == code
    assert str(fast.value) == str(slow.value)


def test_money_notes_compose_a_deep_budget_without_raising(tmp_path):
    """The notes' reader composes by libyaml too: a budget nested between the limit and
    libyaml's own is refused there (no notes), never raised nor walked into a recursion error."""
    deep = tmp_path / "deep.yaml"
    deep.write_text("budget:\n  unit: ty_dong\n  x: " + "[" * 600 + "]" * 600 + "\n", encoding="utf-8")
    assert grouped_amounts(deep) == ()
    with pytest.raises(yaml_strict.TooDeep):
        yaml_strict.compose_fast(deep.read_text(encoding="utf-8"))
