from joinedup.clients.queries import accountability_violations, client_record
from joinedup.core.audit import verify_chain
from tests.factories import client_in


def test_client_record_is_audited(b):
    client = client_in(b, nhs_number="9990000018")
    record = client_record(b.actor("ot.north"), client.pk)
    assert record.client.nhs_number == "9990000018"
    assert accountability_violations() == []
    assert verify_chain().ok
