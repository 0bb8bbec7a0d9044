"""Benchmark accounts for a synthetic nation (`bench-data --with-users N`), never in production.

HTTP load benchmarks (bench/bench_http.py) log in through the real password and TOTP steps. A
TOTP code is accepted once per account (careapp.auth.mfa), so concurrent simulated users each
need an account of their own: N of each kind, all with the password and the TOTP secret given
on the command line (one secret is enough: replay is refused per account).

- `rssi-<i>@bench.care.fr`: editor of the i-th establishment having a draft assessment in the
  open campaign (the questionnaire section page and its save);
- `ars-<region>-<i>@bench.care.fr`: ARS correspondent of each region;
- `national-<i>@bench.care.fr`: national staff.

The password is hashed once for all accounts (hashing costs ~0.1 s each on purpose).
"""

from __future__ import annotations

from typing import Any

import pyotp
from sqlalchemy import func, select

from careapp.assessments.models import Assessment, AssessmentStatus, Campaign, CampaignStatus
from careapp.assessments.services import questionnaire_of_campaign
from careapp.auth.models import Role, User
from careapp.auth.passwords import hash_password, password_problem
from careapp.db import db
from careapp.organisations.models import Establishment, Region

DOMAIN = "bench.care.fr"


class BenchUsersError(ValueError):
    pass


def check(password: str, totp_secret: str) -> None:
    problem = password_problem(password, 12)
    if problem:
        raise BenchUsersError(str(problem))
    try:
        pyotp.TOTP(totp_secret).now()
    except (ValueError, TypeError) as exc:  # binascii.Error is a ValueError
        raise BenchUsersError("secret TOTP invalide (base32 attendu, "
                              "par exemple pyotp.random_base32()).") from exc


def create_users(per_kind: int, password: str, totp_secret: str) -> dict[str, Any]:
    """Create the accounts (the caller commits); returns the manifest the load test reads:
    password-free, it lists emails, assessment ids and the first section id."""
    check(password, totp_secret)
    campaign = db.session.scalar(
        select(Campaign).where(Campaign.status == CampaignStatus.OPEN,
                               Campaign.region_code.is_(None)).order_by(Campaign.year.desc()))
    if campaign is None:
        raise BenchUsersError("aucune campagne nationale ouverte : lancez bench-data d'abord.")
    drafts = db.session.execute(
        select(Assessment.id, Assessment.establishment_id)
        .where(Assessment.campaign_id == campaign.id, Assessment.status == AssessmentStatus.DRAFT)
        .order_by(Assessment.establishment_id).limit(per_kind)).all()
    if len(drafts) < per_kind:
        raise BenchUsersError(f"{len(drafts)} évaluations en cours seulement pour {per_kind} "
                              "comptes RSSI.")
    hashed = hash_password(password)
    regions = list(db.session.scalars(select(Region.code).order_by(Region.code)))

    def account(email: str, name: str, role: Role, **extra: Any) -> User:
        user = User(email=email, name=name, role=role, password_hash=hashed,
                    totp_secret=totp_secret, **extra)
        db.session.add(user)
        return user

    rssi = []
    for index, (assessment_id, establishment_id) in enumerate(drafts):
        email = f"rssi-{index}@{DOMAIN}"
        account(email, f"RSSI bench {index}", Role.EDITOR,
                establishments=[db.session.get(Establishment, establishment_id)])
        rssi.append({"email": email, "assessment": assessment_id})
    ars: dict[str, list[str]] = {}
    for code in regions:
        ars[code] = []
        for index in range(per_kind):
            email = f"ars-{code}-{index}@{DOMAIN}"
            account(email, f"ARS bench {code} {index}", Role.ARS, region_code=code)
            ars[code].append(email)
    national = [f"national-{index}@{DOMAIN}" for index in range(per_kind)]
    for index, email in enumerate(national):
        account(email, f"National bench {index}", Role.NATIONAL)
    db.session.flush()
    establishments = dict(db.session.execute(
        select(Establishment.region_code, func.count()).group_by(Establishment.region_code)
    ).all())
    sections = [s.id for s in questionnaire_of_campaign(campaign).sections]
    return {"campaign": campaign.id, "sections": sections, "rssi": rssi, "ars": ars,
            "national": national, "establishments_per_region": establishments}
