"""The crisis settings are checked at start-up: a mistake stops JoinedUp, never a crisis later."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from joinedup.crisis.config import check_settings, service_hours
from joinedup.crisis.rules import ServiceKey


def test_service_hours_come_from_the_setting_as_json(settings):
    settings.JOINEDUP_CRISIS_SERVICE_HOURS = '{"urgent_community_response": {"opens": "07:00", "closes": "22:00"}}'
    assert service_hours()[ServiceKey.URGENT_COMMUNITY_RESPONSE].opens.hour == 7
    settings.JOINEDUP_CRISIS_SERVICE_HOURS = ""
    assert service_hours()[ServiceKey.URGENT_COMMUNITY_RESPONSE].opens.hour == 8


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("JOINEDUP_CRISIS_SERVICE_HOURS", "{not json", "not valid JSON"),
        ("JOINEDUP_CRISIS_SERVICE_HOURS", '{"social_care": {"opens": "25:00"}}', "social_care"),
        ("JOINEDUP_CRISIS_BOARD_POLL_SECONDS", 0, "1 or more"),
        ("JOINEDUP_CRISIS_RELATIONSHIP_HOURS", -1, "1 or more"),
        ("JOINEDUP_CRISIS_BRIDGING_PACKAGES_PER_DAY", -2, "0 or more"),
        ("JOINEDUP_CRISIS_BOARD_SHARED_SECONDS", -1, "0 or more"),
    ],
)
def test_a_wrong_crisis_setting_stops_start_up_naming_it(settings, name, value, problem):
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=problem):
        check_settings()
