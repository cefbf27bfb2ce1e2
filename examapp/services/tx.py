"""Transaction helpers shared by services."""
from ..dbsetup import WRITE_OPTION
from ..extensions import db


def begin_write() -> None:
    """Start the service's writing transaction (BEGIN IMMEDIATE on SQLite).

    A read transaction opened earlier in the request (loading the current user) holds no changes; on SQLite
    it is ended so the writer starts with the lock instead of upgrading to it.
    """
    session = db.session()  # the scoped session's current Session
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            return
        if session.get_bind().dialect.name != "sqlite":
            # PostgreSQL (read committed) needs no fresh transaction to write: forgetting what was read makes
            # the writer read rows as they are now, without a second pool checkout and its ping.
            session.expire_all()
            return
        session.rollback()
    session.connection(execution_options={WRITE_OPTION: True})


def commit() -> None:
    db.session.commit()
