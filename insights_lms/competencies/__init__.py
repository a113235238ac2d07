"""The competency framework: domains, competencies, the scale and level descriptors."""
