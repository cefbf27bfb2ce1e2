"""Transaction helpers shared by services."""
from ..dbsetup import WRITE_OPTION
from ..extensions import db


def begin_write() -> None:
    """Start the service's writing transaction (BEGIN IMMEDIATE on SQLite).

    A read transaction opened earlier in the request (loading the current user) holds no changes;
    it is ended so the writer starts with the lock instead of upgrading to it.
    """
    session = db.session()  # the scoped session's current Session
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            return
        session.rollback()
    session.connection(execution_options={WRITE_OPTION: True})


def commit() -> None:
    db.session.commit()
