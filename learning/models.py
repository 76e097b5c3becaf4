"""Skills frameworks, trainings and their completions, class sessions, completion
imports, the "Đại sứ số" mentoring network, digital households, VNeID help and the
integrations that push completions.

Points never live here: every credited thing has a stable idempotency key and its
points are entries in the competitions ledger.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from units.models import Person, TargetGroup, Unit

from . import codes


class SkillFramework(models.Model):
    """A national framework, versioned: Decision 757/QĐ-BKHCN, Circular 02/2025/TT-BGDĐT."""

    code = models.SlugField(_("code"), max_length=32)
    version = models.CharField(_("version"), max_length=16)
    name = models.CharField(_("name"), max_length=300)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    effective_from = models.DateField(_("applies from"))
    target_groups = models.JSONField(
        _("target groups"),
        default=list,
        blank=True,
        help_text=_("Empty means every target group."),
    )
    source_url = models.URLField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("skills framework")
        verbose_name_plural = _("skills frameworks")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="framework_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class SkillArea(models.Model):
    """A group of skills (nhóm kỹ năng) or a competence domain (miền năng lực)."""

    framework = models.ForeignKey(
        SkillFramework, on_delete=models.CASCADE, related_name="areas"
    )
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("skill area")
        verbose_name_plural = _("skill areas")
        ordering = ["framework", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="area_code_once_per_framework"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Skill(models.Model):
    """A skill or component competence (năng lực thành phần) of an area."""

    area = models.ForeignKey(SkillArea, on_delete=models.CASCADE, related_name="skills")
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["area", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["area", "code"], name="skill_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Training(models.Model):
    """An online course, a community class or a thematic session."""

    class Kind(models.TextChoices):
        ONLINE_COURSE = "online_course", _("Online course")
        COMMUNITY_CLASS = "community_class", _("Community class")
        THEMATIC_SESSION = "thematic_session", _("Thematic session")

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    # The course key of the national MOOC platform (Open edX style,
    # "course-v1:ORG+COURSE+RUN"): the join key of imports and the API.
    external_key = models.CharField(
        _("MOOC course key"), max_length=200, null=True, blank=True, unique=True
    )
    target_groups = models.JSONField(
        _("target groups"),
        default=list,
        blank=True,
        help_text=_("Empty means every target group."),
    )
    areas = models.ManyToManyField(
        SkillArea, related_name="trainings", blank=True, verbose_name=_("skill areas")
    )
    hours = models.PositiveSmallIntegerField(_("hours"), default=1)
    # Decision 757's confirmation of the universalisation level counts only the
    # trainings the province says do.
    counts_toward_universal = models.BooleanField(
        _("counts toward the universalisation target"), default=True
    )
    is_active = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def target_group_labels(self) -> list[str]:
        labels = dict(TargetGroup.choices)
        return [str(labels[group]) for group in self.target_groups if group in labels]


def session_token() -> str:
    return secrets.token_urlsafe(16)


class ClassSession(models.Model):
    """One meeting of a class: attendance is recorded here, or learners check in by QR."""

    training = models.ForeignKey(
        Training,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("training"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="class_sessions",
        verbose_name=_("host unit"),
    )
    trainer = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions_taught",
        verbose_name=_("trainer"),
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    anonymous_attendees = models.PositiveIntegerField(
        _("attendees not named"), default=0
    )
    # Printed as a QR code in the class room; anyone holding it can check in
    # until the window closes.
    checkin_token = models.CharField(max_length=32, unique=True, default=session_token)
    checkin_until = models.DateTimeField(_("check-in open until"))
    form_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.training} — {self.held_on:%d/%m/%Y}"


class ImportBatch(models.Model):
    """A completion list exported by the MOOC platform, previewed, then applied."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="import_batches"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    original_name = models.CharField(max_length=200)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    file_format = models.CharField(max_length=8)  # csv, xlsx
    encoding = models.CharField(max_length=32, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PREVIEWED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # What the preview found: the same person and course again in the file, people
    # who already had the course, learners nobody in the unit matched.
    rows_duplicate = models.PositiveIntegerField(default=0)
    rows_recorded = models.PositiveIntegerField(default=0)
    new_learners = models.PositiveIntegerField(default=0)
    ignored_columns = models.JSONField(default=list, blank=True)
    # The applying worker's heartbeat: a batch silent for long died with its process
    # and may be applied again.
    progress_at = models.DateTimeField(null=True, blank=True)
    # What applying added: the rest of the valid rows were already there.
    completions_added = models.PositiveIntegerField(default=0)
    people_added = models.PositiveIntegerField(default=0)
    # Per-row problems as [row number, column, message], for the preview and the
    # downloadable error report; capped so a garbage file cannot fill the table.
    errors = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("completion import")
        verbose_name_plural = _("completion imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name


class Integration(models.Model):
    """A learning platform allowed to push completions; its token is revocable.

    Only a hash of the token is stored: the token is shown once, when created.
    """

    name = models.CharField(_("name"), max_length=120)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="integrations",
        verbose_name=_("may record completions in"),
    )
    token_prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("integration")
        verbose_name_plural = _("integrations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class Completion(models.Model):
    """A person completed a training: once per person and training, however reported.

    A self-report awaits review; attendance, check-in, imports and integrations are
    recorded as confirmed. Only a confirmed completion earns points.
    """

    class Source(models.TextChoices):
        SELF_REPORT = "self_report", _("Reported by the learner")
        ATTENDANCE = "attendance", _("Attendance recorded by an officer")
        CHECKIN = "checkin", _("QR check-in at a class")
        IMPORT = "import", _("Imported from the MOOC platform")
        API = "api", _("Pushed by a learning platform")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="completions"
    )
    training = models.ForeignKey(
        Training,
        on_delete=models.PROTECT,
        related_name="completions",
        verbose_name=_("training"),
    )
    # The unit the learner belonged to when they completed it: the one credited.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField(_("completion date"))
    source = models.CharField(max_length=16, choices=Source.choices)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.CONFIRMED
    )
    certificate_number = models.CharField(
        _("certificate number"), max_length=64, blank=True
    )
    certificate = models.FileField(
        _("certificate image"), upload_to="certificates/%Y/%m/", blank=True
    )
    session = models.ForeignKey(
        ClassSession,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="completions",
    )
    import_batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="completions",
    )
    integration = models.ForeignKey(
        Integration,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="completions",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        ordering = ["-completed_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "completed_on"]),
            models.Index(fields=["status", "unit"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "training"], name="completion_once_per_training"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.training}"


def invite_token() -> str:
    return secrets.token_urlsafe(18)


def invite_code() -> str:
    """A code a mentee can type when scanning is not possible (learning/codes.py)."""
    return codes.new_code()


class MentorInvite(models.Model):
    """An invitation from a mentor (Đại sứ số), by link, QR code or one-time code.

    One invite brings one mentee; it cannot be used after it expires or once used.
    """

    mentor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="invites_sent"
    )
    token = models.CharField(max_length=32, unique=True, default=invite_token)
    # Twelve characters, stored without the spaces it is shown with; unique over
    # every invite ever made, so a code names one invite.
    code = models.CharField(max_length=12, default=invite_code, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invites_used",
    )

    class Meta:
        verbose_name = _("mentor invite")
        verbose_name_plural = _("mentor invites")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.mentor} ({self.created_at:%d/%m/%Y})"

    @property
    def code_grouped(self) -> str:
        return codes.grouped(self.code)


