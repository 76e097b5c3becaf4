"""The award types the movement uses, as configuration (editable in the admin).

Sources: research/domain.md §5.4-5.7. Law on Emulation and Commendation
06/2022/QH15 (effective 1/1/2024) Art. 80 for who decides what; Decree
98/2023/ND-CP for the rewards as multiples of the base salary. The law is in flux
(two-level local government since 1/7/2025, Decree 152/2025/ND-CP): where a power
of the abolished district level went is not verified, and the ballot rules are
each province's own regulation; a change is a new row with validity dates.
"""

from decimal import Decimal

from django.db import migrations

LAW = "Luật Thi đua, khen thưởng số 06/2022/QH15"
DECREE = "Nghị định 98/2023/NĐ-CP"
LOCAL = ["commune", "ward"]
HEADS = ["department", "enterprise", "cooperative"]

# code, name, form, thematic, authority kinds, signer, individual, collective,
# unit kinds, legal reference, vote, ballot, quorum, threshold, strict,
# denominator, written opinions
TYPES = [
    ("giay-khen-xa", "Giấy khen của Chủ tịch Ủy ban nhân dân xã, phường", "giay_khen", False, LOCAL, "CHỦ TỊCH ỦY BAN NHÂN DÂN", "0.15", "0.30", [], f"{LAW}, Điều 80 khoản 3; mức thưởng: {DECREE}", True, "open", 50, 50, True, "present", False),
    ("giay-khen-so", "Giấy khen của Giám đốc Sở", "giay_khen", False, ["department"], "GIÁM ĐỐC SỞ", "0.15", "0.30", [], f"{LAW}, Điều 80 khoản 1; mức thưởng: {DECREE}", True, "open", 50, 50, True, "present", False),
    ("giay-khen-doanh-nghiep", "Giấy khen của Giám đốc doanh nghiệp, hợp tác xã", "giay_khen", False, ["enterprise", "cooperative"], "GIÁM ĐỐC", "0.15", "0.30", [], f"{LAW}, Điều 80 khoản 4; mức thưởng: {DECREE}", True, "open", 50, 50, True, "present", False),
    ("bang-khen-tinh", "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố", "bang_khen", False, ["province"], "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ", "1.00", "2.00", [], f"{LAW}; mức thưởng: {DECREE}", True, "open", 50, 50, True, "present", False),
    ("giay-khen-bdhvs", "Giấy khen của Chủ tịch Ủy ban nhân dân xã về thành tích trong phong trào “Bình dân học vụ số”", "giay_khen", True, LOCAL, "CHỦ TỊCH ỦY BAN NHÂN DÂN", "0.15", "0.30", [], f"{LAW}, Điều 16 (thi đua theo chuyên đề), Điều 80 khoản 3; mức thưởng: {DECREE}", True, "open", 50, 50, True, "present", False),
    ("bang-khen-bdhvs", "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố về thành tích xuất sắc trong phong trào “Bình dân học vụ số”", "bang_khen", True, ["province"], "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ", "1.00", "2.00", [], f"{LAW}, Điều 16 (thi đua theo chuyên đề); mức thưởng: {DECREE}", True, "secret", 50, 50, True, "present", False),
    ("lao-dong-tien-tien", "Lao động tiên tiến", "title", False, LOCAL + HEADS, "", "0.30", None, [], f"{LAW}, Điều 80 khoản 1, 3, 4; {DECREE}, Điều 54 (0,3 lần mức lương cơ sở)", True, "open", 50, 50, True, "present", False),
    ("chien-si-thi-dua-co-so", "Chiến sĩ thi đua cơ sở", "title", False, LOCAL + HEADS, "", "1.00", None, [], f"{LAW}, Điều 23, Điều 80 khoản 1, 4 (cấp xã: theo Nghị định 152/2025/NĐ-CP, chưa kiểm chứng); {DECREE}, Điều 54 (1,0 lần)", True, "secret", 67, 50, True, "all", True),
    ("chien-si-thi-dua-tinh", "Chiến sĩ thi đua thành phố", "title", False, ["province"], "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ", "3.00", None, [], f"{LAW}, Điều 22; {DECREE}, Điều 54 (3,0 lần); phiếu kín, từ 90% tổng số thành viên (quy tắc cũ của Nghị định 91/2017/NĐ-CP Điều 45 khoản 8: theo quy chế của thành phố)", True, "secret", 67, 90, False, "all", True),
    ("tap-the-lao-dong-tien-tien", "Tập thể lao động tiên tiến", "title", False, LOCAL + HEADS, "", None, "0.80", ["office", "school", "village", "residential_group", "youth_branch", "digital_team", "cooperative", "enterprise", "party_cell", "women_union", "farmers_union"], f"{LAW}, Điều 80 khoản 1, 4; {DECREE}, Điều 54 (0,8 lần)", True, "open", 50, 50, True, "present", False),
    ("thon-van-hoa", "Thôn, tổ dân phố văn hóa", "title", False, LOCAL, "CHỦ TỊCH ỦY BAN NHÂN DÂN", None, "1.50", ["village", "residential_group"], f"{LAW}, Điều 80 khoản 2 (thẩm quyền cấp huyện cũ: theo Nghị định 152/2025/NĐ-CP, chưa kiểm chứng); {DECREE}, Điều 54 (1,5 lần)", True, "open", 50, 50, True, "present", False),
    ("xa-tieu-bieu", "Xã, phường tiêu biểu", "title", False, ["province"], "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ", None, "2.00", ["commune", "ward"], f"{LAW}; {DECREE}, Điều 54 (2,0 lần); Nghị định 152/2025/NĐ-CP", True, "secret", 67, 50, True, "all", True),
]


def seed(apps, schema_editor):
    AwardType = apps.get_model("commendations", "AwardType")
    for order, row in enumerate(TYPES):
        (code, name, form, thematic, kinds, signer, person, collective, unit_kinds,
         legal, vote, ballot, quorum, threshold, strict, denominator, written) = row
        AwardType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "form": form,
                "thematic": thematic,
                "authority_kinds": kinds,
                "authority_title": signer,
                "individual_multiplier": Decimal(person) if person else None,
                "collective_multiplier": Decimal(collective) if collective else None,
                "unit_kinds": unit_kinds,
                "legal_reference": legal,
                "council_vote": vote,
                "ballot": ballot,
                "quorum_percent": quorum,
                "threshold_percent": threshold,
                "threshold_strict": strict,
                "denominator": denominator,
                "written_opinions": written,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("commendations", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
