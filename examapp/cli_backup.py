"""`backup -o FILE` and `restore FILE [--yes]`: the database, audit checkpoints and uploads in one file."""
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError

from .clock import utcnow


@click.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="the backup file to write (.zip)")
@with_appcontext
def backup_command(output):
    """Back up the database, the audit checkpoints and the uploaded files (safe while the app runs)."""
    from .services import backup

    try:
        manifest = backup.backup(output, now=utcnow())
    except backup.BackupError as e:
        raise click.ClickException(e.message) from e
    except OperationalError as e:
        raise click.ClickException(f"cannot reach the database: {e.orig}") from e
    except OSError as e:
        raise click.ClickException(f"{output}: {e.strerror or e}") from e
    click.echo(f"{output}: {manifest.kind} backup, schema {manifest.alembic_revision or '-'}, "
               f"{manifest.audit_events} audit events (head {manifest.head_seq} {manifest.head_hash}), "
               f"{len(manifest.uploads)} uploaded files, sha256 {manifest.dump.sha256}")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="replace a database that is not empty")
@with_appcontext
def restore_command(file, yes):
    """Restore a backup made by `backup` (stop the app and the scheduler first)."""
    from .services import backup

    try:
        result = backup.restore(file, replace=yes, now=utcnow())
    except backup.BackupError as e:
        click.echo(f"restore refused: {e.message}", err=True)
        sys.exit(1)
    except OperationalError as e:
        raise click.ClickException(f"cannot reach the database: {e.orig}") from e
    m = result.manifest
    click.echo(f"{file}: restored the {m.kind} backup of {m.created_at} (examapp {m.app_version}); "
               f"{result.revision_note}; {len(m.uploads)} uploaded files")
    for path in result.moved_aside:
        click.echo(f"kept the previous {path.name.split('.before-restore-')[0]} as {path}")
    v = result.verification
    if not v.ok:
        click.echo(f"audit chain BROKEN at seq {v.first_bad_seq}: {v.reason}", err=True)
        sys.exit(1)
    click.echo(f"audit chain ok: {v.count} events, head {v.head_hash}")
    if not result.head_matches:
        click.echo(f"the restored head ({v.head_seq}) is not the one the backup recorded ({m.head_seq} "
                   f"{m.head_hash})", err=True)
        sys.exit(1)


def add_backup_commands(group: click.Group) -> None:
    group.add_command(backup_command)
    group.add_command(restore_command)
