"""JoinedUp."""
