"""Badge classes (criteria as data, versioned) and their awards (assertions).

A badge (huy hiệu) is the platform's own recognition, kept apart from the state's
forms of commendation. A class is a row per version: a published version is never
edited, a change of criteria is a new version of the same lineage (`slug`). An
assertion is one award of one level of a lineage to one person or unit for one
period; the database refuses a second, whatever the version, and a revoked award
keeps its place, so it stays revoked however the facts change later.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from competitions.models import Competition
from units.models import Person, Unit

LEVEL_COLOURS = {
    "bronze": "#a0632b",
    "silver": "#6b7785",
    "gold": "#b08400",
    "": "#b3261e",
}


class Level(models.TextChoices):
    BRONZE = "bronze", _("Bronze")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")


LEVEL_ORDER = [Level.BRONZE, Level.SILVER, Level.GOLD]


class PublishedClassEdited(ValueError):
    """A published or retired version is never edited: make a new version."""


class BadgeClassQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=BadgeClass.Status.PUBLISHED)


class BadgeClass(models.Model):
    """One version of a badge: who may earn it, its criteria and its levels."""

    class Recipient(models.TextChoices):
        PERSON = "person", _("Person")
        UNIT = "unit", _("Unit")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Replaced by a newer version")

    class Emblem(models.TextChoices):
        STAR = "star", _("Star")
        MENTOR = "mentor", _("Two people (mentoring)")
        BOOK = "book", _("Book (learning)")
        HOUSE = "house", _("House (household)")
        VILLAGE = "village", _("Village")
        TEAM = "team", _("Team")
        SCHOOL = "school", _("School")
        FLAG = "flag", _("Flag")

    # Fields that make up what a version means: frozen once published.
    FROZEN = (
        "slug",
        "version",
        "name",
        "description",
        "recipient",
        "unit_kinds",
        "target_groups",
        "criteria",
        "levels",
        "emblem",
        "competition",
        "valid_from",
        "valid_until",
        "expires_after_days",
        "issuer_unit",
    )

    slug = models.SlugField(
        _("code"),
        max_length=64,
        help_text=_("Stays the same across versions: one award per code and level."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    recipient = models.CharField(
        _("awarded to"), max_length=8, choices=Recipient.choices
    )
    unit_kinds = models.JSONField(
        _("unit kinds"),
        default=list,
        blank=True,
        help_text=_("For unit badges: the kinds of unit that may earn it; empty: any."),
    )
    target_groups = models.JSONField(
        _("target groups"),
        default=list,
        blank=True,
        help_text=_("For person badges: empty means every target group."),
    )
    criteria = models.JSONField(
        _("criteria"),
        default=dict,
        blank=True,
        help_text=_(
            "Thresholds over recorded facts, combined with all/any; empty: awarded "
            "by hand only."
        ),
    )
    levels = models.JSONField(
        _("levels"),
        default=list,
        blank=True,
        help_text=_('Empty for one level, or ["bronze", "silver", "gold"].'),
    )
    emblem = models.CharField(
        _("emblem"), max_length=16, choices=Emblem.choices, default=Emblem.STAR
    )
    competition = models.ForeignKey(
        Competition,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="badge_classes",
        verbose_name=_("only during the competition"),
    )
    valid_from = models.DateField(_("awarded from"), null=True, blank=True)
    valid_until = models.DateField(_("awarded until"), null=True, blank=True)
    expires_after_days = models.PositiveIntegerField(
        _("expires after (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the badge does not expire."),
    )
    issuer_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by the steering committee of"),
        help_text=_("Empty: the province at the root of the tree."),
    )
    allow_manual = models.BooleanField(_("may also be awarded by hand"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # When everyone who already qualified was last awarded (publishing's backfill).
    evaluated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BadgeClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("badge class")
        verbose_name_plural = _("badge classes")
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"], name="badge_class_version_once"
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(status="published"),
                name="badge_class_one_published_version",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="badge_class_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def save(self, *args, **kwargs):
        changed = self.frozen_changes()
        if changed:
            raise PublishedClassEdited(
                f"version {self.version} of {self.slug} is published: "
                f"{', '.join(changed)} cannot change; make a new version"
            )
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.frozen_changes():
            raise ValidationError(
                _(
                    "A published badge is never edited, so that the badges already "
                    "awarded keep their meaning. Use “Make a new version” and publish "
                    "that."
                )
            )

    def frozen_changes(self) -> list[str]:
        """The frozen fields changed since this published version was stored."""
        if not self.pk:
            return []
        stored = BadgeClass.objects.filter(pk=self.pk).first()
        if stored is None or stored.status == self.Status.DRAFT:
            return []
        return [
            name
            for name in self.FROZEN
            if getattr(stored, self._meta.get_field(name).attname)
            != getattr(self, self._meta.get_field(name).attname)
        ]

    @property
    def level_names(self) -> list[str]:
        """The levels to award: [""] for a class of one level."""
        return list(self.levels) or [""]

    @property
    def period(self) -> str:
        """What a second award of the same lineage must differ by: its time window."""
        if self.competition_id:
            return f"c{self.competition_id}"
        if self.valid_from or self.valid_until:
            return f"{self.valid_from or ''}..{self.valid_until or ''}"
        return ""

    @property
    def is_time_limited(self) -> bool:
        return bool(self.period)

    @property
    def colour(self) -> str:
        return LEVEL_COLOURS[""]


class AssertionQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True)

    def public(self):
        return self.valid().filter(badge_class__status__in=["published", "retired"])


class Assertion(models.Model):
    """One award of a badge class (one level) to a person or a unit."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No foreign-key check per award for the class and the person: PostgreSQL runs
    # one query per row for each (measured: 3-4 s per 200,000 awards each, all of
    # publishing's 30 s over a million people). An award is written by a
    # statement that reads its class and recipient, or from loaded objects;
    # neither is ever deleted while it has awards: the ORM protects them, and on
    # PostgreSQL a trigger refuses the DELETE (migration 0003).
    badge_class = models.ForeignKey(
        BadgeClass,
        on_delete=models.PROTECT,
        related_name="assertions",
        db_constraint=False,
        db_index=False,
    )
    # The class's lineage, copied so that the database can refuse a second award
    # of the same badge under a newer version.
    badge_slug = models.SlugField(max_length=64, db_index=False)
    level = models.CharField(max_length=16, blank=True, choices=Level.choices)
    # Indexed with the award date below, not on their own.
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="badge_assertions",
        db_index=False,
        db_constraint=False,
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="badge_assertions",
        db_index=False,
    )
    period = models.CharField(max_length=40, blank=True)
    # The recipient's identity is published only as sha256(identity + salt).
    salt = models.CharField(max_length=32)
    issued_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The facts behind the award as they were when it was made: {"l0": 5, ...}.
    evidence = models.JSONField(default=dict, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reason = models.TextField(_("reason"), blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    revocation_reason = models.TextField(_("reason for revoking"), blank=True)

    objects = AssertionQuerySet.as_manager()

    class Meta:
        verbose_name = _("badge award")
        verbose_name_plural = _("badge awards")
        ordering = ["-issued_at", "-pk"]
        # Every index is paid for on each award a publication writes (a million
        # at once; about 2 µs of PostgreSQL's time per index and award): none of
        # its own on person or unit (the walls' indexes begin with them), none on
        # the slug (the two unique indexes begin with it), the class's only over
        # revoked awards (the revocation lists), and the columns empty on nearly
        # every award only where they are not.
        indexes = [
            models.Index(fields=["person", "issued_at"]),
            models.Index(
                fields=["unit", "issued_at"],
                condition=Q(unit__isnull=False),
                name="assertion_unit_wall",
            ),
            models.Index(
                fields=["badge_class"],
                condition=Q(revoked_at__isnull=False),
                name="assertion_revoked_in_class",
            ),
            models.Index(
                fields=["awarded_by"],
                condition=Q(awarded_by__isnull=False),
                name="assertion_awarded_by",
            ),
            models.Index(
                fields=["revoked_by"],
                condition=Q(revoked_by__isnull=False),
                name="assertion_revoked_by",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["badge_slug", "level", "person", "period"],
                condition=Q(person__isnull=False),
                name="assertion_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["badge_slug", "level", "unit", "period"],
                condition=Q(unit__isnull=False),
                name="assertion_once_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=True, unit__isnull=False)
                | Q(person__isnull=False, unit__isnull=True),
                name="assertion_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.badge_class.name} {self.level} → {self.person or self.unit}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def recipient(self):
        return self.person if self.person_id else self.unit

    @property
    def recipient_key(self) -> str:
        return f"p{self.person_id}" if self.person_id else f"u{self.unit_id}"

    @property
    def colour(self) -> str:
        return LEVEL_COLOURS.get(self.level, LEVEL_COLOURS[""])
