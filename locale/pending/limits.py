"""Vietnamese for the request limits, the completion API's refusals and PDF cleaning."""

VI = {
    "Too much sent at once": "Gửi quá nhiều trong một lần",
    "What you sent is larger than this page accepts (%(size)s at most in one sending), so nothing was saved.": "Nội dung bạn gửi lớn hơn mức trang này nhận (tối đa %(size)s trong một lần gửi), nên chưa có gì được lưu.",
    "Go back, choose fewer or smaller files and send again. A saved draft takes more photos later: open it and add the rest.": "Hãy quay lại, chọn ít tệp hơn hoặc tệp nhỏ hơn rồi gửi lại. Bản nháp đã lưu có thể thêm ảnh sau: mở bản nháp và thêm các ảnh còn lại.",
    "%(size)s MB": "%(size)s MB",
    "The body is larger than %(size)s; send less in one request.": "Nội dung yêu cầu lớn hơn %(size)s; hãy gửi ít hơn trong mỗi yêu cầu.",
    "Text in the body contains a NUL character (\\u0000) or a lone surrogate; remove it and send again.": "Văn bản trong nội dung có ký tự NUL (\\u0000) hoặc ký tự thay thế (surrogate) đứng lẻ; hãy bỏ ký tự đó rồi gửi lại.",
    "The JSON is nested more than %(depth)d levels deep; send flat items.": "JSON lồng nhau sâu hơn %(depth)d cấp; hãy gửi các mục phẳng.",
    "Too many wrong tokens from your address; wait %(minutes)d minutes, then send the right token.": "Địa chỉ của bạn đã gửi quá nhiều mã truy cập (token) sai; hãy đợi %(minutes)d phút rồi gửi đúng mã.",
    "“%(name)s” has too many pixels for a PNG or WebP picture (at most %(limit)d megapixels). Send it as a JPEG photo or make it smaller.": "“%(name)s” có quá nhiều điểm ảnh đối với ảnh PNG hoặc WebP (tối đa %(limit)d megapixel). Hãy gửi dưới dạng ảnh JPEG hoặc thu nhỏ ảnh.",
    "“%(name)s” is protected by a password. Save or print it as a PDF without a password and send it again.": "“%(name)s” được bảo vệ bằng mật khẩu. Hãy lưu hoặc in thành tệp PDF không có mật khẩu rồi gửi lại.",
    "“%(name)s” is damaged or not a PDF we can read. Export it as a PDF again and send it again.": "“%(name)s” bị hỏng hoặc không phải tệp PDF đọc được. Hãy xuất lại thành tệp PDF rồi gửi lại.",
}
