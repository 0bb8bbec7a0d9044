"""The API's errors in JSON ({"code", "status", "message"}), its pages' handlers untouched."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from careapp.db import db

PREFIX = "/api/v1/"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def json_error(error: HTTPException) -> Any:
    code = error.code or 500
    payload: dict[str, Any] = {"code": code, "status": error.name,
                               "message": _messages().get(code) or error.name}
    data = getattr(error, "data", None)
    if isinstance(data, dict) and data.get("messages"):
        payload["errors"] = data["messages"]
    response = jsonify(payload)
    response.status_code = code
    if code == 405:
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response


def _messages() -> dict[int, str]:
    return {
        400: _("Requête invalide."), 403: _("Votre compte ne permet pas cet accès."),
        404: _("Introuvable, ou hors de votre périmètre."),
        405: _("L'API est en lecture seule : méthode GET uniquement."),
        422: _("Paramètres invalides."),
        500: _("Erreur interne : réessayez, et signalez-la si elle se reproduit."),
    }


def api_aware(handler: Any) -> Any:
    def handle(error: Any) -> Any:
        if is_api_request() and isinstance(error, HTTPException):
            if (error.code or 500) >= 500:
                db.session.rollback()
            return json_error(error)
        return handler(error)
    return handle


def read_only() -> Any:
    """First hook of every request: the API answers GET only, before the CSRF check."""
    if is_api_request() and request.method not in READ_METHODS:
        return json_error(MethodNotAllowed())
    return None


