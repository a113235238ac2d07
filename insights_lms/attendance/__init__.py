"""Attendance registers (facilitators) and module completion with reflection (participants)."""
