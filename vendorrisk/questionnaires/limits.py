"""The one set of limits on YAML read by the application (templates and advisory files).

`flask questionnaires validate`, `flask questionnaires sync`, the template upload page and the
advisory files all apply these, through `loader.py`; docs/questionnaire-format.md lists them.
"""

MAX_BYTES = 512 * 1024  # a template file, an uploaded template, an advisory file
MAX_DEPTH = 40  # mappings and lists inside one another (the root mapping is level 1)
MAX_VALUES = 250_000  # keys, values and list items, each alias counted as what it repeats
MAX_CONDITION_DEPTH = 10  # conditions inside one another ({question: ...} alone is level 1)
MAX_WHOLE_NUMBER = 2**53 - 1  # the largest whole number canonical JSON (the content hash) holds
MAX_REPORTED_ERRORS = 200  # problems listed per file; a count says how many more there are
