"""Register pages. Saving rules shared by every form here:

- a save writes only the fields the person changed since the page was opened (the form
  carries the revision and the values it was opened with);
- if someone saved the row meanwhile, nothing is written: 409, the person's entries stay in the
  form, and each field someone else changed shows its saved value (saving again then writes
  the person's changes over the current row, knowingly);
- a row deleted meanwhile: the entries come back in a "new" form, ready to be saved again;
- two first saves racing on the database (unique key) get the same 409 treatment, never a 500.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from careapp.auth.access import can_edit, get_registers_or_404
from careapp.db import db
from careapp.formtools import refresh_untouched, seen_revision
from careapp.locking import StaleRecord, opened_json, person_changes, plain, read_opened
from careapp.organisations.models import Establishment
from careapp.resilience import labels, services
from careapp.resilience.forms import ActivityForm, ExerciseForm, FindingForm, ProfileForm
from careapp.resilience.models import (
    ContinuityProfile,
    CrisisExercise,
    CriticalActivity,
    ExerciseFinding,
)
from careapp.resilience.rules import RULES
from careapp.roadmap import services as roadmap_services

bp = Blueprint("resilience", __name__, url_prefix="/etablissements/<int:establishment_id>")

STALE = 409
CONFLICTS = (StaleRecord, StaleDataError, IntegrityError)


def _owned(model: type, object_id: int, establishment: Establishment) -> Any:
    """A register row of this establishment, or 404 (ids of others are not disclosed)."""
    obj = db.session.get(model, object_id)
    owner = obj.exercise.establishment_id if isinstance(obj, ExerciseFinding) else \
        getattr(obj, "establishment_id", None)
    if obj is None or owner != establishment.id:
        abort(404)
    return obj


def _stale_message() -> None:
    flash(_("Quelqu'un a modifié cette fiche pendant que vous la remplissiez : rien n'a été "
            "enregistré. Vos saisies sont conservées ci-dessous ; la version enregistrée est "
            "affichée à côté. Vérifiez puis enregistrez à nouveau."), "error")


def _save(save: Callable[[], Any], form: Any, model: type, object_id: int | None
          ) -> tuple[Any, Any]:
    """Run a register save and commit; on a conflict, roll back and return the current row."""
    try:
        result = save()
        db.session.commit()
        return result, None
    except CONFLICTS:
        db.session.rollback()
        _stale_message()
        current = db.session.get(model, object_id) if object_id is not None else None
        if current is not None:
            form.revision.data = str(current.revision)  # a second save overwrites, knowingly
        return None, current


def _changed_only(form: Any) -> dict[str, Any]:
    return person_changes(form.values(), read_opened(form.opened.data))


def _conflict_notes(current: Any, form: Any, fields: tuple[str, ...]) -> dict[str, str]:
    """What others changed (notes under the fields), then the untouched fields refreshed."""
    if current is None:
        return {}
    opened, submitted = read_opened(form.opened.data), form.values()
    notes = labels.stale_notes(current, opened, submitted, fields)
    refresh_untouched(form, {name: getattr(current, name) for name in fields}, opened, submitted)
    return notes


def _apply_change(change: Callable[[], Any], back: str, done: str) -> Response:
    """A one-button change (delete…): done and said, or, on a concurrent change, nothing done
    and said too."""
    try:
        change()
        db.session.commit()
    except CONFLICTS:
        db.session.rollback()
        flash(CONCURRENT, "error")
    else:
        flash(done, "success")
    return redirect(back)


CONCURRENT = _("Une modification simultanée a eu lieu : rien n'a été fait. Rechargez la page "
               "et recommencez.")


# -- exercises ------------------------------------------------------------------------------------

@bp.get("/exercices")
def exercises(establishment_id: int) -> str:
    establishment = get_registers_or_404(establishment_id)
    registers = services.registers_of(establishment)
    return render_template("resilience/exercises.html", establishment=establishment,
                           registers=registers, labels=labels,
                           can_edit=can_edit(current_user, establishment))


def _exercise_page(establishment: Establishment, form: ExerciseForm,
                   exercise: CrisisExercise | None, notes: dict[str, str] | None = None,
                   status: int = 200) -> tuple[str, int]:
    return render_template(
        "resilience/exercise_form.html", establishment=establishment, form=form,
        exercise=exercise, notes=notes or {},
        labels=labels, finding_form=FindingForm(),
        action_url=None if exercise else url_for("resilience.new_exercise",
                                                 establishment_id=establishment.id),
        can_edit=can_edit(current_user, establishment), today=dt.date.today()), status


@bp.route("/exercices/nouveau", methods=["GET", "POST"])
def new_exercise(establishment_id: int) -> str | Response | tuple[str, int]:
    establishment = get_registers_or_404(establishment_id, edit=True)
    form = ExerciseForm()
    if not form.is_submitted():
        form.status.data, form.held_on.data = "planned", None
        form.kit_level.data = "beginner"
    if form.validate_on_submit():
        exercise, _current = _save(lambda: services.save_exercise(
            establishment, None, form.values(), current_user, None), form, CrisisExercise, None)
        if exercise is not None:
            flash(_("Exercice enregistré."), "success")
            return redirect(url_for("resilience.exercise", establishment_id=establishment.id,
                                    exercise_id=exercise.id))
        return _exercise_page(establishment, form, None, status=STALE)
    return _exercise_page(establishment, form, None, status=400 if form.errors else 200)


@dataclass(frozen=True)
class RowEdit:
    """How one kind of register row is edited: its service, its page, its messages."""

    model: type[Any]
    fields: tuple[str, ...]
    save: Callable[..., Any]
    page: Callable[..., tuple[str, int]]
    saved: Callable[[Any], str]  # where to go once saved (the row's id in, a URL out)
    saved_message: str
    gone_message: str


def _edit_row(establishment: Establishment, row_id: int, form_class: type[Any],
              how: RowEdit) -> str | Response | tuple[str, int]:
    """GET shows the row's form; POST saves what the person changed if nobody changed the row
    meanwhile (else 409 with the person's entries and the saved values), or re-shows it with
    its errors (400)."""
    if request.method == "POST" and not can_edit(current_user, establishment):
        abort(403)
    row = db.session.get(how.model, row_id)
    form = form_class(obj=row)
    if row is None and form.is_submitted():  # deleted meanwhile: offer to save it again
        flash(how.gone_message, "error")
        return how.page(establishment, form, None, status=STALE)
    row = _owned(how.model, row_id, establishment)
    if not form.is_submitted():
        form.revision.data = str(row.revision)
        form.opened.data = opened_json(row, how.fields)
    if form.validate_on_submit():
        saved, current = _save(lambda: how.save(
            establishment, row, _changed_only(form), current_user, seen_revision(form)),
            form, how.model, row_id)
        if saved is not None:
            flash(how.saved_message, "success")
            return redirect(how.saved(row_id))
        if current is None:
            flash(how.gone_message, "error")
            return how.page(establishment, form, None, status=STALE)
        return how.page(establishment, form, current,
                        notes=_conflict_notes(current, form, how.fields), status=STALE)
    return how.page(establishment, form, row, status=400 if form.errors else 200)


@bp.route("/exercices/<int:exercise_id>", methods=["GET", "POST"])
def exercise(establishment_id: int, exercise_id: int) -> str | Response | tuple[str, int]:
    establishment = get_registers_or_404(establishment_id)
    return _edit_row(establishment, exercise_id, ExerciseForm, RowEdit(
        CrisisExercise, services.EXERCISE_FIELDS, services.save_exercise, _exercise_page,
        saved=lambda row_id: url_for("resilience.exercise", establishment_id=establishment.id,
                                     exercise_id=row_id),
        saved_message=_("Exercice enregistré."),
        gone_message=_("Cet exercice a été supprimé entre-temps : vos saisies sont ci-dessous, "
                       "enregistrez-les pour le recréer.")))


@bp.post("/exercices/<int:exercise_id>/suppression")
def delete_exercise(establishment_id: int, exercise_id: int) -> Response:
    establishment = get_registers_or_404(establishment_id, edit=True)
    exercise = _owned(CrisisExercise, exercise_id, establishment)
    return _apply_change(
        lambda: services.delete_exercise(establishment, exercise, current_user),
        url_for("resilience.exercises", establishment_id=establishment.id),
        _("Exercice supprimé (les actions déjà envoyées à la feuille de route sont gardées)."))


@bp.post("/exercices/<int:exercise_id>/constats")
def add_finding(establishment_id: int, exercise_id: int) -> Response | tuple[str, int]:
    establishment = get_registers_or_404(establishment_id, edit=True)
    exercise = _owned(CrisisExercise, exercise_id, establishment)
    finding_form = FindingForm()
    if not finding_form.validate_on_submit():
        form = ExerciseForm(obj=exercise, formdata=None)
        form.revision.data = str(exercise.revision)
        form.opened.data = opened_json(exercise, services.EXERCISE_FIELDS)
        page = render_template(
            "resilience/exercise_form.html", establishment=establishment, form=form,
            exercise=exercise, notes={}, labels=labels, finding_form=finding_form,
            action_url=None, can_edit=True, today=dt.date.today())
        return page, 400
    services.add_finding(establishment, exercise, finding_form.text.data, current_user)
    db.session.commit()
    flash(_("Constat ajouté."), "success")
    return redirect(url_for("resilience.exercise", establishment_id=establishment.id,
                            exercise_id=exercise.id, _anchor="constats"))


@bp.post("/constats/<int:finding_id>/suppression")
def delete_finding(establishment_id: int, finding_id: int) -> Response:
    establishment = get_registers_or_404(establishment_id, edit=True)
    finding = _owned(ExerciseFinding, finding_id, establishment)
    back = url_for("resilience.exercise", establishment_id=establishment.id,
                   exercise_id=finding.exercise_id, _anchor="constats")
    return _apply_change(lambda: services.delete_finding(establishment, finding, current_user),
                         back, _("Constat supprimé."))


@bp.post("/constats/<int:finding_id>/feuille-de-route")
def send_finding(establishment_id: int, finding_id: int) -> Response:
    establishment = get_registers_or_404(establishment_id, edit=True)
    finding = _owned(ExerciseFinding, finding_id, establishment)
    back = url_for("resilience.exercise", establishment_id=establishment.id,
                   exercise_id=finding.exercise_id, _anchor="constats")
    try:
        action = roadmap_services.send_finding(establishment, finding, current_user)
        db.session.commit()
    except CONFLICTS:
        db.session.rollback()
        flash(CONCURRENT, "error")
        return redirect(back)
    flash(_("Le constat est dans la feuille de route : précisez le responsable et l'échéance."),
          "success")
    return redirect(url_for("roadmap.edit", establishment_id=establishment.id,
                            action_id=action.id))


# -- continuity (PCA/PRA) and backups --------------------------------------------------------------

@bp.route("/continuite", methods=["GET", "POST"])
def continuity(establishment_id: int) -> str | Response | tuple[str, int]:
    establishment = get_registers_or_404(establishment_id)
    profile = services.profile_of(establishment)
    form = ProfileForm(obj=profile)
    if form.is_submitted() and not can_edit(current_user, establishment):
        abort(403)
    if not form.is_submitted():
        form.revision.data = str(profile.revision if profile else 0)
        # no profile yet: the blank form's own values (so that "" is not taken for a change)
        form.opened.data = opened_json(profile, services.PROFILE_FIELDS) if profile else \
            json.dumps({k: plain(v) for k, v in form.values().items()})
    current = None
    status = 200
    if form.validate_on_submit():
        seen = seen_revision(form)
        data = form.values() if profile is None else _changed_only(form)
        saved, current = _save(lambda: services.save_profile(
            establishment, data, current_user, seen), form, ContinuityProfile,
            profile.id if profile else None)
        if saved is not None:
            flash(_("Continuité et sauvegardes enregistrées."), "success")
            return redirect(url_for("resilience.continuity", establishment_id=establishment.id))
        current = current or services.profile_of(establishment)  # a first save raced ours
        if current is not None:
            form.revision.data = str(current.revision)
        status = STALE
    elif form.errors:
        status = 400
    registers = services.registers_of(establishment)
    return render_template("resilience/continuity.html", establishment=establishment, form=form,
                           registers=registers,
                           notes=_conflict_notes(current, form, services.PROFILE_FIELDS),
                           labels=labels, d2_rules=RULES,
                           can_edit=can_edit(current_user, establishment)), status


def _activity_page(establishment: Establishment, form: ActivityForm,
                   activity: CriticalActivity | None, notes: dict[str, str] | None = None,
                   status: int = 200) -> tuple[str, int]:
    return render_template(
        "resilience/activity_form.html", establishment=establishment, form=form,
        activity=activity, notes=notes or {},
        action_url=None if activity else url_for("resilience.new_activity",
                                                 establishment_id=establishment.id),
        labels=labels, can_edit=can_edit(current_user, establishment)), status


@bp.route("/continuite/activites/nouvelle", methods=["GET", "POST"])
def new_activity(establishment_id: int) -> str | Response | tuple[str, int]:
    establishment = get_registers_or_404(establishment_id, edit=True)
    form = ActivityForm()
    if form.validate_on_submit():
        saved, _current = _save(lambda: services.save_activity(
            establishment, None, form.values(), current_user, None), form, CriticalActivity, None)
        if saved is not None:
            flash(_("Activité critique enregistrée."), "success")
            return redirect(url_for("resilience.continuity", establishment_id=establishment.id,
                                    _anchor="activites"))
        return _activity_page(establishment, form, None, status=STALE)
    return _activity_page(establishment, form, None, status=400 if form.errors else 200)


@bp.route("/continuite/activites/<int:activity_id>", methods=["GET", "POST"])
def activity(establishment_id: int, activity_id: int) -> str | Response | tuple[str, int]:
    establishment = get_registers_or_404(establishment_id)
    activities = url_for("resilience.continuity", establishment_id=establishment.id,
                         _anchor="activites")
    return _edit_row(establishment, activity_id, ActivityForm, RowEdit(
        CriticalActivity, services.ACTIVITY_FIELDS, services.save_activity, _activity_page,
        saved=lambda _row_id: activities,
        saved_message=_("Activité critique enregistrée."),
        gone_message=_("Cette activité a été supprimée entre-temps : vos saisies sont "
                       "ci-dessous, enregistrez-les pour la recréer.")))


@bp.post("/continuite/activites/<int:activity_id>/suppression")
def delete_activity(establishment_id: int, activity_id: int) -> Response:
    establishment = get_registers_or_404(establishment_id, edit=True)
    activity = _owned(CriticalActivity, activity_id, establishment)
    return _apply_change(
        lambda: services.delete_activity(establishment, activity, current_user),
        url_for("resilience.continuity", establishment_id=establishment.id, _anchor="activites"),
        _("Activité critique supprimée."))
