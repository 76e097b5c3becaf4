"""Vietnamese for issue 12, part B (h-ui-b): phone layout, Vietnamese formats,
navigation and landing pages, reviewers' notifications and bulk approval."""

VI = {
    # Numbers
    "%(number)s%%": "%(number)s\u00a0%%",
    # Audit actions in words
    "Moved the unit under another parent unit": "Chuyển đơn vị sang đơn vị cấp trên khác",
    "Updated the unit's headcounts": "Cập nhật số người theo nhóm của đơn vị",
    "Reactivated the unit": "Cho đơn vị hoạt động trở lại",
    "Deactivated the unit": "Ngừng hoạt động đơn vị",
    "Reactivated a person": "Cho một người hoạt động trở lại",
    "Deactivated a person": "Ngừng hoạt động một người",
    "Started a submission (draft)": "Bắt đầu soạn thành tích (bản nháp)",
    "Sent a submission for review": "Gửi thành tích để thẩm định",
    "Approved a submission; its points were credited": "Duyệt thành tích và cộng điểm",
    "Rejected a submission": "Không duyệt thành tích",
    "Returned a submission for more evidence": "Trả lại thành tích để bổ sung minh chứng",
    "Appealed against a rejection": "Khiếu nại quyết định không duyệt",
    "Accepted an appeal; the submission's points were credited": (
        "Chấp nhận khiếu nại, duyệt thành tích và cộng điểm"
    ),
    "Kept a rejection after an appeal": "Giữ quyết định không duyệt sau khiếu nại",
    "Took back the points of a submission": "Thu hồi điểm của thành tích",
    "Recorded a completed training": "Ghi nhận hoàn thành khóa học",
    "Reported a completed training, to be reviewed": (
        "Báo cáo đã hoàn thành khóa học, chờ thẩm định"
    ),
    "Reviewed a reported completion": "Thẩm định báo cáo hoàn thành khóa học",
    "Confirmed a reported completion": "Xác nhận hoàn thành khóa học",
    "Did not confirm a reported completion": "Không xác nhận hoàn thành khóa học",
    "Opened a class session": "Mở buổi học",
    "Recorded attendees without their names": "Ghi nhận số học viên không ghi tên",
    "Recorded a list of completions from a file": (
        "Ghi nhận danh sách hoàn thành khóa học từ tệp"
    ),
    "Added a household": "Thêm hộ gia đình",
    "Added a person to a household": "Thêm người vào hộ gia đình",
    "Took a person out of a household": "Đưa một người ra khỏi hộ gia đình",
    "Recorded help given to citizens with VNeID": (
        "Ghi nhận hỗ trợ người dân kích hoạt VNeID"
    ),
    "Accepted a digital ambassador as mentor": "Nhận một Đại sứ số làm người hướng dẫn",
    "Connected a learning platform (a new token)": (
        "Kết nối nền tảng học tập (tạo mã truy cập mới)"
    ),
    "Disconnected a learning platform (token revoked)": (
        "Ngắt kết nối nền tảng học tập (thu hồi mã truy cập)"
    ),
    "Published a badge": "Công bố huy hiệu",
    "Started a new version of a badge": "Tạo phiên bản mới của huy hiệu",
    "Awarded a badge": "Trao huy hiệu",
    "Revoked a badge": "Thu hồi huy hiệu",
    # Audit log and history
    "What was done": "Việc đã làm",
    "Everything": "Tất cả",
    "Who": "Ai",
    "the platform": "hệ thống",
    "reason: %(reason)s": "lý do: %(reason)s",
    # Point rules in words
    "what one event is": "một lần tính là",
    "For example: class, course, session, initiative.": (
        "Ví dụ: lớp, khóa học, buổi chuyên đề, sáng kiến."
    ),
    "How points are counted": "Cách tính điểm",
    "%(points)s points per %(event)s, plus %(each)s points per %(unit)s (at most "
    "%(most)s %(unit)s counted per %(event)s)": (
        "%(points)s điểm mỗi %(event)s, cộng %(each)s điểm mỗi %(unit)s (tính tối "
        "đa %(most)s %(unit)s một %(event)s)"
    ),
    "%(points)s points per %(event)s": "%(points)s điểm mỗi %(event)s",
    "%(each)s points per %(unit)s (at most %(most)s %(unit)s counted per %(event)s)": (
        "%(each)s điểm mỗi %(unit)s (tính tối đa %(most)s %(unit)s một %(event)s)"
    ),
    "no points": "không tính điểm",
    "at most %(n)s %(event)s a %(period)s for each unit": (
        "tối đa %(n)s %(event)s mỗi %(period)s cho mỗi đơn vị"
    ),
    "at most %(n)s %(event)s a %(period)s for each person": (
        "tối đa %(n)s %(event)s mỗi %(period)s cho mỗi người"
    ),
    "%(points)s points for the %(event)s, plus %(each)s points for each %(unit)s "
    "(%(quantity)s %(unit)s)": (
        "%(points)s điểm cho %(event)s, cộng %(each)s điểm cho mỗi %(unit)s "
        "(%(quantity)s %(unit)s)"
    ),
    "%(points)s points for the %(event)s": "%(points)s điểm cho %(event)s",
    "%(each)s points for each %(unit)s (%(quantity)s %(unit)s)": (
        "%(each)s điểm cho mỗi %(unit)s (%(quantity)s %(unit)s)"
    ),
    "Approving credits %(points)s points.": "Nếu duyệt, sẽ cộng %(points)s điểm.",
    # Lists to choose from, without "---------"
    "Choose a competition": "Chọn đợt thi đua",
    "Choose a unit": "Chọn đơn vị",
    "Choose an activity": "Chọn hoạt động",
    "Nobody: the unit is credited": "Không chọn ai: điểm cộng cho đơn vị",
    "Choose a training": "Chọn khóa học",
    "Choose a class": "Chọn lớp học",
    "No trainer named": "Không ghi người dạy",
    "Nobody named: the unit is credited": "Không ghi tên: điểm cộng cho đơn vị",
    "Choose the new parent unit": "Chọn đơn vị cấp trên mới",
    # Error pages
    "The form could not be sent": "Biểu mẫu chưa gửi được",
    "The page was open for a long time, or your browser blocks cookies from this "
    "site, so the form was not accepted. Nothing was saved.": (
        "Trang đã mở quá lâu, hoặc trình duyệt đang chặn cookie của trang này, nên "
        "biểu mẫu không được nhận. Chưa có gì được lưu."
    ),
    "Open the page again, fill in the form and send it once more. If it happens "
    "again, allow cookies for this site.": (
        "Hãy mở lại trang, điền biểu mẫu và gửi lại. Nếu vẫn không được, hãy cho "
        "phép cookie cho trang này."
    ),
    # Navigation
    "All pages": "Tất cả các trang",
    "Why I have my points": "Vì sao tôi có số điểm này",
    "Administration": "Quản trị hệ thống",
    "Continue editing": "Soạn tiếp",
    # Reviewers hear of work
    "%(unit)s sent “%(title)s” for review.": "%(unit)s đã gửi “%(title)s” để thẩm định.",
    "%(unit)s appealed against the rejection of “%(title)s”.": (
        "%(unit)s khiếu nại quyết định không duyệt “%(title)s”."
    ),
    "%(person)s reported completing “%(title)s”.": (
        "%(person)s báo cáo đã hoàn thành “%(title)s”."
    ),
    # Approving several at once
    "Tick the submissions to approve first.": (
        "Hãy đánh dấu các thành tích cần duyệt trước."
    ),
    "Not approved: %(title)s, %(unit)s. %(why)s": "Chưa duyệt: %(title)s, %(unit)s. %(why)s",
    "Select": "Chọn",
    "No submission of a unit named “%(query)s” awaits your review.": (
        "Không có thành tích nào của đơn vị tên “%(query)s” đang chờ bạn thẩm định."
    ),
    "Open a submission to look at its evidence first. Appeals and flagged "
    "submissions are best decided one by one.": (
        "Hãy mở thành tích để xem minh chứng trước khi duyệt. Khiếu nại và thành "
        "tích có cảnh báo nên được quyết định riêng từng cái."
    ),
    "Approve the selected submissions": "Duyệt các thành tích đã chọn",
    # Searches
    "Type part of a name to search.": "Hãy gõ một phần tên để tìm.",
    "Only the first %(count)d characters were searched.": (
        "Chỉ tìm theo %(count)d ký tự đầu."
    ),
    # Choosing people with a thumb (static/js/pick.js)
    "Search by name": "Tìm theo tên",
    "{count} names match": "{count} người khớp",
    "No name matches; try fewer letters.": "Không có tên nào khớp; hãy gõ ít chữ hơn.",
    "The only match is chosen.": "Đã chọn người duy nhất khớp.",
    "Select everyone shown": "Chọn tất cả người đang hiện",
    "Select all": "Chọn tất cả",
    "Clear": "Bỏ chọn",
    "{count} selected": "Đã chọn {count}",
    "Choose a person or a unit": "Chọn người hoặc đơn vị",
    "Choose a badge": "Chọn huy hiệu",
    "No level": "Không chia cấp",
    # Percentages with the Vietnamese spaced sign, as everywhere else
    "%(digital)s of %(total)s households are digital (%(percent)s%%).": (
        "%(digital)s trên %(total)s hộ là “Gia đình số” (%(percent)s\u00a0%%)."
    ),
    "%(digital)s of %(total)s (%(percent)s%%)": (
        "%(digital)s trên %(total)s (%(percent)s\u00a0%%)"
    ),
    "At least %(n)s%% of the unit's %(group)s completed a training": (
        "Ít nhất %(n)s\u00a0%% %(group)s của đơn vị hoàn thành khóa học"
    ),
    "At least %(n)s%% of the unit's households are digital households": (
        "Ít nhất %(n)s\u00a0%% số hộ của đơn vị là “Gia đình số”"
    ),
}

PLURAL = {
    "%(count)s submission approved; its points are credited.": [
        "Đã duyệt %(count)s thành tích; điểm đã được cộng."
    ],
    "%(count)s ticked submission was not found in your area; nothing was done "
    "with it.": [
        "%(count)s thành tích đã chọn không có trong khu vực của bạn; không có gì "
        "thay đổi."
    ],
}
