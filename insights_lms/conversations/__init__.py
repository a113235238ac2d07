"""Developmental conversations between a coach and a coachee, and the actions they agree."""
