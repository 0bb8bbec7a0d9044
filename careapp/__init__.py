"""careapp: CaRE cybersecurity maturity self-assessment for French health establishments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, request, session
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter, Map

from careapp import cli, errors, i18n, models  # noqa: F401 - models complete the metadata
from careapp.config import build_config
from careapp.extensions import babel, csrf, db, login_manager, migrate
from careapp.questionnaires import registry


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(build_config(Path(app.instance_path), overrides))
    if app.config["TRUSTED_PROXIES"]:
        # Behind N trusted reverse proxies, the client's address and scheme are the ones the
        # nearest proxies put in X-Forwarded-For/-Proto (rightmost values); Host stays the
        # proxy's Host header. Audit log and login throttling then see each real client.
        from werkzeug.middleware.proxy_fix import ProxyFix

        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
    login_manager.login_message_category = "info"
    registry.init_app(app)  # refuses to boot on an invalid questionnaire file

    # Ids in URLs stop at the database's integer range: a larger one is a 404, not a 500.
    app.url_map.converters["int"] = BoundedInt
    from careapp.assessments.views import bp as assessments_bp
    from careapp.audit.views import bp as audit_bp
    from careapp.auth.views import bp as auth_bp
    from careapp.organisations.views import bp as organisations_bp
    from careapp.reports.views import bp as reports_bp
    from careapp.resilience.views import bp as resilience_bp
    from careapp.roadmap.views import bp as roadmap_bp
    from careapp.rollups.downloads import bp as downloads_bp
    from careapp.rollups.downloads import national_bp as national_downloads_bp
    from careapp.rollups.views import bp as rollups_bp

    for blueprint in (auth_bp, organisations_bp, assessments_bp, rollups_bp, audit_bp,
                      resilience_bp, roadmap_bp, downloads_bp, national_downloads_bp, reports_bp):
        app.register_blueprint(blueprint)
    cli.init_app(app)
    errors.init_app(app)
    from careapp import api

    api.init_app(app)  # JSON API /api/v1 and the tokens page; after the error pages
    i18n.init_app(app)

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint != "static":  # pages hold personal data, codes, CSRF tokens
            response.headers["Cache-Control"] = "no-store"
        if app.config["ENV_NAME"] == "production":  # served only over TLS there
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response

    @app.context_processor
    def inject_lang() -> dict[str, Any]:
        return {"lang": session.get("lang", "fr"), "current_path": request.path}

    return app


class BoundedInt(IntegerConverter):
    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)
