"""Who may reach which route: one declarative table over every route of the application.

`MATRIX` lists, for every (endpoint, method) of `app.url_map`, the status each case expects:
anonymous, and each role of `tests.world` (the editor and the reader are members of `own`,
`ars` and `grades` belong to region 53, `ars_other` to region 11). Routes about one object are
tried on several objects (their *variants*, in the order given by the row's target):

- establishment / assessment: `own` (the members' establishment, region 53), `same_region`
  (another establishment of region 53), `other_region` (region 11);
- register row (crisis exercise, RETEX finding, critical activity, roadmap action): the same
  three, each row of the establishment the URL names;
- campaign to close, campaign to open: national, region 53, region 11;
- regional dashboard: no `code` parameter, `?code=53`, `?code=11`.

An expectation is either one value for every variant or a tuple, one value per variant.
`LOGIN` means a redirect to the login page, `REDIRECT` a redirect anywhere else (the action
was accepted: it did its work or explained with a message why not).

A new route fails `test_every_route_is_in_the_matrix` until it gets its row here.
The rows are walked in order, by one test per case, on one world per test: the rows that
change data come after the ones that read it, deletions come last among them (each on an
object of its own, that no other row uses), and logging out comes last of all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import func, select

from careapp import create_app
from careapp.assessments import services
from careapp.assessments.models import Answer, Assessment, Campaign
from careapp.audit.models import AuditEvent
from careapp.auth.models import User
from careapp.db import db
from careapp.organisations.models import Establishment
from careapp.resilience import services as registers
from careapp.resilience.models import (
    ActivityKind,
    ContinuityProfile,
    CrisisExercise,
    CriticalActivity,
    ExerciseFinding,
    ExerciseStatus,
    ExerciseType,
    KitLevel,
    Scenario,
)
from careapp.roadmap import services as roadmap
from careapp.roadmap.models import Priority, RoadmapAction
from tests import factories
from tests.conftest import csrf_from
from tests.world import make_world, section_fields, submitted_assessment

LOGIN = "login"  # 302 to /connexion
REDIRECT = "redirect"  # 302 anywhere but /connexion
OK, UNAUTHORIZED, FORBIDDEN, NOT_FOUND = 200, 401, 403, 404

ROLES = ("editor", "reader", "ars", "grades", "ars_other", "national", "admin")
CASES = ("anonymous", *ROLES)

# Objects a row is tried on, by kind of target.
VARIANTS: dict[str, tuple[str, ...]] = {
    "none": ("-",),
    "establishment": ("own", "same_region", "other_region"),
    "assessment": ("own", "same_region", "other_region"),
    "register": ("own", "same_region", "other_region"),
    "campaign": ("national", "region53", "region11"),
    "region": ("default", "53", "11"),
    "region_code": ("53", "11"),  # a region in the URL's path (downloads)
}

Expected = int | str | tuple[int | str, ...]


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    target: str
    expect: dict[str, Expected]

    @property
    def key(self) -> tuple[str, str]:
        return (self.endpoint, self.method)


def everyone(value: Expected, **anonymous: Expected) -> dict[str, Expected]:
    """The same expectation for every role; the anonymous one given as anonymous=…"""
    return {"anonymous": anonymous.get("anonymous", LOGIN), **dict.fromkeys(ROLES, value)}


# Establishment and assessment pages: members see their own, regional roles their region,
# national and admin everything; the rest is 404 (its existence is not disclosed).
def view(ok: Expected) -> dict[str, Expected]:
    return {
        "anonymous": LOGIN,
        #              own   same_region  other_region
        "editor": (ok, NOT_FOUND, NOT_FOUND),
        "reader": (ok, NOT_FOUND, NOT_FOUND),
        "ars": (ok, ok, NOT_FOUND),
        "grades": (ok, ok, NOT_FOUND),
        "ars_other": (NOT_FOUND, NOT_FOUND, ok),
        "national": (ok, ok, ok),
        "admin": (ok, ok, ok),
    }


# Changing an assessment: only the editor, on their own establishment; whoever may see the
# object but not change it gets 403, whoever may not see it 404.
def edit(ok: Expected) -> dict[str, Expected]:
    return {
        "anonymous": LOGIN,
        #              own        same_region  other_region
        "editor": (ok, NOT_FOUND, NOT_FOUND),
        "reader": (FORBIDDEN, NOT_FOUND, NOT_FOUND),
        "ars": (FORBIDDEN, FORBIDDEN, NOT_FOUND),
        "grades": (FORBIDDEN, FORBIDDEN, NOT_FOUND),
        "ars_other": (NOT_FOUND, NOT_FOUND, FORBIDDEN),
        "national": (FORBIDDEN, FORBIDDEN, FORBIDDEN),
        "admin": (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    }


# Registers (exercises, continuity, critical activities) and the roadmap stay inside the
# establishment ("nobody else outside the establishment sees them"): its members only. The
# regional roles, national and admin see the establishment itself but not these pages (403);
# whoever may not see the establishment gets 404, as elsewhere.
def registers_view(ok: Expected) -> dict[str, Expected]:
    return {**registers_edit(ok), "reader": (ok, NOT_FOUND, NOT_FOUND)}


# Changing them (or opening a form to): the editor of the establishment only, exactly as for an
# assessment; its reader sees them but may not change them (403).
def registers_edit(ok: Expected) -> dict[str, Expected]:
    return edit(ok)


# Closing and reopening campaigns: the admin any, an ARS those of its own region only. A
# campaign of another region is outside the person's scope (404: its existence is not
# disclosed); a national one, or one of the person's region, is visible but refused (403).
CAMPAIGN_MANAGERS: dict[str, Expected] = {
    "anonymous": LOGIN,
    #                 national   region53   region11
    "editor": (FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "reader": (FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "ars": (FORBIDDEN, REDIRECT, NOT_FOUND),
    "grades": (FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "ars_other": (FORBIDDEN, NOT_FOUND, REDIRECT),
    "national": FORBIDDEN,
    "admin": REDIRECT,
}

# Opening a campaign (no object yet): the admin any scope, an ARS its own region only; any
# other scope is refused (403).
CAMPAIGN_CREATORS: dict[str, Expected] = {
    "anonymous": LOGIN,
    #                 national   region53   region11
    "editor": FORBIDDEN,
    "reader": FORBIDDEN,
    "ars": (FORBIDDEN, REDIRECT, FORBIDDEN),
    "grades": FORBIDDEN,
    "ars_other": (FORBIDDEN, FORBIDDEN, REDIRECT),
    "national": FORBIDDEN,
    "admin": REDIRECT,
}

MATRIX: list[Row] = [
    # -- pages anyone may reach -----------------------------------------------------------
    Row("auth.health", "GET", "none", everyone(OK, anonymous=OK)),
    Row("auth.login", "GET", "none", everyone(REDIRECT, anonymous=OK)),  # logged in: go home
    Row("auth.login", "POST", "none", everyone(REDIRECT, anonymous=OK)),  # wrong password: form
    Row("auth.set_language", "POST", "none", everyone(REDIRECT, anonymous=REDIRECT)),
    Row("auth.home", "GET", "none", everyone(REDIRECT)),
    # the second step of a login needs a password checked a moment ago: without it, back to login
    Row("auth.mfa_code", "GET", "none", everyone(LOGIN)),
    Row("auth.mfa_code", "POST", "none", everyone(LOGIN)),
    # first-login enrolment belongs to a pending login too: without one, back to login
    Row("auth.mfa_enrol", "GET", "none", everyone(LOGIN)),
    Row("auth.mfa_enrol", "POST", "none", everyone(LOGIN)),
    # one's own second factor: enrol, or (password and code first) replace or remove it
    Row("auth.mfa_settings", "GET", "none", everyone(OK)),
    Row("auth.mfa_settings", "POST", "none", everyone(OK)),
    # one's own password: every logged-in person (an empty form is re-shown with its errors)
    Row("auth.change_password", "GET", "none", everyone(OK)),
    Row("auth.change_password", "POST", "none", everyone(OK)),
    Row("organisations.index", "GET", "none", everyone(OK)),
    # -- reading establishments and assessments -------------------------------------------
    Row("organisations.show", "GET", "establishment", view(OK)),
    Row("assessments.overview", "GET", "assessment", view(OK)),
    Row("assessments.section", "GET", "assessment", view(OK)),
    Row("assessments.next_unanswered", "GET", "assessment", view(REDIRECT)),
    Row("assessments.results", "GET", "assessment", view(OK)),
    # its PDF report: the results page's rule (registers and roadmap inside for members only)
    Row("reports.establishment", "GET", "assessment", view(OK)),
    Row("assessments.submit", "GET", "assessment", edit(OK)),  # the submission page
    # the reopening form: the ARS of the region and the admin; whoever sees the assessment but
    # may not reopen it gets 403, as for the reopening itself
    Row("assessments.reopen", "GET", "assessment", {
        "anonymous": LOGIN,
        #              own        same_region  other_region
        "editor": (FORBIDDEN, NOT_FOUND, NOT_FOUND),
        "reader": (FORBIDDEN, NOT_FOUND, NOT_FOUND),
        "ars": (OK, OK, NOT_FOUND),
        "grades": (FORBIDDEN, FORBIDDEN, NOT_FOUND),
        "ars_other": (NOT_FOUND, NOT_FOUND, OK),
        "national": (FORBIDDEN, FORBIDDEN, FORBIDDEN),
        "admin": (OK, OK, OK),
    }),
    # -- reading the registers and the roadmap ------------------------------------------------
    Row("resilience.exercises", "GET", "establishment", registers_view(OK)),
    Row("resilience.exercise", "GET", "register", registers_view(OK)),
    Row("resilience.continuity", "GET", "establishment", registers_view(OK)),
    Row("resilience.activity", "GET", "register", registers_view(OK)),
    Row("roadmap.index", "GET", "establishment", registers_view(OK)),
    Row("reports.roadmap", "GET", "establishment", registers_view(OK)),  # the roadmap's PDF
    Row("roadmap.edit", "GET", "register", registers_view(OK)),
    # the forms that create a row: only for those who may save them
    Row("resilience.new_exercise", "GET", "establishment", registers_edit(OK)),
    Row("resilience.new_activity", "GET", "establishment", registers_edit(OK)),
    Row("roadmap.new", "GET", "establishment", registers_edit(OK)),
    # -- dashboards and campaigns -----------------------------------------------------------
    Row("rollups.region", "GET", "region", {
        "anonymous": LOGIN,
        #                 default  ?code=53    ?code=11
        "editor": FORBIDDEN,
        "reader": FORBIDDEN,
        "ars": (OK, OK, NOT_FOUND),
        "grades": (OK, OK, NOT_FOUND),
        "ars_other": (OK, NOT_FOUND, OK),
        "national": OK,
        "admin": OK,
    }),
    # downloads of the region's tables: the page's rule (the registers' columns and reasons,
    # the ARS of the region only, are checked on the files in tests/rollups/test_exports.py
    # and tests/rollups/test_dashboard_pages.py)
    *(Row(f"downloads.{what}_{fmt}", "GET", "region_code", {
        "anonymous": LOGIN,
        #                 /region/53/…  /region/11/…
        "editor": FORBIDDEN,
        "reader": FORBIDDEN,
        "ars": (OK, NOT_FOUND),
        "grades": (OK, NOT_FOUND),
        "ars_other": (NOT_FOUND, OK),
        "national": OK,
        "admin": OK,
    }) for what in ("establishments", "table", "followup", "scores") for fmt in ("csv", "xlsx")),
    # the regional report (PDF): the dashboard's rule (its establishment list, the region's
    # ARS only, is checked on the files in tests/reports/test_region_report.py)
    Row("reports.region", "GET", "region_code", {
        "anonymous": LOGIN,
        #                 /region/53/…  /region/11/…
        "editor": FORBIDDEN,
        "reader": FORBIDDEN,
        "ars": (OK, NOT_FOUND),
        "grades": (OK, NOT_FOUND),
        "ars_other": (NOT_FOUND, OK),
        "national": OK,
        "admin": OK,
    }),
    # the national dashboard's regions table: national staff and administrators only
    *(Row(f"national_downloads.regions_{fmt}", "GET", "none", {
        "anonymous": LOGIN, "editor": FORBIDDEN, "reader": FORBIDDEN, "ars": FORBIDDEN,
        "grades": FORBIDDEN, "ars_other": FORBIDDEN, "national": OK, "admin": OK,
    }) for fmt in ("csv", "xlsx")),
    Row("audit.index", "GET", "none", {
        "anonymous": LOGIN, "editor": FORBIDDEN, "reader": FORBIDDEN, "ars": OK,
        "grades": FORBIDDEN, "ars_other": OK, "national": FORBIDDEN, "admin": OK,
    }),
    Row("assessments.campaigns", "GET", "none", {
        "anonymous": LOGIN, "editor": FORBIDDEN, "reader": FORBIDDEN, "ars": OK, "grades": OK,
        "ars_other": OK, "national": OK, "admin": OK,
    }),
    Row("assessments.new_campaign", "GET", "none", {
        "anonymous": LOGIN, "editor": FORBIDDEN, "reader": FORBIDDEN, "ars": OK,
        "grades": FORBIDDEN, "ars_other": OK, "national": FORBIDDEN, "admin": OK,
    }),
    # -- the JSON API: a Bearer token only, never the session of a logged-in browser (401 for
    # everyone here); each role × object with a real token is in tests/api/test_access.py
    *(Row(endpoint, "GET", target, everyone(UNAUTHORIZED, anonymous=UNAUTHORIZED))
      for endpoint, target in (
          ("api_campaigns.campaigns", "none"), ("api_aggregates.region_summary", "region_code"),
          ("api_aggregates.national_summary", "none"),
          ("api_establishments.establishments", "none"),
          ("api_establishments.results", "establishment"),
          ("api_establishments.registers", "establishment"))),
    Row("api-docs.openapi_json", "GET", "none", everyone(OK, anonymous=OK)),  # the document
    # one's own API tokens: every logged-in person
    Row("api_tokens.index", "GET", "none", everyone(OK)),
    # -- changes (after the reads: they alter the world) ---------------------------------------
    Row("assessments.start", "POST", "establishment", edit(REDIRECT)),
    Row("assessments.section", "POST", "assessment", edit(REDIRECT)),
    Row("assessments.submit", "POST", "assessment", edit(REDIRECT)),
    Row("assessments.reopen", "POST", "assessment", {
        "anonymous": LOGIN,
        #              own        same_region  other_region
        "editor": (FORBIDDEN, NOT_FOUND, NOT_FOUND),
        "reader": (FORBIDDEN, NOT_FOUND, NOT_FOUND),
        "ars": (REDIRECT, REDIRECT, NOT_FOUND),
        "grades": (FORBIDDEN, FORBIDDEN, NOT_FOUND),
        "ars_other": (NOT_FOUND, NOT_FOUND, REDIRECT),
        "national": (FORBIDDEN, FORBIDDEN, FORBIDDEN),
        "admin": (REDIRECT, REDIRECT, REDIRECT),
    }),
    # reopening an open campaign is refused with a message (redirect), then the closing row runs
    Row("assessments.reopen_campaign", "POST", "campaign", CAMPAIGN_MANAGERS),
    Row("assessments.close_campaign", "POST", "campaign", CAMPAIGN_MANAGERS),
    Row("assessments.new_campaign", "POST", "campaign", CAMPAIGN_CREATORS),
    Row("resilience.new_exercise", "POST", "establishment", registers_edit(REDIRECT)),
    Row("resilience.exercise", "POST", "register", registers_edit(REDIRECT)),
    Row("resilience.add_finding", "POST", "register", registers_edit(REDIRECT)),
    Row("resilience.send_finding", "POST", "register", registers_edit(REDIRECT)),
    Row("resilience.continuity", "POST", "establishment", registers_edit(REDIRECT)),
    Row("resilience.new_activity", "POST", "establishment", registers_edit(REDIRECT)),
    Row("resilience.activity", "POST", "register", registers_edit(REDIRECT)),
    Row("roadmap.regenerate", "POST", "establishment", registers_edit(REDIRECT)),
    Row("roadmap.new", "POST", "establishment", registers_edit(REDIRECT)),
    Row("roadmap.edit", "POST", "register", registers_edit(REDIRECT)),
    Row("roadmap.mark_done", "POST", "register", registers_edit(REDIRECT)),
    # a new API token: the page showing it once (every role here has its second factor)
    Row("api_tokens.create", "POST", "none", everyone(OK)),
    # revoking a token that is not one's own (here: none) is not found, whoever asks
    Row("api_tokens.revoke", "POST", "none", everyone(NOT_FOUND)),
    # -- deletions (after the changes: each removes an object of its own) ----------------------
    Row("resilience.delete_finding", "POST", "register", registers_edit(REDIRECT)),
    Row("resilience.delete_exercise", "POST", "register", registers_edit(REDIRECT)),
    Row("resilience.delete_activity", "POST", "register", registers_edit(REDIRECT)),
    Row("roadmap.delete", "POST", "register", registers_edit(REDIRECT)),  # a manual action
    # -- last: it ends the session -------------------------------------------------------------
    Row("auth.logout", "POST", "none", everyone(LOGIN)),
]



# -- the table itself ---------------------------------------------------------------------------

def _routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules() if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_in_the_matrix() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "ENV_NAME": "test",
                      "SECRET_KEY": "test-secret", "TESTING": True})
    routes = _routes(app)
    listed = [row.key for row in MATRIX]
    missing = sorted(routes - set(listed))
    assert not missing, f"routes without a row in MATRIX (add them): {missing}"
    stale = sorted(set(listed) - routes)
    assert not stale, f"rows of MATRIX for routes that no longer exist: {stale}"
    assert len(listed) == len(set(listed)), "a route has two rows"
    for row in MATRIX:
        assert set(row.expect) == set(CASES), f"{row.key}: cases {sorted(row.expect)}"
        for case, expected in row.expect.items():
            if isinstance(expected, tuple):
                assert len(expected) == len(VARIANTS[row.target]), f"{row.key} {case}"


# -- the world the rows are tried on --------------------------------------------------------------

@dataclass
class RegisterIds:
    """One establishment's register rows, made through the services by the editor."""

    exercise: int  # held, with the findings below
    finding: int  # not sent yet: the send_finding row sends it
    sent_action: int  # the action of another finding, already sent (the mark_done row)
    profile: int  # continuity and backups
    activity: int  # a critical activity
    action: int  # a manual roadmap action
    # one object per deletion row, that no other row uses
    finding_to_delete: int
    exercise_to_delete: int
    activity_to_delete: int
    action_to_delete: int  # manual: generated actions cannot be deleted

    def names(self) -> dict[tuple[str, str], str]:
        """(table, id) as the audit log records them → the field naming that object."""
        return {(REGISTER_MODELS[kind].__tablename__, str(getattr(self, f.name))): f.name
                for f in fields(self)
                for kind in [f.name.removeprefix("sent_").removesuffix("_to_delete")]}


