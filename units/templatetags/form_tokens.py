"""`{% form_token %}`: the hidden single-use token of a form (units/replay.py).

A builtin (config/settings.py), so every form template can use it without a load.
"""

from django import template
from django.utils.html import format_html

from units.replay import FIELD, new_form_token

register = template.Library()


@register.simple_tag
def form_token():
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FIELD, new_form_token()
    )
