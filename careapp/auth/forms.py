from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo

from careapp.formtools import TextRules  # French messages; control characters refused


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Adresse électronique"),
        validators=[DataRequired(_l("Saisissez votre adresse électronique.")),
                    TextRules(254)],
    )
    password = PasswordField(
        _l("Mot de passe"), validators=[DataRequired(_l("Saisissez votre mot de passe.")),
                                        TextRules(256)]
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code à 6 chiffres (ou code de secours)"),
        validators=[DataRequired(_l("Saisissez le code.")), TextRules(32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Mot de passe actuel"),
                            validators=[DataRequired(_l("Saisissez votre mot de passe actuel.")),
                                        TextRules(256)])
    new = PasswordField(_l("Nouveau mot de passe"),
                        validators=[DataRequired(_l("Saisissez un nouveau mot de passe.")),
                                    TextRules(256)])
    confirm = PasswordField(_l("Nouveau mot de passe, une seconde fois"),
                            validators=[EqualTo("new", _l("Les deux saisies diffèrent."))])


class StepUpForm(FlaskForm):
    """Password and a current code again, before the second factor is replaced or removed."""

    action = SelectField(_l("Je veux"), choices=[SelectChoice("replace", _l("Remplacer ma clé"))],
                         validators=[DataRequired()])
    password = PasswordField(_l("Mot de passe"), validators=[
        DataRequired(_l("Saisissez votre mot de passe.")), TextRules(256)])
    code = StringField(
        _l("Code à 6 chiffres (ou code de secours)"),
        validators=[DataRequired(_l("Saisissez le code.")), TextRules(32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
