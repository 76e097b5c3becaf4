"""(f) Importing a completion list of the MOOC platform: 100,000 rows, previewed then
applied, against a naive per-row loop over a sample of the same rows.

The data: a province of 50 communes (official codes) of 10 villages each, with people
who have dates of birth. The file names each learner with a date of birth (half of the
new ones also with a phone) and the commune code; about one row in five is someone
the province already knows (a third of those typed in capitals without diacritics),
the others are new learners; a few rows are bad (unknown course, impossible date).

The baseline records a sample of the same rows one by one, as a straightforward view
would: look the unit up, query the candidates, create the person, then
`services.record_completion` (the single path). It runs inside one transaction that
is rolled back, so it pays no commit per row and no projection: the ratio favours it.
"""

import os
import random
import resource
import time
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from competitions.models import ActivityType, Competition, PointEntry, PointRule
from learning import imports, services
from learning.models import Completion, ImportBatch, Training
from units.audit import COMMAND
from units.models import Membership, Person, Role, TargetGroup, Unit
from units.services import add_member, create_unit, grant_role
from units.text import fold, phone_digest

COMMUNES = 50
VILLAGES = 10
COURSES = 5
# People of the province who are not in the file, per row of the file.
BYSTANDERS = 0.5

SURNAMES = ["Nguyễn"] * 8 + [
    "Trần",
    "Trần",
    "Lê",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE = {
    "m": [
        "Văn",
        "Hữu",
        "Đức",
        "Minh",
        "Quang",
        "Công",
        "Thành",
        "Xuân",
        "Ngọc",
        "Đình",
    ],
    "f": ["Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Kim", "Minh", "Phương"],
}
GIVEN = {
    "m": "An Bình Cường Dũng Đức Hải Hùng Huy Khánh Long Minh Nam Phong Quân Sơn Tâm "
    "Thắng Tuấn Việt Vinh Toàn Trung Hiếu Lộc".split(),
    "f": "Anh Bích Chi Cúc Dung Giang Hà Hạnh Hoa Hương Lan Linh Mai Ngọc Nhung Oanh "
    "Phương Thảo Trang Yến Vân Hằng Ly".split(),
}
HEADER = imports.TEMPLATE_HEADERS


def _name(rng: random.Random) -> str:
    sex = rng.choice("mf")
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"


def _birth(rng: random.Random) -> date:
    return date(1950, 1, 1) + timedelta(days=rng.randrange(55 * 365))


def _free_codes() -> tuple[str, str]:
    """A province code and a commune-code prefix nobody uses in this database."""
    used = set(Unit.objects.exclude(code="").values_list("code", flat=True))
    for number in range(10, 100):
        province = f"{number:02d}"
        if province not in used and not any(code.startswith(province) for code in used):
            return province, province
    raise RuntimeError("no free unit code for the import benchmark")


def build(*, rows: int, seed: int = 17) -> dict:
    """The province, its people, the courses, a running competition and an officer."""
    started = time.perf_counter()
    rng = random.Random(seed)
    province_code, prefix = _free_codes()
    province = create_unit(
        parent=None, kind=Unit.Kind.PROVINCE, name="Tỉnh Nhập Liệu", code=province_code
    )
    villages: list[tuple[Unit, str]] = []
    for c in range(COMMUNES):
        code = f"{prefix}{c:03d}"
        commune = create_unit(
            parent=province, kind=Unit.Kind.COMMUNE, name=f"Xã Nhập {c + 1}", code=code
        )
        for v in range(VILLAGES):
            village = create_unit(
                parent=commune, kind=Unit.Kind.VILLAGE, name=f"Thôn {c + 1}.{v + 1}"
            )
            villages.append((village, code))
    run = time.time_ns()
    trainings = [
        Training.objects.create(
            title=f"Khóa kỹ năng số {n + 1} ({run})",
            kind=Training.Kind.ONLINE_COURSE,
            external_key=f"course-v1:BENCH+KNS{n + 1}+{run}",
        )
        for n in range(COURSES + 1)
    ]
    today = timezone.localdate()
    competition = Competition.objects.create(
        name="Bình dân học vụ số (bench)",
        kind=Competition.Kind.REGULAR,
        scope_unit=province,
        starts_on=today - timedelta(days=90),
        ends_on=today + timedelta(days=90),
        status=Competition.Status.RUNNING,
    )
    for code, points in (("training-completed", 10), ("digital-household", 8)):
        PointRule.objects.create(
            competition=competition,
            activity_type=ActivityType.objects.get(code=code),
            version=1,
            effective_from=competition.starts_on,
            points_per_event=points,
        )
    people_count = int(rows * (0.2 + BYSTANDERS))
    homes = [villages[rng.randrange(len(villages))] for _ in range(people_count)]
    people = Person.objects.bulk_create(
        [
            Person(
                display_name=_name(rng),
                target_group=TargetGroup.CITIZEN,
                birth_date=(born := _birth(rng)),
                birth_year=born.year,
            )
            for _ in range(people_count)
        ],
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        [
            Membership(person=person, unit=home[0], is_primary=True)
            for person, home in zip(people, homes, strict=True)
        ],
        batch_size=5000,
    )
    officer = get_user_model().objects.create_user(
        username=f"bench-import-{run}", password=None
    )
    grant_role(user=officer, unit=province, kind=Role.Kind.ADMINISTRATOR)
    return {
        "province": province,
        "villages": villages,
        "people": list(zip(people, homes, strict=True)),
        "trainings": trainings,
        "officer": officer,
        "seconds": round(time.perf_counter() - started, 1),
    }


def make_rows(world: dict, *, rows: int, seed: int = 23) -> list[list[str]]:
    """The file's rows: a fifth known people, the rest new learners, a few bad rows."""
    rng = random.Random(seed)
    today = timezone.localdate()
    courses = [t.external_key for t in world["trainings"][:COURSES]]
    known = rng.sample(world["people"], int(rows * 0.2))
    out = []
    for n in range(rows):
        done = (today - timedelta(days=rng.randrange(1, 60))).strftime("%d/%m/%Y")
        course = rng.choice(courses)
        phone = ""
        if n < len(known):
            person, (_village, code) = known[n]
            name = person.display_name
            if n % 3 == 0:
                name = fold(name).upper()
            born = person.birth_date
        else:
            name, born = _name(rng), _birth(rng)
            code = rng.choice(world["villages"])[1]
            if n % 2:
                phone = f"09{rng.randrange(10**8):08d}"
        if n % 200 == 0:
            course = "course-v1:KHONG+TON+TAI"
        elif n % 211 == 0:
            done = "31/02/2026"
        out.append([name, born.strftime("%d/%m/%Y"), phone, code, course, done, ""])
    rng.shuffle(out)
    return out


def to_csv(rows: list[list[str]]) -> bytes:
    lines = [",".join(HEADER)] + [",".join(cells) for cells in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _more_courses(world: dict) -> list:
    """Courses for a second file (its completions are all new)."""
    run = time.time_ns()
    return [
        Training.objects.create(
            title=f"Khóa kỹ năng số {n + 1} ({run})",
            kind=Training.Kind.ONLINE_COURSE,
            external_key=f"course-v1:BENCH+KNS{n + 1}+{run}",
        )
        for n in range(COURSES + 1)
    ]


def naive_loop(world: dict, rows: list[list[str]]) -> float:
    """Record rows one by one, as a plain view would; rolled back. Returns seconds."""
    officer = world["officer"]
    # Another course than the file's, so the sample records rather than skips.
    course = world["trainings"][COURSES]
    started = time.perf_counter()
    with transaction.atomic():
        for name, born, phone, code, _course, done, _certificate in rows:
            try:
                day, month, year = (int(part) for part in done.split("/"))
                completed_on = date(year, month, day)
            except ValueError:
                continue
            unit = Unit.objects.filter(code=code).first()
            training = Training.objects.filter(external_key=course.external_key).first()
            day, month, year = (int(part) for part in born.split("/"))
            birth = date(year, month, day)
            candidates = Person.objects.filter(
                memberships__unit__path__startswith=unit.path, birth_date=birth
            )
            matches = [p for p in candidates if fold(p.display_name) == fold(name)]
            if matches:
                person = matches[0]
                home = Membership.objects.filter(person=person).first().unit
            else:
                person = Person.objects.create(
                    display_name=name,
                    target_group=TargetGroup.CITIZEN,
                    birth_date=birth,
                    birth_year=birth.year,
                    phone_digest=phone_digest(phone),
                )
                add_member(person=person, unit=unit)
                home = unit
            services.record_completion(
                services.NewCompletion(
                    person=person,
                    training=training,
                    unit=home,
                    completed_on=completed_on,
                    source=Completion.Source.IMPORT,
                ),
                by=officer,
                at=timezone.now(),
                origin=COMMAND,
            )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def _import(world: dict, data: bytes) -> dict:
    from bench.badges import server_cpu

    officer, province = world["officer"], world["province"]
    cpu, server = time.process_time(), server_cpu()
    started = time.perf_counter()
    batch = imports.preview_import(
        unit=province, by=officer, file_name="bench.csv", data=data, at=timezone.now()
    )
    previewed = time.perf_counter()
    with override_settings(LEARNING_IMPORT_INLINE=True):
        batch = imports.apply_import(
            batch=batch, by=officer, at=timezone.now(), origin=COMMAND
        )
    applied = time.perf_counter()
    assert batch.status == ImportBatch.Status.APPLIED, batch.failure
    server = server_cpu() - server if server is not None else None
    return {
        # CPU used by this process and by the database server: this VM is shared,
        # and its load stretches the wall time.
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "server_cpu_seconds": round(server, 1) if server is not None else None,
        "load": os.getloadavg()[0],
        "preview_seconds": round(previewed - started, 2),
        "apply_seconds": round(applied - previewed, 2),
        "total_seconds": round(applied - started, 2),
        "rows_valid": batch.rows_valid,
        "rows_invalid": batch.rows_invalid,
        "rows_duplicate": batch.rows_duplicate,
        "rows_recorded": batch.rows_recorded,
        "new_learners": batch.new_learners,
        "completions_added": batch.completions_added,
        "people_added": batch.people_added,
        "batch": batch.pk,
    }


def _badges_on(world: dict) -> None:
    """What an import with badges evaluates: the seeded classes, and a class every
    learner earns with their first completion (an award per row: the most work)."""
    from badges import services as badges
    from badges.models import BadgeClass

    if not BadgeClass.objects.filter(slug="bench-nguoi-hoc").exists():
        badges.publish_class(
            BadgeClass.objects.create(
                slug="bench-nguoi-hoc",
                name="Bench: người học",
                recipient="person",
                criteria={"fact": "completed_trainings", "min": 1},
                status="draft",
            ),
            by=None,
            at=timezone.now(),
            origin=COMMAND,
        )


def run(*, rows: int = 100_000, sample: int = 2000) -> dict:
    from badges.models import Assertion

    print(f"Import: building a province and {rows:,}-row file ...", flush=True)
    world = build(rows=rows)
    file_rows = make_rows(world, rows=rows)
    data = to_csv(file_rows)
    print(
        f"  done in {world['seconds']}s; naive loop over {sample:,} rows ...",
        flush=True,
    )
    naive_seconds = naive_loop(world, file_rows[:sample])
    print("  preview and apply, badge evaluation off ...", flush=True)
    with override_settings(BADGES_EVALUATE=False):
        first = _import(world, data)
    entries = PointEntry.objects.filter(
        competition__scope_unit=world["province"]
    ).count()
    print("  the same file again ...", flush=True)
    again = _import(world, data)
    # The same number of rows for other courses (the learners new again, the fifth
    # of known people drawn afresh), with badge evaluation on.
    print("  another file of the same size, badge evaluation on ...", flush=True)
    _badges_on(world)
    awards_before = Assertion.objects.count()
    world["trainings"] = _more_courses(world)
    with_badges = _import(world, to_csv(make_rows(world, rows=rows, seed=29)))
    with_badges["awards"] = Assertion.objects.count() - awards_before
    extrapolated = naive_seconds * rows / sample
    return {
        "rows": rows,
        "file_bytes": len(data),
        "setup_seconds": world["seconds"],
        "first": first,
        "ledger_entries": entries,
        "rows_per_second": round(rows / first["total_seconds"]),
        "same_file_again": again,
        "with_badges": with_badges,
        "with_badges_over_without": round(
            with_badges["total_seconds"] / first["total_seconds"], 2
        ),
        "naive_per_row": {
            "sample_rows": sample,
            "sample_seconds": round(naive_seconds, 2),
            "extrapolated_seconds": round(extrapolated, 1),
            "note": "rolled back: no commit per row and no projection (favours it)",
        },
        "ratio_naive_over_ours": round(extrapolated / first["total_seconds"], 1),
        "under_a_minute": first["total_seconds"] < 60,
        "peak_rss_mib": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
    }


def table_lines(result: dict) -> list[str]:
    first, again, naive = (
        result["first"],
        result["same_file_again"],
        result["naive_per_row"],
    )
    rows = f"{result['rows'] // 1000}k"
    lines = [
        f"{'(f) import ' + rows + ' rows: preview + apply (s) vs naive per-row':58} {first['total_seconds']:>12} {naive['extrapolated_seconds']:>12} {result['ratio_naive_over_ours']:>8}x",
        f"{'(f) import: preview (s) / apply (s)':58} {first['preview_seconds']:>12} {first['apply_seconds']:>12}",
        f"{'(f) import: completions / new learners / rows refused':58} {first['completions_added']:>12} {first['people_added']:>12} {first['rows_invalid']:>9}",
        f"{'(f) same file again: seconds / completions added':58} {again['total_seconds']:>12} {again['completions_added']:>12}",
    ]
    if "with_badges" in result:
        on = result["with_badges"]
        lines.append(
            f"{'(f) import with badges on (s) vs off (s); awards':58} {on['total_seconds']:>12} {first['total_seconds']:>12} {on['awards']:>9}"
        )
        lines.append(
            f"{'(f) CPU s, badges on vs off: ours + PostgreSQL':58} {on['cpu_seconds']:>6}+{on['server_cpu_seconds']:<5} {first['cpu_seconds']:>6}+{first['server_cpu_seconds']:<5}"
        )
    return lines
