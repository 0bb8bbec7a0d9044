from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import defer
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from careapp.assessments import services
from careapp.assessments.forms import (
    CampaignForm,
    ReopenForm,
    SubmitForm,
    build_form,
    field_key,
    read_inputs,
    refused,
    seen_revision,
)
from careapp.assessments.labels import DOMAIN_LABELS
from careapp.assessments.models import Assessment, Campaign
from careapp.assessments.scoring import LEVEL_BOUNDS, SOCLE_CAP_LEVEL, resolve
from careapp.auth.access import (
    can_edit,
    can_manage_campaigns,
    can_reopen,
    can_view,
    get_campaign_or_404,
    get_establishment_or_404,
    is_member,
)
from careapp.auth.models import Role
from careapp.db import db
from careapp.messages import translate
from careapp.questionnaires import registry
from careapp.questionnaires.model import Questionnaire, Section
from careapp.questionnaires.models import QuestionnaireVersion
from careapp.reporting.charts import axis_bars_svg
from careapp.resilience import services as resilience_services
from careapp.rollups.peers import peer_comparison

bp = Blueprint("assessments", __name__)


def get_assessment_or_404(assessment_id: int, *, edit: bool = False) -> Assessment:
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or not can_view(current_user, assessment.establishment):
        abort(404)
    if edit and not can_edit(current_user, assessment.establishment):
        abort(403)
    return assessment


def _lang() -> str:
    return session.get("lang", "fr")


@bp.post("/etablissements/<int:establishment_id>/campagnes/<int:campaign_id>/evaluation")
def start(establishment_id: int, campaign_id: int) -> Response:
    establishment = get_establishment_or_404(establishment_id, edit=True)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.region_code not in (None, establishment.region_code):
        abort(404)
    try:
        assessment = services.start_assessment(campaign, establishment, current_user)
        db.session.commit()
    except services.AssessmentError as exc:
        db.session.rollback()
        flash(translate(exc), "error")
        return redirect(url_for("organisations.show", establishment_id=establishment.id))
    except IntegrityError:  # a colleague started it at the same moment: open theirs
        db.session.rollback()
        existing = services.find_assessment(campaign, establishment)
        if existing is None:
            raise
        return redirect(url_for("assessments.overview", assessment_id=existing.id))
    carried = sum(1 for a in assessment.answers if a.carried_over)
    if carried:
        flash(ngettext("%(num)d réponse reprise de la dernière évaluation soumise : vérifiez-la.",
                       "%(num)d réponses reprises de la dernière évaluation soumise : vérifiez-les.",
                       carried), "info")
    return redirect(url_for("assessments.overview", assessment_id=assessment.id))


@bp.get("/evaluations/<int:assessment_id>")
def overview(assessment_id: int) -> str:
    assessment = get_assessment_or_404(assessment_id)
    questionnaire = services.questionnaire_of(assessment)
    results = resolve(questionnaire, services.raw_answers(assessment))
    return render_template(
        "assessments/overview.html",
        assessment=assessment,
        questionnaire=questionnaire,
        progress=services.progress(questionnaire, results, services.carried_over(assessment)),
        missing=services.missing_items(questionnaire, results),
        editable=_editable(assessment),
        past_deadline=dt.date.today() > assessment.campaign.deadline,
        can_reopen=can_reopen(current_user, assessment.establishment),
        lang=_lang(),
    )


def _editable(assessment: Assessment) -> bool:
    return can_edit(current_user, assessment.establishment) and services.open_for_input(assessment)


