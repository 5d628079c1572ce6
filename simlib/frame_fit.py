"""Whether a legal frame speaks for a scenario's units.

A frame file is written for the units of one dataset (`meta.dataset`): `data/caobang`, the 10
district-level units of 2024, or `data/caobang_communes`, the 56 commune-level units from 1 July
2025. Its eligibility lists name those units or read that dataset's flags, so its territory rules
mean something only on them. A scenario may use a frame on that dataset or on another dataset of
the same units (an annual review imported with `simlib import-review`, a cut of the units), never on
another geography: the communes' frame on the district dataset would check the territory of each
content against the district dataset's own flags, silently. `fit_problems` refuses it, naming the
frames that fit; `frame_suggestions` prefers them when a frame name is mistyped.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from pathlib import Path

from simlib import i18n
from simlib.dataset import Dataset, load_dataset, resolve_dataset_path
from simlib.errors import InputError, InputErrors, closest_names
from simlib.i18n import LocalText
from simlib.legal import LegalFrame, frame_files
from simlib.paths import display_path, project_root
from simlib.schema import load_yaml

#: how alike a mistyped frame name must be to a frame that fits the scenario's units and years to
#: be suggested before the closest name of any frame (difflib ratio; `closest_names` asks 0.75)
NEAR_FIT = 0.5
#: how many units outside the frame a message names
_SHOWN = 5


def frame_dataset_path(ref: str) -> Path:
    """The folder of a frame's dataset (`meta.dataset`): a path from the project folder
    (`data/caobang`), an absolute path, or a dataset name under `data/`."""
    return resolve_dataset_path(str(ref), project_root())


def units_of(path: Path) -> tuple[str, tuple[str, ...]]:
    """(level, unit ids) of the dataset in `path` (read once while its files are unchanged)."""
    stamp = tuple(f.stat().st_mtime_ns if f.exists() else 0 for f in (path / "dataset.yaml", path / "units.csv"))
    return _units(str(path.resolve()), stamp)


@functools.lru_cache(maxsize=32)
def _units(path: str, stamp: tuple[int, ...]) -> tuple[str, tuple[str, ...]]:
    """`units_of` for a dataset folder whose files carry `stamp` (their modification times)."""
    ds = load_dataset(Path(path))
    return ds.level, tuple(ds.unit_ids)


def fits(frame_dataset: str, dataset: Dataset) -> bool:
    """Whether a frame written for `frame_dataset` (its `meta.dataset`) speaks for `dataset`'s
    units: the same level and no unit outside the frame's dataset."""
    path = frame_dataset_path(frame_dataset)
    if path.resolve() == Path(dataset.path).resolve():
        return True
    level, units = units_of(path)
    return level == dataset.level and set(dataset.unit_ids) <= set(units)


#: a level of units in words, and a dataset on that level (the catalogue keys)
LEVEL_WORDS = {"district": "legal.level.district", "commune": "legal.level.commune"}
DATASET_ON = {"district": "legal.dataset_on.district", "commune": "legal.dataset_on.commune"}


def level_words(level: str, keys: dict = LEVEL_WORDS) -> LocalText:
    """A level of units in words, in both languages (`district` -> «đơn vị cấp huyện»); with
    `keys=DATASET_ON`, a dataset on that level, naming the bundled one a planner types; another
    level (a dataset's own `geography.level`) as it is written."""
    if level not in keys:
        return LocalText(vi=str(level), en=str(level))
    return LocalText(vi=i18n.t(keys[level], "vi"), en=i18n.t(keys[level], "en"))


def fit_problems(frame: LegalFrame, dataset: Dataset, folder: Path, years: Iterable[int], shown: str) -> list:
    """What stops `frame` checking a scenario on `dataset` (`legal_frame` of file `shown`): its own
    dataset does not load (`meta.dataset`), another level of units (districts / communes), or
    units outside it. The allowed values are the frames of `folder` that fit, and `none`."""
    if not frame.dataset:
        return []
    path = frame_dataset_path(frame.dataset)
    try:
        if fits(frame.dataset, dataset):
            return []
        level, units = units_of(path)
    except (InputError, InputErrors) as exc:
        errors = exc.errors if isinstance(exc, InputErrors) else [exc]
        file = display_path(frame.files.get("frame", frame.name))
        why = [LocalText(vi=e.message("vi"), en=e.message("en")) for e in errors]
        return [
            InputError("legal_frame_dataset", file=file, field="meta.dataset", value=frame.dataset, why=w) for w in why
        ]
    fitting = fitting_frames(folder, dataset, years)
    at = {"file": shown, "field": "legal_frame", "value": frame.name, "allowed": fitting + ["none"]}
    words = {"frame": frame.name, "frame_dataset": display_path(path), "dataset": dataset.name, "suggest": fitting[:1]}
    if level != dataset.level:
        frame_units, units_ = level_words(level), level_words(dataset.level)
        return [InputError("legal_frame_level", **at, **words, frame_units=frame_units, units=units_)]
    outside = [u for u in dataset.unit_ids if u not in set(units)]
    listed = ", ".join(outside[:_SHOWN]) + (", …" if len(outside) > _SHOWN else "")
    return [InputError("legal_frame_units", **at, **words, n=len(outside), outside=listed)]


def fitting_frames(folder: Path, dataset: Dataset, years: Iterable[int] = ()) -> list[str]:
    """The frames of a legal folder that speak for `dataset`'s units (`fits`): those covering one
    of `years` first, each group by name; frames whose dataset does not load are left out."""
    covering, others = _fitting(folder, dataset, set(years))
    return covering + others


def _fitting(folder: Path, dataset: Dataset, years: set) -> tuple[list[str], list[str]]:
    covering: list[str] = []
    others: list[str] = []
    for name, path in frame_files(folder).items():
        meta = load_yaml(path).get("meta") or {}
        try:
            ok = bool(meta.get("dataset")) and fits(str(meta["dataset"]), dataset)
        except (InputError, InputErrors, OSError):
            ok = False
        if ok:
            (covering if set(meta.get("years") or ()) & years else others).append(name)
    return covering, others


def frame_suggestions(ref: str, folder: Path, dataset: Dataset | None, years: Iterable[int]) -> list[str]:
    """What to suggest for an unknown frame name `ref`: the frame closest to it among those that
    fit the scenario's units and cover one of its years (difflib ratio ≥ `NEAR_FIT`), else the
    closest frame names (`closest_names`)."""
    if dataset is not None:
        ratio = {n: difflib.SequenceMatcher(None, n, ref).ratio() for n in _fitting(folder, dataset, set(years))[0]}
        near = [n for n, r in ratio.items() if r >= NEAR_FIT]
        if near:
            return [max(near, key=ratio.get)]
    return closest_names(ref, frame_files(folder))
