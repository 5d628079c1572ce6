"""The certificate in one sentence (the message's technical sentence, the report's annex): the
proven gap on the piecewise model, the model's measured error against the engine, whether the
promise holds, whether the loop converged, the multistart, the local search on the engine (`simlib.allocate.engine_search`)
and the robust objective.
"""

from __future__ import annotations

from simlib import i18n
from simlib.allocate.certify import STOP, Certificate
from simlib.allocate.spec import OptimizeSpec
from simlib.i18n import fmt


def certificate_text(cert: Certificate, spec: OptimizeSpec, lang: str) -> str:
    """The certificate in one sentence: gap, model error, and what they are shares of."""
    key = "alloc.certificate.money" if cert.mode == "mincost" else "alloc.certificate.households"
    text = i18n.t(
        key,
        lang,
        gap=fmt.percent(100 * cert.gap, lang, 2),
        error=fmt.percent(100 * cert.approx_error, lang, 2),
        tests=cert.tests,
        scale=fmt.number(cert.scale, lang, 1 if cert.mode == "mincost" else 0),
    )
    if not cert.certified:
        text += " " + i18n.t("alloc.certificate.not_certified", lang)
    elif not cert.promise_met:
        text += " " + i18n.t("alloc.certificate.error_over", lang)
    if not cert.promise_met and cert.mode != "mincost":  # where the error was measured
        near, far = (fmt.percent(100 * e, lang, 2) for e in (cert.near_error, cert.far_error))
        text += " " + i18n.t("alloc.certificate.error_where", lang, near=near, far=far)
    if not cert.converged:
        text += " " + not_converged_text(cert, lang)
    if cert.method == "multistart":
        text += " " + i18n.t(
            "alloc.certificate.multistart",
            lang,
            starts=len(cert.starts),
            spread=fmt.percent(100 * cert.spread, lang, 2),
        )
    if cert.searched:
        text += " " + searched_text(cert.searched, lang)
    if spec.robust:
        text += " " + i18n.t(f"alloc.certificate.robust_{spec.robust}", lang, draws=spec.draws)
    return text


def not_converged_text(cert: Certificate, lang: str) -> str:
    """The certified loop stopped at its maximum of rounds while its model still saw a better
    allocation (`Certificate.converged`): what the last round gained, what the model still sees,
    and the tolerance below which the loop stops by itself (`certify.STOP`)."""
    money = cert.mode == "mincost"
    digits = 2 if money else 1
    return i18n.t(
        "alloc.certificate.not_converged_money" if money else "alloc.certificate.not_converged",
        lang,
        rounds=fmt.number(cert.max_rounds, lang, 0),
        gain=fmt.number(cert.last_gain, lang, digits),
        ahead=fmt.number(cert.next_gain, lang, digits),
        share=fmt.percent(100 * cert.next_gain / cert.scale, lang, 2),
        tolerance=fmt.percent(100 * STOP, lang, 2),
    )


def searched_text(found: dict, lang: str) -> str:
    """What the local search on the engine found (`engine_search.Searched.as_dict`): by how much
    it improved on the piecewise optimum, what its last round tested, and that this is a
    measurement on the engine, not a proven gap."""
    key = "alloc.certificate.searched" if found["moves"] else "alloc.certificate.searched_none"
    text = i18n.t(
        key,
        lang,
        households=fmt.number(found["start"] - found["value"], lang, 1),
        share=fmt.percent(100 * found["improvement"], lang, 2),
        moves=found["moves"],
        evaluations=found["evaluations"],
    )
    last = "alloc.certificate.searched_more" if found["last_found"] else "alloc.certificate.searched_last"
    text += " " + i18n.t(
        last, lang, tested=found["last_tested"], fraction=fmt.percent(100 * found["last_fraction"], lang, 0)
    )
    text += " " + i18n.t("alloc.certificate.searched_not_proven", lang)
    if found.get("measured"):  # ranked by the engine's one-line marginals (`engine_search.marginal_points`)
        text += " " + i18n.t("alloc.certificate.searched_ranked", lang, measured=found["measured"])
    return text
