"""`joinedup demo-accounts`: the demo accounts as JSON, or a short table of whom to sign in as."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from joinedup.demo.accounts import HIGHLIGHTS, DemoAccount, demo_accounts
from joinedup.demo.borough import BOROUGH

SIGN_IN_URL = "http://127.0.0.1:8000/sign-in/"


class Command(BaseCommand):
    help = "List the demo accounts as JSON (username, name, profession, organisation, teams, locality, roles)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--summary",
            action="store_true",
            help="A short table of whom to sign in as, the sign-in address and the password",
        )
        parser.add_argument(
            "--url",
            default=SIGN_IN_URL,
            help=f"The sign-in address to show (default {SIGN_IN_URL})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = demo_accounts()
        if not options["summary"]:
            self.stdout.write(json.dumps([account.as_dict() for account in accounts], indent=2))
            return
        if not accounts:
            self.stdout.write(f"The {BOROUGH} demo borough is not seeded yet: run `joinedup seed-demo`.")
            return
        self._summary(accounts, options["url"])

    def _summary(self, accounts: list[DemoAccount], url: str) -> None:
        by_username = {account.username: account for account in accounts}
        rows = []
        for username, shows in HIGHLIGHTS:
            account = by_username.get(username)
            if account is not None:
                where = account.locality or BOROUGH
                rows.append((username, f"{account.profession}, {where}", shows))
        widths = [max(len(row[column]) for row in rows) for column in range(2)]
        self.stdout.write(f"Demo borough of {BOROUGH} (fictional): sign in at {url}")
        self.stdout.write(f"Password for every demo account: {settings.JOINEDUP_DEMO_PASSWORD}\n")
        for username, who, shows in rows:
            self.stdout.write(f"  {username:<{widths[0]}}  {who:<{widths[1]}}  {shows}")
        self.stdout.write(f"\n{len(accounts)} demo accounts in all: `joinedup demo-accounts` lists them as JSON.")
