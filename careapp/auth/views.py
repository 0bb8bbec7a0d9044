from __future__ import annotations

import datetime as dt
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
from wtforms.fields.choices import SelectChoice

from careapp.audit.services import LOGIN_FAILED, record
from careapp.auth import challenges, mfa, sessions
from careapp.auth import services as account_services
from careapp.auth.forms import CodeForm, LoginForm, PasswordChangeForm, StepUpForm
from careapp.auth.models import ESTABLISHMENT_ROLES, REGIONAL_ROLES, AuthChallenge, Role, User
from careapp.auth.passwords import verify_password
from careapp.auth.services import attempt_login
from careapp.auth.sessions import end_all_sessions
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
    if request.path.startswith("/api/v1/"):  # a Bearer token, never this session (careapp/api)
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


def _safe_next(target: object) -> str | None:
    """A same-site path to go to after logging in, or None.

    Browsers read a backslash as a slash and drop tabs and newlines, so "/\\evil", "///evil"
    or "/\t/evil" would leave the site: refuse them, and any control character (a newline in a
    redirect is a 500 or a header injection)."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return None
    if target.startswith(("//", "/\\")) or "\\" in target:
        return None
    if any(ord(c) < 0x21 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/connexion", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = attempt_login(form.email.data or "", form.password.data or "",
                                request.remote_addr or "")
        db.session.commit()
        user = attempt.user
        if attempt.throttled:  # refused before the password was checked
            flash(account_services.too_many_attempts(attempt.wait), "error")
            return render_template("auth/login.html", form=form), 429
        if user is not None:
            target = _safe_next(request.args.get("next")) or url_for("auth.home")
            if user.totp_secret or mfa.required(user):
                _fresh_session()  # a new session before the second step (no fixation)
                session[PENDING] = challenges.open_challenge(user, challenges.LOGIN, target=target)
                db.session.commit()
                return redirect(url_for("auth.mfa_code" if user.totp_secret else "auth.mfa_enrol"))
            return _complete_login(user, target)
        # The same message whether the account exists or not.
        flash(_("Adresse ou mot de passe incorrect."), "error")
    return render_template("auth/login.html", form=form)


PENDING = "mfa_pending"  # the token of the server-side login challenge
PENDING_TIME = dt.timedelta(minutes=5)  # the second step must follow the password soon
ENROLMENT = "mfa_enrolment"  # the token of an enrolment from the account page
ENROLMENT_TIME = dt.timedelta(minutes=15)


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


def _pending_login() -> AuthChallenge | None:
    return challenges.current(session.get(PENDING), challenges.LOGIN, max_age=PENDING_TIME)


def _region_of(user: User) -> str | None:
    """Where the account's ARS looks in the journal: its region, or its establishments'."""
    if user.region_code:
        return user.region_code
    return user.establishments[0].region_code if user.establishments else None


def _record_mfa(action: str, user: User) -> None:
    record(action, actor=user, object_type="users", object_id=user.id,
           region_code=_region_of(user), ip=request.remote_addr or "")


@bp.route("/connexion/code", methods=["GET", "POST"])
def mfa_code() -> str | Response | tuple[str, int]:
    pending = _pending_login()
    if pending is None or not pending.user.totp_secret:
        flash(_("Votre session a pris fin : reconnectez-vous."), "info")
        return redirect(url_for("auth.login"))
    user, target = pending.user, pending.target or url_for("auth.home")
    form = CodeForm()
    if form.validate_on_submit():
        ip = request.remote_addr or ""
        wait = account_services.login_wait(user.email, ip)  # the password step's throttle
        if wait > 0:  # refused before the code is checked
            record("login.throttled", actor=user.email, ip=ip, details={"step": "code"})
            db.session.commit()
            flash(account_services.too_many_attempts(wait), "error")
            return render_template("auth/mfa_code.html", form=form), 429
        if mfa.verify(user, form.code.data or "") and challenges.end(pending):
            return _complete_login(user, target)
        record(LOGIN_FAILED, actor=user.email, ip=ip, details={"step": "code"})
        db.session.commit()
        flash(_("Code incorrect ou déjà utilisé."), "error")
    return render_template("auth/mfa_code.html", form=form)


@bp.route("/connexion/second-facteur", methods=["GET", "POST"])
def mfa_enrol() -> str | Response:
    """First-login enrolment, required for ARS, GRADeS, national and administrators. Only for
    an account without a second factor: the password alone never replaces one."""
    pending = _pending_login()
    if pending is None:
        flash(_("Votre session a pris fin : reconnectez-vous."), "info")
        return redirect(url_for("auth.login"))
    if pending.user.totp_secret:
        return redirect(url_for("auth.mfa_code"))
    user, target = pending.user, pending.target or url_for("auth.home")
    form = CodeForm()
    if pending.candidate_secret is None:
        pending.candidate_secret = mfa.new_secret()
        db.session.commit()
    secret = pending.candidate_secret
    if form.validate_on_submit():
        try:
            codes = mfa.enable(user, secret, form.code.data or "")
        except mfa.AlreadyEnrolled:
            db.session.rollback()
            return redirect(url_for("auth.mfa_code"))
        if codes is not None and challenges.end(pending):
            _record_mfa("mfa.enable", user)
            _complete_login(user, target)  # logged in; the codes are shown before going on
            return render_template("auth/mfa_recovery.html", codes=codes, target=target)
        db.session.rollback()
        flash(_("Code incorrect : vérifiez l'heure de votre téléphone et recommencez."), "error")
    return render_template("auth/mfa_enrol.html", form=form, secret=secret,
                           qr=mfa.qr_svg(user, secret), required=mfa.required(user),
                           action=url_for("auth.mfa_enrol"))


@bp.route("/compte/second-facteur", methods=["GET", "POST"])
@login_required
def mfa_settings() -> str | Response | tuple[str, int]:
    """The account's second factor. Without one: enrol. With one: replacing or removing it asks
    for the password and a current code (or a recovery code) first, then ends the account's
    other sessions."""
    user: User = current_user
    enrolment = challenges.current(session.get(ENROLMENT), challenges.ENROL,
                                   max_age=ENROLMENT_TIME)
    if enrolment is not None and (enrolment.user_id != user.id
                                  or (user.totp_secret and not enrolment.stepped_up)):
        enrolment = None
    if user.totp_secret and enrolment is None:
        return _mfa_step_up(user)
    if enrolment is None:
        session[ENROLMENT] = challenges.open_challenge(user, challenges.ENROL)
        enrolment = challenges.current(session[ENROLMENT], challenges.ENROL,
                                       max_age=ENROLMENT_TIME)
        assert enrolment is not None  # noqa: S101 - just opened
    if enrolment.candidate_secret is None:
        enrolment.candidate_secret = mfa.new_secret()
    db.session.commit()
    secret = enrolment.candidate_secret
    form = CodeForm()
    if form.validate_on_submit():
        replacing = bool(user.totp_secret)
        try:
            codes = mfa.enable(user, secret, form.code.data or "", replacing=replacing)
        except mfa.AlreadyEnrolled:
            db.session.rollback()
            return redirect(url_for("auth.mfa_settings"))
        if codes is not None and challenges.end(enrolment):
            session.pop(ENROLMENT, None)
            if replacing:  # the old key may be in someone else's hands: log out everywhere
                end_all_sessions(user)
                session["sid"] = sessions.open_session(user, request.remote_addr or "")
            _record_mfa("mfa.replace" if replacing else "mfa.enable", user)
            db.session.commit()
            return render_template("auth/mfa_recovery.html", codes=codes,
                                   target=url_for("auth.home"))
        db.session.rollback()
        flash(_("Code incorrect : vérifiez l'heure de votre téléphone et recommencez."), "error")
    return render_template("auth/mfa_enrol.html", form=form, secret=secret,
                           qr=mfa.qr_svg(user, secret), required=mfa.required(user),
                           replacing=bool(user.totp_secret), action=url_for("auth.mfa_settings"))


def _mfa_step_up(user: User) -> str | Response | tuple[str, int]:
    """Password and current code before the second factor is replaced or removed."""
    form = StepUpForm()
    if not mfa.required(user):
        form.action.choices = [*form.action.choices, SelectChoice("disable", _("Désactiver"))]
    if form.validate_on_submit():
        ip = request.remote_addr or ""
        wait = account_services.login_wait(user.email, ip)  # the login's throttle
        if wait > 0:  # refused before the password and code are checked
            record("login.throttled", actor=user.email, ip=ip, details={"step": "mfa-change"})
            db.session.commit()
            flash(account_services.too_many_attempts(wait), "error")
            return render_template("auth/mfa_settings.html", form=form), 429
        if not (verify_password(user.password_hash, form.password.data or "")
                and mfa.verify(user, form.code.data or "")):
            db.session.rollback()
            record(LOGIN_FAILED, actor=user.email, ip=ip, details={"step": "mfa-change"})
            db.session.commit()
            flash(_("Mot de passe ou code incorrect."), "error")
            form.code.data, form.code.raw_data = "", []  # a code is not typed twice
            return render_template("auth/mfa_settings.html", form=form)
        if form.action.data == "disable":
            mfa.disable(user)
            end_all_sessions(user)
            session["sid"] = sessions.open_session(user, ip)
            _record_mfa("mfa.disable", user)
            db.session.commit()
            flash(_("Second facteur désactivé : vos autres sessions sont fermées."), "success")
            return redirect(url_for("auth.home"))
        challenges.end_all(user, challenges.ENROL)
        session[ENROLMENT] = challenges.open_challenge(user, challenges.ENROL, stepped_up=True)
        db.session.commit()
        return redirect(url_for("auth.mfa_settings"))
    return render_template("auth/mfa_settings.html", form=form)


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
