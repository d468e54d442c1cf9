"""Handover: referrals between teams, their deadlines and escalation, and "belongs to" disputes.

The pure domain rules (no Django) are in three modules:

- `joinedup.handover.rules`: the referral state machine (`transition`) and disputes
  (`detect_ping_pong`, `default_owner`, `dispute_deadline`);
- `joinedup.handover.information`: the handover information set (`check_complete`,
  `completeness`, `information_set_from_config`);
- `joinedup.handover.deadlines`: response deadlines by urgency (`response_deadline`),
  clock stops and escalation (`escalations_due`).
"""
