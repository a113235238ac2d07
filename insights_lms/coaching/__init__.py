"""Coaching: a coach's view of their coachees and the review of their evidence."""
