"""Enrolling people in a cohort from a CSV file, and one-time links to set a password."""
