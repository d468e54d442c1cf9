"""The pure rules of care plans, visits and MDT meetings: no Django, no database, no web.

- `gas`: Goal Attainment Scaling (scales, scores and the Kiresuk-Sherman T-score).
- `plans`: agreement, frailty bands, what a new version may change.
- `agenda`: agenda proposals merged per client, and the meeting schedule.
- `visits`: duplicate assessments, same-day visits, trusted assessment.
"""
