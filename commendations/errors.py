"""What a commendation step refuses, each with a message that says what to do.

`status` is the HTTP answer a view gives: 404 for what is outside the user's scope
(answered exactly like what does not exist), 403 for what the user may not do, 409
for a state that forbids it now, 400 for a form to correct.
"""


class CommendationError(Exception):
    status = 400

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NotFound(CommendationError):
    status = 404


class NotAllowed(CommendationError):
    status = 403


class WrongState(CommendationError):
    status = 409


class AboveAuthority(CommendationError):
    """An award the unit cannot decide: the nomination must be forwarded."""

    status = 409


class AlreadyVoted(CommendationError):
    status = 409


class ConflictOfInterest(CommendationError):
    status = 403


class NoQuorum(CommendationError):
    status = 409


class NotPassed(CommendationError):
    status = 409


class AlreadyDecided(CommendationError):
    status = 409
