"""A parameter document found valid is validated once per process (issue 18: a run and its
previous-standard twin checked the same files about 50 times): the same content is answered from
memory, any change of content is validated anew, so an edited file is never judged on its old
content; integral floats are turned into integers on every call, and documents with problems or
with values that are not JSON's types are never kept."""

from __future__ import annotations

import copy
import datetime

import pytest
from conftest import tiny_raw

from simlib import schema
from simlib.errors import SimlibError
from simlib.scenario import load_scenario


@pytest.fixture(autouse=True)
def empty_memory(monkeypatch):
    monkeypatch.setattr(schema, "_VALIDATED", type(schema._VALIDATED)())


def counted(monkeypatch) -> list:
    """The documents really validated (not answered from memory) from here on."""
    seen, inner = [], schema._validate

    def spy(doc, *a, **kw):
        seen.append(copy.deepcopy(doc))
        return inner(doc, *a, **kw)

    monkeypatch.setattr(schema, "_validate", spy)
    return seen


def test_the_same_content_is_validated_once(monkeypatch):
    seen = counted(monkeypatch)
    assert schema.validate(tiny_raw(), "scenario", "s.yaml", quantities=False) == []
    assert schema.validate(tiny_raw(), "scenario", "s.yaml", quantities=False) == []
    assert len(seen) == 1
    assert schema.validate(tiny_raw(), "scenario", "other.yaml", quantities=False) == []  # another name
    assert len(seen) == 2


def test_a_changed_document_is_validated_again_and_its_problem_found(monkeypatch):
    seen = counted(monkeypatch)
    assert schema.validate(tiny_raw(seed=3), "scenario", "s.yaml", quantities=False) == []
    errors = schema.validate(tiny_raw(seed=-3), "scenario", "s.yaml", quantities=False)
    assert len(seen) == 2 and [e.code for e in errors] == ["minimum"]
    # a document with problems is never kept: asked again, validated again, the same problem
    again = schema.validate(tiny_raw(seed=-3), "scenario", "s.yaml", quantities=False)
    assert len(seen) == 3 and [e.code for e in again] == ["minimum"]


def test_2_and_2_0_and_true_are_different_contents(monkeypatch):
    seen = counted(monkeypatch)
    for seed in (2, 2.0, True, "2"):
        schema.validate(tiny_raw(seed=seed), "scenario", "s.yaml", quantities=False)
    assert len(seen) == 4


def test_integral_floats_become_integers_from_memory_too(monkeypatch):
    seen = counted(monkeypatch)
    first, second = tiny_raw(seed=7.0), tiny_raw(seed=7.0)
    assert schema.validate(first, "scenario", "s.yaml", quantities=False) == []
    assert schema.validate(second, "scenario", "s.yaml", quantities=False) == []
    assert len(seen) == 1
    for doc in (first, second):
        assert doc["seed"] == 7 and type(doc["seed"]) is int


def test_documents_with_other_types_are_not_kept(monkeypatch):
    seen = counted(monkeypatch)
    raw = tiny_raw(description=datetime.date(2026, 12, 3))
    for _ in range(2):
        schema.validate(copy.deepcopy(raw), "scenario", "s.yaml", quantities=False)
    assert len(seen) == 2 and schema.validation_key(raw, "scenario", "s.yaml", False) is None


def test_the_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(schema, "VALIDATED_MAX", 3)
    for seed in range(5):
        schema.validate(tiny_raw(seed=seed), "scenario", "s.yaml", quantities=False)
    assert len(schema._VALIDATED) == 3


def test_an_edited_file_is_judged_on_its_new_content(tmp_path, monkeypatch):
    """A scenario file loaded, then edited on disk in the same process: the second load reads
    and validates the new content (no stale answer), and finds its problem."""
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(tiny_raw(seed=5)), encoding="utf-8")
    seen = counted(monkeypatch)
    assert load_scenario(path).raw["seed"] == 5
    assert load_scenario(path).raw["seed"] == 5
    first = len(seen)
    path.write_text(yaml.safe_dump(tiny_raw(seed=-5)), encoding="utf-8")
    with pytest.raises(SimlibError) as exc:
        load_scenario(path)
    assert "seed" in exc.value.message("en")
    assert any(d.get("seed") == -5 for d in seen[first:])
