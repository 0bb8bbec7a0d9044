"""The reports say which questionnaire version their figures use, and the regional report the
cross-version basis of its change (issue #13): the text read back from the rendered PDF (pypdf,
folded: a sentence may wrap anywhere). Both databases, WeasyPrint."""

from __future__ import annotations

from careapp.db import db
from careapp.numbers import format_number
from careapp.organisations.models import Region
from careapp.reports import data as report_data
from careapp.reports import render
from careapp.rollups import refresh
from tests import factories
from tests.reports.data import flat, pages_text
from tests.rollups.test_cross_version_change import GOV_CHANGE, OVERALL_CHANGE, _v2_assessment
from tests.world import World, submitted_assessment


def _text(pdf: bytes) -> str:
    return flat("\n".join(pages_text(pdf)))


def test_the_establishment_report_states_its_version(app, world: World) -> None:  # noqa: ANN001
    editor = world.users["editor"]
    v1 = submitted_assessment(world.campaign, world.own, editor, level=1)  # 2026, v1.0.0
    v2 = _v2_assessment(factories.campaign(2027, version="2.0.0"), world.own, world, {})
    for assessment, version in ((v1, "1.0.0"), (v2, "2.0.0")):
        pdf = render.render_establishment(report_data.establishment_report(assessment, "fr")).pdf
        text = _text(pdf)
        assert flat(f"questionnaire CaRE version {version}.") in text, version
        other = "2.0.0" if version == "1.0.0" else "1.0.0"
        assert flat(f"questionnaire CaRE version {other}") not in text


def test_the_region_report_states_its_version_and_the_like_for_like_basis(app, world: World
                                                                          ) -> None:  # noqa: ANN001
    """The worked example of tests/rollups/test_cross_version_change.py (own: GOV-01 from
    level 1 to 3, Brest unchanged on the common questions): the 2027 v2.0.0 report states its
    version, the common basis, and the hand-computed medians' change."""
    editor = world.users["editor"]
    editor.establishments.append(world.same_region)
    submitted_assessment(world.campaign, world.own, editor, level=1)
    submitted_assessment(world.campaign, world.same_region, editor, level=1)
    current = factories.campaign(2027, name="Campagne 2027", version="2.0.0")
    db.session.commit()
    _v2_assessment(current, world.own, world, {"GOV-01": 3})
    _v2_assessment(current, world.same_region, world, {})
    region = db.session.get(Region, "53")

    text = _text(render.render_region(report_data.region_report(
        current, region, "fr", with_establishments=True)).pdf)
    assert flat("questionnaire CaRE version 2.0.0.") in text
    assert flat("Comparé sur 68 questions communes (versions 1.0.0 → 2.0.0)") in text
    # the medians of two establishments are means: Global and Gouvernance change by half
    assert flat(format_number(OVERALL_CHANGE / 2, 1, locale="fr", signed=True)) in text
    assert flat(format_number(GOV_CHANGE / 2, 1, locale="fr", signed=True)) in text

    previous = _text(render.render_region(report_data.region_report(
        world.campaign, region, "fr", with_establishments=False)).pdf)
    assert flat("questionnaire CaRE version 1.0.0.") in previous
    assert flat("questions communes") not in previous


def test_the_region_report_says_why_there_is_no_figure_without_a_mapping(app, world: World
                                                                         ) -> None:  # noqa: ANN001
    editor = world.users["editor"]
    earlier = factories.campaign(2025, name="Campagne 2025", version="2.0.0")
    db.session.commit()
    _v2_assessment(earlier, world.own, world, {}, others=1)
    submitted_assessment(world.campaign, world.own, editor, level=2)
    assert refresh.summaries(world.campaign, "53", ("change",))["change"]["n"] == 0
    text = _text(render.render_region(report_data.region_report(
        world.campaign, db.session.get(Region, "53"), "fr", with_establishments=True)).pdf)
    assert flat("sans correspondance vers celle-ci") in text
    assert flat("questionnaire CaRE version 1.0.0.") in text