REGISTER_MODELS: dict[str, type] = {
    "exercise": CrisisExercise, "finding": ExerciseFinding, "profile": ContinuityProfile,
    "activity": CriticalActivity, "action": RoadmapAction,
}
HELD_ON = dt.date.today() - dt.timedelta(days=60)


def build_registers(establishment: Establishment, editor: User) -> RegisterIds:
    def exercise() -> CrisisExercise:
        return registers.save_exercise(establishment, None, {
            "status": ExerciseStatus.HELD, "held_on": HELD_ON, "type": ExerciseType.TABLETOP,
            "kit_level": KitLevel.BEGINNER, "scenario": Scenario.RANSOMWARE,
            "functions": ["direction", "it"]}, editor, None)

    def activity() -> int:
        return registers.save_activity(establishment, None, {
            "kind": ActivityKind.CARE_SERVICE, "name": "Urgences adultes"}, editor, None).id

    def manual_action() -> int:
        return roadmap.create_manual(establishment, {
            "title": "Former les astreintes à la crise cyber", "priority": Priority.P2},
            editor).id

    held = exercise()
    finding = registers.add_finding(establishment, held, "Annuaire de crise absent", editor)
    sent = registers.add_finding(establishment, held, "Sauvegardes jamais restaurées", editor)
    to_delete = registers.add_finding(establishment, held, "Constat à supprimer", editor)
    ids = RegisterIds(
        exercise=held.id, finding=finding.id,
        sent_action=roadmap.send_finding(establishment, sent, editor).id,
        profile=registers.save_profile(establishment, {
            "continuity_lead": "Directrice des soins", "crisis_cell_defined": True},
            editor, None).id,
        activity=activity(), action=manual_action(), finding_to_delete=to_delete.id,
        exercise_to_delete=exercise().id, activity_to_delete=activity(),
        action_to_delete=manual_action())
    db.session.commit()
    return ids


