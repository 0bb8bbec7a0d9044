from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from careapp.assessments.labels import AXIS_LABELS, DOMAIN_LABELS
from careapp.auth.access import can_edit, get_registers_or_404
from careapp.db import db
from careapp.formtools import refresh_untouched, seen_revision
from careapp.locking import (
    StaleRecord,
    changed_meanwhile,
    person_changes,
    plain,
    read_opened,
)
from careapp.messages import translate
from careapp.organisations.models import Establishment
from careapp.resilience.labels import shown
from careapp.roadmap import labels, services
from careapp.roadmap.forms import ActionForm, ManualActionForm
from careapp.roadmap.models import ActionStatus, Origin, Priority, RoadmapAction

bp = Blueprint("roadmap", __name__, url_prefix="/etablissements/<int:establishment_id>")

EDITABLE = ("title", "priority", "owner", "due_on", "status", "abandon_reason", "comment")


def _lang() -> str:
    return session.get("lang", "fr")


def _owned(action_id: int, establishment: Establishment) -> RoadmapAction:
    action = db.session.get(RoadmapAction, action_id)
    if action is None or action.establishment_id != establishment.id:
        abort(404)
    return action


@bp.get("/feuille-de-route")
def index(establishment_id: int) -> str:
    establishment = get_registers_or_404(establishment_id)
    args, refused = _valid_filters(request.args)
    if refused:  # a hand-made or damaged address: the list is shown without those filters
        flash(ngettext("Filtre non reconnu, ignoré : %(names)s. La liste est affichée sans lui.",
                       "Filtres non reconnus, ignorés : %(names)s. La liste est affichée sans "
                       "eux.", len(refused), names=", ".join(refused)), "warning")
    filters = services.Filters(
        status=args.get("statut", ""), priority=args.get("priorite", ""),
        origin=args.get("origine", ""), axis=args.get("axe", ""),
        overdue=args.get("en_retard") == "1", sort=args.get("tri") or "priority")
    today = dt.date.today()
    actions = services.actions_of(establishment, filters, today)
    everything = services.actions_of(establishment, today=today)
    return render_template(
        "roadmap/index.html", establishment=establishment, actions=actions, filters=filters,
        split=services.short_list(actions, today), short_top=services.SHORT_LIST_TOP,
        progress=services.progress_of(everything, today), today=today, labels=labels,
        axis_labels=AXIS_LABELS, domain_labels=DOMAIN_LABELS, lang=_lang(),
        filtered=len(actions) != len(everything),
        can_edit=can_edit(current_user, establishment))


@bp.post("/feuille-de-route/mise-a-jour")
def regenerate(establishment_id: int) -> Response:
    establishment = get_registers_or_404(establishment_id, edit=True)
    try:
        report = services.regenerate(establishment, current_user)
        db.session.commit()
    except IntegrityError:  # another update added the same actions at the same moment
        db.session.rollback()
        flash(_("Une modification simultanée a eu lieu : rien n'a été fait. Rechargez la page "
                "et recommencez."), "error")
        return redirect(url_for("roadmap.index", establishment_id=establishment.id))
    if report.changed:
        flash(_("Feuille de route mise à jour : %(added)d action(s) ajoutée(s), %(updated)d "
                "actualisée(s), %(closed)d proposée(s) comme faite(s) (écart comblé), "
                "%(reopened)d écart(s) de nouveau constaté(s).", added=report.added, updated=report.updated,
                closed=report.closed, reopened=report.reopened), "success")
    else:
        flash(_("La feuille de route était déjà à jour."), "info")
    return redirect(url_for("roadmap.index", establishment_id=establishment.id))


@bp.route("/feuille-de-route/nouvelle", methods=["GET", "POST"])
def new(establishment_id: int) -> str | Response | tuple[str, int]:
    establishment = get_registers_or_404(establishment_id, edit=True)
    form = ManualActionForm()
    if not form.is_submitted():
        form.priority.data = "P2"
    if form.validate_on_submit():
        services.create_manual(establishment, form.values(), current_user)
        db.session.commit()
        flash(_("Action ajoutée à la feuille de route."), "success")
        return redirect(url_for("roadmap.index", establishment_id=establishment.id,
                                tri="recent"))
    return render_template("roadmap/form.html", establishment=establishment, form=form,
                           action=None, notes={}, can_edit=True, labels=labels,
                           lang=_lang()), 400 if form.errors else 200


def _saved_values(action: RoadmapAction, names: tuple[str, ...], lang: str) -> dict[str, Any]:
    """The editable values as the form shows them (the title as displayed in `lang`)."""
    return {name: action.display_title(lang) if name == "title" else getattr(action, name)
            for name in names}


LANGS = ("fr", "en")


def _opened(action: RoadmapAction, names: tuple[str, ...], lang: str) -> str:
    values = {k: plain(v) for k, v in _saved_values(action, names, lang).items()}
    return json.dumps({**values, "_lang": lang}, ensure_ascii=False)