@bp.route("/evaluations/<int:assessment_id>/sections/<section_id>", methods=["GET", "POST"])
def section(assessment_id: int, section_id: str) -> str | Response | tuple[str, int]:
    assessment = get_assessment_or_404(assessment_id, edit=request.method == "POST")
    questionnaire = _questionnaire(assessment)
    current = questionnaire.section(section_id)
    if current is None:
        abort(404)
    lang = _lang()
    if request.method == "GET":
        answers = {a.question_id: a for a in assessment.answers}
        return _render_section(assessment, current, build_form(
            current, answers, None, lang, revision=assessment.revision))
    # CSRFProtect has already checked the token; fields accept anything, interpreted later.
    form = build_form(current, {}, request.form, lang, revision=assessment.revision)
    if refused(current, form):  # page expired, or unusable text: nothing saved, input kept
        return _render_section(assessment, current, form), 400
    inputs = read_inputs(current, form)
    seen = seen_revision(form)
    try:
        results = _save_section(assessment, current, inputs, seen)
    except _SaveFailed:
        flash(_("L'enregistrement n'a pas pu aboutir : rien n'a été enregistré, vos saisies sont "
                "conservées ci-dessous. Enregistrez à nouveau."), "error")
        return _render_section(assessment, current, form), 503
    except services.StaleSection as exc:
        db.session.rollback()
        form.revision.data = assessment.revision  # saving again now overrides, knowingly
        names = sorted({a.updated_by.name for a in exc.changed.values() if a.updated_by})
        flash(_("Pendant votre saisie, %(who)s a enregistré des réponses de cette section "
                "(%(questions)s). Rien n'a été enregistré : vos saisies sont conservées "
                "ci-dessous, avec la version enregistrée sous chaque question concernée. "
                "Vérifiez-les puis enregistrez à nouveau.",
                who=", ".join(names) or _("un autre utilisateur"),
                questions=", ".join(exc.changed)), "warning")
        return _render_section(assessment, current, form, conflicts=exc.changed), 409
    except services.AssessmentError as exc:
        db.session.rollback()
        flash(translate(exc), "error")
        return redirect(url_for("assessments.overview", assessment_id=assessment.id))
    errors = [q.id for q in current.questions if results[q.id].error]
    if errors:
        flash(ngettext("Section enregistrée. %(num)d réponse(s) à corriger : elles sont "
                       "conservées telles que saisies.",
                       "Section enregistrée. %(num)d réponse(s) à corriger : elles sont "
                       "conservées telles que saisies.", len(errors)), "warning")
    else:
        flash(_("Section enregistrée."), "success")
        if request.form.get("next") == "1":
            following = _next_section(questionnaire.sections, current.id)
            if following is not None:
                return redirect(url_for("assessments.section", assessment_id=assessment.id,
                                        section_id=following.id))
            return redirect(url_for("assessments.overview", assessment_id=assessment.id))
    return redirect(url_for("assessments.section", assessment_id=assessment.id,
                            section_id=current.id))


class _SaveFailed(Exception):
    """The database refused a section save twice (never expected: saves take turns)."""


def _save_section(assessment: Assessment, current: Section, inputs: dict,
                  seen: int | None) -> dict:
    """Save and commit. Saves of one assessment take turns (services.save_section), so the
    database has no reason to refuse one; should it still (a version or unique-key clash, a
    deadlock or a busy SQLite file), the save is tried once more from a fresh read, then
    _SaveFailed: the person keeps what they typed, never a 500."""
    for _attempt in range(2):
        try:
            results = services.save_section(assessment, current, inputs, current_user, seen)
            db.session.commit()
            return results
        except (StaleDataError, IntegrityError, OperationalError):
            db.session.rollback()
    raise _SaveFailed


def _render_section(assessment: Assessment, current: Section, form: FlaskForm,
                    conflicts: dict | None = None) -> str:
    questionnaire = _questionnaire(assessment)
    answers = services.raw_answers(assessment)
    results = resolve(questionnaire, answers)
    # The page shows register facts beside its own questions only: no register is read for
    # a section without a cross-checked question.
    checked = {c.question_id for c in registry.crosschecks(questionnaire.key)}
    return render_template(
        "assessments/section.html",
        consistency=(_consistency(assessment, questionnaire, answers)
                     if any(q.id in checked for q in current.questions) else None),
        register_member=is_member(current_user, assessment.establishment),
        assessment=assessment,
        questionnaire=questionnaire,
        section=current,
        form=form,
        results=results,
        answers={a.question_id: a for a in assessment.answers},
        conflicts=conflicts or {},
        field_key=field_key,
        progress=services.progress(questionnaire, results),
        next_section=_next_section(questionnaire.sections, current.id),
        editable=_editable(assessment),
        lang=_lang(),
    )


def _questionnaire(assessment: Assessment) -> Questionnaire:
    """services.questionnaire_of without reading the stored questionnaire's content (a large
    JSON document, read on every section page and save) when its model is already built: the
    version is read once per request with its content deferred, registry.model_of reads only
    the content hash unless the model is not cached yet. (`deferred=True` on
    QuestionnaireVersion.content would do this everywhere.)"""
    wanted = assessment.campaign.questionnaire_version_id
    version = g.get("questionnaire_version")
    if version is None or version.id != wanted:
        version = db.session.scalars(
            select(QuestionnaireVersion).options(defer(QuestionnaireVersion.content))
            .where(QuestionnaireVersion.id == wanted)).one()
        # The session's identity map holds objects weakly: kept for the request, the version
        # is what services.questionnaire_of finds later (after save_section's refresh of the
        # campaign), instead of reading it again with its content.
        g.questionnaire_version = version
    return registry.model_of(version)


