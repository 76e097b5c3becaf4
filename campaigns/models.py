"""Youth Union campaigns (chiến dịch): an organiser unit, enrolled branches, a
period, goals with a target per branch, and the snapshot frozen at the close.

A campaign runs on a competition of its own (thematic, scoped to the organiser):
its check-ins are that competition's submissions, so points, caps, duplicate-photo
flags, the review and the audit trail are the competitions app's, and its board is
the leaderboards app's board of youth branches under the organiser.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from badges.models import BadgeClass
from commendations.models import Review
from competitions.models import ActivityType, Competition
from units.models import Unit

# A target above this is a typo, not a plan: a branch of a few dozen members does
# not help a million citizens in a campaign.
MAX_TARGET = 100_000


class Metric(models.TextChoices):
    """What a goal counts for each branch over the campaign's period."""

    VNEID_HELPED = "vneid_helped", _("Citizens helped to install and verify VNeID")
    CLASSES_HELD = "classes_held", _("Classes held")
    MENTEES_CONFIRMED = "mentees_confirmed", _("Mentees confirmed")
    TRAININGS_COMPLETED = (
        "trainings_completed",
        _("Trainings completed by residents of the branch's area"),
    )
    HOUSEHOLDS_REACHED = "households_reached", _("Digital households reached")
    MERCHANTS_TRAINED = (
        "merchants_trained",
        _("Merchants trained in the 4T model (Chợ số – Nông thôn số)"),
    )


# Metrics the platform cannot see: a member checks in with a photo and a count,
# as a submission of this activity type in the campaign's competition.
CHECK_IN_ACTIVITIES = {
    Metric.CLASSES_HELD: "campaign-class",
    Metric.MERCHANTS_TRAINED: "campaign-merchants-4t",
}


class Campaign(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    template = models.SlugField(_("template"), max_length=64, blank=True)
    organiser = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("organiser"),
    )
    competition = models.OneToOneField(
        Competition, on_delete=models.PROTECT, related_name="campaign"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # Festival mode: a one-day competition shown on the big screen.
    is_festival = models.BooleanField(_("festival day"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.RUNNING
    )
    # Only the code's SHA-256 is kept: the organiser sees the code once, when it is
    # made, and can make a new one (which ends the old).
    join_code_digest = models.CharField(max_length=64, blank=True, db_index=True)
    badge_class = models.ForeignKey(
        BadgeClass, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="campaign_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Goal(models.Model):
    """One metric with the target each enrolled branch aims at."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="goals"
    )
    metric = models.CharField(_("metric"), max_length=32, choices=Metric.choices)
    target = models.PositiveIntegerField(_("target per branch"))
    activity_type = models.ForeignKey(
        ActivityType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The check-in activity, for metrics the platform cannot see."),
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "metric"], name="goal_one_per_metric"
            ),
            models.CheckConstraint(
                condition=Q(target__gte=1) & Q(target__lte=MAX_TARGET),
                name="goal_target_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.target}"


class Enrolment(models.Model):
    """A branch taking part, enrolled by the organiser or joining with the code."""

    class Via(models.TextChoices):
        ORGANISER = "organiser", _("Enrolled by the organiser")
        CODE = "code", _("Joined with the code")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="enrolments"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    # Where the branch works (its village or commune): completions and digital
    # households of residents there count for it. Empty: its members' own.
    area = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
    )
    via = models.CharField(max_length=16, choices=Via.choices)
    joined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    joined_at = models.DateTimeField()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="enrolment_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit} @ {self.campaign}"


class Snapshot(models.Model):
    """The results as they were at the close: stored, never recomputed.

    `data` holds each branch's values, percentages, points and rank, and the
    campaign's totals; the public page shows it exactly as written. On PostgreSQL
    a trigger refuses every UPDATE and DELETE of this table.
    """

    campaign = models.OneToOneField(
        Campaign, on_delete=models.PROTECT, related_name="snapshot"
    )
    data = models.JSONField()
    taken_at = models.DateTimeField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")

    def __str__(self) -> str:
        return f"{self.campaign} ({self.taken_at:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise SnapshotFrozen(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SnapshotFrozen(self)


class SnapshotFrozen(Exception):
    """A closed campaign's snapshot is never changed."""