@dataclass
class Ids:
    establishments: dict[str, int]
    drafts: dict[str, int]  # 2026 campaign, every answer given, not submitted
    submitted: dict[str, int]  # 2025 campaign, submitted
    start_campaign: int  # open national campaign the drafts belong to
    to_close: dict[str, int]  # campaigns closed by the close_campaign row
    section: str
    section_data: dict[str, Any]
    registers: dict[str, RegisterIds]
    last_audit_event: int  # the last event of the world's making
    emails: dict[str, str]


def build_world() -> Ids:
    world = make_world()
    editor = world.users["editor"]
    scopes = {"own": world.own, "same_region": world.same_region,
              "other_region": world.other_region}
    last_year = factories.campaign(2025)
    db.session.commit()
    submitted = {name: submitted_assessment(last_year, est, editor).id
                 for name, est in scopes.items()}
    # The 2026 drafts start from last year's answers: complete, ready to submit.
    drafts = {name: services.start_assessment(world.campaign, est, editor).id
              for name, est in scopes.items()}
    to_close = {
        "national": factories.campaign(2027, name="Campagne nationale à clore").id,
        "region53": factories.campaign(2026, region="53", name="Campagne Bretagne à clore").id,
        "region11": factories.campaign(2026, region="11", name="Campagne IDF à clore").id,
    }
    questionnaire = services.questionnaire_of_campaign(world.campaign)
    section = questionnaire.sections[0]
    register_ids = {name: build_registers(est, editor) for name, est in scopes.items()}
    ids = Ids(
        establishments={name: est.id for name, est in scopes.items()},
        drafts=drafts, submitted=submitted, start_campaign=world.campaign.id,
        to_close=to_close, section=section.id, section_data=section_fields(section, level=3),
        registers=register_ids,
        last_audit_event=db.session.scalar(select(func.max(AuditEvent.id))) or 0,
        emails={role: world.email(role) for role in ROLES},
    )
    db.session.commit()
    return ids


