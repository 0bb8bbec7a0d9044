"""`flask --app careapp report establishment FINESS --campaign ID -o out.pdf`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from careapp.assessments.models import Assessment, Campaign
from careapp.db import db
from careapp.organisations.models import Establishment

report = AppGroup("report", help="Rapports PDF.")


@report.command("establishment")
@click.argument("finess")
@click.option("--campaign", "campaign_id", type=int, required=True, help="id de la campagne")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
def establishment_command(finess: str, campaign_id: int, output: Path, lang: str) -> None:
    """The establishment's report for one campaign (registers and roadmap included)."""
    from careapp.reports import data, render

    establishment = db.session.scalar(select(Establishment).filter_by(finess_et=finess))
    if establishment is None:
        click.echo(f"Établissement inconnu : FINESS {finess}.", err=True)
        sys.exit(1)
    if db.session.get(Campaign, campaign_id) is None:
        click.echo(f"Campagne inconnue : {campaign_id}.", err=True)
        sys.exit(1)
    assessment = db.session.scalar(select(Assessment).filter_by(
        establishment_id=establishment.id, campaign_id=campaign_id))
    if assessment is None:
        click.echo(f"Aucune évaluation de {finess} pour la campagne {campaign_id}.", err=True)
        sys.exit(1)
    rendered = render.render_establishment(
        data.establishment_report(assessment, lang, with_registers=True))
    output.write_bytes(rendered.pdf)
    click.echo(f"{output} ({len(rendered.pdf) // 1024} Kio)")
