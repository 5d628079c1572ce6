"""simlib.i18n: translation API, localised text, the one formatter, and the catalogue migration."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from babel import Locale
from babel.numbers import format_decimal

from simlib import i18n
from simlib.i18n import LocalText, MissingTranslation, fmt, migrate
from simlib.i18n.catalogue import CatalogueError, dump, field_names, read_file, read_files

# --------------------------------------------------------------------------- t, label, get_lang


def test_t_fills_fields_in_each_language():
    assert i18n.t("cli.valid", "vi", path="a.yaml") == "Hợp lệ: a.yaml"
    assert i18n.t("cli.valid", "en", path="a.yaml") == "Valid: a.yaml"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_missing_key_raises_naming_key_and_language(lang):
    with pytest.raises(MissingTranslation) as info:
        i18n.t("no.such.key", lang)
    assert isinstance(info.value, KeyError)
    assert "no.such.key" in str(info.value) and repr(lang) in str(info.value)


def test_get_lang_argument_then_environment_then_vietnamese(monkeypatch):
    monkeypatch.delenv("SIMLIB_LANG", raising=False)
    assert i18n.get_lang() == "vi"
    monkeypatch.setenv("SIMLIB_LANG", "en_GB.UTF-8")
    assert i18n.get_lang() == "en" and i18n.get_lang("vi") == "vi"
    assert i18n.get_lang("fr") == "vi"  # unknown language: the default


def test_label_of_code_and_default_for_codes_from_data():
    assert i18n.label("state", "poor", "vi") == "Hộ nghèo"
    assert i18n.label("geo", "bao_lac", "vi", default="Bảo Lạc") == "Bảo Lạc"
    assert i18n.label("geo", "province", "en", default="x") == "Province"
    with pytest.raises(MissingTranslation):
        i18n.label("geo", "bao_lac", "vi")


def test_local_text():
    title = LocalText(vi="Kế hoạch", en="Plan")
    assert title.get("vi") == "Kế hoạch" and title("en") == "Plan"
    assert LocalText.from_fields({"title_vi": "A", "title_en": ""}, "title", default="x") == LocalText("A", "x")
    assert title.to_fields("title") == {"title_vi": "Kế hoạch", "title_en": "Plan"}
    both = LocalText.of("cli.scenario_failed", name=LocalText("KB", "SC"), error="e")
    assert both == LocalText(i18n.t("cli.scenario_failed", "vi", name="KB", error="e"), "Scenario SC failed: e")


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "x,lang,dec,expected",
    [
        (1234.5, "vi", 1, "1.234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (-4.234, "vi", 2, "−4,23"),
        (-0.001, "en", 1, "0.0"),  # rounds to zero: no sign
        (1234567, "vi", 0, "1.234.567"),
        (np.int64(-1234567), "en", 0, "−1,234,567"),
        (float("nan"), "vi", 1, "–"),
        (None, "en", 1, "–"),
        ("not a number", "en", 1, "–"),
    ],
)
def test_numbers_local_way(x, lang, dec, expected):
    assert fmt.number(x, lang, dec) == expected


def _half_up(x, d: int) -> Decimal:
    """`x` rounded as the module says: half away from zero on its shortest decimal form."""
    return Decimal(str(float(x))).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP)


def test_numbers_round_half_away_from_zero_on_their_shortest_form():
    """Same digits as the value's shortest decimal form (`str`) rounded half away from zero
    (hand-worked values in tests/test_round65.py), only the separators and the minus sign differ."""
    rng = np.random.default_rng(3)
    xs = np.concatenate([rng.normal(0, 1e4, 300), rng.normal(0, 1, 300), [0.125, 2.675, 0.5, 1.5, -2.5]])
    for x in xs:
        for d in (0, 1, 2, 3):
            want = _half_up(x, d)
            want = f"{abs(want) if want == 0 else want:f}"
            got = fmt.number(x, "en", d).replace(",", "").replace("−", "-")
            assert got == want, (x, d)
            assert fmt.number(x, "vi", d) == fmt.number(x, "en", d).translate(str.maketrans(",.", ".,"))


def test_numbers_as_babel_formats_them():
    """The digits and separators are Babel's `format_decimal` with the pattern `#,##0.0…` on the
    value rounded as the module says (the formatter builds them from Python's grouping instead:
    checked here against Babel itself, over magnitudes from 1e-4 to 1e15, halves and numbers
    that round up to a new group)."""
    rng = np.random.default_rng(11)
    xs = np.concatenate([10.0 ** rng.uniform(-4, 15, 400), [0.0, 0.05, 0.5, 999.5, 999.95, 999_999.96, 1e15, 2.675]])
    for x in xs:
        for d in (0, 1, 2, 3):
            for lang in ("vi", "en"):
                pattern = "#,##0" + ("." + "0" * d if d else "")
                want = format_decimal(_half_up(x, d), format=pattern, locale=Locale.parse(lang))
                assert fmt.number(x, lang, d) == want, (x, d, lang)
                assert fmt.number(-x, lang, d) == (fmt.MINUS + want if _half_up(x, d) else want)


def test_one_sign_rule_everywhere():
    assert fmt.number(-1.5, "vi", 1) == "−1,5" and fmt.number(-1.5, "en", 1) == "−1.5"
    assert fmt.signed(1.25, "vi", 1) == "+1,3" and fmt.signed(-1.25, "en", 1) == "−1.3"  # half away from zero
    assert fmt.signed(0.04, "vi", 1) == "0,0" and fmt.signed(-0.04, "vi", 1) == "0,0"
    assert fmt.points(-4.234, "vi") == "−4,23 điểm %"
    assert fmt.points(0.5, "en", 1) == "+0.5 percentage points"
    assert fmt.points(0.001, "en", 1) == "0.0 percentage points"
    assert fmt.percent(-2.0, "vi") == "−2,0 %"
    assert "-" not in fmt.number(-1e6, "vi") + fmt.points(-1, "en") + fmt.billion_vnd(-3e9, "vi")


def test_units():
    assert fmt.percent(24.71, "vi") == "24,7 %" and fmt.percent(24.71, "en") == "24.7%"
    assert fmt.billion_vnd(1_424e9, "vi") == "1.424,0 tỷ đồng"
    assert fmt.billion_vnd(712e9, "en") == "712.0 billion VND"
    assert fmt.million_vnd(262.44, "vi") == "262,4 triệu đồng"
    assert fmt.households(1234.4, "en") == "1,234 households" and fmt.households(13601.8, "vi") == "13.602 hộ"
    assert fmt.span(1, 2.5, lambda x, lg: fmt.number(x, lg, 1), "vi") == "1,0 – 2,5"
    assert fmt.number(0.0750, "vi", 3, trim=True) == "0,075" and fmt.number(2.0, "en", 2, trim=True) == "2"
    assert fmt.number(1500.0, "en", 2, trim=True) == "1,500" and fmt.number(-12.5, "vi", 3, trim=True) == "−12,5"
    tick = fmt.axis_formatter("vi")
    assert tick(12.5, 0) == "12,5" and tick(-3.0, 0) == "−3"


# --------------------------------------------------------------------------- dates


def test_dates_in_vietnam_time():
    late_utc = "2026-12-01T22:05:09+00:00"  # already 2 December in Vietnam (UTC+7)
    assert fmt.date(late_utc, "vi") == "ngày 02 tháng 12 năm 2026"
    assert fmt.date(late_utc, "en") == "2 December 2026"
    assert fmt.date(dt.datetime(2026, 12, 1, 22, 5), "vi") == "ngày 02 tháng 12 năm 2026"  # naive = UTC
    assert fmt.date(dt.datetime(2026, 12, 1, 16, 59, tzinfo=dt.UTC), "en") == "1 December 2026"
    assert fmt.date(dt.date(2026, 1, 5), "vi") == "ngày 05 tháng 01 năm 2026"
    assert fmt.timestamp(late_utc, "vi") == "ngày 02 tháng 12 năm 2026, 05:05 (giờ Việt Nam)"
    assert fmt.timestamp(late_utc, "en") == "2 December 2026, 05:05 (Vietnam time)"
    assert fmt.date("", "vi") == "–" and fmt.date(None, "en") == "–"


# --------------------------------------------------------------------------- catalogue files


def test_catalogue_file_refuses_a_key_twice(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text("a.b: one\na.b: two\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="twice"):
        read_file(p)


def test_dump_reads_back_sorted(tmp_path):
    entries = {"b.x": "Chỉ tiêu «{label}»: {value}", "a.y": "{{}} nếu bằng 0", "a.z": "key: value, with colon"}
    p = tmp_path / "d.yaml"
    p.write_text(dump(entries, "d", "vi"), encoding="utf-8")
    assert read_file(p) == entries and list(read_file(p)) == sorted(entries)


def test_field_names():
    assert field_names("{a} và {b:.1f}, {{literal}} {c[0]}") == {"a", "b", "c"}


# --------------------------------------------------------------------------- migration


def _write_pairs(path, pairs: dict) -> None:
    body = "".join(f"    {k!r}: ({v[0]!r}, {v[1]!r}),\n" for k, v in pairs.items())
    path.write_text(f"X = 1\nMESSAGES: dict[str, tuple[str, str]] = {{\n{body}}}\n", encoding="utf-8")


@pytest.fixture
def locale(tmp_path):
    folder = tmp_path / "locale"
    for lang, texts in (("vi", ("Lỗi cũ", "Có")), ("en", ("Old error", "Yes"))):
        (folder / lang).mkdir(parents=True)
        (folder / lang / "errors.yaml").write_text(dump({"err.old": texts[0]}, "errors", lang), encoding="utf-8")
        (folder / lang / "cli.yaml").write_text(dump({"cli.yes": texts[1]}, "cli", lang), encoding="utf-8")
    return folder


def test_migrate_moves_only_what_the_branch_added_or_changed(tmp_path, locale):
    base, theirs = tmp_path / "base.py", tmp_path / "theirs.py"
    _write_pairs(base, {"err.old": ("Lỗi cũ (trước)", "Old error"), "cli.gone": ("Mất", "Gone")})
    _write_pairs(
        theirs,
        {
            "err.old": ("Lỗi cũ (trước)", "Old error"),  # untouched by the branch: the catalogue's wording stays
            "err.new_one": ("Lỗi mới {x}", "New error {x}"),
            "report.new": ("Mới", "New"),
        },
    )
    assert migrate.main([str(theirs), "--base", str(base), "--locale", str(locale), "--write"]) == 0
    files = read_files(locale)
    assert files["vi"]["errors"] == {"err.new_one": "Lỗi mới {x}", "err.old": "Lỗi cũ"}
    assert files["en"]["report"] == {"report.new": "New"}
    assert list(files["vi"]["errors"]) == sorted(files["vi"]["errors"])
    assert files["vi"]["cli"] == {"cli.yes": "Có"}  # removed in the branch: listed, not deleted


def test_migrate_reports_conflicts_and_writes_nothing(tmp_path, locale, capsys):
    theirs = tmp_path / "theirs.py"
    _write_pairs(theirs, {"err.old": ("Khác", "Different"), "err.more": ("Thêm", "More")})
    before = (locale / "vi" / "errors.yaml").read_text(encoding="utf-8")
    assert migrate.main([str(theirs), "--locale", str(locale), "--write"]) == 1
    assert "err.old" in capsys.readouterr().out
    assert (locale / "vi" / "errors.yaml").read_text(encoding="utf-8") == before
    assert migrate.main([str(theirs), "--locale", str(locale), "--write", "--replace"]) == 0
    assert read_files(locale)["en"]["errors"] == {"err.more": "More", "err.old": "Different"}


def test_migrate_needs_a_domain_for_a_new_prefix(tmp_path, locale):
    theirs = tmp_path / "theirs.py"
    _write_pairs(theirs, {"safety.lock": ("Khóa", "Lock")})
    assert migrate.main([str(theirs), "--locale", str(locale), "--write"]) == 1
    assert migrate.main([str(theirs), "--locale", str(locale), "--write", "--domain", "cli"]) == 0
    assert read_files(locale)["vi"]["cli"]["safety.lock"] == "Khóa"


def test_read_pairs_refuses_other_shapes(tmp_path):
    p = tmp_path / "m.py"
    p.write_text(textwrap.dedent('MESSAGES = {"a.b": "only one text"}\n'), encoding="utf-8")
    with pytest.raises(ValueError, match="tuples"):
        migrate.read_pairs(p)
