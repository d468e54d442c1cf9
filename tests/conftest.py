import pytest

from tests.factories import Borough, borough


@pytest.fixture
def b(db) -> Borough:
    return borough()
