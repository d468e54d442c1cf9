"""The feed's commands with broken arguments, start-up with a broken rules file, and the admission hook."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from joinedup.hospital import hooks
from joinedup.hospital.models import Spell
from tests.factories import VALID_NHS_NUMBERS, client_in
from tests.hl7_messages import Adt, Patient

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "--port must be"),
        (["--batch-size", "0"], "--batch-size must be"),
        (["--processes", "0"], "--processes must be"),
        (["--processes", "65"], "--processes must be"),
    ],
)
def test_adt_listen_refuses_broken_arguments(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("adt_listen", *args)


@pytest.mark.django_db
@override_settings(JOINEDUP_HOSPITAL_INTEGRATION_TEAM="No Such Team")
def test_adt_listen_will_not_start_without_an_owner_for_feed_exceptions() -> None:
    with pytest.raises(CommandError, match="feed exceptions need an owner"):
        call_command("adt_listen", "--port", "0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["127.0.0.1", "x.hl7"], "HOST:PORT"),
        (["127.0.0.1:0", "x.hl7"], "HOST:PORT"),
        (["127.0.0.1:2575", "/no/such/file.hl7"], "No such file"),
        (["127.0.0.1:2575", "--timeout", "0", "x"], "--timeout"),
    ],
)
def test_adt_send_refuses_broken_arguments(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("adt_send", *args)


def test_adt_send_says_when_nothing_answers(tmp_path: Path) -> None:
    message = tmp_path / "a01.hl7"
    message.write_bytes(Adt("A01", Patient(VALID_NHS_NUMBERS[0])).bytes())
    with pytest.raises(CommandError, match="no acknowledgement") as caught:
        call_command("adt_send", "127.0.0.1:9", str(message), "--timeout", "0.2", "--retries", "1", verbosity=0)
    assert caught.value.returncode == 2


def test_a_wrong_rule_stops_start_up_with_the_file_line_and_reason(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\nrules:\n  - name: r\n    when: whenever\n    then: []\n")
    env = {**os.environ, "JOINEDUP_HOSPITAL_RULES_FILE": str(rules)}
    done = subprocess.run([sys.executable, "-m", "joinedup", "check"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode != 0
    assert f"{rules}:4: 'when' must be one of" in done.stderr


@pytest.mark.django_db
def test_admission_hooks_hear_of_admissions_and_cannot_refuse_them(feed) -> None:
    client = client_in(feed.b, nhs_number=VALID_NHS_NUMBERS[0])
    heard: list[hooks.Admission] = []

    def broken(admission: hooks.Admission) -> None:
        raise RuntimeError("a bug in another part")

    hooks.on_admission(heard.append)
    hooks.on_admission(broken)
    try:
        assert feed.codes(Adt("A01", Patient(VALID_NHS_NUMBERS[0]), ward="AMU")) == ["AA"]
        assert feed.codes(Adt("A02", Patient(VALID_NHS_NUMBERS[0]), ward="ELM")) == ["AA"]
    finally:
        hooks.forget(heard.append)
        hooks.forget(broken)
    spell = Spell.objects.get(client=client)
    assert [(a.client_id, a.spell_id, a.location) for a in heard] == [(client.pk, spell.pk, "AMU")]
