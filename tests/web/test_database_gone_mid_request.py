"""F10, in one process: the database connection dies while a request holds it between statements (a restart,
an administrator's termination). The request has its answer; ending it must not turn that answer into a 500."""
import pytest
from flask import jsonify
from sqlalchemy import create_engine, text

from examapp.extensions import db
from examapp.security import public
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="terminating a backend needs PostgreSQL (TEST_DATABASE_URL)")


def test_f10_a_connection_killed_after_the_work_still_answers(app):
    """The view reads, then its backend is terminated (as by a PostgreSQL restart) before the request ends:
    the response is the view's own 200, not a 500 from closing the dead session at teardown."""
    killer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")

    @app.get("/_test/killed-after-read")
    @public
    def killed_after_read():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()     # a transaction is open now
        with killer.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one()
        return jsonify(done=True)

    client = app.test_client()
    try:
        response = client.get("/_test/killed-after-read")
        assert response.status_code == 200 and response.get_json() == {"done": True}
        assert client.get("/healthz").get_json() == {"status": "ok", "db": "ok"}     # the pool recovers
    finally:
        killer.dispose()
