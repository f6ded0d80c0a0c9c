"""``breachdesk user`` and ``breachdesk keys``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress
from sqlalchemy.orm import Session

from breachdesk.clitools import cli_actor, cli_session, new_app, print_json
from breachdesk.config import get_settings
from breachdesk.inputs import InputError, NotFound, parse_model
from breachdesk.security import crypto, service, tokens, twofactor
from breachdesk.security.models import Role, StaffUser
from breachdesk.security.schemas import StaffUserCreate, StaffUserRead

user_app = new_app("Staff accounts and their roles.")
keys_app = new_app("Keys for encrypting personal data at rest.")

ROLES = ", ".join(role.value for role in Role)


@user_app.command("add")
def add_user(
    email: str = typer.Argument(..., help="The staff member's email address (their login)."),
    role: str = typer.Option(..., "--role", help=f"One of: {ROLES}."),
    password_file: Path | None = typer.Option(
        None, help="Read the password from this file instead of prompting."
    ),
) -> None:
    """Create a staff account with a role."""
    if role not in {r.value for r in Role}:
        raise InputError(f"--role: {role!r} is not a role; allowed: {ROLES}")
    password = read_password(password_file)
    user_in = parse_model(
        StaffUserCreate, {"email": email, "role": role, "password": password}, source="user"
    )
    with cli_session() as db_session:
        try:
            user = service.create_user(db_session=db_session, user_in=user_in, actor=cli_actor())
        except service.StaffUserExists as error:
            raise InputError(f"EMAIL: {error}") from error
    typer.echo(f"added {user.email} as {user.role.value}")


@user_app.command("set-password")
def set_password(
    email: str = typer.Argument(..., help="The staff member's email address."),
    password_file: Path | None = typer.Option(
        None, help="Read the new password from this file instead of prompting."
    ),
) -> None:
    """Set a new password for a staff account."""
    with cli_session() as db_session:
        user = _existing(db_session, email)
        password = read_password(password_file)
        checked = parse_model(
            StaffUserCreate,
            {"email": user.email, "role": user.role, "password": password},
            source="user",
        )
        service.set_password(
            db_session=db_session, user=user, password=checked.password, actor=cli_actor()
        )
    typer.echo(f"password changed for {user.email}")


@user_app.command("unlock")
def unlock(
    email: str = typer.Argument(..., help="The locked staff account."),
) -> None:
    """Lift a lock-out after too many failed sign-ins, before it ends by itself."""
    with cli_session() as db_session:
        user = _existing(db_session, email)
        service.unlock(db_session=db_session, user=user, actor=cli_actor())
    typer.echo(f"{user.email} may sign in again")


@user_app.command("reset-2fa")
def reset_two_factor(
    email: str = typer.Argument(..., help="The staff account whose phone was lost."),
) -> None:
    """Forget a staff member's two-factor secret (a lost or replaced phone); they set up
    their authenticator app again at their next sign-in to the console."""
    with cli_session() as db_session:
        user = _existing(db_session, email)
        twofactor.reset(db_session=db_session, user=user, actor=cli_actor())
    typer.echo(f"{user.email} sets up two-factor sign-in again at their next sign-in")


def _existing(db_session: Session, email: str) -> StaffUser:
    user = service.get_by_email(db_session=db_session, email=email)
    if user is None:
        raise NotFound(f"EMAIL: no staff account {email.strip().lower()}")
    return user


def signed_in(db_session: Session, email: str, password: str) -> StaffUser:
    """The staff member a command acts for, once their password is checked."""
    user = service.authenticate(db_session=db_session, email=email, password=password)
    if user is None:
        raise InputError(f"{email}: wrong email or password")
    return user


def read_password(password_file: Path | None, *, confirm: bool = True) -> str:
    """From the file, or prompted (twice when setting one, ``confirm``)."""
    if password_file is None:
        return typer.prompt("Password", hide_input=True, confirmation_prompt=confirm)
    try:
        return password_file.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as error:
        raise InputError(
            f"--password-file: cannot read {password_file}: {error.strerror}"
        ) from error


@user_app.command("list")
def list_users(json_output: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List staff accounts and their roles."""
    with cli_session() as db_session:
        users = [
            StaffUserRead.model_validate(user, from_attributes=True).model_dump(mode="json")
            for user in service.list_users(db_session=db_session)
        ]
    if json_output:
        print_json(users)
        return
    for user in users:
        state = "" if user["active"] else " (disabled)"
        typer.echo(f"{user['email']:40} {user['role']}{state}")


