"""Assessment operations: the only code that changes campaigns, assessments and answers.

Functions flush; the view that called them commits (one commit per request).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from careapp import events
from careapp.assessments.answers import RawAnswer, interpret
from careapp.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    AxisScore,
    Campaign,
    CampaignStatus,
    ScoreSnapshot,
)
from careapp.assessments.scoring import QuestionResult, ScoreResult, resolve, score
from careapp.audit.services import record
from careapp.auth.models import User
from careapp.db import db, utcnow
from careapp.messages import Msg
from careapp.organisations.models import Establishment
from careapp.questionnaires import registry
from careapp.questionnaires.mapping import carry_answers
from careapp.questionnaires.model import Questionnaire, Section


class AssessmentError(ValueError):
    """A refused operation, with a message for the person who asked."""


# -- campaigns ---------------------------------------------------------------------------------

def open_campaign(
    *, name: str, year: int, questionnaire_key: str, questionnaire_version: str,
    opens_on: dt.date, deadline: dt.date, region_code: str | None, created_by: User | None,
) -> Campaign:
    if deadline < opens_on:
        raise AssessmentError(Msg("La date limite doit suivre la date d'ouverture."))
    stored = registry.store_version(questionnaire_key, questionnaire_version)
    duplicate = db.session.scalar(select(Campaign).filter_by(
        year=year, region_code=region_code, questionnaire_version_id=stored.id))
    if duplicate is not None:
        raise AssessmentError(Msg("Une campagne existe déjà pour cette année, ce périmètre et "
                                  "cette version du questionnaire."))
    campaign = Campaign(
        name=name, year=year, region_code=region_code, questionnaire_version=stored,
        opens_on=opens_on, deadline=deadline, status=CampaignStatus.OPEN,
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(campaign)
    db.session.flush()
    events.campaign_opened.send(campaign)
    record("campaign.open", actor=created_by, object_type="campaign", object_id=campaign.id,
           region_code=region_code,
           details={"name": name, "year": year, "questionnaire": stored.content_hash[:12]})
    return campaign


def close_campaign(campaign: Campaign, by: User | None = None) -> None:
    if campaign.status is CampaignStatus.CLOSED:
        raise AssessmentError(Msg("Cette campagne est déjà close."))
    campaign.status = CampaignStatus.CLOSED
    record("campaign.close", actor=by, object_type="campaign", object_id=campaign.id,
           region_code=campaign.region_code)
    db.session.flush()


def reopen_campaign(campaign: Campaign, by: User | None = None) -> None:
    """Undo a closing: drafts can be edited and submitted again."""
    if campaign.status is CampaignStatus.OPEN:
        raise AssessmentError(Msg("Cette campagne est déjà ouverte."))
    campaign.status = CampaignStatus.OPEN
    record("campaign.reopen", actor=by, object_type="campaign", object_id=campaign.id,
           region_code=campaign.region_code)
    db.session.flush()


def campaigns_in(region_code: str | None) -> list[Campaign]:
    """Campaigns that concern a region (national ones and its own), newest first;
    every campaign when `region_code` is None."""
    query = select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())
    if region_code is not None:
        query = query.where(or_(Campaign.region_code.is_(None),
                                Campaign.region_code == region_code))
    return list(db.session.scalars(query))


def campaigns_for(establishment: Establishment) -> list[Campaign]:
    return campaigns_in(establishment.region_code)


def questionnaire_of_campaign(campaign: Campaign) -> Questionnaire:
    return registry.model_of(campaign.questionnaire_version)


def questionnaire_of(assessment: Assessment) -> Questionnaire:
    return questionnaire_of_campaign(assessment.campaign)


# -- assessments -------------------------------------------------------------------------------

def find_assessment(campaign: Campaign, establishment: Establishment) -> Assessment | None:
    return db.session.scalar(select(Assessment).filter_by(
        campaign_id=campaign.id, establishment_id=establishment.id))


def start_assessment(campaign: Campaign, establishment: Establishment, user: User) -> Assessment:
    """Create the assessment, pre-filled from the establishment's last submitted one."""
    if campaign.region_code not in (None, establishment.region_code):
        raise AssessmentError(Msg("Cette campagne ne concerne pas la région de l'établissement."))
    existing = find_assessment(campaign, establishment)
    if existing is not None:
        return existing
    if campaign.status is not CampaignStatus.OPEN:
        raise AssessmentError(Msg("Cette campagne est close : elle n'accepte plus de saisie."))
    assessment = Assessment(campaign=campaign, establishment=establishment,
                            status=AssessmentStatus.DRAFT)
    db.session.add(assessment)
    previous = _last_submitted(establishment, before=campaign)
    if previous is not None:
        assessment.carried_from_id = previous.id
        _carry_over(previous, assessment, registry.model_of(campaign.questionnaire_version), user)
    db.session.flush()
    events.assessment_changed.send(assessment)
    _record(assessment, "assessment.start", user, {"carried_from": assessment.carried_from_id})
    return assessment


