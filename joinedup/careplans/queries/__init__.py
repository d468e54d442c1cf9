"""Every read of care plans, the care team, visits and MDT meetings: scoped by the actor, audited.

- `plans`: a client's care plan page (any version), the prefill from the handover.
- `care_team`: the client's care team, derived and added by hand.
- `visits`: the visit calendar of a client and of a practitioner; the duplicate check.
- `meetings`: the MDT's meetings, a meeting and its agenda, one client in the meeting, minutes.
- `record`: what the client record shows of all of these.
"""
