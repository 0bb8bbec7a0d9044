"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from careapp.db import db
from careapp.organisations.models import Region
from careapp.organisations.regions import REGIONS


def test_models_and_migrated_database_do_not_differ(app) -> None:  # noqa: ANN001
    # `flask db upgrade` ran in the database_url fixture; autogenerate must find nothing to do.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,  # as Flask-Migrate is configured (careapp/extensions.py)
            "compare_server_default": True,
        })
        diff = compare_metadata(context, db.metadata)
    assert diff == [], "the models and the migrations differ (write a migration):\n" + "\n".join(
        map(repr, diff))


def test_the_database_is_at_the_single_head(app) -> None:  # noqa: ANN001
    from alembic.script import ScriptDirectory
    from flask import current_app

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    heads = script.get_heads()
    assert len(heads) == 1, f"several heads: {heads}"
    with db.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == heads[0]


def test_the_migration_loads_the_18_regions(app) -> None:  # noqa: ANN001
    stored = {r.code: r.name for r in db.session.scalars(select(Region))}
    assert len(REGIONS) == 18
    assert stored == REGIONS
