#!/usr/bin/env python3
"""Build Cao Bằng's dated geography (communes before and after 1 July 2025) from the data packages.

    python data/geography/build_geography.py          # writes data/geography/caobang/*.csv
    python data/geography/build_geography.py --check  # rebuilds in memory, exit 1 if files differ
    python data/geography/build_geography.py --flags  # only the 2024 poor-district flags, no packages

`--flags` rewrites the columns `legacy_poor_district_communes` of units_2025.csv (k/n: k of the
unit's n old communes lay in a 2024 poor district) from the committed mapping_2025.csv and the
current flags of data/caobang/units.csv, and `extremely_disadvantaged` (a region III commune of
2026–2030) from caobang/sources/regions_2026_2030.csv, leaving every other byte of the file as it
is: run it whenever either source changes (it needs neither data package).

Needs two packages that simlib itself does not depend on (install them in a scratch venv, see
data/geography/README.md): `vietnamadminunits==1.0.4` (MIT) and `vietnam-provinces==2026.9.0`
(GPL-3.0-or-later; its data come from the National Statistics Office's list of administrative
units). Only their data are read; no code of theirs is copied here. Output is deterministic.

Inputs and what each is trusted for:
  - vietnam-provinces: official codes, names and kinds of the 161 legacy and 56 new units, and the
    statistics office's old-to-new conversion table (cross-check only: see below);
  - vietnamadminunits: area (km²) and coordinates of the new units, legacy district names, and its
    own old-to-new converter (cross-check);
  - caobang/sources/nq1657_article1.csv: Article 1 of Resolution 1657/NQ-UBTVQH15 (16 June 2025),
    which new unit each old one forms — the legal authority for the mapping;
  - caobang/sources/population_2025.csv: area and population per new unit as published by the
    official merger look-up site (second-hand copy, see the README);
  - data/caobang/units.csv: the 2024 district ids and the poor-district flags (to link datasets);
  - caobang/sources/regions_2026_2030.csv: each new unit's region (khu vực I / II / III) of 2026–2030
    (QĐ 2230/QĐ-UBND of Cao Bằng, 25/12/2025, as reported; README).

Every legacy commune is resolved to exactly one new unit from the resolution (every clause says
"sắp xếp toàn bộ diện tích tự nhiên, quy mô dân số": whole units, no splits, share 1). The two
converters are compared with it and every disagreement is printed and written to the README.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sqlite3
import sys
import unicodedata
from collections import defaultdict
from importlib import metadata, resources
from pathlib import Path

try:  # the data packages are needed for a full rebuild only (not for --flags)
    import vietnam_provinces
    from vietnam_provinces import Ward
    from vietnam_provinces.legacy import District as LegacyDistrict
    from vietnam_provinces.legacy import Ward as LegacyWard
except ImportError:  # pragma: no cover - depends on the scratch venv
    vietnam_provinces = None

HERE = Path(__file__).resolve().parent
OUT = HERE / "caobang"
SOURCES = OUT / "sources"
UNITS_2024_DATASET = HERE.parent / "caobang" / "units.csv"
PROVINCE_CODE = 4
PROVINCE_KEY = "tinhcaobang"
EXPECTED = {"legacy_communes": 161, "districts": 10, "new_units": 56}
PROVINCE_AREA_KM2 = 6700.40  # the merger look-up site's province row (see README); check only
RESOLUTION = "Nghị quyết 1657/NQ-UBTVQH15 ngày 16/6/2025, Điều 1 khoản {clause}"
POP_SOURCE = "published: merger look-up site, seen_in vietnamadminunits raw copy 17/7/2025 (README)"
# Names spelt differently in the resolution and in the statistics office's list (same unit: the
# district and the neighbours agree). Resolution spelling -> list spelling.
SPELLING = {"Phong Nặm": "Phong Nậm"}


def norm(text: str) -> str:
    """Lower-case NFC name with the old tone placement (hoà, thuỷ) folded to the new one."""
    s = unicodedata.normalize("NFC", text).strip().lower()
    for old, new in (("oà", "òa"), ("oá", "óa"), ("oả", "ỏa"), ("uỷ", "ủy"), ("uý", "úy"), ("oạ", "ọa")):
        s = s.replace(old, new)
    return " ".join(s.split())


def strip_kind(name: str) -> tuple[str, str]:
    """'Xã Bảo Lâm' -> ('xã', 'Bảo Lâm'); 'Thị trấn Pác Miầu' -> ('thị trấn', 'Pác Miầu')."""
    for kind in ("thị trấn", "thành phố", "phường", "huyện", "xã"):
        if norm(name).startswith(kind + " "):
            return kind, name.strip()[len(kind) + 1 :].strip()
    raise ValueError(f"no administrative kind in {name!r}")


def legacy_units() -> tuple[list[dict], dict[int, dict]]:
    """The 161 legacy communes and 10 districts of Cao Bằng from vietnam-provinces (NSO codes)."""
    communes, districts = [], {}
    for w in LegacyWard.iter_all():
        if int(w.province_code) != PROVINCE_CODE:
            continue
        d = LegacyDistrict.from_code(int(w.district_code))
        districts[int(d.code)] = {"code": int(d.code), "name": d.name, "kind": strip_kind(d.name)[0]}
        kind, short = strip_kind(w.name)
        communes.append({"code": int(w.code), "name": w.name, "short": short, "kind": kind, "district": int(d.code)})
    communes.sort(key=lambda c: c["code"])
    return communes, districts


def new_units() -> list[dict]:
    """The 56 units from 1 July 2025 (vietnam-provinces) with area and coordinates (vietnamadminunits)."""
    db = resources.files("vietnamadminunits") / "data" / "dataset.db"
    with sqlite3.connect(str(db)) as con:
        rows = con.execute(
            "select wardCode, ward, wardLat, wardLon, wardAreaKm2 from admin_units where provinceCode = ?",
            (f"{PROVINCE_CODE:02d}",),
        ).fetchall()
    geo = {int(code): (name, lat, lon, area) for code, name, lat, lon, area in rows}
    units = []
    for w in Ward.iter_all():
        if int(w.province_code) != PROVINCE_CODE:
            continue
        kind, short = strip_kind(w.name)
        g = geo.get(int(w.code))
        if g is None or norm(g[0]) != norm(w.name):
            raise SystemExit(f"vietnamadminunits has no unit {w.code} {w.name!r} (found {g})")
        units.append({"code": int(w.code), "name": w.name, "short": short, "kind": kind, "lat": g[1], "lon": g[2]})
        units[-1]["area_km2"] = g[3]
    units.sort(key=lambda u: u["code"])
    return units


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def resolve_old(label: str, communes: list[dict], districts: dict[int, dict]) -> dict:
    """One old unit named in the resolution ('xã Hưng Đạo (huyện Bảo Lạc)') -> its legacy row."""
    qualifier = None
    if label.endswith(")"):
        label, qualifier = label[:-1].split(" (", 1)
    kind, short = strip_kind(label)
    short = SPELLING.get(short, short)
    found = [c for c in communes if c["kind"] == kind and norm(c["short"]) == norm(short)]
    if qualifier:
        found = [c for c in found if norm(districts[c["district"]]["name"]) == norm(qualifier)]
    if len(found) != 1:
        raise SystemExit(f"resolution names {label!r} ({qualifier}); legacy matches: {found}")
    return found[0]


def resolution_mapping(communes, districts, units) -> dict[int, tuple[int, int]]:
    """legacy commune code -> (new unit code, clause), from Article 1 of NQ 1657/NQ-UBTVQH15."""
    by_name = {(u["kind"], norm(u["short"])): u for u in units}
    mapping: dict[int, tuple[int, int]] = {}
    for row in read_csv(SOURCES / "nq1657_article1.csv"):
        unit = by_name[(row["new_kind"], norm(row["new_name"]))]
        for label in row["old_units"].split("; "):
            old = resolve_old(label, communes, districts)
            if old["code"] in mapping:
                raise SystemExit(f"{old['name']} is named in two clauses")
            mapping[old["code"]] = (unit["code"], int(row["clause"]))
    return mapping


def vau_mapping(communes, districts, units) -> dict[int, set[int]]:
    """vietnamadminunits' converter, translated from its name keys to NSO codes."""
    db = resources.files("vietnamadminunits") / "data" / "dataset.db"
    with sqlite3.connect(str(db)) as con:
        legacy = con.execute(
            "select districtKey, wardKey, wardCode from admin_units_legacy where provinceCode = ?",
            (f"{PROVINCE_CODE:02d}",),
        ).fetchall()
        new = con.execute(
            "select wardKey, wardCode from admin_units where provinceCode = ?", (f"{PROVINCE_CODE:02d}",)
        ).fetchall()
    old_code = {f"{PROVINCE_KEY}_{dk}_{wk}": int(code) for dk, wk, code in legacy}
    new_code = {wk: int(code) for wk, code in new}
    conv = resources.files("vietnamadminunits") / "data" / "converter_2025.json"
    data = json.loads(conv.read_text(encoding="utf-8"))
    out: dict[int, set[int]] = defaultdict(set)
    for new_key, olds in data["DICT_PROVINCE_WARD_NO_DIVIDED"][PROVINCE_KEY].items():
        for key in olds:
            out[old_code[key]].add(new_code[new_key])
    for new_key, olds in data["DICT_PROVINCE_WARD_DIVIDED"].get(PROVINCE_KEY, {}).items():
        for key in olds:
            out[old_code[key]].add(new_code[new_key])
    return out


