"""Coach, facilitator and agreed competency ratings, each kept with its history."""
