"""Cohorts: runs of a programme with their own dates, enrolments and coach assignments."""
