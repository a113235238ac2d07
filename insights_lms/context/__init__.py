"""School context profiles: phase, size and the challenges a participant's school faces."""
