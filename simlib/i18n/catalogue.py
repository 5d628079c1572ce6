"""The message catalogues: YAML files under `simlib/locale/<lang>/<domain>.yaml`.

Each file maps a dotted key to one text in one language, keys sorted; the same key sits in the
same domain file for every language (tests/test_i18n_catalogue.py checks this, the fields of every
template and that every key is used). A key's domain follows from its first segment (`DOMAINS`).
"""

from __future__ import annotations

import functools
import os
import string
import tempfile
from importlib import resources
from pathlib import Path

import yaml

LANGS = ("vi", "en")

# domain file -> the first key segments it holds; every key prefix belongs to exactly one domain
DOMAINS: dict[str, tuple[str, ...]] = {
    "terms": (
        "area",
        "channel",
        "evidence",
        "flow",
        "geo",
        "group",
        "indicator",
        "model",
        "money",
        "rate",
        "review",
        "short",
        "source",
        "state",
        "target",
        "unit",
    ),
    "errors": ("err", "type"),
    "cli": ("cli",),
    "report": ("axis", "manifest", "report", "table", "xlsx"),
    "baseline": ("baseline", "explore"),
    "compare": ("compare", "decision", "index"),
    "multidim": ("dep", "deprivation", "dimension", "population"),
    "calibration": ("cal",),
    "allocation": ("alloc",),
    "uncertainty": ("unc",),
    "workbench": ("wb",),
    "legal": ("legal",),
}
_DOMAIN_OF_PREFIX = {p: d for d, prefixes in DOMAINS.items() for p in prefixes}

HEADER = (
    "# simlib messages: {domain}, {lang}. One key per line, keys sorted; the same keys with the same\n"
    "# {{fields}} in every language. Texts are str.format templates ({{{{ and }}}} for literal braces).\n"
    "# See simlib/i18n/__init__.py; check with tests/test_i18n_catalogue.py.\n"
)


class CatalogueError(Exception):
    """A catalogue file that cannot be read as one text per key (a bug in simlib's package data)."""


def locale_dir() -> Path:
    """The folder holding `<lang>/<domain>.yaml` (installed as package data)."""
    return Path(str(resources.files("simlib") / "locale"))


def domain_of(key: str) -> str | None:
    """The domain file a key belongs to, from its first segment (None: no domain declared)."""
    return _DOMAIN_OF_PREFIX.get(key.split(".", 1)[0])


def field_names(template: str) -> frozenset[str]:
    """The `{fields}` a str.format template uses (top-level names only)."""
    names = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None and name != "":
            names.add(name.split(".", 1)[0].split("[", 1)[0])
    return frozenset(names)


#: libyaml's parser when PyYAML was built with it (about ten times faster), else the Python one
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_BaseLoader):
    """A safe loader that refuses a key given twice in one mapping."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise CatalogueError(f"key {key!r} given twice (line {key_node.start_mark.line + 1})")
        seen[key] = True
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_file(path: Path) -> dict[str, str]:
    """One catalogue file as {key: text}; every key and text a string."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
    except (CatalogueError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: must be a mapping of key: text")
    bad = [k for k, v in data.items() if not isinstance(k, str) or not isinstance(v, str)]
    if bad:
        raise CatalogueError(f"{path}: keys and texts must be strings: {bad[:5]}")
    return data


def read_files(folder: Path | None = None, langs: tuple[str, ...] = LANGS) -> dict[str, dict[str, dict[str, str]]]:
    """Every catalogue file of `langs` as {lang: {domain: {key: text}}}."""
    folder = folder or locale_dir()
    return {
        lang: {p.stem: read_file(p) for p in sorted((folder / lang).glob("*.yaml"))}
        for lang in langs
        if (folder / lang).is_dir()
    }


@functools.cache
def messages(lang: str) -> dict[str, str]:
    """All texts of one language as {key: text} (read once per process from the package data)."""
    out: dict[str, str] = {}
    for domain, entries in read_files(langs=(lang,)).get(lang, {}).items():
        twice = sorted(set(out) & set(entries))
        if twice:
            raise CatalogueError(f"{lang}/{domain}.yaml: keys also in another file: {twice[:5]}")
        out.update(entries)
    return out


def dump(entries: dict[str, str], domain: str, lang: str) -> str:
    """The canonical text of a catalogue file: header, then one `key: text` per line, sorted."""
    body = yaml.dump(
        dict(sorted(entries.items())),
        Dumper=yaml.SafeDumper,
        allow_unicode=True,
        sort_keys=True,
        width=float("inf"),
        default_flow_style=False,
    )
    return HEADER.format(domain=domain, lang=lang) + body


def write_file(path: Path, entries: dict[str, str], domain: str, lang: str) -> None:
    """Write a catalogue file in canonical form, atomically (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dump(entries, domain, lang))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
