"""Lead, stop 60: an optimisation result written by an older simlib is refused with what it lacks
and what to do, instead of a report that breaks (`KeyError: 'verdict'`, results before 2 Dec.) or
reads without the checks the recommendation now passes (the certificate's words, the lines left
without money where the law is unclear: results before this stop)."""

from __future__ import annotations

import json

import pytest

from simlib.allocate.output import CURRENT_KEYS, read_optimization, read_summary
from simlib.errors import InputError


def summary_folder(tmp_path, drop=()):
    """A result folder whose summary.json holds every current key but `drop` (hand-written)."""
    summary = {"verdict": "optimal", "certificate_text": {"vi": "…", "en": "…"}, "unfunded": []}
    summary["manifest"] = {"scenario": "plan_2024"}
    for k in drop:
        del summary[k]
    (tmp_path / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return tmp_path


def test_a_current_result_is_read(tmp_path):
    assert read_summary(summary_folder(tmp_path))["verdict"] == "optimal"
    assert set(CURRENT_KEYS) == {"verdict", "certificate_text", "unfunded"}


@pytest.mark.parametrize(
    "drop", [("unfunded",), ("certificate_text", "unfunded"), ("verdict", "certificate_text", "unfunded")]
)
def test_an_older_result_is_refused_with_what_it_lacks(tmp_path, drop):
    with pytest.raises(InputError) as e:
        read_optimization(summary_folder(tmp_path, drop))
    vi, en = e.value.message("vi"), e.value.message("en")
    assert "phiên bản cũ" in vi and f"thiếu: {', '.join(drop)}" in vi and "«plan_2024»" in vi
    assert "older simlib" in en and "simlib optimize" in en
    assert e.value.file.endswith("summary.json")


def test_a_folder_without_a_summary_is_said_to_be_no_result(tmp_path):
    with pytest.raises(InputError) as e:
        read_optimization(tmp_path)
    assert "summary.json" in e.value.message("vi") and "simlib optimize" in e.value.message("vi")
