"""The `flask --app wsgi …` commands; `examapp …` is the same group."""
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .clock import utcnow
from .domain.certificates import STATUS_LABELS
from .errors import DomainError
from .extensions import db
from .models import Question
from .services import audit, imports
from .services.actors import cli_actor


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(users)
    app.cli.add_command(units)
    app.cli.add_command(audit_group)
    app.cli.add_command(laws_group)
    app.cli.add_command(bank_group)
    app.cli.add_command(scheduler_group)
    app.cli.add_command(certificates_group)
    app.cli.add_command(serve)
    from .cli_report import report_group
    app.cli.add_command(report_group)
    from .cli_backup import add_backup_commands
    add_backup_commands(app.cli)
    from .cli_deploy import deploy_group
    app.cli.add_command(deploy_group)


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load the demo bureau, units and people (idempotent)."""
    from .services import demo

    summary = demo.seed(now=utcnow(), password=current_app.config["DEMO_PASSWORD"])
    click.echo(f"demo ready: {summary['units']} units, {summary['people']} people "
               f"({summary['created']} created this run)")
    content = demo.seed_content(current_app.config["LAWS_DIR"], current_app.config["BANK_DIR"], now=utcnow())
    for line in content:
        click.echo(line)


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


@audit_group.command("evidence-pack")
@click.option("--year", type=int, required=True)
@click.option("--unit", "unit_code", help="a unit code: that unit and everything below it")
@click.option("--exam", "exam_id", type=int, help="only this exam (of that year)")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def audit_evidence_pack(year, unit_code, exam_id, output):
    """Build an evidence pack (.zip) for a year, optionally one unit subtree and/or one exam."""
    from .services import evidence

    try:
        scope = evidence.parse_scope(year, unit_code, exam_id)
        with open(output, "wb") as fh:
            result = evidence.build_pack(cli_actor(), scope, now=utcnow(), out=fh)
    except OSError as e:
        raise click.ClickException(f"{output}: {e.strerror}") from e
    except DomainError as e:
        Path(output).unlink(missing_ok=True)
        raise click.ClickException(str(e)) from e
    head = result.manifest["chain_head"]
    click.echo(f"{output}: {result.scope.label}, {result.files} files, {Path(output).stat().st_size} bytes; "
               f"manifest sha256 {result.manifest_sha256}; audit chain head {head['seq']}")


@audit_group.command("verify-pack")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def audit_verify_pack(file):
    """Check an evidence pack against its manifest and the live database: exit 0 when it matches, else 1
    listing every difference."""
    from .services import evidence

    try:
        data = Path(file).read_bytes()
    except OSError as e:
        raise click.ClickException(f"{file}: {e.strerror}") from e
    try:
        result = evidence.verify_pack(data, now=utcnow(), actor=cli_actor(), filename=Path(file).name)
    except DomainError as e:
        raise click.ClickException(f"{file}: {e}") from e
    for difference in result.tampered + result.differences:
        click.echo(str(difference))
    click.echo(result.summary, err=not result.ok)
    if not result.ok:
        sys.exit(1)


def _expand(paths, suffixes: tuple[str, ...]) -> list[Path]:
    """Files as given, folders as the files inside them with one of `suffixes` (sorted)."""
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in suffixes and p.name != "README.md"))
        else:
            files.append(path)
    return files


@click.group("laws")
def laws_group():
    """Law texts."""


@laws_group.command("import")
@click.argument("paths", nargs=-1, required=True)
@with_appcontext
def laws_import(paths):
    """Import law texts (.md, .txt, .docx; files or folders). The law code is the file name's stem."""
    from .errors import ValidationError
    from .services import laws

    failed = 0
    for file in _expand(paths, (".md", ".txt", ".docx")):
        try:
            result = laws.import_law(cli_actor(), file.name, file.read_bytes(), now=utcnow())
        except OSError as e:
            click.echo(f"{file}: {e.strerror}", err=True)
            failed += 1
            continue
        except ValidationError as e:
            click.echo(str(e), err=True)
            failed += 1
            continue
        note = f", {len(result.changed_articles)} articles changed, {result.flagged_questions} questions flagged" \
            if result.status == "new_version" else ""
        click.echo(f"{file.name}: {result.code} 《{result.title}》 v{result.version}, {result.articles} articles "
                   f"({result.status}{note})")
    if failed:
        sys.exit(1)


