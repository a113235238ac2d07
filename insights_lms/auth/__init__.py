"""Users, passwords, login throttling and Flask-Login integration."""