def nso_mapping(units) -> dict[int, set[int]]:
    """The statistics office's conversion table, read through vietnam-provinces' public API."""
    out: dict[int, set[int]] = defaultdict(set)
    for u in units:
        for old in Ward.from_code(u["code"]).get_legacy_sources():
            out[int(old.code)].add(u["code"])
    return out


def district_ids(districts: dict[int, dict]) -> dict[int, str]:
    """Legacy district code -> unit_id of data/caobang/units.csv (matched on the Vietnamese name)."""
    rows = read_csv(UNITS_2024_DATASET)
    by_name = {norm(r["name_vi"]): r["unit_id"] for r in rows}
    return {code: by_name[norm(d["name"])] for code, d in districts.items()}


def disagreements(mapping, vau, nso, communes) -> list[str]:
    """Where a package's converter differs from the resolution, one line per old unit."""
    notes = []
    names = {c["code"]: c["name"] for c in communes}
    for code in sorted(mapping):
        want = {mapping[code][0]}
        for label, conv in (("vietnamadminunits", vau), ("vietnam-provinces (NSO table)", nso)):
            got = conv.get(code, set())
            if got != want:
                shown = ", ".join(f"{c:05d}" for c in sorted(got)) or "none"
                notes.append(f"{code:05d} {names[code]}: {label} gives {shown}; resolution {mapping[code][0]:05d}")
    return notes


