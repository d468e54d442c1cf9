"""Every write of care plans, the care team, visits and MDT meetings: one transaction each, audited.

- `plans`: care plans, versions, the client's agreement, reviews and their tasks, frailty.
- `care_team`: members added to and taken off a client's care team.
- `visits`: booking with the duplicate-assessment check, completing, trusted assessment.
- `meetings`: schedules, the agenda, attendance, discussion, actions, decisions, minutes.
"""
