"""What every part of JoinedUp uses: audit, access policy, working time, NHS numbers."""
