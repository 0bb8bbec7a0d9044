"""The RSSI's roadmap journeys through the test client, on both databases: generated from the
gaps of a submitted assessment, completed by hand, edited, merged again after a new
assessment without losing what people wrote, filtered and sorted."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlalchemy import select

from careapp.assessments import services as assessments
from careapp.assessments.models import Assessment, AssessmentStatus, Campaign
from careapp.audit.models import AuditEvent
from careapp.db import db
from careapp.roadmap.generate import FUNDING_DOMAINS
from careapp.roadmap.models import ActionStatus, Origin, Priority, RoadmapAction
from tests import factories
from tests.formpage import SAVED_MEANWHILE, day, field_errors, revision_in, text
from tests.world import World, answer_input, fill_all, login

STALE_MESSAGE = "Quelqu'un a modifié cette action pendant que vous la remplissiez"
GAP_CLOSED = "Écart comblé : proposée comme faite"














def rows(page: str) -> dict[str, str]:
    """Title of each listed action → its table row, in the order shown."""
    found = re.findall(r'(<tr id="action-\d+".*?</tr>)', page, re.S)
    return {re.search(r'<a href="[^"]+">([^<]+)</a>', row).group(1): row for row in found}


def titles(page: str) -> list[str]:
    return list(rows(page))


def card(page: str, heading: str) -> str:
    match = re.search(rf"<h2>{re.escape(heading)}</h2>\s*<p class=\"big\">(\d+)</p>", page)
    assert match, f"no card {heading}"
    return match.group(1)


def roadmap(world: World) -> str:
    return f"/etablissements/{world.own.id}/feuille-de-route"


def action(key: str) -> RoadmapAction:
    return db.session.scalars(select(RoadmapAction).filter_by(key=key)).one()


def assess(world: World, campaign: Campaign, levels: dict[str, int], default: int = 2
           ) -> Assessment:
    """An assessment answered at `default`, some questions at other levels, then submitted."""
    editor = world.users["editor"]
    assessment = assessments.start_assessment(campaign, world.own, editor)
    questionnaire = assessments.questionnaire_of_campaign(campaign)
    for section in questionnaire.sections:
        assessments.save_section(assessment, section, {
            q.id: answer_input(q, levels.get(q.id, default)) for q in section.questions}, editor)
    assessments.submit(assessment, editor)
    db.session.commit()
    return assessment


def action_data(**changes: Any) -> dict[str, Any]:
    data = {"title": "Mettre en place un coffre-fort de mots de passe", "priority": "P2",
            "owner": "", "due_on": "", "status": "todo", "abandon_reason": "", "comment": ""}
    data.update(changes)
    return data


def create_manual(browser, world: World, **changes: Any) -> RoadmapAction:  # noqa: ANN001
    url = f"{roadmap(world)}/nouvelle"
    data = action_data(**{"axis_id": "", "domain": "", **changes})
    response = browser.post(url, data, page=url)
    assert response.status_code == 302, text(response)
    assert response.headers["Location"].endswith(f"{roadmap(world)}?tri=recent")
    return db.session.scalars(select(RoadmapAction).filter_by(title=data["title"])).one()


def done_form(row: str) -> tuple[str, dict[str, str]]:
    """The "Marquer comme faite" button of a listed action: its URL and hidden fields."""
    form = re.search(r'<form method="post" action="([^"]+/fait)".*?</form>', row, re.S)
    assert form, "no « Marquer comme faite » button"
    return form.group(1), dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(0)))


def textarea(page: str, name: str) -> str:
    return re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', page,
                     re.S).group(1)


def edit(browser, world: World, item: RoadmapAction, **changes: Any):  # noqa: ANN001, ANN201
    """Open the action's page and post it with `changes` over what the page shows."""
    url = f"{roadmap(world)}/{item.id}"
    raw = browser.client.get(url).get_data(as_text=True)
    page = html.unescape(raw)
    shown = {
        # what a browser sends back untouched: the values the page was opened with
        "opened": html.unescape(re.search(r'name="opened"[^>]*value="([^"]*)"', raw).group(1)),
        "title": re.search(r'name="title"[^>]*value="([^"]*)"', page).group(1),
        "priority": re.search(r'name="priority".*?<option selected value="(\w+)"', page,
                              re.S).group(1),
        "status": re.search(r'name="status".*?<option selected value="(\w+)"', page,
                            re.S).group(1),
        "owner": re.search(r'name="owner"[^>]*value="([^"]*)"', page).group(1),
        "due_on": re.search(r'name="due_on"[^>]*value="([^"]*)"', page).group(1),
        "abandon_reason": textarea(page, "abandon_reason"), "comment": textarea(page, "comment"),
        "revision": revision_in(page),
    }
    return browser.post(url, {**shown, **changes}, page=url)


