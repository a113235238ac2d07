"""Self-assessment: participants rate themselves on every competency over the programme."""
