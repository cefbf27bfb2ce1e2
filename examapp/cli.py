"""The `flask --app wsgi …` commands; `examapp …` is the same group."""
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .clock import utcnow
from .errors import DomainError
from .services import audit, imports
from .services.actors import cli_actor


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(users)
    app.cli.add_command(units)
    app.cli.add_command(audit_group)


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load the demo bureau, units and people (idempotent)."""
    from .services import demo

    summary = demo.seed(now=utcnow(), password=current_app.config["DEMO_PASSWORD"])
    click.echo(f"demo ready: {summary['units']} units, {summary['people']} people "
               f"({summary['created']} created this run)")


def _run_import(kind: str, path: str, **options) -> None:
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as e:
        raise click.ClickException(f"{path}: {e.strerror}") from e
    plan = imports.run(kind, cli_actor(), file.name, data, now=utcnow(), **options)
    if not plan.ok:
        for message in plan.messages():
            click.echo(message, err=True)
        click.echo(f"{file.name}: nothing imported ({len(plan.messages())} error(s))", err=True)
        sys.exit(1)
    click.echo(f"{file.name}: {plan.total} rows, {plan.count('create')} created, "
               f"{plan.count('update')} updated, {plan.count('unchanged')} unchanged")


@click.group()
def units():
    """Org units."""


@units.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def units_import(file):
    """Create or update units from an .xlsx or .csv file (all or nothing)."""
    _run_import("units", file)


@click.group()
def users():
    """People and accounts."""


@users.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--initial-password", help="password for new people (they must change it); random if omitted")
@with_appcontext
def users_import(file, initial_password):
    """Create or update people from an .xlsx or .csv file (all or nothing)."""
    from .domain.passwords import password_problems
    from .services.users import generate_initial_password

    password = initial_password or generate_initial_password()
    problems = password_problems(password, min_length=current_app.config["PASSWORD_MIN_LENGTH"])
    if problems:
        raise click.ClickException("--initial-password: " + "；".join(problems))
    _run_import("people", file, initial_password=password)
    if not initial_password:
        click.echo(f"initial password for new people: {password}")


@users.command("create")
@click.argument("username")
@click.option("--name", required=True)
@click.option("--unit", "unit_code", required=True, help="unit code")
@click.option("--role", "roles", multiple=True, default=["employee"], show_default=True,
              type=click.Choice(["employee", "unit_admin", "admin", "auditor"]))
@click.option("--position", default="")
@click.option("--enforcement", is_flag=True)
@click.option("--supervision", is_flag=True)
@click.option("--leader", is_flag=True)
@click.option("--password", help="initial password; random if omitted")
@with_appcontext
def users_create(username, name, unit_code, roles, position, enforcement, supervision, leader, password):
    """Create one person."""
    from .services import users as user_service
    from .services.scope import Scope

    actor = cli_actor()
    unit = Scope.of(actor).unit_by_code(unit_code)
    if unit is None:
        raise click.ClickException(f"--unit: unknown unit code {unit_code}")
    data = user_service.PersonInput(username=username, name=name, unit_id=unit.id, position=position,
                                    is_enforcement=enforcement, is_supervision=supervision, is_leader=leader,
                                    roles={r: None for r in roles})
    shown = password or user_service.generate_initial_password()
    try:
        user = user_service.create_user(actor, data, password=shown, now=utcnow())
    except DomainError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"created {user.username} ({user.name}) in {unit.code}; roles: {', '.join(sorted(user.role_names))}")
    if not password:
        click.echo(f"initial password (must be changed at first login): {shown}")


@click.group("audit")
def audit_group():
    """The audit chain."""


@audit_group.command("verify")
@with_appcontext
def audit_verify():
    """Recompute the chain: exit 0 with the count, or 1 naming the first bad sequence number."""
    result = audit.verify()
    if not result.ok:
        click.echo(f"audit chain BROKEN at seq {result.first_bad_seq}: {result.reason}", err=True)
        sys.exit(1)
    audit.write_checkpoint(result, utcnow())
    click.echo(f"audit chain ok: {result.count} events, head {result.head_hash}")


def main() -> None:
    """The `examapp` console script: the same commands as `flask --app wsgi`."""
    from . import create_app

    FlaskGroup(create_app=create_app)(prog_name="examapp")
