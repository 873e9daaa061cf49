"""Flask CLI (SPEC §8, §13): db-upgrade, create-user, demo-data, serve-demo, import-households,
import-cadres, backup, restore."""

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from service import migrate
from service.exceptions import DomainError
from service.language import localize
from service.users.models import ROLES
from service.web import cli_context


def _said(exc: DomainError) -> str:
    """A refusal's detail in the default language (the command line has no Accept-Language),
    or, for a validation failure without one, its fields' messages."""
    if exc.detail is not None:
        return localize(exc.detail)
    errors = localize(exc.extra.get("errors") or {})
    return "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()) or localize(exc.title)


def register(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    for command in (db_upgrade, create_user, demo_data, serve_demo, import_households,
                    import_cadres, export, backup, restore):
        app.cli.add_command(command)


def _upgrade() -> None:
    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(url.removeprefix("sqlite:///")) or ".", exist_ok=True)
    migrate.upgrade(url)


@click.command("db-upgrade")
@with_appcontext
def db_upgrade():
    """Apply database migrations up to head (safe to run again)."""
    _upgrade()
    click.echo("database is at the latest migration")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--unit-id", type=int)
@click.option("--cadre-id", type=int)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(username, role, unit_id, cadre_id, password_stdin):
    """Open an account; the password comes from stdin or a prompt, never the command line."""
    from service.users.rules import password_problems
    from service.users.services import create_user as create

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problems = password_problems(password, username)
    if problems:
        raise click.ClickException("password: " + "; ".join(localize(problems)))
    _upgrade()  # a first account on a new database: its tables first (idempotent)
    ctx = cli_context()
    try:
        user = create(ctx, {"username": username, "password": password, "role": role,
                            "unit_id": unit_id, "cadre_id": cadre_id})
        ctx.session.commit()
    except DomainError as exc:
        raise click.ClickException(_said(exc)) from None
    click.echo(f"created user {user.username} (id {user.id}, role {user.role})")


@click.command("demo-data")
@with_appcontext
@click.option("--seed", default=2026, show_default=True, help="Same seed, same county.")
@click.option("--townships", default=12, show_default=True)
@click.option("--villages", default=390, show_default=True)
@click.option("--units", default=60, show_default=True)
@click.option("--cadres", default=1500, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--households", default=3000, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--quiet", is_flag=True, help="No progress bar.")
def demo_data(seed, townships, villages, units, cadres, households, quiet):
    """Load a realistic demo county into an empty database, its history up to yesterday and
    the previous month published, with a demo login for each role (an account that already
    has one of their usernames is left as it is)."""
    from service.demo import DemoSizes, load_demo, open_demo_accounts

    sizes = DemoSizes(townships, villages, units, cadres, households)
    _upgrade()  # whichever comes first, this or create-user, on a new database
    ctx = cli_context()
    try:
        counts = load_demo(ctx, sizes, seed, progress=not quiet)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    for account in open_demo_accounts(ctx, DEMO_PASSWORD):
        if account.created:
            click.echo(f"demo login {account.username} ({account.role}), password "
                       f"{DEMO_PASSWORD}")
        else:
            click.echo(f"account {account.username} already exists: left as it is")


DEMO_PASSWORD = "demo-pass-2026"


@click.command("serve-demo")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (0.0.0.0: every interface, for a phone nearby).")
@click.option("--port", default=8000, show_default=True)
def serve_demo(host, port):
    """Migrate, load the demo county once (its history up to yesterday), and serve it with
    gunicorn on HOST:PORT."""
    from service.demo import DemoSizes, load_demo, open_demo_accounts

    _upgrade()
    ctx = cli_context()
    # A county already there (loaded before, or an account made first) is kept as it is.
    from service.places.models import Township

    if ctx.session.scalar(select(Township.id).limit(1)) is None:
        load_demo(ctx, DemoSizes(), 2026, progress=True)
    logins = [(a.username, a.role) for a in open_demo_accounts(ctx, DEMO_PASSWORD)]
    url = f"http://{host}:{port}"
    click.echo(f"\n双包双联 demo county is at {url}   (API docs: {url}/docs)")
    click.echo(f"county office console (desktop browser): {url}/office/   (log in as admin, "
               "unit1 or inspector)")
    click.echo(f"field client for cadres (phone browser): {url}/field/   (log in as cadre1)")
    click.echo(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for username, role in logins:
        click.echo(f"  {username:<10} {role}")
    click.echo(f"try: curl -s -X POST {url}/api/v1/auth/login -H 'Content-Type: application/json'"
               f" -d '{{\"username\": \"admin\", \"password\": \"{DEMO_PASSWORD}\"}}'\n")
    sys.stdout.flush()
    env = dict(os.environ, DATABASE_URL=current_app.config["DATABASE_URL"],
               SECRET_KEY=current_app.config["SECRET_KEY"])
    # Cards printed from the demo point where it serves, unless an address was configured.
    env.setdefault("PUBLIC_BASE_URL", url)
    args = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
            "--config", "python:service.gunicorn_conf", "service:create_app()"]
    os.execvpe(sys.executable, args, env)


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False))
def backup(file):
    """Write a consistent copy of the database to FILE (SQLite: its online backup;
    PostgreSQL: pg_dump's custom format). The service may keep running."""
    from service.backup import BackupFailed
    from service.backup import backup as run

    try:
        run(current_app.config["DATABASE_URL"], file)
    except BackupFailed as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backed up to {file} ({os.path.getsize(file):,} bytes)")


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def restore(file):
    """Load a backup made by `backup` into the configured database, which must be empty
    (create a new one; a restore never overwrites a county)."""
    from service.backup import BackupFailed
    from service.backup import restore as run

    try:
        run(file, current_app.config["DATABASE_URL"])
    except BackupFailed as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {file}")