def _consistency(assessment: Assessment, questionnaire: Questionnaire,
                 answers: dict) -> resilience_services.Consistency | None:
    """Register facts beside the questions, for the establishment's members only (the ARS gets
    the registers' summary elsewhere, not their details). A submitted assessment is compared
    with the registers as they stood on its submission day."""
    if not is_member(current_user, assessment.establishment):
        return None
    as_of = assessment.submitted_at.date() if assessment.submitted_at else None
    return resilience_services.consistency(assessment.establishment, questionnaire, answers,
                                           as_of)


def _next_section(sections: list, section_id: str):  # type: ignore[no-untyped-def]
    ids = [s.id for s in sections]
    index = ids.index(section_id)
    return sections[index + 1] if index + 1 < len(sections) else None


@bp.get("/evaluations/<int:assessment_id>/prochaine-question")
def next_unanswered(assessment_id: int) -> Response:
    assessment = get_assessment_or_404(assessment_id)
    questionnaire = services.questionnaire_of(assessment)
    results = resolve(questionnaire, services.raw_answers(assessment))
    missing = services.missing_items(questionnaire, results)
    if not missing:
        flash(_("Toutes les questions ont une réponse."), "success")
        return redirect(url_for("assessments.overview", assessment_id=assessment.id))
    first = questionnaire.question(missing[0].id)
    return redirect(url_for("assessments.section", assessment_id=assessment.id,
                            section_id=first.section_id, _anchor=f"q-{first.id}"))


@bp.route("/evaluations/<int:assessment_id>/soumettre", methods=["GET", "POST"])
def submit(assessment_id: int) -> str | Response:
    assessment = get_assessment_or_404(assessment_id, edit=True)
    questionnaire = services.questionnaire_of(assessment)
    form = SubmitForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.submit(assessment, current_user, carried_checked=form.carried_checked.data)
        except services.AssessmentError as exc:
            db.session.rollback()
            flash(translate(exc), "error")
        except StaleDataError:  # a section was saved meanwhile: these scores are out of date
            db.session.rollback()
            flash(_("Des réponses ont été enregistrées pendant votre soumission : rien n'a été "
                    "soumis. Vérifiez-les puis soumettez à nouveau."), "warning")
        else:
            db.session.commit()
            flash(_("Évaluation soumise : les réponses et les scores sont figés."), "success")
            return redirect(url_for("assessments.results", assessment_id=assessment.id))
    results = resolve(questionnaire, services.raw_answers(assessment))
    carried = services.carried_over(assessment)
    return render_template(
        "assessments/submit.html", assessment=assessment, questionnaire=questionnaire,
        missing=services.missing_items(questionnaire, results), form=form,
        to_review=[p for p in services.progress(questionnaire, results, carried) if p.to_review],
        editable=_editable(assessment), lang=_lang(),
    )


@bp.get("/evaluations/<int:assessment_id>/resultats")
def results(assessment_id: int) -> str:
    assessment = get_assessment_or_404(assessment_id)
    questionnaire = services.questionnaire_of(assessment)
    data = services.results_of(assessment)
    return render_template(
        "assessments/results.html",
        consistency=_consistency(assessment, questionnaire, services.raw_answers(assessment)),
        assessment=assessment,
        questionnaire=questionnaire,
        results=data,
        chart=axis_bars_svg(questionnaire, data, _lang()),
        peers=peer_comparison(assessment, [axis.id for axis in questionnaire.axes]),
        domain_labels=DOMAIN_LABELS,
        level_bounds=LEVEL_BOUNDS,
        socle_cap=SOCLE_CAP_LEVEL,
        answers={a.question_id: a for a in assessment.answers},
        lang=_lang(),
    )