def _record(assessment: Assessment, action: str, user: User | None,
            details: dict | None = None) -> None:
    record(action, actor=user, object_type="assessment", object_id=assessment.id,
           region_code=assessment.establishment.region_code,
           establishment_id=assessment.establishment_id, details=details)


def _last_submitted(establishment: Establishment, before: Campaign) -> Assessment | None:
    return db.session.scalar(
        select(Assessment).join(Campaign)
        .where(Assessment.establishment_id == establishment.id,
               Assessment.status == AssessmentStatus.SUBMITTED,
               Campaign.year <= before.year, Campaign.id != before.id)
        .order_by(Campaign.year.desc(), Assessment.submitted_at.desc())
        .limit(1)
    )


def _carry_over(previous: Assessment, target: Assessment, questionnaire: Questionnaire,
                user: User) -> None:
    """Copy last year's answers that still mean the same thing in this campaign's version.

    Same version: answers whose question id still exists and whose value is still valid.
    Another version: only what the versions' mapping file carries (questionnaires/mappings/),
    translated; without a mapping nothing carries (an answer is never guessed across versions).
    """
    old_version = previous.campaign.questionnaire_version
    new_version = target.campaign.questionnaire_version
    if old_version.id == new_version.id or (old_version.key, old_version.version) == (
            new_version.key, new_version.version):
        known = {q.id: q for q in questionnaire.questions}
        for old in previous.answers:
            question = known.get(old.question_id)
            if question is None:
                continue
            raw = RawAnswer(old.state, old.value, old.justification)
            if interpret(question, raw).error is not None:
                continue
            target.answers.append(Answer(
                question_id=old.question_id, state=old.state, value=old.value,
                justification=old.justification, comment=old.comment, carried_over=True,
                updated_by_id=user.id,
            ))
        return
    mapping = registry.mapping_between(old_version.key, old_version.version,
                                       new_version.version)
    if mapping is None or old_version.key != new_version.key:
        return
    by_id = {a.question_id: a for a in previous.answers}
    carried = carry_answers(
        mapping, {a.question_id: RawAnswer(a.state, a.value, a.justification)
                  for a in previous.answers}, questionnaire)
    for question_id, item in carried.items():
        comments = [by_id[s].comment for s in item.sources if by_id[s].comment]
        target.answers.append(Answer(
            question_id=question_id, state=item.answer.state, value=item.answer.value,
            justification=item.answer.justification, comment="\n".join(comments),
            carried_over=True, updated_by_id=user.id,
        ))


def carried_over(assessment: Assessment) -> frozenset[str]:
    return frozenset(a.question_id for a in assessment.answers if a.carried_over)


def raw_answers(assessment: Assessment) -> dict[str, RawAnswer]:
    return {a.question_id: RawAnswer(a.state, a.value, a.justification)
            for a in assessment.answers}


@dataclass(frozen=True)
class AnswerInput:
    state: str | None
    value: object
    justification: str
    comment: str


def open_for_input(assessment: Assessment) -> bool:
    """A draft of an open campaign: the only state in which answers may change."""
    return not assessment.is_submitted and assessment.campaign.status is CampaignStatus.OPEN


def ensure_editable(assessment: Assessment) -> None:
    if assessment.is_submitted:
        raise AssessmentError(Msg("Cette évaluation est soumise : ses réponses sont figées."))
    if assessment.campaign.status is not CampaignStatus.OPEN:
        raise AssessmentError(Msg("La campagne est close : la saisie n'est plus possible."))


