"""Vietnamese for texts added while merging the session's branches."""

VI = {
    "The campaign is closed: nothing more can be checked in.": (
        "Chiến dịch đã kết thúc: không thể điểm danh thêm."
    ),
    "Only members of a branch taking part in this campaign can check in. Ask your "
    "branch's secretary to enrol the branch.": (
        "Chỉ thành viên của chi đoàn tham gia chiến dịch mới điểm danh được. Hãy đề "
        "nghị bí thư chi đoàn đăng ký chi đoàn tham gia."
    ),
    "Recent reports": "Báo cáo gần đây",
}
