"""The Statement API: the app as a read-only LRS that integrations pull statements from."""
