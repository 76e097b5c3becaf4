"""What the reports refuse, each with a message that says what to do; `status` is
the HTTP answer (404 outside one's scope, as for what does not exist)."""


class ReportError(Exception):
    status = 400

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class TooMany(ReportError):
    status = 429
