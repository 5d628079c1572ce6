"""The bundled baseline at a glance (used by `notebooks/baseline_overview.ipynb`): households by
district, ethnic group, area and state, and what in the dataset is published, estimated or
assumed (read from its `basis` / `*_basis` columns and its list of sources)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.dataset import AREAS, GROUPS, load_dataset
from simlib.i18n import fmt
from simlib.report import bars, html, levels
from simlib.report.assumptions import dataset_description, dataset_estimated_share, dataset_line, dataset_technical
from simlib.report.scenario_report import show, to_html  # noqa: F401 - re-exported for the notebook
from simlib.states import PUBLIC_OF, PUBLIC_STATES

#: provenance classes, from the tags the data files use ([V] published, [S] secondary, ...)
PROVENANCE = ("published", "secondary", "estimated", "assumption", "unstated")


def load(dataset: str | Path):
    """A dataset by name (folder under data/) or path."""
    return load_dataset(str(dataset))


def classify(basis: str) -> str:
    """Provenance class of a basis text: an explicit assumption, an estimate, a secondary
    source ([S]), a published source ([V] or a bare URL), or unstated."""
    b = str(basis or "").strip()
    low = b.lower()
    if not b:
        return "unstated"
    if low.startswith("assumption") or low.startswith("[a]"):
        return "assumption"
    if low.startswith("est") or "estimated" in low[:20]:
        return "estimated"
    if "[s]" in low and "[v]" not in low:
        return "secondary"
    if "[v]" in low or re.match(r"https?://", low):
        return "published"
    return "unstated"


def public_counts(ds) -> np.ndarray:
    """Households (D, groups, areas, 4 public states)."""
    out = np.zeros(ds.counts.shape[:3] + (len(PUBLIC_STATES),))
    for k, p in enumerate(PUBLIC_OF):
        out[..., p] += ds.counts[..., k]
    return out


def _names(ds, lang: str) -> list[str]:
    return list(ds.units[i18n.column("name", lang)])


def overview(ds, lang: str) -> list:
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    pc = public_counts(ds)
    total = pc.sum()
    poor, near = pc[..., 0].sum(), pc[..., 1].sum()
    province = ds.meta.get(i18n.column("province", lang), ds.name)
    desc = dataset_description(ds, lang)
    blocks = [
        f"<h1>{html.esc(t('baseline.title', province=province, year=ds.baseline_year))}</h1>",
        html.para(dataset_line(ds, lang), "sl-sub"),
        html.para(dataset_technical(ds, lang), "sl-small"),
    ]
    if desc:
        blocks.append(html.para(desc))
    blocks.append(
        html.cards(
            [
                (
                    t("indicator.households"),
                    fmt.households(total, lang),
                    t(
                        levels.key("baseline.units", ds.level),
                        n=len(ds.unit_ids),
                        poor=int(ds.poor_district.sum()),
                    ),
                ),
                (t("indicator.poor_rate"), fmt.percent(100 * poor / total, lang), fmt.households(poor, lang)),
                (t("indicator.near_poor_rate"), fmt.percent(100 * near / total, lang), fmt.households(near, lang)),
                (t("state.escaped"), fmt.households(pc[..., 2].sum(), lang), ""),
            ]
        )
    )
    return blocks


def district_frame(ds, lang: str) -> pd.DataFrame:
    """Households by unit and public state, with poor and near-poor rates (numbers)."""
    pc = public_counts(ds).sum(axis=(1, 2))  # (D, 4)
    df = pd.DataFrame(pc, columns=[i18n.label("state", s, lang) for s in PUBLIC_STATES])
    df.insert(0, i18n.t(levels.key("table.district", ds.level), lang), _names(ds, lang))
    tot = pc.sum(axis=1)
    df[i18n.t("indicator.households", lang)] = tot
    df[i18n.t("indicator.poor_rate", lang) + " (%)"] = 100 * pc[:, 0] / tot
    df[i18n.t("indicator.near_poor_rate", lang) + " (%)"] = 100 * pc[:, 1] / tot
    return df


def by_district(ds, lang: str) -> list:
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    pc, level = public_counts(ds).sum(axis=(1, 2)), ds.level
    names = [n + (" ★" if p else "") for n, p in zip(_names(ds, lang), ds.poor_district)]
    segments = [(i18n.label("state", s, lang), pc[:, i]) for i, s in enumerate(PUBLIC_STATES)]
    fig = bars.stacked_barh(
        names, segments, xlabel=t("axis.households"), lang=lang, total_fmt=lambda v: fmt.number(v, lang)
    )
    df = district_frame(ds, lang)
    rows = [
        [r.iloc[0]]
        + [fmt.number(v, lang) for v in r.iloc[1:6]]
        + [fmt.percent(r.iloc[6], lang), fmt.percent(r.iloc[7], lang)]
        for _, r in df.iterrows()
    ]
    return [
        html.heading(t(levels.key("baseline.section.district", level))),
        html.Chart(fig, t(levels.key("baseline.fig.district", level), year=ds.baseline_year)),
        html.table(list(df.columns), rows, numeric=[False] + [True] * 7),
    ]


def by_group(ds, lang: str) -> list:
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    pc = public_counts(ds).sum(axis=0)  # (E, A, 4)
    cats, poor, near, rows = [], [], [], []
    for gi, g in enumerate(GROUPS):
        for ai, a in enumerate(AREAS):
            c = pc[gi, ai]
            tot = c.sum()
            label = f"{i18n.label('group', g, lang)} – {i18n.label('area', a, lang)}"
            cats.append(label)
            poor.append(100 * c[0] / tot if tot else np.nan)
            near.append(100 * c[1] / tot if tot else np.nan)
            rows.append(
                [
                    label,
                    fmt.number(tot, lang),
                    fmt.number(c[0], lang),
                    fmt.percent(poor[-1], lang),
                    fmt.number(c[1], lang),
                    fmt.percent(near[-1], lang),
                ]
            )
    fig = bars.grouped_bars(
        cats,
        [(t("indicator.poor_rate"), poor), (t("indicator.near_poor_rate"), near)],
        ylabel=t("axis.percent"),
        lang=lang,
        value_fmt=lambda v: fmt.percent(v, lang),
    )
    header = [
        t("baseline.group"),
        t("indicator.households"),
        t("indicator.poor"),
        t("indicator.poor_rate"),
        t("indicator.near_poor"),
        t("indicator.near_poor_rate"),
    ]
    return [
        html.heading(t("baseline.section.group")),
        html.Chart(fig, t("baseline.fig.group")),
        html.table(header, rows, numeric=[False, True, True, True, True, True]),
    ]


def provenance_frame(ds) -> pd.DataFrame:
    """For each figure column of the units table that has a `<column>_basis` companion, how
    many units' figures are published, secondary, estimated, assumed or unstated."""
    rows = []
    for col in ds.units.columns:
        if not col.endswith("_basis"):
            continue
        classes = ds.units[col].map(classify)
        rows.append({"figure": col[: -len("_basis")], **{c: int((classes == c).sum()) for c in PROVENANCE}})
    return pd.DataFrame(rows, columns=["figure", *PROVENANCE])


