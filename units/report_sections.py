"""Sections that other apps add to a unit's periodic report.

The reports app sits at the top of the layers and reads the apps below it; an app
built beside or below it (a campaigns app, say) cannot import it, so it registers a
section here from its AppConfig.ready() and every report made afterwards carries it
as one more sheet of the XLSX, one more block of the CSV and one more part of the
.docx:

    from units.report_sections import register_report_section

    def campaign_section(unit, start, end):
        return {"title": "Chiến dịch", "header": ["Chiến dịch", "Lượt tham gia"],
                "rows": [[name, count], ...]}

    register_report_section("campaigns", campaign_section)

A section is a function (unit, start date, end date) -> dict with "title" (str),
"header" (list of str) and "rows" (list of lists of str, int or float), or None to
add nothing. It reads only records dated within [start, end], so that a report of
a closed period gives the same numbers however often it is made.
"""

from collections.abc import Callable
from datetime import date, datetime, time

from django.utils import timezone

_sections: dict[str, Callable] = {}


def register_report_section(key: str, section: Callable) -> Callable:
    _sections[key] = section
    return section


def report_sections() -> dict[str, Callable]:
    return dict(_sections)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The first and last moment of the days [start, end] in the platform's time
    zone: what a section filters timestamps by."""
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end, time.max), zone),
    )
