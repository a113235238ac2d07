"""Programmes: spaced modules, their activities, and the practical tasks between them."""