class Mentorship(models.Model):
    """A confirmed pair: the mentee accepted the mentor's invite.

    A mentee has at most one mentor, so "one mentor per mentee per training" holds
    by construction, and the ledger key of a mentoring credit names the mentee and
    the training, never the mentor.
    """

    mentor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mentees")
    mentee = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="mentorship"
    )
    invite = models.OneToOneField(
        MentorInvite, on_delete=models.PROTECT, related_name="mentorship"
    )
    confirmed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        ordering = ["-confirmed_at", "-pk"]
        indexes = [models.Index(fields=["mentor", "confirmed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")), name="mentorship_not_self"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}"


class Household(models.Model):
    """A household (hộ gia đình) of a village; "Gia đình số" once a member completed
    a training. It earns its points once, when it becomes digital."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="household_records"
    )
    name = models.CharField(
        _("household"),
        max_length=120,
        help_text=_("How the village knows it, e.g. the head of household's name."),
    )
    members = models.ManyToManyField(
        Person, through="HouseholdMember", related_name="households"
    )
    digital_since = models.DateField(_("digital since"), null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["unit", "name", "pk"]
        indexes = [models.Index(fields=["unit", "digital_since"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_digital(self) -> bool:
        return self.digital_since is not None


class HouseholdMember(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="memberships"
    )
    # A person belongs to one household.
    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="household_membership"
    )

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self) -> str:
        return f"{self.person} ∈ {self.household}"


class VneidHelp(models.Model):
    """Citizens an officer helped to activate VNeID on a day: a count, never ID numbers."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="vneid_help")
    helper = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vneid_help",
        verbose_name=_("helped by"),
    )
    helped_on = models.DateField(_("date"))
    citizens = models.PositiveIntegerField(_("citizens helped"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    form_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("VNeID help")
        verbose_name_plural = _("VNeID help")
        ordering = ["-helped_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(citizens__gte=1), name="vneid_help_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.helped_on}: {self.citizens}"
