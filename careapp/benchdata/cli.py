"""`flask --app careapp bench-data`: a synthetic nation loaded through the fast path.

Campaigns are opened (and all but the last closed) through the assessment services, like any
campaign; everything else comes from generate.py as plain rows and goes in through load.py
(PostgreSQL COPY, SQLite executemany), in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable

import click
from flask import current_app
from sqlalchemy import func, select

from careapp.assessments import services as assessments
from careapp.benchdata.generate import CampaignRef, Spec, generate
from careapp.benchdata.load import finish, first_ids, load_batch
from careapp.benchdata.users import BenchUsersError, check, create_users
from careapp.db import db
from careapp.organisations.models import Establishment

QUESTIONNAIRE = ("care", "1.0.0")


class BenchDataError(RuntimeError):
    pass


def prepare(establishments: int, campaigns: int, seed: int, today: dt.date) -> Spec:
    """Open the campaigns (one per year, the last still open) and describe what to generate."""
    if db.session.scalar(select(func.count()).select_from(Establishment)):
        raise BenchDataError("la base contient déjà des établissements : bench-data remplit une "
                             "base vide (migrée, sans données de démonstration).")
    key, version = QUESTIONNAIRE
    refs = []
    for year in range(today.year - campaigns + 1, today.year + 1):
        campaign = assessments.open_campaign(
            name=f"Campagne CaRE {year}", year=year, questionnaire_key=key,
            questionnaire_version=version, opens_on=dt.date(year, 1, 15),
            deadline=dt.date(year, 11, 30), region_code=None, created_by=None)
        if year < today.year:
            assessments.close_campaign(campaign)
        refs.append(CampaignRef(campaign.id, year, open=year == today.year))
    stored = campaign.questionnaire_version
    db.session.flush()
    return Spec(establishments=establishments, campaigns=refs,
                questionnaire=assessments.questionnaire_of_campaign(campaign),
                questionnaire_hash=stored.content_hash, seed=seed, today=today,
                first_ids=first_ids(db.session.connection()))


def build(establishments: int, campaigns: int, seed: int, today: dt.date,
          progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Generate and load; returns rows per table. The caller commits."""
    spec = prepare(establishments, campaigns, seed, today)
    conn = db.session.connection()
    counts: dict[str, int] = {}
    for batch in generate(spec, progress):
        load_batch(conn, batch)
        for name, rows in batch.items():
            counts[name] = counts.get(name, 0) + len(rows)
    finish(conn)
    return counts


@click.command("bench-data")
@click.option("--establishments", type=click.IntRange(1, 20_000), default=3000, show_default=True)
@click.option("--campaigns", type=click.IntRange(1, 10), default=3, show_default=True,
              help="one per year, ending with this year's (open)")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="reference date (default: today)")
@click.option("--with-users", "with_users", type=click.IntRange(0, 200), default=0,
              show_default=True,
              help="benchmark accounts: N RSSI (one draft assessment each), N ARS per region, "
                   "N national, all with --users-password and --users-totp-secret")
@click.option("--users-password", envvar="CAREAPP_BENCH_PASSWORD", default=None,
              help="password of the benchmark accounts (or CAREAPP_BENCH_PASSWORD)")
@click.option("--users-totp-secret", envvar="CAREAPP_BENCH_TOTP_SECRET", default=None,
              help="base32 TOTP secret of the benchmark accounts (or CAREAPP_BENCH_TOTP_SECRET)")
@click.option("--users-file", type=click.Path(dir_okay=False, writable=True), default=None,
              help="write the accounts' manifest (emails, assessment ids; no secret) as JSON")
def bench_data(establishments: int, campaigns: int, seed: int, today: dt.datetime | None,
               with_users: int, users_password: str | None, users_totp_secret: str | None,
               users_file: str | None) -> None:
    """Fill an empty database with a synthetic nation (benchmarks). Refused in production."""
    if current_app.config["ENV_NAME"] == "production":
        click.echo("bench-data refusé en production (CAREAPP_ENV=production) : il remplit la "
                   "base de données fictives. Rien n'a été créé.", err=True)
        sys.exit(1)
    day = today.date() if today else dt.date.today()
    try:
        if with_users:
            if not users_password or not users_totp_secret:
                raise BenchUsersError("--with-users demande --users-password et "
                                      "--users-totp-secret.")
            check(users_password, users_totp_secret)
        with click.progressbar(length=establishments, label="Établissements") as bar:
            counts = build(establishments, campaigns, seed, day, bar.update)
        manifest = (create_users(with_users, users_password or "", users_totp_secret or "")
                    if with_users else None)
    except (BenchDataError, BenchUsersError) as exc:
        db.session.rollback()
        click.echo(f"bench-data refusé : {exc}", err=True)
        sys.exit(1)
    db.session.commit()
    if manifest is not None:
        counts["users"] = len(manifest["rssi"]) + len(manifest["national"]) + sum(
            len(a) for a in manifest["ars"].values())
        if users_file:
            with open(users_file, "w", encoding="utf-8") as out:
                json.dump(manifest, out, indent=1)
    click.echo(f"Nation synthétique chargée ({db.engine.dialect.name}) :")
    for name, count in counts.items():
        click.echo(f"  {name:<20} {count:>9}")
