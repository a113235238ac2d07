"""xAPI statements for the peer feature's domain signals (connected on import)."""