@click.group("bank")
def bank_group():
    """The question bank."""


BANK_SUFFIXES = (".yaml", ".yml", ".xlsx", ".docx", ".gift", ".txt", ".aiken")


@bank_group.command("import")
@click.argument("paths", nargs=-1, required=True)
@click.option("--law", "law_code", help="the law of files that do not name it (Aiken; GIFT, Word and Excel "
                                        "files without their law line); default: the file name's stem")
@with_appcontext
def bank_import(paths, law_code):
    """Import bank files (YAML, Excel, Word, GIFT, Aiken; files or folders): each file all or nothing;
    exit 1 naming every bad file."""
    from .services import bank

    failed = 0
    for file in _expand(paths, BANK_SUFFIXES):
        try:
            data = file.read_bytes()
        except OSError as e:
            click.echo(f"{file}: {e.strerror}", err=True)
            failed += 1
            continue
        result = bank.import_bank_file(cli_actor(), file.name, data, now=utcnow(), law=law_code)
        if not result.ok:
            failed += 1
            for error in result.errors:
                click.echo(str(error), err=True)
            click.echo(f"{file.name}: nothing imported ({len(result.errors)} problem(s))", err=True)
            continue
        click.echo(f"{file.name}: {result.law}: {result.created} created, {result.updated} updated, "
                   f"{result.unchanged} unchanged" + (f"; answer keys changed: {', '.join(result.key_changes)}"
                                                       if result.key_changes else ""))
    if failed:
        sys.exit(1)


@bank_group.command("export")
@click.option("--law", "law_code", required=True)
@click.option("--format", "fmt", default="yaml", show_default=True,
              type=click.Choice(["yaml", "xlsx", "docx", "gift", "aiken"]))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def bank_export(law_code, fmt, output):
    """Export a law's questions (all but the retired ones)."""
    from .services import bank, questions

    law_questions = list(db.session.scalars(questions.query(questions.QuestionFilter(law=law_code))
                                            .where(Question.status != "retired")))
    if not law_questions and bank.export_yaml(law_code) is None:
        raise click.ClickException(f"--law: unknown law {law_code}")
    data, left_out = bank.export_questions(law_questions, fmt)
    Path(output).write_bytes(data)
    click.echo(f"{output}: {len(law_questions) - len(left_out)} questions")
    if left_out:
        click.echo(f"left out (the {fmt} format cannot hold them): " +
                   ", ".join(f"{qid} ({why})" for qid, why in left_out[:20]) +
                   (f" and {len(left_out) - 20} more" if len(left_out) > 20 else ""))


@bank_group.command("check")
@click.argument("paths", nargs=-1)
@click.option("--laws", "laws_dir", type=click.Path(file_okay=False), help="check citations against these law files")
@with_appcontext
def bank_check(paths, laws_dir):
    """Check bank files: valid, and every cited article exists (in --laws DIR, else in the imported laws)."""
    from .errors import ValidationError
    from .formats.bank_yaml import parse_bank
    from .formats.lawtext import parse_law
    from .services import bank, laws

    files = _expand(paths or [current_app.config["BANK_DIR"]], (".yaml", ".yml"))  # the shipped banks are YAML
    problems, total, ids = [], 0, {}
    for file in files:
        doc = parse_bank(file.name, file.read_bytes())
        problems.extend(str(e) for e in doc.errors)
        total += len(doc.questions)
        for q in doc.questions:
            if q["id"] in ids:
                problems.append(f"{file.name} {q['id']} id: 与 {ids[q['id']]} 中的题目编号重复")
            ids.setdefault(q["id"], file.name)
        if not doc.law:
            continue
        if laws_dir:
            law_files = [p for p in Path(laws_dir).glob(f"{doc.law}.*") if p.suffix in (".md", ".txt", ".docx")]
            if not law_files:
                problems.append(f"{file.name}: {laws_dir} 中没有法律 {doc.law} 的文本")
                continue
            try:
                numbers = {a.number for a in parse_law(law_files[0].name, law_files[0].read_bytes()).articles}
            except ValidationError as e:
                problems.append(str(e))
                continue
        else:
            numbers = set(laws.current_articles(doc.law))
            if not numbers:
                problems.append(f"{file.name}: 法律 {doc.law} 尚未导入")
                continue
        problems.extend(str(e) for e in bank.check_citations(doc, numbers))
    for line in problems:
        click.echo(line, err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {len(files)} file(s)", err=True)
        sys.exit(1)
    click.echo(f"{len(files)} file(s), {total} questions: ok")


@bank_group.command("review")
@click.option("--law", "law_code", required=True)
@click.option("--laws", "laws_dir", type=click.Path(file_okay=False), help="read the law text from this folder")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="write to a file instead of the screen")
@with_appcontext
def bank_review(law_code, laws_dir, output):
    """Print every question of a law beside the full text of the articles it cites, for a reviewer."""
    from .errors import ValidationError
    from .formats.bank_yaml import parse_bank
    from .formats.lawtext import parse_law
    from .formats.review import review_text

    bank_file = Path(current_app.config["BANK_DIR"]) / f"{law_code}.yaml"
    if not bank_file.exists():
        raise click.ClickException(f"--law: no bank file {bank_file}")
    doc = parse_bank(bank_file.name, bank_file.read_bytes())
    law_dir = Path(laws_dir or current_app.config["LAWS_DIR"])
    law_files = [p for p in law_dir.glob(f"{law_code}.*") if p.suffix in (".md", ".txt", ".docx")]
    if not law_files:
        raise click.ClickException(f"--laws: no text of {law_code} in {law_dir}")
    try:
        law = parse_law(law_files[0].name, law_files[0].read_bytes())
    except ValidationError as e:
        raise click.ClickException(str(e)) from e
    text = review_text(law, doc)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"{output}: {len(doc.questions)} questions")
    else:
        click.echo(text)


