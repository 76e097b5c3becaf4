"""Forms of the self-report and class-session journeys."""

from django import forms
from django.utils.translation import gettext_lazy as _

from competitions.evidence import InvalidEvidence, check_size
from units.forms import PickList, PickSelect
from units.models import Person

from .models import Training
from .sessions import MAX_ANONYMOUS_ATTENDEES, SESSION_KINDS

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_ERRORS = {"invalid": _("Enter a date, for example 10/10/2026.")}
# Attendance is ticked from a list up to this many people; a bigger class is
# recorded by importing its list.
MAX_PEOPLE_IN_LIST = 300


class SelfReportForm(forms.Form):
    training = forms.ModelChoiceField(
        label=_("Training"),
        queryset=Training.objects.filter(is_active=True).order_by("title", "pk"),
        empty_label=_("Choose a training"),
        error_messages={"invalid_choice": _("Choose a training from the list.")},
    )
    completed_on = forms.DateField(
        label=_("Completion date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERRORS,
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=64, required=False
    )
    certificate = forms.FileField(
        label=_("Photo of the certificate"),
        help_text=_("A JPEG, PNG or WebP photo, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        error_messages={"required": _("Add a photo of the certificate.")},
    )

    def clean_certificate(self):
        # Judged by the upload's metadata: a file over the limit is never read.
        upload = self.cleaned_data["certificate"]
        try:
            check_size(upload.size, (upload.name or "")[:120])
        except InvalidEvidence as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SessionForm(forms.Form):
    training = forms.ModelChoiceField(
        label=_("Class or thematic session"),
        empty_label=_("Choose a class"),
        queryset=Training.objects.filter(
            is_active=True, kind__in=SESSION_KINDS
        ).order_by("title", "pk"),
        error_messages={"invalid_choice": _("Choose a class from the list.")},
    )
    unit = forms.ModelChoiceField(
        label=_("Host unit"),
        queryset=None,
        empty_label=_("Choose a unit"),
        error_messages={"invalid_choice": _("Choose one of your units from the list.")},
    )
    held_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERRORS,
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    trainer = forms.ModelChoiceField(
        label=_("Trainer (earns points per attendee)"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("No trainer named"),
        widget=PickSelect,
        error_messages={
            "invalid_choice": _("Choose a member of your unit from the list.")
        },
    )
    checkin_hours = forms.IntegerField(
        label=_("Check-in stays open for (hours after the session day starts)"),
        min_value=1,
        max_value=72,
        initial=24,
    )

    def __init__(self, *args, units, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["trainer"].queryset = people


class AttendanceForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=Person.objects.none(),
        required=False,
        widget=PickList,
        error_messages={
            "invalid_choice": _("Only people of the host unit can be recorded.")
        },
    )
    anonymous = forms.IntegerField(
        label=_("Attendees not named"),
        min_value=0,
        max_value=MAX_ANONYMOUS_ATTENDEES,
        initial=0,
        required=False,
        error_messages={
            "min_value": _("The count cannot be negative."),
            "max_value": _("At most 500 attendees for one session."),
        },
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people