REGION_OF_VARIANT = {"national": "", "region53": "53", "region11": "11"}

# Register rows in URLs: endpoint → (URL parameter, field of RegisterIds).
REGISTER_OBJECT = {
    "resilience.exercise": ("exercise_id", "exercise"),
    "resilience.add_finding": ("exercise_id", "exercise"),
    "resilience.send_finding": ("finding_id", "finding"),
    "resilience.activity": ("activity_id", "activity"),
    "roadmap.edit": ("action_id", "action"),
    "roadmap.mark_done": ("action_id", "sent_action"),
    "resilience.delete_finding": ("finding_id", "finding_to_delete"),
    "resilience.delete_exercise": ("exercise_id", "exercise_to_delete"),
    "resilience.delete_activity": ("activity_id", "activity_to_delete"),
    "roadmap.delete": ("action_id", "action_to_delete"),
}
# Valid forms: the editor's POST on `own` is saved (each differs from what the world holds).
EXERCISE_FORM = {
    "status": "held", "held_on": HELD_ON.isoformat(), "type": "functional",
    "kit_level": "intermediate", "scenario": "ehr_outage",
    "functions": ["direction", "medical", "it"], "duration_hours": "3,5",
    "objectives": "Basculer en mode dégradé", "retex_on": (HELD_ON + dt.timedelta(days=7)).isoformat(),
    "retex_summary": "Annuaire de crise obsolète."}
