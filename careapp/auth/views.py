from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from careapp.audit.services import record
from careapp.auth import sessions
from careapp.auth.forms import LoginForm
from careapp.auth.models import ESTABLISHMENT_ROLES, REGIONAL_ROLES, Role, User
from careapp.auth.services import attempt_login
from careapp.db import db
from careapp.extensions import login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@bp.before_app_request
def require_login() -> Response | None:
    """Every page needs a login except the ones listed here."""
    if request.endpoint in {"auth.login", "auth.health", "auth.set_language", "static"}:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    lifetime = current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    if not sessions.is_valid(session.get("sid"), current_user.id, lifetime=lifetime):
        # Logged out elsewhere, password changed, or past the absolute lifetime.
        lang = session.get("lang")
        logout_user()
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("Votre session a pris fin : reconnectez-vous."), "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/connexion", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = attempt_login(
            form.email.data or "", form.password.data or "", request.remote_addr or "",
            max_per_account=current_app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
            max_per_address=current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
            window_minutes=current_app.config["LOGIN_THROTTLE_MINUTES"])
        db.session.commit()
        user = attempt.user
        if attempt.throttled:
            flash(_("Trop de tentatives de connexion : réessayez dans %(minutes)s minutes.",
                    minutes=current_app.config["LOGIN_THROTTLE_MINUTES"]), "error")
            return render_template("auth/login.html", form=form), 429
        if user is not None:
            lang = session.get("lang")
            session.clear()  # a fresh session at login (no fixation)
            if lang:
                session["lang"] = lang
            session.permanent = True  # idle timeout: PERMANENT_SESSION_LIFETIME, rolling
            session["sid"] = sessions.open_session(user, request.remote_addr or "")
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("auth.home"))
        # The same message whether the account exists or not.
        flash(_("Adresse ou mot de passe incorrect."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/deconnexion")
def logout() -> Response:
    lang = session.get("lang")
    sessions.end_session(session.get("sid"))
    record("logout", actor=current_user, ip=request.remote_addr or "")
    db.session.commit()
    logout_user()
    session.clear()
    if lang:  # the interface language is a preference, not part of the login
        session["lang"] = lang
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/sante")
def health() -> dict[str, str]:
    return {"status": "ok"}


@bp.post("/langue")
def set_language() -> Response:
    lang = request.form.get("lang", "")
    if lang not in {"fr", "en"}:
        abort(400)
    session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.home"))


@bp.get("/")
@login_required
def home() -> Response:
    if current_user.role in ESTABLISHMENT_ROLES:
        return redirect(url_for("organisations.index"))
    if current_user.role in REGIONAL_ROLES or current_user.role is Role.NATIONAL:
        return redirect(url_for("rollups.region"))
    return redirect(url_for("assessments.campaigns"))
