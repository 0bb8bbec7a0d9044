"""The RSSI and ARS journeys in a real browser (Debian's Chromium through Playwright)."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from tests.factories import PASSWORD, TOTP_SECRET


def login(page, site, email: str) -> None:  # noqa: ANN001
    page.goto(f"{site.url}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if "/connexion/code" in page.url:  # the second factor of regional and national accounts
        page.get_by_label("Code à 6 chiffres (ou code de secours)").fill(pyotp.TOTP(TOTP_SECRET).now())
        page.get_by_role("button", name="Valider").click()


def open_section(page, site, section_id: str) -> None:  # noqa: ANN001
    """As the RSSI, open (starting it if needed) the assessment and go to a section."""
    login(page, site, "rssi@test.fr")
    page.get_by_role("link", name="CH de Rennes test").click()
    start = page.get_by_role("button", name="Commencer l'auto-évaluation")
    if start.count():
        start.click()
    else:
        page.get_by_role("link", name="Continuer la saisie").click()
    page.goto(page.url.rstrip("/") + f"/sections/{section_id}")


def test_rssi_fills_saves_with_an_error_and_reads_results(page, live_site) -> None:  # noqa: ANN001
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_site, "rssi@test.fr")
    page.get_by_role("link", name="CH de Rennes test").click()
    page.get_by_role("button", name="Commencer l'auto-évaluation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Auto-évaluation CaRE 2026")

    page.get_by_role("link", name="Aller à la prochaine question sans réponse").click()
    first = page.locator("fieldset.question").first
    first.locator("input[type=radio]").last.check()
    first.get_by_text("Commentaire").click()
    first.locator("textarea").last.fill("Validé en comité de direction.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("Section enregistrée")
    expect(first.locator("input[type=radio]").last).to_be_checked()

    # A section with a number: type something wrong, it is kept and flagged.
    page.goto(page.url.split("/sections/")[0] + "/sections/RES-ORG")
    number = page.locator("input[inputmode=decimal]").first
    number.fill("beaucoup")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".error-summary")).to_contain_text("Saisissez un nombre")
    expect(page.locator("input[inputmode=decimal]").first).to_have_value("beaucoup")

    page.goto(page.url.split("/sections/")[0] + "/resultats")
    expect(page.get_by_role("heading", name="Score global")).to_be_visible()
    expect(page.locator(".chart-box svg")).to_be_visible()
    expect(page.get_by_text("Résultats provisoires")).to_be_visible()
    assert errors == []


def test_ars_sees_the_region_only(page, live_site) -> None:  # noqa: ANN001
    login(page, live_site, "ars53@test.fr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vue régionale — Bretagne")
    expect(page.get_by_role("link", name="CH de Rennes test").first).to_be_visible()
    expect(page.get_by_text("Hôpital parisien test")).to_have_count(0)
    # the registers' read-only summary (columns of the dashboard's table), for the region's ARS only
    expect(page.get_by_role("columnheader",
                            name="Exercices de crise, préparation D2 et feuilles de route")
           ).to_be_visible()


def test_conditional_question_follows_the_answer_it_depends_on(page, live_site) -> None:  # noqa: ANN001
    open_section(page, live_site, "OPS-AD")
    follow_up = page.locator("#q-OPS-02")
    audit = page.locator("#q-OPS-01")
    audit.locator("input[value=none]").check()
    expect(follow_up).to_have_class(re.compile(r"\bhidden-question\b"))
    expect(follow_up.locator(".out-of-scope")).to_be_visible()
    audit.locator("input[value=done]").check()
    expect(follow_up).not_to_have_class(re.compile(r"\bhidden-question\b"))
    expect(follow_up.locator(".out-of-scope")).to_be_hidden()


def test_leaving_a_section_with_unsaved_entries_asks_first(page, live_site) -> None:  # noqa: ANN001
    open_section(page, live_site, "OPS-AD")
    asked: list[str] = []

    def on_dialog(dialog) -> None:  # noqa: ANN001
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", on_dialog)
    page.locator("#q-OPS-01 input[value=done]").check()
    page.get_by_role("link", name="Retour à la vue d'ensemble").click()
    assert asked == ["beforeunload"]
    assert "/sections/OPS-AD" in page.url
