"""People saving sections of one assessment at the same moment, in real database sessions.

Saves of one assessment take turns on its row (UPDATE … SET revision = revision + 1 locks it
until the commit), then check and write: of two saves of the same section opened at the same
revision, the later one is told the section changed and writes nothing; saves of different
sections never fail each other.
"""

from __future__ import annotations

import html
import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from careapp.assessments import services
from careapp.assessments.forms import field_key
from careapp.assessments.models import Answer, Assessment
from careapp.db import db
from tests import factories
from tests.concurrency import race
from tests.conftest import Browser, IsolatedClient, csrf_from
from tests.formpage import revision_in
from tests.world import answer_input, make_world, section_fields


def test_two_concurrent_saves_of_a_section_one_wins_one_is_told(app) -> None:  # noqa: ANN001
    world = make_world()
    assessment = services.start_assessment(world.campaign, world.own, world.users["editor"])
    db.session.commit()
    assessment_id, editor_id = assessment.id, world.users["editor"].id
    section = services.questionnaire_of(assessment).sections[0]
    seen = assessment.revision
    levels = {"A": 3, "B": 1}

    def read() -> tuple[Assessment, object]:
        mine = db.session.get(Assessment, assessment_id)
        _ = [a.question_id for a in mine.answers]  # both load what they will compare
        return mine, db.session.get(type(world.users["editor"]), editor_id)

    def write(name: str, loaded: tuple[Assessment, object]) -> None:
        mine, user = loaded
        inputs = {q.id: answer_input(q, levels[name]) for q in section.questions}
        first = section.questions[0].id
        inputs[first] = services.AnswerInput("answered", inputs[first].value, "",
                                             f"saisi par {name}")
        services.save_section(mine, section, inputs, user, seen_revision=seen)

    outcomes = race(app, read, write)
    # The later one waited for the first one's commit, then saw its answers: told at once.
    assert sorted(outcomes.values()) == ["StaleSection", "saved"], outcomes
    winner = "A" if outcomes["A"] == "saved" else "B"
    comments = set(db.session.scalars(select(Answer.comment).where(Answer.comment != "")))
    assert comments == {f"saisi par {winner}"}  # nothing of the loser was written
    # Saving again (the conflict page carries the current revision) goes through, knowingly.
    db.session.expire_all()
    retry = db.session.get(Assessment, assessment_id)
    services.save_section(retry, section, {}, world.users["editor"], seen_revision=retry.revision)


# -- many people, many sections, at the same moment ----------------------------------------------

# People at once: on PostgreSQL 10 sections of each of two assessments, one person (own login,
# own session) each, as in the load test; SQLite (development, small sites) queues writers and
# makes each wait at most 5 s, so half as many there.
THREADS = {"postgresql": 20, "sqlite": 10}
ROUNDS = 5


def _count(statuses: list[object]) -> dict[str, int]:
    out: dict[str, int] = {}
    for status in statuses:
        out[str(status)] = out.get(str(status), 0) + 1
    return out


