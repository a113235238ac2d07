"""xAPI statements for the conversations feature's domain signals (connected on import)."""
