"""Models of the context feature (filled in by its implementation)."""
