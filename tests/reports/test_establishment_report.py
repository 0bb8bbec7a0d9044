"""The establishment's PDF report, read back with pypdf: the figures printed are the ones
results_of / d2 / peers return, formatted by careapp/numbers.py in the report's language.

Each test renders its PDFs once (about a second each) and checks everything on them."""

from __future__ import annotations

import io
import re
import subprocess  # noqa: S404 - poppler's pdftotext, a fixed command
import time

from pypdf import PdfReader

from careapp.assessments import services
from careapp.numbers import format_percent, format_score
from careapp.reports import data as report_data
from careapp.reports import render
from careapp.reports.fetcher import SCHEME
from careapp.resilience.services import registers_of
from careapp.rollups.peers import CATEGORY, REGION, peer_comparison
from tests.reports.data import (
    COMMENT,
    HOSTILE,
    LONG_TEXT,
    MANUAL_ACTION,
    OWNER,
    RETEX_FINDING,
    flat,
    hostile_draft,
    pages_text,
    submitted_with_peers,
)

ASSETS = {SCHEME + name for name in ("report.css", "fonts/DejaVuSans.ttf",
                                     "fonts/DejaVuSans-Bold.ttf", "fonts/DejaVuSans-Oblique.ttf")}
HEADINGS_FR = ("Synthèse", "Score par axe", "Comparaison avec les autres établissements",
               "Préparation aux domaines CaRE", "Exercices de crise",
               "Continuité et reprise (PCA/PRA) par activité critique", "Feuille de route",
               "Comment ces scores sont calculés", "Annexe : toutes les réponses")
HEADINGS_EN = ("Score by axis", "Comparison with other establishments",
               "Readiness for the CaRE domains", "Crisis exercises", "Roadmap",
               "How these scores are calculated")


