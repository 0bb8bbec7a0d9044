from __future__ import annotations

import time
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

from careapp.audit.services import LOGIN_FAILED, recent_failures, record
from careapp.auth import mfa, sessions
from careapp.auth import services as account_services
from careapp.auth.forms import CodeForm, LoginForm, PasswordChangeForm
from careapp.auth.models import ESTABLISHMENT_ROLES, REGIONAL_ROLES, Role, User
from careapp.auth.services import attempt_login
from careapp.db import db
from careapp.extensions import login_manager
from careapp.messages import translate

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@bp.before_app_request
def require_login() -> Response | None:
    """Every page needs a login except the ones listed here."""
    if request.endpoint in {"auth.login", "auth.health", "auth.set_language", "static",
                            "auth.mfa_code", "auth.mfa_enrol"}:
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
            target = _safe_next(request.args.get("next")) or url_for("auth.home")
            if user.totp_secret or mfa.required(user):
                _fresh_session()
                session[PENDING] = {"user": user.id, "at": time.time(), "next": target}
                return redirect(url_for("auth.mfa_code" if user.totp_secret else "auth.mfa_enrol"))
            return _complete_login(user, target)
        # The same message whether the account exists or not.
        flash(_("Adresse ou mot de passe incorrect."), "error")
    return render_template("auth/login.html", form=form)


PENDING = "mfa_pending"
PENDING_SECONDS = 300  # the second step must follow the password within five minutes


def _fresh_session() -> None:
    """A new session (no fixation), keeping only the interface language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _complete_login(user: User, target: str) -> Response:
    _fresh_session()
    session.permanent = True  # idle timeout: PERMANENT_SESSION_LIFETIME, rolling
    session["sid"] = sessions.open_session(user, request.remote_addr or "")
    if user.totp_secret or mfa.required(user):
        record("login.success", actor=user, ip=request.remote_addr or "")
    db.session.commit()
    login_user(user)
    return redirect(target)


def _pending_user() -> tuple[User, str] | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    return (user, pending.get("next") or url_for("auth.home")) if user and user.active else None


@bp.route("/connexion/code", methods=["GET", "POST"])
def mfa_code() -> str | Response | tuple[str, int]:
    pending = _pending_user()
    if pending is None or not pending[0].totp_secret:
        flash(_("Votre session a pris fin : reconnectez-vous."), "info")
        return redirect(url_for("auth.login"))
    user, target = pending
    form = CodeForm()
    if form.validate_on_submit():
        ip = request.remote_addr or ""
        max_failures = current_app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        minutes = current_app.config["LOGIN_THROTTLE_MINUTES"]
        if recent_failures(email=user.email, minutes=minutes) >= max_failures:
            flash(_("Trop de tentatives de connexion : réessayez dans %(minutes)s minutes.",
                    minutes=minutes), "error")
            return render_template("auth/mfa_code.html", form=form), 429
        if mfa.verify(user, form.code.data or ""):
            return _complete_login(user, target)
        record(LOGIN_FAILED, actor=user.email, ip=ip, details={"step": "code"})
        db.session.commit()
        flash(_("Code incorrect ou déjà utilisé."), "error")
    return render_template("auth/mfa_code.html", form=form)


@bp.route("/connexion/second-facteur", methods=["GET", "POST"])
def mfa_enrol() -> str | Response:
    """Enrolment: required at first login for ARS, GRADeS, national and administrators,
    available to everyone else from their account."""
    pending = _pending_user()
    if pending is not None:
        user, target = pending
    elif current_user.is_authenticated:
        user, target = current_user, url_for("auth.home")
    else:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    secret = session.get("mfa_secret")
    if form.validate_on_submit() and secret:
        codes = mfa.enable(user, secret, form.code.data or "")
        if codes is not None:
            record("mfa.enable", actor=user, ip=request.remote_addr or "")
            session.pop("mfa_secret", None)
            if pending is not None:
                _complete_login(user, target)  # logged in; the codes are shown before going on
            else:
                db.session.commit()
            return render_template("auth/mfa_recovery.html", codes=codes, target=target)
        flash(_("Code incorrect : vérifiez l'heure de votre téléphone et recommencez."), "error")
    if not secret:
        secret = session["mfa_secret"] = mfa.new_secret()
    return render_template("auth/mfa_enrol.html", form=form, secret=secret,
                           qr=mfa.qr_svg(user, secret), required=mfa.required(user))


@bp.route("/compte/mot-de-passe", methods=["GET", "POST"])
def change_password() -> str | Response:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            token = account_services.change_password(
                current_user, form.current.data or "", form.new.data or "",
                request.remote_addr or "")
        except account_services.AccountError as exc:
            db.session.rollback()
            flash(translate(exc), "error")
        else:
            db.session.commit()
            session["sid"] = token  # this browser stays logged in; every other session ended
            flash(_("Mot de passe changé : vos autres sessions sont fermées."), "success")
            return redirect(url_for("auth.home"))
    return render_template("auth/password.html", form=form)


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
