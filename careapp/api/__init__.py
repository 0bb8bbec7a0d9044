"""The read-only JSON API (/api/v1) and the personal tokens that open it.

Built with flask-smorest rather than APIFlask or SpecTree: it adds marshmallow schemas,
pagination and a generated OpenAPI 3 document to ordinary Flask blueprints of the existing
app (APIFlask needs the application itself to be an APIFlask instance; SpecTree brings
pydantic beside the marshmallow/WTForms stack), and it is maintained with marshmallow 4.

- careapp/api/tokens.py: creating, revoking and checking tokens (SHA-256 only is stored);
- careapp/api/auth.py: the Bearer check of every API request (the session cookie is never
  used: a page of another site cannot make a browser call the API as its person);
- careapp/api/resources.py: the endpoints, with the pages' access rules;
- careapp/api/views.py: the tokens page of the account (/compte/jetons-api).

The API answers GET only (anything else 405, before the CSRF check that guards the forms)
and its errors in JSON: {"code": …, "status": …, "message": "…"}.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from careapp.api.errors import api_aware, read_only
from careapp.api.schemas import ErrorSchema


class CareApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_pagination_header(self) -> None:
        """flask-smorest documents X-Pagination as an object, but a header is a string (JSON
        here): documented as such, so that responses match their document."""
        self.spec.components.header("PAGINATION", {
            "description": "Pagination, en JSON : total, total_pages, first_page, last_page, "
                           "page, previous_page, next_page",
            "schema": {"type": "string"}}, lazy=True)

    def _register_error_handlers(self) -> None:
        """flask-smorest would answer every HTTP error of the whole site in JSON; only the
        API's are (see init_app), the pages keep their error pages."""


def init_app(app: Flask) -> None:
    """Registers the API, its document and the tokens page. Called after the error pages are
    registered (careapp.errors): their handlers answer in JSON under /api/v1/."""
    from careapp.api.resources import BLUEPRINTS
    from careapp.api.views import bp as tokens_bp
    from careapp.extensions import csrf

    app.config.setdefault("API_TITLE", "CaRE — API en lecture seule")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": (
            "API JSON en lecture seule de l'autodiagnostic CaRE. Chaque appel porte un jeton "
            "personnel (menu « Jetons d'API » du compte) dans l'en-tête "
            "« Authorization: Bearer <jeton> » et agit avec les droits de son titulaire, "
            "comme les pages : hors périmètre 404, visible mais non autorisé 403. Les "
            "chiffres sont exacts (non arrondis), les dates au format ISO 8601.")},
        "components": {"securitySchemes": {"jeton": {
            "type": "http", "scheme": "bearer",
            "description": "Jeton d'API personnel, créé sur /compte/jetons-api"}}},
        "security": [{"jeton": []}],
    })
    api = CareApi(app)
    for blueprint in BLUEPRINTS:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(tokens_bp)
    app.before_request_funcs.setdefault(None, []).insert(0, read_only)
    # The pages' error handlers (careapp.errors) answer in JSON under /api/v1/.
    for handlers in app.error_handler_spec[None].values():
        for exc_class, handler in list(handlers.items()):
            handlers[exc_class] = api_aware(handler)
