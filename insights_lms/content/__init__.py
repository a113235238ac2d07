"""Loading the framework (``competencies/``) and programme (``modules/``) YAML content."""
