"""Move `(vi, en)` pairs from a Python `MESSAGES` dict into the YAML catalogues.

simlib kept its texts in `simlib/i18n.py` as `MESSAGES = {key: (vi, en), ...}`. A branch made
before the catalogues may still add or change pairs there; merging it:

    git show OTHER_BRANCH:simlib/i18n.py > /tmp/theirs.py
    git show MERGE_BASE:simlib/i18n.py > /tmp/base.py
    python -m simlib.i18n.migrate /tmp/theirs.py --base /tmp/base.py          # dry run: a report
    python -m simlib.i18n.migrate /tmp/theirs.py --base /tmp/base.py --write  # write catalogues

With `--base`, only the pairs the branch added or changed move (pairs it did not touch may have
been reworded in the catalogues since); without it, every pair of FILE. A key already in the
catalogues with the same texts is skipped; with other texts it is a conflict, reported and left
alone unless `--replace`. Keys removed by the branch are listed, not deleted. Each key goes to
the domain file of its first segment (`catalogue.DOMAINS`; `--domain NAME` for new prefixes).
Exit status: 0 done (or nothing to do), 1 conflicts or keys without a domain (nothing written).
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

from simlib.i18n.catalogue import LANGS, domain_of, locale_dir, read_files, write_file


def read_pairs(path: Path, name: str = "MESSAGES") -> dict[str, tuple[str, str]]:
    """The `{key: (vi, en)}` dict assigned to `name` in a Python file (read, never imported)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == name and isinstance(node.value, ast.Dict):
            pairs = ast.literal_eval(node.value)
            bad = [k for k, v in pairs.items() if not (isinstance(v, tuple) and len(v) == len(LANGS))]
            if bad:
                raise ValueError(f"{path}: {name} entries must be ({', '.join(LANGS)}) tuples: {bad[:5]}")
            return pairs
    raise ValueError(f"{path}: no dict literal assigned to {name}")


@dataclass
class Plan:
    """What a migration would do."""

    add: dict[str, tuple[str, str]] = field(default_factory=dict)
    replace: dict[str, tuple[str, str]] = field(default_factory=dict)
    same: list[str] = field(default_factory=list)
    conflicts: dict[str, tuple[tuple[str, str], tuple[str, str]]] = field(default_factory=dict)
    no_domain: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def plan(
    pairs: dict[str, tuple[str, str]],
    current: dict[str, tuple[str, str]],
    base: dict[str, tuple[str, str]] | None = None,
    replace: bool = False,
    domain: str | None = None,
) -> Plan:
    """Compare `pairs` (with `base`: only those added or changed since it) with the catalogues'
    `current` `{key: (vi, en)}`."""
    out = Plan()
    if base is not None:
        out.removed = sorted(set(base) - set(pairs))
        pairs = {k: v for k, v in pairs.items() if base.get(k) != v}
    for key, texts in pairs.items():
        if domain is None and domain_of(key) is None:
            out.no_domain.append(key)
        elif key not in current:
            out.add[key] = texts
        elif current[key] == texts:
            out.same.append(key)
        elif replace:
            out.replace[key] = texts
        else:
            out.conflicts[key] = (current[key], texts)
    return out


def current_pairs(files: dict) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """The catalogues as `{key: (vi, en)}` and `{key: domain}`."""
    where = {k: d for d, entries in files.get(LANGS[0], {}).items() for k in entries}
    flat = {lang: {k: v for entries in files.get(lang, {}).values() for k, v in entries.items()} for lang in LANGS}
    return {k: tuple(flat[lang].get(k, "") for lang in LANGS) for k in where}, where


def apply(p: Plan, folder: Path, domain: str | None = None) -> list[Path]:
    """Write the added and replaced pairs into the catalogue files; the files written."""
    files = read_files(folder)
    _, where = current_pairs(files)
    touched: set[tuple[str, str]] = set()
    for key, texts in {**p.add, **p.replace}.items():
        d = where.get(key) or domain or domain_of(key)
        for lang, text in zip(LANGS, texts):
            files.setdefault(lang, {}).setdefault(d, {})[key] = text
            touched.add((lang, d))
    written = []
    for lang, d in sorted(touched):
        path = folder / lang / f"{d}.yaml"
        write_file(path, files[lang][d], d, lang)
        written.append(path)
    return written


def _report(p: Plan) -> str:
    lines = [f"add {len(p.add)}, replace {len(p.replace)}, unchanged {len(p.same)}, conflicts {len(p.conflicts)}"]
    lines += [f"  + {k}" for k in sorted(p.add)] + [f"  ~ {k}" for k in sorted(p.replace)]
    for k, (have, new) in sorted(p.conflicts.items()):
        lines.append(f"  ! {k}: catalogue has {have!r}, file has {new!r} (--replace to take the file's)")
    if p.no_domain:
        lines.append(f"  ? no domain for {sorted(p.no_domain)} (add the prefix to DOMAINS or pass --domain)")
    if p.removed:
        lines.append(f"  - removed in FILE (left in the catalogues; delete by hand if unused): {p.removed}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simlib.i18n.migrate", description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path, help="Python file with a MESSAGES = {key: (vi, en)} dict")
    ap.add_argument("--base", type=Path, help="the same file before the branch: move only what it added or changed")
    ap.add_argument("--name", default="MESSAGES", help="name of the dict (default MESSAGES)")
    ap.add_argument("--domain", help="domain file for keys whose prefix has none")
    ap.add_argument("--replace", action="store_true", help="take the file's texts where they differ")
    ap.add_argument("--write", action="store_true", help="write the catalogues (default: report only)")
    ap.add_argument("--locale", type=Path, default=None, help="catalogue folder (default simlib/locale)")
    args = ap.parse_args(argv)
    folder = args.locale or locale_dir()
    pairs = read_pairs(args.file, args.name)
    base = read_pairs(args.base, args.name) if args.base else None
    current, _ = current_pairs(read_files(folder))
    p = plan(pairs, current, base, args.replace, args.domain)
    print(_report(p))
    if p.conflicts or p.no_domain:
        return 1
    if args.write:
        for path in apply(p, folder, args.domain):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
