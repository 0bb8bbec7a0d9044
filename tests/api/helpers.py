"""Tokens made through the service (as the tokens page does) and API calls with them."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from careapp.api import tokens
from careapp.auth.models import User
from careapp.db import db


def token_for(user: User, lifetime: int = 90, name: str = "Script de test") -> str:
    _token, secret = tokens.create(user, name, lifetime)
    db.session.commit()
    return secret


def get(client: FlaskClient, url: str, secret: str | None, **kw: Any):  # noqa: ANN201
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.get(url, headers=headers, **kw)
