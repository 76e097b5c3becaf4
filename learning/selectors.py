"""Reads of the learning app that need care: the catalogue and its counts."""

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import ClassSession, Completion, SkillArea, SkillFramework, Training


def trainings(
    *,
    kind: str = "",
    target_group: str = "",
    area: SkillArea | None = None,
    query: str = "",
) -> QuerySet[Training]:
    """Open trainings, filtered, each with its number of confirmed completions."""
    found = Training.objects.filter(is_active=True)
    if kind:
        found = found.filter(kind=kind)
    if target_group:
        # An empty list means "every target group". Matched on the JSON text: the
        # values are fixed codes, and SQLite has no JSON containment.
        found = found.filter(
            Q(target_groups__icontains=f'"{target_group}"') | Q(target_groups=[])
        )
    if area is not None:
        found = found.filter(areas=area)
    if query:
        found = found.filter(
            Q(title__icontains=query) | Q(external_key__icontains=query)
        )
    return found.annotate(
        completed=Count(
            "completions", filter=Q(completions__status=Completion.Status.CONFIRMED)
        )
    ).order_by("title", "pk")


def training_detail(pk: int) -> Training:
    return (
        Training.objects.prefetch_related(
            Prefetch("areas", queryset=SkillArea.objects.select_related("framework"))
        )
        .annotate(
            completed=Count(
                "completions",
                filter=Q(completions__status=Completion.Status.CONFIRMED),
            )
        )
        .get(pk=pk, is_active=True)
    )


def upcoming_sessions(training: Training, *, today, limit: int = 20):
    return (
        ClassSession.objects.filter(training=training, held_on__gte=today)
        .select_related("unit")
        .order_by("held_on", "pk")[:limit]
    )


def frameworks() -> QuerySet[SkillFramework]:
    """Every framework with its areas, skills and how many trainings each area has."""
    areas = SkillArea.objects.annotate(
        training_count=Count("trainings", filter=Q(trainings__is_active=True))
    ).prefetch_related("skills")
    return SkillFramework.objects.prefetch_related(Prefetch("areas", queryset=areas))


def areas_for_filter() -> QuerySet[SkillArea]:
    return SkillArea.objects.select_related("framework").order_by(
        "framework__code", "position", "code"
    )


def movement_numbers(*, week_start, today) -> dict:
    """The movement's numbers for the home page, in four queries whatever the size:
    people trained this week, digital ambassadors guiding someone, digital
    households, citizens helped with VNeID; and people trained per day this week."""
    from django.db.models import Sum

    from .models import Household, Mentorship, VneidHelp

    this_week = Completion.objects.filter(
        status=Completion.Status.CONFIRMED,
        completed_on__gte=week_start,
        completed_on__lte=today,
    )
    per_day = dict(
        this_week.values_list("completed_on")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    return {
        "trained_this_week": this_week.values("person").distinct().count(),
        "trained_per_day": per_day,
        "ambassadors": Mentorship.objects.values("mentor").distinct().count(),
        "digital_households": Household.objects.filter(
            digital_since__isnull=False
        ).count(),
        "vneid_helped": VneidHelp.objects.aggregate(n=Sum("citizens"))["n"] or 0,
    }
