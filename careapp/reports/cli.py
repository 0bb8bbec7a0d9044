"""`flask --app careapp report establishment FINESS --campaign ID -o out.pdf` and
`flask --app careapp report region CODE --campaign ID -o out.pdf`,
`flask --app careapp report batch --region CODE --campaign ID -o DIR --jobs N`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from careapp.assessments.models import Assessment, Campaign
from careapp.db import db
from careapp.organisations.models import Establishment, Region

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


@report.command("region")
@click.argument("code")
@click.option("--campaign", "campaign_id", type=int, required=True, help="id de la campagne")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
def region_command(code: str, campaign_id: int, output: Path, lang: str) -> None:
    """The regional report of a campaign (the ARS's copy: establishment list included)."""
    from careapp.reports import data, render

    region = db.session.get(Region, code)
    if region is None:
        click.echo(f"Région inconnue : {code}.", err=True)
        sys.exit(1)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or (campaign.region_code is not None and campaign.region_code != code):
        click.echo(f"Campagne inconnue pour la région {code} : {campaign_id}.", err=True)
        sys.exit(1)
    rendered = render.render_region(
        data.region_report(campaign, region, lang, with_establishments=True))
    output.write_bytes(rendered.pdf)
    click.echo(f"{output} ({len(rendered.pdf) // 1024} Kio)")


@report.command("batch")
@click.option("--region", "region_code", required=True, help="code de la région")
@click.option("--campaign", "campaign_id", type=int, required=True, help="id de la campagne")
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="dossier des rapports")
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True,
              help="processus de rendu")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
def batch_command(region_code: str, campaign_id: int, out_dir: Path, jobs: int,
                  lang: str) -> None:
    """The report of every establishment of a region with an assessment in the campaign,
    rendered by a pool of processes; failures are listed at the end (exit status 1)."""
    from careapp.reports import batch

    if db.session.get(Region, region_code) is None:
        click.echo(f"Région inconnue : {region_code}.", err=True)
        sys.exit(1)
    if db.session.get(Campaign, campaign_id) is None:
        click.echo(f"Campagne inconnue : {campaign_id}.", err=True)
        sys.exit(1)
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = batch.jobs_of(region_code, campaign_id, out_dir)
    db.session.remove()
    if not todo:
        click.echo(f"Aucune évaluation de la région {region_code} "
                   f"pour la campagne {campaign_id}.")
        return
    config = batch.worker_config(current_app.config)
    with click.progressbar(length=len(todo), label="Rapports", show_pos=True,
                           file=sys.stderr) as bar:
        outcomes = batch.run(todo, config, processes=jobs, lang=lang,
                             on_done=lambda _outcome: bar.update(1))
    failed = sorted((o for o in outcomes if not o.ok), key=lambda o: o.job.finess)
    click.echo(f"{len(outcomes) - len(failed)} rapport(s) écrit(s) dans {out_dir}, "
               f"{len(failed)} en échec.")
    if failed:
        click.echo("Échecs :", err=True)
        for outcome in failed:
            click.echo(f"  {outcome.job.finess} {outcome.job.name} : {outcome.error}", err=True)
        sys.exit(1)
