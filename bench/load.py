"""Helpers for the exam-day benchmarks (bench/exam_day.py): gunicorn started with deploy/gunicorn.conf.py on a
database, an asyncio + httpx load generator whose virtual takers each keep their own session, latency
statistics, and the machine's description. Loopback only."""
import asyncio
import http.cookiejar
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


# -- the server -------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn -c deploy/gunicorn.conf.py on `url`; its workers and threads are the configuration's defaults
    unless EXAMAPP_WORKERS / EXAMAPP_THREADS are given in `env`."""

    def __init__(self, url: str, instance: Path, *, secret: str, env: dict | None = None,
                 app: str = "wsgi:app", pythonpath: str | None = None):
        self.port = free_port()
        self.log = instance / "gunicorn.log"
        self.env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret, "EXAMAPP_INSTANCE_PATH": str(instance),
                    "EXAMAPP_BIND": f"127.0.0.1:{self.port}", "EXAMAPP_PROXY_HOPS": "1",
                    "EXAMAPP_CONFIG": "development",   # production minus Secure cookies: the bench speaks plain HTTP
                    "EXAMAPP_ACCESS_LOG": str(instance / "access.log"), "EXAMAPP_ERROR_LOG": str(self.log),
                    **(env or {})}
        args = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
        if pythonpath:
            args += ["--pythonpath", pythonpath]
        self.process = subprocess.Popen(args + [app], cwd=ROOT, env=self.env,
                                        stdout=self.log.open("a"), stderr=subprocess.STDOUT)
        self._wait_up()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_up(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not come up: {self.log.read_text()[-2000:]}")

    def workers(self) -> list[int]:
        pids = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            try:
                pids += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                pass
        return sorted(set(pids))

    def cpu_seconds(self) -> float:
        """User + system CPU of the master and its live workers (clock ticks from /proc)."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in [self.process.pid, *self.workers()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                pass
        return total

    def stop(self) -> None:
        workers = self.workers() if self.process.poll() is None else []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# -- the client -------------------------------------------------------------------------------------------------

def make_client(base: str, connections: int) -> httpx.AsyncClient:
    """One connection pool for all virtual takers. The client's own cookie jar refuses every cookie: each
    Taker keeps its session cookie itself. Idle connections are dropped before gunicorn's keepalive (5 s)."""
    jar = http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=4)
    return httpx.AsyncClient(base_url=base, cookies=jar, limits=limits, timeout=httpx.Timeout(120, pool=None))


@dataclass
class Taker:
    """One person at a browser: username, session cookie, CSRF token, a distinct address (behind a proxy)."""
    username: str
    ip: str
    cookie: str = ""
    csrf: str = ""
    attempts: dict = field(default_factory=dict)      # exam id -> {"id", "questions"}
    seq: dict = field(default_factory=dict)           # attempt id -> last seq sent

    def headers(self, write: bool) -> dict:
        h = {"X-Forwarded-For": self.ip}
        if self.cookie:
            h["Cookie"] = self.cookie
        if write and self.csrf:
            h["X-CSRFToken"] = self.csrf
        return h

    def keep_cookie(self, response: httpx.Response) -> None:
        for value in response.headers.get_list("set-cookie"):
            if value.startswith("session="):
                self.cookie = value.split(";", 1)[0]

    def next_seq(self, attempt_id: int) -> int:
        self.seq[attempt_id] = self.seq.get(attempt_id, 0) + 1
        return self.seq[attempt_id]


class Recorder:
    """Latencies and outcomes of one kind of request."""

    def __init__(self, name: str):
        self.name = name
        self.ok: list[float] = []
        self.errors: dict[str, int] = {}
        self.error_samples: list[str] = []
        self.retries = 0                  # 503 with Retry-After, waited out and sent again (not errors)

    def add(self, seconds: float, error: str | None = None, detail: str = "") -> None:
        if error is None:
            self.ok.append(seconds)
        else:
            self.errors[error] = self.errors.get(error, 0) + 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{error}: {detail[:200]}")

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def summary(self) -> dict:
        return {"n": len(self.ok), "errors": self.error_count, "error_kinds": dict(self.errors),
                "samples": self.error_samples, "retries": self.retries, **latency(self.ok)}


def latency(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    v = sorted(values)

    def pct(p: float) -> float:
        return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]

    return {"p50": pct(50), "p95": pct(95), "p99": pct(99), "max": v[-1], "mean": statistics.fmean(v)}


RETRIES = 10


async def call(client: httpx.AsyncClient, rec: Recorder, taker: Taker | None, method: str, path: str, *,
               json=None, expect=(200,)) -> httpx.Response | None:
    """One request; its latency and outcome go to `rec`. Returns the response when its status is expected."""
    headers = taker.headers(method != "GET") if taker else {}
    t = time.perf_counter()
    for _turn in range(RETRIES + 1):
        try:
            r = await client.request(method, path, json=json, headers=headers)
        except httpx.HTTPError as e:
            rec.add(time.perf_counter() - t, type(e).__name__, repr(e))
            return None
        # the server sheds load it cannot take now (logins waiting for a password check): a client waits and
        # retries, as the login page asks a person to; the latency counts from the first try
        if r.status_code != 503 or "Retry-After" not in r.headers or _turn == RETRIES:
            break
        rec.retries += 1
        await asyncio.sleep(float(r.headers["Retry-After"]))
    elapsed = time.perf_counter() - t
    if taker:
        taker.keep_cookie(r)
    if r.status_code not in expect:
        rec.add(elapsed, f"HTTP {r.status_code}", r.text)
        return None
    rec.add(elapsed)
    return r


async def closed_loop(workers: int, seconds: float, step) -> tuple[int, float]:
    """`workers` coroutines each run `await step(i)` back to back for `seconds`. Returns (steps, elapsed)."""
    stop_at = time.perf_counter() + seconds
    done = 0

    async def worker(i: int) -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            if await step(i) is False:
                return
            done += 1

    t = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(workers)))
    return done, time.perf_counter() - t


# -- the machine ------------------------------------------------------------------------------------------------

def loadavg() -> float:
    return os.getloadavg()[0]
