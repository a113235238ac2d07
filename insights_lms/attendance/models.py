"""Models of the attendance feature (filled in by its implementation)."""
