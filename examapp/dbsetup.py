"""Engine-level settings: SQLite pragmas and `BEGIN IMMEDIATE` for writing transactions."""
from sqlalchemy import event
from sqlalchemy.engine import Engine

WRITE_OPTION = "examapp_write"


def _is_sqlite(conn) -> bool:
    return conn.dialect.name == "sqlite"


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.split(".")[0] not in {"sqlite3", "pysqlite2"}:
        return
    # Let SQLAlchemy emit BEGIN itself, so that writers can ask for BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if not _is_sqlite(conn):
        return
    # A writer takes the lock up front: upgrading a read transaction later can fail with
    # "database is locked" regardless of busy_timeout.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")
