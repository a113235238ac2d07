"""Email reminders before practical tasks are due and before modules."""
