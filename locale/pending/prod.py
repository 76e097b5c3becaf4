"""Vietnamese for production (issue 16): the ledger's public seals page."""

VI = {
    "Seals of the points ledger": "Niêm phong sổ điểm",
    "Every minute, the points credited since the minute before are sealed into a block. Each block's digest covers its entries and the digest of the block before it, so changing, removing or adding a single entry afterwards changes every digest from that block on. Keep a copy of these digests: anyone can compare them later with an exported ledger file or with the platform's own check.": "Mỗi phút, các điểm được ghi từ phút trước được niêm phong thành một khối. Mã băm của mỗi khối bao gồm các dòng điểm của khối và mã băm của khối trước, nên việc sửa, xóa hay thêm dù chỉ một dòng điểm về sau sẽ làm thay đổi mọi mã băm từ khối đó trở đi. Hãy lưu lại các mã băm này: bất kỳ ai cũng có thể đối chiếu chúng sau này với tệp sổ điểm được xuất ra hoặc với bước kiểm tra của chính nền tảng.",
    "Latest block: no. %(number)s, sealed %(sealed)s.": "Khối mới nhất: số %(number)s, niêm phong lúc %(sealed)s.",
    "All digests as JSON": "Toàn bộ mã băm dạng JSON",
    "Sealed blocks, newest first": "Các khối đã niêm phong, mới nhất trước",
    "Block": "Khối",
    "Sealed": "Niêm phong lúc",
    "Entries": "Số dòng điểm",
    "Entry ids": "Mã dòng điểm",
    "Digest (SHA-256)": "Mã băm (SHA-256)",
    "Nothing is sealed yet.": "Chưa có khối nào được niêm phong.",
    "Pages": "Trang",
    "Newer": "Mới hơn",
    "Older": "Cũ hơn",
    "ledger block": "khối sổ điểm",
    "ledger blocks": "các khối sổ điểm",
}

PLURAL = {
    "%(waiting)s entry waits for the next seal.": [
        "%(waiting)s dòng điểm đang chờ lần niêm phong tiếp theo."
    ],
}
