"""The character counter (static/js/counter.js, no inline script under the CSP) in a real
browser: drawn under the limited fields, following the typing, warning near the limit; the
limit itself (maxlength) is the one the server applies (tests/test_text_limits.py)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_browser_journey import login


def test_a_counter_follows_the_typing_and_warns_near_the_limit(page, live_site) -> None:  # noqa: ANN001
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, live_site, "rssi@test.fr")
    page.goto(f"{live_site.url}/etablissements/{live_site.own_id}/feuille-de-route/nouvelle")
    comment = page.get_by_label("Commentaire")
    counter = page.locator("#comment-compteur")
    expect(counter).to_have_text(re.compile(r"^0 / 5\s?000$"))
    comment.fill("Bonjour\nà tous")  # a line break counts one, as on the server
    expect(counter).to_have_text(re.compile(r"^14 / 5\s?000$"))
    expect(comment).to_have_attribute("aria-describedby", re.compile("comment-compteur"))
    comment.fill("x" * 4600)
    expect(counter).to_have_class(re.compile("near-limit"))
    title = page.get_by_label("Intitulé")
    expect(title).to_have_attribute("maxlength", "300")
    expect(page.locator("#title-compteur")).to_have_text(re.compile(r"^0 / 300$"))
    assert errors == []  # no script error, no CSP refusal
