"""Establishment import through the CLI: `flask orgs import FILE` writes every row or none."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from careapp.db import db
from careapp.organisations.finess import make_finess
from careapp.organisations.models import Establishment, Ght, Sector

HEADER = "finess_et;finess_ej;nom;categorie;statut;region;ght_code;ght_nom;commune"

RENNES = make_finess("35", 1)
PONTCHAILLOU = make_finess("35", 2)
BREST = make_finess("29", 3)
VANNES = make_finess("56", 4)
PARIS = "750712184"  # AP-HP
AJACCIO = "2A0000012"


def good_rows() -> list[str]:
    return [
        f"{RENNES};{RENNES};CHU de Rennes;CHU;public;53;GHT-35;GHT Haute-Bretagne;Rennes",
        f"{PONTCHAILLOU};{RENNES};CHU de Rennes, site Pontchaillou;CHU;public;53;GHT-35;"
        "GHT Haute-Bretagne;Rennes",
        f"{BREST};{BREST};Clinique de l'Iroise;CLINIQUE;prive_lucratif;53;;;Brest",
        f"{VANNES};{VANNES};Hôpital privé de Vannes;ESPIC;espic;53;;;Vannes",
        f"{PARIS};{PARIS};Assistance publique – Hôpitaux de Paris;CHU;public;11;GHT-75;"
        "GHT Paris Centre;Paris",
    ]


def write(tmp_path: Path, rows: list[str], *, header: str = HEADER, name: str = "finess.csv",
          encoding: str = "utf-8", newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(newline.join([header, *rows, ""]).encode(encoding, errors="replace"))
    return path


def run_import(app, path: Path):  # noqa: ANN001, ANN201
    return app.test_cli_runner().invoke(args=["orgs", "import", str(path)])


def counts() -> tuple[int, int]:
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(Establishment)),
            db.session.scalar(select(func.count()).select_from(Ght)))


def by_finess(finess: str) -> Establishment:
    return db.session.scalar(select(Establishment).filter_by(finess_et=finess))


def test_a_good_file_is_imported_with_its_ghts(app, tmp_path) -> None:  # noqa: ANN001
    result = run_import(app, write(tmp_path, good_rows()))
    assert result.exit_code == 0, result.output
    assert "Import terminé : 5 créé(s), 0 mis à jour." in result.output
    assert counts() == (5, 2)
    rennes = by_finess(RENNES)
    assert (rennes.name, rennes.category, rennes.sector, rennes.region_code, rennes.city) == (
        "CHU de Rennes", "CHU", Sector.PUBLIC, "53", "Rennes")
    assert rennes.ght.code == "GHT-35" and rennes.ght.name == "GHT Haute-Bretagne"
    assert rennes.ght.region_code == "53"
    site = by_finess(PONTCHAILLOU)
    assert site.finess_ej == RENNES and site.ght_id == rennes.ght_id
    assert site.name == "CHU de Rennes, site Pontchaillou"  # a comma inside a field
    assert by_finess(BREST).ght is None
    assert by_finess(BREST).sector is Sector.PRIVATE_FORPROFIT
    assert by_finess(VANNES).sector is Sector.PRIVATE_NONPROFIT  # "espic" is an alias
    assert by_finess(PARIS).ght.region_code == "11"
    assert by_finess(PARIS).national_group == "Membre d'un GHT"


def test_reimporting_updates_in_place(app, tmp_path) -> None:  # noqa: ANN001
    assert run_import(app, write(tmp_path, good_rows())).exit_code == 0
    ids = {e.finess_et: e.id for e in db.session.scalars(select(Establishment))}

    same = run_import(app, write(tmp_path, good_rows(), name="same.csv"))
    assert same.exit_code == 0, same.output
    assert "0 créé(s), 5 mis à jour" in same.output
    assert counts() == (5, 2)

    rows = good_rows()
    rows[0] = rows[0].replace("CHU de Rennes;", "Centre hospitalier universitaire de Rennes;")
    rows[:2] = [r.replace("GHT Haute-Bretagne", "GHT de Haute-Bretagne") for r in rows[:2]]
    rows[2] = rows[2].replace(";Brest", ";Brest Cedex")
    changed = run_import(app, write(tmp_path, rows, name="changed.csv"))
    assert changed.exit_code == 0, changed.output
    assert "0 créé(s), 5 mis à jour" in changed.output
    assert counts() == (5, 2)
    assert {e.finess_et: e.id for e in db.session.scalars(select(Establishment))} == ids
    assert by_finess(RENNES).name == "Centre hospitalier universitaire de Rennes"
    assert by_finess(RENNES).ght.name == "GHT de Haute-Bretagne"
    assert by_finess(BREST).city == "Brest Cedex"


def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_row(app, tmp_path) -> None:  # noqa: ANN001
    bad_luhn = RENNES[:-1] + str((int(RENNES[-1]) + 1) % 10)
    rows = [
        good_rows()[0],  # line 2: good
        f"{bad_luhn};{RENNES};CH à clé fausse;CH;public;53;;;Rennes",  # line 3
        f"{BREST};{BREST};Clinique hors région;CLINIQUE;prive_lucratif;99;;;Brest",  # line 4
        f"{VANNES};{VANNES};Établissement inconnu;HOPITAL;public;53;;;Vannes",  # line 5
        f"{RENNES};{RENNES};CHU de Rennes bis;CHU;public;53;;;Rennes",  # line 6: duplicate
        f"{PONTCHAILLOU};{RENNES};;CHU;public;53;;;Rennes",  # line 7: no name
        f"{PARIS};{PARIS};AP-HP;CHU;public;11;GHT-75;GHT Paris Centre;Paris;en trop",  # line 8
        good_rows()[4].replace(PARIS, make_finess("75", 9)),  # line 9: good
    ]
    result = run_import(app, write(tmp_path, rows))
    assert result.exit_code == 1
    err = result.stderr
    assert "Import refusé : 6 erreur(s), rien n'a été importé." in err
    expected = [
        f"ligne 3 : FINESS ET « {bad_luhn} » : clé de contrôle (Luhn) invalide",
        "ligne 4 : code région INSEE inconnu « 99 »",
        "ligne 5 : catégorie inconnue « HOPITAL »",
        f"ligne 6 : FINESS ET {RENNES} déjà présent ligne 2",
        "ligne 7 : nom manquant",
        "ligne 8 : trop de colonnes sur cette ligne",
    ]
    for line in expected:
        assert line in err, f"{line!r} not in:\n{err}"
    assert "ligne 2" not in err.replace("déjà présent ligne 2", "")
    assert "ligne 9" not in err
    assert "Import terminé" not in result.output
    assert counts() == (0, 0)  # not even the good rows, nor their GHT


def test_line_numbers_are_those_of_the_file_even_after_blank_lines(app, tmp_path) -> None:  # noqa: ANN001
    rows = [good_rows()[0], "", "", f"{BREST};{BREST};;CLINIQUE;prive_lucratif;53;;;Brest"]
    result = run_import(app, write(tmp_path, rows))
    assert result.exit_code == 1
    # The person opens the file at the line printed: the nameless row is on line 5.
    assert "ligne 5 : nom manquant" in result.stderr, result.stderr


def test_overlong_fields_are_reported_per_line_on_every_database(app, tmp_path) -> None:  # noqa: ANN001
    # establishments.city is VARCHAR(120) and ghts.name VARCHAR(200): PostgreSQL enforces them,
    # SQLite does not; the import must give the same line-by-line answer on both.
    rows = [
        f"{RENNES};{RENNES};CHU de Rennes;CHU;public;53;;;{'R' * 121}",
        f"{BREST};{BREST};CH de Brest;CH;public;53;GHT-29;{'G' * 201};Brest",
    ]
    result = run_import(app, write(tmp_path, rows))
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "ligne 2 : " in result.stderr and "ligne 3 : " in result.stderr, result.output
    assert counts() == (0, 0)


def test_a_bad_file_leaves_earlier_imports_untouched(app, tmp_path) -> None:  # noqa: ANN001
    assert run_import(app, write(tmp_path, good_rows())).exit_code == 0
    rows = good_rows()
    rows[0] = rows[0].replace("CHU de Rennes;", "Nom modifié;")
    rows.append(f"{make_finess('22', 5)};{make_finess('22', 5)};Sans catégorie;;public;53;;;Lannion")
    result = run_import(app, write(tmp_path, rows, name="second.csv"))
    assert result.exit_code == 1
    assert "ligne 7 : catégorie inconnue" in result.stderr
    assert counts() == (5, 2)
    assert by_finess(RENNES).name == "CHU de Rennes"


def test_missing_columns_are_named(app, tmp_path) -> None:  # noqa: ANN001
    header = "finess_et;finess_ej;nom;categorie;commune"
    rows = [f"{RENNES};{RENNES};CHU de Rennes;CHU;Rennes"]
    result = run_import(app, write(tmp_path, rows, header=header))
    assert result.exit_code == 1
    assert "ligne 1 : colonnes manquantes : statut, region" in result.stderr
    assert counts() == (0, 0)


def test_optional_columns_may_be_left_out_and_headers_are_case_insensitive(app, tmp_path) -> None:  # noqa: ANN001
    header = "FINESS_ET;Finess_EJ;Nom;Categorie;Statut;Region"
    rows = [f"{RENNES};{RENNES};CHU de Rennes;chu;Public;53"]
    result = run_import(app, write(tmp_path, rows, header=header))
    assert result.exit_code == 0, result.output
    rennes = by_finess(RENNES)
    assert (rennes.category, rennes.ght, rennes.city) == ("CHU", None, "")


def test_corsican_finess_numbers_are_accepted(app, tmp_path) -> None:  # noqa: ANN001
    rows = [
        f"{AJACCIO};{AJACCIO};CH de Castelluccio;CHS;public;94;GHT-2A;GHT de Corse-du-Sud;Ajaccio",
        "2b 000 123 4;2B0001234;CH de Bastia;CH;public;94;;;Bastia",  # spaces, lower case
    ]
    result = run_import(app, write(tmp_path, rows))
    assert result.exit_code == 0, result.output
    assert by_finess(AJACCIO).region.name == "Corse"
    assert by_finess("2B0001234").name == "CH de Bastia"


def test_a_comma_separated_file_works(app, tmp_path) -> None:  # noqa: ANN001
    rows = [
        f"{RENNES},{RENNES},CHU de Rennes,CHU,public,53,GHT-35,GHT Haute-Bretagne,Rennes",
        f'{PONTCHAILLOU},{RENNES},"CHU de Rennes, site Pontchaillou",CHU,public,53,GHT-35,'
        "GHT Haute-Bretagne,Rennes",
        f"{BREST},{BREST},Clinique de l'Iroise,CLINIQUE,prive_lucratif,53,,,Brest",
    ]
    result = run_import(app, write(tmp_path, rows, header=HEADER.replace(";", ",")))
    assert result.exit_code == 0, result.output
    assert counts() == (3, 1)
    assert by_finess(PONTCHAILLOU).name == "CHU de Rennes, site Pontchaillou"


def test_an_excel_export_with_bom_and_crlf_works(app, tmp_path) -> None:  # noqa: ANN001
    path = write(tmp_path, good_rows(), encoding="utf-8-sig", newline="\r\n")
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    assert counts() == (5, 2)
    assert by_finess(VANNES).name == "Hôpital privé de Vannes"


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_a_file_not_in_utf8_gets_a_clear_message(app, tmp_path, encoding: str) -> None:  # noqa: ANN001
    result = run_import(app, write(tmp_path, good_rows(), encoding=encoding))
    assert result.exit_code == 1
    assert "Fichier illisible : enregistrez-le en UTF-8." in result.stderr
    assert "Traceback" not in result.output
    assert counts() == (0, 0)


def test_a_missing_file_is_refused_by_the_command_line(app, tmp_path) -> None:  # noqa: ANN001
    result = run_import(app, tmp_path / "absent.csv")
    assert result.exit_code == 2
    assert "does not exist" in result.output or "n'existe pas" in result.output


def test_a_ght_stays_in_its_region(app, tmp_path) -> None:  # noqa: ANN001
    rows = [
        f"{RENNES};{RENNES};CHU de Rennes;CHU;public;53;GHT-X;GHT X;Rennes",
        f"{make_finess('75', 77)};{make_finess('75', 77)};Hôpital de Paris;CH;public;11;GHT-X;GHT X;Paris",
    ]
    result = run_import(app, write(tmp_path, rows))
    assert result.exit_code == 1
    assert "ligne 3 : le GHT GHT-X est rattaché à la région 53, pas à la région 11" in result.stderr
    assert counts() == (0, 0)


def test_a_row_repeating_a_bad_row_is_reported_too(app, tmp_path) -> None:  # noqa: ANN001
    bad = f"{RENNES};{RENNES};CHU de Rennes;XXX;public;53;;;Rennes"
    result = run_import(app, write(tmp_path, [bad, bad]))
    assert result.exit_code == 1
    assert f"ligne 3 : FINESS ET {RENNES} déjà présent ligne 2" in result.stderr


def test_a_file_without_optional_columns_keeps_ght_and_town(app, tmp_path) -> None:  # noqa: ANN001
    full = [f"{RENNES};{RENNES};CHU de Rennes;CHU;public;53;GHT-35;GHT Haute-Bretagne;Rennes"]
    assert run_import(app, write(tmp_path, full)).exit_code == 0
    short = [f"{RENNES};{RENNES};CHU de Rennes (nouveau nom);CHU;public;53"]
    header = "finess_et;finess_ej;nom;categorie;statut;region"
    assert run_import(app, write(tmp_path, short, header=header, name="b.csv")).exit_code == 0
    est = by_finess(RENNES)
    assert est.name == "CHU de Rennes (nouveau nom)"
    assert est.ght is not None and est.ght.code == "GHT-35" and est.city == "Rennes"
    cleared = [f"{RENNES};{RENNES};CHU de Rennes;CHU;public;53;;;Rennes"]
    assert run_import(app, write(tmp_path, cleared, name="c.csv")).exit_code == 0
    assert by_finess(RENNES).ght is None
