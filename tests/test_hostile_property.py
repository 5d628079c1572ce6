"""Property: whatever file of the hostile corpus (tests/hostile/) simlib is given — every scenario
to `validate`, `run` and `batch`, every review file to `import-review` and `calibrate`, every
optimisation spec to `optimize` — it answers with exit status 0 or 2 and never with an internal
error (exit 1, "Internal simlib error") or a traceback; a refused run leaves no output behind."""

from __future__ import annotations

import os

import pytest
from hostile_helpers import HOSTILE, INTERNAL, cli, copy_corpus

SCENARIOS = sorted(p.name for p in (HOSTILE / "scenarios").glob("*.yaml"))
REVIEWS = sorted(p.name for p in (HOSTILE / "reviews").glob("*.csv"))
SPECS = sorted(p.name for p in (HOSTILE / "specs").glob("*.yaml"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = copy_corpus(tmp_path_factory.mktemp("property"))
    here = os.getcwd()
    os.chdir(root)
    yield root
    os.chdir(here)


def _no_internal_error(code: int, text: str) -> None:
    assert code in (0, 2), text
    for bad in INTERNAL:
        assert bad not in text, text


def test_validate_every_scenario(corpus):
    code, text = cli("--lang", "en", "validate", "hostile/scenarios")
    _no_internal_error(code, text)
    assert code == 2
    named = [line[2:].split(": ")[-1] for line in text.splitlines() if line[:2] in ("✓ ", "✗ ")]
    assert named == [f"hostile/scenarios/{n}" for n in SCENARIOS]  # every file named, once


def test_batch_every_scenario(corpus):
    code, text = cli("--lang", "en", "batch", "hostile/scenarios", "--out", "batch", "--tables-only", "--jobs", "1")
    _no_internal_error(code, text)
    assert code == 2  # some scenarios are invalid ...
    assert (corpus / "batch" / "good" / "indicators.csv").is_file()  # ... and the valid ones ran


@pytest.mark.parametrize("name", SCENARIOS)
def test_run_every_scenario(corpus, name):
    out = corpus / "runs" / name
    code, text = cli("--lang", "en", "run", f"hostile/scenarios/{name}", "--out", out)
    _no_internal_error(code, text)
    assert out.is_dir() == (code == 0)


@pytest.mark.parametrize("name", REVIEWS)
def test_import_every_review(corpus, name):
    out = corpus / "imports" / name
    code, text = cli(
        "--lang", "en", "import-review", f"hostile/reviews/{name}", "--template", "fixtures/tiny", "--out", out
    )
    _no_internal_error(code, text)
    assert out.is_dir() == (code == 0)


@pytest.mark.parametrize("kind", ["households", "aggregate"])
@pytest.mark.parametrize("name", REVIEWS)
def test_calibrate_from_every_review(corpus, name, kind):
    out = corpus / "calibrations" / f"{kind}-{name}"
    code, text = cli("--lang", "en", "calibrate", kind, f"hostile/reviews/{name}", "--out", out, "--draws", "5")
    _no_internal_error(code, text)
    assert out.is_dir() == (code == 0)


@pytest.mark.parametrize("name", SPECS)
def test_optimize_every_spec(corpus, name):
    out = corpus / "optimized" / name
    args = ["optimize", "hostile/scenarios/good.yaml", "--spec", f"hostile/specs/{name}", "--out", out]
    code, text = cli("--lang", "en", *args, "--no-report", "--frontier", "")
    _no_internal_error(code, text)
    assert out.is_dir() == (code == 0)
