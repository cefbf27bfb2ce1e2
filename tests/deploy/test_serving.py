"""The deployment of docs/deploy.md, with real processes: gunicorn with deploy/gunicorn.conf.py, nginx from Debian
with the configuration `flask deploy nginx` renders, and two gunicorn instances on one database."""
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from examapp.formats.nginx_conf import EXAMPLE_NAME, NginxSite, render, standalone
from tests.conftest import PASSWORD
from tests.servers import ROOT, free_port, get, gunicorn, stop, wait_until_up

pytestmark = pytest.mark.server

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def test_the_example_nginx_site_is_what_the_command_renders():
    example = render(NginxSite(EXAMPLE_NAME, "/opt/examapp/app/examapp/static",
                               "/opt/examapp/venv/lib/python3.11/site-packages/flask_bootstrap/static/bootstrap5"))
    assert (ROOT / "deploy/nginx/examapp.conf").read_text() == example


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)")
def test_nginx_serves_static_files_and_proxies_the_app(app, world, tmp_path, runner):
    app_server, app_port, _log = gunicorn(app, tmp_path, "web")
    nginx_port = free_port()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    site = runner.invoke(args=["deploy", "nginx", "--no-tls", "--listen", str(nginx_port),
                               "--upstream", f"127.0.0.1:{app_port}", "--server-name", "localhost"])
    assert site.exit_code == 0, site.output
    static_dir = str(Path(app.static_folder).resolve())
    assert f"alias {static_dir}/;" in site.output
    (prefix / "nginx.conf").write_text(standalone(NginxSite("localhost", static_dir,
                                                            str(Path(app.blueprints["bootstrap"].static_folder)),
                                                            [f"127.0.0.1:{app_port}"], None, None, nginx_port),
                                                  str(prefix)))
    os.chmod(tmp_path, 0o755)          # nginx's workers run as an unprivileged user
    web = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                           stdout=(prefix / "out.log").open("w"), stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{nginx_port}"
        wait_until_up(f"{base}/healthz", web, prefix / "out.log")
        status, headers, body = get(f"{base}/static/css/app.css")
        assert status == 200 and headers["Server"].startswith("nginx") and headers["Cache-Control"] == "max-age=604800"
        assert body == (Path(static_dir) / "css/app.css").read_bytes()
        status, headers, _ = get(f"{base}/bootstrap/static/css/bootstrap.min.css")
        assert status == 200 and "Expires" in headers
        status, headers, body = get(f"{base}/healthz")
        assert status == 200 and json.loads(body) == {"status": "ok", "db": "ok"}
        status, headers, body = get(f"{base}/login")
        assert status == 200 and "法治学习考试系统".encode() in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        access = (tmp_path / "web-access.log").read_text()
        assert "/healthz" in access and "/static/css/app.css" not in access     # static files never reach gunicorn
    finally:
        stop(web)
        stop(app_server)


def test_two_app_instances_on_one_database_accept_each_others_sessions(app, world, tmp_path):
    first, first_port, _ = gunicorn(app, tmp_path, "first")
    second, second_port, _ = gunicorn(app, tmp_path, "second")
    try:
        login = urllib.request.Request(f"http://127.0.0.1:{first_port}/api/v1/auth/login", method="POST",
                                       data=json.dumps({"username": "employee", "password": PASSWORD}).encode(),
                                       headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(login, timeout=10) as r:
            cookie = r.headers["Set-Cookie"].split(";", 1)[0]
        status, _headers, body = get(f"http://127.0.0.1:{second_port}/api/v1/exams", {"Cookie": cookie})
        assert status == 200 and "exams" in json.loads(body)
        status, _headers, _ = get(f"http://127.0.0.1:{second_port}/api/v1/exams")
        assert status == 401                                     # and without the cookie, nothing
    finally:
        stop(first)
        stop(second)
