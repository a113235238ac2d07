"""Evidence: what participants bring back from school, with files, tagged to competencies."""
