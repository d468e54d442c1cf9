"""`joinedup tick` from the command line: it reports what it did, and refuses a bad interval."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from joinedup.handover.models import Escalation, Referral
from tests.factories import client_in
from tests.handover_factories import sent_referral


def test_tick_escalates_what_is_due_and_says_so(b, capsys):
    referral = sent_referral(b, client_in(b), urgency="emergency")
    past = timezone.now() - timedelta(minutes=1)
    Referral.objects.filter(pk=referral.pk).update(deadline_at=past, next_escalation_at=past)
    call_command("tick", verbosity=1)
    assert "1 escalations" in capsys.readouterr().out
    assert Escalation.objects.filter(referral=referral, level=1).exists()
    call_command("tick", verbosity=1)
    assert "0 escalations" in capsys.readouterr().out


@pytest.mark.parametrize("every", ["-5"])
def test_a_negative_interval_is_refused(db, every):
    with pytest.raises(CommandError, match="0 or more"):
        call_command("tick", "--every", every)


def test_an_interval_that_is_not_a_number_is_refused(db):
    with pytest.raises(CommandError, match="invalid int value"):
        call_command("tick", "--every", "soon")
