import pytest
from django.core.exceptions import ImproperlyConfigured

from joinedup.handover.config import check_settings, information_items


def test_an_unknown_governance_model_stops_start_up(settings):
    settings.JOINEDUP_GOVERNANCE_MODEL = "whoever-shouts-loudest"
    with pytest.raises(ImproperlyConfigured, match="JOINEDUP_GOVERNANCE_MODEL"):
        check_settings()


def test_a_broken_information_set_stops_start_up_naming_the_item(settings):
    settings.JOINEDUP_HANDOVER_INFORMATION_SET = [{"key": "Bad Key!", "question": "?"}]
    try:
        with pytest.raises(ImproperlyConfigured, match="item 1"):
            check_settings()
    finally:
        information_items.cache_clear()