ACTIVITY_FORM = {
    "kind": "care_service", "name": "Urgences adultes", "bia_done": "y", "rto_hours": "4",
    "rpo_hours": "1", "degraded_procedure": "y", "pca_status": "formalised",
    "pra_status": "in_progress", "last_test_on": "", "last_test_result": ""}
ACTION_FORM = {
    "title": "Mettre à jour l'annuaire de crise", "priority": "P1",
    "owner": "Cadre de santé de garde", "due_on": "2027-03-31", "status": "in_progress",
    "abandon_reason": "", "comment": "Point en comité de direction."}
REGISTER_FORMS: dict[str, dict[str, Any]] = {
    "resilience.new_exercise": EXERCISE_FORM,
    "resilience.exercise": EXERCISE_FORM,
    "resilience.add_finding": {"text": "Numéros d'astreinte introuvables"},
    "resilience.continuity": {
        "pssi_reviewed_on": "2025-03-15", "continuity_lead": "Directeur des soins",
        "plan_blanc_digital_on": "", "crisis_cell_defined": "yes", "test_schedule_defined": "no",
        "backup_policy": "yes", "backup_321": "", "backup_mfa": "",
        "backup_isolable": "", "backup_monitored": "", "restore_tested_on": "2025-09-01",
        "restore_test_result": "partial"},
    "resilience.new_activity": {**ACTIVITY_FORM, "name": "Facturation",
                                "kind": "administrative", "most_critical": "y"},
    "resilience.activity": ACTIVITY_FORM,
    "roadmap.new": {**ACTION_FORM, "title": "Sensibiliser les internes", "status": "todo",
                    "axis_id": "", "domain": ""},
    "roadmap.edit": ACTION_FORM,
}
# Forms carrying the revision they were opened at: endpoint → (model, field of RegisterIds).
REVISIONED: dict[str, tuple[type, str]] = {
    "resilience.exercise": (CrisisExercise, "exercise"),
    "resilience.continuity": (ContinuityProfile, "profile"),
    "resilience.activity": (CriticalActivity, "activity"),
    "roadmap.edit": (RoadmapAction, "action"),
    "roadmap.mark_done": (RoadmapAction, "sent_action"),
}


