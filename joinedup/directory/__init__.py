"""Organisations, localities, teams and practitioners."""
