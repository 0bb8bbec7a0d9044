"""Personal API tokens through their page: created (the secret shown once, its SHA-256 only
stored), refused input, the 10 active tokens limit, revocation, expiry, inactive accounts, the
audit journal; and the Bearer check (never the session cookie)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from sqlalchemy import func, select

from careapp.api import tokens
from careapp.api.models import ApiToken
from careapp.audit.models import AuditEvent
from careapp.auth.models import Role
from careapp.db import db, utcnow
from tests import factories
from tests.api.helpers import get, token_for
from tests.world import login

PAGE = "/compte/jetons-api/"
SECRET_RE = re.compile(r'id="secret"[^>]*value="(care_[^"]+)"')


def _create(browser, name: str = "Tableau de bord ARS", lifetime: str = "90"):  # noqa: ANN001, ANN202
    return browser.post(PAGE, {"name": name, "lifetime": lifetime}, page=PAGE)


def _count() -> int:
    return db.session.scalar(select(func.count(ApiToken.id))) or 0


def test_a_token_is_shown_once_stored_hashed_and_opens_the_api(app, world, browser) -> None:  # noqa: ANN001
    login(browser, world, "ars")
    response = _create(browser)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    secret = SECRET_RE.search(html).group(1)
    assert "ne sera plus jamais affiché" in html
    row = db.session.scalar(select(ApiToken))
    assert row.user_id == world.users["ars"].id and row.name == "Tableau de bord ARS"
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(row.prefix) and len(row.prefix) < len(secret) // 3
    created = tokens.aware(row.created_at)
    assert tokens.aware(row.expires_at) - created == dt.timedelta(days=90)
    # never stored nor shown again
    assert secret not in str([getattr(row, c.key) for c in ApiToken.__table__.columns])
    listing = browser.client.get(PAGE).get_data(as_text=True)
    assert secret not in listing and row.prefix in listing and "Tableau de bord ARS" in listing
    # the journal
    event = db.session.scalar(select(AuditEvent).filter_by(action="api_token.create"))
    assert event.actor_id == world.users["ars"].id and event.object_id == str(row.id)
    assert secret not in str(event.details)
    # it opens the API, and its use is noted
    assert row.last_used_at is None
    assert get(browser.client, "/api/v1/campaigns", secret).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at is not None


@pytest.mark.parametrize("lifetime", ["30", "365"])
def test_the_lifetime_chosen_is_kept(app, world, browser, lifetime: str) -> None:  # noqa: ANN001
    login(browser, world, "editor")
    assert _create(browser, lifetime=lifetime).status_code == 200
    row = db.session.scalar(select(ApiToken))
    span = tokens.aware(row.expires_at) - tokens.aware(row.created_at)
    assert span == dt.timedelta(days=int(lifetime))


@pytest.mark.parametrize(("name", "lifetime", "message"), [
    ("", "90", "Donnez un nom au jeton."),
    ("   ", "90", "Donnez un nom au jeton."),
    ("x" * 121, "90", "120"),
    ("Script\x00nuit", "90", "caractère"),
    ("Script\x1b[31m", "90", "caractère"),
    ("Script", "7", "Choisissez une durée proposée"),
    ("Script", "abc", "Choisissez une durée proposée"),
])
def test_bad_input_is_refused_and_nothing_saved(app, world, browser, name: str, lifetime: str,  # noqa: ANN001
                                               message: str) -> None:
    login(browser, world, "editor")
    response = _create(browser, name=name, lifetime=lifetime)
    assert response.status_code == 400
    assert not SECRET_RE.search(response.get_data(as_text=True))
    assert message.lower() in response.get_data(as_text=True).lower()
    assert _count() == 0
    assert db.session.scalar(select(AuditEvent).filter_by(action="api_token.create")) is None


def test_a_post_without_csrf_token_creates_nothing(app, world, browser) -> None:  # noqa: ANN001
    login(browser, world, "editor")
    response = browser.client.post(PAGE, data={"name": "Script", "lifetime": "90"})
    assert response.status_code == 400 and _count() == 0


def test_ten_active_tokens_at_most(app, world, browser) -> None:  # noqa: ANN001
    editor = world.users["editor"]
    for n in range(tokens.MAX_ACTIVE):
        token_for(editor, name=f"Script {n}")
    login(browser, world, "editor")
    response = _create(browser, name="Le onzième")
    assert response.status_code == 400
    assert "révoquez-en un" in response.get_data(as_text=True)
    assert _count() == tokens.MAX_ACTIVE
    # an expired or revoked token no longer counts
    first = db.session.scalar(select(ApiToken).order_by(ApiToken.id))
    first.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    assert _create(browser, name="Le onzième").status_code == 200
    assert _count() == tokens.MAX_ACTIVE + 1


def test_an_account_that_must_use_mfa_needs_it_to_create_a_token(app, world) -> None:  # noqa: ANN001
    ars = factories.user(Role.ARS, "ars-sans-totp@test.fr", region="53")
    ars.totp_secret = None
    db.session.commit()
    with pytest.raises(tokens.TokenError, match="second facteur"):
        tokens.create(ars, "Script", 90)
    db.session.rollback()
    assert _count() == 0
    assert tokens.may_create(world.users["editor"])  # establishment accounts: not required


def test_revoking_closes_the_api_and_is_journaled(app, world, browser) -> None:  # noqa: ANN001
    secret = token_for(world.users["editor"])
    row = db.session.scalar(select(ApiToken))
    login(browser, world, "editor")
    assert get(browser.client, "/api/v1/campaigns", secret).status_code == 200
    # without the CSRF token: refused, still active
    assert browser.client.post(f"{PAGE}{row.id}/revoquer").status_code == 400
    assert get(browser.client, "/api/v1/campaigns", secret).status_code == 200
    response = browser.post(f"{PAGE}{row.id}/revoquer", page=PAGE)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is not None
    refused = get(browser.client, "/api/v1/campaigns", secret)
    assert refused.status_code == 401
    assert db.session.scalar(select(func.count(AuditEvent.id)).filter_by(
        action="api_token.revoke", object_id=str(row.id))) == 1
    # twice: nothing more journaled
    browser.post(f"{PAGE}{row.id}/revoquer", page=PAGE)
    assert db.session.scalar(select(func.count(AuditEvent.id)).filter_by(
        action="api_token.revoke")) == 1


def test_nobody_revokes_another_persons_token(app, world, browser) -> None:  # noqa: ANN001
    secret = token_for(world.users["ars"])
    row = db.session.scalar(select(ApiToken))
    for who in ("editor", "admin"):
        login(browser, world, who)
        assert browser.post(f"{PAGE}{row.id}/revoquer", page=PAGE).status_code == 404
        assert row.prefix not in browser.client.get(PAGE).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is None
    assert get(browser.client, "/api/v1/campaigns", secret).status_code == 200


def _refusal(response) -> None:  # noqa: ANN001
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.get_json()
    assert body["code"] == 401 and body["message"]


def test_expired_unknown_or_malformed_tokens_and_inactive_accounts_get_401(app, world, client) -> None:  # noqa: ANN001
    secret = token_for(world.users["national"], lifetime=30)
    assert get(client, "/api/v1/campaigns", secret).status_code == 200
    for header in ("", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", f"Token {secret}",
                   "Bearer care_inconnu", f"Bearer {secret}x", f"Bearer {secret[:-1]}"):
        _refusal(client.get("/api/v1/campaigns", headers={"Authorization": header}
                            if header else {}))
    row = db.session.scalar(select(ApiToken))
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    _refusal(get(client, "/api/v1/campaigns", secret))
    row.expires_at = utcnow() + dt.timedelta(days=1)
    world.users["national"].active = False
    db.session.commit()
    _refusal(get(client, "/api/v1/campaigns", secret))
    world.users["national"].active = True
    db.session.commit()
    assert get(client, "/api/v1/campaigns", secret).status_code == 200


def test_the_session_cookie_never_opens_the_api(app, world, browser) -> None:  # noqa: ANN001
    login(browser, world, "national")
    assert browser.client.get("/etablissements/").status_code == 200  # logged in
    for url in ("/api/v1/campaigns", "/api/v1/establishments",
                f"/api/v1/establishments/{world.own.id}/results?campaign={world.campaign.id}"):
        _refusal(browser.client.get(url))


def test_the_api_is_read_only(app, world, client) -> None:  # noqa: ANN001
    secret = token_for(world.users["admin"])
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/campaigns",
                                           headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 405 and response.get_json()["code"] == 405


def test_last_use_is_written_at_most_once_a_minute(app, world) -> None:  # noqa: ANN001
    secret = token_for(world.users["editor"])
    start = utcnow()
    assert tokens.authenticate(secret, now=start) == world.users["editor"]
    row = db.session.scalar(select(ApiToken))
    assert tokens.aware(row.last_used_at) == start
    tokens.authenticate(secret, now=start + dt.timedelta(seconds=59))
    assert tokens.aware(row.last_used_at) == start
    later = start + dt.timedelta(seconds=61)
    tokens.authenticate(secret, now=later)
    assert tokens.aware(row.last_used_at) == later
