import pytest

from tests.hospital_factories import Feed, feed_for, feed_settings


@pytest.fixture
def feed(b) -> Feed:
    with feed_settings:
        yield feed_for(b)