def _import(file: str, dry_run: bool, quiet: bool, run) -> None:
    """Read a roster, import it with `run` under a progress bar, commit (or, for a dry run,
    roll back); bad rows listed on stderr (the first 10,000 in row order, and how many in all).
    The file is read within reading.COMMAND_LINE's limits, and refused past them."""
    from service.imports.reading import COMMAND_LINE, read_sheet
    from service.imports.rules import ImportRowsInvalid

    with open(file, "rb") as f:
        data = f.read(COMMAND_LINE.max_bytes + 1)  # one byte more is enough to refuse it
    ctx = cli_context()
    try:
        sheet = read_sheet(data, COMMAND_LINE)
        label = "checking" if dry_run else "writing"
        with click.progressbar(length=len(sheet.rows), label=label, hidden=quiet) as bar:
            counts = run(ctx, sheet, dry_run=dry_run,
                         progress=lambda done: bar.update(done - bar.pos))
        if dry_run:
            ctx.session.rollback()
        else:
            ctx.session.commit()
    except ImportRowsInvalid as exc:
        ctx.session.rollback()
        for problem in exc.problems:
            click.echo(f"第{problem['row']}行 {problem['column']}：{localize(problem['message'])}",
                       err=True)
        raise click.ClickException(localize(exc.summary(exc.extra["rows_total"],
                                                        len(exc.problems)))) from None
    except DomainError as exc:
        ctx.session.rollback()
        limit = exc.extra.get("limit_name")
        raise click.ClickException(_said(exc) + (f" [{exc.code}: {limit} ≤ {exc.extra['limit']}]"
                                                 if limit else "")) from None
    click.echo(("dry run, nothing written: " if dry_run else "imported: ") + ", ".join(
        f"{counts[k]} {k}" for k in ("rows", "created", "updated", "unchanged")))


_FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False))
_DRY_RUN = click.option("--dry-run", is_flag=True, help="Check every row and count; write nothing.")
_QUIET = click.option("--quiet", is_flag=True, help="No progress bar.")


@click.command("import-households")
@with_appcontext
@_FILE
@_DRY_RUN
@_QUIET
def import_households(file, dry_run, quiet):
    """Import the household roster (.xlsx, or .csv in UTF-8 or GB18030), matched by ID number:
    every row is checked first; any bad row is listed and nothing is written."""
    from service.imports.households import import_households as run

    _import(file, dry_run, quiet, run)


@click.command("import-cadres")
@with_appcontext
@_FILE
@_DRY_RUN
@_QUIET
def import_cadres(file, dry_run, quiet):
    """Import the cadre roster (.xlsx, or .csv in UTF-8 or GB18030), matched by phone within
    the unit: every row is checked first; any bad row is listed and nothing is written."""
    from service.imports.cadres import import_cadres as run

    _import(file, dry_run, quiet, run)


# What `export` can write: the list's query schema, its service and its workbook.
_EXPORTS = {
    "households": ("service.households", "HouseholdQuery", "list_households"),
    "cadres": ("service.cadres", "CadreQuery", "list_cadres"),
    "pairings": ("service.pairings", "PairingQuery", "list_pairings"),
    "visits": ("service.visits", "VisitQuery", "list_visits"),
}


@click.command("export")
@with_appcontext
@click.argument("kind", type=click.Choice(sorted(_EXPORTS)))
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--query", default="", metavar="FILTERS",
              help="The list's filters as the API takes them, e.g. 'month=2026-11&unit_id=3'.")
def export(kind, file, query):
    """Write a list as the API's ?format=xlsx does (the same columns and filters), with no
    request budget and up to Excel's 1,048,575 rows: for county-wide lists the API refuses."""
    import importlib
    from urllib.parse import parse_qsl

    from marshmallow import ValidationError

    from service import exports

    package, schema_name, list_name = _EXPORTS[kind]
    schema = getattr(importlib.import_module(f"{package}.schemas"), schema_name)()
    try:
        args = schema.load({**dict(parse_qsl(query, keep_blank_values=True)), "format": "xlsx"})
    except ValidationError as exc:
        raise click.ClickException(f"--query: {localize(exc.messages)}") from None
    ctx = cli_context()
    listing = getattr(importlib.import_module(f"{package}.services"), list_name)(ctx, args)
    try:
        response = getattr(exports, kind)(ctx, listing)
    except DomainError as exc:
        raise click.ClickException(_said(exc)) from None
    with open(file, "wb") as out:
        out.write(response.get_data())
    click.echo(f"wrote {file} ({os.path.getsize(file):,} bytes)")
