"""Who may see and change what. Every view goes through these helpers.

Existence of another organisation's data is itself sensitive: an establishment or assessment
outside the person's scope answers 404; a visible object the person may not change answers 403.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from careapp.assessments.models import Campaign
from careapp.auth.models import ESTABLISHMENT_ROLES, REGIONAL_ROLES, Role, User, memberships
from careapp.db import db
from careapp.organisations.models import Establishment, Region


def visible_establishments(user: User) -> Select[tuple[Establishment]]:
    query = select(Establishment).order_by(Establishment.name)
    if user.role in ESTABLISHMENT_ROLES:
        return query.join(memberships, memberships.c.establishment_id == Establishment.id).where(
            memberships.c.user_id == user.id)
    if user.role in REGIONAL_ROLES:
        return query.where(Establishment.region_code == user.region_code)
    return query


def can_view(user: User, establishment: Establishment) -> bool:
    if user.role in ESTABLISHMENT_ROLES:
        return any(e.id == establishment.id for e in user.establishments)
    if user.role in REGIONAL_ROLES:
        return establishment.region_code == user.region_code
    return user.role in {Role.NATIONAL, Role.ADMIN}


def can_edit(user: User, establishment: Establishment) -> bool:
    return user.role is Role.EDITOR and can_view(user, establishment)


def can_reopen_in_region(user: User, region_code: str) -> bool:
    return (user.role is Role.ARS and region_code == user.region_code) or user.role is Role.ADMIN


def can_reopen(user: User, establishment: Establishment) -> bool:
    return can_reopen_in_region(user, establishment.region_code)


def can_manage_campaigns(user: User, region_code: str | None) -> bool:
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.ARS and region_code is not None and region_code == user.region_code


def can_see_campaign(user: User, campaign: Campaign) -> bool:
    """National campaigns concern everyone; a regional one, the people of its region."""
    if campaign.region_code is None or user.role in {Role.NATIONAL, Role.ADMIN}:
        return True
    if user.role in ESTABLISHMENT_ROLES:
        return any(e.region_code == campaign.region_code for e in user.establishments)
    if user.role in REGIONAL_ROLES:
        return campaign.region_code == user.region_code
    return False


def visible_region_codes(user: User) -> list[str] | None:
    """Regions whose dashboards the person may see; None means all of them."""
    if user.role in REGIONAL_ROLES:
        return [user.region_code] if user.region_code else []
    if user.role in {Role.NATIONAL, Role.ADMIN}:
        return None
    return []


def get_region_or_404(code: str) -> Region:
    """A region whose dashboard the person may see: 403 for whoever sees none, 404 for a
    region outside the person's (or unknown)."""
    allowed = visible_region_codes(current_user)
    if allowed == []:
        abort(403)
    region = db.session.get(Region, code)
    if region is None or (allowed is not None and code not in allowed):
        abort(404)
    return region


def get_establishment_or_404(establishment_id: int, *, edit: bool = False) -> Establishment:
    establishment = db.session.get(Establishment, establishment_id)
    if establishment is None or not can_view(current_user, establishment):
        abort(404)
    if edit and not can_edit(current_user, establishment):
        abort(403)
    return establishment


def get_campaign_or_404(campaign_id: int, *, manage: bool = False) -> Campaign:
    """404 for a campaign of another region (its existence is not disclosed), 403 for a
    campaign the person sees but may not open, close or reopen."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not can_see_campaign(current_user, campaign):
        abort(404)
    if manage and not can_manage_campaigns(current_user, campaign.region_code):
        abort(403)
    return campaign


# -- registers (exercises, PCA/PRA) and roadmap -----------------------------------------------
# They stay inside the establishment: its members see them, its editors change them. The ARS of
# the region sees a read-only summary (exercise status, D2 readiness, roadmap progress) only.

def is_member(user: User, establishment: Establishment) -> bool:
    return user.role in ESTABLISHMENT_ROLES and can_view(user, establishment)


def can_see_register_summaries_of_region(user: User, region_code: str) -> bool:
    """The registers' summary of every establishment of a region: its ARS only."""
    return user.role is Role.ARS and region_code == user.region_code


def can_see_register_summary(user: User, establishment: Establishment) -> bool:
    return is_member(user, establishment) or can_see_register_summaries_of_region(
        user, establishment.region_code)


def get_registers_or_404(establishment_id: int, *, edit: bool = False) -> Establishment:
    """The establishment whose registers are asked for: 404 outside the person's scope, 403
    for those who see the establishment but not its registers (or may not change them)."""
    establishment = get_establishment_or_404(establishment_id)
    if not is_member(current_user, establishment):
        abort(403)
    if edit and not can_edit(current_user, establishment):
        abort(403)
    return establishment
