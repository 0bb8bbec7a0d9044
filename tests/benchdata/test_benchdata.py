"""`flask bench-data`: a synthetic nation, loaded by COPY (PostgreSQL) or executemany (SQLite)."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import random
import secrets
from collections import Counter

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text

from careapp import create_app
from careapp.assessments.answers import RawAnswer
from careapp.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    AxisScore,
    Campaign,
    CampaignStatus,
    ScoreSnapshot,
)
from careapp.assessments.scoring import score
from careapp.assessments.services import missing_items, questionnaire_of
from careapp.benchdata.cli import BenchDataError, build, prepare
from careapp.benchdata.generate import (
    REGIONS,
    SECTORS,
    TABLES,
    _establishment_kinds,
    generate,
    quotas,
)
from careapp.db import db
from careapp.organisations.finess import finess_error
from careapp.organisations.models import Establishment, Ght, Region

TODAY = dt.date(2026, 6, 15)
N = 40


def table_count(name: str) -> int:
    return db.session.scalar(text(f'SELECT count(*) FROM "{name}"'))  # noqa: S608 - our names


@pytest.fixture
def nation(app):  # noqa: ANN001, ANN201
    counts = build(N, 2, seed=5, today=TODAY)
    db.session.commit()
    return counts


def test_counts_per_table(nation) -> None:  # noqa: ANN001
    for name in TABLES:
        assert table_count(name) == nation[name], name
    assert nation["establishments"] == N
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 2
    closed, opened = db.session.scalars(select(Campaign).order_by(Campaign.year)).all()
    assert (closed.year, opened.year) == (2025, 2026)
    assert (closed.status, opened.status) == (CampaignStatus.CLOSED, CampaignStatus.OPEN)
    submitted = db.session.scalar(select(func.count()).select_from(Assessment)
                                  .filter_by(status=AssessmentStatus.SUBMITTED))
    assert 0.5 * 2 * N < nation["assessments"] <= 2 * N
    assert nation["score_snapshots"] == submitted
    assert nation["axis_scores"] == 4 * submitted
    assert nation["answers"] > 70 * submitted
    for name in ("ghts", "crisis_exercises", "continuity_profiles", "critical_activities",
                 "roadmap_actions", "exercise_findings"):
        assert nation[name] > 0, name
    # every establishment in a known region; public ones in a GHT of their own region
    regions = set(db.session.scalars(select(Region.code)))
    for establishment in db.session.scalars(select(Establishment)):
        assert establishment.region_code in regions
        if establishment.ght is not None:
            assert establishment.ght.region_code == establishment.region_code
            assert establishment.sector.value == "public"


def test_json_null_stored_as_the_orm_stores_it(nation) -> None:  # noqa: ANN001
    """An answer without a value ("Non applicable", "Je ne sais pas") holds JSON null, as the
    app's own saves store it (SQLAlchemy's JSON type), never SQL NULL."""
    assert table_count("answers") > 0
    assert db.session.scalar(text("SELECT count(*) FROM answers WHERE value IS NULL")) == 0
    nulls = db.session.scalar(text("SELECT count(*) FROM answers WHERE state IN ('na', 'dont_know')"))
    assert nulls > 0
    assert db.session.scalar(text(
        "SELECT count(*) FROM answers WHERE CAST(value AS TEXT) = 'null'")) == nulls


def test_ids_continue_after_the_load(nation) -> None:  # noqa: ANN001
    """PostgreSQL's sequences moved past the loaded ids: the ORM inserts after them."""
    ght = Ght(code="GHT-NEW", name="Nouveau", region_code="53")
    db.session.add(ght)
    db.session.flush()
    assert ght.id == nation["ghts"] + 1


def test_finess_numbers_valid_and_unique(nation) -> None:  # noqa: ANN001
    rows = db.session.execute(select(Establishment.finess_et, Establishment.finess_ej,
                                     Establishment.region_code)).all()
    assert len({r.finess_et for r in rows}) == N
    for et, ej, region in rows:
        assert finess_error(et) is None and finess_error(ej) is None
        assert et[:2] in REGIONS[region][1]