class StaleSection(AssessmentError):
    """Someone saved answers of this section after the person opened it."""

    def __init__(self, changed: dict[str, Answer]) -> None:
        self.changed = changed
        super().__init__(Msg("Section modifiée entre-temps par un autre utilisateur."))


def save_section(assessment: Assessment, section: Section, inputs: Mapping[str, AnswerInput],
                 user: User, seen_revision: int | None = None) -> dict[str, QuestionResult]:
    """Store every input of the section as typed, valid or not; return the interpretation.

    `seen_revision` is the assessment revision the form was opened at: if another save changed
    an answer of this section since, nothing is written and StaleSection lists those answers.
    Saves of other sections in between are no conflict.

    Saves of one assessment take turns (`_take_revision` locks its row until the commit), so
    that checking the section and writing it is one step: two saves of different sections never
    fail each other, and of two saves of the same section the later one is told.
    """
    ensure_editable(assessment)
    now = utcnow()
    new_revision = _take_revision(assessment, now)
    ensure_editable(assessment)  # as it stands now: submitted or closed meanwhile?
    by_question = {a.question_id: a for a in assessment.answers}
    if seen_revision is not None:
        changed = {q.id: by_question[q.id] for q in section.questions
                   if q.id in by_question and by_question[q.id].revision > seen_revision}
        if changed:
            raise StaleSection(changed)
    audit: dict[str, dict[str, object]] = {}
    for question in section.questions:
        given = inputs.get(question.id)
        if given is None:
            continue
        answer = by_question.get(question.id)
        if answer is None:
            answer = Answer(question_id=question.id)
            assessment.answers.append(answer)
        changed = (answer.state, answer.value, answer.justification, answer.comment) != (
            given.state, given.value, given.justification, given.comment)
        if changed:
            audit[question.id] = {
                "before": [answer.state, answer.value, answer.justification, answer.comment],
                "after": [given.state, given.value, given.justification, given.comment],
            }
            answer.state = given.state
            answer.value = given.value
            answer.justification = given.justification
            answer.comment = given.comment
            answer.updated_at = now
            answer.updated_by_id = user.id
            answer.revision = new_revision
        answer.carried_over = False  # saving the section is the review of last year's answer
    db.session.flush()
    if audit:
        _record(assessment, "answers.save", user, {"section": section.id, "changes": audit})
    return resolve(questionnaire_of(assessment), raw_answers(assessment))


