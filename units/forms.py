import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Person, Unit

MAX_HEADCOUNT = 10_000_000


class PickSelect(forms.Select):
    """A long list of people: static/js/pick.js puts a search box over it."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-pick": "", **(attrs or {})}, choices)


class PickList(forms.CheckboxSelectMultiple):
    """Tick boxes one per row (44-pixel targets), with a search and "select all
    shown" from static/js/pick.js; plain tick boxes without JavaScript."""

    template_name = "units/widgets/pick_list.html"


class HeadcountForm(forms.Form):
    """Headcounts per target group; the KPI boards divide by these."""

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Unit.HEADCOUNT_FIELDS:
            model_field = Unit._meta.get_field(name)
            self.fields[name] = forms.IntegerField(
                label=model_field.verbose_name.capitalize(),
                min_value=0,
                max_value=MAX_HEADCOUNT,
                initial=getattr(unit, name),
                error_messages={
                    "invalid": _("Enter a whole number, for example 120."),
                    "required": _("Enter a number (0 if there is nobody)."),
                    "min_value": _("A headcount cannot be negative."),
                    "max_value": _("This number is too large for one unit."),
                },
            )


class MoveUnitForm(forms.Form):
    new_parent = forms.ModelChoiceField(
        label=_("New parent unit"),
        queryset=Unit.objects.none(),
        empty_label=_("Choose the new parent unit"),
        error_messages={
            "invalid_choice": _(
                "Choose a parent unit from the list; this one does not exist or is "
                "outside your area."
            ),
            "required": _("Choose the new parent unit."),
        },
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = choices


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["display_name", "appears_anonymously"]
        help_texts = {
            "appears_anonymously": _(
                "Public boards then show “Anonymous” instead of your name; your "
                "points still count for your unit."
            )
        }


def posted_form_token(request) -> uuid.UUID | None:
    """The hidden token a creating form carries, so that a replayed POST finds what
    the first one made; a forged or missing token is simply None."""
    try:
        return uuid.UUID(request.POST.get("form_token", ""))
    except ValueError:
        return None
