"""The unit tree, people, their memberships and the roles that scope permissions."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class TargetGroup(models.TextChoices):
    """The four target groups of Decision 757/QĐ-BKHCN."""

    CITIZEN = "citizen", _("Adult resident")
    STUDENT = "student", _("Student")
    PUBLIC_SERVANT = "public_servant", _("Public servant")
    ENTERPRISE_WORKER = "enterprise_worker", _("Enterprise worker")


class UnitQuerySet(MP_NodeQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def subtree_of(self, unit: "Unit"):
        """The unit and everything below it: one indexed prefix match on the path."""
        return self.filter(path__startswith=unit.path)


class UnitManager(MP_NodeManager):
    def get_queryset(self):
        return UnitQuerySet(self.model, using=self._db).order_by("path")

    def active(self):
        return self.get_queryset().active()

    def subtree_of(self, unit: "Unit"):
        return self.get_queryset().subtree_of(unit)


class Unit(MP_Node):
    """A collective that earns points: from the province down to a village or a class.

    The tree is a materialised path (django-treebeard's MP_Node): every unit stores
    the path from the root, so a subtree is one prefix query and the ancestors are
    the prefixes of the path, known without a query.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province / city")
        COMMUNE = "commune", _("Commune")
        WARD = "ward", _("Ward")
        VILLAGE = "village", _("Village")
        RESIDENTIAL_GROUP = "residential_group", _("Residential group")
        DEPARTMENT = "department", _("Department")
        OFFICE = "office", _("Office")
        SCHOOL = "school", _("School")
        ENTERPRISE = "enterprise", _("Enterprise")
        COOPERATIVE = "cooperative", _("Cooperative")
        PARTY_CELL = "party_cell", _("Party cell")
        YOUTH_UNION = "youth_union", _("Youth Union")
        YOUTH_BRANCH = "youth_branch", _("Youth Union branch")
        WOMEN_UNION = "women_union", _("Women's Union branch")
        FARMERS_UNION = "farmers_union", _("Farmers' Union branch")
        DIGITAL_TEAM = "digital_team", _("Community digital-technology team")

    # Official codes of QĐ 19/2025/QĐ-TTg: two digits for a province, five for a
    # commune or ward. Villages and the other kinds have none.
    CODE_PATTERNS = {
        Kind.PROVINCE: r"^[0-9]{2}$",
        Kind.COMMUNE: r"^[0-9]{5}$",
        Kind.WARD: r"^[0-9]{5}$",
    }

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("official code"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[0-9]*$", _("A code has digits only."))],
        help_text=_("Two digits for a province, five for a commune or ward."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    # Headcounts per target group: the denominators of the KPI boards.
    public_servants = models.PositiveIntegerField(_("public servants"), default=0)
    students = models.PositiveIntegerField(_("students"), default=0)
    enterprise_workers = models.PositiveIntegerField(_("enterprise workers"), default=0)
    adult_residents = models.PositiveIntegerField(_("adult residents"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)

    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitManager()

    HEADCOUNT_FIELDS = (
        "public_servants",
        "students",
        "enterprise_workers",
        "adult_residents",
        "households",
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"],
                condition=~Q(code=""),
                name="unit_official_code_unique_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(code="")
                | Q(kind="province", code__regex=r"^[0-9]{2}$")
                | Q(kind__in=["commune", "ward"], code__regex=r"^[0-9]{5}$"),
                name="unit_official_code_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_paths(self) -> list[str]:
        """Paths of every ancestor, root first, derived from this unit's path."""
        step = self.steplen
        return [self.path[:end] for end in range(step, len(self.path), step)]

    @property
    def parent_path(self) -> str | None:
        return self.path[: -self.steplen] or None

    def headcount_for(self, group: str) -> int:
        return {
            TargetGroup.CITIZEN: self.adult_residents,
            TargetGroup.STUDENT: self.students,
            TargetGroup.PUBLIC_SERVANT: self.public_servants,
            TargetGroup.ENTERPRISE_WORKER: self.enterprise_workers,
        }[group]


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Person(models.Model):
    """An individual who learns, mentors or earns points; most never sign in.

    No national ID number is stored. The inclusion flags are for aggregate reports
    only and are never shown on a public page.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    display_name = models.CharField(_("display name"), max_length=120)
    target_group = models.CharField(
        _("target group"), max_length=32, choices=TargetGroup.choices
    )
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True
    )
    # Only for matching imported completion lists; never shown on a public page.
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True)
    is_elderly = models.BooleanField(_("elderly"), default=False)
    has_disability = models.BooleanField(_("person with a disability"), default=False)
    is_ethnic_minority = models.BooleanField(_("ethnic minority"), default=False)
    appears_anonymously = models.BooleanField(
        _("appear anonymously on public boards"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    units = models.ManyToManyField(Unit, through="Membership", related_name="people")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1900),
                name="person_birth_year_plausible",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def public_name(self) -> str:
        """The name a public board shows: the display name, or "Anonymous"."""
        return _("Anonymous") if self.appears_anonymously else self.display_name


class Membership(models.Model):
    """A person belongs to a unit; the primary one is where their points count."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    is_primary = models.BooleanField(_("primary unit"), default=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["person", "unit"], name="membership_once"),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(is_primary=True),
                name="membership_one_primary_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.unit}"


class Role(models.Model):
    """A user's role on a unit; it covers the unit's whole subtree."""

    class Kind(models.TextChoices):
        OFFICER = "officer", _("Unit officer")
        REVIEWER = "reviewer", _("Reviewer")
        COUNCIL_MEMBER = "council_member", _("Council member")
        CAMPAIGN_ORGANISER = "campaign_organiser", _("Campaign organiser")
        ADMINISTRATOR = "administrator", _("Administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_roles"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=32, choices=Kind.choices)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "kind"], name="role_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} — {self.unit}"


class AuditEvent(models.Model):
    """One state transition: who did what to which object, when, and from where.

    Append-only: on PostgreSQL a trigger refuses UPDATE and DELETE of its rows, so
    the application cannot rewrite history even by mistake.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    # The id of the request that made it (units/observability.py): the same id is in
    # nginx's access log and the worker's log lines.
    request_id = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class SentForm(models.Model):
    """A form token claimed by the POST that first carried it (units/replay.py).

    A replayed POST finds its token here and changes nothing. The token is bound to
    the user who sent it first: another account presenting it is refused.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("being processed")
        DONE = "done", _("done")

    token = models.UUIDField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    path = models.CharField(max_length=300)
    state = models.CharField(max_length=8, choices=State.choices)
    # Where the first POST led (its redirect), so that a replay lands there too.
    outcome = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("sent form")
        verbose_name_plural = _("sent forms")

    def __str__(self) -> str:
        return f"{self.token} {self.path} {self.state}"


class ScheduledJob(models.Model):
    """When a scheduled job last ran: the row every worker's timer claims, under a
    row lock, so that a job runs in one place at a time (units/schedule.py)."""

    name = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
