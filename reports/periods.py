"""The periods a unit reports on (seed 003, section 4: "hàng tháng, 3 tháng, 6 tháng
và 01 năm"), or a custom range; refused when it ends before it starts or in the
future."""

import calendar
from datetime import date

from django.utils.translation import gettext as _

from .errors import ReportError
from .models import Report

Kind = Report.Kind


def _int(raw, message) -> int:
    raw = str(raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 4:
        raise ReportError(message)
    return int(raw)


def _date(raw, message) -> date:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise ReportError(message) from None


def period(
    kind: str, *, year=None, number=None, start=None, end=None, today: date
) -> tuple[date, date]:
    """The first and last day of the period asked for, checked."""
    if kind not in Kind.values:
        raise ReportError(
            _("Choose a period: a month, a quarter, six months, a year or a range.")
        )
    if kind == Kind.CUSTOM:
        message = _("Give both dates of the range as dd/mm/yyyy.")
        first, last = _date(start, message), _date(end, message)
    else:
        year = _int(year, _("Choose the year of the report."))
        if not 2000 <= year <= 2100:
            raise ReportError(_("Choose the year of the report."))
        if kind == Kind.YEAR:
            first, last = date(year, 1, 1), date(year, 12, 31)
        else:
            count = {Kind.MONTH: 12, Kind.QUARTER: 4, Kind.HALF: 2}[kind]
            months = 12 // count
            number = _int(number, _("Choose which month, quarter or half of the year."))
            if not 1 <= number <= count:
                raise ReportError(_("Choose which month, quarter or half of the year."))
            first_month = (number - 1) * months + 1
            last_month = first_month + months - 1
            first = date(year, first_month, 1)
            last = date(year, last_month, calendar.monthrange(year, last_month)[1])
    if last < first:
        raise ReportError(
            _("The range ends before it starts: put the earlier date first.")
        )
    if first > today:
        raise ReportError(
            _("The period has not started yet: choose a period up to today.")
        )
    if kind == Kind.CUSTOM and last > today:
        raise ReportError(
            _("The range ends in the future: end it today (%(today)s) at the latest.")
            % {"today": today.strftime("%d/%m/%Y")}
        )
    return first, last
