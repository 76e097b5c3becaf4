"""Ready-made campaigns from the seeds, so an organiser starts in a minute.

Seed 001 names them: "Thanh niên chung tay phổ cập kỹ năng số" (IV.6.6: volunteers
go "đi từng ngõ, gõ từng nhà, hướng dẫn từng người"), "Ngày hội toàn dân học tập
số" on 10 October (IV.1.4) and "Chợ số – Nông thôn số" with its 4T model (IV.6.3).
Names stay Vietnamese: they are the movement's own.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import Metric


@dataclass(frozen=True)
class CheckInRule:
    """Points for one verified check-in of a campaign's activity."""

    points_per_event: int
    points_per_quantity: int
    max_quantity: int
    max_events_per_person_per_day: int | None = None


@dataclass(frozen=True)
class Template:
    code: str
    name: str
    summary: object
    days: int
    goals: dict[str, int]
    festival: bool = False
    rules: dict[str, CheckInRule] = field(default_factory=dict)


CHECK_IN_RULES = {
    # A class held by a volunteer: 20 points, 1 per attendee up to 60.
    Metric.CLASSES_HELD: CheckInRule(20, 1, 60, max_events_per_person_per_day=3),
    # Merchants shown the 4T model: 5 points, 2 per merchant up to 30.
    Metric.MERCHANTS_TRAINED: CheckInRule(5, 2, 30, max_events_per_person_per_day=5),
}

TEMPLATES = {
    t.code: t
    for t in [
        Template(
            "thanh-nien-chung-tay",
            "Thanh niên chung tay phổ cập kỹ năng số",
            _(
                "Volunteers go from lane to lane and door to door: VNeID for every "
                "citizen, digital households, classes held, mentees guided."
            ),
            days=90,
            goals={
                Metric.VNEID_HELPED: 50,
                Metric.HOUSEHOLDS_REACHED: 20,
                Metric.CLASSES_HELD: 4,
                Metric.MENTEES_CONFIRMED: 5,
            },
        ),
        Template(
            "ngay-hoi-10-10",
            "Ngày hội toàn dân học tập số",
            _(
                "The 10 October festival: one day, trainings completed, classes "
                "held and VNeID help, on the big screen."
            ),
            days=1,
            festival=True,
            goals={
                Metric.TRAININGS_COMPLETED: 30,
                Metric.CLASSES_HELD: 2,
                Metric.VNEID_HELPED: 20,
            },
        ),
        Template(
            "cho-so-4t",
            "Chợ số – Nông thôn số",
            _(
                "Merchants of the market trained in the 4T model (cashless "
                "payment, online selling), and classes held for them."
            ),
            days=60,
            goals={Metric.MERCHANTS_TRAINED: 20, Metric.CLASSES_HELD: 2},
        ),
    ]
}
