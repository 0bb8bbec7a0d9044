from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from careapp.auth.access import can_edit, get_registers_or_404
from careapp.db import db
from careapp.formtools import seen_revision
from careapp.locking import StaleRecord
from careapp.organisations.models import Establishment
from careapp.resilience import labels, services
from careapp.resilience.forms import ActivityForm, ExerciseForm, FindingForm, ProfileForm
from careapp.resilience.models import ContinuityProfile, CrisisExercise, CriticalActivity, ExerciseFinding
from careapp.roadmap import services as roadmap_services

bp = Blueprint("resilience", __name__, url_prefix="/etablissements/<int:establishment_id>")

STALE = 409


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


def _save(save: Any, form: Any, model: type, object_id: int | None) -> tuple[Any, Any]:
    """Run a register save; on a conflict, roll back and return the current row instead."""
    try:
        result = save()
        db.session.commit()
        return result, None
    except (StaleRecord, StaleDataError):
        db.session.rollback()
        _stale_message()
        current = db.session.get(model, object_id) if object_id is not None else None
        if current is not None:
            form.revision.data = str(current.revision)  # a second save overwrites, knowingly
        return None, current


# -- exercises ------------------------------------------------------------------------------------

@bp.get("/exercices")
def exercises(establishment_id: int) -> str:
    establishment = get_registers_or_404(establishment_id)
    registers = services.registers_of(establishment)
    return render_template("resilience/exercises.html", establishment=establishment,
                           registers=registers, labels=labels,
                           can_edit=can_edit(current_user, establishment))


@bp.route("/exercices/nouveau", methods=["GET", "POST"])
def new_exercise(establishment_id: int) -> str | Response | tuple[str, int]:
    establishment = get_registers_or_404(establishment_id, edit=True)
    form = ExerciseForm()
    if not form.is_submitted():
        form.status.data, form.held_on.data = "planned", None
        form.kit_level.data = "beginner"
    if form.validate_on_submit():
        exercise = services.save_exercise(establishment, None, form.values(), current_user, None)
        db.session.commit()
        flash(_("Exercice enregistré."), "success")
        return redirect(url_for("resilience.exercise", establishment_id=establishment.id,
                                exercise_id=exercise.id))
    return _exercise_page(establishment, form, None, status=400 if form.errors else 200)


def _notes(current: Any, form: Any, fields: tuple[str, ...]) -> dict[str, str]:
    return labels.stale_notes(current, form.values(), fields) if current is not None else {}


def _exercise_page(establishment: Establishment, form: ExerciseForm,
                   exercise: CrisisExercise | None, current: CrisisExercise | None = None,
                   status: int = 200) -> tuple[str, int]:
    return render_template(
        "resilience/exercise_form.html", establishment=establishment, form=form,
        exercise=exercise, notes=_notes(current, form, services.EXERCISE_FIELDS),
        labels=labels, finding_form=FindingForm(),
        can_edit=can_edit(current_user, establishment), today=dt.date.today()), status


@dataclass(frozen=True)
class RowEdit:
    """How one kind of register row is edited: its service, its page, its messages."""

    model: type[Any]
    save: Callable[..., Any]
    page: Callable[..., tuple[str, int]]
    saved: Callable[[Any], str]  # where to go once saved (the row's id in, a URL out)
    gone: str  # where to go when the row was deleted meanwhile
    saved_message: str
    gone_message: str


def _edit_row(establishment: Establishment, row_id: int, form_class: type[Any],
              how: RowEdit) -> str | Response | tuple[str, int]:
    """GET shows the row's form; POST saves it if nobody changed it meanwhile (else 409 with
    the person's entries and the saved values), or re-shows it with its errors (400)."""
    row = _owned(how.model, row_id, establishment)
    form = form_class(obj=row)
    if form.is_submitted() and not can_edit(current_user, establishment):
        abort(403)
    if not form.is_submitted():
        form.revision.data = str(row.revision)
    if form.validate_on_submit():
        saved, current = _save(lambda: how.save(
            establishment, row, form.values(), current_user, seen_revision(form)),
            form, how.model, row_id)
        if saved is not None:
            flash(how.saved_message, "success")
            return redirect(how.saved(row_id))
        if current is None:
            flash(how.gone_message, "error")
            return redirect(how.gone)
        return how.page(establishment, form, current, current=current, status=STALE)
    return how.page(establishment, form, row, status=400 if form.errors else 200)


@bp.route("/exercices/<int:exercise_id>", methods=["GET", "POST"])
def exercise(establishment_id: int, exercise_id: int) -> str | Response | tuple[str, int]:
    establishment = get_registers_or_404(establishment_id)
    return _edit_row(establishment, exercise_id, ExerciseForm, RowEdit(
        CrisisExercise, services.save_exercise, _exercise_page,
        saved=lambda row_id: url_for("resilience.exercise", establishment_id=establishment.id,
                                     exercise_id=row_id),
        gone=url_for("resilience.exercises", establishment_id=establishment.id),
        saved_message=_("Exercice enregistré."),
        gone_message=_("Cet exercice a été supprimé entre-temps.")))


