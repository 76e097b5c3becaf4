"""The learning section of the unit page: completions, digital households, VNeID."""

from django.db.models import Count, Q, Sum
from django.utils import timezone

from units.models import Unit
from units.permissions import Action, can

from .households import household_share
from .models import Completion, VneidHelp

HOUSEHOLD_KINDS = (
    Unit.Kind.VILLAGE,
    Unit.Kind.RESIDENTIAL_GROUP,
    Unit.Kind.COMMUNE,
    Unit.Kind.WARD,
)


def learning_panel(request, unit):
    month_start = timezone.localdate().replace(day=1)
    completions = Completion.objects.filter(
        unit__path__startswith=unit.path, status=Completion.Status.CONFIRMED
    ).aggregate(
        total=Count("pk"),
        this_month=Count("pk", filter=Q(completed_on__gte=month_start)),
    )
    citizens = VneidHelp.objects.filter(unit__path__startswith=unit.path).aggregate(
        n=Sum("citizens")
    )["n"]
    return "learning/unit_panel.html", {
        "unit": unit,
        "completions": completions,
        "vneid_citizens": citizens or 0,
        "share": household_share(unit) if unit.kind in HOUSEHOLD_KINDS else None,
        "can_record": can(request.user, Action.RECORD_LEARNING, unit),
    }
