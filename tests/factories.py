"""Small builders for test data. They use the services, like the app, and flush."""

from __future__ import annotations

import datetime as dt
import itertools

from careapp.assessments import services
from careapp.assessments.models import Campaign
from careapp.auth.models import MFA_ROLES, Role, User
from careapp.auth.services import upsert_user
from careapp.db import db
from careapp.organisations.finess import make_finess
from careapp.organisations.models import Establishment, Ght, Sector

PASSWORD = "correct-horse-battery-staple"  # long enough for every role (admins: 16)
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # accounts that need a second factor have it
_serial = itertools.count(1000)


def establishment(region: str = "53", *, name: str | None = None, ght: Ght | None = None,
                  sector: Sector = Sector.PUBLIC, category: str = "CH") -> Establishment:
    serial = next(_serial)
    dept = {"53": "35", "11": "75", "76": "31", "94": "2A"}.get(region, "35")
    finess = make_finess(dept, serial)
    est = Establishment(finess_et=finess, finess_ej=finess, name=name or f"Établissement {serial}",
                        category=category, sector=sector, region_code=region, ght=ght, city="")
    db.session.add(est)
    db.session.flush()
    return est


def user(role: Role, email: str | None = None, *, region: str | None = None,
         establishments: list[Establishment] | None = None) -> User:
    email = email or f"{role.value}{next(_serial)}@example.fr"
    account = upsert_user(email, f"Test {role.value}", role, PASSWORD, region_code=region,
                          establishments=establishments)
    if role in MFA_ROLES:
        account.totp_secret = TOTP_SECRET
    return account


def campaign(year: int = 2026, *, region: str | None = None, version: str = "1.0.0",
             name: str | None = None) -> Campaign:
    return services.open_campaign(
        name=name or f"Campagne {year}", year=year, questionnaire_key="care",
        questionnaire_version=version, opens_on=dt.date(year, 1, 1),
        deadline=dt.date(year, 12, 31), region_code=region, created_by=None,
    )
