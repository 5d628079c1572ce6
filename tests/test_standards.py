"""The poverty standards: data, the standard in force by year, and classification against
hand-worked households (boundaries exactly on the line, exactly 3 deprivations, rural vs urban)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from simlib.errors import InputError, InputErrors, SimlibError
from simlib.parameters import load_parameters
from simlib.standards import (
    ABOVE_C,
    BIT,
    INDICATORS,
    NEAR_POOR_C,
    POOR_C,
    build_standards,
    check_standards,
    classify,
    deprivation_count,
    mask_of,
    standard_changes,
    standard_for_year,
)

P, N, A = POOR_C, NEAR_POOR_C, ABOVE_C
D3 = ["sanitation", "housing_quality", "employment"]
D2 = ["sanitation", "housing_quality"]

# (year, income VND/person/month, urban, deprivations, expected class) — worked by hand from
# Decree 07/2021 (1.5 M rural / 2.0 M urban; poor = income <= line and >= 3 deprivations) and the
# 2027-2030 lines (2.2 M / 2.8 M, same rule)
HAND = [
    (2024, 1_500_000, False, D3, P),  # exactly on the rural line, exactly 3: poor
    (2024, 1_500_000, False, D2, N),  # on the line, 2 deprivations: near-poor
    (2024, 1_500_001, False, D3 + ["nutrition"], A),  # 1 VND above the line: neither
    (2024, 1_499_999, False, [], N),  # below the line, no deprivation: near-poor
    (2024, 1_999_999, False, D3, A),  # below the URBAN line but rural: above
    (2024, 1_999_999, True, D3, P),  # the same household in town: poor
    (2024, 2_000_000, True, D2, N),  # exactly on the urban line, 2: near-poor
    (2024, 2_000_000, True, D3, P),  # exactly on the urban line, 3: poor
    (2024, 2_000_001, True, list(INDICATORS), A),  # all 12 deprivations but above the line
    (2024, 0, False, list(INDICATORS), P),
    (2026, 1_500_000, False, D3, P),  # the extension through 2026 keeps the lines
    (2026, 1_800_000, False, D3, A),
    (2027, 1_800_000, False, D3, P),  # the same household under the 2027 lines
    (2027, 2_200_000, False, D2, N),  # exactly on the new rural line
    (2027, 2_200_001, False, D3, A),
    (2027, 2_800_000, True, D3, P),  # exactly on the new urban line
    (2027, 2_800_001, True, D2, A),
]


@pytest.fixture(scope="module")
def standards():
    return build_standards(load_parameters()["standards"])


def test_hand_worked_households(standards):
    for year, income, urban, deps, expected in HAND:
        std = standard_for_year(standards, year)
        got = classify(income, mask_of(deps), urban, std)
        assert int(got) == expected, (year, income, urban, deps)


def test_vectorised_equals_one_by_one_and_counts_form(standards):
    for year in (2024, 2027):
        rows = [h for h in HAND if standard_for_year(standards, h[0]).id == standard_for_year(standards, year).id]
        std = standard_for_year(standards, year)
        inc = np.array([r[1] for r in rows], np.float32)  # float32 as the microsim stores it
        urb = np.array([r[2] for r in rows])
        masks = np.array([mask_of(r[3]) for r in rows], np.uint16)
        got = classify(inc, masks, urb, std)
        assert got.tolist() == [r[4] for r in rows]
        counts = np.array([len(r[3]) for r in rows])
        assert classify(inc, counts, urb, std, counts=True).tolist() == got.tolist()


def test_bit_layout_and_counts():
    assert len(INDICATORS) == 12 and len(set(INDICATORS)) == 12
    m = np.arange(4096)
    assert np.array_equal(deprivation_count(m), [bin(x).count("1") for x in m])
    assert mask_of(["employment"]) == 1 and mask_of(["information_access"]) == 1 << 11
    with pytest.raises(InputError):
        mask_of(["happiness"])


def test_removing_housing_deprivation_moves_poor_to_near_poor_exactly_below_three(standards):
    """A household whose only change is one removed housing deprivation at a time: poor while it
    has >= 3 deprivations, near-poor from the removal that leaves it with 2."""
    std = standard_for_year(standards, 2024)
    for others in ([], ["sanitation"], ["sanitation", "employment"], ["sanitation", "employment", "nutrition"]):
        mask = mask_of(others + ["housing_quality", "housing_area"])
        seq = [mask, mask & ~BIT["housing_quality"], mask & ~BIT["housing_quality"] & ~BIT["housing_area"]]
        got = [int(classify(1_200_000, m, False, std)) for m in seq]
        want = [P if bin(m).count("1") >= 3 else N for m in seq]
        assert got == want, (others, got)
        # the move to near-poor happens at the first removal whose count is below 3, not before
        first_near = next((i for i, c in enumerate(got) if c == N), None)
        counts = [bin(m).count("1") for m in seq]
        assert first_near == next((i for i, c in enumerate(counts) if c < 3), None)


def test_standard_in_force_and_changes(standards):
    assert standard_for_year(standards, 2022).id == "2022-2025"
    assert standard_for_year(standards, 2026).id == "2022-2025"  # extension through 2026
    assert standard_for_year(standards, 2027).id == "2027-2030"
    s = standard_for_year(standards, 2027)
    assert (s.line_rural, s.line_urban, s.min_deprivations) == (2_200_000, 2_800_000, 3)
    ch = standard_changes(standards, range(2023, 2031))
    assert [(y, a.id, b.id) for y, a, b in ch] == [(2027, "2022-2025", "2027-2030")]
    with pytest.raises(InputError) as info:
        standard_for_year(standards, 2031)
    assert "2031" in info.value.message("en") and "2022–2030" in info.value.message("en")


def test_every_period_and_line_has_a_source_and_unknown_thresholds_are_marked():
    docs = load_parameters()["standards"]
    for doc in docs.values():
        for p in doc["in_force"]:
            assert p.get("source") or p.get("assumption")
        for area in ("rural", "urban"):
            assert doc["income_line"][area].get("source")
        for d in doc["dimensions"]:
            for ind in d["indicators"]:
                if ind["threshold_status"] == "not_at_hand":
                    assert "threshold_en" not in ind and "threshold_vi" not in ind  # nothing invented
                else:
                    assert ind.get("threshold_source")


def test_overlapping_or_misordered_standards_are_rejected():
    docs = copy.deepcopy(load_parameters()["standards"])
    docs["2027-2030"]["in_force"][0]["first"] = 2026
    errs = check_standards(docs, {k: f"{k}.yaml" for k in docs})
    assert any("2026" in e.message("en") and "overlap" in e.message("en") for e in errs)
    docs = copy.deepcopy(load_parameters()["standards"])
    inds = docs["2022-2025"]["dimensions"][0]["indicators"]
    inds[0], inds[1] = inds[1], inds[0]
    errs = check_standards(docs, {k: f"{k}.yaml" for k in docs})
    assert any("dimensions" in e.message("en") for e in errs)


def test_standard_overrides_and_validation_through_parameters():
    ps = load_parameters()
    ps2 = ps.with_overrides({"standards.2027-2030.income_line.rural.value": 2_300_000})
    assert build_standards(ps2["standards"])[1].line_rural == 2_300_000
    with pytest.raises(SimlibError) as info:
        ps.with_overrides({"standards.2027-2030.income_line.rural.value": -5})
    assert "income_line.rural.value" in info.value.message("en")


def test_targeted_line_overlap_is_rejected():
    with pytest.raises((InputError, InputErrors)) as info:
        load_parameters().with_overrides({"program.lines.P1.1.deprivations": ["drinking_water", "housing_quality"]})
    text = info.value.message("en")
    assert "P5" in text and "P1.1" in text
