"""Error pages in the interface language, instead of Werkzeug's English defaults."""

from __future__ import annotations

from typing import Any

from flask import (
    Flask,
    current_app,
    flash,
    g,
    has_request_context,
    render_template,
    request,
    session,
)
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

from careapp.db import db

MESSAGES = {
    400: (_l("Requête invalide"),
          _l("La page a expiré ou le formulaire est incomplet. Revenez en arrière, rechargez la "
             "page puis recommencez : vos réponses déjà enregistrées sont conservées.")),
    403: (_l("Accès refusé"), _l("Votre compte ne permet pas cette action.")),
    404: (_l("Page introuvable"),
          _l("Cette page n'existe pas ou ne fait pas partie de votre périmètre.")),
    405: (_l("Méthode non permise"), _l("Cette adresse ne s'utilise pas ainsi.")),
    413: (_l("Envoi trop volumineux"),
          _l("Les données envoyées dépassent la taille permise. Rien n'a été enregistré.")),
    500: (_l("Erreur interne"),
          _l("Une erreur inattendue s'est produite ; rien n'a été enregistré. "
             "Réessayez, et signalez-la si elle se reproduit.")),
}


def init_app(app: Flask) -> None:
    def handle(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        title, message = MESSAGES.get(code, (error.name, error.description))
        return render_template("error.html", code=code, title=title, message=message), code

    for code in MESSAGES:
        app.register_error_handler(code, handle)

    def csrf_refused(error: CSRFError) -> Any:
        return _keep_input(error) or handle(error)

    app.register_error_handler(CSRFError, csrf_refused)

    def internal_error(error: HTTPException) -> tuple[str, int]:
        # The failed request's transaction may be broken (a flush that failed): the page reads
        # the database too (the signed-in account), so roll it back first.
        db.session.rollback()
        return handle(error)

    app.register_error_handler(500, internal_error)


# -- a refused CSRF token (expired after WTF_CSRF_TIME_LIMIT, or missing) ---------------------
#
# Forms where a person may have typed for a long time keep what they typed: the view runs
# again and shows the form filled with the input, under a message, and writes nothing. Each of
# these views validates its form (whose own CSRF check then fails: the token is removed from
# the input first, whatever CSRFProtect refused) or checks g.csrf_refused (the questionnaire
# section, careapp.assessments.forms.refused); and a flush in such a request raises. Other
# forms (login, one-button actions…) have nothing to lose: the 400 page.
KEEP_INPUT = frozenset({
    "assessments.section", "assessments.new_campaign",
    "resilience.new_exercise", "resilience.exercise", "resilience.add_finding",
    "resilience.continuity", "resilience.new_activity", "resilience.activity",
    "roadmap.new", "roadmap.edit",
})
EXPIRED = _l("La page a expiré : vos saisies sont conservées ci-dessous, enregistrez à nouveau.")


def _keep_input(error: CSRFError) -> Any:
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method != "POST" or request.endpoint not in KEEP_INPUT or view is None:
        return None
    skipped = _hooks_after_csrf()
    if skipped is None:  # CSRFProtect's hook not found: refuse plainly rather than guess
        return None
    for hook in skipped:  # the login and session checks CSRFProtect's refusal cut short
        response = hook()
        if response is not None:
            return response
    g.csrf_refused = True
    token = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    request.__dict__["form"] = ImmutableMultiDict(
        [(k, v) for k, v in request.form.items(multi=True) if k != token])
    flash(EXPIRED, "warning")
    try:
        return view(**(request.view_args or {}))
    except HTTPException as exc:  # 403, 404…: that page, without the message about the input
        session["_flashes"] = [f for f in session.get("_flashes", []) if f[1] is not EXPIRED]
        return current_app.handle_http_exception(exc)


def _hooks_after_csrf() -> list | None:
    """The before_request hooks Flask did not run because CSRFProtect's raised, in order."""
    app = current_app
    hooks = [hook for name in (None, *reversed(request.blueprints))
             for hook in app.before_request_funcs.get(name, ())]
    for index, hook in enumerate(hooks):
        if getattr(hook, "__qualname__", "").startswith("CSRFProtect."):
            return hooks[index + 1:]
    return None


@event.listens_for(Session, "before_flush")
def _nothing_written_after_a_refused_token(session: Session, _context: object,
                                            _instances: object) -> None:
    if has_request_context() and g.get("csrf_refused") and (
            session.new or session.dirty or session.deleted):
        raise RuntimeError("écriture refusée : jeton CSRF refusé pour cette requête")
