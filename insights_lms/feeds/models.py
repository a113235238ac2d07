"""Models of the feeds feature (filled in by its implementation)."""
