"""Module feedback: after each module, participants say how it served them."""
