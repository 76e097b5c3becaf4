"""The demo province built by `manage.py seed_demo`.

Place names come from the source plans (seeds 002 and 003); the people are invented.
Official codes other than the province's (31, Hải Phòng) are invented for the demo.
"""

import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Membership, Person, Role, TargetGroup, Unit
from .services import create_unit, grant_role

DEMO_PASSWORD = "HocSo@2025"
PROVINCE_CODE = "31"

# The 29 villages of xã Kê Sặt, in the order of the commune's decision (seed 002).
KE_SAT_VILLAGES = [
    "Hồ Liễn",
    "Quán Gỏi",
    "Vĩnh Lại",
    "Lại",
    "Mòi",
    "Phương Độ",
    "Ngọc Mai",
    "Thượng Khuông",
    "My Khê",
    "My Thử",
    "Phục Lễ",
    "Phụng Viện",
    "Me Vàng",
    "Lý Dương",
    "Lý Đông",
    "Đỗ Xá",
    "Bằng Trai",
    "Hoà Ché",
    "Nhân Kiệt",
    "Tuấn",
    "Lương Phúc",
    "1",
    "2",
    "3",
    "4",
    "5",
    "Thượng",
    "Trung",
    "Hạ",
]

OTHER_COMMUNES = [
    ("Xã Bình Giang", "10951", ["Thôn Cậy", "Thôn Đông", "Thôn Tây", "Thôn Nam"]),
    ("Xã Đường An", "10963", ["Thôn Phú An", "Thôn Bình Lâm", "Thôn Ngọc Lâm"]),
    ("Phường Lê Thanh Nghị", "10528", ["Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 3"]),
]

FINANCE_OFFICES = [
    "Văn phòng Sở",
    "Thanh tra Sở",
    "Phòng Quản lý ngân sách",
    "Phòng Tài chính doanh nghiệp",
    "Phòng Quản lý giá và công sản",
    "Phòng Đầu tư",
    "Phòng Kinh tế ngành",
    "Phòng Tin học và Thống kê",
]

FAMILY_NAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Ngô",
    "Dương",
    "Đào",
    "Trịnh",
    "Phan",
    "Hà",
    "Lương",
    "Quách",
    "Mai",
    "Tô",
    "Đinh",
]
MIDDLE_NAMES_MALE = [
    "Văn",
    "Đức",
    "Minh",
    "Hữu",
    "Quang",
    "Xuân",
    "Thế",
    "Ngọc",
    "Đình",
]
MIDDLE_NAMES_FEMALE = ["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Phương", "Hồng", "Kim"]
GIVEN_NAMES_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Hải",
    "Hiếu",
    "Hùng",
    "Khánh",
    "Long",
    "Mạnh",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Toàn",
    "Trung",
    "Tuấn",
    "Vinh",
]
GIVEN_NAMES_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phương",
    "Thảo",
    "Trang",
    "Vân",
    "Yến",
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str | None
    unit_label: str
    description: str
    staff: bool = False


DEMO_ACCOUNTS = [
    DemoAccount(
        "quantri",
        Role.Kind.ADMINISTRATOR,
        "province",
        "administrator (province, Django admin)",
        staff=True,
    ),
    DemoAccount(
        "hoidong", Role.Kind.COUNCIL_MEMBER, "province", "council member (province)"
    ),
    DemoAccount(
        "thuky",
        Role.Kind.COUNCIL_MEMBER,
        "province",
        "council secretary (province): sessions, decisions",
    ),
    DemoAccount("thamdinh", Role.Kind.REVIEWER, "ke_sat", "reviewer (xã Kê Sặt)"),
    DemoAccount("canbo", Role.Kind.OFFICER, "ho_lien", "unit officer (thôn Hồ Liễn)"),
    DemoAccount(
        "doanthanhnien",
        Role.Kind.CAMPAIGN_ORGANISER,
        "youth_union",
        "campaign organiser (Youth Union)",
    ),
    DemoAccount(
        "hocvien", None, "ho_lien", "learner and digital ambassador (thôn Hồ Liễn)"
    ),
]


def demo_exists() -> bool:
    return Unit.objects.filter(kind=Unit.Kind.PROVINCE, code=PROVINCE_CODE).exists()


