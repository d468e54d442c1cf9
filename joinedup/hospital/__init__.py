"""The hospital feed: spells, ADT ingestion over MLLP, follow-up rules, bounce and feed exceptions."""