def current_revision(model: type, object_id: int) -> int:
    """Read when the row is tried: earlier rows of the walk may have saved the object."""
    db.session.expire_all()
    return db.session.get(model, object_id).revision


def request_for(row: Row, variant: str, ids: Ids) -> tuple[str, dict[str, Any]]:
    """The URL and the form data (without CSRF token) of one try of `row`."""
    args: dict[str, Any] = {}
    data: dict[str, Any] = {}
    match row.key:
        case ("organisations.show" | "reports.roadmap", _):
            args = {"establishment_id": ids.establishments[variant]}
        case ("assessments.start", _):
            args = {"establishment_id": ids.establishments[variant],
                    "campaign_id": ids.start_campaign}
        case ("assessments.results" | "assessments.reopen" | "reports.establishment", method):
            args = {"assessment_id": ids.submitted[variant]}
            if row.endpoint == "assessments.reopen" and method == "POST":
                data = {"reason": "Réponses de l'axe 3 à revoir"}  # required (else 400)
        case ("assessments.section", method):
            args = {"assessment_id": ids.drafts[variant], "section_id": ids.section}
            data = ids.section_data if method == "POST" else {}
        case (("assessments.overview" | "assessments.next_unanswered" | "assessments.submit"), method):
            args = {"assessment_id": ids.drafts[variant]}
            if row.endpoint == "assessments.submit" and method == "POST":
                data = {"carried_checked": "y"}  # the drafts carry last year's answers
        case ("api_establishments.results" | "api_establishments.registers", _):
            args = {"establishment_id": ids.establishments[variant]}
            if row.endpoint == "api_establishments.results":
                args["campaign"] = ids.start_campaign
        case ("api_aggregates.region_summary", _):
            args = {"code": variant, "campaign_id": ids.start_campaign}
        case ("api_aggregates.national_summary", _):
            args = {"campaign_id": ids.start_campaign}
        case ("api_tokens.create", _):
            data = {"name": "Script de suivi", "lifetime": "90"}
        case ("api_tokens.revoke", _):
            args = {"token_id": 2**31 - 1}
        case ("rollups.region", _):
            args = {} if variant == "default" else {"code": variant}
        case (("downloads.establishments_csv" | "downloads.establishments_xlsx"
               | "downloads.table_csv" | "downloads.table_xlsx" | "downloads.followup_csv"
               | "downloads.followup_xlsx" | "downloads.scores_csv" | "downloads.scores_xlsx"
               | "reports.region"), _):
            args = {"code": variant}
        case (("assessments.close_campaign" | "assessments.reopen_campaign"), _):
            args = {"campaign_id": ids.to_close[variant]}
        case ("assessments.new_campaign", "POST"):
            data = {"name": f"Campagne 2028 {variant}", "year": "2028",
                    "questionnaire": "care@1.0.0", "opens_on": "2028-01-15",
                    "deadline": "2028-11-30", "region_code": REGION_OF_VARIANT[variant]}
        case ("auth.login", "POST"):
            data = {"email": "rssi@test.fr", "password": "not-the-password"}
        case ("auth.set_language", _):
            data = {"lang": "fr", "next": "/etablissements/"}
        case (endpoint, method) if endpoint.startswith(("resilience.", "roadmap.")):
            objects = ids.registers[variant]
            args = {"establishment_id": ids.establishments[variant]}
            if endpoint in REGISTER_OBJECT:
                parameter, name = REGISTER_OBJECT[endpoint]
                args[parameter] = getattr(objects, name)
            if method == "POST":
                data = dict(REGISTER_FORMS.get(endpoint, {}))
                if endpoint in REVISIONED:
                    model, name = REVISIONED[endpoint]
                    data["revision"] = str(current_revision(model, getattr(objects, name)))
    return current_app.url_map.bind("localhost").build(row.endpoint, args), data


def fingerprint() -> tuple[Any, ...]:
    """Enough of the database to notice that a refused request changed something."""
    return (
        db.session.execute(select(Campaign.id, Campaign.status).order_by(Campaign.id)).all(),
        db.session.execute(select(Assessment.id, Assessment.status).order_by(Assessment.id)).all(),
        db.session.execute(select(func.count(Answer.id), func.max(Answer.updated_at))).one(),
        # registers: every UPDATE raises a row's revision (optimistic locking)
        *(db.session.execute(select(model.id, model.revision).order_by(model.id)).all()
          for model in (CrisisExercise, ContinuityProfile, CriticalActivity, RoadmapAction)),
        db.session.execute(select(ExerciseFinding.id, ExerciseFinding.action_id)
                           .order_by(ExerciseFinding.id)).all(),
    )