def test_proportions(nation) -> None:  # noqa: ANN001
    sectors = Counter(db.session.scalars(select(Establishment.sector)))
    expected = quotas(N, {k: float(v) for k, v in SECTORS.items()})
    assert {k.value: v for k, v in sectors.items()} == expected
    # the national size: exactly care-reference's counts, CH the largest public category
    kinds = _establishment_kinds(2970, random.Random(1))  # noqa: S311
    by_sector = Counter(sector for sector, _ in kinds)
    assert by_sector == SECTORS
    public = Counter(category for sector, category in kinds if sector == "public")
    assert public.most_common(1)[0][0] == "CH"
    assert 50 <= public["CHU"] <= 80


def test_snapshots_are_the_scoring_of_the_stored_answers(nation) -> None:  # noqa: ANN001
    assessments = db.session.scalars(select(Assessment)).all()
    checked = 0
    for assessment in assessments:
        questionnaire = questionnaire_of(assessment)
        answers = {a.question_id: RawAnswer(a.state, a.value, a.justification)
                   for a in db.session.scalars(select(Answer).filter_by(assessment_id=assessment.id))}
        snapshot = assessment.snapshot
        if not assessment.is_submitted:
            assert snapshot is None
            continue
        day = assessment.submitted_at.date()
        result = score(questionnaire, answers, day)
        assert missing_items(questionnaire, result.questions) == []  # submit would accept it
        assert snapshot.overall == result.overall
        assert snapshot.overall_level == result.overall_level
        assert snapshot.socle_rate == result.socle.rate
        assert snapshot.completeness == result.completeness
        assert snapshot.results == json.loads(json.dumps(result.to_dict()))
        assert snapshot.questionnaire_hash == assessment.campaign.questionnaire_version.content_hash
        axes = {a.axis_id: a for a in db.session.scalars(
            select(AxisScore).filter_by(snapshot_id=snapshot.id))}
        assert {k: (a.score, a.level, a.coverage, a.provisional) for k, a in axes.items()} == {
            k: (a.score, a.level, a.coverage, a.provisional) for k, a in result.axes.items()}
        checked += 1
    assert checked > N // 2


def test_maturity_improves_year_over_year(app) -> None:  # noqa: ANN001
    build(120, 3, seed=2, today=TODAY)
    db.session.commit()
    means = db.session.execute(
        select(Campaign.year, func.avg(ScoreSnapshot.overall))
        .join(Assessment, Assessment.campaign_id == Campaign.id)
        .join(ScoreSnapshot, ScoreSnapshot.assessment_id == Assessment.id)
        .group_by(Campaign.year).order_by(Campaign.year)).all()
    assert [year for year, _ in means] == [2024, 2025, 2026]
    assert means[0][1] < means[2][1]


def test_same_seed_same_rows(app) -> None:  # noqa: ANN001
    spec = prepare(N, 2, seed=9, today=TODAY)
    first = list(generate(spec))
    assert list(generate(spec)) == first
    spec.seed = 10
    assert list(generate(spec)) != first


def test_cli_loads_then_refuses_a_filled_database(app) -> None:  # noqa: ANN001
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bench-data", "--establishments", "30", "--campaigns", "2",
                                 "--seed", "3", "--today", "2026-06-15"])
    assert result.exit_code == 0, result.output
    assert "Nation synthétique chargée" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Establishment)) == 30
    again = runner.invoke(args=["bench-data", "--establishments", "30", "--campaigns", "2"])
    assert again.exit_code != 0
    assert "base vide" in again.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Establishment)) == 30
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 2
    with pytest.raises(BenchDataError):
        prepare(10, 1, seed=1, today=TODAY)


def test_refused_in_production(app, tmp_path) -> None:  # noqa: ANN001
    production = create_app({
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "ENV_NAME": "production", "SECRET_KEY": secrets.token_hex(32),
        "TOTP_KEYS": Fernet.generate_key().decode(),
    })
    production.instance_path = str(tmp_path)

    def run_in_production():  # noqa: ANN202
        with production.app_context():
            return production.test_cli_runner().invoke(
                args=["bench-data", "--establishments", "5", "--campaigns", "1"])

    result = contextvars.Context().run(run_in_production)
    assert result.exit_code != 0
    assert "refusé en production" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Establishment)) == 0
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
