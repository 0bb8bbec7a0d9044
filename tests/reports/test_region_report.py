"""The regional PDF report, read back with pypdf: the figures printed are the stored summaries
of the campaign × region (refresh.summaries, what the dashboard shows), formatted by
careapp/numbers.py in the reader's language; groups of fewer than 5 submitted assessments (and
their complement) print no figure; the establishment list is the region's ARS's only.

One test renders the PDFs once (about a second each) and checks everything on them."""

from __future__ import annotations

import io
import re

import pandas as pd
from pypdf import PdfReader

from careapp.db import db
from careapp.numbers import format_number, format_score
from careapp.organisations.models import Region
from careapp.reports import data as report_data
from careapp.reports import render
from careapp.reports.fetcher import SCHEME
from careapp.rollups import indicators, loaders, refresh
from careapp.rollups.suppression import MIN_GROUP
from tests import factories
from tests.reports.data import HOSTILE, flat, pages_text
from tests.reports.test_establishment_report import ASSETS, pdftotext
from tests.world import login, submitted_assessment

CATEGORY_LEVELS = {"CHU": (0, 1, 2, 3, 3), "CHS": (1, 1, 2, 2, 3, 3)}


def _region_world(world) -> None:  # noqa: ANN001
    """Region 53: `own` (CH, GHT-TEST) submitted, 5 CHU and 6 CHS submitted (outside a GHT),
    `same_region` (CH) not started. CH (1) is hidden, CHU (5, the smallest other) with it as
    its complement; CHS shown. GHT-TEST (1) hidden, « Hors GHT » with it."""
    editor = world.users["editor"]
    submitted_assessment(world.campaign, world.own, editor, 2)
    for category, levels in CATEGORY_LEVELS.items():
        for i, level in enumerate(levels):
            peer = factories.establishment("53", category=category, name=f"{category} test {i}")
            editor.establishments.append(peer)
            submitted_assessment(world.campaign, peer, editor, level)


def _row(text: str, label: str) -> str:
    """The flattened text from a group's label to the end of its line."""
    for line in text.splitlines():
        if line.startswith(label):
            return flat(line[len(label):])
    raise AssertionError(f"no row {label!r}")