def token(client: FlaskClient, anonymous: bool) -> str:
    page = client.get("/connexion" if anonymous else "/etablissements/")
    assert page.status_code == 200, "no page to read a CSRF token from"
    return csrf_from(page.get_data(as_text=True))


def outcome(response: Any) -> int | str:
    if response.status_code == 302:
        location = response.headers["Location"]
        return LOGIN if location.split("?")[0].endswith("/connexion") else REDIRECT
    return response.status_code


def tries(row: Row, case: str) -> Iterator[tuple[str, Expected]]:
    expected = row.expect[case]
    for index, variant in enumerate(VARIANTS[row.target]):
        yield variant, expected[index] if isinstance(expected, tuple) else expected


def walk(browser, case: str, ids: Ids) -> list[str]:  # noqa: ANN001
    anonymous = case == "anonymous"
    client = browser.client
    failures = []
    for row in MATRIX:
        for variant, expected in tries(row, case):
            url, data = request_for(row, variant, ids)
            if row.method == "GET":
                response = client.get(url)
            else:
                before = fingerprint()
                response = client.post(url, data={"csrf_token": token(client, anonymous), **data})
                refused = expected in (FORBIDDEN, NOT_FOUND, LOGIN) and row.endpoint != "auth.logout"
                if refused and fingerprint() != before:
                    failures.append(f"{row.method} {url} ({variant}): refused but the "
                                    "database changed")
            got = outcome(response)
            if got != expected:
                failures.append(f"{row.method} {row.endpoint} {url} ({variant}): expected "
                                f"{expected}, got {got}")
    return failures


# The editor's register rows on `own`, as the audit log tells them ("<action> <object>", the
# object a field of RegisterIds or "new"): a redirect alone does not prove the change was made
# (marking done, or deleting a generated action, redirect with a message when refused).
EDITOR_REGISTER_CHANGES = {f"own {change}" for change in (
    "exercise.create new", "exercise.update exercise", "finding.create new",
    "roadmap.create new",  # the finding sent, the new manual action
    "continuity.update profile", "activity.create new", "activity.update activity",
    "roadmap.update action", "roadmap.update sent_action",  # edited, marked done
    "finding.delete finding_to_delete", "exercise.delete exercise_to_delete",
    "activity.delete activity_to_delete", "roadmap.delete action_to_delete",
)}

# What the accepted changes of each walk leave behind (the other cases change nothing):
# drafts submitted, last year's submissions reopened, campaigns closed, 2028 campaigns opened,
# register changes.
EFFECTS: dict[str, dict[str, set[str]]] = {
    "editor": {"submitted": {"own"}, "reopened": set(), "closed": set(), "opened": set(),
               "registers": EDITOR_REGISTER_CHANGES},
    "ars": {"submitted": set(), "reopened": {"own", "same_region"}, "closed": {"region53"},
            "opened": {"region53"}, "registers": set()},
    "ars_other": {"submitted": set(), "reopened": {"other_region"}, "closed": {"region11"},
                  "opened": {"region11"}, "registers": set()},
    "admin": {"submitted": set(), "reopened": {"own", "same_region", "other_region"},
              "closed": {"national", "region53", "region11"},
              "opened": {"national", "region53", "region11"}, "registers": set()},
}
NO_EFFECT = {"submitted": set(), "reopened": set(), "closed": set(), "opened": set(),
             "registers": set()}
REGISTER_EVENTS = ("exercise.", "finding.", "continuity.", "activity.", "roadmap.")


def effects(ids: Ids) -> dict[str, set[str]]:
    db.session.expire_all()
    status = {a.id: a.status.value for a in db.session.scalars(select(Assessment))}
    campaigns = db.session.scalars(select(Campaign)).all()
    region_variant = {code or None: name for name, code in REGION_OF_VARIANT.items()}
    return {
        "submitted": {s for s, i in ids.drafts.items() if status[i] == "submitted"},
        "reopened": {s for s, i in ids.submitted.items() if status[i] == "draft"},
        "closed": {s for s, i in ids.to_close.items()
                   if db.session.get(Campaign, i).status.value == "closed"},
        "opened": {region_variant[c.region_code] for c in campaigns if c.year == 2028},
        "registers": register_changes(ids),
    }


def register_changes(ids: Ids) -> set[str]:
    """The register events audited since the world was made (a regeneration of the roadmap,
    which follows many changes, is left out)."""
    variant_of = {i: name for name, i in ids.establishments.items()}
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.id > ids.last_audit_event, AuditEvent.action != "roadmap.regenerate"))
    changes = set()
    for event in events:
        if event.action.startswith(REGISTER_EVENTS):
            variant = variant_of[event.establishment_id]
            name = ids.registers[variant].names().get((event.object_type, event.object_id), "new")
            changes.add(f"{variant} {event.action} {name}")
    return changes


