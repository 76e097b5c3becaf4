"""State commendations: award types as configuration, reviews and their proposal
rules, nominations with their dossiers, councils and their ballots, decisions.

Badges (the platform's own recognition) live in `badges`; these are the state's
forms of commendation under the Law on Emulation and Commendation 2022. The
platform prepares and records the process; the legal act stays the authority's
decision, recorded here with its number, date and signer.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from competitions.models import Competition
from units.models import Person, Unit


class AwardTypeQuerySet(models.QuerySet):
    def usable(self, day=None):
        """Award types that may be proposed (active and valid on the day)."""
        query = self.filter(is_active=True)
        if day is not None:
            query = query.filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=day),
                Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            )
        return query


class AwardType(models.Model):
    """A form of commendation or an emulation title, as configuration.

    Who decides it (the kinds of unit whose head signs it), its legal reference,
    whether the council votes and how, and its reward as a multiple of the base
    salary (mức lương cơ sở): never a currency amount, which changes by decree.
    The law is in flux (two-level local government since 2025, Decree 152/2025):
    a change is a new row with its own validity dates, not an edit of this one.
    """

    class Form(models.TextChoices):
        CERTIFICATE = "giay_khen", _("Certificate of merit")
        DIPLOMA = "bang_khen", _("Diploma of merit")
        TITLE = "title", _("Emulation title")

    class Ballot(models.TextChoices):
        OPEN = "open", _("Open ballot")
        SECRET = "secret", _("Secret ballot")

    class Denominator(models.TextChoices):
        PRESENT = "present", _("Members present")
        ALL = "all", _("All members")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    form = models.CharField(_("form"), max_length=16, choices=Form.choices)
    thematic = models.BooleanField(
        _("thematic"),
        default=False,
        help_text=_("Awarded at the review of a thematic movement."),
    )
    authority_kinds = models.JSONField(
        _("decided by units of kind"),
        default=list,
        help_text=_("The head of the nearest unit of one of these kinds decides it."),
    )
    authority_title = models.CharField(
        _("title of the signer"), max_length=120, blank=True
    )
    individual_multiplier = models.DecimalField(
        _("reward for a person (× base salary)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: not awarded to individuals."),
    )
    collective_multiplier = models.DecimalField(
        _("reward for a collective (× base salary)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: not awarded to collectives."),
    )
    unit_kinds = models.JSONField(
        _("collectives of kind"),
        default=list,
        blank=True,
        help_text=_("Empty means a collective of any kind."),
    )
    legal_reference = models.CharField(_("legal reference"), max_length=300)
    council_vote = models.BooleanField(_("the council votes"), default=True)
    ballot = models.CharField(
        _("ballot"), max_length=8, choices=Ballot.choices, default=Ballot.OPEN
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (% of members present)"), default=50
    )
    threshold_percent = models.PositiveSmallIntegerField(
        _("threshold (% in favour)"), default=50
    )
    threshold_strict = models.BooleanField(
        _("more than the threshold"),
        default=True,
        help_text=_("On: more than the threshold (a majority). Off: at least it."),
    )
    denominator = models.CharField(
        _("threshold counted against"),
        max_length=8,
        choices=Denominator.choices,
        default=Denominator.PRESENT,
    )
    written_opinions = models.BooleanField(
        _("absent members may give a written opinion"), default=False
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(default=100)

    objects = AwardTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("award type")
        verbose_name_plural = _("award types")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(individual_multiplier__isnull=False)
                | Q(collective_multiplier__isnull=False),
                name="award_type_has_a_recipient",
            ),
            models.CheckConstraint(
                condition=Q(quorum_percent__lte=100) & Q(threshold_percent__lte=100),
                name="award_type_percentages",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def for_people(self) -> bool:
        return self.individual_multiplier is not None

    @property
    def for_units(self) -> bool:
        return self.collective_multiplier is not None

    def admits_unit(self, unit: Unit) -> bool:
        return self.for_units and (not self.unit_kinds or unit.kind in self.unit_kinds)

    def multiplier_for(self, *, person: bool):
        return self.individual_multiplier if person else self.collective_multiplier


class Review(models.Model):
    """An interim or final review (sơ kết / tổng kết) of a competition by a unit.

    Closing it proposes nominations by its rules, once: the nominations' unique
    constraints make a second close propose nobody twice.
    """

    class Kind(models.TextChoices):
        INTERIM = "interim", _("Interim review")
        FINAL = "final", _("Final review")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    competition = models.ForeignKey(
        Competition,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("competition"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    held_on = models.DateField(_("held on"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "unit", "name"], name="review_once"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProposalRule(models.Model):
    """Who a review proposes, and for which award: the top of a board, the holders
    of a badge, or the units that reached their target."""

    class Kind(models.TextChoices):
        BOARD_TOP = "board_top", _("Top of a board")
        BADGE_HOLDERS = "badge_holders", _("Holders of a badge")
        TARGET_REACHED = "target_reached", _("Target reached")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("rule"), max_length=16, choices=Kind.choices)
    award_type = models.ForeignKey(
        AwardType, on_delete=models.PROTECT, related_name="+", verbose_name=_("award")
    )
    entity = models.CharField(
        _("who"),
        max_length=32,
        blank=True,
        help_text=_("people, or a kind of unit (village, commune…)"),
    )
    per_scope_kind = models.CharField(
        _("one board per unit of kind"),
        max_length=32,
        blank=True,
        help_text=_("Empty: the review unit's own board."),
    )
    top = models.PositiveSmallIntegerField(_("top"), default=3)
    badge_slug = models.SlugField(_("badge"), max_length=64, blank=True)
    target_percent = models.PositiveSmallIntegerField(
        _("target reached (%)"), default=100
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("proposal rule")
        verbose_name_plural = _("proposal rules")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.award_type}"


class Nomination(models.Model):
    """A nomination (đề nghị khen thưởng) of a person or a unit for an award type."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        SUBMITTED = "submitted", _("Submitted to the authority")
        RETURNED = "returned", _("Returned")
        VOTING = "voting", _("Before the council")
        APPROVED = "approved", _("Approved by the council")
        NOT_APPROVED = "not_approved", _("Not approved")
        AWARDED = "awarded", _("Awarded")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REVOKED = "revoked", _("Revoked")

    AT_NOMINATING_UNIT = (Status.PROPOSED, Status.RETURNED)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review = models.ForeignKey(
        Review,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_constraint=False,
        related_name="nominations",
    )
    # No index of their own on rule, nominating_unit, authority_unit and
    # proposed_by: the last three lead composite indexes below or are never
    # searched, and the rule is only followed from a nomination. A province's final
    # review writes some 70,000 nominations in one statement; every index is one
    # more insertion per row (measured in `make bench`, (i)).
    #
    # REFERENCES_CHECKED_PER_STATEMENT: no foreign-key constraint on a nomination's
    # references. A review's close writes some 70,000 nominations in one statement,
    # and PostgreSQL checks a foreign key row by row: the nine checks were 4.7 s of
    # the final review's 11.4 s (EXPLAIN ANALYZE, `make bench` (i)), six of them
    # checking the same few rows (its review, rule, award, unit, deciding unit, who
    # closed it) 70,000 times. A trigger checks them once per statement instead,
    # set against set (commendations/0005), so no nomination names a missing row;
    # deleting a row a nomination names is refused by the ORM's PROTECT (people,
    # units, users, reviews and award types are deactivated or kept by the
    # platform, never deleted).
    rule = models.ForeignKey(
        ProposalRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    award_type = models.ForeignKey(
        AwardType,
        on_delete=models.PROTECT,
        related_name="nominations",
        db_constraint=False,
        verbose_name=_("award"),
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_constraint=False,
        related_name="nominations",
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_constraint=False,
        related_name="nominations",
    )
    # The nominee's unit (a person's primary unit, or the unit itself): shown in
    # lists and used to keep council members off their own unit's nominations.
    nominee_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
        db_constraint=False,
    )
    nominating_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="nominations_made",
        verbose_name=_("nominated by"),
        db_constraint=False,
        db_index=False,
    )
    authority_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="nominations_to_decide",
        verbose_name=_("decided by"),
        db_constraint=False,
        db_index=False,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    basis = models.CharField(_("why proposed"), max_length=300, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    value = models.BigIntegerField(null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    proposed_at = models.DateTimeField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["-proposed_at", "rank", "pk"]
        indexes = [
            models.Index(fields=["authority_unit", "status"]),
            models.Index(fields=["nominating_unit", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=True) & Q(unit__isnull=False))
                | (Q(person__isnull=False) & Q(unit__isnull=True)),
                name="nomination_one_nominee",
            ),
            # Closing a review twice proposes nobody twice.
            models.UniqueConstraint(
                fields=["review", "award_type", "person"],
                condition=Q(review__isnull=False, person__isnull=False),
                name="nomination_person_once_per_review",
            ),
            models.UniqueConstraint(
                fields=["review", "award_type", "unit"],
                condition=Q(review__isnull=False, unit__isnull=False),
                name="nomination_unit_once_per_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nominee_name} — {self.award_type}"

    @property
    def nominee_name(self) -> str:
        return self.person.display_name if self.person_id else self.unit.name

    @property
    def forwarded(self) -> bool:
        """Decided above the unit that nominated."""
        return self.authority_unit_id != self.nominating_unit_id

    @property
    def holder_unit(self) -> Unit:
        """Where the nomination is now: the nominating unit until it is submitted."""
        if self.status in self.AT_NOMINATING_UNIT:
            return self.nominating_unit
        return self.authority_unit


def dossier_path(instance, filename):
    return f"commendations/dossiers/{uuid.uuid4().hex}.docx"


class Dossier(models.Model):
    """What the records say about a nominee, gathered once: the achievement report."""

    nomination = models.OneToOneField(
        Nomination, primary_key=True, on_delete=models.CASCADE, related_name="dossier"
    )
    facts = models.JSONField(default=dict)
    document = models.FileField(upload_to=dossier_path, max_length=200, blank=True)
    generated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"dossier {self.nomination_id}"


class DossierJob(models.Model):
    """Dossiers generated in the background for a review's nominations, with progress."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="dossier_jobs"
    )
    status = models.CharField(max_length=8, choices=Status.choices)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    progress_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.review} {self.done}/{self.total}"


class Council(models.Model):
    """The emulation and commendation council (Hội đồng Thi đua – Khen thưởng) of
    a deciding unit."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="council")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")

    def __str__(self) -> str:
        return self.name


class CouncilMember(models.Model):
    class Position(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        SECRETARY = "secretary", _("Member and secretary")
        MEMBER = "member", _("Member")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="councils"
    )
    name = models.CharField(_("name"), max_length=120)
    position = models.CharField(
        _("position"), max_length=16, choices=Position.choices, default=Position.MEMBER
    )
    office = models.CharField(_("office held"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["council", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["council", "user"], name="member_once")
        ]

    def __str__(self) -> str:
        return self.name


class CouncilSession(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    members_total = models.PositiveSmallIntegerField(default=0)
    present = models.ManyToManyField(CouncilMember, related_name="sessions_attended")

    class Meta:
        verbose_name = _("council session")
        verbose_name_plural = _("council sessions")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class SessionItem(models.Model):
    """A nomination before a session, with the ballot rules it is voted under
    (copied from the award type when added, so a later change of configuration
    never changes a vote under way) and its tally."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Voting")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Not passed")

    session = models.ForeignKey(
        CouncilSession, on_delete=models.PROTECT, related_name="items"
    )
    nomination = models.ForeignKey(
        Nomination, on_delete=models.PROTECT, related_name="session_items"
    )
    ballot = models.CharField(max_length=8, choices=AwardType.Ballot.choices)
    quorum_percent = models.PositiveSmallIntegerField()
    threshold_percent = models.PositiveSmallIntegerField()
    threshold_strict = models.BooleanField()
    denominator = models.CharField(max_length=8, choices=AwardType.Denominator.choices)
    written_opinions = models.BooleanField()
    # The tally. A secret ballot keeps only these numbers and a "has voted" marker
    # per member (Ballot), never who chose what.
    yes = models.PositiveSmallIntegerField(default=0)
    no = models.PositiveSmallIntegerField(default=0)
    abstain = models.PositiveSmallIntegerField(default=0)
    in_writing = models.PositiveSmallIntegerField(default=0)
    result = models.CharField(
        max_length=8, choices=Result.choices, default=Result.PENDING
    )
    counted_against = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "nomination"], name="item_once_per_session"
            ),
            # A nomination is voted on in one session at a time.
            models.UniqueConstraint(
                fields=["nomination"],
                condition=Q(result="pending"),
                name="item_one_pending_vote",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.nomination}"

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain


class Ballot(models.Model):
    """That a member voted on an item: refuses a second ballot. It has no choice
    column, on purpose: a secret ballot's choices exist only in the tally."""

    item = models.ForeignKey(SessionItem, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        CouncilMember, on_delete=models.PROTECT, related_name="+"
    )
    in_writing = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="ballot_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.member_id}"


class OpenVote(models.Model):
    """An open ballot's choice, by name (open ballots only)."""

    class Choice(models.TextChoices):
        YES = "yes", _("In favour")
        NO = "no", _("Against")
        ABSTAIN = "abstain", _("Abstain")

    item = models.ForeignKey(
        SessionItem, on_delete=models.PROTECT, related_name="open_votes"
    )
    member = models.ForeignKey(
        CouncilMember, on_delete=models.PROTECT, related_name="+"
    )
    choice = models.CharField(max_length=8, choices=Choice.choices)
    in_writing = models.BooleanField(default=False)

    class Meta:
        ordering = ["item", "member"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="open_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.choice}"


class RecordedDecisionChanged(Exception):
    """A recorded decision (or one of its awards) was about to be changed."""


class AwardDecision(models.Model):
    """A commendation decision (quyết định khen thưởng) as signed by the authority.

    Recorded once and never changed: on PostgreSQL a trigger refuses UPDATE and
    DELETE of decisions and of their awards. A wrong award is revoked (a row of
    AwardRevocation), never edited away.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    issuing_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="award_decisions",
        verbose_name=_("issuing unit"),
    )
    number = models.CharField(_("number"), max_length=40)
    signed_on = models.DateField(_("signed on"))
    signer_name = models.CharField(_("signed by"), max_length=120)
    signer_title = models.CharField(_("title of the signer"), max_length=200)
    subject = models.CharField(_("subject"), max_length=300)
    session = models.ForeignKey(
        CouncilSession,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("commendation decision")
        verbose_name_plural = _("commendation decisions")
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_unit", "number"], name="decision_number_once"
            )
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise RecordedDecisionChanged(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordedDecisionChanged(self)


class Award(models.Model):
    """One recipient of a decision, with the award type and the citation."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    decision = models.ForeignKey(
        AwardDecision, on_delete=models.PROTECT, related_name="awards"
    )
    # One decision per nomination: two decisions racing for it, one wins.
    nomination = models.OneToOneField(
        Nomination, on_delete=models.PROTECT, related_name="award"
    )
    award_type = models.ForeignKey(
        AwardType, on_delete=models.PROTECT, related_name="awards"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    recipient_name = models.CharField(max_length=200)
    recipient_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    citation = models.TextField(_("citation"))
    reward_multiplier = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["decision", "pk"]

    def __str__(self) -> str:
        return f"{self.recipient_name} — {self.award_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise RecordedDecisionChanged(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordedDecisionChanged(self)


class AwardRevocation(models.Model):
    """An award taken back, with its reason (Law 2022, Chapter VII): append-only."""

    award = models.OneToOneField(
        Award, on_delete=models.PROTECT, related_name="revocation"
    )
    reason = models.TextField(_("reason"))
    decision_number = models.CharField(_("revoking decision"), max_length=40)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField()
    points_reversed = models.IntegerField(default=0)
    badges_revoked = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.award} revoked"
