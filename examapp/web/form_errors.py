"""A service's ValidationError shown where the person typed the value, or as a message when the form has
no such field."""
from flask import flash

from ..errors import ValidationError


def show_on_field(form, e: ValidationError) -> None:
    target = getattr(form, e.field, None)
    if target is not None:
        target.errors = list(target.errors) + [e.message]
    else:
        flash(e.message, "danger")