@pytest.mark.parametrize("case", CASES)
def test_access_matrix(app, browser, backend: str, case: str) -> None:  # noqa: ANN001
    # Tried on each database chosen by --db (both by default): the rules hold on each.
    assert db.engine.dialect.name == backend
    ids = build_world()
    if case != "anonymous":
        response = browser.login(ids.emails[case], factories.PASSWORD)
        assert outcome(response) == REDIRECT, f"login of {case} failed"
    failures = walk(browser, case, ids)
    if (done := effects(ids)) != (wanted := EFFECTS.get(case, NO_EFFECT)):
        failures.append(f"changes made: {done}, expected {wanted}")
    assert not failures, f"{case}: {len(failures)} mismatch(es):\n" + "\n".join(failures)
    # The session really ended with the last row (logout).
    assert outcome(browser.client.get("/etablissements/")) == LOGIN


# -- CSRF -----------------------------------------------------------------------------------------

def _allowed_case(row: Row) -> tuple[str, str]:
    """A case and variant for which `row` is accepted: only the token will be missing."""
    for case in CASES:
        for variant, expected in tries(row, case):
            if expected in (OK, REDIRECT):
                return case, variant
    for case in ROLES:  # logout: accepted means back to the login page
        return case, VARIANTS[row.target][0]
    raise AssertionError("unreachable")


def test_a_post_without_a_valid_csrf_token_is_refused(app, browser) -> None:  # noqa: ANN001
    ids = build_world()
    failures = []
    for row in (r for r in MATRIX if r.method == "POST"):
        case, variant = _allowed_case(row)
        if case == "anonymous":
            browser.client.post("/deconnexion", data={"csrf_token": browser.token()})
        else:
            browser.login(ids.emails[case], factories.PASSWORD)
        url, data = request_for(row, variant, ids)
        for label, payload in (("no token", data), ("forged token", {**data, "csrf_token": "x" * 40})):
            before = fingerprint()
            response = browser.client.post(url, data=payload)
            if response.status_code != 400:
                failures.append(f"{case} POST {url} with {label}: expected 400, "
                                f"got {response.status_code}")
            if fingerprint() != before:
                failures.append(f"{case} POST {url} with {label}: the database changed")
        # Still logged in: the refused logout did not end the session.
        if case != "anonymous":
            assert outcome(browser.client.get("/etablissements/")) != LOGIN
    assert not failures, "\n".join(failures)


# -- around the matrix ---------------------------------------------------------------------------

LISTED = {
    "editor": {"own"}, "reader": {"own"}, "ars": {"own", "same_region"},
    "grades": {"own", "same_region"}, "ars_other": {"other_region"},
    "national": {"own", "same_region", "other_region"},
    "admin": {"own", "same_region", "other_region"},
}


def test_the_establishment_list_shows_exactly_what_each_role_may_open(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    names = {"own": world.own.name, "same_region": world.same_region.name,
             "other_region": world.other_region.name}
    for role, expected in LISTED.items():
        browser.login(world.email(role), factories.PASSWORD)
        html = browser.client.get("/etablissements/").get_data(as_text=True)
        shown = {scope for scope, name in names.items() if name in html}
        assert shown == expected, f"{role} sees {shown}"


def test_starting_needs_a_campaign_of_the_establishment_region(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    elsewhere = factories.campaign(2026, region="11", name="Campagne IDF")
    db.session.commit()
    browser.login(world.email("editor"), factories.PASSWORD)
    page = f"/etablissements/{world.own.id}"
    assert browser.post(f"{page}/campagnes/{elsewhere.id}/evaluation").status_code == 404
    assert browser.post(f"{page}/campagnes/999999/evaluation").status_code == 404
    assert db.session.scalars(select(Assessment)).all() == []


def test_unknown_objects_answer_404_even_to_the_administrator(app, browser) -> None:  # noqa: ANN001
    world = make_world()
    own = services.start_assessment(world.campaign, world.own, world.users["editor"])
    db.session.commit()
    for who in ("admin", "editor"):
        browser.login(world.email(who), factories.PASSWORD)
        for url in ("/etablissements/999999", "/evaluations/999999",
                    "/evaluations/999999/resultats", f"/evaluations/{own.id}/sections/XXX-NOPE"):
            assert browser.client.get(url).status_code == 404, (who, url)
    browser.login(world.email("admin"), factories.PASSWORD)
    assert browser.post("/campagnes/999999/cloturer").status_code == 404


def test_a_register_row_of_another_establishment_is_not_found_under_ones_own(app, browser) -> None:  # noqa: ANN001
    """The matrix tries each register row under its own establishment; an editor who puts the
    id of another establishment's row under their own establishment gets 404 too."""
    ids = build_world()
    browser.login(ids.emails["editor"], factories.PASSWORD)
    urls = current_app.url_map.bind("localhost")
    failures = []
    for row in (r for r in MATRIX if r.target == "register"):
        parameter, name = REGISTER_OBJECT[row.endpoint]
        for elsewhere in ("same_region", "other_region"):
            url = urls.build(row.endpoint, {"establishment_id": ids.establishments["own"],
                                            parameter: getattr(ids.registers[elsewhere], name)})
            before = fingerprint()
            if row.method == "GET":
                response = browser.client.get(url)
            else:
                response = browser.post(url, request_for(row, elsewhere, ids)[1])
            if response.status_code != 404 or fingerprint() != before:
                failures.append(f"{row.method} {url} ({elsewhere}'s row): "
                                f"{response.status_code}, changed: {fingerprint() != before}")
    assert not failures, "\n".join(failures)
