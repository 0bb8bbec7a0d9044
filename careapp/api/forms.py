from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired

from careapp.api.tokens import DEFAULT_LIFETIME, LIFETIMES, NAME_MAX
from careapp.formtools import LineField  # French messages; control characters refused


def _days(value: object) -> int:
    """The lifetime chosen; anything else 0 (refused by the AnyOf check with a message)."""
    try:
        return int(str(value))
    except ValueError:
        return 0


class TokenForm(FlaskForm):
    name = LineField(_l("Nom du jeton (à quoi il sert)"),
                     validators=[DataRequired(_l("Donnez un nom au jeton."))], max_length=NAME_MAX)
    lifetime = SelectField(_l("Durée de validité"), coerce=lambda v: _days(v),
                           default=DEFAULT_LIFETIME,
                           choices=[SelectChoice(30, _l("30 jours")),
                                    SelectChoice(90, _l("90 jours")),
                                    SelectChoice(365, _l("365 jours"))],
                           validate_choice=False, validators=[AnyOf(
                               LIFETIMES, _l("Choisissez une durée proposée : 30, 90 ou 365 "
                                             "jours."))])
