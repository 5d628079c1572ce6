"""`simlib batch` hands out a scenario's report and its uncertainty page as two tasks over a folder
it stages itself (`simlib.batch.staged`): each folder moves into place whole when its pages are
done, a failed report keeps the previous one, a crashed uncertainty page leaves the report
standing without any of its page, and the comparison runs once, when every report is done."""

from __future__ import annotations

from pathlib import Path

from simlib.atomic import atomic_dir
from simlib.batch import staged
from simlib.batch.run import Batch, BatchItem
from simlib.executors import SerialExecutor
from simlib.options import RunOptions


def test_pages_commit_whole_folders_failures_keep_the_old_and_the_comparison_waits_for_reports(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    with atomic_dir(out / "b") as tmp:  # an earlier report of b
        (tmp / "old.txt").write_text("old", encoding="utf-8")
    seen = {"reports": [], "pages": [], "compared": []}

    def report_page(path, name, title, stage, out_dir, options, page):
        seen["reports"].append(name)
        assert Path(stage).parent == out and Path(stage).name.startswith(f".{name}.partial-")
        if name == "b":
            return {"ok": False, "name": name, "error": "notebook failed", "out_dir": None, "headline": {}}
        (Path(stage) / "report.html").write_text(name, encoding="utf-8")
        return {"ok": True, "name": name, "out_dir": str(Path(out_dir) / name), "error": "", "manifest": {"m": 1}}

    def uncertainty_report(path, folder, target, title, lang, set_items, compare, seed, n, sampler, manifest):
        seen["pages"].append(target.name)
        assert manifest == {"m": 1} and n == 5 and (folder / "report.html").is_file()
        (folder / "uncertainty.html").write_text("page", encoding="utf-8")
        if target.name == "c":
            raise RuntimeError("boom")
        return ""

    def compare():
        seen["compared"].append((list(seen["reports"]), list(seen["pages"])))

    monkeypatch.setattr(staged, "report_page", report_page)
    monkeypatch.setattr(staged, "uncertainty_report", uncertainty_report)
    paths = [Path(f"{n}.yaml") for n in "abc"]
    items = {p: BatchItem(path=p, name=p.stem) for p in paths}
    batch = Batch(RunOptions(progress=False), out, [], True, "en", 5, "lhs")
    with staged.Stages() as stages:
        staged.run_reports(SerialExecutor(), paths, items, batch, stages, compare)
        assert not stages.building
    a, b, c = (items[p] for p in paths)
    assert seen["reports"] == ["a", "b", "c"] and sorted(seen["pages"]) == ["a", "c"]
    assert len(seen["compared"]) == 1 and seen["compared"][0][0] == ["a", "b", "c"]  # after every report
    assert a.ok and a.uncertainty_report == out.resolve() / "a" / "uncertainty.html" and not a.uncertainty_error
    assert sorted(f.name for f in (out / "a").iterdir()) == [".simlib-output", "report.html", "uncertainty.html"]
    assert not b.ok and b.error == "notebook failed"
    assert sorted(f.name for f in (out / "b").iterdir()) == [".simlib-output", "old.txt"]
    assert c.ok and "boom" in c.uncertainty_error and c.uncertainty_report is None
    assert sorted(f.name for f in (out / "c").iterdir()) == [".simlib-output", "report.html"]
    assert sorted(f.name for f in out.iterdir()) == ["a", "b", "c"]  # no staging folder or lock left


def test_a_folder_given_up_leaves_nothing_and_its_target_untouched(tmp_path):
    out = tmp_path / "out"
    with staged.Stages() as stages:
        tmp = stages.stage(out / "x")
        (tmp / "half.txt").write_text("half", encoding="utf-8")
        assert stages.folder(out / "x") == tmp and stages.folder(out / "y") == out / "y"
    assert list(out.iterdir()) == []  # left open when the block ended: removed


def test_a_pool_broken_before_the_uncertainty_page_keeps_the_report(tmp_path, monkeypatch):
    out = tmp_path / "out"

    def report_page(path, name, title, stage, out_dir, options, page):
        (Path(stage) / "report.html").write_text(name, encoding="utf-8")
        return {"ok": True, "name": name, "out_dir": str(Path(out_dir) / name), "error": "", "manifest": {}}

    class Broken(SerialExecutor):
        def submit(self, fn, /, *args, **kwargs):
            if fn is not report_page:
                raise RuntimeError("pool broken")
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(staged, "report_page", report_page)
    item = BatchItem(path=Path("a.yaml"), name="a")
    batch = Batch(RunOptions(progress=False), out, [], True, "en", 5, "lhs")
    compared = []
    with staged.Stages() as stages:
        staged.run_reports(Broken(), [item.path], {item.path: item}, batch, stages, lambda: compared.append(1))
    assert item.ok and "pool broken" in item.uncertainty_error and compared == [1]
    assert sorted(f.name for f in (out / "a").iterdir()) == [".simlib-output", "report.html"]
