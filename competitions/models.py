"""Competitions, activity types and their versioned point rules, submissions with
their evidence and review, the append-only points ledger, and notifications."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from units.models import Person, Unit


class Competition(models.Model):
    """An emulation round (đợt thi đua): the year-long movement, or a festival."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular")
        THEMATIC = "thematic", _("Thematic")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    scope_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="competitions",
        verbose_name=_("scope"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    eligible_unit_kinds = models.JSONField(
        _("eligible unit kinds"),
        default=list,
        blank=True,
        help_text=_("Empty means every kind of unit."),
    )
    eligible_target_groups = models.JSONField(
        _("eligible target groups"),
        default=list,
        blank=True,
        help_text=_("Empty means every target group."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="competition_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def admits_unit(self, unit: Unit) -> bool:
        in_scope = unit.path.startswith(self.scope_unit.path)
        kind_ok = not self.eligible_unit_kinds or unit.kind in self.eligible_unit_kinds
        return in_scope and kind_ok

    def admits_person(self, person: Person) -> bool:
        return (
            not self.eligible_target_groups
            or person.target_group in self.eligible_target_groups
        )


class ActivityType(models.Model):
    """Something that earns points: a training completed, a class held, …"""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    quantity_label = models.CharField(
        _("what the quantity counts"),
        max_length=64,
        default="lần",
        help_text=_("For example: attendees, households, citizens helped."),
    )
    # The rule's sentence counts in it: "5 points per lớp, at most 3 lớp a week".
    event_label = models.CharField(
        _("what one event is"),
        max_length=64,
        default="lần",
        help_text=_("For example: class, course, session, initiative."),
    )
    credits_person = models.BooleanField(
        _("credits a person"),
        default=False,
        help_text=_(
            "A submission names the person who earned it (learner, trainer, mentor)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class PointRule(models.Model):
    """How many points an activity earns in a competition, from a date on.

    Rules are versioned and never edited: a change is a new version with its own
    effective date. Entries already in the ledger keep the version they were
    credited under until a recalculation reverses them and credits the new one.
    """

    class Period(models.TextChoices):
        DAY = "day", _("day")
        WEEK = "week", _("week")
        MONTH = "month", _("month")

    competition = models.ForeignKey(
        Competition, on_delete=models.PROTECT, related_name="rules"
    )
    activity_type = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="rules"
    )
    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("applies from"))
    points_per_event = models.PositiveIntegerField(_("points per event"), default=0)
    points_per_quantity = models.PositiveIntegerField(
        _("points per unit of quantity"), default=0
    )
    max_quantity = models.PositiveIntegerField(
        _("largest quantity counted in one event"), default=1000
    )
    cap_period = models.CharField(
        _("cap period"), max_length=8, choices=Period.choices, default=Period.WEEK
    )
    max_events_per_unit = models.PositiveIntegerField(
        _("events credited per unit per period"),
        null=True,
        blank=True,
        help_text=_("Empty means no limit."),
    )
    max_events_per_person = models.PositiveIntegerField(
        _("events credited per person per period"),
        null=True,
        blank=True,
        help_text=_("Empty means no limit."),
    )
    note = models.CharField(_("why this version"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        ordering = ["activity_type", "-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "activity_type", "version"],
                name="rule_version_once",
            ),
            models.UniqueConstraint(
                fields=["competition", "activity_type", "effective_from"],
                name="rule_one_version_per_date",
            ),
            models.CheckConstraint(
                condition=Q(max_quantity__gte=1), name="rule_max_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_type} v{self.version} ({self.effective_from})"

    def points_for(self, quantity: int) -> int:
        counted = min(quantity, self.max_quantity)
        return self.points_per_event + self.points_per_quantity * counted


class SubmissionQuerySet(models.QuerySet):
    def in_units(self, units):
        return self.filter(unit__in=units)

    def awaiting_review(self):
        return self.filter(
            status__in=[Submission.Status.SUBMITTED, Submission.Status.APPEALED]
        )


class Submission(models.Model):
    """An achievement (thành tích) a unit officer submits with evidence."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting review")
        RETURNED = "returned", _("Returned for more evidence")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        APPEALED = "appealed", _("Appealed")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    competition = models.ForeignKey(
        Competition,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("competition"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("unit"),
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("person credited"),
    )
    activity_type = models.ForeignKey(
        ActivityType,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("activity"),
    )
    occurred_on = models.DateField(_("date of the activity"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # A token of the form that created this submission: a replayed "new submission"
    # POST finds its submission instead of creating a second one.
    form_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    flags = models.JSONField(default=list, blank=True)

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    appeal_reason = models.TextField(_("appeal"), blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "unit"]),
            models.Index(fields=["unit", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="submission_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_type} — {self.unit} ({self.occurred_on})"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


def evidence_path(instance, filename):
    # Never the uploader's file name: it may carry personal data or a path.
    extension = "jpg" if instance.kind == Evidence.Kind.PHOTO else "pdf"
    return f"evidence/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Evidence(models.Model):
    """A photo (re-encoded, stripped of metadata) or a PDF document."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # A 64-bit perceptual hash as 16 hex digits, and its four 16-bit bands: two
    # photos within 3 bits of each other share at least one band, so near
    # duplicates are found by an indexed equality match, then compared exactly.
    phash = models.CharField(max_length=16, blank=True)
    phash_band0 = models.CharField(max_length=4, blank=True, db_index=True)
    phash_band1 = models.CharField(max_length=4, blank=True, db_index=True)
    phash_band2 = models.CharField(max_length=4, blank=True, db_index=True)
    phash_band3 = models.CharField(max_length=4, blank=True, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class Comment(models.Model):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:50]


class PointEntryQuerySet(models.QuerySet):
    def for_subtree(self, unit: Unit):
        return self.filter(unit__path__startswith=unit.path)

    def unprojected(self):
        """Entries the boards do not show yet (queued for the projector)."""
        return self.filter(pk__in=UnprojectedEntry.objects.values("entry_id"))

    def projected(self):
        return self.exclude(pk__in=UnprojectedEntry.objects.values("entry_id"))


class PointEntry(models.Model):
    """One line of the ledger (sổ điểm). Append-only.

    A second attempt to credit the same thing carries the same idempotency key and
    is refused by the unique constraint. A correction is a new, negative entry that
    names the entry it reverses; nothing is ever edited (on PostgreSQL a trigger
    refuses every UPDATE and DELETE). Whether the boards show an entry yet is kept
    beside it, in UnprojectedEntry.
    """

    # No index of its own: the (competition, unit) and (competition, person) indexes
    # begin with it, and every index is paid for on each of a bulk import's rows.
    competition = models.ForeignKey(
        Competition, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="entries")
    points = models.IntegerField()
    activity_type = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="entries"
    )
    rule = models.ForeignKey(
        PointRule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    quantity = models.PositiveIntegerField(default=1)
    submission = models.ForeignKey(
        Submission,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    source = models.CharField(
        max_length=64,
        help_text="What produced the entry: submission, recalculation, reversal, …",
    )
    explanation = models.CharField(max_length=300, blank=True)
    # Credited at zero because a cap per unit or person was already reached; a
    # recalculation keeps such entries at zero.
    capped = models.BooleanField(default=False)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    idempotency_key = models.CharField(max_length=200)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PointEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("point entry")
        verbose_name_plural = _("point entries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["competition", "unit"]),
            models.Index(fields=["competition", "person"]),
        ]
        constraints = [
            # A constraint rather than unique=True: the same unique index, without
            # the second, pattern-matching index Django adds for unique text fields
            # on PostgreSQL (nothing searches keys by prefix).
            models.UniqueConstraint(
                fields=["idempotency_key"], name="entry_idempotency_key_unique"
            ),
            # Only a reversal may take points away.
            models.CheckConstraint(
                condition=Q(points__gte=0) | Q(reverses__isnull=False),
                name="entry_negative_only_as_reversal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points:+d} {self.activity_type} → {self.person or self.unit}"


class UnprojectedEntry(models.Model):
    """A ledger entry the boards do not show yet: the projector's queue.

    The ledger adds the row in the entry's own transaction; the projector deletes it
    in the transaction that applies the entry to the ranking store. A queue beside
    the ledger rather than a flag on it: ledger rows are then never updated, and
    marking 500 entries is a delete from a narrow table instead of a new version of
    each wide row in every one of its indexes (about 1 ms against 11-17 ms on
    PostgreSQL 15, the update measured on a ledger of a million entries).
    """

    # No foreign-key check per queued id: entries are never deleted (the database
    # refuses it), and the projector joins the queue to the ledger anyway.
    entry = models.OneToOneField(
        PointEntry,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    def __str__(self) -> str:
        return str(self.entry_id)


class Notification(models.Model):
    """An in-app message, e.g. that a submission was decided."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message


class UnsealedEntry(models.Model):
    """A ledger entry not yet sealed into a block (competitions/sealing.py).

    Queued in the entry's own transaction, like UnprojectedEntry, so that the
    sealer sees every committed entry exactly once, in whatever order
    transactions commit; the sealer deletes the rows it seals.
    """

    entry = models.OneToOneField(
        PointEntry,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    def __str__(self) -> str:
        return str(self.entry_id)


class LedgerBlock(models.Model):
    """A sealed block of ledger entries, chained to the block before it.

    `digest` covers the block's header, which names the digest of its entries
    (competitions/ledger_format.py) and the previous block's digest: changing,
    removing or adding an entry of a sealed block changes its entries' digest, and
    rewriting the block to match changes its digest and every digest after it,
    which the public page (/ledger/) has already shown to anyone who looked.
    Append-only: on PostgreSQL a trigger refuses UPDATE and DELETE.
    """

    number = models.PositiveIntegerField(unique=True)
    format = models.PositiveSmallIntegerField(default=1)
    sealed_at = models.DateTimeField()
    entry_count = models.PositiveIntegerField()
    first_entry_id = models.BigIntegerField()
    last_entry_id = models.BigIntegerField()
    # The sealed entries' ids as ascending runs [[first, last], ...]: contiguous
    # in the usual case, with holes where a slower transaction committed later.
    entry_runs = models.JSONField()
    entries_digest = models.CharField(max_length=64)
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("ledger block")
        verbose_name_plural = _("ledger blocks")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"#{self.number} {self.digest[:16]}"
