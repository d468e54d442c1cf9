"""Pages of care plans, the care team, visits and MDT meetings."""