@bp.post("/exercices/<int:exercise_id>/suppression")
def delete_exercise(establishment_id: int, exercise_id: int) -> Response:
    establishment = get_registers_or_404(establishment_id, edit=True)
    exercise = _owned(CrisisExercise, exercise_id, establishment)
    services.delete_exercise(establishment, exercise, current_user)
    db.session.commit()
    flash(_("Exercice supprimé (les actions déjà envoyées à la feuille de route sont gardées)."),
          "success")
    return redirect(url_for("resilience.exercises", establishment_id=establishment.id))


@bp.post("/exercices/<int:exercise_id>/constats")
def add_finding(establishment_id: int, exercise_id: int) -> Response | tuple[str, int]:
    establishment = get_registers_or_404(establishment_id, edit=True)
    exercise = _owned(CrisisExercise, exercise_id, establishment)
    finding_form = FindingForm()
    if not finding_form.validate_on_submit():
        form = ExerciseForm(obj=exercise, formdata=None)
        form.revision.data = str(exercise.revision)
        page = render_template(
            "resilience/exercise_form.html", establishment=establishment, form=form,
            exercise=exercise, notes={}, labels=labels, finding_form=finding_form,
            can_edit=True, today=dt.date.today())
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
    exercise_id = finding.exercise_id
    services.delete_finding(establishment, finding, current_user)
    db.session.commit()
    flash(_("Constat supprimé."), "success")
    return redirect(url_for("resilience.exercise", establishment_id=establishment.id,
                            exercise_id=exercise_id, _anchor="constats"))


@bp.post("/constats/<int:finding_id>/feuille-de-route")
def send_finding(establishment_id: int, finding_id: int) -> Response:
    establishment = get_registers_or_404(establishment_id, edit=True)
    finding = _owned(ExerciseFinding, finding_id, establishment)
    action = roadmap_services.send_finding(establishment, finding, current_user)
    db.session.commit()
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
    current = None
    status = 200
    if form.validate_on_submit():
        seen = seen_revision(form)
        saved, current = _save(lambda: services.save_profile(
            establishment, form.values(), current_user, seen), form, ContinuityProfile,
            profile.id if profile else None)
        if saved is not None:
            flash(_("Continuité et sauvegardes enregistrées."), "success")
            return redirect(url_for("resilience.continuity", establishment_id=establishment.id))
        status = STALE
    elif form.errors:
        status = 400
    registers = services.registers_of(establishment)
    return render_template("resilience/continuity.html", establishment=establishment, form=form,
                           registers=registers,
                           notes=_notes(current, form, services.PROFILE_FIELDS), labels=labels,
                           can_edit=can_edit(current_user, establishment)), status


def _activity_page(establishment: Establishment, form: ActivityForm,
                   activity: CriticalActivity | None, current: CriticalActivity | None = None,
                   status: int = 200) -> tuple[str, int]:
    return render_template("resilience/activity_form.html", establishment=establishment,
                           form=form, activity=activity,
                           notes=_notes(current, form, services.ACTIVITY_FIELDS), labels=labels,
                           can_edit=can_edit(current_user, establishment)), status


@bp.route("/continuite/activites/nouvelle", methods=["GET", "POST"])
def new_activity(establishment_id: int) -> str | Response | tuple[str, int]:
    establishment = get_registers_or_404(establishment_id, edit=True)
    form = ActivityForm()
    if form.validate_on_submit():
        services.save_activity(establishment, None, form.values(), current_user, None)
        db.session.commit()
        flash(_("Activité critique enregistrée."), "success")
        return redirect(url_for("resilience.continuity", establishment_id=establishment.id,
                                _anchor="activites"))
    return _activity_page(establishment, form, None, status=400 if form.errors else 200)


@bp.route("/continuite/activites/<int:activity_id>", methods=["GET", "POST"])
def activity(establishment_id: int, activity_id: int) -> str | Response | tuple[str, int]:
    establishment = get_registers_or_404(establishment_id)
    activities = url_for("resilience.continuity", establishment_id=establishment.id,
                         _anchor="activites")
    return _edit_row(establishment, activity_id, ActivityForm, RowEdit(
        CriticalActivity, services.save_activity, _activity_page,
        saved=lambda _row_id: activities, gone=activities,
        saved_message=_("Activité critique enregistrée."),
        gone_message=_("Cette activité a été supprimée entre-temps.")))


@bp.post("/continuite/activites/<int:activity_id>/suppression")
def delete_activity(establishment_id: int, activity_id: int) -> Response:
    establishment = get_registers_or_404(establishment_id, edit=True)
    activity = _owned(CriticalActivity, activity_id, establishment)
    services.delete_activity(establishment, activity, current_user)
    db.session.commit()
    flash(_("Activité critique supprimée."), "success")
    return redirect(url_for("resilience.continuity", establishment_id=establishment.id,
                            _anchor="activites"))
