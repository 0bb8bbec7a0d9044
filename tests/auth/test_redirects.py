"""Where a login sends the person next (issue #9, F5 and F8): same-site paths only.

Browsers read "\\" as "/" and drop tabs and newlines inside a URL, so each of these strings
would leave the site if it reached a Location header or the "continuer" link."""

from __future__ import annotations

import re

import pyotp
import pytest

from careapp.auth.views import _safe_next
from tests import factories
from tests.auth.test_mfa import new_ars_without_key, password_step
from tests.conftest import csrf_from
from tests.world import make_world

HOSTILE = [
    "//evil.example/", "///evil.example/", "////evil.example", "/\\evil.example/",
    "\\\\evil.example", "/\\/evil.example", "/\t/evil.example", "/ /evil.example",
    "https://evil.example/", "http:/evil.example", "javascript:alert(1)", "evil.example",
    "/a\r\nSet-Cookie: x=1", "/a\nb", "/a\x00b", "/\u2028//evil.example",
    "//evil.example@careapp", "/" + "a" * 2100,
]
SAFE = ["/", "/region/", "/etablissements/3?onglet=registres", "/journal/?action=login.failure",
        "/établissements/"]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_are_refused(target: str) -> None:
    assert _safe_next(target) is None


@pytest.mark.parametrize("target", SAFE)
def test_same_site_paths_are_kept(target: str) -> None:
    assert _safe_next(target) == target


def on_site(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\"))


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "///evil.example/",
                                    "/a\r\nSet-Cookie: x=1"])
def test_after_login_the_redirect_stays_on_site(app, browser, target: str) -> None:  # noqa: ANN001
    make_world()
    response = browser.client.post("/connexion", query_string={"next": target}, data={
        "csrf_token": browser.token("/connexion"), "email": "rssi@test.fr",
        "password": factories.PASSWORD})
    assert response.status_code == 302
    assert on_site(response.headers["Location"]) and "evil" not in response.headers["Location"]
    assert "Set-Cookie: x" not in str(response.headers)


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/"])
def test_after_the_code_step_the_redirect_stays_on_site(app, browser, target: str) -> None:  # noqa: ANN001
    make_world()
    browser.client.post("/connexion", query_string={"next": target}, data={
        "csrf_token": browser.token("/connexion"), "email": "ars53@test.fr",
        "password": factories.PASSWORD})
    page = browser.client.get("/connexion/code").get_data(as_text=True)
    response = browser.client.post("/connexion/code", data={
        "csrf_token": csrf_from(page), "code": pyotp.TOTP(factories.TOTP_SECRET).now()})
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/\\evil.example/", "///evil.example/"])
def test_the_continue_link_after_enrolment_stays_on_site(app, browser, target: str) -> None:  # noqa: ANN001
    make_world()
    new_ars_without_key()
    browser.client.post("/connexion", query_string={"next": target}, data={
        "csrf_token": browser.token("/connexion"), "email": "ars.nouveau@test.fr",
        "password": factories.PASSWORD})
    page = browser.client.get("/connexion/second-facteur").get_data(as_text=True)
    key = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    shown = browser.client.post("/connexion/second-facteur", data={
        "csrf_token": csrf_from(page), "code": pyotp.TOTP(key).now()}).get_data(as_text=True)
    link = re.search(r'<a class="button primary" href="([^"]*)"', shown).group(1)
    assert link == "/"


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "/a\r\nb"])
def test_switching_language_stays_on_site(app, browser, target: str) -> None:  # noqa: ANN001
    response = browser.post("/langue", {"lang": "en", "next": target}, page="/connexion")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_good_target_is_followed_after_the_code_step(app, browser) -> None:  # noqa: ANN001
    make_world()
    password_step(browser, "ars53@test.fr")  # no next: home
    browser.client.post("/deconnexion", data={"csrf_token": browser.token()})
    browser.client.post("/connexion", query_string={"next": "/journal/?action=logout"}, data={
        "csrf_token": browser.token("/connexion"), "email": "ars53@test.fr",
        "password": factories.PASSWORD})
    browser.second_factor("ars53@test.fr")
    response = browser.client.get("/journal/?action=logout")
    assert response.status_code == 200
