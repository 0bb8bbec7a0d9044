"""Fast loading of generated rows: PostgreSQL COPY (psycopg) or executemany (SQLite).

Rows carry their ids (see generate.py); on PostgreSQL the id sequences are moved past them
afterwards. `orm_load` inserts the same rows as ORM objects, one `session.add` each: the
baseline of bench/bench_load.py, never used by the command.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Enum, Table, func, insert, select, text
from sqlalchemy.engine import Connection

from careapp.benchdata.generate import TABLES, WITH_ID, Batch
from careapp.db import db


def table(name: str) -> Table:
    return db.metadata.tables[name]


def first_ids(conn: Connection) -> dict[str, int]:
    """The next free id of every table that gets generated rows."""
    return {name: conn.scalar(select(func.coalesce(func.max(table(name).c.id), 0))) + 1
            for name in WITH_ID}


def load_batch(conn: Connection, batch: Batch) -> int:
    """Insert one batch, tables in foreign-key order; returns the number of rows."""
    count = 0
    for name in TABLES:
        rows = batch.get(name) or []
        if not rows:
            continue
        if conn.dialect.name == "postgresql":
            _copy(conn, table(name), rows)
        else:
            _executemany(conn, table(name), rows)
        count += len(rows)
    return count


def _executemany(conn: Connection, target: Table, rows: list[dict[str, Any]]) -> None:
    """One DB-API executemany per table and batch, values converted by the columns' own
    SQLAlchemy bind processors (JSON, dates, booleans: stored exactly as Core would store them).

    A Core `insert(table)` given the list of dicts does the same executemany but spends about
    as long again building each row's parameters (`construct_params`): measured in
    bench/bench_load.py (its "Core insert" line on SQLite). Enum columns get the value strings the generator
    wrote: SQLAlchemy would pass them through unchanged (non-native enums, no processor).
    """
    columns = list(rows[0])
    processors = [None if isinstance(target.c[c].type, Enum)
                  else target.c[c].type._cached_bind_processor(conn.dialect)  # noqa: SLF001
                  for c in columns]
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    values = operator.itemgetter(*columns)
    params = [tuple(value if process is None else process(value)
                    for value, process in zip(values(row), processors, strict=True))
              for row in rows]
    conn.exec_driver_sql(f'INSERT INTO "{target.name}" ({names}) VALUES ({marks})',  # noqa: S608
                         params)


def core_insert(conn: Connection, batch: Batch) -> int:
    """The same batch through SQLAlchemy Core `insert(table)` with a list of dicts (measured by
    bench/bench_load.py on SQLite, not used by the command)."""
    count = 0
    for name in TABLES:
        rows = batch.get(name) or []
        if rows:
            conn.execute(insert(table(name)), _with_enum_members(table(name), rows))
            count += len(rows)
    return count


def _with_enum_members(target: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose enum columns hold the enum members, as the models do: SQLAlchemy looks a
    member up in a dict, while a plain string takes a slow KeyError path (~30 µs a value)."""
    enums = {c.name: {m.value: m for m in c.type.enum_class} for c in target.columns
             if isinstance(c.type, Enum) and c.type.enum_class is not None and c.name in rows[0]}
    if not enums:
        return rows
    out = []
    for row in rows:
        row = dict(row)
        for column, members in enums.items():
            if row[column] is not None:
                row[column] = members[row[column]]
        out.append(row)
    return out


def _copy(conn: Connection, target: Table, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    as_json = {c for c in columns if isinstance(target.c[c].type, JSON)}
    names = ", ".join(f'"{c}"' for c in columns)
    raw = conn.connection.driver_connection  # psycopg.Connection, same transaction
    with raw.cursor() as cursor, cursor.copy(
            f'COPY "{target.name}" ({names}) FROM STDIN') as copy:  # noqa: S608 - our names
        for row in rows:
            # JSON columns: None is JSON null, as SQLAlchemy's JSON type stores it
            copy.write_row([json.dumps(row[c]) if c in as_json else row[c] for c in columns])


def finish(conn: Connection) -> None:
    """Move PostgreSQL's id sequences past the ids the rows brought."""
    if conn.dialect.name != "postgresql":
        return
    for name in WITH_ID:
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - our names
            f"(SELECT coalesce(max(id), 0) + 1 FROM \"{name}\"), false)"))


def orm_load(batches: Iterable[Batch]) -> int:
    """The same rows as ORM objects added one by one (benchmark baseline)."""
    models = {mapper.local_table.name: mapper.class_ for mapper in db.Model.registry.mappers
              if isinstance(mapper.local_table, Table)}
    count = 0
    for batch in batches:
        for name in TABLES:
            rows = batch.get(name) or []
            for row in _with_enum_members(table(name), rows) if rows else []:
                db.session.add(models[name](**row))
                count += 1
            db.session.flush()
    return count
