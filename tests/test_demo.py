"""`flask seed-demo`: a usable demo world, one account per role, loaded twice without change."""

from __future__ import annotations

import contextvars
import datetime as dt
import re
import secrets
from collections import Counter

from cryptography.fernet import Fernet
from sqlalchemy import func, select

from careapp import create_app
from careapp.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Campaign,
    CampaignStatus,
    ScoreSnapshot,
)
from careapp.auth.models import MFA_ROLES, Role, User, memberships
from careapp.db import db
from careapp.demo import DEMO_PASSWORD
from careapp.organisations.finess import finess_error
from careapp.organisations.models import Establishment, Ght
from careapp.questionnaires.models import QuestionnaireVersion

COUNTED = (Establishment, Ght, User, memberships, Campaign, Assessment, Answer, ScoreSnapshot,
           QuestionnaireVersion)



def seed(app):  # noqa: ANN001, ANN201
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def counts() -> dict[str, int]:
    out = {}
    for model in COUNTED:
        table = getattr(model, "__table__", model)
        out[table.name] = db.session.scalar(select(func.count()).select_from(table))
    return out


def test_seed_demo_builds_a_world_to_try_every_role(app, browser) -> None:  # noqa: ANN001
    result = seed(app)

    users = db.session.scalars(select(User)).all()
    assert {u.role for u in users} == set(Role)  # one account per role at least
    ars_regions = sorted(u.region_code for u in users if u.role is Role.ARS)
    assert ars_regions == ["11", "53"]  # a second ARS, to show what another region cannot see
    assert all(u.region_code for u in users if u.role is Role.GRADES)
    for user in users:
        assert user.email in result.output, f"{user.email} not printed"
    assert DEMO_PASSWORD in result.output

    establishments = db.session.scalars(select(Establishment)).all()
    assert 35 <= len(establishments) <= 45
    for establishment in establishments:
        assert finess_error(establishment.finess_et) is None, establishment.finess_et
        assert finess_error(establishment.finess_ej) is None, establishment.finess_ej
    assert len({e.finess_et for e in establishments}) == len(establishments)
    assert {e.region_code for e in establishments} >= {"53", "11"}

    this_year = dt.date.today().year
    campaigns = {c.year: c for c in db.session.scalars(select(Campaign))}
    assert sorted(campaigns) == [this_year - 1, this_year]
    assert campaigns[this_year - 1].status is CampaignStatus.CLOSED
    assert campaigns[this_year].status is CampaignStatus.OPEN
    # last year on v1, this year on v2: the demo shows the carry-over and the like-for-like change
    assert campaigns[this_year - 1].questionnaire_version.version == "1.0.0"
    assert campaigns[this_year].questionnaire_version.version == "2.0.0"

    current = campaigns[this_year]
    states = Counter(
        (a.status if a else None)
        for a in (db.session.scalar(select(Assessment).filter_by(
            campaign_id=current.id, establishment_id=e.id)) for e in establishments)
    )
    assert states[None] > 0, "no establishment left to start this year's assessment"
    assert states[AssessmentStatus.DRAFT] > 0
    assert states[AssessmentStatus.SUBMITTED] > 0
    submitted = db.session.scalars(select(Assessment).filter_by(
        status=AssessmentStatus.SUBMITTED)).all()
    assert all(a.snapshot is not None and a.snapshot.overall is not None for a in submitted)
    drafts = db.session.scalars(select(Assessment).filter_by(status=AssessmentStatus.DRAFT)).all()
    assert all(a.answers for a in drafts), "a draft without any answer"

    # The demo RSSI's establishments are not started this year: their first step is to start.
    rssi = db.session.scalar(select(User).filter_by(role=Role.EDITOR))
    assert rssi.establishments
    for establishment in rssi.establishments:
        assert db.session.scalar(select(Assessment).filter_by(
            campaign_id=current.id, establishment_id=establishment.id)) is None

    # Every printed account can log in with the printed password; accounts that see more than
    # their establishments are then asked to set up their second factor.
    for email, role in re.findall(r"^\s+(\S+@\S+)\s+(\w+)", result.output, flags=re.MULTILINE):
        response = browser.login(email, DEMO_PASSWORD)
        assert response.status_code == 302, email
        if Role(role) in MFA_ROLES:
            assert response.headers["Location"].endswith("/connexion/second-facteur"), email
        else:
            assert "/connexion" not in response.headers["Location"], email


def test_seed_demo_twice_changes_nothing(app) -> None:  # noqa: ANN001
    first = seed(app)
    before = counts()
    names = {e.finess_et: (e.name, e.ght_id, e.region_code)
             for e in db.session.scalars(select(Establishment))}
    statuses = {a.id: a.status for a in db.session.scalars(select(Assessment))}

    second = seed(app)
    assert counts() == before
    assert {e.finess_et: (e.name, e.ght_id, e.region_code)
            for e in db.session.scalars(select(Establishment))} == names
    assert {a.id: a.status for a in db.session.scalars(select(Assessment))} == statuses
    assert second.output == first.output


def test_seed_demo_is_refused_in_production(app, tmp_path) -> None:  # noqa: ANN001
    """The demo accounts' password is published: `flask seed-demo` creates nothing in
    production, says why in French and exits non-zero."""
    production = create_app({
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "ENV_NAME": "production", "SECRET_KEY": secrets.token_hex(32),
        "TOTP_KEYS": Fernet.generate_key().decode(),
    })
    production.instance_path = str(tmp_path)
    before = counts()

    def run_in_production():  # noqa: ANN202 - as `flask seed-demo` does: in that app's context
        with production.app_context():
            return production.test_cli_runner().invoke(args=["seed-demo"])

    result = contextvars.Context().run(run_in_production)
    assert result.exit_code != 0
    assert "refusé en production" in result.output
    assert DEMO_PASSWORD not in result.output
    db.session.expire_all()
    assert counts() == before
    assert db.session.scalar(select(User).where(User.email.like("%@demo.care.fr"))) is None