@bp.route("/evaluations/<int:assessment_id>/reouvrir", methods=["GET", "POST"])
def reopen(assessment_id: int) -> str | Response | tuple[str, int]:
    """The reopening form (a reason is required), then the reopening. A refused post (no
    reason, text too long or with control characters, page expired) changes nothing and shows
    the form again with what was typed (400)."""
    assessment = get_assessment_or_404(assessment_id)
    if not can_reopen(current_user, assessment.establishment):
        abort(403)
    form = ReopenForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.reopen(assessment, by=current_user, reason=form.reason.data)
        except services.AssessmentError as exc:
            db.session.rollback()
            flash(translate(exc), "error")
        except StaleDataError:  # a concurrent reopening (or save) went first
            db.session.rollback()
            flash(_("L'évaluation a changé pendant votre saisie : rien n'a été rouvert. "
                    "Vérifiez son état."), "warning")
        else:
            db.session.commit()
            flash(_("Évaluation rouverte : l'établissement peut à nouveau la modifier. La raison "
                    "indiquée s'affiche sur sa vue d'ensemble."), "success")
        return redirect(url_for("assessments.overview", assessment_id=assessment.id))
    return render_template("assessments/reopen.html", assessment=assessment, form=form), (
        400 if request.method == "POST" else 200)


# -- campaigns ---------------------------------------------------------------------------------

@bp.get("/campagnes")
def campaigns() -> str:
    if current_user.role not in {Role.ADMIN, Role.ARS, Role.NATIONAL, Role.GRADES}:
        abort(403)
    regional = current_user.role in {Role.ARS, Role.GRADES}
    campaigns = services.campaigns_in(current_user.region_code if regional else None)
    manageable = {c.id for c in campaigns if can_manage_campaigns(current_user, c.region_code)}
    return render_template("assessments/campaigns.html", campaigns=campaigns, manageable=manageable,
                           can_create=current_user.role in {Role.ADMIN, Role.ARS})


@bp.route("/campagnes/nouvelle", methods=["GET", "POST"])
def new_campaign() -> str | Response | tuple[str, int]:
    if current_user.role not in {Role.ADMIN, Role.ARS}:
        abort(403)
    form = CampaignForm.for_user(current_user, registry.available())
    # An ARS posting another scope than its region is refused outright, before validation.
    if request.method == "POST" and not can_manage_campaigns(
            current_user, request.form.get("region_code") or None):
        abort(403)
    if form.validate_on_submit():
        region_code = form.region_code.data or None
        key, version = form.questionnaire.data.split("@", 1)
        try:
            campaign = services.open_campaign(
                name=form.name.data, year=form.year.data, questionnaire_key=key,
                questionnaire_version=version, opens_on=form.opens_on.data,
                deadline=form.deadline.data, region_code=region_code,
                created_by=current_user,
            )
        except (services.AssessmentError, registry.QuestionnaireError) as exc:
            db.session.rollback()
            flash(translate(exc), "error")
        else:
            db.session.commit()
            flash(_("Campagne « %(name)s » ouverte.", name=campaign.name), "success")
            return redirect(url_for("assessments.campaigns"))
    elif request.method == "GET":
        form.year.data = dt.date.today().year
        # A new campaign is proposed on the newest active version (the corrected content);
        # last year's answers reach it through the versions' mapping file.
        latest = registry.newest(registry.available())
        if latest is not None:
            form.questionnaire.data = f"{latest.data['id']}@{latest.data['version']}"
    # A post that opened nothing (invalid or expired form, refused by the service) is a 400,
    # like the register forms: the form comes back with the input and the reason.
    return render_template("assessments/campaign_form.html", form=form), (
        400 if request.method == "POST" else 200)


@bp.post("/campagnes/<int:campaign_id>/cloturer")
def close_campaign(campaign_id: int) -> Response:
    return _change_campaign(campaign_id, services.close_campaign,
                            _l("Campagne « %(name)s » close."))


@bp.post("/campagnes/<int:campaign_id>/rouvrir")
def reopen_campaign(campaign_id: int) -> Response:
    return _change_campaign(campaign_id, services.reopen_campaign,
                            _l("Campagne « %(name)s » rouverte."))


def _change_campaign(campaign_id: int, change, done_message) -> Response:  # noqa: ANN001
    campaign = get_campaign_or_404(campaign_id, manage=True)
    try:
        change(campaign, by=current_user)
    except services.AssessmentError as exc:
        db.session.rollback()
        flash(translate(exc), "error")
    else:
        db.session.commit()
        flash(str(done_message) % {"name": campaign.name}, "success")
    return redirect(url_for("assessments.campaigns"))
