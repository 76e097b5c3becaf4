from django import forms
from django.utils.translation import gettext_lazy as _

from units.forms import PickSelect
from units.models import Person

from .evidence import MAX_FILES_PER_SUBMISSION
from .models import ActivityType, Competition, PointRule

MAX_QUANTITY = 100_000
# A select of people is offered up to this many members; beyond it the officer
# records the achievement for the unit (people are matched by imports instead).
MAX_PEOPLE_IN_SELECT = 1000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SubmissionForm(forms.Form):
    competition = forms.ModelChoiceField(
        label=_("Competition"),
        queryset=Competition.objects.none(),
        empty_label=_("Choose a competition"),
        error_messages={
            "invalid_choice": _("Choose a running competition from the list.")
        },
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        empty_label=_("Choose a unit"),
        error_messages={"invalid_choice": _("Choose one of your units from the list.")},
    )
    activity_type = forms.ModelChoiceField(
        label=_("Activity"),
        queryset=ActivityType.objects.filter(is_active=True),
        empty_label=_("Choose an activity"),
        error_messages={"invalid_choice": _("Choose an activity from the list.")},
    )
    occurred_on = forms.DateField(
        label=_("Date of the activity"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date, for example 10/10/2026.")},
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        help_text=_("How many: attendees, households, sessions… as the activity says."),
        error_messages={
            "invalid": _("Enter a whole number, for example 25."),
            "min_value": _("The quantity must be at least 1."),
            "max_value": _("This quantity is not plausible for one submission."),
        },
    )
    person = forms.ModelChoiceField(
        label=_("Person credited (if the activity credits a person)"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Nobody: the unit is credited"),
        widget=PickSelect,
        error_messages={
            "invalid_choice": _("Choose a member of your unit from the list.")
        },
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
    evidence = forms.FileField(
        label=_("Evidence (photos or PDF)"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
        help_text=_(
            "Up to %(count)d files: JPEG, PNG or WebP photos (at most 10 MB each), or PDF documents."
        )
        % {"count": MAX_FILES_PER_SUBMISSION},
    )

    def __init__(self, *args, units, competitions, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["competition"].queryset = competitions
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda person: person.display_name
        # A village officer usually has one unit and one running competition: choose
        # them already, so the form on a phone asks only what is not known.
        for name, choices in (("unit", units), ("competition", competitions)):
            only = list(choices[:2])
            if len(only) == 1 and not self.initial.get(name):
                self.initial[name] = only[0].pk

    def clean_evidence(self):
        # The files are read from request.FILES by the view; this field only renders.
        return None


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Write the reason; the unit will read it.")},
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("A comment cannot be empty.")},
    )


class PointRuleForm(forms.ModelForm):
    class Meta:
        model = PointRule
        fields = [
            "activity_type",
            "effective_from",
            "points_per_event",
            "points_per_quantity",
            "max_quantity",
            "cap_period",
            "max_events_per_unit",
            "max_events_per_person",
            "note",
        ]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity_type"].empty_label = _("Choose an activity")
