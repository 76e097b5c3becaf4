"""The demo's targets, from the plans (seeds 001-003), and its tallies counted once
from everything the other apps seeded."""

from units.models import Unit

from . import tallies, targets


def seed(context: dict) -> bool:
    province = Unit.objects.filter(kind=Unit.Kind.PROVINCE, code="31").first()
    if province is None:
        return False
    added = targets.seed_plan(
        province, targets.PROVINCE_PLAN, targets.SOURCES["province"]
    )
    commune = Unit.objects.filter(name="Xã Kê Sặt").first()
    if commune is not None:
        added += targets.seed_plan(
            commune, targets.COMMUNE_PLAN, targets.SOURCES["commune"]
        )
    for department in Unit.objects.filter(
        path__startswith=province.path, kind=Unit.Kind.DEPARTMENT
    ):
        added += targets.seed_plan(
            department, targets.DEPARTMENT_PLAN, targets.SOURCES["department"]
        )
    tallies.reconcile()
    return bool(added)
