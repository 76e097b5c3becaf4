"""The movement's own badges, from the source plans (seeds 001-003): loaded by a
data migration as published classes, so every deployment has them."""

PERSON, UNIT = "person", "unit"
LEVELS = ["bronze", "silver", "gold"]

CLASSES = [
    {
        "slug": "dai-su-so",
        "name": "Đại sứ số",
        "description": (
            "Người hướng dẫn (mentor) trong mạng lưới “Đại sứ số”: mỗi mentor hướng "
            "dẫn kỹ năng số cho ít nhất 5 người học (mentee), và người học hoàn thành "
            "khóa học sau khi nhận lời. Bạc: 10 người học; Vàng: 20 người học."
        ),
        "recipient": PERSON,
        "emblem": "mentor",
        "levels": LEVELS,
        "criteria": {"fact": "mentees_completed", "min": [5, 10, 20]},
    },
    {
        "slug": "cong-dan-so",
        "name": "Công dân số",
        "description": (
            "Hoàn thành các khóa học bao phủ mọi nhóm kỹ năng của Khung kiến thức, kỹ "
            "năng số cơ bản (Quyết định 757/QĐ-BKHCN)."
        ),
        "recipient": PERSON,
        "emblem": "book",
        "criteria": {
            "fact": "framework_areas",
            "framework": "qd-757-2025",
            "min": "all",
        },
    },
    {
        "slug": "dang-vien-tien-phong",
        "name": "Đảng viên tiên phong học tập kỹ năng số",
        "description": (
            "Tham gia sinh hoạt chuyên đề “Đảng viên tiên phong học tập kỹ năng số” "
            "và hoàn thành ít nhất hai khóa học kỹ năng số."
        ),
        "recipient": PERSON,
        "emblem": "flag",
        "criteria": {
            "all": [
                {
                    "fact": "completed_trainings",
                    "training_kind": "thematic_session",
                    "min": 1,
                },
                {"fact": "completed_trainings", "min": 2},
            ]
        },
    },
    {
        "slug": "gia-dinh-so",
        "name": "Gia đình số",
        "description": (
            "Thành viên của hộ gia đình có ít nhất một người đã hoàn thành khóa học "
            "kỹ năng số (phong trào “Gia đình số”)."
        ),
        "recipient": PERSON,
        "emblem": "house",
        "criteria": {"fact": "household_digital", "min": 1},
    },
    {
        "slug": "thon-so",
        "name": "Thôn số",
        "description": "Thôn, tổ dân phố có từ 80% hộ gia đình trở lên là “Gia đình số”.",
        "recipient": UNIT,
        "unit_kinds": ["village", "residential_group"],
        "emblem": "village",
        "criteria": {"fact": "digital_household_share", "min": 80},
    },
    {
        "slug": "to-cong-nghe-so-tieu-bieu",
        "name": "Tổ công nghệ số cộng đồng tiêu biểu",
        "description": (
            "Tổ công nghệ số cộng đồng có ít nhất 5 thành viên hoàn thành khóa học và "
            "đạt từ 100 điểm thi đua trở lên."
        ),
        "recipient": UNIT,
        "unit_kinds": ["digital_team"],
        "emblem": "team",
        "criteria": {
            "all": [
                {"fact": "people_trained", "min": 5},
                {"fact": "points", "min": 100},
            ]
        },
    },
    {
        "slug": "truong-hoc-chuyen-doi-so",
        "name": "Trường học chuyển đổi số điển hình",
        "description": (
            "Trường học có từ 80% học sinh hoàn thành khóa học kỹ năng số và có ít "
            "nhất một thành tích được duyệt."
        ),
        "recipient": UNIT,
        "unit_kinds": ["school"],
        "emblem": "school",
        "criteria": {
            "all": [
                {"fact": "trained_share", "target_group": "student", "min": 80},
                {"fact": "approved_submissions", "min": 1},
            ]
        },
    },
]


def load(BadgeClass, *, at) -> int:
    """Create the seeded classes that are missing (model passed in: usable in a
    migration); return how many were made."""
    made = 0
    for spec in CLASSES:
        if BadgeClass.objects.filter(slug=spec["slug"]).exists():
            continue
        BadgeClass.objects.create(
            **spec, version=1, status="published", published_at=at
        )
        made += 1
    return made
