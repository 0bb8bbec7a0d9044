"""Who calls the API: the person of the `Authorization: Bearer <token>` header, never the
session cookie (a page of another site could make a logged-in browser send it)."""

from __future__ import annotations

from flask import g, jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from careapp.api import tokens
from careapp.db import db


def unauthorized(message: str | None = None) -> Response:
    response = jsonify({"code": 401, "status": "Unauthorized",
                        "message": message or _("Jeton d'API absent, inconnu, expiré ou "
                                                "révoqué, ou compte désactivé.")})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="careapp"'
    return response


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate_request() -> Response | None:
    """before_request of the API blueprints: sets g.api_user, or answers 401."""
    secret = bearer_token()
    if secret is None:
        return unauthorized(_("Authentification requise : en-tête « Authorization: Bearer "
                              "<jeton> »."))
    user = tokens.authenticate(secret)
    if user is None:
        db.session.rollback()
        return unauthorized()
    db.session.commit()  # last_used_at, when noted
    g.api_user = user
    return None
