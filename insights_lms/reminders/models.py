"""Models of the reminders feature (filled in by its implementation)."""
