"""Vietnamese for the boards and flags part of issue 10 (h-boards)."""

VI = {
    "%(count)d submissions from this unit within %(minutes)d minutes; in the past "
    "%(days)d days it sent about %(usual)s in an hour when it sent any.": (
        "Đơn vị gửi %(count)d báo cáo trong vòng %(minutes)d phút; trong "
        "%(days)d ngày qua, mỗi giờ có gửi, đơn vị thường chỉ gửi khoảng "
        "%(usual)s báo cáo."
    ),
    "%(count)d submissions from this unit within %(minutes)d minutes; it sent "
    "none in the past %(days)d days.": (
        "Đơn vị gửi %(count)d báo cáo trong vòng %(minutes)d phút, trong khi "
        "%(days)d ngày qua không gửi báo cáo nào."
    ),
}
