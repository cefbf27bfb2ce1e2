"""Real server processes for the deployment and fault tests (QUALITY F1–F3, F10, F11, F16): gunicorn with
deploy/gunicorn.conf.py on a test's database, free ports, teardown, worker pids, and a small JSON client that
keeps the session cookie and retries the way the exam page does."""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args[0]} exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up: {log.read_text()[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 15 s; its workers go with it."""
    workers = worker_pids(process.pid) if process.poll() is None else []
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pid in workers:                     # a worker orphaned by a killed master
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def gunicorn(app, tmp_path: Path, name: str, *, url: str | None = None, port: int | None = None, workers: int = 2,
             threads: int = 2, env: dict | None = None) -> tuple[subprocess.Popen, int, Path]:
    """gunicorn with the deployment's configuration, on the test's database (or `url`) and secret."""
    port = port or free_port()
    log = tmp_path / f"{name}.log"
    env = {**os.environ, "DATABASE_URL": url or app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": app.config["SECRET_KEY"], "EXAMAPP_INSTANCE_PATH": app.config["INSTANCE_PATH"],
           "EXAMAPP_BIND": f"127.0.0.1:{port}", "EXAMAPP_WORKERS": str(workers), "EXAMAPP_THREADS": str(threads),
           "EXAMAPP_PROXY_HOPS": "1", "EXAMAPP_CONFIG": "development",
           "EXAMAPP_ACCESS_LOG": str(tmp_path / f"{name}-access.log"), **(env or {})}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
                               cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log)
    except BaseException:
        stop(process)
        raise
    return process, port, log


def get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def alive(pid: int) -> bool:
    """Running, not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def worker_pids(master: int) -> list[int]:
    """The live child processes of a gunicorn master (its workers)."""
    pids = []
    for task in Path(f"/proc/{master}/task").glob("*"):
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return sorted(p for p in set(pids) if alive(p))


def wait_for_workers(master: int, count: int, *, other_than=(), seconds: float = 20) -> list[int]:
    """Wait until the master has `count` live workers, none of them in `other_than`, and each answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = worker_pids(master)
        if len(pids) == count and not set(pids) & set(other_than):
            return pids
        time.sleep(0.1)
    raise AssertionError(f"workers of {master}: {worker_pids(master)}, wanted {count} new ones")


def wait_gone(pids, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while any(alive(p) for p in pids):
        if time.monotonic() > deadline:
            raise AssertionError(f"still running: {[p for p in pids if alive(p)]}")
        time.sleep(0.05)


class Unreachable(Exception):
    """The request got no HTTP answer (connection refused or reset, the worker died mid-request)."""


class ApiClient:
    """The JSON API as the exam page uses it: the session cookie, X-CSRFToken on writes, and (with
    `request(..., retries=n)`) the page's retry of a request that got no answer or a 502/503."""

    RETRY_STATUSES = (502, 503)

    def __init__(self, port: int, timeout: float = 10):
        self.port, self.timeout = port, timeout
        self.cookie = ""
        self.csrf = ""
        self.retried = 0                    # requests that had to be sent again

    def once(self, method: str, path: str, body=None) -> tuple[int, dict | str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Connection": "close"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.csrf and method != "GET":
            headers["X-CSRFToken"] = self.csrf
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie" and value.startswith("session="):
                    self.cookie = value.split(";", 1)[0]
        except (OSError, http.client.HTTPException) as e:
            raise Unreachable(repr(e)) from e
        finally:
            conn.close()
        text = raw.decode("utf-8", "replace")
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text

    def request(self, method: str, path: str, body=None, *, retries: int = 0, pause: float = 0.2):
        for attempt in range(retries + 1):
            try:
                status, data = self.once(method, path, body)
            except Unreachable:
                if attempt == retries:
                    raise
            else:
                if status not in self.RETRY_STATUSES or attempt == retries:
                    return status, data
            self.retried += 1
            time.sleep(pause)
        raise AssertionError("unreachable")

    def login(self, username: str, password: str, retries: int = 0) -> dict:
        status, data = self.request("POST", "/api/v1/auth/login", {"username": username, "password": password},
                                    retries=retries)
        assert status == 200, (status, data)
        self.csrf = data["csrf_token"]
        return data


@contextmanager
def private_site(url: str, instance: Path):
    """An app of its own on `url` (a database only this test uses), with its schema, the bureau of
    tests.conftest.World and the small test law; yields (app, world) inside its app context."""
    from sqlalchemy.exc import OperationalError

    from examapp import create_app
    from examapp.domain.audit_chain import GENESIS
    from examapp.extensions import db
    from examapp.models import AuditHead
    from examapp.services import bank, laws
    from tests.conftest import NOW, SMALL_BANK, SMALL_LAW, World

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "private-site-secret",
                      "INSTANCE_PATH": str(instance), "SERVER_NAME": None})
    with app.app_context():
        db.create_all()
        db.session.add(AuditHead(id=1, seq=0, hash=GENESIS))
        db.session.commit()
        world = World()
        laws.import_law("tester", "test_law.md", SMALL_LAW.encode(), now=NOW)
        assert bank.import_bank_file("tester", "test_law.yaml", SMALL_BANK.encode(), now=NOW).ok
        try:
            yield app, world
        finally:
            try:
                db.session.remove()
            except OperationalError:        # its connection died with the database (F10): closing is enough
                db.session.remove()
            db.engine.dispose()
