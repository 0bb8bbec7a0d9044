"""Extensions are created here and bound to the app in create_app()."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from careapp.db import db

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate(render_as_batch=True, compare_type=True)

__all__ = ["babel", "csrf", "db", "login_manager", "migrate"]
