"""Command line: `flask --app careapp <command>`. Commands commit; services only flush."""

from __future__ import annotations

import subprocess  # noqa: S404 - only to catch CalledProcessError
import sys
from pathlib import Path

import click
from flask import Flask, current_app

from careapp import filemodes
from careapp.db import db


def init_app(app: Flask) -> None:
    # `flask db upgrade` (or the first request) creates the SQLite file: 0600 from the start.
    filemodes.init_app(app)
    app.cli.add_command(seed_demo)
    app.cli.add_command(orgs)
    app.cli.add_command(questionnaire)
    app.cli.add_command(users)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(__import__("careapp.benchdata.cli", fromlist=["bench_data"]).bench_data)
    from careapp.rollups.cli import rollups  # its refresh module listens to careapp.events
    app.cli.add_command(rollups)
    from careapp.reports.cli import report
    app.cli.add_command(report)


@click.command("backup")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
def backup_command(out: Path) -> None:
    """Copy the whole database into a new folder, with a checksum manifest."""
    from careapp.backup import BackupError, backup

    try:
        manifest = backup(db.engine, out)
    except (BackupError, subprocess.CalledProcessError) as exc:
        click.echo(f"Sauvegarde impossible : {_reason(exc)}", err=True)
        sys.exit(1)
    total = sum(manifest["row_counts"].values())
    click.echo(f"Sauvegarde {manifest['dialect']} écrite dans {out} ({total} lignes).")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="ne pas demander de confirmation")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the whole database by a backup made with `backup` (checksums verified)."""
    from careapp.backup import BackupError, restore

    if not yes and not click.confirm("Remplacer toute la base par cette sauvegarde ?"):
        sys.exit(1)
    db.session.remove()
    try:
        manifest = restore(db.engine, source)
    except (BackupError, subprocess.CalledProcessError) as exc:
        click.echo(f"Restauration refusée : {_reason(exc)}", err=True)
        sys.exit(1)
    click.echo(f"Base restaurée depuis la sauvegarde du {manifest['created_at']}.")


def _reason(exc: Exception) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        return (exc.stderr or b"").decode(errors="replace").strip() or str(exc)
    return str(exc)


@click.command("seed-demo")
def seed_demo() -> None:
    """Load demo data (idempotent) and print the demo accounts. Refused in production."""
    from careapp.demo import DEMO_PASSWORD, seed

    if current_app.config["ENV_NAME"] == "production":
        # The demo accounts' password is published (README, this command's output): never
        # create them where real data lives.
        click.echo("seed-demo refusé en production (CAREAPP_ENV=production) : les comptes de "
                   "démonstration ont un mot de passe public. Rien n'a été créé.", err=True)
        sys.exit(1)
    accounts = seed()
    db.session.commit()
    click.echo("Données de démonstration chargées. Comptes (mot de passe commun : "
               f"{DEMO_PASSWORD}) :")
    for account in accounts:
        click.echo(f"  {account.email:<32} {account.role.value:<9} {account.detail}")
    click.echo("Les comptes ars, grades, national et admin activent un second facteur (TOTP) à "
               "leur première connexion : le QR code et la clé s'affichent.")


@click.group()
def orgs() -> None:
    """Organisations: establishments, GHT."""


@orgs.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Import establishments from a CSV file (all rows or none)."""
    from careapp.organisations.services import import_establishments

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        click.echo("Fichier illisible : enregistrez-le en UTF-8.", err=True)
        sys.exit(1)
    report = import_establishments(text)
    if not report.ok:
        db.session.rollback()
        click.echo(f"Import refusé : {len(report.errors)} erreur(s), rien n'a été importé.",
                   err=True)
        for line, reason in report.errors:
            click.echo(f"  ligne {line} : {reason}", err=True)
        sys.exit(1)
    from careapp.audit.services import record

    record("establishments.import", actor="cli", object_type="file", object_id=path.name,
           details={"created": report.created, "updated": report.updated})
    db.session.commit()
    click.echo(f"Import terminé : {report.created} créé(s), {report.updated} mis à jour.")


@click.group()
def questionnaire() -> None:
    """Questionnaire files."""


@questionnaire.command("validate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate_command(path: Path) -> None:
    """Check a questionnaire file: prints each error with its path, exits 1 if any."""
    from careapp.questionnaires.validation import validate_file

    issues = validate_file(path, current_app.config["QUESTIONNAIRE_DIR"])
    if issues:
        click.echo(f"{path.name} : {len(issues)} erreur(s)", err=True)
        for issue in issues:
            click.echo(f"  {issue}", err=True)
        sys.exit(1)
    click.echo(f"{path.name} : valide.")


@click.group()
def users() -> None:
    """Accounts."""


@users.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrateur")
@click.password_option(confirmation_prompt=True)
def create_admin(email: str, name: str, password: str) -> None:
    """Create (or reset) an administrator account."""
    from careapp.auth.models import Role
    from careapp.auth.services import AccountError, upsert_user

    try:
        upsert_user(email, name, Role.ADMIN, password)
    except AccountError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Administrateur {email} prêt.")


@users.command("unlock")
@click.argument("email")
def unlock_command(email: str) -> None:
    """Lift an account's login delays (its earlier failed attempts no longer count)."""
    from careapp.auth.services import AccountError, unlock

    try:
        unlock(email, by="cli")
    except AccountError as exc:
        click.echo(f"{exc} ({email})", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Compte {email} débloqué : ses tentatives échouées précédentes ne comptent plus.")


@users.command("rotate-totp-keys")
def rotate_totp_keys() -> None:
    """Re-encrypt the stored TOTP keys with the first key of CAREAPP_TOTP_KEYS."""
    from careapp.auth.mfa import rotate_keys

    count = rotate_keys()
    db.session.commit()
    click.echo(f"{count} clé(s) TOTP rechiffrée(s) avec la première clé de CAREAPP_TOTP_KEYS.")
