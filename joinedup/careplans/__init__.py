"""Care plans and Goal Attainment Scaling, the care team, visits, and the locality MDT's meetings."""
