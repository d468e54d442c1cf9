"""The care plans, care teams, visits and MDT meetings API (routers mounted in config.api)."""
