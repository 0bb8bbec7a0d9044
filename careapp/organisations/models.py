from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careapp.db import db, str_enum


class Sector(enum.StrEnum):
    """The four national groups used by CaRE statistics are derived from sector + GHT."""

    PUBLIC = "public"
    PRIVATE_NONPROFIT = "prive_non_lucratif"
    PRIVATE_FORPROFIT = "prive_lucratif"


SECTOR_LABELS = {
    Sector.PUBLIC: "Public",
    Sector.PRIVATE_NONPROFIT: "Privé non lucratif (ESPIC)",
    Sector.PRIVATE_FORPROFIT: "Privé lucratif",
}

CATEGORIES = {
    "CHU": "CHU/CHR",
    "CH": "Centre hospitalier",
    "CHS": "Centre hospitalier spécialisé (psychiatrie)",
    "HL": "Hôpital de proximité",
    "ESPIC": "ESPIC",
    "CLINIQUE": "Clinique privée",
    "SSR": "SMR / SSR",
    "HAD": "HAD",
    "DIALYSE": "Centre de dialyse",
    "ESSMS": "ESSMS",
}


class Region(db.Model):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


class Ght(db.Model):
    __tablename__ = "ghts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)

    region: Mapped[Region] = relationship()


class Establishment(db.Model):
    __tablename__ = "establishments"

    id: Mapped[int] = mapped_column(primary_key=True)
    finess_et: Mapped[str] = mapped_column(String(9), unique=True)
    finess_ej: Mapped[str] = mapped_column(String(9), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    sector: Mapped[Sector] = mapped_column(
        str_enum(Sector, 30)
    )
    city: Mapped[str] = mapped_column(String(120), default="")
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    ght_id: Mapped[int | None] = mapped_column(ForeignKey("ghts.id"), index=True)

    region: Mapped[Region] = relationship()
    ght: Mapped[Ght | None] = relationship()

    @property
    def national_group(self) -> str:
        """One of the four groups of the national CaRE statistics."""
        if self.sector is Sector.PUBLIC:
            return "Membre d'un GHT" if self.ght_id else "Public hors GHT"
        return SECTOR_LABELS[self.sector]

    def __repr__(self) -> str:
        return f"<Establishment {self.finess_et} {self.name}>"