@click.group("certificates")
def certificates_group():
    """Enforcement certificates (行政执法证, 行政执法监督证)."""


@certificates_group.command("list")
@click.option("--status", type=click.Choice([s for s in STATUS_LABELS if s != "expiring"]),
              help="only certificates in this status (a valid one past its date is expired)")
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["json", "table"]))
@with_appcontext
def certificates_list(status, fmt):
    """List certificates; a valid one past its expiry date is listed as expired."""
    import json

    from .services import certificate_views

    rows = certificate_views.list_rows(status=status, now=utcnow())
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['number']:<28} {row['type']:<11} {row['status']:<9} {row['issued_on']} {row['expires_on']} "
                   f"{row['username']} {row['holder']}")
    click.echo(f"{len(rows)} certificate(s)")


@certificates_group.command("pdf")
@click.argument("number")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def certificates_pdf(number, output):
    """Write the printable certificate NUMBER to a PDF file."""
    from .services import certificate_views

    cert = certificate_views.by_number(number)
    if cert is None:
        click.echo(f"unknown certificate number {number}", err=True)
        sys.exit(1)
    base_url = current_app.config.get("BASE_URL") or ""
    if not base_url:
        click.echo("EXAMAPP_BASE_URL is not set: the QR code holds only the page's path", err=True)
    data = certificate_views.pdf(cert, base_url=base_url, now=utcnow())
    try:
        Path(output).write_bytes(data)
    except OSError as e:
        raise click.ClickException(f"{output}: {e.strerror}") from e
    click.echo(f"{output}: {cert.number} ({len(data)} bytes)")


@click.group("scheduler")
def scheduler_group():
    """The one scheduler process."""


@scheduler_group.command("run")
@with_appcontext
def scheduler_run():
    """Run the scheduled jobs; a second process waits on the lease instead of running them twice."""
    import logging
    import signal
    import threading

    from .jobs import runner

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"scheduler {runner.holder_name()} started; Ctrl-C stops it")
    runner.run(current_app._get_current_object(), stop=stop,
               renew_every=float(current_app.config["SCHEDULER_RENEW_SECONDS"]))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host, port):
    """The single-process demo: the web server with the scheduler beside it (make run)."""
    import threading

    from .jobs import runner

    app = current_app._get_current_object()
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(app,), kwargs={"stop": stop}, daemon=True)
    thread.start()
    try:
        from werkzeug.serving import run_simple  # app.run() refuses to start inside the flask command

        run_simple(host, port, app, threaded=True)
    finally:
        stop.set()


def main() -> None:
    """The `examapp` console script: the same commands as `flask --app wsgi`."""
    from . import create_app

    FlaskGroup(create_app=create_app)(prog_name="examapp")
