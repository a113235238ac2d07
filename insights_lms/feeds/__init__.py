"""Personal iCalendar feeds of module sessions and task due dates."""
