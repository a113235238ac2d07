"""PDF progress portfolios and cohort reports rendered with WeasyPrint."""
