"""Bulk inserts of rows whose ids the caller needs (imports), without INSERT ... RETURNING.

An INSERT ... RETURNING of thousands of rows is sent as multi-row statements of thousands of parameters; on
PostgreSQL psycopg parses every statement over 4 KB again on each execution. Taking the ids first and inserting
with a plain executemany sends one short statement, pipelined.
"""
from sqlalchemy import Table, func, select, text

from ..extensions import db


def reserve_ids(table: Table, n: int) -> list[int]:
    """n new values of `table.c.id`, to be inserted explicitly by the caller in this transaction.

    PostgreSQL: taken from the column's sequence, so later inserts that leave the id to the database go on
    after them (a rolled-back import leaves a gap, as any rolled-back insert does). SQLite: max(id) + 1 …,
    which is what SQLite itself assigns; the caller must hold the write lock (a writing transaction, BEGIN
    IMMEDIATE) and have flushed its own pending rows of the table.
    """
    if n <= 0:
        return []
    session = db.session()
    if session.new:
        session.flush()
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        quoted = conn.dialect.identifier_preparer.format_table(table)
        return list(conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": quoted, "n": n}).scalars())
    start = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    return list(range(start, start + n))


def insert_rows(table: Table, rows: list[dict]) -> None:
    """A Core executemany on the session's connection (no ORM bookkeeping, no RETURNING)."""
    if rows:
        db.session.connection().execute(table.insert(), rows)