def test_region_report_figures_suppression_and_copies(app, world, browser, tmp_path) -> None:  # noqa: ANN001, E501
    _region_world(world)
    campaign = world.campaign
    url = f"/region/53/rapport.pdf?campagne={campaign.id}"

    # the ARS of the region: the link on the dashboard, the whole report with the list
    login(browser, world, "ars")
    page = browser.client.get(f"/region/?code=53&campagne={campaign.id}").get_data(as_text=True)
    assert url.replace("&", "&amp;") in page
    response = browser.client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert f"rapport-regional-care-53-{campaign.id}.pdf" in response.headers[
        "Content-Disposition"]
    (tmp_path / "ars.pdf").write_bytes(response.data)  # kept for a look (pdftoppm)
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    pages = pages_text(response.data)
    whole = "\n".join(pages)
    assert re.search(r"page 2 sur \d+", pages[1])
    assert "Bretagne" in pages[1]  # running header from page 2

    # the figures are the stored summaries'
    stored = refresh.summaries(campaign, "53", ("participation", "overall", "socle"))
    p, o = stored["participation"], stored["overall"]
    assert (p["submitted"], p["total"]) == (12, 13)
    assert f"Soumises : {p['submitted']} · brouillons : {p['draft']} · non commencées : " \
           f"{p['not_started']}, sur {p['total']} établissement(s)." in whole.replace("\n", " ")
    assert flat(format_score(o["median"], locale="fr")) in flat(pages[1])
    assert "," in format_score(o["median"], locale="fr") or float(o["median"]).is_integer()

    # groups: CH (1 < 5) hidden, CHU as its complement, CHS shown with its figures
    lines = loaders.establishment_rollups_frame(campaign.id, "53")
    by_category = indicators.overall_distribution(lines, by="category")
    assert int(by_category.loc["CH", "n"]) == 1 < MIN_GROUP
    groups = whole[whole.index("Score global par catégorie et par GHT"):]
    assert _row(groups, "Centre hospitalier ") == "masqué"
    assert _row(groups, "CHU/CHR") == "masqué"
    chs = by_category.loc["CHS"]
    shown = _row(groups, "Centre hospitalier spécialisé (psychiatrie)")
    assert shown == flat(" ".join([format_score(chs[k], locale="fr")
                                   for k in ("median", "q1", "q3")] + [str(int(chs["n"]))]))
    assert _row(groups, "GHT-TEST — GHT de test") == "masqué"
    assert _row(groups, "Hors GHT") == "masqué"
    assert flat("Un groupe de moins de 5 évaluations soumises est masqué") in flat(groups)

    # registers' aggregates: the stored d2, exercises and plans summaries
    more = refresh.summaries(campaign, "53", ("d2", "exercises"))
    d2, exercises = more["d2"], more["exercises"]
    assert flat(f"{int(d2['all_met'])} établissement(s) sur {int(d2['n'])} remplissent "
                "tous leurs critères D2") in flat(whole)
    held, n = int(exercises["within_12_months"]), int(exercises["n"])
    assert flat(f"{held} établissement(s) sur {n}") in flat(whole)
    assert "Évolution : aucune campagne précédente à comparer." in whole

    # the ARS's copy lists the establishments
    for name in ("CH de Rennes test", "CH de Brest test", "CHS test 5"):
        assert flat(name) in flat(whole), name

    # the GRADeS of the region, in English: no establishment list
    login(browser, world, "grades")
    browser.post("/langue", {"lang": "en", "next": "/etablissements/"})
    response = browser.client.get(url)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    english = "\n".join(pages_text(response.data))
    assert "Median overall score" in english and "Crisis exercises" in english
    assert "Score global médian" not in english
    assert flat(format_score(o["median"], locale="en")) in flat(english)
    assert "hidden" in english
    for name in ("CH de Rennes test", "CH de Brest test", "CHS test 5"):
        assert flat(name) not in flat(english), name

    # an ARS of another region: 404, as the page
    login(browser, world, "ars_other")
    assert browser.client.get(url).status_code == 404
    assert browser.client.get("/region/11/rapport.pdf").status_code == 200


def test_suppressed_groups_hide_small_groups_and_their_complement(app) -> None:  # noqa: ANN001
    from careapp.reports.data import suppressed_groups

    rows = [("A", 50.0)] * 6 + [("B", 40.0)] * 5 + [("C", 30.0)] * 2
    lines = pd.DataFrame({"category": [c for c, _ in rows], "status": ["submitted"] * len(rows),
                          "overall": [v for _, v in rows], "submitted_at": [None] * len(rows)},
                         dtype=object)
    groups = {g.label: g for g in suppressed_groups(lines, "category", {})}
    assert groups["C"].hidden and groups["C"].median is None and groups["C"].n is None
    assert groups["B"].hidden and groups["B"].median is None  # the complement
    assert not groups["A"].hidden and groups["A"].median == 50.0 and groups["A"].n == 6


