"""Questionnaires brought in from other formats (spreadsheets by column mapping, CAIQ v4, VSAQ).

Every importer turns its input into our template YAML, checks it with the one validator and
only then creates a template draft, all or nothing; docs/import-formats.md describes them.
"""
