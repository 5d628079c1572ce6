"""Local worker processes are at most one per core (`simlib.executors.make_executor`): `simlib
run plan.yaml --uncertainty 12 --jobs 1000` started a process per single-draw chunk (about 150 MB
each), so 300 draws could start 300 processes on a 2-core machine."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT
from hostile_helpers import INTERNAL, cli

MANY = """
import os, time
import simlib.executors as executors


def pid():
    time.sleep(0.5)  # busy: each submission finds no idle worker
    return os.getpid()


if __name__ == "__main__":
    executors.default_jobs = lambda: 2  # a 2-core machine, whatever this one has
    with executors.make_executor("local", jobs=1000) as ex:
        pids = {f.result() for f in [ex.submit(pid) for _ in range(8)]}
    print(len(pids))
"""


def test_local_workers_are_at_most_one_per_core(tmp_path):
    script = tmp_path / "many.py"
    script.write_text(MANY, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) == 2  # 8 without the cap: one process per waiting task


PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"


def test_a_file_named_twice_is_one_scenario_when_another_argument_is_wrong(tmp_path):
    """With another problem on the line (`--jobs 0`) the files are checked with the arguments:
    the second mention of the same file was said as «tên kịch bản đã được dùng trong
    plan_2024.yaml» beside the real problem. The batch itself takes the file once."""
    again = f"{PLAN.parent}/../scenarios/{PLAN.name}"
    for lang, used in (("vi", "đã được dùng"), ("en", "already used")):
        code, text = cli("--lang", lang, "batch", str(PLAN), again, "--out", str(tmp_path / "o"), "--jobs", "0")
        assert code == 2
        assert "--jobs" in text and used not in text
        assert not any(s in text for s in INTERNAL)
    assert not (tmp_path / "o").exists()


def test_a_dataset_named_with_capitals_gets_its_name_suggested(tmp_path):
    """`dataset: CaoBang` in a scenario said only that data/CaoBang was not found; the command
    line's own `--dataset` option already suggested the closest name (now one function,
    `dataset.missing_dataset`, for both)."""
    text = PLAN.read_text(encoding="utf-8")
    assert "\ndataset: caobang\n" in text
    scen = tmp_path / "plan.yaml"
    scen.write_text(text.replace("\ndataset: caobang\n", "\ndataset: CaoBang\n"), encoding="utf-8")
    for lang, hint in (("vi", "có phải là caobang"), ("en", "did you mean caobang")):
        code, said = cli("--lang", lang, "validate", str(scen))
        assert code == 2
        assert hint in said and "CaoBang" in said
        assert not any(s in said for s in INTERNAL)


def test_sensitivity_says_the_base_points_it_runs(tmp_path):
    """`--points 3` ran 4 base points (the design rounds up to a power of 2) but said «3 điểm cơ
    sở»; it now says the count it runs, the count `sensitivity.json` records."""
    import json

    out = tmp_path / "s"
    argv = ("sensitivity", PLAN, "--out", out, "--points", "3", "--morris", "0", "--executor", "serial")
    code, said = cli(*argv, "--groupings", "kind")
    assert code == 0, said
    assert "(4 điểm cơ sở)" in said and "(3 điểm cơ sở)" not in said
    assert json.loads((out / "sensitivity.json").read_text(encoding="utf-8"))["sobol"]["base_points"] == 4


def test_a_programme_name_ending_in_brackets_takes_no_second_bracket():
    """«Chương trình MTQG 2026–2035, giai đoạn I (2026–2030) (vốn theo nội dung)» and «…
    (2026–2030) (BẢN NHÁP, dự kiến)» on plan_2027's and crossing_2024_2027's pages: a note beside a
    name that ends in brackets goes after a dash; the templates put none after {programme}."""
    import re

    from simlib.report.communes import aside

    name = "Chương trình MTQG 2026–2035, giai đoạn I (2026–2030)"
    assert aside(name, "vốn theo nội dung") == name + " — vốn theo nội dung"
    assert aside("Chuẩn nghèo 2022–2025", "đã áp dụng") == "Chuẩn nghèo 2022–2025 (đã áp dụng)"
    for lang in ("vi", "en"):
        text = (ROOT / "simlib" / "locale" / lang / "report.yaml").read_text(encoding="utf-8")
        assert not re.search(r"\{programme\} \(", text), lang


def test_the_joint_probability_is_named_in_the_headline_and_the_weakest_target():
    """The scorecard's cell says «xác suất cả nhóm và mọi huyện nghèo cùng đạt 0 %» (readers58b),
    but the headline's list and the index's «chỉ tiêu yếu nhất» still said «xác suất đạt 0 %» for
    the same number beside a band straddling the threshold."""
    from types import SimpleNamespace

    import test_readers58b as shown

    from simlib.report.decision import weakest_target
    from simlib.report.scorecard import joint_probability

    v = shown._poor_district_verdicts()
    group = v[(v["geo_type"] != "province") & ~v["detail"].astype(bool)].iloc[0]
    assert joint_probability(v, group)
    assert not any(joint_probability(v, r) for _, r in v[v["geo"] != group["geo"]].iterrows())
    run = SimpleNamespace(verdicts=v, tables=SimpleNamespace(manifest={}), title=lambda lang: "Kế hoạch")
    weakest = weakest_target(run, int(group["year"]), "vi")
    assert "(xác suất cả nhóm và mọi huyện nghèo cùng đạt 0 %)" in weakest.replace("\xa0", " ")
