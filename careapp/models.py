"""Imports every model so that the metadata is complete (migrations, tests)."""

from careapp.api.models import ApiToken  # noqa: F401
from careapp.assessments.models import (  # noqa: F401
    Answer,
    Assessment,
    AxisScore,
    Campaign,
    ScoreSnapshot,
)
from careapp.audit.models import AuditEvent  # noqa: F401
from careapp.auth.models import User, UserSession, memberships  # noqa: F401
from careapp.organisations.models import Establishment, Ght, Region  # noqa: F401
from careapp.questionnaires.models import QuestionnaireVersion  # noqa: F401
from careapp.resilience.models import (  # noqa: F401
    ContinuityProfile,
    CrisisExercise,
    CriticalActivity,
    ExerciseFinding,
)
from careapp.roadmap.models import RoadmapAction  # noqa: F401
from careapp.rollups.models import EstablishmentRollup, RollupSummary  # noqa: F401
