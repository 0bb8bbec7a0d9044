"""Declarative base with a naming convention, so that migrations can name every constraint."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, Enum, MetaData
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            dt.datetime: DateTime(timezone=True),
            dict[str, Any]: JSON,
            Any: JSON,
        },
    )


db = SQLAlchemy(model_class=Base)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def str_enum(cls: type[enum.Enum], length: int = 20) -> Enum:
    """An enum stored as its values in a VARCHAR (no native type: adding a value needs no DDL)."""
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])
