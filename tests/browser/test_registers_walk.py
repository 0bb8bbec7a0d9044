"""The registers walk in a real browser: exercise → RETEX finding → roadmap action → D2.

Set CAREAPP_SCREENSHOTS=DIR to keep a screenshot of each step (used for the issue's note).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.test_browser_journey import login


def shoot(page, name: str) -> None:  # noqa: ANN001
    folder = os.environ.get("CAREAPP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_exercise_finding_roadmap_and_d2(page, live_site) -> None:  # noqa: ANN001
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of deletions
    login(page, live_site, "rssi@test.fr")
    page.get_by_role("link", name="CH de Rennes test").click()
    page.get_by_role("navigation", name="Pages de l'établissement").get_by_role(
        "link", name="Exercices de crise").click()
    expect(page.get_by_role("alert").first).to_contain_text("Aucun exercice de crise cyber réalisé")

    # 1. A tabletop exercise held 40 days ago, without its RETEX yet.
    page.get_by_role("link", name="Enregistrer un exercice").click()
    page.get_by_label("Réalisé").check()
    held = dt.date.today() - dt.timedelta(days=40)
    page.get_by_label("Date de l'exercice").fill(held.isoformat())
    page.get_by_label("Type d'exercice").select_option(label="Sur table")
    page.get_by_label("Scénario", exact=True).select_option(label="Rançongiciel")
    page.get_by_label("Direction").check()
    page.get_by_label("Système d'information").check()
    page.get_by_label("Durée (heures)").fill("3,5")
    page.get_by_label("Objectifs").fill("Activer la cellule de crise sur un rançongiciel.")
    page.get_by_role("button", name="Enregistrer l'exercice").click()
    expect(page.locator(".flash-success")).to_contain_text("Exercice enregistré")
    expect(page.get_by_label("Durée (heures)")).to_have_value("3,5")  # shown as typed in French

    # A RETEX date in the future is refused, and nothing typed is lost.
    page.get_by_label("Date du RETEX").fill((dt.date.today() + dt.timedelta(days=3)).isoformat())
    page.get_by_label("Synthèse du RETEX").fill("Annuaire de crise obsolète.")
    page.get_by_role("button", name="Enregistrer l'exercice").click()
    expect(page.locator(".error-summary")).to_contain_text("Cette date est dans le futur")
    expect(page.get_by_label("Synthèse du RETEX")).to_have_value("Annuaire de crise obsolète.")
    page.get_by_label("Date du RETEX").fill((held + dt.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Enregistrer l'exercice").click()
    expect(page.locator(".flash-success")).to_contain_text("Exercice enregistré")
    shoot(page, "1-exercice")

    # 2. A finding of the RETEX, sent to the roadmap with one click.
    page.get_by_label("Constat").fill("L'annuaire de crise papier n'est pas à jour.")
    page.get_by_role("button", name="Ajouter le constat").click()
    expect(page.locator("ul.findings")).to_contain_text("L'annuaire de crise papier")
    shoot(page, "2-constat")
    page.get_by_role("button", name="Ajouter à la feuille de route").click()
    expect(page.locator(".flash-success")).to_contain_text("Le constat est dans la feuille de route")

    # 3. The action: an owner and a due date, then the roadmap lists it.
    expect(page.get_by_label("Intitulé")).to_have_value("L'annuaire de crise papier n'est pas à jour.")
    page.get_by_label("Responsable").fill("Cadre de santé de garde")
    page.get_by_label("Échéance").fill((dt.date.today() + dt.timedelta(days=60)).isoformat())
    page.get_by_label("Statut").select_option(label="En cours")
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect(page.locator(".flash-success")).to_contain_text("Action enregistrée")
    row = page.locator("table.roadmap tr", has_text="L'annuaire de crise papier")
    expect(row).to_contain_text("Cadre de santé de garde")
    expect(row).to_contain_text("En cours")
    page.get_by_label("Origine").select_option(label="Exercice")
    page.get_by_role("button", name="Appliquer").click()
    # the RETEX was missing for a while (day 40): that action is now proposed as done
    expect(page.locator("table.roadmap tbody tr")).to_have_count(2)
    retex = page.locator("table.roadmap tr", has_text="Rédiger le RETEX")
    expect(retex).to_contain_text("Écart comblé : proposée comme faite")
    retex.get_by_role("button", name="Marquer comme faite").click()
    expect(page.locator(".flash-success")).to_contain_text("Action marquée comme faite")
    shoot(page, "3-feuille-de-route")

    # 4. Continuity: a PSSI date, an activity with a BIA; the D2 checklist follows.
    page.get_by_role("navigation", name="Pages de l'établissement").get_by_role(
        "link", name="Continuité (PCA/PRA)").click()
    expect(page.locator("#d2-pssi")).to_contain_text("Inconnu")
    page.get_by_label("PSSI : date de la dernière revue signée").fill("2024-03-15")
    page.get_by_label("Organisation projet décrite pour construire et maintenir le plan de "
                      "continuité et de reprise").select_option(label="Oui")
    # one entity: the 66 % rule of multi-entity applications does not apply (D2.O1.c, D2.O1.d)
    page.get_by_label("Candidature pour plusieurs entités", exact=False).select_option(label="Non")
    # D2.O1.c « s'ils existent »: no pharmacy, imaging or biology of its own
    page.get_by_label("Plateforme médico-technique (pharmacie, imagerie, biologie)").check()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator("#d2-pssi")).to_contain_text("Atteint")
    expect(page.locator("#d2-pssi")).to_contain_text("PSSI révisée le 15/03/2024")
    expect(page.locator("#d2-project_lead")).to_contain_text("sans responsable nommé")
    page.get_by_role("link", name="Ajouter une activité critique").click()
    page.get_by_label("Type d'activité").select_option(label="Service de soins")
    page.get_by_label("Nom").fill("Urgences adultes")
    page.get_by_label("Analyse d'impact (BIA) réalisée").check()
    page.get_by_label("Statut du PCA").select_option(label="Testé")
    page.get_by_role("button", name="Enregistrer l'activité").click()
    expect(page.locator(".error-summary")).to_contain_text("Un plan « testé » demande la date")
    tested = dt.date.today() - dt.timedelta(days=90)
    page.get_by_label("Dernier test terrain : date").fill(tested.isoformat())
    page.get_by_label("Dernier test terrain : résultat").select_option(label="Réussi")
    page.get_by_role("button", name="Enregistrer l'activité").click()
    expect(page.locator("#d2-field_test")).to_contain_text("Atteint")
    # the platform was declared absent: only the administrative process is missing
    expect(page.locator("#d2-bia_coverage")).to_contain_text(
        "BIA manquant pour : le processus administratif le plus critique.")
    shoot(page, "4-d2")

    # The establishment page shows the checklist too.
    page.get_by_role("navigation", name="Pages de l'établissement").get_by_role(
        "link", name="Auto-évaluations").click()
    expect(page.locator("#d2-pssi")).to_contain_text("Atteint")
    assert errors == []