def table_units_2024(communes, districts, ids, mapping) -> list[list]:
    header = ["code", "name", "kind", "district_code", "district_name", "district_kind", "district_id", "valid_to"]
    header += ["new_code_2025"]
    rows = [header]
    for c in communes:
        d = districts[c["district"]]
        rows.append(
            [f"{c['code']:05d}", c["name"], c["kind"], f"{d['code']:03d}", d["name"], d["kind"], ids[d["code"]]]
            + ["2025-06-30", f"{mapping[c['code']][0]:05d}"]
        )
    return rows


def table_mapping(communes, districts, ids, mapping, units, vau, nso) -> list[list]:
    new = {u["code"]: u for u in units}
    header = ["old_code", "old_name", "old_kind", "old_district_id", "new_code", "new_name", "new_kind"]
    header += ["share_of_old", "basis", "vietnamadminunits_agrees", "nso_table_agrees"]
    rows = [header]
    for c in communes:
        code, clause = mapping[c["code"]]
        u = new[code]
        agree = [str(vau.get(c["code"], set()) == {code}).lower(), str(nso.get(c["code"], set()) == {code}).lower()]
        rows.append(
            [f"{c['code']:05d}", c["name"], c["kind"], ids[c["district"]], f"{code:05d}", u["name"], u["kind"]]
            + ["1", RESOLUTION.format(clause=clause)]
            + agree
        )
    return rows


def population(units) -> dict[int, tuple[int, float, int]]:
    """New unit code -> (population, area km² as published, resolution clause)."""
    by_name = {(u["kind"], norm(u["short"])): u["code"] for u in units}
    out = {}
    for row in read_csv(SOURCES / "population_2025.csv"):
        code = by_name[(row["new_kind"], norm(row["new_name"]))]
        out[code] = (int(row["population"]), float(row["area_km2"]), int(row["clause"]))
    return out


