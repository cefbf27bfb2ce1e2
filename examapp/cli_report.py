"""`report rates`: the yearly rates report as JSON, CSV or Excel (DESIGN §4)."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from .clock import utcnow


@click.group("report")
def report_group():
    """Reports: the yearly rates by unit."""


@report_group.command("rates")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--unit", "unit_code", help="a unit code: the report of its subtree (default: the whole bureau)")
@click.option("--format", "fmt", default="json", show_default=True, type=click.Choice(["json", "csv", "xlsx"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="the file to write (default: standard output)")
@with_appcontext
def report_rates(year, unit_code, fmt, output):
    """The rates of YEAR: frozen figures for a closed year, else recomputed from the records."""
    from .errors import DomainError
    from .services import report_exports, snapshots
    from .services.actors import cli_actor

    if fmt == "xlsx" and not output:
        raise click.UsageError("--format xlsx needs -o FILE")
    actor, now = cli_actor(), utcnow()
    try:
        report = snapshots.official(actor, year, unit_code, now=now)
        data = report_exports.export(actor, report, fmt, now=now, via="cli")
    except DomainError as e:
        click.echo(e.message, err=True)
        sys.exit(1)
    if not output:
        sys.stdout.buffer.write(data)
        return
    try:
        Path(output).write_bytes(data)
    except OSError as e:
        raise click.ClickException(f"{output}: {e.strerror}") from e
    click.echo(f"{output}: {report.year} {report.root.code} digest {report.digest}", err=True)