def _random_name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        middle, given = MIDDLE_NAMES_MALE, GIVEN_NAMES_MALE
    else:
        middle, given = MIDDLE_NAMES_FEMALE, GIVEN_NAMES_FEMALE
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(middle)} {rng.choice(given)}"


def _headcounts(rng: random.Random, kind: str) -> dict[str, int]:
    if kind in (Unit.Kind.VILLAGE, Unit.Kind.RESIDENTIAL_GROUP):
        households = rng.randint(120, 420)
        return {
            "households": households,
            "adult_residents": int(households * rng.uniform(2.0, 2.8)),
        }
    if kind == Unit.Kind.OFFICE:
        return {"public_servants": rng.randint(8, 30)}
    if kind == Unit.Kind.SCHOOL:
        return {
            "students": rng.randint(300, 1200),
            "public_servants": rng.randint(25, 70),
        }
    if kind in (Unit.Kind.ENTERPRISE, Unit.Kind.COOPERATIVE):
        return {"enterprise_workers": rng.randint(30, 400)}
    return {}


class DemoBuilder:
    """Builds the demo tree once; every choice is drawn from a seeded generator."""

    def __init__(self, seed: int = 2025):
        self.rng = random.Random(seed)
        self.units: dict[str, Unit] = {}
        # Units that people are spread over, with the target group they mostly are.
        self.populated: list[tuple[Unit, str, int]] = []

    def unit(
        self,
        parent,
        kind,
        name,
        code="",
        *,
        label=None,
        people=0,
        group=TargetGroup.CITIZEN,
    ):
        unit = create_unit(
            parent=parent,
            kind=kind,
            name=name,
            code=code,
            **_headcounts(self.rng, kind),
        )
        if label:
            self.units[label] = unit
        if people:
            self.populated.append((unit, group, people))
        return unit

    @transaction.atomic
    def build(self) -> dict[str, Unit]:
        province = self.unit(
            None,
            Unit.Kind.PROVINCE,
            "Thành phố Hải Phòng",
            PROVINCE_CODE,
            label="province",
        )
        self._ke_sat(province)
        for name, code, villages in OTHER_COMMUNES:
            kind = Unit.Kind.WARD if name.startswith("Phường") else Unit.Kind.COMMUNE
            commune = self.unit(province, kind, name, code)
            for village in villages:
                village_kind = (
                    Unit.Kind.RESIDENTIAL_GROUP
                    if village.startswith("Tổ")
                    else Unit.Kind.VILLAGE
                )
                self.unit(
                    commune, village_kind, village, people=self.rng.randint(40, 70)
                )
            self.unit(
                commune,
                Unit.Kind.SCHOOL,
                f"Trường THCS {name.split(' ', 1)[1]}",
                people=40,
                group=TargetGroup.STUDENT,
            )
        self._department(province)
        self._youth_union(province)
        self.unit(
            province,
            Unit.Kind.SCHOOL,
            "Trường THPT Kẻ Sặt",
            people=80,
            group=TargetGroup.STUDENT,
        )
        self.unit(
            province,
            Unit.Kind.ENTERPRISE,
            "Công ty TNHH May Hải Phòng",
            people=60,
            group=TargetGroup.ENTERPRISE_WORKER,
        )
        self._people()
        self._accounts()
        return self.units

    def _ke_sat(self, province):
        commune = self.unit(
            province, Unit.Kind.COMMUNE, "Xã Kê Sặt", "10972", label="ke_sat"
        )
        for index, name in enumerate(KE_SAT_VILLAGES):
            village = self.unit(
                commune,
                Unit.Kind.VILLAGE,
                f"Thôn {name}",
                label="ho_lien" if index == 0 else None,
                people=self.rng.randint(35, 60),
            )
            if (
                index % 3 == 0
            ):  # a community digital-technology team in every third village
                self.unit(
                    village,
                    Unit.Kind.DIGITAL_TEAM,
                    f"Tổ công nghệ số cộng đồng thôn {name}",
                    people=5,
                )
        self.unit(
            commune,
            Unit.Kind.PARTY_CELL,
            "Chi bộ Cơ quan UBND xã Kê Sặt",
            people=20,
            group=TargetGroup.PUBLIC_SERVANT,
        )
        self.unit(
            commune, Unit.Kind.WOMEN_UNION, "Hội Liên hiệp Phụ nữ xã Kê Sặt", people=25
        )
        self.unit(commune, Unit.Kind.FARMERS_UNION, "Hội Nông dân xã Kê Sặt", people=25)
        self.unit(
            commune,
            Unit.Kind.COOPERATIVE,
            "Hợp tác xã Nông nghiệp Kê Sặt",
            people=30,
            group=TargetGroup.ENTERPRISE_WORKER,
        )
        self.unit(
            commune,
            Unit.Kind.SCHOOL,
            "Trường Tiểu học Kê Sặt",
            people=60,
            group=TargetGroup.STUDENT,
        )
        self.unit(
            commune,
            Unit.Kind.SCHOOL,
            "Trường THCS Kê Sặt",
            people=60,
            group=TargetGroup.STUDENT,
        )

    def _department(self, province):
        department = self.unit(
            province, Unit.Kind.DEPARTMENT, "Sở Tài chính", label="finance"
        )
        for office in FINANCE_OFFICES:
            self.unit(
                department,
                Unit.Kind.OFFICE,
                office,
                people=self.rng.randint(10, 20),
                group=TargetGroup.PUBLIC_SERVANT,
            )
        self.unit(
            department,
            Unit.Kind.PARTY_CELL,
            "Chi bộ Sở Tài chính",
            people=10,
            group=TargetGroup.PUBLIC_SERVANT,
        )

    def _youth_union(self, province):
        union = self.unit(
            province, Unit.Kind.YOUTH_UNION, "Thành đoàn Hải Phòng", label="youth_union"
        )
        commune_union = self.unit(
            union, Unit.Kind.YOUTH_UNION, "Đoàn Thanh niên xã Kê Sặt"
        )
        for name in KE_SAT_VILLAGES[:8]:
            self.unit(
                commune_union,
                Unit.Kind.YOUTH_BRANCH,
                f"Chi đoàn thôn {name}",
                people=12,
            )
        self.unit(
            union,
            Unit.Kind.YOUTH_BRANCH,
            "Chi đoàn Sở Tài chính",
            people=15,
            group=TargetGroup.PUBLIC_SERVANT,
        )
        self.unit(
            union,
            Unit.Kind.YOUTH_BRANCH,
            "Chi đoàn Trường THPT Kẻ Sặt",
            people=30,
            group=TargetGroup.STUDENT,
        )

    def _people(self):
        rng = self.rng
        people: list[Person] = []
        homes: list[Unit] = []
        for unit, group, count in self.populated:
            for _ in range(count):
                birth_year = (
                    rng.randint(1945, 2008)
                    if group == TargetGroup.CITIZEN
                    else rng.randint(1970, 2003)
                )
                if group == TargetGroup.STUDENT:
                    birth_year = rng.randint(2008, 2016)
                people.append(
                    Person(
                        display_name=_random_name(rng),
                        target_group=group,
                        birth_year=birth_year,
                        is_elderly=birth_year < 1966,
                        has_disability=rng.random() < 0.03,
                        is_ethnic_minority=rng.random() < 0.02,
                        appears_anonymously=rng.random() < 0.08,
                    )
                )
                homes.append(unit)
        Person.objects.bulk_create(people, batch_size=1000)
        Membership.objects.bulk_create(
            [
                Membership(person=person, unit=unit, is_primary=True)
                for person, unit in zip(people, homes, strict=True)
            ],
            batch_size=1000,
        )

    def _accounts(self):
        User = get_user_model()
        for account in DEMO_ACCOUNTS:
            user = User.objects.create_user(
                username=account.username,
                email=f"{account.username}@demo.thiduaso.vn",
                password=DEMO_PASSWORD,
                is_staff=account.staff,
                is_superuser=account.staff,
            )
            EmailAddress.objects.create(
                user=user, email=user.email, verified=True, primary=True
            )
            unit = self.units[account.unit_label]
            person = Person.objects.create(
                user=user,
                display_name=_random_name(self.rng),
                target_group=TargetGroup.CITIZEN,
            )
            Membership.objects.create(person=person, unit=unit, is_primary=True)
            if account.role:
                grant_role(user=user, unit=unit, kind=account.role)


def seed(context: dict) -> bool:
    """Build the demo province unless it exists; return whether anything was added."""
    if demo_exists():
        return False
    context["units"] = DemoBuilder().build()
    return True
