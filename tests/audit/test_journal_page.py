"""The journal page read by people: labels instead of codes, names instead of ids, Paris time,
changed fields as words, filters that never widen an ARS's region, pages of PAGE_SIZE."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from careapp.audit import views
from careapp.audit.services import record
from careapp.db import db
from tests.world import World, login

JULY_FIRST_10Z = dt.datetime(2026, 7, 1, 10, 0)  # stored naive, in UTC


def visible(page: str) -> str:
    """The page's text as read, without tags or attribute values (codes stay in attributes)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page.split("<table", 1)[1]))


def event(action: str, *, world: World, who: str = "editor", at: dt.datetime = JULY_FIRST_10Z,
          establishment=None, **kwargs):  # noqa: ANN001, ANN003, ANN201
    place = establishment or world.own
    entry = record(action, actor=world.users[who], region_code=place.region_code,
                   establishment_id=place.id, **kwargs)
    entry.at = at
    db.session.commit()
    return entry


def journal(browser, query: str = "") -> str:  # noqa: ANN001
    response = browser.client.get(f"/journal/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_event_reads_in_words_with_names_and_paris_time(world: World, browser) -> None:  # noqa: ANN001
    event("roadmap.update", world=world, object_type="roadmap_actions", object_id=7,
          details={"changes": {"owner": ["Alice", "Bob"], "comment": ["", "NAS sans MFA"]}})
    event("assessment.reopen", world=world, object_type="assessment", object_id=3,
          details={"frozen_overall": 55.5})
    event("login.throttled", world=world, details={"step": "code", "wait": 30})
    login(browser, world, "ars")
    text = visible(journal(browser))
    assert "Action de feuille de route modifiée" in text and "roadmap.update" not in text
    assert "Évaluation rouverte" in text and "Évaluation n° 3" in text
    assert "Connexion retardée après des échecs" in text
    assert "Étape : code du second facteur" in text and "Attente imposée (secondes) : 30" in text
    assert "Score global figé jusque-là : 55.5" in text
    assert world.own.name in text and "Bretagne" in text  # the names, not 53 or an id
    assert world.users["editor"].name in text and "rssi@test.fr" in text
    assert "12:00:00" in text and "10:00:00" not in text  # Europe/Paris in summer: UTC+2
    # a register: which fields changed, in the form's words, never their contents
    assert "Champs modifiés : Responsable ; Commentaire" in text
    assert "Alice" not in text and "NAS sans MFA" not in text and "{" not in text


def test_the_journal_in_english(world: World, browser) -> None:  # noqa: ANN001
    event("roadmap.update", world=world, object_type="roadmap_actions", object_id=7,
          details={"changes": {"owner": ["Alice", "Bob"]}})
    login(browser, world, "admin")
    browser.post("/langue", {"lang": "en", "next": "/journal/"}, page="/journal/")
    text = visible(journal(browser))
    assert "Owner" in text and "Responsable" not in text  # the form's label, translated
    assert "Jul 1, 2026" in text and "12:00:00" in text  # English format, Paris time


def test_a_winter_event_is_one_hour_ahead(world: World, browser) -> None:  # noqa: ANN001
    event("logout", world=world, at=dt.datetime(2026, 1, 15, 23, 30))
    login(browser, world, "admin")
    text = visible(journal(browser, "?action=logout"))
    assert "16 janv. 2026" in text and "00:30:00" in text


def test_filters_never_show_an_ars_another_region(world: World, browser) -> None:  # noqa: ANN001
    event("exercise.create", world=world, object_type="crisis_exercises", object_id=1,
          details={"after": {"status": "held"}})
    event("exercise.create", world=world, who="admin", establishment=world.other_region,
          object_type="crisis_exercises", object_id=2, details={"after": {"status": "held"}})
    login(browser, world, "ars")
    for query in ("", f"?etablissement={world.other_region.id}", "?personne=admin",
                  "?action=exercise.create", "?du=2026-07-01&au=2026-07-01",
                  f"?etablissement={world.other_region.id}&action=exercise.create"):
        page = journal(browser, query)
        assert 'data-region="11"' not in page and world.other_region.name not in page, query
    page = journal(browser, f"?etablissement={world.other_region.id}")
    assert "Filtre « Établissement » ignoré" in page  # another region's id is not an option
    assert f'value="{world.other_region.id}"' not in page
    assert f'value="{world.own.id}"' in page and world.same_region.name in page
    login(browser, world, "admin")  # an administrator chooses among all establishments
    page = journal(browser, f"?etablissement={world.other_region.id}")
    assert world.other_region.name in visible(page) and 'data-region="53"' not in page


def test_filters_by_establishment_person_kind_and_dates(world: World, browser) -> None:  # noqa: ANN001
    event("campaign.close", world=world, who="ars", at=dt.datetime(2026, 6, 30, 21, 59))
    event("campaign.reopen", world=world, who="ars", at=dt.datetime(2026, 6, 30, 22, 0))
    event("logout", world=world, establishment=world.same_region,
          at=dt.datetime(2026, 7, 2, 8, 0))
    login(browser, world, "admin")

    def shown(query: str) -> set[str]:
        return set(re.findall(r'<tr data-action="([^"]+)"', journal(browser, query)))

    assert shown(f"?etablissement={world.same_region.id}") == {"logout"}
    assert shown("?personne=ARS53@test") >= {"campaign.close", "campaign.reopen"}
    assert "logout" not in shown("?personne=ars53@test.fr")
    assert shown("?personne=ars%25") == set()  # a wildcard is a character, not a pattern
    # 1 July in Paris begins at 22:00 UTC on 30 June
    assert shown("?du=2026-07-01&au=2026-07-01") == {"campaign.reopen"}
    assert shown("?au=2026-06-30&action=campaign.close") == {"campaign.close"}
    assert shown("?du=2026-07-02&action=logout") == {"logout"}


@pytest.mark.parametrize(("query", "name"), [
    ("?etablissement=abc", "Établissement"), ("?etablissement=%EF%BC%91", "Établissement"),
    ("?du=2026-13-01", "Du"), ("?au=demain", "Au"), ("?du=0001-01-01", "Du"),
    ("?personne=a%00b", "Personne"), ("?avant=-1", "Plus anciens")])
def test_an_invalid_filter_is_ignored_with_a_message(world: World, browser, query: str,  # noqa: ANN001
                                                       name: str) -> None:
    event("logout", world=world)
    login(browser, world, "admin")
    page = journal(browser, query)
    assert f"Filtre « {name} » ignoré" in page
    assert 'data-action="logout"' in page  # the other filters, here none, still apply


def test_older_events_are_on_the_next_page(world: World, browser, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    ids = [event("logout", world=world, who="ars").id for _ in range(5)]
    login(browser, world, "admin")
    page = journal(browser, "?action=logout")
    assert page.count('data-action="logout"') == 3 and "Événements plus anciens" in page
    link = html.unescape(re.search(r'href="(/journal/\?[^"]*avant=[^"]*)"', page).group(1))
    assert f"avant={ids[2]}" in link and "action=logout" in link
    older = journal(browser, link.removeprefix("/journal/"))
    assert older.count('data-action="logout"') == 2 and "Événements plus anciens" not in older
