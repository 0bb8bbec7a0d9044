"""`flask --app careapp rollups refresh [--campaign ID]`: the summary tables from scratch (each
campaign's establishment lines, then its scope summaries), with a progress bar over the steps
(per campaign: lines, indicators, writing)."""

from __future__ import annotations

import sys
import time

import click
from sqlalchemy import select

from careapp.assessments.models import Campaign
from careapp.db import db
from careapp.rollups import refresh


@click.group("rollups")
def rollups() -> None:
    """Summary tables of the regional and national dashboards."""


@rollups.command("refresh")
@click.option("--campaign", "campaign_id", type=int, help="une seule campagne (identifiant)")
def refresh_command(campaign_id: int | None) -> None:
    """Recompute every campaign × scope summary (or one campaign's), one commit per campaign."""
    query = select(Campaign).order_by(Campaign.id)
    if campaign_id is not None:
        query = query.where(Campaign.id == campaign_id)
    campaigns = list(db.session.scalars(query))
    if campaign_id is not None and not campaigns:
        click.echo(f"Campagne {campaign_id} inconnue.", err=True)
        sys.exit(1)
    started = time.perf_counter()
    total = 0
    # One step per campaign × refresh.REBUILD_STEPS (lines, indicators, writing).
    with click.progressbar(length=len(campaigns) * len(refresh.REBUILD_STEPS),
                           label="Synthèses recalculées") as bar:
        for campaign in campaigns:
            total += refresh.rebuild(campaign, progress=bar.update)
            db.session.commit()
    click.echo(f"{len(campaigns)} campagne(s), {total} périmètre(s) en "
               f"{time.perf_counter() - started:.1f} s.")