# -- generation from a submitted assessment ---------------------------------------------------

def test_submitting_an_assessment_generates_the_roadmap(world, editor) -> None:  # noqa: ANN001
    page = f"/etablissements/{world.own.id}"
    assert editor.post(f"{page}/campagnes/{world.campaign.id}/evaluation",
                       page=page).status_code == 302
    assessment = db.session.scalars(select(Assessment)).one()
    questionnaire = assessments.questionnaire_of_campaign(world.campaign)
    assert "La feuille de route est vide" in text(editor.client.get(roadmap(world)))
    fill_all(editor, assessment.id, questionnaire, level=1)
    submit = f"/evaluations/{assessment.id}/soumettre"
    assert editor.post(submit, page=submit).status_code == 302
    assert db.session.get(Assessment, assessment.id).status is AssessmentStatus.SUBMITTED

    # assessments.services.submit regenerates the roadmap: no button to press
    generated = {a.key: a for a in db.session.scalars(
        select(RoadmapAction).where(RoadmapAction.key.startswith("question:")))}
    socle = {q.id for q in questionnaire.questions if q.socle}
    socle_actions = [a for a in generated.values() if a.origin_ref in socle]
    assert len(socle_actions) >= 10
    # every answer at level 1: a weight-3 Socle Cyber question of a funding domain one level
    # short is P1 (3 × 1 × 2 × 1.5 = 9); outside the socle and the funding domains, never P1
    funded = {q.id for q in questionnaire.questions if q.socle and q.weight == 3
              and set(q.domains) & FUNDING_DOMAINS}
    assert len(funded) >= 8
    assert {a.priority for a in socle_actions if a.origin_ref in funded} == {Priority.P1}
    assert all(a.priority is not Priority.P1 for a in generated.values()
               if a.origin_ref not in socle and not set(
                   questionnaire.question(a.origin_ref).domains) & FUNDING_DOMAINS)
    gov01 = generated["question:GOV-01"]  # socle, no funding domain: 3 × 1 × 1.5 = 4.5
    assert (gov01.origin, gov01.status, gov01.suggested_priority) == (
        Origin.QUESTION, ActionStatus.TODO, Priority.P2)
    assert gov01.display_detail("fr") == "GOV-01 : niveau 1, cible 2 (Socle Cyber)."
    assert [e.details["added"] for e in db.session.scalars(
        select(AuditEvent).filter_by(action="roadmap.regenerate"))] == [
        len(db.session.scalars(select(RoadmapAction)).all())]

    listing = text(editor.client.get(roadmap(world)))
    row = rows(listing)[gov01.display_title("fr")]
    assert '<span class="badge badge-p2">P2</span>' in row and "Question GOV-01" in row
    first = titles(listing)[0]  # sorted by priority: a P1 first
    assert '<span class="badge badge-p1">P1</span>' in rows(listing)[first]

    count = len(db.session.scalars(select(RoadmapAction)).all())
    response = editor.post(f"{roadmap(world)}/mise-a-jour", page=roadmap(world))
    assert response.status_code == 302
    assert "La feuille de route était déjà à jour." in text(editor.client.get(roadmap(world)))
    assert len(db.session.scalars(select(RoadmapAction)).all()) == count


