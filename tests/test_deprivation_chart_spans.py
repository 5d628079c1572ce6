"""The deprivation charts keep a readable span when there is little to show: a heat map with no
unit compared is left blank (no image of no rows, whose axes matplotlib warns have identical
limits), a colour scale of no change spans ±1 point, and the FGT chart's axis is whole years with
half a year either side of a single year. Warnings are errors here."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest

from simlib.report.deprivation_charts import plot_district_changes, plot_fgt


def deprivation_rows(standards: dict[int, str], geos=(("province", "province"),)) -> pd.DataFrame:
    """Poor + near-poor households of each area: one indicator per dimension (education 40 % of
    the households the first year, 39 % the next; housing 20 %, 18 %), one draw."""
    rows = []
    for k, (year, std) in enumerate(sorted(standards.items())):
        for geo_type, geo in geos:
            for dim, ind, share in (
                ("education", "adult_education", 40.0 - k),
                ("housing", "housing_area", 20.0 - 2 * k),
            ):
                for indicator in (ind, "any"):
                    rows.append(
                        dict(
                            scenario="s", engine="expected", draw=0, year=year, standard=std, geo_type=geo_type,
                            geo=geo, population="poor_near_poor", dimension=dim, indicator=indicator,
                            households=1000.0, deprived=10 * share, share=share,
                        )
                    )  # fmt: skip
    return pd.DataFrame(rows)


DISTRICTS = (("province", "province"), ("district", "d1"), ("district", "d2"))


def drawn(fig) -> None:
    fig.savefig(io.BytesIO(), format="png")


def test_a_heat_map_with_no_unit_compared_is_blank_without_a_warning():
    dep = deprivation_rows({2024: "2022-2025", 2025: "2022-2025"})  # one projected year, one standard, no units
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_district_changes(dep, lang="vi")
        drawn(fig)
    assert len(fig.axes) == 1 and not fig.axes[0].images and not fig.axes[0].axison


def test_no_change_is_the_middle_of_a_one_point_scale():
    # 2027 reviews under a new standard: the comparison is 2026 with itself, every change 0
    dep = deprivation_rows({2026: "2022-2025", 2027: "2027-2030"}, DISTRICTS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_district_changes(dep, lang="vi")
        drawn(fig)
    assert fig.axes[0].images[0].get_clim() == (-1.0, 1.0)
    # a change larger than a point keeps its own scale: housing 20 % → 18 %, −2 points
    fig = plot_district_changes(deprivation_rows({2024: "2022-2025", 2025: "2022-2025"}, DISTRICTS), lang="vi")
    assert fig.axes[0].images[0].get_clim() == (-2.0, 2.0)


def fgt_rows(years) -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(geo="province", indicator=name, year=y, draw=0, value=v - k)
            for k, y in enumerate(years)
            for name, v in (("poverty_gap_index", 11.5), ("poverty_severity_index", 4.2))
        ]
    )


@pytest.mark.parametrize(("years", "xlim"), [((2023, 2024), (2022.75, 2024.25)), ((2024,), (2023.5, 2024.5))])
def test_the_fgt_axis_is_whole_years(years, xlim):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_fgt(fgt_rows(years), lang="vi")
        drawn(fig)
    ax = fig.axes[0]
    assert ax.get_xlim() == xlim
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(y) for y in years]
