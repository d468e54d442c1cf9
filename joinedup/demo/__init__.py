"""The demo borough of Thameside: a fictional London-style borough with synthetic clients.

Nothing here is real: organisations carry ODS-like codes beginning with X,
postcodes use the area letters XT (no UK postcode area starts with X), phone
numbers come from Ofcom's ranges kept for drama, and NHS numbers come from the
999 range that the NHS keeps for testing. `joinedup seed-demo` builds it,
`joinedup demo-accounts` says who to sign in as.
"""