def test_region_command_writes_the_ars_copy(app, world, tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "region.pdf"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["report", "region", "99", "--campaign",
                                 str(world.campaign.id), "-o", str(out)])
    assert result.exit_code == 1 and "Région inconnue" in result.output
    result = runner.invoke(args=["report", "region", "53", "--campaign",
                                 str(world.campaign.id), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = "\n".join(pages_text(out.read_bytes()))
    assert flat("CH de Rennes test") in flat(text) and "Establishments" in text


def _change_cells(payload: dict | None, lang: str) -> str:
    """What a row of the change table prints for a stored `change` payload's group."""
    if not payload or not payload.get("n"):
        return "———" + str(int(payload["n"]) if payload else 0)
    change = payload["median_change"]
    return flat(" ".join([
        format_score(payload["median_previous"], locale=lang),
        format_score(payload["median_current"], locale=lang),
        "—" if change is None else format_number(change, 1, locale=lang, signed=True),
        str(int(payload["n"]))]))


def test_change_since_the_previous_campaign_per_axis(app, world) -> None:  # noqa: ANN001
    """Own, Brest and two peers submitted in 2025 and in 2026 (other levels): one row per axis
    of the stored `change` payload, in each language, formatted as the payload's figures."""
    editor = world.users["editor"]
    last_year = factories.campaign(2025, name="Campagne 2025")
    db.session.commit()
    peers = [factories.establishment("53", name=f"Pair {i}") for i in range(2)]
    editor.establishments.extend(peers)
    for establishment, before, now in ((world.own, 1, 2), (world.same_region, 3, 1),
                                       (peers[0], 0, 2), (peers[1], 2, 2)):
        submitted_assessment(last_year, establishment, editor, before)
        submitted_assessment(world.campaign, establishment, editor, now)
    stored = refresh.summaries(world.campaign, "53", ("change",))["change"]
    assert stored["same_questionnaire"] and stored["previous_name"] == "Campagne 2025"
    assert stored["n"] == 4 and stored["axes"]
    region = db.session.get(Region, "53")
    for lang in ("fr", "en"):
        report = report_data.region_report(world.campaign, region, lang,
                                           with_establishments=False)
        text = "\n".join(pages_text(render.render_region(report).pdf))
        section = text[text.index("Campagne 2025" if lang == "fr" else "Previous campaign"):]
        global_label = "Global" if lang == "fr" else "Overall"
        rows = [(global_label, stored["overall"])] + [
            (axis.title[lang] or axis.title["fr"], stored["axes"].get(str(axis.id)))
            for axis in report.questionnaire.axes]
        for label, payload in rows:
            assert _row(section, label) == _change_cells(payload, lang), label
        signed = [p for _, p in rows if p and p["median_change"]]
        assert signed, "no change to print with its sign"
    assert "Évolution : aucune campagne précédente" not in text


def test_hostile_names_render_literally_and_fetch_nothing(app, world) -> None:  # noqa: ANN001
    """Region, GHT and establishment names holding markup, emoji, right-to-left text and
    control characters: printed as text, and the report asks for its vendored assets only."""
    region = db.session.get(Region, "53")
    original = region.name
    region.name = f"{HOSTILE['img']} {HOSTILE['control']}"
    world.own.ght.name = f"{HOSTILE['link']} {HOSTILE['rtl']}"
    world.own.name = f"{HOSTILE['emoji']} {HOSTILE['img']}"
    world.same_region.name = f"{HOSTILE['rtl']} {HOSTILE['control']}"
    db.session.commit()
    try:
        _hostile_report_checks(world, region)
    finally:  # the regions are reference data, kept between tests (tests/conftest.py)
        db.session.rollback()
        db.session.get(Region, "53").name = original
        db.session.commit()


def _hostile_report_checks(world, region: Region) -> None:  # noqa: ANN001
    submitted_assessment(world.campaign, world.own, world.users["editor"], 2)
    report = report_data.region_report(world.campaign, region, "fr", with_establishments=True)
    rendered = render.render_region(report)
    assert rendered.pdf.startswith(b"%PDF")
    text = pdftotext(rendered.pdf)
    whole = flat(text)
    for literal in (HOSTILE["img"], HOSTILE["link"], HOSTILE["emoji"], HOSTILE["control"]):
        assert flat(literal) in whole, literal
    assert whole.count(flat(HOSTILE["img"])) >= 3  # region (cover), establishment (list)
    for word in HOSTILE["rtl"].split(" — "):  # right-to-left runs, each in reading order
        assert word in text, word
    assert "<img" not in rendered.html.replace("&lt;img", "")  # escaped in the HTML
    assert "<link rel=stylesheet" not in rendered.html
    assert not rendered.fetcher.requested and not rendered.fetcher.refused
    assert set(rendered.style_fetcher.requested) <= ASSETS and not rendered.style_fetcher.refused
    assert all(url.startswith(SCHEME) for url in rendered.style_fetcher.requested)
