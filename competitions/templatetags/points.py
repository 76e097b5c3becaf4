"""Point rules and ledger lines in words (competitions.presentation)."""

from django import template

from competitions.presentation import describe_entry, describe_rule

register = template.Library()

register.filter("rule_sentence", describe_rule)
register.filter("entry_sentence", describe_entry)
