"""Translations for everything a user reads (CLI, reports, charts): one API over message catalogues.

Vietnamese (`vi`) is the default; English (`en`) is available everywhere. Texts live in YAML
catalogues, one file per domain and language: `simlib/locale/<lang>/<domain>.yaml` (the domain of
a key follows from its first segment, `catalogue.DOMAINS`). Keys are stable English identifiers
(`err.missing`, `state.poor`); texts are `str.format` templates whose `{fields}` are the same in
every language.

- `t(key, lang, **fields)` — the text of `key` in `lang` (default: `get_lang()`), fields filled.
  A key missing from the catalogue raises `MissingTranslation` (a `KeyError` naming the key and
  the language) — always, in tests and in use: a missing text is a bug in simlib, and
  `tests/test_i18n_catalogue.py` fails on every key the code uses that no catalogue holds.
- `label(kind, code, lang, default=...)` — the display label of a coded value (`state.poor`).
- `LocalText(vi=..., en=...)` — one text in every language (titles, names and labels read from
  input files with `title_vi`/`title_en` keys); `.get(lang)`. A `LocalText` given as a field
  to `t` is filled in the same language.
- Machine tables (CSV) carry codes; where a human label helps, one column per language named
  `<stem>_vi`, `<stem>_en` (`column(stem, lang)` names the one to show).
- Numbers, percentages, money and dates: `simlib.i18n.fmt`.

Adding a text: add the key to both `simlib/locale/vi/<domain>.yaml` and `…/en/<domain>.yaml`
(keys sorted). Moving `(vi, en)` pairs from a Python `MESSAGES` dict into the catalogues:
`python -m simlib.i18n.migrate FILE` (see that module).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from simlib.i18n.catalogue import LANGS, messages

DEFAULT_LANG = "vi"

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "LocalText",
    "MissingTranslation",
    "column",
    "get_lang",
    "has",
    "label",
    "t",
    "unknown_env_lang",
]

_NO_DEFAULT = object()


class MissingTranslation(KeyError):
    """No text for a key in a language: a bug in simlib (a key used in code but not in the catalogue)."""

    def __init__(self, key: str, lang: str):
        self.key = key
        self.lang = lang
        super().__init__(key)

    def __str__(self) -> str:
        return f"no text for key {self.key!r} in language {self.lang!r} (simlib/locale/{self.lang}/*.yaml)"


def get_lang(lang: str | None = None) -> str:
    """The language to use: the argument, else `$SIMLIB_LANG`, else Vietnamese."""
    lang = lang_code(lang or os.environ.get("SIMLIB_LANG") or DEFAULT_LANG)[:2]
    return lang if lang in LANGS else DEFAULT_LANG


def unknown_env_lang() -> str | None:
    """`$SIMLIB_LANG` as set, when it names no language simlib speaks (`fr`: `get_lang` falls back
    to Vietnamese, which the command line says once); None when it is unset, empty or known."""
    value = os.environ.get("SIMLIB_LANG") or ""
    if not value.strip() or lang_code(value)[:2] in LANGS:
        return None
    return value


#: the country code typed for its language (`--lang vn`): no language has that code, so nothing
#: else can be meant
COUNTRY_FOR_LANG = {"vn": "vi"}


def lang_code(value: str) -> str:
    """`value` as a language code: in lower case, and without its region or encoding when its
    language is one of `LANGS` (`vi-VN`, `en_GB.UTF-8`: `vi`, `en`, as a locale names them; `vn`,
    Vietnam's country code, is `vi`); anything else lower case, as given (the caller says it is
    not allowed)."""
    text = str(value).strip().lower()
    head = text.replace("_", "-").replace(".", "-").split("-")[0]
    head = COUNTRY_FOR_LANG.get(head, head)
    return head if head in LANGS else text


def lang_option(argv) -> str | None:
    """The language asked for on a command line with `--lang en` or `--lang=en` anywhere before
    `--` in `argv` (the last one wins, as in argparse), read before parsing so that argparse's own
    errors (and the package import's, `simlib._refuse_a_vanished_current_folder`) speak it; None
    if there is none or it names no known language (argparse then says so)."""
    found = None
    words = [str(a) for a in argv]
    for i, arg in enumerate(words):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(words):
            value = words[i + 1]
        elif arg.startswith("--lang="):
            value = arg.removeprefix("--lang=")
        else:
            continue
        if value in LANGS:
            found = value
    return found


def has(key: str) -> bool:
    """Whether the catalogue holds `key` (in the default language; the check test keeps the
    languages in step)."""
    return key in messages(DEFAULT_LANG)


def t(key: str, lang: str | None = None, **fields) -> str:
    """The text of `key` in `lang`, its `{fields}` filled (a `LocalText` field in the same
    language); `MissingTranslation` if there is none."""
    lang = get_lang(lang)
    try:
        text = messages(lang)[key]
    except KeyError:
        raise MissingTranslation(key, lang) from None
    if not fields:
        return text
    return text.format(**{k: v.get(lang) if isinstance(v, LocalText) else v for k, v in fields.items()})


def label(kind: str, code: str, lang: str | None = None, default=_NO_DEFAULT) -> str:
    """Display label of a coded value, e.g. `label('state', 'poor')` -> "Hộ nghèo".

    Codes that come from data rather than from simlib (a district's unit id under `geo`) have no
    catalogue entry: pass `default` (usually the code itself or the unit's name) for them;
    without it an unknown code raises `MissingTranslation`.
    """
    key = f"{kind}.{code}"
    if default is not _NO_DEFAULT and not has(key):
        return default
    return t(key, lang)


def column(stem: str, lang: str | None = None) -> str:
    """The column holding `stem` in `lang` in a table with one column per language: machine
    tables carry codes, and human labels as `<stem>_vi`, `<stem>_en` (`column("label", "en")`
    -> "label_en")."""
    return f"{stem}_{get_lang(lang)}"


@dataclass(frozen=True)
class LocalText:
    """One text in every language (`vi`, `en`): a title, a name, a label, a finding.

    `text.get(lang)` (or `text(lang)`, so that `scenario.title(lang)` reads naturally) gives the
    text in `lang` (default: `get_lang()`). Input files keep their `title_vi`/`title_en` keys:
    `LocalText.from_fields(doc, "title")` reads them, `to_fields("title")` writes them back.
    """

    vi: str = ""
    en: str = ""

    def get(self, lang: str | None = None) -> str:
        return getattr(self, get_lang(lang))

    def __call__(self, lang: str | None = None) -> str:
        return self.get(lang)

    @classmethod
    def of(cls, key: str, **fields) -> LocalText:
        """The catalogue text of `key` in every language, fields filled (a `LocalText` field in
        the same language)."""
        return cls(**{lang: t(key, lang, **fields) for lang in LANGS})

    @classmethod
    def coded(cls, kind: str, codes, sep: str = ", ") -> LocalText:
        """Each of `codes` in words with the code a user types, in every language:
        `coded("source", ["central_recurrent"])` -> «NSTW – vốn sự nghiệp (central_recurrent)»
        (the label `kind.code` of the catalogue)."""
        return cls(**{lang: sep.join(f"{t(f'{kind}.{c}', lang)} ({c})" for c in codes) for lang in LANGS})

    @classmethod
    def from_fields(cls, doc: Mapping, stem: str, default: str = "") -> LocalText:
        """`doc[stem_vi]`, `doc[stem_en]` (missing or empty -> `default`)."""
        return cls(**{lang: str(doc.get(f"{stem}_{lang}") or default) for lang in LANGS})

    def to_fields(self, stem: str) -> dict[str, str]:
        """`{stem_vi: ..., stem_en: ...}`, as input files and CSV columns spell it."""
        return {f"{stem}_{lang}": getattr(self, lang) for lang in LANGS}
