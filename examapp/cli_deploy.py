"""`deploy nginx`: the nginx site for this installation, with the static folders of the installed package."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .formats.nginx_conf import EXAMPLE_NAME, NginxSite, render


def static_dirs() -> tuple[str, str]:
    """(examapp's static folder, bootstrap-flask's) as nginx should alias them."""
    return (str(Path(current_app.static_folder).resolve()),
            str(Path(current_app.blueprints["bootstrap"].static_folder).resolve()))


@click.group("deploy")
def deploy_group():
    """Configuration files for a deployment (docs/deploy.md)."""


@deploy_group.command("nginx")
@click.option("--server-name", default=EXAMPLE_NAME, show_default=True, help="the intranet host name")
@click.option("--upstream", "upstreams", multiple=True, default=["127.0.0.1:8000"], show_default=True,
              help="a gunicorn address; repeat for several app hosts")
@click.option("--cert", default="/etc/ssl/examapp/fullchain.pem", show_default=True)
@click.option("--key", default="/etc/ssl/examapp/privkey.pem", show_default=True)
@click.option("--no-tls", is_flag=True, help="plain http (only behind another TLS terminator)")
@click.option("--listen", type=int, help="the port (default 443, or 80 with --no-tls)")
@with_appcontext
def deploy_nginx(server_name, upstreams, cert, key, no_tls, listen):
    """Print the nginx site: save it as /etc/nginx/sites-available/examapp."""
    static, bootstrap = static_dirs()
    click.echo(render(NginxSite(server_name, static, bootstrap, list(upstreams), None if no_tls else cert,
                                None if no_tls else key, listen)), nl=False)
