"""Models of the assessment feature (filled in by its implementation)."""
