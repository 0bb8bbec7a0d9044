"""Migration c3d2e1f0a9b8 (the D2 checklist as the guide states it) carries only what the three
old two-fact answers certainly meant, and the downgrade puts them back (SQLite file)."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from careapp import create_app
from careapp.db import db

MIGRATIONS = str(Path(__file__).parents[2] / "migrations")
BEFORE, AFTER = "a2afee67b70e", "c3d2e1f0a9b8"


def test_old_answers_carry_only_their_certain_half(tmp_path: Path) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}",
                      "ENV_NAME": "test", "SECRET_KEY": "test-secret", "TESTING": True})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.begin() as conn:
            for n in (1, 2, 3):  # Bretagne (53) is loaded by the first migrations
                conn.execute(text(
                    "INSERT INTO establishments (id, finess_et, finess_ej, name, category, "
                    "sector, city, region_code) VALUES (:id, :et, :ej, :name, 'CH', 'public', "
                    "'Rennes', '53')"), {"id": n, "et": f"35001000{n}", "ej": f"35000000{n}",
                                         "name": f"CH {n}"})
            conn.execute(text(
                "INSERT INTO continuity_profiles (establishment_id, continuity_lead, "
                "backup_isolated, backup_321_offline, backup_own_auth_mfa, backup_policy, "
                "revision, updated_at) VALUES (1, '', 1, 1, 1, 1, 0, CURRENT_TIMESTAMP), "
                "(2, '', 0, 0, 0, 0, 0, CURRENT_TIMESTAMP), (3, '', NULL, NULL, NULL, NULL, 0, "
                "CURRENT_TIMESTAMP)"))
        upgrade(directory=MIGRATIONS, revision=AFTER)
        with db.engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT establishment_id, backup_isolable, backup_321, backup_mfa, "
                "backup_copy_immutable, backup_auth, backup_least_privilege, absent_perimeters, "
                "backup_policy, backup_plans_up_to_date, backup_policy_reviewed_on "
                "FROM continuity_profiles ORDER BY establishment_id")).all()
        # isolated → isolable; 3-2-1 "immuable ou hors ligne" → 3-2-1 reached, the copy asked
        # again; "own authentication and MFA" → MFA, the rest asked again; a "no" says nothing
        # « politique écrite, plans à jour » → plans up to date; the policy's date is asked
        assert [tuple(r) for r in rows] == [
            (1, 1, "reached", "yes", None, None, None, "[]", 1, 1, None),
            (2, None, None, None, None, None, None, "[]", 0, None, None),
            (3, None, None, None, None, None, None, "[]", None, None, None),
        ]
        with db.engine.begin() as conn:  # the person then states the copy and the auth
            conn.execute(text(
                "UPDATE continuity_profiles SET backup_copy_immutable = 1, "
                "backup_copy_offsite = 1, backup_auth = 'local_accounts' "
                "WHERE establishment_id = 1"))
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.connect() as conn:
            back = conn.execute(text(
                "SELECT establishment_id, backup_isolated, backup_321_offline, "
                "backup_own_auth_mfa FROM continuity_profiles ORDER BY establishment_id")).all()
        assert [tuple(r) for r in back] == [(1, 1, 1, 1), (2, None, None, None),
                                            (3, None, None, None)]
        db.engine.dispose()
