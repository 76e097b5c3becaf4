"""The national skills frameworks, as data (sources in ../shared/research/domain.md).

Decision 757/QĐ-BKHCN (29/4/2025) sets the basic framework for four target groups;
only the citizens' table of its first areas could be read (it follows CV
3139/BTTTT-KTS&XHS), so only those areas are loaded: an administrator adds the rest
in the admin when the annex is at hand. Circular 02/2025/TT-BGDĐT (effective
11/3/2025) sets 6 domains and 24 component competences for learners.

Loaded by a data migration, so every deployment has them; a new version of a
framework is a new row set with its own version, never an edit.
"""

FRAMEWORKS = [
    {
        "code": "qd-757-2025",
        "version": "1.0",
        "name": "Khung kiến thức, kỹ năng số cơ bản",
        "legal_basis": "Quyết định 757/QĐ-BKHCN ngày 29/4/2025",
        "issued_on": "2025-04-29",
        "effective_from": "2025-04-29",
        "target_groups": ["student", "citizen", "public_servant", "enterprise_worker"],
        "source_url": "https://luatvietnam.vn/khoa-hoc/quyet-dinh-757qd-bkhcn-2025-khung-kien-thuc-ky-nang-so-co-ban-va-huong-dan-danh-gia-399423-d1.html",
        "areas": [
            (
                "0",
                "Sử dụng thiết bị và phần mềm trên thiết bị",
                [
                    ("0.1", "Sử dụng thiết bị"),
                    ("0.2", "Sử dụng phần mềm trên thiết bị"),
                ],
            ),
            (
                "1",
                "Tìm kiếm, khai thác thông tin trên môi trường Internet",
                [
                    ("1.1", "Tìm kiếm, chọn lọc thông tin"),
                    ("1.2", "Đánh giá dữ liệu, thông tin và nội dung"),
                    ("1.3", "Quản lý dữ liệu, thông tin và nội dung"),
                ],
            ),
        ],
    },
    {
        "code": "tt-02-2025",
        "version": "1.0",
        "name": "Khung năng lực số cho người học",
        "legal_basis": "Thông tư 02/2025/TT-BGDĐT ngày 24/01/2025",
        "issued_on": "2025-01-24",
        "effective_from": "2025-03-11",
        "target_groups": ["student"],
        "source_url": "https://thuvienphapluat.vn/bulletin/document.aspx?bid=c6459e4e-90a1-46f1-bbfd-c5bdaa61b0ed",
        "areas": [
            (
                "1",
                "Khai thác dữ liệu và thông tin",
                [
                    ("1.1", "Duyệt, tìm kiếm và lọc dữ liệu, thông tin và nội dung số"),
                    ("1.2", "Đánh giá dữ liệu, thông tin và nội dung số"),
                    ("1.3", "Quản lí dữ liệu, thông tin và nội dung số"),
                ],
            ),
            (
                "2",
                "Giao tiếp và hợp tác trong môi trường số",
                [
                    ("2.1", "Tương tác thông qua công nghệ số"),
                    ("2.2", "Chia sẻ thông qua công nghệ số"),
                    ("2.3", "Sử dụng công nghệ số để thực hiện trách nhiệm công dân"),
                    ("2.4", "Hợp tác thông qua công nghệ số"),
                    ("2.5", "Quy tắc ứng xử trên mạng"),
                    ("2.6", "Quản lí danh tính số"),
                ],
            ),
            (
                "3",
                "Sáng tạo nội dung số",
                [
                    ("3.1", "Phát triển nội dung số"),
                    ("3.2", "Tích hợp và tạo lập lại nội dung số"),
                    ("3.3", "Thực thi bản quyền và giấy phép"),
                    ("3.4", "Lập trình"),
                ],
            ),
            (
                "4",
                "An toàn",
                [
                    ("4.1", "Bảo vệ thiết bị"),
                    ("4.2", "Bảo vệ dữ liệu cá nhân và quyền riêng tư"),
                    ("4.3", "Bảo vệ sức khỏe và an sinh số"),
                    ("4.4", "Bảo vệ môi trường"),
                ],
            ),
            (
                "5",
                "Giải quyết vấn đề",
                [
                    ("5.1", "Giải quyết vấn đề kĩ thuật"),
                    ("5.2", "Xác định nhu cầu và giải pháp công nghệ"),
                    ("5.3", "Sử dụng sáng tạo công nghệ số"),
                    ("5.4", "Xác định khoảng trống năng lực số"),
                ],
            ),
            (
                "6",
                "Ứng dụng trí tuệ nhân tạo",
                [
                    ("6.1", "Hiểu biết về trí tuệ nhân tạo"),
                    ("6.2", "Sử dụng trí tuệ nhân tạo"),
                    ("6.3", "Đánh giá trí tuệ nhân tạo"),
                ],
            ),
        ],
    },
]

# Activity types the learning app credits: code, name, what the quantity counts,
# credits a person. Created by migration if an installation lacks them.
ACTIVITY_TYPES = [
    ("training-completed", "Hoàn thành khóa học kỹ năng số", "khóa học", True),
    ("mentee-guided", "Hướng dẫn người học (Đại sứ số)", "người", True),
    ("class-attendee", "Học viên dự lớp do mình giảng dạy", "học viên", True),
    ("digital-household", "Hộ gia đình trở thành “Gia đình số”", "hộ", False),
    ("vneid-help", "Hỗ trợ người dân kích hoạt VNeID", "người dân", True),
]


def load(SkillFramework, SkillArea, Skill) -> None:
    """Create the frameworks that are missing (models passed in: usable in a migration)."""
    from datetime import date

    for data in FRAMEWORKS:
        framework, created = SkillFramework.objects.get_or_create(
            code=data["code"],
            version=data["version"],
            defaults={
                "name": data["name"],
                "legal_basis": data["legal_basis"],
                "issued_on": date.fromisoformat(data["issued_on"]),
                "effective_from": date.fromisoformat(data["effective_from"]),
                "target_groups": data["target_groups"],
                "source_url": data["source_url"],
            },
        )
        if not created:
            continue
        for area_position, (code, name, skills) in enumerate(data["areas"]):
            area = SkillArea.objects.create(
                framework=framework, code=code, name=name, position=area_position
            )
            Skill.objects.bulk_create(
                Skill(area=area, code=skill_code, name=skill_name, position=position)
                for position, (skill_code, skill_name) in enumerate(skills)
            )


# What one event of each activity is, for the point rules' sentences
# ("10 điểm mỗi khóa học, tối đa 5 khóa học mỗi tuần cho mỗi người").
EVENT_LABELS = {
    "training-completed": "khóa học",
    "mentee-guided": "người được hướng dẫn",
    "class-attendee": "lớp",
    "digital-household": "lần ghi nhận",
    "vneid-help": "lần hỗ trợ",
}