def test_the_update_button_adds_the_register_gaps(world, editor) -> None:  # noqa: ANN001
    assert db.session.scalars(select(RoadmapAction)).all() == []
    response = editor.post(f"{roadmap(world)}/mise-a-jour", page=roadmap(world))
    assert response.status_code == 302
    page = text(editor.client.get(roadmap(world)))
    added = len(db.session.scalars(select(RoadmapAction)).all())
    assert f"Feuille de route mise à jour : {added} action(s) ajoutée(s)" in page
    assert action("exercise:yearly").priority is Priority.P1
    assert "Réaliser l'exercice de crise cyber annuel (kits ANS)" in page
    assert not any(a.key.startswith("question:") for a in db.session.scalars(
        select(RoadmapAction)))  # no submitted assessment, no question gap


# -- manual actions ---------------------------------------------------------------------------

def test_manual_action_create_edit_delete(world, editor) -> None:  # noqa: ANN001
    url = f"{roadmap(world)}/nouvelle"
    refused = editor.post(url, action_data(title="  ", axis_id="", domain=""), page=url)
    assert refused.status_code == 400
    assert "Donnez un intitulé à l'action." in field_errors(text(refused))
    assert db.session.scalars(select(RoadmapAction)).all() == []

    created = create_manual(editor, world, priority="P1", owner="DSI",
                            due_on=day(30).strftime("%d/%m/%Y"), axis_id="OPS", domain="D4",
                            comment="Budget CaRE")
    assert (created.origin, created.priority, created.owner, created.due_on, created.axis_id,
            created.domain, created.comment, created.status) == (
        Origin.MANUAL, Priority.P1, "DSI", day(30), "OPS", "D4", "Budget CaRE",
        ActionStatus.TODO)
    assert created.key.startswith("manual:")
    page = text(editor.client.get(f"{roadmap(world)}?tri=recent"))
    assert "Action ajoutée à la feuille de route." in page
    row = rows(page)["Mettre en place un coffre-fort de mots de passe"]
    assert "Manuelle" in row and "DSI" in row and day(30).strftime("%d/%m/%Y") in row

    response = edit(editor, world, created, title="Coffre-fort de mots de passe pour la DSI",
                    status="in_progress", owner="RSSI", comment="Devis reçu")
    assert response.status_code == 302, text(response)
    db.session.expire_all()
    saved = db.session.get(RoadmapAction, created.id)
    assert (saved.title, saved.status, saved.owner, saved.comment, saved.priority) == (
        "Coffre-fort de mots de passe pour la DSI", ActionStatus.IN_PROGRESS, "RSSI",
        "Devis reçu", Priority.P1)
    assert saved.axis_id == "OPS"  # the edit page has no axis: it stays
    assert saved.updated_by_id == world.users["editor"].id
    (update,) = db.session.scalars(select(AuditEvent).filter_by(action="roadmap.update"))
    assert update.details["changes"]["owner"] == ["DSI", "RSSI"]
    assert update.details["changes"]["status"] == ["todo", "in_progress"]

    created_id = created.id
    edit_page = text(editor.client.get(f"{roadmap(world)}/{created_id}"))
    delete_url = f"{roadmap(world)}/{created_id}/suppression"
    form = re.search(rf'<form method="post" action="{delete_url}"[^>]*>', edit_page)
    assert form and 'data-confirm="Supprimer définitivement cette action ?"' in form.group(0)
    response = editor.post(delete_url, page=f"{roadmap(world)}/{created_id}")
    assert response.status_code == 302
    assert db.session.get(RoadmapAction, created_id) is None
    page = text(editor.client.get(roadmap(world)))
    assert "Action supprimée." in page and "Coffre-fort" not in page
    (deleted,) = db.session.scalars(select(AuditEvent).filter_by(action="roadmap.delete"))
    assert deleted.details["before"]["title"] == "Coffre-fort de mots de passe pour la DSI"


def test_a_generated_action_cannot_be_deleted(world, editor) -> None:  # noqa: ANN001
    editor.post(f"{roadmap(world)}/mise-a-jour", page=roadmap(world))
    yearly = action("exercise:yearly")
    edit_page = text(editor.client.get(f"{roadmap(world)}/{yearly.id}"))
    assert "Supprimer cette action" not in edit_page  # no button offered
    response = editor.post(f"{roadmap(world)}/{yearly.id}/suppression", page=roadmap(world),
                           follow_redirects=True)
    assert response.status_code == 200
    assert ("Une action proposée à partir d'un écart ne se supprime pas (elle reviendrait) : "
            "marquez-la « abandonnée » avec la raison.") in text(response)
    assert db.session.get(RoadmapAction, yearly.id) is not None
    assert db.session.scalars(select(AuditEvent).filter_by(action="roadmap.delete")).all() == []


