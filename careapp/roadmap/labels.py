from flask_babel import lazy_gettext as _l

from careapp.roadmap.models import ActionStatus, Origin, Priority

PRIORITY = {Priority.P1: _l("P1 — prioritaire"), Priority.P2: _l("P2 — important"),
            Priority.P3: _l("P3 — à planifier")}
STATUS = {
    ActionStatus.TODO: _l("À faire"),
    ActionStatus.IN_PROGRESS: _l("En cours"),
    ActionStatus.DONE: _l("Fait"),
    ActionStatus.ABANDONED: _l("Abandonné"),
}
ORIGIN = {
    Origin.QUESTION: _l("Question"),
    Origin.EXERCISE: _l("Exercice"),
    Origin.CONTINUITY: _l("PCA/PRA"),
    Origin.MANUAL: _l("Manuelle"),
}