def estimated_share(ds) -> float | None:
    return dataset_estimated_share(ds)


#: figure columns of a units table that carry a `<column>_basis` companion and have a name
FIGURES = ("poor_district", "exit_scheme_district", "communes", "households", "ethnic_minority", "urban")


def figure_name(column: str, lang: str) -> str:
    """A figure column of the units table by name (the column itself when it has none)."""
    return i18n.t(f"baseline.col.{column}", lang) if column in FIGURES else column


def method_text(ds, lang: str) -> str:
    """How the dataset was built, in the page's language: the dataset's `method_<lang>` (or, in
    English, its `method`); a Vietnamese page without `method_vi` says in one sentence that the
    figures are estimated and where the steps are described, rather than show English."""
    own = ds.meta.get(i18n.column("method", lang)) or (ds.meta.get("method") if lang == "en" else None)
    if own:
        return " ".join(str(own).split())
    return i18n.t("baseline.method_estimated", lang) if ds.meta.get("method") else ""


def localized_sources(sources, lang: str) -> list[dict]:
    """A dataset's `sources` with each `title` in the reader's language (`title_vi` on a Vietnamese
    page when the source has one; else its title, else its id)."""
    key = i18n.column("title", lang)
    return [dict(s, title=s.get(key) or s.get("title", s.get("id", ""))) for s in sources or []]


def provenance(ds, lang: str) -> list:
    t = lambda k, **kw: i18n.t(k, lang, **kw)  # noqa: E731
    blocks = [html.heading(t("baseline.section.provenance"))]
    share = estimated_share(ds)
    if share is None:
        blocks.append(html.para(t("baseline.no_flags")))
    else:
        blocks.append(html.para(t("baseline.estimated_share", pct=fmt.percent(100 * share, lang, 0))))
    pf = provenance_frame(ds)
    if len(pf):
        header = [t("baseline.figure")] + [t(f"baseline.prov.{c}") for c in PROVENANCE]
        rows = [[figure_name(r["figure"], lang)] + [str(r[c]) for c in PROVENANCE] for _, r in pf.iterrows()]
        blocks.append(
            html.table(header, rows, numeric=[False] + [True] * len(PROVENANCE), caption=t("baseline.table.provenance"))
        )
    # titles and notes of the sources are written in English in the data files: a Vietnamese page
    # shows a source's `title_vi` / `note_vi` when it has one, else its title and link only
    srcs = html.source_items(
        localized_sources(ds.meta.get("sources"), lang), i18n.column("note", lang) if lang != "en" else "note"
    )
    if srcs:
        blocks.append(html.para(t("report.assumptions.sources")))
        blocks.append(html.bullet_list(srcs, raw=True))
    method = method_text(ds, lang)
    if method:
        blocks.append(html.para(t("baseline.method") + " " + method, "sl-small"))
    readme = Path(ds.path) / "README.md"
    if readme.is_file():
        blocks.append(html.para(t("baseline.readme", path=f"data/{Path(ds.path).name}/README.md"), "sl-small"))
    return blocks