@pytest.fixture
def listed(world, editor):  # noqa: ANN001, ANN201
    """Four manual actions next to the generated ones (register gaps)."""
    editor.post(f"{roadmap(world)}/mise-a-jour", page=roadmap(world))
    create_manual(editor, world, title="Acheter un coffre", priority="P1", axis_id="GOV",
                  due_on=day(10).isoformat())
    create_manual(editor, world, title="Former les soignants", priority="P2", axis_id="SEN",
                  status="in_progress", due_on=day(-5).isoformat())
    create_manual(editor, world, title="Changer les mots de passe", priority="P3",
                  axis_id="OPS", status="done", due_on=day(-20).isoformat())
    create_manual(editor, world, title="Cartographier le SI", priority="P2")
    return editor


MANUAL = {"Acheter un coffre", "Former les soignants", "Changer les mots de passe",
          "Cartographier le SI"}


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("statut=in_progress", {"Former les soignants"}, id="status"),
    pytest.param("statut=done", {"Changer les mots de passe"}, id="done"),
    pytest.param("statut=open", {"Acheter un coffre", "Former les soignants",
                                 "Cartographier le SI"}, id="open"),
    pytest.param("priorite=P3&origine=manual", {"Changer les mots de passe"}, id="priority"),
    pytest.param("origine=manual", MANUAL, id="origin"),
    pytest.param("axe=SEN", {"Former les soignants"}, id="axis"),
    pytest.param("en_retard=1", {"Former les soignants"}, id="overdue"),
    pytest.param("axe=NOPE&origine=manual", MANUAL, id="unknown-axis-ignored"),
])
def test_filters(world, listed, query, expected) -> None:  # noqa: ANN001
    response = listed.client.get(f"{roadmap(world)}?{query}")
    assert response.status_code == 200
    page = text(response)
    shown = set(titles(page))
    assert shown & MANUAL == expected
    if "origine=manual" in query or "axe=SEN" in query or "en_retard" in query:
        assert shown == expected
    assert "Tout afficher" in page  # a filtered view offers the way back


def test_filter_by_origin_and_priority_of_generated_actions(world, listed) -> None:  # noqa: ANN001
    page = text(listed.client.get(f"{roadmap(world)}?origine=exercise"))
    assert titles(page) == ["Réaliser l'exercice de crise cyber annuel (kits ANS)"]
    page = text(listed.client.get(f"{roadmap(world)}?priorite=P1"))
    assert set(titles(page)) == {"Acheter un coffre",
                                 "Réaliser l'exercice de crise cyber annuel (kits ANS)"}
    page = text(listed.client.get(f"{roadmap(world)}?origine=continuity&axe=GOV"))
    assert titles(page) and all(t.startswith("Renseigner et vérifier") for t in titles(page))
    assert "Aucune action ne correspond à ces filtres." in text(
        listed.client.get(f"{roadmap(world)}?origine=manual&statut=abandoned"))


def test_sort_by_due_date(world, listed) -> None:  # noqa: ANN001
    page = text(listed.client.get(f"{roadmap(world)}?origine=manual&tri=due"))
    assert titles(page) == ["Changer les mots de passe", "Former les soignants",
                            "Acheter un coffre", "Cartographier le SI"]  # no date last
    assert "4 actions" in page
    by_priority = text(listed.client.get(f"{roadmap(world)}?origine=manual"))
    assert titles(by_priority) == ["Acheter un coffre", "Former les soignants",
                                   "Cartographier le SI", "Changer les mots de passe"]


