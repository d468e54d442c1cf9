"""Tasks (work with an owner and a due date) and in-app notifications."""
