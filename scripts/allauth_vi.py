"""Vietnamese for the django-allauth pages we use (allauth ships no Vietnamese).

Run `python scripts/allauth_vi.py` after upgrading allauth: it rebuilds
locale_vendor/vi/LC_MESSAGES/django.po from allauth's English catalogue and the
translations below, then compiles it. A msgid allauth changed is reported.
"""

from pathlib import Path

import allauth
import polib

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(allauth.__file__).parent / "locale/en/LC_MESSAGES/django.po"
TARGET = ROOT / "locale_vendor/vi/LC_MESSAGES/django.po"

VI = {
    "This account is currently inactive.": "Tài khoản này hiện đang bị khóa.",
    "This account is inactive.": "Tài khoản này đang bị khóa.",
    "Account Inactive": "Tài khoản bị khóa",
    "You cannot remove your primary email address.": "Bạn không thể xóa địa chỉ email chính.",
    "This email address is already associated with this account.": "Địa chỉ email này đã gắn với tài khoản của bạn.",
    "The email address and/or password you specified are not correct.": "Email hoặc mật khẩu không đúng. Hãy kiểm tra lại.",
    "A user is already registered with this email address.": "Đã có tài khoản dùng địa chỉ email này.",
    "Please type your current password.": "Hãy nhập mật khẩu hiện tại.",
    "Incorrect password.": "Mật khẩu không đúng.",
    "Invalid or expired key.": "Mã không hợp lệ hoặc đã hết hạn.",
    "Invalid login.": "Đăng nhập không hợp lệ.",
    "The password reset token was invalid.": "Liên kết đặt lại mật khẩu không hợp lệ.",
    "You cannot add more than %d email addresses.": "Bạn không thể thêm quá %d địa chỉ email.",
    "Too many failed login attempts. Try again later.": "Quá nhiều lần đăng nhập sai. Hãy thử lại sau ít phút, hoặc dùng “Quên mật khẩu?”.",
    "The email address is not assigned to any user account.": "Không có tài khoản nào dùng địa chỉ email này.",
    "Your primary email address must be verified.": "Địa chỉ email chính của bạn phải được xác minh.",
    "Username can not be used. Please use other username.": "Không dùng được tên đăng nhập này. Hãy chọn tên khác.",
    "The username and/or password you specified are not correct.": "Tên đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra lại.",
    "The new value must be different from the current one.": "Giá trị mới phải khác giá trị hiện tại.",
    "Be patient, you are sending too many requests.": "Bạn đang gửi quá nhiều yêu cầu. Hãy chờ một lát rồi thử lại.",
    "Email": "Email",
    "You must type the same password each time.": "Hai lần nhập mật khẩu phải giống nhau.",
    "Password": "Mật khẩu",
    "Remember Me": "Ghi nhớ đăng nhập",
    "Username": "Tên đăng nhập",
    # The label of the login field, which takes a username or an email.
    "Login": "Tên đăng nhập hoặc email",
    "Username or email": "Tên đăng nhập hoặc email",
    "Forgot your password?": "Quên mật khẩu?",
    "Email (again)": "Email (nhập lại)",
    "Email address confirmation": "Xác nhận địa chỉ email",
    "Email (optional)": "Email (không bắt buộc)",
    "Username (optional)": "Tên đăng nhập (không bắt buộc)",
    "You must type the same email each time.": "Hai lần nhập email phải giống nhau.",
    "Password (again)": "Mật khẩu (nhập lại)",
    "Current Password": "Mật khẩu hiện tại",
    "New Password": "Mật khẩu mới",
    "New Password (again)": "Mật khẩu mới (nhập lại)",
    "user": "người dùng",
    "email address": "địa chỉ email",
    "verified": "đã xác minh",
    "primary": "chính",
    "email addresses": "địa chỉ email",
    "created": "tạo lúc",
    "sent": "gửi lúc",
    "email confirmation": "xác nhận email",
    "email confirmations": "xác nhận email",
    "Cancel": "Hủy",
    "Confirm": "Xác nhận",
    "Sign In": "Đăng nhập",
    "Password Reset": "Đặt lại mật khẩu",
    "Email Addresses": "Địa chỉ email",
    "The following email addresses are associated with your account:": "Các địa chỉ email gắn với tài khoản của bạn:",
    "Verified": "Đã xác minh",
    "Unverified": "Chưa xác minh",
    "Primary": "Chính",
    "Make Primary": "Đặt làm chính",
    "Re-send Verification": "Gửi lại email xác minh",
    "Remove": "Xóa",
    "Add Email Address": "Thêm địa chỉ email",
    "Add Email": "Thêm email",
    "Do you really want to remove the selected email address?": "Bạn có chắc muốn xóa địa chỉ email đã chọn?",
    "You are receiving this email because you or someone else tried to signup for an\naccount using email address:\n\n%(email)s\n\nHowever, an account using that email address already exists.  In case you have\nforgotten about this, please use the password forgotten procedure to recover\nyour account:\n\n%(password_reset_url)s": "Bạn nhận được thư này vì bạn hoặc ai đó đã đăng ký tài khoản\nbằng địa chỉ email:\n\n%(email)s\n\nNhưng đã có tài khoản dùng địa chỉ này. Nếu bạn quên, hãy dùng chức năng\nquên mật khẩu để lấy lại tài khoản:\n\n%(password_reset_url)s",
    "Account Already Exists": "Tài khoản đã tồn tại",
    "Hello from %(site_name)s!": "Xin chào từ %(site_name)s!",
    "Thank you for using %(site_name)s!\n%(site_domain)s": "Cảm ơn bạn đã sử dụng %(site_name)s!\n%(site_domain)s",
    "You are receiving this mail because the following change was made to your account:": "Bạn nhận được thư này vì tài khoản của bạn vừa có thay đổi sau:",
    "If you do not recognize this change then please take proper security precautions immediately. The change to your account originates from:\n\n- IP address: %(ip)s\n- Browser: %(user_agent)s\n- Date: %(timestamp)s": "Nếu không phải bạn thực hiện thay đổi này, hãy đổi mật khẩu ngay. Thay đổi đến từ:\n\n- Địa chỉ IP: %(ip)s\n- Trình duyệt: %(user_agent)s\n- Thời gian: %(timestamp)s",
    "Your email has been changed from %(from_email)s to %(to_email)s.": "Email của bạn đã đổi từ %(from_email)s sang %(to_email)s.",
    "Email Changed": "Đã đổi email",
    "Your email has been confirmed.": "Email của bạn đã được xác nhận.",
    "Email Confirmation": "Xác nhận email",
    "You're receiving this email because user %(user_display)s has given your email address to register an account on %(site_domain)s.": "Bạn nhận được thư này vì người dùng %(user_display)s đã dùng địa chỉ email của bạn để đăng ký tài khoản trên %(site_domain)s.",
    "To confirm this is correct, go to %(activate_url)s": "Để xác nhận, hãy mở %(activate_url)s",
    "Please Confirm Your Email Address": "Hãy xác nhận địa chỉ email của bạn",
    "Email address %(deleted_email)s has been removed from your account.": "Địa chỉ email %(deleted_email)s đã được xóa khỏi tài khoản của bạn.",
    "Email Removed": "Đã xóa email",
    "This mail can be safely ignored if you did not initiate this action.": "Nếu bạn không thực hiện việc này, có thể bỏ qua thư này.",
    "Your password has been changed.": "Mật khẩu của bạn đã được thay đổi.",
    "Password Changed": "Đã đổi mật khẩu",
    "You're receiving this email because you or someone else has requested a password reset for your user account.\nIt can be safely ignored if you did not request a password reset. Click the link below to reset your password.": "Bạn nhận được thư này vì bạn hoặc ai đó đã yêu cầu đặt lại mật khẩu cho tài khoản của bạn.\nNếu bạn không yêu cầu, hãy bỏ qua thư này. Bấm vào liên kết dưới đây để đặt lại mật khẩu.",
    "In case you forgot, your username is %(username)s.": "Nếu bạn quên, tên đăng nhập của bạn là %(username)s.",
    "Password Reset Email": "Thư đặt lại mật khẩu",
    "Your password has been reset.": "Mật khẩu của bạn đã được đặt lại.",
    "Your password has been set.": "Mật khẩu của bạn đã được đặt.",
    "Password Set": "Đã đặt mật khẩu",
    "Email Address": "Địa chỉ email",
    "Current email": "Email hiện tại",
    "Changing to": "Đổi thành",
    "Your email address is still pending verification.": "Địa chỉ email của bạn vẫn đang chờ xác minh.",
    "Cancel Change": "Hủy thay đổi",
    "Change to": "Đổi thành",
    "Change Email": "Đổi email",
    "Confirm Email Address": "Xác nhận địa chỉ email",
    'Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email address for user %(user_display)s.': 'Hãy xác nhận <a href="mailto:%(email)s">%(email)s</a> là địa chỉ email của người dùng %(user_display)s.',
    "Unable to confirm %(email)s because it is already confirmed by a different account.": "Không thể xác nhận %(email)s vì địa chỉ này đã được một tài khoản khác xác nhận.",
    'This email confirmation link expired or is invalid. Please <a href="%(email_url)s">issue a new email confirmation request</a>.': 'Liên kết xác nhận đã hết hạn hoặc không hợp lệ. Hãy <a href="%(email_url)s">yêu cầu gửi lại thư xác nhận</a>.',
    "If you have not created an account yet, then please %(link)ssign up%(end_link)s first.": "Nếu chưa có tài khoản, hãy %(link)sđăng ký%(end_link)s trước.",
    "Sign Out": "Đăng xuất",
    "Are you sure you want to sign out?": "Bạn có chắc muốn đăng xuất?",
    "You cannot remove your primary email address (%(email)s).": "Bạn không thể xóa địa chỉ email chính (%(email)s).",
    "Confirmation email sent to %(email)s.": "Đã gửi thư xác nhận đến %(email)s.",
    "You have confirmed %(email)s.": "Bạn đã xác nhận %(email)s.",
    "Removed email address %(email)s.": "Đã xóa địa chỉ email %(email)s.",
    "Successfully signed in as %(name)s.": "Đã đăng nhập với tên %(name)s.",
    "You have signed out.": "Bạn đã đăng xuất.",
    "Password successfully changed.": "Đã đổi mật khẩu.",
    "Password successfully set.": "Đã đặt mật khẩu.",
    "Primary email address set.": "Đã đặt địa chỉ email chính.",
    "Change Password": "Đổi mật khẩu",
    "Forgot Password?": "Quên mật khẩu?",
    "Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it.": "Quên mật khẩu? Nhập địa chỉ email của bạn, chúng tôi sẽ gửi thư để bạn đặt lại mật khẩu.",
    "Reset My Password": "Đặt lại mật khẩu",
    "Please contact us if you have any trouble resetting your password.": "Nếu gặp khó khăn khi đặt lại mật khẩu, hãy liên hệ cán bộ đơn vị của bạn.",
    "We have sent you an email. If you have not received it please check your spam folder. Otherwise contact us if you do not receive it in a few minutes.": "Chúng tôi đã gửi thư cho bạn. Nếu chưa thấy, hãy xem thư mục thư rác; sau vài phút vẫn chưa có thì hãy liên hệ cán bộ đơn vị.",
    "Bad Token": "Liên kết không hợp lệ",
    'The password reset link was invalid, possibly because it has already been used.  Please request a <a href="%(passwd_reset_url)s">new password reset</a>.': 'Liên kết đặt lại mật khẩu không hợp lệ, có thể vì đã được dùng. Hãy <a href="%(passwd_reset_url)s">yêu cầu đặt lại mật khẩu</a> lần nữa.',
    "Your password is now changed.": "Mật khẩu của bạn đã được thay đổi.",
    "Set Password": "Đặt mật khẩu",
    "Signup": "Đăng ký",
    "Sign Up": "Đăng ký",
    "Already have an account? Then please %(link)ssign in%(end_link)s.": "Đã có tài khoản? Hãy %(link)sđăng nhập%(end_link)s.",
    "Sign Up Closed": "Đã đóng đăng ký",
    "We are sorry, but the sign up is currently closed.": "Rất tiếc, hiện chưa mở đăng ký.",
    "Note": "Lưu ý",
    "You are already logged in as %(user_display)s.": "Bạn đã đăng nhập với tên %(user_display)s.",
    "Warning:": "Cảnh báo:",
    "Verify Your Email Address": "Xác minh địa chỉ email",
    "We have sent an email to you for verification. Follow the link provided to finalize the signup process. If you do not see the verification email in your main inbox, check your spam folder. Please contact us if you do not receive the verification email within a few minutes.": "Chúng tôi đã gửi thư xác minh cho bạn. Bấm vào liên kết trong thư để hoàn tất đăng ký. Nếu không thấy thư trong hộp thư đến, hãy xem thư mục thư rác; sau vài phút vẫn chưa có thì hãy liên hệ cán bộ đơn vị.",
    "This part of the site requires us to verify that\nyou are who you claim to be. For this purpose, we require that you\nverify ownership of your email address. ": "Phần này của trang cần xác minh bạn đúng là chủ tài khoản.\nVì vậy, bạn cần xác minh địa chỉ email của mình. ",
    "We have sent an email to you for\nverification. Please click on the link inside that email. If you do not see the verification email in your main inbox, check your spam folder. Otherwise\ncontact us if you do not receive it within a few minutes.": "Chúng tôi đã gửi thư xác minh cho bạn.\nHãy bấm vào liên kết trong thư. Nếu không thấy thư trong hộp thư đến, hãy xem thư mục thư rác; sau vài phút\nvẫn chưa có thì hãy liên hệ cán bộ đơn vị.",
    '<strong>Note:</strong> you can still <a href="%(email_url)s">change your email address</a>.': '<strong>Lưu ý:</strong> bạn vẫn có thể <a href="%(email_url)s">đổi địa chỉ email</a>.',
    "Messages:": "Thông báo:",
    "Menu:": "Trình đơn:",
}


def main() -> None:
    source = polib.pofile(str(SOURCE))
    target = polib.POFile()
    target.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": "vi",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    known = {entry.msgid for entry in source}
    for msgid in sorted(set(VI) - known):
        print(f"allauth no longer has: {msgid[:70]!r}")
    for entry in source:
        if entry.msgid in VI and not entry.msgid_plural:
            target.append(
                polib.POEntry(
                    msgid=entry.msgid,
                    msgctxt=entry.msgctxt,
                    msgstr=VI[entry.msgid],
                    occurrences=entry.occurrences,
                )
            )
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    target.save(str(TARGET))
    target.save_as_mofile(str(TARGET.with_suffix(".mo")))
    print(f"{TARGET.relative_to(ROOT)}: {len(target)} entries")


if __name__ == "__main__":
    main()