def test_overdue_flag_and_count(world, listed) -> None:  # noqa: ANN001
    page = text(listed.client.get(roadmap(world)))
    listed_rows = rows(page)
    late = listed_rows["Former les soignants"]
    assert 'class="overdue"' in late and '<span class="badge badge-error">en retard</span>' in late
    done = listed_rows["Changer les mots de passe"]  # past due date, but done
    assert "en retard" not in done and 'class="overdue"' not in done
    assert "en retard" not in listed_rows["Acheter un coffre"]
    assert card(page, "En retard") == "1"
    assert "Voir les actions en retard" in page
    # once done, it is no longer late
    former = db.session.scalars(select(RoadmapAction).filter_by(
        title="Former les soignants")).one()
    assert edit(listed, world, former, status="done").status_code == 302
    page = text(listed.client.get(roadmap(world)))
    assert card(page, "En retard") == "0" and "Voir les actions en retard" not in page
    assert "en retard</span>" not in page


# -- edits survive a new assessment -----------------------------------------------------------

def test_edits_survive_a_new_assessment_and_closed_gaps_are_proposed_as_done(
        world, editor) -> None:  # noqa: ANN001
    # GOV-02, GOV-04 and GOV-06 (weight 2, not socle) answered "none": gap 2 → P2
    assess(world, world.campaign, {"GOV-02": 0, "GOV-04": 0, "GOV-06": 0})
    gov02, gov04, gov06 = (action(f"question:GOV-0{n}") for n in (2, 4, 6))
    assert {gov02.priority, gov04.priority, gov06.priority} == {Priority.P2}
    due = day(90)
    response = edit(editor, world, gov02, title="Objectifs cyber dans le CPOM 2027",
                    owner="Directrice des soins", due_on=due.strftime("%d/%m/%Y"),
                    status="in_progress", comment="Vu en COMEX")
    assert response.status_code == 302, text(response)
    assert edit(editor, world, gov06, priority="P1").status_code == 302  # priority chosen
    db.session.expire_all()
    assert action("question:GOV-02").title == "Objectifs cyber dans le CPOM 2027"
    assert action("question:GOV-06").title is None  # title untouched: still the suggestion

    # next year's assessment: GOV-02 improved (gap 1), GOV-04 and GOV-06's gap closed or less
    world.campaign.status = world.campaign.status.CLOSED
    next_campaign = factories.campaign(world.campaign.year + 1)
    db.session.commit()
    assess(world, next_campaign, {"GOV-02": 1, "GOV-06": 1})
    db.session.expire_all()

    gov02 = action("question:GOV-02")
    assert (gov02.title, gov02.owner, gov02.due_on, gov02.status, gov02.comment) == (
        "Objectifs cyber dans le CPOM 2027", "Directrice des soins", due,
        ActionStatus.IN_PROGRESS, "Vu en COMEX")
    assert gov02.suggested_priority is Priority.P3  # gap 1 × weight 2 = rank 2
    assert gov02.priority is Priority.P3  # nobody chose it: it follows
    assert gov02.display_detail("fr") == "GOV-02 : niveau 1, cible 2."
    assert not gov02.gap_closed
    gov06 = action("question:GOV-06")
    # GOV-06 (D2, weight 2) one level short: 2 × 1 × 2 = 4 → P2; the P1 people chose stays
    assert (gov06.suggested_priority, gov06.priority) == (Priority.P2, Priority.P1)
    gov04 = action("question:GOV-04")
    assert gov04.gap_closed and gov04.status is ActionStatus.TODO

    page = text(editor.client.get(roadmap(world)))
    row = rows(page)["Objectifs cyber dans le CPOM 2027"]
    assert "Directrice des soins" in row and due.strftime("%d/%m/%Y") in row and "En cours" in row
    assert GAP_CLOSED not in row
    closed_title = gov04.display_title("fr")
    closed_row = rows(page)[closed_title]
    assert GAP_CLOSED in closed_row and "Marquer comme faite" in closed_row
    assert card(page, "Écart comblé, à confirmer") == "1"
    edit_page = text(editor.client.get(f"{roadmap(world)}/{gov04.id}"))
    assert "comblé à la dernière mise à jour : proposée comme faite" in edit_page

    # "Marquer comme faite", from a filtered view: back to the same view
    filtered = text(editor.client.get(f"{roadmap(world)}?origine=question&tri=due"))
    form, fields = done_form(rows(filtered)[closed_title])
    response = editor.client.post(form, data=fields)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{roadmap(world)}?origine=question&tri=due")
    db.session.expire_all()
    assert action("question:GOV-04").status is ActionStatus.DONE
    page = text(editor.client.get(response.headers["Location"]))
    assert "Action marquée comme faite." in page
    assert GAP_CLOSED not in page and card(page, "Écart comblé, à confirmer") == "0"
    assert "Fait" in rows(page)[closed_title]

    # a new update changes nothing that people wrote
    editor.post(f"{roadmap(world)}/mise-a-jour", page=roadmap(world))
    db.session.expire_all()
    assert action("question:GOV-02").owner == "Directrice des soins"
    assert action("question:GOV-04").status is ActionStatus.DONE


