"""`bench-data --with-users`: accounts for the HTTP load benchmark, with a known TOTP secret."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from sqlalchemy import func, select

from careapp.assessments.models import Assessment, AssessmentStatus
from careapp.auth import mfa
from careapp.auth.models import Role, User
from careapp.auth.passwords import verify_password
from careapp.auth.services import authenticate
from careapp.benchdata.cli import build
from careapp.benchdata.users import BenchUsersError, create_users
from careapp.db import db
from careapp.organisations.models import Region

PASSWORD = "Bench-careapp-2026-long"  # noqa: S105 - test accounts
SECRET = pyotp.random_base32()


def test_accounts_log_in_with_password_and_totp(app) -> None:  # noqa: ANN001
    build(60, 2, seed=3, today=dt.date(2026, 6, 15))
    manifest = create_users(3, PASSWORD, SECRET)
    db.session.commit()
    regions = db.session.scalar(select(func.count()).select_from(Region))
    assert db.session.scalar(select(func.count()).select_from(User)) == 3 + 3 * regions + 3
    assert set(manifest["ars"]) == set(db.session.scalars(select(Region.code)))
    for entry in manifest["rssi"]:
        user = authenticate(entry["email"], PASSWORD)
        assert user is not None and user.role is Role.EDITOR
        assessment = db.session.get(Assessment, entry["assessment"])
        assert assessment.status is AssessmentStatus.DRAFT
        assert assessment.campaign_id == manifest["campaign"]
        assert user.establishments == [assessment.establishment]
    ars = authenticate(manifest["ars"]["11"][2], PASSWORD)
    assert ars.role is Role.ARS and ars.region_code == "11"
    national = authenticate(manifest["national"][0], PASSWORD)
    assert national.role is Role.NATIONAL and verify_password(national.password_hash, PASSWORD)
    # The stored secret is the one given, and a code is still accepted once only.
    code = pyotp.TOTP(SECRET).now()
    assert mfa.verify(national, code)
    assert not mfa.verify(national, code)
    assert "password" not in str(manifest).lower() and SECRET not in str(manifest)


def test_refuses_a_weak_password_a_bad_secret_or_too_few_drafts(app) -> None:  # noqa: ANN001
    build(20, 1, seed=3, today=dt.date(2026, 6, 15))
    with pytest.raises(BenchUsersError):
        create_users(1, "court", SECRET)
    with pytest.raises(BenchUsersError):
        create_users(1, PASSWORD, "JBSWY3DPEHPK3PXP")  # 80 bits: pyotp wants 112
    with pytest.raises(BenchUsersError, match="évaluations en cours"):
        create_users(200, PASSWORD, SECRET)


def test_command_writes_the_manifest_and_needs_both_secrets(app, tmp_path) -> None:  # noqa: ANN001
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["bench-data", "--establishments", "30", "--with-users", "2"],
                            env={"CAREAPP_BENCH_PASSWORD": "", "CAREAPP_BENCH_TOTP_SECRET": ""})
    assert refused.exit_code == 1 and "--users-password" in refused.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    manifest = tmp_path / "accounts.json"
    result = runner.invoke(args=[
        "bench-data", "--establishments", "40", "--campaigns", "2", "--today", "2026-06-15",
        "--with-users", "2", "--users-file", str(manifest)],
        env={"CAREAPP_BENCH_PASSWORD": PASSWORD, "CAREAPP_BENCH_TOTP_SECRET": SECRET})
    assert result.exit_code == 0, result.output
    written = manifest.read_text()
    assert "rssi-1@bench.care.fr" in written and SECRET not in written and PASSWORD not in written
    assert authenticate("national-1@bench.care.fr", PASSWORD) is not None