def pdftotext(pdf: bytes) -> str:
    return subprocess.run(["/usr/bin/pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,  # noqa: S603
                          capture_output=True, check=True).stdout.decode()


def _between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    j = text.find(end, i + len(start))
    return text[i:j if j != -1 else len(text)]


def _check_figures(assessment, pages: list[str], lang: str) -> None:  # noqa: ANN001
    results = services.results_of(assessment)
    summary = flat(pages[1])
    assert flat(format_score(results["overall"], locale=lang)) in summary
    assert flat(format_percent(results["socle"]["rate"], locale=lang)) in summary
    assert flat(format_percent(results["completeness"], locale=lang)) in summary
    for axis in results["axes"].values():
        assert flat(format_score(axis["score"], locale=lang)) in summary


def test_submitted_report_in_french_and_english(world) -> None:  # noqa: ANN001
    assessment, dont_know_id = submitted_with_peers(world)
    report = report_data.establishment_report(assessment, "fr")
    started = time.perf_counter()
    rendered = render.render_establishment(report)
    assert time.perf_counter() - started < 30
    reader = PdfReader(io.BytesIO(rendered.pdf))
    pages = [p.extract_text() or "" for p in reader.pages]
    whole = "\n".join(pages)
    count = len(pages)
    assert 8 <= count <= 40

    # metadata: title, author, language, creation date
    assert reader.metadata.title == f"Rapport CaRE 2026 — {world.own.name}"
    assert "CaRE" in reader.metadata.author
    assert reader.metadata.creation_date is not None
    assert reader.trailer["/Root"]["/Lang"] == "fr"

    # cover, running header, page numbers, headings; a submitted report is no draft
    assert world.own.finess_et in pages[0] and "Bretagne" in pages[0] and "GHT de test" in pages[0]
    assert "care v1.0.0" in pages[0] and "Soumise le" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert f"page {number} sur {count}" in text
        if number > 1:
            assert world.own.name in text and "Campagne 2026" in text
    for heading in HEADINGS_FR:
        assert heading in whole, heading
    assert "PROVISOIRE" not in whole

    # the summary's figures are results_of's (the frozen snapshot), formatted once in French
    _check_figures(assessment, pages, "fr")

    # peers: region 53 has 5 submitted establishments (shown), category CH only this one
    peers = peer_comparison(assessment, list(services.results_of(assessment)["axes"]))
    region, category = peers.groups
    assert (region.kind, region.shown, category.kind, category.shown) == (
        REGION, True, CATEGORY, False)
    shown = flat(_between(whole, "Région Bretagne", "Catégorie"))
    for figures in (region.overall, *region.axes.values()):
        for value in (figures.q1, figures.median, figures.q3):
            assert flat(format_score(value, locale="fr")) in shown
    hidden = _between(whole, "Catégorie Centre hospitalier", "Préparation aux domaines")
    assert "Comparaison masquée" in hidden
    # no table for the hidden group: the region's is the only one (its chart's tick labels
    # are extracted after the text, hence no digit test on the page)
    assert "Médiane" not in hidden and whole.count("Votre score") == 1

    # D2 checklist: the registers' readiness, item by item
    d2 = registers_of(world.own).d2
    assert f"{d2.met} critère(s) atteint(s) sur {d2.total}" in whole
    checklist = flat(whole)
    for item in d2.items:
        assert flat(str(item.label)) in checklist and flat(str(item.evidence)) in checklist
        assert flat(f"{item.label} ({item.ref})") in checklist  # the D2 guide's reference

    # exercises, PCA/PRA, roadmap
    assert RETEX_FINDING in whole and "Urgences" in whole and "Imagerie" in whole
    assert flat(MANUAL_ACTION) in checklist and flat(OWNER) in checklist

    # annex: every answered question, its comment and the "Je ne sais pas"
    annex = whole[whole.index("Annexe : toutes les réponses"):]
    for answer in assessment.answers:
        assert re.search(rf"\b{re.escape(answer.question_id)}\b", annex), answer.question_id
    assert flat(COMMENT) in flat(annex) and "Je ne sais pas" in annex
    assert re.search(rf"{re.escape(dont_know_id)}\s.{{0,400}}Je ne sais pas", annex, re.DOTALL)

    # nothing fetched but the vendored assets
    assert not rendered.fetcher.requested and not rendered.fetcher.refused
    assert set(rendered.style_fetcher.requested) == ASSETS and not rendered.style_fetcher.refused

    # the same report in English
    english = render.render_establishment(report_data.establishment_report(assessment, "en"))
    reader = PdfReader(io.BytesIO(english.pdf))
    pages = [p.extract_text() or "" for p in reader.pages]
    whole = "\n".join(pages)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    for heading in HEADINGS_EN:
        assert heading in whole, heading
    assert "Score par axe" not in whole and "Je ne sais pas" not in whole
    _check_figures(assessment, pages, "en")


def test_hostile_text_renders_literally_and_fetches_nothing(world) -> None:  # noqa: ANN001
    assessment = hostile_draft(world)
    report = report_data.establishment_report(assessment, "fr")
    started = time.perf_counter()
    rendered = render.render_establishment(report)
    assert time.perf_counter() - started < 60  # 100 kB of comment included
    # a draft: the word on every page (pypdf reads the bold font it is set in), and the cover
    # says it
    pages = pages_text(rendered.pdf)
    assert all("PROVISOIRE" in text for text in pages)
    # Glyphs missing from DejaVu (emoji, control characters) make WeasyPrint write the regular
    # font with a custom CMap that pypdf decodes wrongly: poppler's pdftotext reads it right.
    text = pdftotext(rendered.pdf)
    whole = flat(text)
    assert "Brouillon:résultatsprovisoires" in whole
    # the hostile text is printed as text (escaped), in the names, comments, findings, titles
    for literal in (HOSTILE["img"], HOSTILE["link"], HOSTILE["emoji"],
                    HOSTILE["control"]):
        assert flat(literal) in whole, literal
    assert whole.count(flat(HOSTILE["img"])) >= 4  # name (cover), comment, finding, action
    # the 100 kB comment, whole: its sentences (but those cut by a page break) and its end
    # (pdftotext drops the hyphen of "kilo-octets" when the line breaks there)
    sentence = LONG_TEXT[:LONG_TEXT.index(".") + 1]
    unhyphenated = whole.replace("-", "")
    assert unhyphenated.count(flat(sentence).replace("-", "")) >= LONG_TEXT.count(
        sentence) - len(pages)
    assert flat(LONG_TEXT[-40:]).replace("-", "") in unhyphenated
    assert "<img" not in rendered.html.replace("&lt;img", "")  # escaped in the HTML
    for word in HOSTILE["rtl"].split(" — "):  # right-to-left runs, each in reading order
        assert word in text, word
    # the document asked for nothing (its stylesheet, parsed once per process, for the
    # vendored assets only): no file:, no http:, nothing refused
    assert not rendered.fetcher.requested and not rendered.fetcher.refused
    assert set(rendered.style_fetcher.requested) == ASSETS and not rendered.style_fetcher.refused