def poor_district_ids() -> dict[str, str]:
    """unit_id -> 'true'/'false' poor-district flag of the 2024 dataset (with its basis there)."""
    return {r["unit_id"]: r["poor_district"] for r in read_csv(UNITS_2024_DATASET)}


def table_units_2025(units, communes, ids, mapping, pops) -> list[list]:
    olds = defaultdict(list)
    for c in communes:
        olds[mapping[c["code"]][0]].append(c)
    poor = poor_district_ids()
    header = ["code", "name", "kind", "area_km2", "lat", "lon", "population", "population_basis"]
    header += ["resolution_clause", "old_units", "districts_2024", "legacy_poor_district_communes"]
    header += ["poor_commune", "extremely_disadvantaged", "border", "valid_from"]
    rows = [header]
    for u in units:
        pop, _, clause = pops[u["code"]]
        dists = sorted({ids[c["district"]] for c in olds[u["code"]]})
        in_poor = sum(poor[ids[c["district"]]] == "true" for c in olds[u["code"]])
        rows.append(
            [f"{u['code']:05d}", u["name"], u["kind"], f"{u['area_km2']:.2f}", f"{u['lat']:.4f}", f"{u['lon']:.4f}"]
            + [pop, POP_SOURCE, clause, len(olds[u["code"]]), ";".join(dists), f"{in_poor}/{len(olds[u['code']])}"]
            + ["unknown", extremely_disadvantaged()[f"{u['code']:05d}"], "unknown", "2025-07-01"]
        )
    return rows


def extremely_disadvantaged() -> dict[str, str]:
    """unit code -> 'true'/'false': a region III commune (xã khu vực III) of 2026–2030 in
    sources/regions_2026_2030.csv (QĐ 2230/QĐ-UBND of 25/12/2025 as reported, README)."""
    return {r["code"]: "true" if r["region"] == "III" else "false" for r in read_csv(SOURCES / "regions_2026_2030.csv")}


def table_district_weights(units, communes, ids, mapping, pops) -> list[list]:
    """Share of each 2024 district's population that lies in each new unit (to move the baseline).

    A new unit inside one district takes its published population whole (exact). A unit formed
    from communes of two districts is split in proportion to its number of old communes from each
    (ESTIMATED: the old communes' populations are not in the packages; replace with them).
    """
    olds = defaultdict(list)
    for c in communes:
        olds[mapping[c["code"]][0]].append(c)
    part: dict[tuple[str, int], float] = {}
    method: dict[int, str] = {}
    for u in units:
        by_d = defaultdict(int)
        for c in olds[u["code"]]:
            by_d[ids[c["district"]]] += 1
        n = sum(by_d.values())
        method[u["code"]] = "whole unit (exact)" if len(by_d) == 1 else "split by count of old communes (estimated)"
        for d, k in by_d.items():
            part[(d, u["code"])] = pops[u["code"]][0] * k / n
    totals = defaultdict(float)
    for (d, _), p in part.items():
        totals[d] += p
    rows = [["district_id", "new_code", "population_part", "share_of_district", "method"]]
    for (d, code), p in sorted(part.items()):
        rows.append([d, f"{code:05d}", f"{p:.1f}", f"{p / totals[d]:.6f}", method[code]])
    return rows


def checks(communes, districts, units, mapping, pops) -> list[str]:
    """Every problem at once (empty when all is well)."""
    problems = []
    if len(communes) != EXPECTED["legacy_communes"]:
        problems.append(f"{len(communes)} legacy communes, expected {EXPECTED['legacy_communes']}")
    if len(districts) != EXPECTED["districts"]:
        problems.append(f"{len(districts)} districts, expected {EXPECTED['districts']}")
    if len(units) != EXPECTED["new_units"]:
        problems.append(f"{len(units)} new units, expected {EXPECTED['new_units']}")
    unmapped = [c["name"] for c in communes if c["code"] not in mapping]
    if unmapped:
        problems.append(f"legacy communes not in the resolution: {unmapped}")
    empty = sorted({u["code"] for u in units} - {v[0] for v in mapping.values()})
    if empty:
        problems.append(f"new units formed from no legacy commune: {empty}")
    if sorted(pops) != sorted(u["code"] for u in units):
        problems.append("population_2025.csv does not list exactly the 56 units")
    area = sum(u["area_km2"] for u in units)
    if abs(area - PROVINCE_AREA_KM2) > 0.01 * PROVINCE_AREA_KM2:
        problems.append(f"new units' area {area:.2f} km² is not within 1 % of {PROVINCE_AREA_KM2} km²")
    for u in units:
        published = pops.get(u["code"], (0, None, 0))[1]
        if published is not None and abs(published - u["area_km2"]) > 0.005:
            problems.append(f"{u['name']}: area {u['area_km2']} (package) vs {published} (published)")
    kinds = sorted(u["kind"] for u in units)
    if kinds.count("phường") != 3 or kinds.count("xã") != 53:
        problems.append(f"kinds {kinds.count('xã')} xã / {kinds.count('phường')} phường, resolution says 53 / 3")
    return problems


