"""What each role sees on the pages whose content depends on the role (both databases).

The access matrix (`test_access_matrix.py`) checks who reaches which route, by status code.
Several pages answer 200 to many roles but show each of them something else: the regional
view and the establishment page show the registers' summary to the region's ARS only (and the
establishment page their details to its members), the results and section pages compare the
answers with the registers for the members only, the audit journal shows an ARS its region
only, and buttons (start, submit, reopen, close a campaign, change a register) appear only for
those who may use them. A status code does not notice a summary shown to the wrong person:
this file asserts on the content.

`PAGES` lists, for each such page, its *markers* (a piece of HTML that shows one thing: a
heading, a figure, a button, an establishment's name) and, for each role that reaches the page
(the matrix says who does), the markers that role must see: **every other marker of the page
must be absent**. Each role therefore gets both the positive and the negative assertions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from careapp.assessments import services
from careapp.assessments.models import Campaign
from careapp.db import db
from careapp.resilience import services as registers
from careapp.resilience.models import ExerciseStatus, ExerciseType, KitLevel, Scenario
from careapp.roadmap import services as roadmap
from careapp.roadmap.models import Priority
from careapp.rollups.loaders import register_summaries
from tests import factories
from tests.world import make_world, submitted_assessment

ROLES = ("editor", "reader", "ars", "grades", "ars_other", "national", "admin")
SCOPES = ("own", "same_region", "other_region")
# Days since each establishment's last crisis exercise: a figure of the registers' summary
# that appears nowhere else, and over a year, so that the answer "held in the last 12 months"
# (level 2 of GOV-13) contradicts the register (the members' consistency block).
DAYS_SINCE = {"own": 430, "same_region": 400, "other_region": 500}
SECTION = "GOV-CRI"  # holds GOV-13, which the registers also answer


@dataclass
class Ids:
    establishments: dict[str, int]
    names: dict[str, str]
    submitted: dict[str, int]  # national 2026 campaign, submitted (open campaign)
    draft: int  # own, regional 2027 campaign of region 53, in progress
    campaigns: dict[str, int]  # national (2026, the submissions'), region53, region11 (2027)
    start_campaign: int  # open national 2027 campaign without any assessment yet
    d2: dict[str, tuple[int, int, int]]  # met, total, unknown
    roadmap: dict[str, tuple[int, int]]  # to do, in progress
    emails: dict[str, str]


def build() -> Ids:
    world = make_world()
    editor = world.users["editor"]
    scopes = {"own": world.own, "same_region": world.same_region,
              "other_region": world.other_region}
    submitted = {name: submitted_assessment(world.campaign, est, editor).id
                 for name, est in scopes.items()}
    campaigns = {
        "national": world.campaign.id,
        "region53": factories.campaign(2027, region="53", name="Campagne Bretagne 2027").id,
        "region11": factories.campaign(2027, region="11", name="Campagne IDF 2027").id,
    }
    start_campaign = factories.campaign(2027, name="Campagne nationale 2027").id
    draft = services.start_assessment(db.session.get(Campaign, campaigns["region53"]),
                                      world.own, editor).id
    # Register changes last: the journal's latest events are of both regions.
    for name, est in scopes.items():
        registers.save_exercise(est, None, {
            "status": ExerciseStatus.HELD,
            "held_on": dt.date.today() - dt.timedelta(days=DAYS_SINCE[name]),
            "type": ExerciseType.TABLETOP, "kit_level": KitLevel.BEGINNER,
            "scenario": Scenario.RANSOMWARE, "functions": ["direction", "it"]}, editor, None)
        roadmap.create_manual(est, {"title": "Former les astreintes à la crise cyber",
                                    "priority": Priority.P2}, editor)
    db.session.commit()
    summaries = register_summaries([est.id for est in scopes.values()])
    d2, counts = {}, {}
    for name, est in scopes.items():
        summary = summaries[est.id]
        assert summary.indicators.days_since_last == DAYS_SINCE[name]
        d2[name] = (summary.d2.met, summary.d2.total, summary.d2.unknown)
        counts[name] = (summary.roadmap.by_status["todo"], summary.roadmap.by_status["in_progress"])
        assert counts[name][0] >= 1  # the manual action at least
    assert d2["own"] == d2["same_region"] == d2["other_region"]
    return Ids(
        establishments={name: est.id for name, est in scopes.items()},
        names={name: est.name for name, est in scopes.items()},
        submitted=submitted, draft=draft, campaigns=campaigns, start_campaign=start_campaign,
        d2=d2, roadmap=counts, emails={role: world.email(role) for role in ROLES})


# -- markers: a piece of HTML that shows one thing ------------------------------------------------

Marker = Callable[[Ids], str]


def literal(text: str) -> Marker:
    return lambda ids: text


# The regional view's table of register summaries, and its figures for one establishment.
REGION_REGISTERS = {
    "registers heading": literal("Exercices de crise, préparation D2 et feuilles de route"),
    "registers table": literal("Registres des établissements de la région"),
    "D2 column": literal("D2 atteints"),
    # the three establishments hold the same registers but for the exercise's date
    "D2 figure": lambda ids: "<td>{} / {}".format(*ids.d2["own"][:2]),
}


def region_figures(scope: str) -> dict[str, Marker]:
    return {f"{scope}: days since its exercise": lambda ids: f"<td>{DAYS_SINCE[scope]}</td>"}


def names(*scopes: str) -> dict[str, Marker]:
    return {f"{scope}: name": (lambda ids, s=scope: ids.names[s]) for scope in scopes}


REOPEN_BUTTON = {"reopen button": literal('/reouvrir"')}


# The establishment page: the members' registers, or the ARS's summary of them.
def establishment_markers(scope: str) -> dict[str, Marker]:
    def at(path: str) -> Marker:
        return lambda ids: f'href="/etablissements/{ids.establishments[scope]}/{path}"'

    return {
        "tabs": literal('class="tabs"'),
        "exercises heading": literal('id="exercices"'),
        "days since the exercise": lambda ids: f'<p class="big">{DAYS_SINCE[scope]}</p>',
        "D2 heading": literal('id="d2"'),
        "D2 checklist": literal('class="checklist"'),
        "D2 count": lambda ids: "{} critère(s) atteint(s) sur {}, {} inconnu(s)".format(
            *ids.d2[scope]),
        "roadmap heading": literal('id="feuille-de-route"'),
        "roadmap counts": lambda ids: "{} à faire, {} en cours".format(*ids.roadmap[scope]),
        "link to the exercises": at("exercices"),
        "link to continuity": at("continuite"),
        "link to the roadmap": at("feuille-de-route"),
        "start button": lambda ids: (f'/etablissements/{ids.establishments[scope]}'
                                     f'/campagnes/{ids.start_campaign}/evaluation"'),
    }


MEMBER_VIEW = {"tabs", "exercises heading", "days since the exercise", "D2 heading",
               "D2 checklist", "roadmap heading", "roadmap counts", "link to the exercises",
               "link to continuity", "link to the roadmap"}
ARS_SUMMARY = {"exercises heading", "days since the exercise", "D2 heading", "D2 count",
               "roadmap heading", "roadmap counts"}

CONSISTENCY = {"consistency block": literal('id="coherence"'),
               "consistency heading": literal("Cohérence avec les registres")}
REGISTER_BOX = {"register box": literal("Ce que dit le registre"),
                "contradiction": literal("contredit le registre"),
                "link to the register": literal("Voir le registre")}
READ_ONLY = "Lecture seule : vous ne pouvez pas modifier cette évaluation."


def campaign_buttons() -> dict[str, Marker]:
    markers: dict[str, Marker] = {"create button": literal('href="/campagnes/nouvelle"'),
                                  "Bretagne campaign": literal("Campagne Bretagne 2027"),
                                  "IDF campaign": literal("Campagne IDF 2027")}
    for scope in ("national", "region53", "region11"):
        markers[f"close {scope}"] = (
            lambda ids, s=scope: f'action="/campagnes/{ids.campaigns[s]}/cloturer"')
    return markers


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[Ids], str]
    markers: dict[str, Marker]
    shows: dict[str, set[str]]  # role → the markers it sees; the page's other markers: absent


def establishment_page(scope: str, shows: dict[str, set[str]]) -> Page:
    return Page(f"establishment page ({scope})",
                lambda ids: f"/etablissements/{ids.establishments[scope]}",
                establishment_markers(scope), shows)


def overview(scope: str, shows: dict[str, set[str]]) -> Page:
    return Page(f"submitted assessment ({scope})",
                lambda ids: f"/evaluations/{ids.submitted[scope]}",
                REOPEN_BUTTON, shows)


def results(scope: str, shows: dict[str, set[str]]) -> Page:
    return Page(f"results ({scope})", lambda ids: f"/evaluations/{ids.submitted[scope]}/resultats",
                CONSISTENCY, shows)


def section(scope: str, shows: dict[str, set[str]]) -> Page:
    return Page(f"section form of a submitted assessment ({scope})",
                lambda ids: f"/evaluations/{ids.submitted[scope]}/sections/{SECTION}",
                REGISTER_BOX, shows)


NONE: set[str] = set()
REGION_53 = {**REGION_REGISTERS, **region_figures("own"), **region_figures("same_region"),
             **region_figures("other_region"), **names("other_region"), **REOPEN_BUTTON}
REGION_11 = {**REGION_REGISTERS, **region_figures("own"), **region_figures("same_region"),
             **region_figures("other_region"), **names("own", "same_region"), **REOPEN_BUTTON}
ARS53_REGISTERS = {*REGION_REGISTERS, *region_figures("own"), *region_figures("same_region")}
ARS11_REGISTERS = {*REGION_REGISTERS, *region_figures("other_region")}
BOX = set(REGISTER_BOX)

PAGES: list[Page] = [
    # -- the regional view: the registers' summary for the region's ARS only ------------------
    Page("regional view, default region",
         lambda ids: "/region/",
         {**REGION_REGISTERS, **region_figures("own"), **region_figures("same_region"),
          **region_figures("other_region"), **names("own", "same_region", "other_region")},
         {"ars": {*ARS53_REGISTERS, "own: name", "same_region: name"},
          "grades": {"own: name", "same_region: name"},
          "ars_other": {*ARS11_REGISTERS, "other_region: name"}}),
    Page("regional view of region 53 (the 2026 campaign)",
         lambda ids: f"/region/?code=53&campagne={ids.campaigns['national']}", REGION_53,
         {"ars": {*ARS53_REGISTERS, "reopen button"}, "grades": NONE, "national": NONE,
          "admin": {"reopen button"}}),
    Page("regional view of region 11 (the 2026 campaign)",
         lambda ids: f"/region/?code=11&campagne={ids.campaigns['national']}", REGION_11,
         {"ars_other": {*ARS11_REGISTERS, "reopen button"}, "national": NONE,
          "admin": {"reopen button"}}),
    # -- the establishment page: details for members, a summary for the region's ARS ------------
    establishment_page("own", {
        "editor": {*MEMBER_VIEW, "start button"}, "reader": MEMBER_VIEW, "ars": ARS_SUMMARY,
        "grades": NONE, "national": NONE, "admin": NONE}),
    establishment_page("same_region", {
        "ars": ARS_SUMMARY, "grades": NONE, "national": NONE, "admin": NONE}),
    establishment_page("other_region", {
        "ars_other": ARS_SUMMARY, "national": NONE, "admin": NONE}),
    # -- answers compared with the registers: members only ----------------------------------
    results("own", {"editor": set(CONSISTENCY), "reader": set(CONSISTENCY), "ars": NONE,
                    "grades": NONE, "national": NONE, "admin": NONE}),
    results("same_region", {"ars": NONE, "grades": NONE, "national": NONE, "admin": NONE}),
    results("other_region", {"ars_other": NONE, "national": NONE, "admin": NONE}),
    section("own", {"editor": BOX, "reader": BOX, "ars": NONE, "grades": NONE,
                    "national": NONE, "admin": NONE}),
    section("other_region", {"ars_other": NONE, "national": NONE, "admin": NONE}),
    Page("section form of the draft (own)",
         lambda ids: f"/evaluations/{ids.draft}/sections/{SECTION}",
         {"register box": literal("Ce que dit le registre"),
          "save buttons": literal("Enregistrer et continuer"), "read only": literal(READ_ONLY)},
         {"editor": {"register box", "save buttons"}, "reader": {"register box", "read only"},
          **dict.fromkeys(("ars", "grades", "national", "admin"), {"read only"})}),
    # -- buttons for those who may use them ---------------------------------------------------
    overview("own", {"editor": NONE, "reader": NONE, "ars": {"reopen button"}, "grades": NONE,
                     "national": NONE, "admin": {"reopen button"}}),
    overview("same_region", {"ars": {"reopen button"}, "grades": NONE, "national": NONE,
                             "admin": {"reopen button"}}),
    overview("other_region", {"ars_other": {"reopen button"}, "national": NONE,
                              "admin": {"reopen button"}}),
    Page("draft overview (own)", lambda ids: f"/evaluations/{ids.draft}",
         {"submit link": lambda ids: f'href="/evaluations/{ids.draft}/soumettre"'},
         {"editor": {"submit link"}, **dict.fromkeys(
             ("reader", "ars", "grades", "national", "admin"), NONE)}),
    Page("campaigns", lambda ids: "/campagnes", campaign_buttons(), {
        "ars": {"create button", "Bretagne campaign", "close region53"},
        "ars_other": {"create button", "IDF campaign", "close region11"},
        "grades": {"Bretagne campaign"},
        "national": {"Bretagne campaign", "IDF campaign"},
        "admin": {"create button", "Bretagne campaign", "IDF campaign", "close national",
                  "close region53", "close region11"}}),
    # the scopes a new campaign may have: an ARS its region only, the admin any
    Page("new campaign form", lambda ids: "/campagnes/nouvelle",
         {"national scope": literal("Nationale (toutes les régions)"),
          "region 53 scope": literal('value="53"'), "region 11 scope": literal('value="11"')},
         {"ars": {"region 53 scope"}, "ars_other": {"region 11 scope"},
          "admin": {"national scope", "region 53 scope", "region 11 scope"}}),
    # the registers themselves: the RSSI changes them, the director reads them
    Page("crisis exercises (own)",
         lambda ids: f"/etablissements/{ids.establishments['own']}/exercices",
         {"new exercise button": literal("Enregistrer un exercice"),
          "delete button": literal("/suppression\"")},
         {"editor": {"new exercise button", "delete button"}, "reader": NONE}),
    Page("continuity (own)",
         lambda ids: f"/etablissements/{ids.establishments['own']}/continuite",
         {"new activity button": literal("Ajouter une activité critique"),
          "save button": literal('<button type="submit" class="primary">')},
         {"editor": {"new activity button", "save button"}, "reader": NONE}),
    Page("roadmap (own)",
         lambda ids: f"/etablissements/{ids.establishments['own']}/feuille-de-route",
         {"new action button": literal("Ajouter une action"),
          "update button": literal("Mettre à jour depuis les écarts")},
         {"editor": {"new action button", "update button"}, "reader": NONE}),
    # -- the audit journal: everything for administrators, its region for an ARS -------------
    Page("audit journal", lambda ids: "/journal/",
         {"region 53 events": literal('data-region="53"'),
          "region 11 events": literal('data-region="11"')},
         {"ars": {"region 53 events"}, "ars_other": {"region 11 events"},
          "admin": {"region 53 events", "region 11 events"}}),
    # -- navigation ----------------------------------------------------------------------------
    Page("navigation", lambda ids: "/etablissements/",
         {"my establishments": literal('href="/etablissements/">'),
          "regional view": literal('href="/region/">'),
          "campaigns": literal('href="/campagnes">'), "journal": literal('href="/journal/">')},
         {"editor": {"my establishments"}, "reader": {"my establishments"},
          "ars": {"regional view", "campaigns", "journal"},
          "ars_other": {"regional view", "campaigns", "journal"},
          "grades": {"regional view", "campaigns"}, "national": {"regional view", "campaigns"},
          "admin": {"regional view", "campaigns", "journal"}}),
]


def test_the_pages_markers_are_consistent() -> None:
    for page in PAGES:
        assert set(page.shows) <= set(ROLES), page.name
        for role, shown in page.shows.items():
            assert shown <= set(page.markers), f"{page.name}, {role}: {shown - set(page.markers)}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_what_it_should(app, browser, backend: str, role: str) -> None:  # noqa: ANN001
    assert db.engine.dialect.name == backend  # really tried on each database
    ids = build()
    response = browser.login(ids.emails[role], factories.PASSWORD)
    assert response.status_code == 302, f"login of {role} failed"
    failures = []
    tried = 0
    for page in (p for p in PAGES if role in p.shows):
        url = page.url(ids)
        response = browser.client.get(url)
        if response.status_code != 200:
            failures.append(f"{page.name} {url}: status {response.status_code}")
            continue
        tried += 1
        html = response.get_data(as_text=True)
        for name, marker in page.markers.items():
            wanted, seen = name in page.shows[role], marker(ids) in html
            if wanted and not seen:
                failures.append(f"{page.name} {url}: {name!r} missing")
            elif seen and not wanted:
                failures.append(f"{page.name} {url}: {name!r} shown")
    assert tried, f"{role}: no page tried"
    assert not failures, f"{role}: {len(failures)} mismatch(es):\n" + "\n".join(failures)

