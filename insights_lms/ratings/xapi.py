"""xAPI statements for the ratings feature's domain signals (connected on import)."""
