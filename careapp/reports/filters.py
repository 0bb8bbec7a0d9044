"""The roadmap page's query-string filters, read the same way for its PDF."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from careapp.assessments.labels import AXIS_LABELS
from careapp.roadmap import labels
from careapp.roadmap.models import ActionStatus, Origin, Priority
from careapp.roadmap.services import Filters
from careapp.roadmap.views import _valid_filters  # the page's own reading of its filters


def roadmap_filters(args: Mapping[str, str]) -> tuple[Filters, list[str]]:
    """The filters as the roadmap page applies them (unknown values are ignored, as there),
    and what they are in words for the PDF."""
    valid, _refused = _valid_filters(args)
    filters = Filters(status=valid.get("statut", ""), priority=valid.get("priorite", ""),
                      origin=valid.get("origine", ""), axis=valid.get("axe", ""),
                      overdue=valid.get("en_retard") == "1", sort=valid.get("tri") or "priority")
    words = []
    if filters.status == "open":
        words.append(_("Statut : ouvertes (à faire, en cours)"))
    elif filters.status:
        words.append(_("Statut : %(value)s", value=labels.STATUS[ActionStatus(filters.status)]))
    if filters.priority:
        words.append(_("Priorité : %(value)s",
                       value=labels.PRIORITY[Priority(filters.priority)]))
    if filters.origin:
        words.append(_("Origine : %(value)s", value=labels.ORIGIN[Origin(filters.origin)]))
    if filters.axis:
        words.append(_("Axe : %(value)s", value=AXIS_LABELS[filters.axis]))
    if filters.overdue:
        words.append(_("En retard seulement"))
    return filters, words