def render(rows: list[list]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def build() -> tuple[dict[str, str], list[str], list[str]]:
    communes, districts = legacy_units()
    units = new_units()
    ids = district_ids(districts)
    mapping = resolution_mapping(communes, districts, units)
    pops = population(units)
    problems = checks(communes, districts, units, mapping, pops)
    if problems:
        return {}, problems, []
    vau, nso = vau_mapping(communes, districts, units), nso_mapping(units)
    files = {
        "units_2024.csv": render(table_units_2024(communes, districts, ids, mapping)),
        "units_2025.csv": render(table_units_2025(units, communes, ids, mapping, pops)),
        "mapping_2025.csv": render(table_mapping(communes, districts, ids, mapping, units, vau, nso)),
        "district_weights_2025.csv": render(table_district_weights(units, communes, ids, mapping, pops)),
    }
    return files, [], disagreements(mapping, vau, nso, communes)


def poor_flag_counts(mapping_rows: list[dict], poor: dict[str, str]) -> dict[str, str]:
    """new unit code -> 'k/n': k of its n old communes (mapping_2025.csv rows) lay in a district
    whose 2024 poor-district flag (`poor`: unit_id -> 'true'/'false') is true."""
    k: dict[str, int] = defaultdict(int)
    n: dict[str, int] = defaultdict(int)
    for row in mapping_rows:
        n[row["new_code"]] += 1
        k[row["new_code"]] += poor[row["old_district_id"]] == "true"
    return {code: f"{k[code]}/{n[code]}" for code in n}


def rebuild_flags(check: bool) -> int:
    """Rewrite `legacy_poor_district_communes` of units_2025.csv from the committed mapping and the
    current 2024 flags (see the module docstring); with `check`, only say whether it is stale."""
    flags = poor_flag_counts(read_csv(OUT / "mapping_2025.csv"), poor_district_ids())
    rows = list(csv.reader(io.StringIO((OUT / "units_2025.csv").read_text("utf-8"))))
    col = rows[0].index("legacy_poor_district_communes")
    xcol, region3 = rows[0].index("extremely_disadvantaged"), extremely_disadvantaged()
    for row in rows[1:]:
        row[col], row[xcol] = flags[row[0]], region3[row[0]]
    text = render(rows)
    stale = (OUT / "units_2025.csv").read_text("utf-8") != text
    if check:
        print("flags up to date" if not stale else "units_2025.csv flags differ from a rebuild")
        return 1 if stale else 0
    (OUT / "units_2025.csv").write_text(text, encoding="utf-8")
    print(f"wrote legacy_poor_district_communes and extremely_disadvantaged in {OUT / 'units_2025.csv'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the CSVs differ from a rebuild")
    parser.add_argument("--flags", action="store_true", help="rebuild only the poor-district flag column")
    args = parser.parse_args(argv)
    if args.flags:
        return rebuild_flags(args.check)
    if vietnam_provinces is None:
        print("a full rebuild needs vietnamadminunits and vietnam-provinces (see README)", file=sys.stderr)
        return 2
    versions = {p: metadata.version(p) for p in ("vietnamadminunits", "vietnam-provinces")}
    print(f"packages: {versions}; vietnam-provinces data {vietnam_provinces.__data_version__}")
    files, problems, notes = build()
    if problems:
        print("geography checks failed:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2
    for line in notes:
        print("converter differs from the resolution:", line)
    stale = [n for n, text in files.items() if not (OUT / n).is_file() or (OUT / n).read_text("utf-8") != text]
    if args.check:
        print("up to date" if not stale else f"differ from a rebuild: {stale}")
        return 1 if stale else 0
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8")
    print(f"wrote {', '.join(files)} in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
