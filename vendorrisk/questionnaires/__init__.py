"""Questionnaire templates: the YAML format, its typed model, validation and visibility rules."""
