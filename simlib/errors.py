"""Errors a user can cause and fix, with messages that name file, field, value and what is allowed.

`SimlibError` and its subclasses are caught by the CLI and printed without a traceback
(exit status 2). Anything else is a bug in simlib.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

from simlib import i18n
from simlib.i18n.fmt import cut_after_word, quote
from simlib.paths import scenarios_dir, typable_path

_MISSING = object()


class SimlibError(Exception):
    """Base class of errors caused by the user's input or environment."""

    def message(self, lang: str | None = None) -> str:  # pragma: no cover - trivial
        return str(self)


def _short(value: Any, limit: int = 80) -> str:
    """A value as the message shows it: at most `limit` characters, cut after a whole word
    (a name cut inside a word, «… các đồn…», reads as another name) unless one word is longer."""
    text = repr(value) if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return text
    return cut_after_word(text, limit - 1, keep_from=limit // 2) + "…"


def _allowed_text(allowed: Any, limit: int = 30) -> str:
    if isinstance(allowed, str):
        return allowed
    items = list(allowed)
    shown = ", ".join(str(a) for a in items[:limit])
    return shown + (", …" if len(items) > limit else "")


class InputError(SimlibError):
    """One problem in one input file.

    `code` names the catalogue text `err.<code>` (simlib/locale/<lang>/errors.yaml); `fields`
    fill its template. `field` is a dotted path inside the file (e.g. `budget.years.2024.lines.P3.1`).
    """

    def __init__(
        self,
        code: str,
        *,
        file: str | None = None,
        field: str | None = None,
        value: Any = _MISSING,
        allowed: Any = None,
        suggest: Iterable[str] | None = None,
        **fields: Any,
    ):
        self.code = code
        self.file = file
        self.field = field
        self.value = value
        self.allowed = allowed
        #: the allowed names closest to what was written, suggested ("did you mean …?"): given,
        #: or those of `allowed` closest to `value` when it is a name (`closest_names`)
        self.suggest = list(suggest) if suggest is not None else suggestions(value, allowed)
        self.fields = fields
        #: what this problem follows from, said after it: (catalogue key, its fields) (`simlib.scenario_sets.default_causes`)
        self.because: list[tuple[str, dict[str, Any]]] = []
        super().__init__(self.message("en"))

    def message(self, lang: str | None = None) -> str:
        parts = [self.where(lang)] if self.file or self.field else []
        reason = i18n.t(f"err.{self.code}", lang, **self.fields)
        text = (": ".join(parts) + ": " if parts else "") + reason
        extras = []
        if self.value is not _MISSING:
            value = self.value.get(lang) if isinstance(self.value, i18n.LocalText) else self.value
            if value is None:  # `horizon:` or `--set horizon=`: nothing written after it
                extras.append(i18n.t("err.value_empty", lang))
            else:
                extras.append(i18n.t("err.value", lang, value=_short(value)))
        if self.allowed is not None:
            allowed = self.allowed.get(lang) if isinstance(self.allowed, i18n.LocalText) else self.allowed
            extras.append(i18n.t("err.allowed", lang, allowed=_allowed_text(allowed)))
        if extras:
            text += " (" + "; ".join(extras) + ")"
        text += "".join("; " + i18n.t(key, lang, **kw) for key, kw in self.because)
        if self.suggest:
            text += "; " + i18n.t("err.did_you_mean", lang, near=", ".join(self.suggest))
        return text

    @property
    def is_option(self) -> bool:
        """Whether the field is a command-line option (`--years`), not a field of a file."""
        return is_option(self.field)

    def where(self, lang: str | None = None) -> str:
        """Where the problem is: a file, a field of a file, or a command-line option."""
        if self.is_option:
            if self.file:
                return i18n.t("err.where_option_file", lang, option=self.field, file=self.file)
            return i18n.t("err.where_option", lang, option=self.field)
        if self.file and self.field:
            return i18n.t("err.where", lang, file=self.file, field=self.field)
        if self.file:
            return i18n.t("err.where_file", lang, file=self.file)
        return i18n.t("err.where_field", lang, field=self.field)

    def with_file(self, file: str) -> InputError:
        """This error, attributed to `file` if it had none."""
        if self.file is None:
            self.file = file
            self.args = (self.message("en"),)
        return self


def is_option(field: str | None) -> bool:
    """Whether `field` names a command-line option (`--years`) rather than a field of a file:
    library code names fields (`years`), the CLI maps them to its flags."""
    return field is not None and field.startswith("--")


def as_given(errors: Iterable[InputError], given: Iterable[str]) -> list[InputError]:
    """`errors`, those about a field in `given` (values a caller passed in, e.g. from the command
    line, overriding a file) detached from the file: the file did not hold the value."""
    given = set(given)
    out = list(errors)
    for err in out:
        if err.field is not None and err.field.split(".")[0] in given:
            err.file = None
            err.args = (err.message("en"),)
    return out


class InputErrors(SimlibError):
    """Several input problems reported together, so a user can fix them all in one go."""

    def __init__(self, errors: Iterable[InputError]):
        self.errors = list(errors)
        super().__init__("\n".join(e.message("en") for e in self.errors))

    def message(self, lang: str | None = None) -> str:
        head = i18n.t("cli.errors_found", lang, n=len(self.errors))
        return head + "\n" + "\n".join(f"  - {e.message(lang)}" for e in self.errors)


def raise_if_any(errors: list[InputError]) -> None:
    """Raise the single error, or all of them together, if there are any."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)


#: how many file names a message lists or suggests at most
_LISTED = 12
_SUGGESTED = 3
#: how alike a name must be to a file's name to be suggested (difflib ratio)
NEAR_CUTOFF = 0.75


def _plain(name: str) -> str:
    """`name` without diacritics (`đ` as `d`), its spaces as `_`."""
    plain = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return re.sub(r"\s+", "_", plain.replace("đ", "d").replace("Đ", "D").strip())


def folded(name: str) -> str:
    """`name` without capitals and diacritics, spaces and hyphens as `_` (`Hà Quảng` ->
    `ha_quang`, `billion vnd` -> `billion_vnd`): how a code is written from its name."""
    return _plain(name).replace("-", "_").casefold()


#: the schemas' patterns of names (`name: plan_2024`) and codes (`ha_quang`), said in words
NAME_PATTERN = r"^[A-Za-z0-9_\-]+$"
CODE_PATTERN = r"^[a-z0-9_]+$"
#: the schemas' pattern of a year written as a key (`budget.years`: `2024:`)
YEAR_PATTERN = r"^[0-9]{4}$"


#: a code a spreadsheet read as a number and saved with a decimal part (`1290.0` for `01290`)
EXCEL_NUMBER = r"(\d+)\.0+"
#: the digits of a commune's code in the national list of administrative units (`01290`)
COMMUNE_DIGITS = 5


def excel_code(value: str, digits: int = COMMUNE_DIGITS) -> str | None:
    """The code `value` stands for when a spreadsheet saved it as a number (`EXCEL_NUMBER`): its
    whole part with the leading zeros back to `digits` digits (`1290.0` → `01290`); None for any
    other value. For a message only: such a code is never read as the code it stands for."""
    found = re.fullmatch(EXCEL_NUMBER, value.strip())
    return found.group(1).zfill(digits) if found else None


def excel_code_error(
    read: list[str], rows: str | None, unit_ids, file: str | None, field: str, listed: bool = False
) -> InputError:
    """The error for unit codes a spreadsheet saved as numbers (`read`: those values as written,
    `1290.0`, each one `excel_code` knows) where the units `unit_ids` are expected: what was read,
    at which `rows` (spreadsheet numbering; None for a key of a YAML file, which `field` names)
    and what is expected — a code of the dataset's digits written as text, e.g. the code meant
    (`01290`) when the dataset has it, else its first code; or, for a dataset whose units are
    codes in words (`bao_lac`), a unit written as in its units.csv (every unit then listed). Never
    read as the code it stands for: simlib does not guess. `listed`: the codes are items of a
    YAML list (`geo: [1290.0]`), not keys, and the example is written as one."""
    shown = ", ".join(read[:5]) + (", …" if len(read) > 5 else "")
    where = dict(file=file, field=field, read=shown) | ({"rows": rows} if rows else {})
    digits = max((len(u) for u in unit_ids if u.isdigit()), default=0)
    if not digits and rows:
        return InputError("unit_excel_number_words", allowed=tuple(unit_ids), **where)
    if not digits:
        return InputError("unit_excel_number_words_key", allowed=tuple(unit_ids), **where)
    known = [c for c in (excel_code(v, digits) for v in read) if c in unit_ids]
    example = known[0] if known else min(u for u in unit_ids if u.isdigit())
    if rows:
        return InputError("unit_excel_number", digits=digits, example=example, **where)
    if listed:
        return InputError("unit_excel_number_list", digits=digits, example=example, **where)
    return InputError("unit_excel_number_key", digits=digits, example=example, **where)


def pattern_error(value: Any, pattern: str, file: str | None, field: str | None) -> InputError:
    """The error for `value` not matching the schema's `pattern`: for a name or a code, what is
    allowed in words and the name mended (`kế hoạch 2024` -> `ke_hoach_2024`); for a year the
    same (`2024.0` -> `2024`); else the pattern."""
    if pattern not in (NAME_PATTERN, CODE_PATTERN, YEAR_PATTERN) or not isinstance(value, str):
        return InputError("pattern", file=file, field=field, value=value, allowed=pattern)
    if pattern == YEAR_PATTERN:  # `2024.0:`, `năm 2024:`, `'2024 ':`, `‘2024’:` (Word's quotes) -> 2024
        words = {lg: i18n.t("err.pattern_year", lg) for lg in i18n.LANGS}
        found = re.fullmatch(r"\D*?(\d{4})(?:\.0+)?[\s\u2019\u201d\u00bb]*", value)
        near = [found[1]] if found and found[1] != value else []
        return InputError("pattern", file=file, field=field, value=value, allowed=i18n.LocalText(**words), suggest=near)
    if pattern == NAME_PATTERN:
        words = {lg: i18n.t("err.pattern_name", lg) for lg in i18n.LANGS}
        mended = re.sub(r"[^A-Za-z0-9_\-]", "", _plain(value))
    else:
        words = {lg: i18n.t("err.pattern_code", lg) for lg in i18n.LANGS}
        mended = re.sub(r"[^a-z0-9_]", "", folded(value))
    near = [mended] if mended and mended != value else []
    return InputError("pattern", file=file, field=field, value=value, allowed=i18n.LocalText(**words), suggest=near)


def closest_names(word: str, names: Iterable[str]) -> list[str]:
    """The names in `names` closest to `word`, to suggest when `word` is not one of them (a file
    name, a key, a value): those that are `word` but for capitals, diacritics and spaces
    (`folded`), else those alike enough (`difflib` ratio ≥ `NEAR_CUTOFF`), the closest only
    (ties all, in order), at most `_SUGGESTED`.

    Parameters
    ----------
    word : str
        What the user wrote.
    names : iterable of str
        What is allowed there.

    Returns
    -------
    list of str
        The suggestions, possibly none.
    """
    names = list(dict.fromkeys(names))
    same = [n for n in names if folded(n) == folded(word)]
    if same:  # the same name but for capitals, diacritics or spaces (`Hà Quảng`: ha_quang)
        return sorted(same)[:_SUGGESTED]
    found = difflib.get_close_matches(word, names, n=_SUGGESTED, cutoff=NEAR_CUTOFF)
    if not found:
        return []
    best = difflib.SequenceMatcher(None, found[0], word).ratio()
    return sorted(s for s in found if difflib.SequenceMatcher(None, s, word).ratio() == best)


#: names a planner writes for an allowed name in other words (`tỷ đồng` for `billion VND`, the
#: scenario's money unit, `simlib.budget.MONEY_UNITS`), by their `folded` form without dots: the
#: allowed name is suggested when it is among those allowed
SAME_AS = {
    **dict.fromkeys(
        ("ty", "ti", "ty_dong", "ti_dong", "ty_vnd", "ti_vnd", "billion", "billion_dong", "bn_vnd", "ty_d"),
        "billion VND",
    ),
    **dict.fromkeys(
        ("trieu", "trieu_dong", "trieu_vnd", "trd", "tr_d", "trieu_d", "million", "million_dong", "mn_vnd"),
        "million VND",
    ),
    **dict.fromkeys(("dong", "d", "vnd_dong"), "VND"),
}


def suggestions(value: Any, allowed: Any) -> list[str]:
    """What to suggest for `value` (`closest_names`, or the allowed name it stands for in other
    words, `SAME_AS`) when it is a name that is not allowed and `allowed` lists names (not a
    description such as "≥ 0"); none otherwise."""
    if not isinstance(value, str) or isinstance(allowed, str) or not isinstance(allowed, Collection):
        return []
    names = [str(a) for a in allowed]
    if value in names:
        return []
    meant = SAME_AS.get(folded(value).replace(".", ""))
    return [meant] if meant in names else closest_names(value, names)


def _entries(folder: Path, kind: Callable[[Path], bool]) -> list[Path]:
    """The visible entries of `folder` of one `kind` (`Path.is_file`, `Path.is_dir`), sorted by
    name (none if it cannot be read)."""
    try:
        return sorted((p for p in folder.iterdir() if kind(p) and not p.name.startswith(".")), key=lambda p: p.name)
    except OSError:
        return []


def mended_folders(folder: Path) -> list[Path]:
    """The existing folders `folder` may mean: itself if it is one, else each of its names that is
    not there replaced by the closest folder name beside it (`closest_names`: `param/scenarios`
    finds `params/scenarios`, `prams/senarios` too); none when a name has no close one, at most
    `_SUGGESTED`."""
    if folder.is_dir():
        return [folder]
    if folder.parent == folder or folder.name in ("", ".", ".."):
        return []
    found = []
    for base in mended_folders(folder.parent):
        names = [d.name for d in _entries(base, Path.is_dir)]
        found += [base / name for name in closest_names(folder.name, names)]
    return found[:_SUGGESTED]


def _near_files(path: Path) -> list[Path]:
    """Existing files whose name is close to `path`'s (names without their suffix, so that
    `plan2024.yml` finds `plan_2024.yaml`): in its own folder, or, when that folder is not there,
    in the folders it may mean (`mended_folders`: `param/scenarios/plan_2024.yaml` finds
    `params/scenarios/plan_2024.yaml`), and among the bundled scenarios (`params/scenarios/`);
    and the folders beside it (`params/scenario` and `param/scenarios` find `params/scenarios`,
    for the commands that take a folder); the closest ones only (ties all shown, at most
    `_SUGGESTED`)."""
    folders = mended_folders(path.parent)
    by_stem: dict[str, dict[Path, Path]] = {}
    for folder in (*folders, scenarios_dir()):
        for f in _entries(folder, Path.is_file):
            by_stem.setdefault(f.stem, {}).setdefault(f.resolve(), f)
    for folder in folders:
        for d in _entries(folder, Path.is_dir):
            by_stem.setdefault(d.name, {}).setdefault(d.resolve(), d)
    closest = closest_names(path.stem, by_stem)
    return [f for s in closest for f in by_stem[s].values()][:_SUGGESTED]


def odd_entry(path: Path, shown: str, field: str | None = None, links_only: bool = False) -> InputError | None:
    """The error for `path` (shown as `shown`) when it is there but no file or folder: a pipe,
    device or socket (`not_regular_file`; not with `links_only`), a link going round in a circle
    (`link_loop`) or to nothing (`link_broken`, with its target); None for anything else (a
    file, a folder, nothing, a name the system refuses). Never opens it (a pipe would wait for a
    writer)."""
    try:
        os.stat(path)
    except FileNotFoundError:
        if path.is_symlink():
            return InputError("link_broken", file=shown, field=field, target=os.readlink(path))
        return None
    except OSError as exc:
        return InputError("link_loop", file=shown, field=field) if exc.errno == errno.ELOOP else None
    if links_only or path.is_dir() or path.is_file():
        return None
    return InputError("not_regular_file", file=shown, field=field)


#: quotes a path may keep when copied from a document or typed inside other quotes
_QUOTES = "\"'«»“”‘’`"


def written_oddly(text: str, field: str | None = None) -> InputError | None:
    """The error for a path `text` written with blanks at its start or end, inside quotes kept in
    the name (`'"plan.yaml"'`: typed inside other quotes), with Windows' backslashes
    (`sub\\plan.yaml`: one odd name on this system), or starting with `~` the shell did not
    read as the home folder (in quotes): `path_odd`, naming what is odd and
    suggesting the path mended (first in `suggest`); None if it has none of these."""
    mended, odd = text.strip(), []
    if mended != text:
        odd.append("err.path_odd_space")
    if len(mended) > 1 and mended[0] in _QUOTES and mended[-1] in _QUOTES:
        mended = mended[1:-1].strip()
        odd.append("err.path_odd_quotes")
    if "\\" in mended:
        mended = mended.replace("\\", "/")
        odd.append("err.path_odd_backslash")
    if mended.startswith("~"):  # `'~/kq'`: in quotes, the shell leaves the home folder's sign as it is
        mended = os.path.expanduser(mended)
        odd.append("err.path_odd_tilde")
    if not odd or not mended:
        return None
    what = i18n.LocalText(**{lg: "; ".join(i18n.t(k, lg) for k in odd) for lg in i18n.LANGS})
    typed = i18n.LocalText(**{lg: quote(text, lg) for lg in i18n.LANGS})  # «…» / “…”
    return InputError("path_odd", file=typed, field=field, what=what, suggest=[mended])


def missing_file(path: str | Path, field: str | None = None) -> InputError:
    """The error for a file a user named that cannot be opened as a file.

    A pipe, a device, a link in a circle or to nothing: said as such (`odd_entry`). A folder:
    `is_folder`, listing the files in it (the user probably meant one of them), or
    `is_folder_empty`. A
    missing file whose name is close to an existing one (its folder's files and the bundled
    scenarios, `difflib` ratio ≥ `NEAR_CUTOFF`): `file_missing_near`, suggesting it. Otherwise
    `file_missing`. A name without a suffix (such as a folder's) is said as a file or folder
    not found (`path_missing`, `path_missing_near`).

    Parameters
    ----------
    path : str or Path
        The path as the user (or a file the user wrote) gave it.
    field : str, optional
        The field or option that named the file, shown in the message.

    Returns
    -------
    InputError
        To be raised (or collected) by the caller.
    """
    path = Path(path)
    shown = typable_path(path)  # as the suggestions: a path the user can type where they stand
    odd = odd_entry(path, shown, field)
    if odd is not None:
        return odd
    if path.is_dir():
        files = [f.name for f in _entries(path, Path.is_file)]
        if not files:
            return InputError("is_folder_empty", file=shown, field=field)
        listed = ", ".join(files[:_LISTED]) + (", …" if len(files) > _LISTED else "")
        return InputError("is_folder", file=shown, field=field, files=listed or "—")
    if str(path) == "-":  # standard input, as many programs read it
        return InputError("path_stdin", field=field)
    if str(path)[:1] in "–—−" and str(path)[1:2].isalpha():  # `–lang`: `--lang` as an editor wrote it
        return InputError("path_dash", file=str(path), field=field, suggest=["--" + str(path)[1:]])
    oddly = written_oddly(str(path), field)
    if oddly is not None and Path(oddly.suggest[0]).exists():
        return oddly
    near = ", ".join(typable_path(f) for f in _near_files(path))
    if not path.suffix:  # no «.yaml»: perhaps a folder meant
        if near:
            return InputError("path_missing_near", file=shown, field=field, near=near)
        return InputError("path_missing", file=shown, field=field)
    if near:
        return InputError("file_missing_near", file=shown, field=field, near=near)
    return InputError("file_missing", file=shown, field=field)