def test_abandoning_needs_a_reason(world, editor) -> None:  # noqa: ANN001
    assess(world, world.campaign, {"GOV-02": 0})
    gov02 = action("question:GOV-02")
    revision = gov02.revision
    refused = edit(editor, world, gov02, status="abandoned")
    assert refused.status_code == 400
    assert "Une action abandonnée demande la raison de l'abandon." in field_errors(text(refused))
    db.session.expire_all()
    kept = action("question:GOV-02")
    assert (kept.status, kept.revision) == (ActionStatus.TODO, revision)

    response = edit(editor, world, gov02, status="abandoned",
                    abandon_reason="Porté par le GHT, hors de notre périmètre")
    assert response.status_code == 302
    db.session.expire_all()
    abandoned = action("question:GOV-02")
    assert abandoned.status is ActionStatus.ABANDONED
    assert abandoned.abandon_reason == "Porté par le GHT, hors de notre périmètre"
    row = rows(text(editor.client.get(roadmap(world))))[abandoned.display_title("fr")]
    assert "Abandonné" in row and "Porté par le GHT, hors de notre périmètre" in row
    # reopened: the reason goes
    assert edit(editor, world, abandoned, status="todo").status_code == 302
    db.session.expire_all()
    assert action("question:GOV-02").abandon_reason == ""


# -- stale edits ------------------------------------------------------------------------------

def test_stale_action_edit_is_refused_and_loses_nothing(world, editor) -> None:  # noqa: ANN001
    item = create_manual(editor, world, owner="DSI", comment="Premier jet")
    url = f"{roadmap(world)}/{item.id}"
    old_revision = revision_in(text(editor.client.get(url)))  # B opens the page
    assert edit(editor, world, item, owner="Mme Martin").status_code == 302  # A saves
    db.session.expire_all()
    revision_a = db.session.get(RoadmapAction, item.id).revision
    assert revision_a == int(old_revision) + 1

    response = editor.post(url, action_data(owner="M. Bernard", comment="Version de B",
                                            revision=old_revision), page=url)
    assert response.status_code == 409
    page = text(response)
    assert STALE_MESSAGE in page and "rien n'a été enregistré" in page
    assert 'value="M. Bernard"' in page  # what B typed is kept
    assert "\nVersion de B</textarea>" in page
    assert f"{SAVED_MEANWHILE} <strong>Mme Martin</strong>" in page
    assert f"{SAVED_MEANWHILE} <strong>Premier jet</strong>" in page
    assert revision_in(page) == str(revision_a)
    db.session.expire_all()
    saved = db.session.get(RoadmapAction, item.id)
    assert (saved.owner, saved.comment, saved.revision) == ("Mme Martin", "Premier jet",
                                                            revision_a)

    # saving again from the page shown: now it goes through, knowingly
    again = editor.post(url, action_data(owner="M. Bernard", comment="Version de B",
                                         revision=revision_in(page)), page=url)
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(RoadmapAction, item.id).owner == "M. Bernard"


def closed_gap(world: World) -> RoadmapAction:
    """GOV-04's gap found by one assessment, closed by the next year's: proposed as done."""
    assess(world, world.campaign, {"GOV-04": 0})
    world.campaign.status = world.campaign.status.CLOSED
    assess(world, factories.campaign(world.campaign.year + 1), {})
    return action("question:GOV-04")


