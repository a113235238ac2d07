"""Practical task responses: what a participant trialled in school between two modules."""
