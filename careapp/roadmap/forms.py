from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from careapp.assessments.labels import AXIS_LABELS, DOMAIN_LABELS
from careapp.formtools import (
    LONG_MAX,
    NAME_MAX,
    SHORT_MAX,
    TITLE_MAX,
    LineField,
    ParagraphField,
    choices,
)
from careapp.resilience.forms import LocalisedDateField
from careapp.roadmap.labels import PRIORITY, STATUS
from careapp.roadmap.models import ActionStatus, Priority


class ActionForm(FlaskForm):
    revision = HiddenField()
    opened = HiddenField()  # the values the page was opened with (JSON), see careapp.locking
    title = LineField(_l("Intitulé"), validators=[
        DataRequired(_l("Donnez un intitulé à l'action."))], max_length=TITLE_MAX)
    priority = SelectField(_l("Priorité"), choices=choices(PRIORITY))
    owner = LineField(_l("Responsable"), max_length=NAME_MAX)
    due_on = LocalisedDateField(_l("Échéance"), validators=[Optional()])
    status = SelectField(_l("Statut"), choices=choices(STATUS))
    abandon_reason = ParagraphField(_l("Raison de l'abandon"), max_length=SHORT_MAX)
    comment = ParagraphField(_l("Commentaire"), max_length=LONG_MAX)

    def validate_abandon_reason(self, field: Any) -> None:
        if self.status.data == ActionStatus.ABANDONED.value and not field.data:
            raise ValidationError(_("Une action abandonnée demande la raison de l'abandon."))


    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.data or "", "priority": Priority(self.priority.data),
            "owner": self.owner.data or "", "due_on": self.due_on.data,
            "status": ActionStatus(self.status.data), "abandon_reason": self.abandon_reason.data or "",
            "comment": self.comment.data or "",
        }


class ManualActionForm(ActionForm):
    # Optional selects: absent or unknown values mean "none" (older pages may not send them).
    axis_id = SelectField(_l("Axe"), choices=[SelectChoice("", _l("Aucun")),
                                              *choices(AXIS_LABELS)], validate_choice=False)
    domain = SelectField(_l("Domaine CaRE"), choices=[SelectChoice("", _l("Aucun")),
                                                      *choices(DOMAIN_LABELS)],
                         validate_choice=False)

    def values(self) -> dict[str, Any]:
        return {**super().values(),
                "axis_id": self.axis_id.data if self.axis_id.data in AXIS_LABELS else None,
                "domain": self.domain.data if self.domain.data in DOMAIN_LABELS else None}