def test_marking_done_a_changed_action_is_refused(world, editor) -> None:  # noqa: ANN001
    gov04 = closed_gap(world)
    assert gov04.gap_closed
    page = text(editor.client.get(roadmap(world)))
    form, fields = done_form(rows(page)[gov04.display_title("fr")])
    assert edit(editor, world, gov04, owner="DSI").status_code == 302  # changed meanwhile
    response = editor.client.post(form, data=fields, follow_redirects=True)
    assert "Cette action a changé entre-temps : vérifiez-la avant de la marquer comme faite." in (
        text(response))
    db.session.expire_all()
    assert action("question:GOV-04").status is ActionStatus.TODO


# -- a reader member --------------------------------------------------------------------------

def test_a_reader_sees_the_roadmap_but_changes_nothing(world, browser) -> None:  # noqa: ANN001
    login(browser, world, "editor")
    item = create_manual(browser, world, owner="DSI")
    login(browser, world, "reader")
    page = browser.client.get(roadmap(world))
    assert page.status_code == 200
    listing = text(page)
    assert "Mettre en place un coffre-fort de mots de passe" in listing
    assert "Ajouter une action" not in listing and "Mettre à jour depuis les écarts" not in listing
    edit_page = text(browser.client.get(f"{roadmap(world)}/{item.id}"))
    assert "Action de la feuille de route" in edit_page
    assert "Enregistrer l'action" not in edit_page and "Supprimer cette action" not in edit_page
    assert browser.client.get(f"{roadmap(world)}/nouvelle").status_code == 403
    for url, data in ((f"{roadmap(world)}/{item.id}", action_data(owner="Lecteur",
                                                                  revision=item.revision)),
                      (f"{roadmap(world)}/nouvelle", action_data(title="Par le lecteur")),
                      (f"{roadmap(world)}/{item.id}/fait", {"revision": item.revision}),
                      (f"{roadmap(world)}/{item.id}/suppression", {}),
                      (f"{roadmap(world)}/mise-a-jour", {})):
        assert browser.post(url, data).status_code == 403, url
    db.session.expire_all()
    assert [(a.title, a.owner, a.status) for a in db.session.scalars(select(RoadmapAction))] == [
        ("Mettre en place un coffre-fort de mots de passe", "DSI", ActionStatus.TODO)]


# -- bugs found while writing these journeys, fixed since ---------------------------------------

def test_a_priority_chosen_by_hand_is_kept_across_generations(world, editor) -> None:  # noqa: ANN001
    assess(world, world.campaign, {"GOV-06": 0})  # gap 2 × weight 2: P2 suggested
    gov06 = action("question:GOV-06")
    assert gov06.priority is Priority.P2
    assert edit(editor, world, gov06, priority="P3").status_code == 302  # "not for us this year"
    year = world.campaign.year
    world.campaign.status = world.campaign.status.CLOSED
    second = factories.campaign(year + 1)
    assess(world, second, {"GOV-06": 1})  # gap 1: P3 suggested, as chosen
    second.status = second.status.CLOSED
    assess(world, factories.campaign(year + 2), {"GOV-06": 0})  # gap 2 again: P2 suggested
    db.session.expire_all()
    gov06 = action("question:GOV-06")
    assert gov06.suggested_priority is Priority.P2
    assert gov06.priority is Priority.P3  # README: « priorité une fois modifiée » is kept


def test_marking_done_from_a_list_with_a_long_query_string(world, editor) -> None:  # noqa: ANN001
    gov04 = closed_gap(world)
    query = ("statut=open&priorite=&origine=question&axe=&tri=due&utm_source=lettre"
             "&utm_medium=mail&utm_campaign=care&utm_content=roadmap&utm_term=rssi"
             "&page=1&ref=accueil&lang=fr")
    page = text(editor.client.get(f"{roadmap(world)}?{query}"))
    form, fields = done_form(rows(page)[gov04.display_title("fr")])
    response = editor.client.post(form, data=fields)
    assert response.status_code == 302
    assert "origine=question" in response.headers["Location"]
    assert action("question:GOV-04").status is ActionStatus.DONE


def test_the_action_page_names_its_origin_in_french(world, editor) -> None:  # noqa: ANN001
    item = create_manual(editor, world)
    page = text(editor.client.get(f"{roadmap(world)}/{item.id}"))
    origin = re.search(r"<dt>Origine</dt><dd>([^<]*)</dd>", page).group(1)
    assert origin == "Manuelle"