def test_many_people_saving_different_sections_at_once_never_conflict(app) -> None:  # noqa: ANN001
    """Load-test finding (issue #9): saves of different sections bumped the assessment's revision
    and failed each other (500 after one retry). Each round, every person opens their section,
    all wait for each other, then all save at the same instant: every save must land."""
    world = make_world()
    editor = world.users["editor"]
    editor.establishments.append(world.same_region)
    first = services.start_assessment(world.campaign, world.own, editor)
    second = services.start_assessment(world.campaign, world.same_region, editor)
    db.session.commit()
    sections = services.questionnaire_of(first).sections
    people = THREADS[db.engine.dialect.name]
    assert len(sections) * 2 >= people
    jobs = [((first, second)[i % 2].id, sections[i // 2]) for i in range(people)]
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash answers 500 through the error handler
    app.test_client_class = IsolatedClient
    browsers = []
    for _ in range(people):
        browser = Browser(app.test_client())
        assert browser.login(editor.email, factories.PASSWORD).status_code == 302
        browsers.append(browser)

    all_open = threading.Barrier(people, timeout=120)
    statuses: list[list[object]] = [[] for _ in range(people)]
    durations: list[float] = []

    def person(index: int) -> None:
        client = browsers[index].client
        assessment_id, section = jobs[index]
        url = f"/evaluations/{assessment_id}/sections/{section.id}"
        for round_ in range(ROUNDS):
            data = None
            try:
                page = client.get(url).get_data(as_text=True)
                data = {**section_fields(section, level=1 + (index + round_) % 3),
                        "csrf_token": csrf_from(page), "revision": revision_in(page)}
                for question in section.questions:
                    data[f"{field_key(question.id)}__comment"] = f"personne {index} tour {round_}"
            except Exception as exc:  # noqa: BLE001 - counted, the round goes on
                statuses[index].append(f"GET {type(exc).__name__}")
            all_open.wait()
            if data is None:
                continue
            try:
                started = time.monotonic()
                statuses[index].append(client.post(url, data=data).status_code)
                durations.append(time.monotonic() - started)
            except Exception as exc:  # noqa: BLE001 - an exception escaping the error handler
                statuses[index].append(type(exc).__name__)

    threads = [threading.Thread(target=person, args=(i,)) for i in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    counted = _count([s for per_person in statuses for s in per_person])
    print(f"\n{db.engine.dialect.name}: {people * ROUNDS} saves -> {counted}, "
          f"slowest {max(durations, default=0):.2f} s")
    assert counted == {"302": people * ROUNDS}, counted

    # Every person's last entries are there, nothing of anyone was lost.
    db.session.expire_all()
    saved = {(a.assessment_id, a.question_id): a for a in db.session.scalars(select(Answer))}
    for index, (assessment_id, section) in enumerate(jobs):
        for question in section.questions:
            answer = saved[(assessment_id, question.id)]
            assert answer.comment == f"personne {index} tour {ROUNDS - 1}", question.id
            assert not answer.carried_over


def test_people_saving_the_same_section_at_once_one_lands_the_others_are_told(app) -> None:  # noqa: ANN001
    """Same section, same instant: one save lands, every other one is a 409 that keeps what the
    person typed (never a 500, never a silent overwrite)."""
    people = 4
    world = make_world()
    editor = world.users["editor"]
    assessment = services.start_assessment(world.campaign, world.own, editor)
    db.session.commit()
    section = services.questionnaire_of(assessment).sections[0]
    url = f"/evaluations/{assessment.id}/sections/{section.id}"
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.test_client_class = IsolatedClient
    browsers = [Browser(app.test_client()) for _ in range(people)]
    for browser in browsers:
        assert browser.login(editor.email, factories.PASSWORD).status_code == 302
    all_open = threading.Barrier(people, timeout=60)
    answers: dict[int, tuple[object, str]] = {}

    def person(index: int) -> None:
        client = browsers[index].client
        page = client.get(url).get_data(as_text=True)
        data = {**section_fields(section), "csrf_token": csrf_from(page),
                "revision": revision_in(page),
                f"{field_key(section.questions[0].id)}__comment": f"saisie de la personne {index}"}
        all_open.wait()
        try:
            response = client.post(url, data=data)
            answers[index] = (response.status_code, response.get_data(as_text=True))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            answers[index] = (type(exc).__name__, "")

    threads = [threading.Thread(target=person, args=(i,)) for i in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(str(status) for status, _ in answers.values())
    assert statuses == ["302"] + ["409"] * (people - 1), statuses
    winner = next(i for i, (status, _) in answers.items() if status == 302)
    for index, (status, page) in answers.items():
        if status == 409:
            assert f"saisie de la personne {index}" in page  # what they typed is kept
            assert f"saisie de la personne {winner}" in page  # the saved version is shown
    db.session.expire_all()
    saved = db.session.scalars(select(Answer).filter_by(question_id=section.questions[0].id)).one()
    assert saved.comment == f"saisie de la personne {winner}"


@pytest.mark.parametrize("failures", [1, 2])
def test_a_save_the_database_refuses_is_tried_again_then_keeps_the_entries(
        app, editor, world, monkeypatch, failures: int) -> None:  # noqa: ANN001
    """StaleDataError / IntegrityError should no longer happen on a section save; if one still
    does, the save is tried once more, and a second refusal answers 503 with the entries kept:
    never a 500."""
    assessment = services.start_assessment(world.campaign, world.own, world.users["editor"])
    db.session.commit()
    section = services.questionnaire_of(assessment).sections[0]
    url = f"/evaluations/{assessment.id}/sections/{section.id}"
    real = services.save_section
    calls = []

    def flaky(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) <= failures:
            real(*args, **kwargs)  # writes (flushes), then the database "refuses" the commit
            raise (StaleDataError if len(calls) == 1 else IntegrityError)("refusé", None, None)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "save_section", flaky)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    key = field_key(section.questions[0].id)
    response = editor.post(url, {**section_fields(section), f"{key}__comment": "ma saisie"},
                           page=url)
    db.session.expire_all()
    saved = db.session.scalars(select(Answer).filter_by(question_id=section.questions[0].id)).all()
    if failures == 1:
        assert response.status_code == 302
        assert [a.comment for a in saved] == ["ma saisie"]
    else:
        assert response.status_code == 503
        page = response.get_data(as_text=True)
        assert "ma saisie" in page and "Enregistrez à nouveau" in page
        assert saved == []  # nothing written


def test_a_save_racing_a_submission_never_freezes_stale_scores(app) -> None:  # noqa: ANN001
    """A section save and the submission at the same moment: either the save lands and the
    submission (computed before it) fails, or the submission lands and the save is refused."""
    world = make_world()
    editor = world.users["editor"]
    assessment = services.start_assessment(world.campaign, world.own, editor)
    questionnaire = services.questionnaire_of(assessment)
    for section in questionnaire.sections:
        services.save_section(assessment, section,
                              {q.id: answer_input(q, 2) for q in section.questions}, editor)
    db.session.commit()
    assessment_id, editor_id, section = assessment.id, editor.id, questionnaire.sections[0]

    def read() -> tuple[Assessment, object]:
        mine = db.session.get(Assessment, assessment_id)
        _ = [a.question_id for a in mine.answers]
        return mine, db.session.get(type(editor), editor_id)

    def write(name: str, loaded: tuple[Assessment, object]) -> None:
        mine, user = loaded
        if name == "A":
            services.save_section(mine, section,
                                  {q.id: answer_input(q, 3) for q in section.questions}, user)
        else:
            services.submit(mine, user)

    outcomes = race(app, read, write)
    db.session.expire_all()
    final = db.session.get(Assessment, assessment_id)
    values = {a.question_id: a.value for a in final.answers}
    if outcomes["A"] == "saved":
        assert outcomes["B"] == "StaleDataError", outcomes
        assert not final.is_submitted
        level = 3
    else:
        assert outcomes == {"A": "AssessmentError", "B": "saved"}, outcomes
        assert final.is_submitted
        level = 2  # the frozen scores are those of the answers that are saved
    assert all(values[q.id] == answer_input(q, level).value for q in section.questions)


def test_a_submission_overtaken_by_a_save_is_told_never_a_500(app, editor, world,  # noqa: ANN001
                                                              monkeypatch) -> None:  # noqa: ANN001
    assessment = services.start_assessment(world.campaign, world.own, world.users["editor"])
    db.session.commit()

    def overtaken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - what the race above causes
        raise StaleDataError("UPDATE statement on table 'assessments' expected to update 1 row")

    monkeypatch.setattr(services, "submit", overtaken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    url = f"/evaluations/{assessment.id}/soumettre"
    response = editor.post(url, {"carried_checked": "y"}, page=url)
    assert response.status_code == 200
    assert "rien n'a été soumis" in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert not db.session.get(Assessment, assessment.id).is_submitted
