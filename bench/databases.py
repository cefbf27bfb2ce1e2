"""The PostgreSQL database a benchmark builds its data in: created empty before, dropped after."""
from sqlalchemy import create_engine, text


def _admin(pg_server: str, statements: list[str]) -> None:
    admin = create_engine(pg_server.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


def fresh_pg(pg_server: str, name: str) -> str:
    """An empty database `name` (dropped first if a previous run left it); returns its URL."""
    _admin(pg_server, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'])
    return pg_server.rstrip("/") + "/" + name


def drop_pg(pg_server: str, name: str) -> None:
    _admin(pg_server, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])
