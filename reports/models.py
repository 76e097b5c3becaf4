"""Targets (chỉ tiêu), the counters the KPI dashboard reads, and periodic reports.

The dashboard never counts records when it is read. Each counted thing is a Fact
(one row per person reached, digital household, class held, ...) kept in step with
the records after they commit (reports/receivers.py), and every change of a fact
moves Tally rows: per unit *and every unit above it*, per metric, by day, month and
in total. A subtree's figure as of a day is then a handful of rows of one unit.
A nightly reconciliation (reports/tallies.py) compares the facts with the records
and repairs what drifted.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from units.models import TargetGroup, Unit


class Target(models.Model):
    """The share of a target group a unit must have reached by the end of a year.

    A unit with no target of its own follows the nearest unit above it that has
    one; a unit may set a higher one for itself, never a lower one
    (reports.targets.set_target)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    target_group = models.CharField(
        _("target group"), max_length=32, choices=TargetGroup.choices
    )
    percent = models.DecimalField(
        _("target (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "target_group"], name="target_once"
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="target_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.target_group}: {self.percent}%"


class Fact(models.Model):
    """One counted thing, where and when it counts: (metric, key) is unique, e.g.
    ("reach:citizen", person id) or ("households", household id)."""

    metric = models.CharField(max_length=32)
    key = models.BigIntegerField()
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    value = models.BigIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["metric", "key"], name="fact_once")
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.key}"


class Tally(models.Model):
    """The sum of a metric's facts in a unit's subtree: per day ("d"), per month
    ("m", day = the 1st) and in total ("t", day = TOTAL_DAY)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=32)
    grain = models.CharField(max_length=1)
    day = models.DateField()
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                # In this order: a unit's totals ("t") or a month's days are one
                # range of the index, whatever the metrics.
                fields=["unit", "grain", "day", "metric"],
                name="tally_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.metric} {self.grain} {self.day}"


class Report(models.Model):
    """A periodic report of a unit: its numbers are computed once and kept, so a
    report is downloaded with the same numbers every time."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Monthly")
        QUARTER = "quarter", _("Quarterly")
        HALF = "half", _("Six-month")
        YEAR = "year", _("Yearly")
        CUSTOM = "custom", _("Custom range")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("period"), max_length=16, choices=Kind.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    target_year = models.PositiveSmallIntegerField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices)
    progress = models.PositiveSmallIntegerField(default=0)
    # Whether the period had ended when the numbers were taken: such a report is
    # reused for the same unit and period instead of being computed again.
    closed = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["unit", "start", "end", "closed"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.start}–{self.end}"
