"""Office audit forms: Word and Excel templates built from the schema, filled forms read
back by field id through a hostile-file gate, and checked by the core (the port and what
reading gives back: :mod:`shared.services.ports.forms`)."""

from shared.adapters.forms.excel import fill_excel_form
from shared.adapters.forms.reader import read_form, read_form_file
from shared.adapters.forms.safety import DEFAULT_LIMITS, Limits
from shared.adapters.forms.templates import TEMPLATES_DIR, build_templates, template_path
from shared.adapters.forms.word import fill_word_form

__all__ = [
    "DEFAULT_LIMITS",
    "TEMPLATES_DIR",
    "Limits",
    "build_templates",
    "fill_excel_form",
    "fill_word_form",
    "read_form",
    "read_form_file",
    "template_path",
]
