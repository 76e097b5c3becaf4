VI = {
    "This form is out of date or incomplete. Reload the page, fill it in again and send it.": "Biểu mẫu này đã cũ hoặc chưa đầy đủ. Tải lại trang, điền lại rồi gửi.",
    "This form is still being processed. Wait a moment, then open the page again to see the result; there is no need to send it again.": "Biểu mẫu đang được xử lý. Chờ một lát rồi mở lại trang để xem kết quả; không cần gửi lại.",
    "This form had already been sent; nothing was changed.": "Biểu mẫu này đã được gửi trước đó; không có gì thay đổi.",
    "The form was not sent": "Biểu mẫu chưa được gửi",
    "Open the page again": "Mở lại trang",
    "being processed": "đang xử lý",
    "done": "đã xong",
    "sent form": "biểu mẫu đã gửi",
    "sent forms": "biểu mẫu đã gửi",
    "This form was already used. Open the submission from your list to change it, or start a new one.": "Biểu mẫu này đã được dùng. Mở thành tích trong danh sách của bạn để sửa, hoặc tạo thành tích mới.",
}
VI.update(
    {
        "A photo looks the same as evidence sent by a unit outside your area; ask the reviewer above you to compare them.": "Một ảnh giống minh chứng của một đơn vị ngoài phạm vi của bạn; đề nghị cán bộ thẩm định cấp trên đối chiếu.",
    }
)
VI.update(
    {
        "Nothing is at this address; check it against the API document.": "Không có gì ở địa chỉ này; hãy đối chiếu với tài liệu API.",
        "This address does not take %(method)s; use %(allowed)s.": "Địa chỉ này không nhận %(method)s; hãy dùng %(allowed)s.",
    }
)
