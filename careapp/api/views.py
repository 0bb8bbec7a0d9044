"""The person's API tokens page (/compte/jetons-api): list, create (the secret shown once),
revoke. Ordinary pages: session login and CSRF, like every other form of the interface."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from careapp.api import tokens
from careapp.api.forms import TokenForm
from careapp.db import db, utcnow
from careapp.messages import translate

bp = Blueprint("api_tokens", __name__, url_prefix="/compte/jetons-api")


def _page(form: TokenForm, status: int = 200) -> tuple[str, int]:
    user = current_user
    return render_template(
        "api/tokens.html", form=form, tokens=tokens.tokens_of(user),
        now=utcnow(), is_active=tokens.is_active, aware=tokens.aware,
        may_create=tokens.may_create(user), max_active=tokens.MAX_ACTIVE,
        active=tokens.active_count(user)), status


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    return _page(TokenForm())


@bp.post("/")
@login_required
def create() -> str | tuple[str, int]:
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        token, secret = tokens.create(current_user, form.name.data or "", form.lifetime.data,
                                      request.remote_addr or "")
    except tokens.TokenError as exc:
        db.session.rollback()
        flash(translate(exc.message), "error")
        return _page(form, 400)
    db.session.commit()
    return render_template("api/token_created.html", token=token, secret=secret,
                           aware=tokens.aware)


@bp.post("/<int:token_id>/revoquer")
@login_required
def revoke(token_id: int) -> Response:
    token = tokens.own_token(current_user, token_id)
    if token is None:
        abort(404)
    if tokens.revoke(current_user, token, request.remote_addr or ""):
        db.session.commit()
        flash(_("Jeton « %(name)s » révoqué : il n'ouvre plus l'API.", name=token.name),
              "success")
    else:
        flash(_("Ce jeton était déjà révoqué."), "info")
    return redirect(url_for("api_tokens.index"))
