"""The roadmap: generation merged into what people wrote, and their edits."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from careapp import events
from careapp.assessments.models import Assessment, Campaign
from careapp.assessments.scoring import resolve
from careapp.audit.services import record
from careapp.auth.models import User
from careapp.db import db, utcnow
from careapp.locking import changes, check_revision, values_of
from careapp.messages import Msg, translate
from careapp.organisations.models import Establishment
from careapp.resilience.models import ExerciseFinding
from careapp.roadmap.generate import GENERATED_PREFIXES, Proposal, Text, generate
from careapp.roadmap.models import ActionStatus, Origin, Priority, RoadmapAction

LANGUAGES = ("fr", "en")
ACTION_FIELDS = ("title", "priority", "owner", "due_on", "status", "abandon_reason", "comment",
                 "axis_id", "domain")
SORTS = {
    "priority": (RoadmapAction.priority, RoadmapAction.rank.desc(), RoadmapAction.id),
    "due": (RoadmapAction.due_on.is_(None), RoadmapAction.due_on, RoadmapAction.priority,
            RoadmapAction.id),
    "status": (RoadmapAction.status, RoadmapAction.priority, RoadmapAction.id),
    "axis": (RoadmapAction.axis_id, RoadmapAction.priority, RoadmapAction.rank.desc(),
             RoadmapAction.id),
    "recent": (RoadmapAction.updated_at.desc(), RoadmapAction.id.desc()),
}


class RoadmapError(ValueError):
    pass


@dataclass
class MergeReport:
    added: int = 0
    updated: int = 0
    closed: int = 0  # gaps no longer found: proposed as done
    reopened: int = 0  # gaps found again

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.closed or self.reopened)


def bilingual(text: Text) -> dict[str, str]:
    if isinstance(text, Msg):
        rendered = {}
        for lang in LANGUAGES:
            with force_locale(lang):
                rendered[lang] = translate(text)
        return rendered
    return {lang: text.get(lang) or text["fr"] for lang in LANGUAGES}


def feeding_assessment(establishment: Establishment) -> Assessment | None:
    """The establishment's latest assessment (latest campaign year): it feeds the question gaps
    only once submitted."""
    return db.session.scalar(
        select(Assessment).join(Campaign)
        .where(Assessment.establishment_id == establishment.id)
        .order_by(Campaign.year.desc(), Assessment.created_at.desc(), Assessment.id.desc())
        .limit(1))


@dataclass(frozen=True)
class Proposals:
    items: list[Proposal]
    # False while the latest assessment is a draft (a new year's, or one an ARS reopened):
    # the question gaps are then neither added nor proposed as done until it is submitted.
    questions_evaluated: bool


def proposals_for(establishment: Establishment, today: dt.date | None = None) -> Proposals:
    from careapp.assessments.services import questionnaire_of, raw_answers
    from careapp.resilience.services import registers_of

    registers = registers_of(establishment, today)
    assessment = feeding_assessment(establishment)
    questionnaire = results = None
    evaluated = assessment is not None and assessment.is_submitted
    if evaluated:
        questionnaire = questionnaire_of(assessment)
        results = resolve(questionnaire, raw_answers(assessment), today)
    return Proposals(generate(questionnaire, results, registers.indicators, registers.exercises,
                              registers.d2), evaluated)


def _set(action: RoadmapAction, name: str, value: Any) -> bool:
    if getattr(action, name) == value:
        return False
    setattr(action, name, value)
    return True


def _is_generated(key: str) -> bool:
    return key.startswith(GENERATED_PREFIXES)


def regenerate(establishment: Establishment, user: User | None,
               today: dt.date | None = None) -> MergeReport:
    """Merge the current proposals by key: new gaps are added; for known ones, what the
    generation proposes is refreshed and what people wrote (title once changed, priority once
    changed, owner, due date, comment) is kept; gaps no longer found are proposed as done; an
    action marked done whose gap comes back is reopened. Nothing is deleted.

    These machine updates do not bump the actions' revision: someone editing an action at the
    same moment is not told that a person changed it."""
    report = MergeReport()
    existing = {a.key: a for a in db.session.scalars(
        select(RoadmapAction).filter_by(establishment_id=establishment.id))}
    proposed = proposals_for(establishment, today)
    for proposal in proposed.items:
        title, detail = bilingual(proposal.title), bilingual(proposal.detail)
        action = existing.get(proposal.key)
        if action is None:
            db.session.add(RoadmapAction(
                establishment_id=establishment.id, key=proposal.key, origin=proposal.origin,
                origin_ref=proposal.origin_ref, suggested_title=title, detail=detail,
                axis_id=proposal.axis_id, domain=proposal.domain,
                suggested_priority=proposal.priority, priority=proposal.priority,
                rank=proposal.rank, status=ActionStatus.TODO))
            report.added += 1
            continue
        wanted: dict[str, Any] = {
            "suggested_priority": proposal.priority, "suggested_title": title, "detail": detail,
            "axis_id": proposal.axis_id, "domain": proposal.domain, "rank": proposal.rank}
        if not action.priority_edited:  # nobody chose it: it follows the suggestion
            wanted["priority"] = proposal.priority
        back = action.gap_closed  # the gap was gone and is back
        if back:
            wanted["gap_closed"] = False
            if action.status is ActionStatus.DONE:
                wanted["status"] = ActionStatus.TODO
            report.reopened += 1
        if _machine_update(action, wanted) and not back:
            report.updated += 1
    keys = {p.key for p in proposed.items}
    for key, action in existing.items():
        if not _is_generated(key) or key in keys or action.gap_closed:
            continue
        if key.startswith("question:") and not proposed.questions_evaluated:
            continue
        if _machine_update(action, {"gap_closed": True}):
            if action.is_open:
                report.closed += 1
            else:  # done or abandoned: nothing to propose, but the change is recorded
                report.updated += 1
    if report.changed:
        db.session.flush()
        events.roadmap_changed.send(establishment)
        record("roadmap.regenerate", actor=user, object_type="establishments",
               object_id=establishment.id, region_code=establishment.region_code,
               establishment_id=establishment.id,
               details={"added": report.added, "updated": report.updated,
                        "closed": report.closed, "reopened": report.reopened})
    return report


def _machine_update(action: RoadmapAction, wanted: dict[str, Any]) -> bool:
    """Write what the generation decides with a plain UPDATE (no revision bump), and keep the
    loaded object in step without marking it changed."""
    values = {name: value for name, value in wanted.items() if getattr(action, name) != value}
    if not values:
        return False
    # Only over the revision we read: a person's save committed meanwhile wins, and the next
    # generation catches up.
    written = db.session.execute(
        update(RoadmapAction)
        .where(RoadmapAction.id == action.id, RoadmapAction.revision == action.revision)
        .values(**values), execution_options={"synchronize_session": False})
    if written.rowcount != 1:  # type: ignore[attr-defined]
        return False
    for name, value in values.items():
        set_committed_value(action, name, value)
    return True


@dataclass(frozen=True)
class Filters:
    status: str = ""
    priority: str = ""
    origin: str = ""
    axis: str = ""
    overdue: bool = False
    sort: str = "priority"


def actions_of(establishment: Establishment, filters: Filters | None = None,
               today: dt.date | None = None) -> list[RoadmapAction]:
    filters = filters or Filters()
    query = select(RoadmapAction).filter_by(establishment_id=establishment.id)
    if filters.status == "open":
        query = query.where(RoadmapAction.status.in_([ActionStatus.TODO,
                                                      ActionStatus.IN_PROGRESS]))
    elif filters.status in {s.value for s in ActionStatus}:
        query = query.where(RoadmapAction.status == ActionStatus(filters.status))
    if filters.priority in {p.value for p in Priority}:
        query = query.where(RoadmapAction.priority == Priority(filters.priority))
    if filters.origin in {o.value for o in Origin}:
        query = query.where(RoadmapAction.origin == Origin(filters.origin))
    if filters.axis:
        query = query.where(RoadmapAction.axis_id == filters.axis)
    if filters.overdue:
        query = query.where(RoadmapAction.due_on < (today or dt.date.today()),
                            RoadmapAction.status.in_([ActionStatus.TODO,
                                                      ActionStatus.IN_PROGRESS]))
    return list(db.session.scalars(query.order_by(*SORTS.get(filters.sort, SORTS["priority"]))))


@dataclass(frozen=True)
class Progress:
    by_status: dict[str, int]
    open_by_priority: dict[str, int]
    overdue: int
    proposed_done: int
    total: int = field(default=0)


def progress_of(actions: list[RoadmapAction], today: dt.date | None = None) -> Progress:
    today = today or dt.date.today()
    return Progress(
        by_status={s.value: 0 for s in ActionStatus}
        | Counter(a.status.value for a in actions),
        open_by_priority={p.value: 0 for p in Priority}
        | Counter(a.priority.value for a in actions if a.is_open),
        overdue=sum(1 for a in actions if a.is_overdue(today)),
        proposed_done=sum(1 for a in actions if a.is_open and a.gap_closed),
        total=len(actions),
    )


def _audit(action_name: str, action: RoadmapAction, establishment: Establishment, user: User,
           details: dict[str, Any]) -> None:
    events.roadmap_changed.send(establishment)
    record(action_name, actor=user, object_type="roadmap_actions", object_id=action.id,
           region_code=establishment.region_code, establishment_id=establishment.id,
           details=details)


def create_manual(establishment: Establishment, data: dict[str, Any], user: User) -> RoadmapAction:
    action = RoadmapAction(
        establishment_id=establishment.id, key=f"manual:{uuid.uuid4().hex[:16]}",
        origin=Origin.MANUAL, updated_by_id=user.id, **data)
    db.session.add(action)
    db.session.flush()
    _audit("roadmap.create", action, establishment, user,
           {"after": values_of(action, ACTION_FIELDS)})
    return action


def update_action(establishment: Establishment, action: RoadmapAction, data: dict[str, Any],
                  user: User, seen: int | None) -> dict[str, list[Any]]:
    """Apply what the person changed (`data` holds only those fields): a title written by
    someone replaces the suggestion, a priority chosen by someone stops following it."""
    check_revision(action, seen)
    data = dict(data)
    if data.get("status", action.status) is not ActionStatus.ABANDONED:
        data["abandon_reason"] = ""
    before = values_of(action, ACTION_FIELDS)
    if "priority" in data and data["priority"] != action.priority:
        action.priority_edited = True
    for name, value in data.items():
        _set(action, name, value)
    changed = changes(before, values_of(action, ACTION_FIELDS))
    if changed:
        action.updated_at = utcnow()
        action.updated_by_id = user.id
        _audit("roadmap.update", action, establishment, user, {"changes": changed})
    return changed


def mark_done(establishment: Establishment, action: RoadmapAction, user: User,
              seen: int | None) -> None:
    update_action(establishment, action, {"status": ActionStatus.DONE}, user, seen)


def delete_action(establishment: Establishment, action: RoadmapAction, user: User) -> None:
    if _is_generated(action.key):
        raise RoadmapError(Msg("Une action proposée à partir d'un écart ne se supprime pas (elle "
                               "reviendrait) : marquez-la « abandonnée » avec la raison."))
    for finding in db.session.scalars(select(ExerciseFinding).filter_by(action_id=action.id)):
        finding.action_id = None
    _audit("roadmap.delete", action, establishment, user,
           {"before": values_of(action, ACTION_FIELDS), "key": action.key})
    db.session.delete(action)


def send_finding(establishment: Establishment, finding: ExerciseFinding,
                 user: User) -> RoadmapAction:
    """One click from a RETEX finding to a roadmap action (a second click opens the same one)."""
    if finding.action_id is not None:
        existing = db.session.get(RoadmapAction, finding.action_id)
        if existing is not None:
            return existing
    text = finding.text
    held_on = finding.exercise.held_on.strftime("%d/%m/%Y")
    action = RoadmapAction(
        establishment_id=establishment.id, key=f"finding:{finding.id}:{uuid.uuid4().hex[:8]}",
        origin=Origin.EXERCISE,
        origin_ref=str(finding.exercise_id),
        suggested_title={lang: " ".join(text.split())[:300] for lang in LANGUAGES},  # one line
        detail=bilingual(Msg("Constat du RETEX de l'exercice du %(date)s : %(text)s",
                             date=held_on, text=text)),
        axis_id="GOV", domain="D2", suggested_priority=Priority.P2, priority=Priority.P2,
        rank=5.0, updated_by_id=user.id)
    db.session.add(action)
    db.session.flush()
    finding.action_id = action.id
    _audit("roadmap.create", action, establishment, user,
           {"from_finding": finding.id, "after": values_of(action, ACTION_FIELDS)})
    return action