@user_app.command("token")
def make_token(
    email: str = typer.Argument(..., help="The staff account the token acts as."),
    label: str = typer.Option("api", "--label", help="What the token is for, to tell it apart."),
) -> None:
    """Make an API token for a staff account and print it once; it acts with the
    account's role. Keep it secret; revoke it with `user revoke-token`."""
    with cli_session() as db_session:
        user = _existing(db_session, email)
        row, token = tokens.create_token(
            db_session=db_session, user=user, label=label, actor=cli_actor()
        )
    typer.echo(f"token {row.id} for {user.email} ({user.role.value}); shown only now:", err=True)
    typer.echo(token)


@user_app.command("tokens")
def list_tokens(
    email: str | None = typer.Argument(None, help="Only this account's tokens."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List API tokens: id, account, label, prefix, last use, and whether revoked."""
    with cli_session() as db_session:
        user = service.get_by_email(db_session=db_session, email=email) if email else None
        if email and user is None:
            raise NotFound(f"EMAIL: no staff account {email.strip().lower()}")
        rows = [
            {
                "id": row.id,
                "email": row.staff_user.email,
                "label": row.label,
                "prefix": row.prefix,
                "created_at": row.created_at.isoformat(),
                "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
                "revoked": row.revoked_at is not None,
            }
            for row in tokens.list_tokens(db_session=db_session, user=user)
        ]
    if json_output:
        print_json(rows)
        return
    for row in rows:
        state = " revoked" if row["revoked"] else ""
        typer.echo(f"{row['id']:>5} {row['prefix']}… {row['email']:32} {row['label']}{state}")


@user_app.command("revoke-token")
def revoke_token(
    token_id: int = typer.Argument(..., help="The token's id (see `user tokens`)."),
) -> None:
    """Revoke an API token: calls with it are refused from now on."""
    with cli_session() as db_session:
        row = tokens.revoke_token(db_session=db_session, token_id=token_id, actor=cli_actor())
        prefix = row.prefix
    typer.echo(f"token {token_id} ({prefix}…) revoked")


@keys_app.command("generate")
def generate_key() -> None:
    """Print a new random key, for BREACHDESK_DATA_KEY or BREACHDESK_INDEX_KEY."""
    typer.echo(crypto.generate_key())


@keys_app.command("rotate")
def rotate_keys(
    new_key: bool = typer.Option(
        True,
        "--new-key/--no-new-key",
        help="With a key file, make a new active key first; --no-new-key only finishes an "
        "interrupted rotation.",
    ),
) -> None:
    """Re-encrypt all personal data under the active key, then retire the old keys.

    With the key file in the data dir, a new key is made and becomes active. With
    BREACHDESK_DATA_KEY, put the new key there and the old ones in
    BREACHDESK_RETIRED_DATA_KEYS first. Safe to interrupt and run again.
    """
    keyring = crypto.load_keyring(get_settings())
    if new_key and keyring.key_file is not None:
        crypto.add_active_key(keyring)
    retired = keyring.retired_ids
    counts: dict[str, int] = {}
    with cli_session() as db_session, Progress(transient=True) as progress:
        for column in service.encrypted_columns():
            name = f"{column.table.name}.{column.name}"
            task = progress.add_task(f"re-encrypting {name}", total=None)
            counts[name] = 0
            while done := service.reencrypt_batch(
                db_session=db_session, keyring=keyring, column=column
            ):
                db_session.commit()
                counts[name] += done
                progress.advance(task, done)
        service.record_rotation(
            db_session=db_session,
            keyring=keyring,
            retired=retired,
            counts=counts,
            actor=cli_actor(),
        )
    dropped = crypto.drop_retired_keys(keyring)
    total = sum(counts.values())
    typer.echo(f"active key {keyring.active_id}; re-encrypted {total} values")
    if dropped:
        typer.echo(f"removed retired keys {', '.join(dropped)} from {keyring.key_file}")
    elif retired:
        typer.echo(
            "nothing is encrypted under the retired keys any more: you may remove "
            "them from BREACHDESK_RETIRED_DATA_KEYS"
        )
