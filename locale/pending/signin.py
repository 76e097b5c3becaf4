"""Vietnamese for issue 10, "sign-in and codes that can't be walked around"
(branch h-signin): invite codes, rotating check-in codes, outside check-ins."""

VI = {
    # Mentor invite codes
    "This code has a typo: check each character against your mentor's code.": (
        "Mã này gõ nhầm một ký tự: hãy so từng ký tự với mã của người hướng dẫn."
    ),
    "A code has 12 characters: digits and the letters B C F G H J K M N P R S T V X Z. Check it and type it again.": (
        "Mã gồm 12 ký tự: chữ số và các chữ cái B C F G H J K M N P R S T V X Z. "
        "Hãy kiểm tra và gõ lại."
    ),
    "Too many wrong codes have been typed; try again later, or ask your mentor for the invite link or QR code, which always work.": (
        "Đã có quá nhiều mã sai được nhập; hãy thử lại sau, hoặc xin người hướng dẫn "
        "đường dẫn hay mã QR của lời mời, hai cách này luôn dùng được."
    ),
    "This code brings no invite: it is wrong, expired or already used. Check it, or ask your mentor for a new invite.": (
        "Mã này không mở được lời mời nào: mã sai, đã hết hạn hoặc đã được dùng. "
        "Hãy kiểm tra lại, hoặc xin người hướng dẫn một lời mời mới."
    ),
    "The 12-character code from your mentor": "Mã 12 ký tự do người hướng dẫn đưa",
    "For example 7KX9 F2M4 PR05: spaces and letter case do not matter.": (
        "Ví dụ 7KX9 F2M4 PR05: khoảng trắng và chữ hoa, chữ thường không quan trọng."
    ),
    "With the invite link or QR code you need no code.": (
        "Nếu có đường dẫn hoặc mã QR của lời mời thì không cần nhập mã."
    ),
    "Or the code:": "Hoặc mã:",
    # Class check-in
    "A class check-in is confirmed by the officer of its session.": (
        "Việc điểm danh tại lớp do cán bộ phụ trách buổi học xác nhận."
    ),
    "This check-in code has expired. Ask the officer to show the current code and scan it again.": (
        "Mã điểm danh này đã hết hạn. Hãy nhờ cán bộ chiếu mã hiện tại rồi quét lại."
    ),
    "%(name)s, who is not registered in %(area)s, checked in at “%(title)s”: confirm or refuse.": (
        "%(name)s, người không đăng ký ở %(area)s, đã điểm danh tại “%(title)s”: "
        "hãy xác nhận hoặc từ chối."
    ),
    "This check-in is not one of this session's.": (
        "Lượt điểm danh này không thuộc buổi học này."
    ),
    "The session's officer did not confirm it.": (
        "Cán bộ phụ trách buổi học không xác nhận."
    ),
    "%(name)s's check-in is confirmed and credited.": (
        "Đã xác nhận và ghi điểm lượt điểm danh của %(name)s."
    ),
    "%(name)s's check-in is refused.": "Đã từ chối lượt điểm danh của %(name)s.",
    "Your check-in is recorded. You are not registered in the commune that holds this class, so the officer will confirm it before it counts.": (
        "Đã ghi nhận lượt điểm danh. Bạn không đăng ký ở xã tổ chức lớp học này, "
        "nên cán bộ sẽ xác nhận trước khi được tính."
    ),
    "Show it on the projector": "Chiếu lên màn hình",
    "The code changes every 30 seconds, so a photo of it sent to others soon stops working.": (
        "Mã đổi sau mỗi 30 giây, nên ảnh chụp mã gửi cho người khác sẽ sớm hết hiệu lực."
    ),
    "Check-ins to confirm": "Lượt điểm danh cần xác nhận",
    "These learners checked in but are not registered in %(area)s. Confirm only those you saw in the class; they are credited when you confirm.": (
        "Những học viên này đã điểm danh nhưng không đăng ký ở %(area)s. Chỉ xác nhận "
        "người bạn đã thấy có mặt tại lớp; họ được ghi điểm khi bạn xác nhận."
    ),
    "Refuse": "Từ chối",
    "Scan to check in": "Quét mã để điểm danh",
    "The code changes every 30 seconds: scan the one on the screen now.": (
        "Mã đổi sau mỗi 30 giây: hãy quét mã đang hiện trên màn hình."
    ),
}
