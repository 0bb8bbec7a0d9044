"""An unexpected error answers the 500 page, even when it left the database session broken."""

from __future__ import annotations

from flask import Flask

from careapp.db import db
from careapp.organisations.models import Region
from tests.conftest import Browser
from tests.world import World, login


def test_a_failed_flush_still_gets_the_500_page(app: Flask, browser: Browser, world: World) -> None:
    def broken() -> str:
        db.session.add(Region(code="53", name="Doublon"))  # the migration's region 53 exists
        db.session.flush()  # IntegrityError: the session now needs a rollback
        return "jamais"

    app.add_url_rule("/essai-erreur", "essai_erreur", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error handler answers
    login(browser, world, "editor")
    response = browser.client.get("/essai-erreur")
    assert response.status_code == 500
    assert "Erreur interne" in response.get_data(as_text=True)
    # The next request of the same person works as usual.
    assert browser.client.get("/etablissements/").status_code == 200
