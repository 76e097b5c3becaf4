"""Reads of badges that other pages show: the latest awards, a person's badges and
their progress toward the next level."""

from units.models import Person

from . import criteria, evaluation, services
from .models import LEVEL_COLOURS, Assertion, BadgeClass


def recent_awards(*, limit: int = 5) -> list[dict]:
    """The latest awards anyone may see, newest first, in one query."""
    rows = (
        Assertion.objects.public()
        .select_related("badge_class", "person", "unit")
        .order_by("-issued_at", "-pk")[:limit]
    )
    return [
        {
            "assertion": a,
            "badge": a.badge_class.name,
            "level": services.level_label(a.level) if a.level else "",
            "colour": LEVEL_COLOURS.get(a.level, LEVEL_COLOURS[""]),
            "recipient": str(a.person.public_name) if a.person_id else a.unit.name,
            "is_unit": not a.person_id,
            "issued_at": a.issued_at,
        }
        for a in rows
    ]


def progress_toward_next(
    badge_class: BadgeClass, person: Person, held: set
) -> dict | None:
    """Where the person stands toward the next level they do not hold."""
    leaves = criteria.leaves(badge_class.criteria)
    if badge_class.recipient != criteria.PERSON or not leaves:
        return None
    levels = badge_class.level_names
    next_index = next((i for i, level in enumerate(levels) if level not in held), None)
    if next_index is None:
        return {"done": True, "rows": []}
    values = evaluation.values_for(badge_class, recipient_id=person.pk)
    rows = []
    for leaf, value in zip(leaves, values, strict=True):
        target = criteria.threshold(leaf, next_index)
        fact = criteria.FACTS[leaf["fact"]]
        if target == "all":
            from learning.models import SkillArea

            target = SkillArea.objects.filter(framework__code=leaf["framework"]).count()
        shown = 0 if value is None else round(float(value), 1)
        if fact.rank:
            met = value is not None and value <= target
            percent = 100 if met else 0
        else:
            met = shown >= target
            percent = min(100, int(100 * shown / target)) if target else 100
        rows.append(
            {
                "text": criteria.describe(leaf, next_index),
                "value": f"{shown:g}",
                "target": target,
                "label": str(fact.label),
                "percent": percent,
                "met": met,
            }
        )
    return {
        "done": False,
        "level": services.level_label(levels[next_index]),
        "rows": rows,
    }


def person_badges(person: Person) -> dict:
    """The person's badges, and the badges they are closest to, nearest first."""
    held_rows = list(
        Assertion.objects.valid()
        .filter(person=person)
        .select_related("badge_class")
        .order_by("-issued_at", "-pk")
    )
    held: dict[str, set] = {}
    for assertion in held_rows:
        held.setdefault(assertion.badge_slug, set()).add(assertion.level)
    nearest = []
    for badge_class in (
        BadgeClass.objects.published().filter(recipient=criteria.PERSON).order_by("pk")
    ):
        progress = progress_toward_next(
            badge_class, person, held.get(badge_class.slug, set())
        )
        if progress is None or progress["done"] or not progress["rows"]:
            continue
        percent = min(row["percent"] for row in progress["rows"])
        nearest.append({"badge": badge_class, "progress": progress, "percent": percent})
    nearest.sort(key=lambda item: (-item["percent"], item["badge"].pk))
    return {
        "held": [
            {
                "assertion": a,
                "level": services.level_label(a.level) if a.level else "",
                "colour": LEVEL_COLOURS.get(a.level, LEVEL_COLOURS[""]),
            }
            for a in held_rows
        ],
        "nearest": nearest,
    }