def _take_revision(assessment: Assessment, now: dt.datetime) -> int:
    """Raise the assessment's revision in the database (UPDATE … SET revision = revision + 1)
    and return it; then reload the assessment and its answers as they stand.

    The UPDATE is the lock: PostgreSQL holds the row, SQLite the database, until the commit; a
    concurrent save of the same assessment waits there, then reads what this one wrote. The
    revision is no version check (that made saves of different sections fail each other)."""
    new_revision = db.session.execute(
        update(Assessment).where(Assessment.id == assessment.id)
        .values(revision=Assessment.revision + 1, updated_at=now)
        .returning(Assessment.revision)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    db.session.refresh(assessment)
    db.session.refresh(assessment.campaign)
    answers = db.session.scalars(
        select(Answer).where(Answer.assessment_id == assessment.id)
        .execution_options(populate_existing=True)
    ).all()
    set_committed_value(assessment, "answers", list(answers))
    return new_revision


@dataclass(frozen=True)
class SectionProgress:
    section: Section
    done: int
    total: int
    errors: int
    to_review: int = 0  # answers carried over from last year, not yet saved again

    @property
    def complete(self) -> bool:
        return self.done == self.total and not self.errors


def progress(questionnaire: Questionnaire, results: Mapping[str, QuestionResult],
             carried: frozenset[str] = frozenset()) -> list[SectionProgress]:
    out = []
    for section in questionnaire.sections:
        required = [results[q.id] for q in section.questions
                    if results[q.id].visible and results[q.id].weight > 0]
        out.append(SectionProgress(
            section=section,
            done=sum(1 for r in required if r.resolved),
            total=len(required),
            errors=sum(1 for q in section.questions if results[q.id].error),
            to_review=sum(1 for q in section.questions if q.id in carried),
        ))
    return out


def missing_items(questionnaire: Questionnaire, results: Mapping[str, QuestionResult]
                  ) -> list[QuestionResult]:
    """What stops submission: unanswered scored questions and any answer with an error."""
    return [
        results[q.id] for q in questionnaire.questions
        if results[q.id].error or (results[q.id].visible and results[q.id].weight > 0
                                   and not results[q.id].resolved)
    ]


def submit(assessment: Assessment, user: User, today: dt.date | None = None, *,
           carried_checked: bool = False) -> ScoreSnapshot:
    """Freeze answers and scores. Answers carried over from last year and never saved again
    need the person's explicit word that they were checked (`carried_checked`)."""
    ensure_editable(assessment)
    questionnaire = questionnaire_of(assessment)
    answers = raw_answers(assessment)
    missing = missing_items(questionnaire, resolve(questionnaire, answers, today))
    if missing:
        raise AssessmentError(Msg("%(count)s question(s) restent à compléter ou corriger.",
                                  count=len(missing)))
    unchecked = carried_over(assessment)
    if unchecked and not carried_checked:
        raise AssessmentError(Msg("%(count)s réponse(s) reprise(s) de l'an dernier n'ont pas "
                                  "été vérifiées : cochez la case de confirmation.",
                                  count=len(unchecked)))
    result = score(questionnaire, answers, today)
    snapshot = _snapshot(assessment, result)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = utcnow()
    assessment.submitted_by_id = user.id
    db.session.flush()
    events.assessment_changed.send(assessment)
    _record(assessment, "assessment.submit", user,
            {"overall": result.overall, "scoring_version": result.scoring_version})
    from careapp.roadmap.services import regenerate  # the roadmap reads submitted assessments

    regenerate(assessment.establishment, user, today)
    return snapshot


def _snapshot(assessment: Assessment, result: ScoreResult) -> ScoreSnapshot:
    snapshot = ScoreSnapshot(
        questionnaire_hash=assessment.campaign.questionnaire_version.content_hash,
        scoring_version=result.scoring_version,
        overall=result.overall,
        overall_level=result.overall_level,
        socle_rate=result.socle.rate,
        completeness=result.completeness,
        results=result.to_dict(),
        axis_scores=[
            AxisScore(axis_id=a.axis_id, score=a.score, level=a.level, coverage=a.coverage,
                      provisional=a.provisional)
            for a in result.axes.values()
        ],
    )
    assessment.snapshot = snapshot
    return snapshot


def reopen(assessment: Assessment, by: User | None = None, *, reason: str) -> None:
    """Back to draft (ARS decision, with its reason): the frozen scores go, the answers stay.
    Who, when and why are kept on the assessment (the last reopening, still shown after the
    next submission) and in the audit log (every reopening)."""
    reason = reason.strip()
    if not reason:
        raise AssessmentError(Msg("Indiquez la raison de la réouverture."))
    if not assessment.is_submitted:
        raise AssessmentError(Msg("Seule une évaluation soumise peut être rouverte."))
    if assessment.campaign.status is not CampaignStatus.OPEN:
        raise AssessmentError(Msg("La campagne est close : rouvrez d'abord la campagne."))
    assessment.status = AssessmentStatus.DRAFT
    submitted_at = assessment.submitted_at
    assessment.submitted_at = None
    assessment.submitted_by_id = None
    assessment.reopened_at = utcnow()
    assessment.reopened_by_id = by.id if by else None
    assessment.reopen_reason = reason
    previous = assessment.snapshot.overall if assessment.snapshot else None
    assessment.snapshot = None
    db.session.flush()
    events.assessment_changed.send(assessment)
    # The audit log bounds the reason's length (careapp/audit/services.py); the whole of it
    # stays on the assessment until the next reopening.
    _record(assessment, "assessment.reopen", by, {
        "frozen_overall": previous, "reason": reason,
        "submitted_at": submitted_at.isoformat() if submitted_at else None})


def results_of(assessment: Assessment) -> dict:
    """Frozen results of a submitted assessment, live provisional ones of a draft."""
    if assessment.is_submitted and assessment.snapshot is not None:
        return assessment.snapshot.results
    return score(questionnaire_of(assessment), raw_answers(assessment)).to_dict()
