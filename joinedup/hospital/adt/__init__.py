"""The ADT adapter: HL7 v2 over MLLP in, domain events out. HL7 words stay in here."""
