"""The badges section of the unit page (registered in BadgesConfig.ready)."""

from .models import Assertion


def badges_panel(request, unit):
    rows = list(
        Assertion.objects.valid()
        .filter(unit=unit)
        .select_related("badge_class")
        .order_by("-issued_at", "-pk")[:12]
    )
    return "badges/unit_panel.html", {"unit": unit, "rows": rows}
