"""`joinedup token create|list|revoke`: API bearer tokens from the command line.

joinedup token create USERNAME [--name NAME] [--days DAYS]   prints the token, once
joinedup token list USERNAME                                   prefixes, states and dates
joinedup token revoke PREFIX                                   stops a token working
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from joinedup.core import tokens
from joinedup.core.errors import NotFound, Refused


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


def _problem(error: Exception) -> str:
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return str(error)


class Command(BaseCommand):
    help = "Create, list and revoke API bearer tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="create|list|revoke")
        create = sub.add_parser("create", help="Make a token for a practitioner and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for")
        create.add_argument("--days", type=int, default=None, help="Days until it expires")
        listing = sub.add_parser("list", help="A practitioner's tokens (never the tokens themselves)")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Stop a token working")
        revoke.add_argument("prefix", help="The prefix shown by `joinedup token list`")

    def handle(self, *args: Any, **options: Any) -> None:
        action = {"create": self._create, "list": self._list, "revoke": self._revoke}[options["subcommand"]]
        try:
            action(options)
        except (NotFound, Refused, ValidationError) as error:
            raise CommandError(_problem(error)) from error

    def _create(self, options: dict[str, Any]) -> None:
        practitioner = tokens.practitioner_named(options["username"])
        plaintext, token = tokens.create_token(practitioner, options["name"], options["days"])
        self.stdout.write(plaintext)
        self.stderr.write(
            f"Token {token.prefix} for {practitioner.username}, expires {_when(token.expires_at)}. "
            "Keep it now: it is not stored and cannot be shown again."
        )

    def _list(self, options: dict[str, Any]) -> None:
        practitioner = tokens.practitioner_named(options["username"])
        rows = tokens.tokens_of(practitioner)
        if not rows:
            self.stdout.write(f"{practitioner.username} has no API tokens.")
            return
        self.stdout.write(f"{'PREFIX':<13} {'STATE':<8} {'CREATED':<16} {'EXPIRES':<16} {'LAST USED':<16} NAME")
        for token in rows:
            self.stdout.write(
                f"{token.prefix:<13} {tokens.token_state(token):<8} {_when(token.created_at):<16} "
                f"{_when(token.expires_at):<16} {_when(token.last_used_at):<16} {token.name}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = tokens.revoke_token(options["prefix"])
        self.stdout.write(f"Revoked token {token.prefix}.")