@bp.route("/feuille-de-route/<int:action_id>", methods=["GET", "POST"])
def edit(establishment_id: int, action_id: int) -> str | Response | tuple[str, int]:
    """Same saving rules as the registers (see careapp/resilience/views.py): only what the
    person changed is written; a conflict answers 409 naming what others changed."""
    establishment = get_registers_or_404(establishment_id)
    if request.method == "POST" and not can_edit(current_user, establishment):
        abort(403)
    action = db.session.get(RoadmapAction, action_id)
    if action is None and request.method == "POST":
        flash(_("Cette action a été supprimée entre-temps : vos saisies sont ci-dessous, "
                "enregistrez-les pour la recréer comme action manuelle."), "error")
        form = ManualActionForm()
        return render_template("roadmap/form.html", establishment=establishment, form=form,
                               action=None, notes={}, can_edit=True, labels=labels,
                               action_url=url_for("roadmap.new",
                                                  establishment_id=establishment.id),
                               lang=_lang()), 409
    action = _owned(action_id, establishment)
    manual = action.origin is Origin.MANUAL
    form = (ManualActionForm if manual else ActionForm)(obj=action)
    names = EDITABLE + (("axis_id", "domain") if manual else ())
    if not form.is_submitted():
        form.title.data = action.display_title(_lang())
        form.revision.data = str(action.revision)
        form.opened.data = _opened(action, names, _lang())
    notes: dict[str, str] = {}
    status = 200
    if form.validate_on_submit():
        opened = read_opened(form.opened.data)
        # the title was shown in the language of the page when it was opened
        opened_lang = opened.get("_lang") if opened and opened.get("_lang") in LANGS else _lang()
        try:
            services.update_action(establishment, action,
                                   person_changes(form.values(), opened), current_user,
                                   seen_revision(form))
            db.session.commit()
            flash(_("Action enregistrée."), "success")
            return redirect(url_for("roadmap.index", establishment_id=establishment.id))
        except (StaleRecord, StaleDataError):
            db.session.rollback()
            action = db.session.get(RoadmapAction, action_id)
            if action is None:
                flash(_("Cette action a été supprimée entre-temps."), "error")
                return redirect(url_for("roadmap.index", establishment_id=establishment.id))
            flash(_("Quelqu'un a modifié cette action pendant que vous la remplissiez : rien n'a "
                    "été enregistré. Vos saisies sont conservées ci-dessous ; la version "
                    "enregistrée est affichée à côté. Vérifiez puis enregistrez à nouveau."),
                  "error")
            saved = _saved_values(action, names, opened_lang)
            value_labels = {"priority": labels.PRIORITY, "status": labels.STATUS}
            submitted = form.values()
            notes = {name: shown(saved[name], value_labels.get(name))
                     for name in changed_meanwhile(saved, opened, submitted)}
            refresh_untouched(form, saved, opened, submitted)
            form.opened.data = _opened(action, names, opened_lang)
            form.revision.data = str(action.revision)
            status = 409
    elif form.errors:
        status = 400
    return render_template("roadmap/form.html", establishment=establishment, form=form,
                           action=action, notes=notes, lang=_lang(), labels=labels,
                           action_url=None, can_edit=can_edit(current_user, establishment)), status


@bp.post("/feuille-de-route/<int:action_id>/fait")
def mark_done(establishment_id: int, action_id: int) -> Response:
    establishment = get_registers_or_404(establishment_id, edit=True)
    action = _owned(action_id, establishment)
    try:
        services.mark_done(establishment, action, current_user, seen_revision(ActionForm()))
        db.session.commit()
        flash(_("Action marquée comme faite."), "success")
    except (StaleRecord, StaleDataError):
        db.session.rollback()
        flash(_("Cette action a changé entre-temps : vérifiez-la avant de la marquer comme "
                "faite."), "error")
    return redirect(url_for("roadmap.index", establishment_id=establishment.id, **_kept_filters()))


FILTER_ARGS = ("statut", "priorite", "origine", "axe", "en_retard", "tri")


def _filter_values() -> dict[str, set[str]]:
    """What each filter of the list may say ("" or absent: no filter)."""
    return {
        "statut": {"open", *(s.value for s in ActionStatus)},
        "priorite": {p.value for p in Priority},
        "origine": {o.value for o in Origin},
        "axe": set(AXIS_LABELS),
        "en_retard": {"1"},
        "tri": set(services.SORTS),
    }


def _valid_filters(args: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The known filters with a value they may have, and the names of the others (a value
    never offered by the page: unknown, too long, with control characters…). Other
    parameters are not filters and are left alone."""
    allowed = _filter_values()
    valid, refused = {}, []
    for name in FILTER_ARGS:
        value = args.get(name, "")
        if value in allowed[name]:
            valid[name] = value
        elif value:
            refused.append(name)
    return valid, refused


def _kept_filters() -> dict[str, str]:
    """The list's filters, carried by the button's form, to come back to the same view."""
    kept = parse_qs(request.form.get("filtres", "")[:1000])  # other parameters are dropped
    return _valid_filters({k: v[0] for k, v in kept.items() if v})[0]


@bp.post("/feuille-de-route/<int:action_id>/suppression")
def delete(establishment_id: int, action_id: int) -> Response:
    establishment = get_registers_or_404(establishment_id, edit=True)
    action = _owned(action_id, establishment)
    try:
        services.delete_action(establishment, action, current_user)
        db.session.commit()
        flash(_("Action supprimée."), "success")
    except services.RoadmapError as exc:
        db.session.rollback()
        flash(translate(exc), "error")
    except StaleDataError:  # changed meanwhile: let the person look at it first
        db.session.rollback()
        flash(_("Une modification simultanée a eu lieu : rien n'a été fait. Rechargez la page "
                "et recommencez."), "error")
    return redirect(url_for("roadmap.index", establishment_id=establishment.id))
