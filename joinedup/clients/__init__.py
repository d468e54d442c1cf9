"""Clients: demographics, needs, consent, accountability and timeline."""
