"""Each rule of careapp/auth/access.py on its own, for every role × scope (no database).

The routes check scope before anything else (`get_establishment_or_404`…), so a rule that
forgets the scope (`can_edit` without `can_view`, a register summary for an ARS of any
region, a reopening right in every region) changes nothing a request can see today, and the
access matrix cannot notice it. A view that one day calls the rule without the scope check
would leak: each rule must be right by itself.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import careapp.models  # noqa: F401 - every model mapped, so transient objects can be built
from careapp.assessments.models import Campaign
from careapp.auth import access
from careapp.auth.models import Role, User
from careapp.organisations.models import Establishment

T, F = True, False
ROLES = ("editor", "reader", "ars", "grades", "ars_other", "national", "admin")


def world() -> tuple[dict[str, User], dict[str, Establishment], dict[str, Campaign]]:
    establishments = {
        "own": Establishment(id=1, name="own", region_code="53"),
        "same_region": Establishment(id=2, name="same_region", region_code="53"),
        "other_region": Establishment(id=3, name="other_region", region_code="11"),
    }

    def user(role: Role, region: str | None = None, members_of: tuple[str, ...] = ()) -> User:
        account = User(email=f"{role.value}{region}@test.fr", name=role.value, role=role,
                       region_code=region)
        account.establishments = [establishments[name] for name in members_of]
        return account

    users = {
        "editor": user(Role.EDITOR, members_of=("own",)),
        "reader": user(Role.READER, members_of=("own",)),
        "ars": user(Role.ARS, "53"), "grades": user(Role.GRADES, "53"),
        "ars_other": user(Role.ARS, "11"),
        "national": user(Role.NATIONAL), "admin": user(Role.ADMIN),
    }
    campaigns = {"national": Campaign(region_code=None), "region53": Campaign(region_code="53"),
                 "region11": Campaign(region_code="11")}
    return users, establishments, campaigns


ESTABLISHMENT_SCOPES = ("own", "same_region", "other_region")
CAMPAIGN_SCOPES = ("national", "region53", "region11")
REGION_CODE = {"national": None, "region53": "53", "region11": "11"}

# rule → role → one answer per scope (own, same_region, other_region), or per campaign
# (national, region 53, region 11) for the campaign rules.
ON_ESTABLISHMENTS: dict[str, tuple[Callable, dict[str, tuple[bool, ...]]]] = {
    "can_view": (access.can_view, {
        "editor": (T, F, F), "reader": (T, F, F), "ars": (T, T, F), "grades": (T, T, F),
        "ars_other": (F, F, T), "national": (T, T, T), "admin": (T, T, T)}),
    "can_edit": (access.can_edit, {
        "editor": (T, F, F), "reader": (F, F, F), "ars": (F, F, F), "grades": (F, F, F),
        "ars_other": (F, F, F), "national": (F, F, F), "admin": (F, F, F)}),
    "is_member": (access.is_member, {
        "editor": (T, F, F), "reader": (T, F, F), "ars": (F, F, F), "grades": (F, F, F),
        "ars_other": (F, F, F), "national": (F, F, F), "admin": (F, F, F)}),
    # the members see the registers, the region's ARS their summary; nobody else
    "can_see_register_summary": (access.can_see_register_summary, {
        "editor": (T, F, F), "reader": (T, F, F), "ars": (T, T, F), "grades": (F, F, F),
        "ars_other": (F, F, T), "national": (F, F, F), "admin": (F, F, F)}),
    "can_reopen": (access.can_reopen, {
        "editor": (F, F, F), "reader": (F, F, F), "ars": (T, T, F), "grades": (F, F, F),
        "ars_other": (F, F, T), "national": (F, F, F), "admin": (T, T, T)}),
}
ON_CAMPAIGNS: dict[str, tuple[Callable, dict[str, tuple[bool, ...]]]] = {
    "can_see_campaign": (access.can_see_campaign, {
        "editor": (T, T, F), "reader": (T, T, F), "ars": (T, T, F), "grades": (T, T, F),
        "ars_other": (T, F, T), "national": (T, T, T), "admin": (T, T, T)}),
    "can_manage_campaigns": (
        lambda user, campaign: access.can_manage_campaigns(user, campaign.region_code), {
            "editor": (F, F, F), "reader": (F, F, F), "ars": (F, T, F), "grades": (F, F, F),
            "ars_other": (F, F, T), "national": (F, F, F), "admin": (T, T, T)}),
    "can_see_register_summaries_of_region": (
        lambda user, campaign: campaign.region_code is not None
        and access.can_see_register_summaries_of_region(user, campaign.region_code), {
            "editor": (F, F, F), "reader": (F, F, F), "ars": (F, T, F), "grades": (F, F, F),
            "ars_other": (F, F, T), "national": (F, F, F), "admin": (F, F, F)}),
    "can_reopen_in_region": (
        lambda user, campaign: campaign.region_code is not None
        and access.can_reopen_in_region(user, campaign.region_code), {
            "editor": (F, F, F), "reader": (F, F, F), "ars": (F, T, F), "grades": (F, F, F),
            "ars_other": (F, F, T), "national": (F, F, F), "admin": (F, T, T)}),
}
VISIBLE_REGIONS = {"editor": [], "reader": [], "ars": ["53"], "grades": ["53"],
                   "ars_other": ["11"], "national": None, "admin": None}


def test_every_role_is_in_every_table() -> None:
    for name, (_, table) in {**ON_ESTABLISHMENTS, **ON_CAMPAIGNS}.items():
        assert set(table) == set(ROLES), name


@pytest.mark.parametrize("rule", sorted(ON_ESTABLISHMENTS))
def test_establishment_rules(rule: str) -> None:
    users, establishments, _ = world()
    decide, table = ON_ESTABLISHMENTS[rule]
    wrong = [f"{role} on {scope}: {not expected}"
             for role, answers in table.items()
             for scope, expected in zip(ESTABLISHMENT_SCOPES, answers, strict=True)
             if decide(users[role], establishments[scope]) is not expected]
    assert not wrong, f"{rule}: " + ", ".join(wrong)


@pytest.mark.parametrize("rule", sorted(ON_CAMPAIGNS))
def test_campaign_and_region_rules(rule: str) -> None:
    users, _, campaigns = world()
    decide, table = ON_CAMPAIGNS[rule]
    wrong = [f"{role} on {scope}: {not expected}"
             for role, answers in table.items()
             for scope, expected in zip(CAMPAIGN_SCOPES, answers, strict=True)
             if bool(decide(users[role], campaigns[scope])) is not expected]
    assert not wrong, f"{rule}: " + ", ".join(wrong)


def test_visible_region_codes() -> None:
    users, _, _ = world()
    for role, expected in VISIBLE_REGIONS.items():
        assert access.visible_region_codes(users[role]) == expected, role
