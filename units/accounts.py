"""Sign-in: allauth's account adapter, with the failed sign-in lock kept per account.

allauth counts failed sign-ins under the identifier as typed (lower-cased), so an
account reached by its username and by its e-mail address had two counters: five
wrong passwords as the username and five more as the e-mail were all checked, and
the right one got in through the e-mail while the username was locked. Here the
counter is the account's, whatever identifier, letter case or address it is tried
with; an identifier that names no account gets a counter of its own, so it is locked
after the same number of failures and answers exactly like a real one.
"""

import unicodedata

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import filter_users_by_email, filter_users_by_username

# The limiter allauth's own adapter consumes in pre_authenticate(); the tests of
# tests/units/test_sign_in.py fail if a new allauth changes how it is called.
from allauth.core.internal import ratelimit

from .landing import landing_url

ACTION = "login_failed"


def accounts_tried_with(identifier: str) -> list[int]:
    """Ids of every account a password typed with this identifier is checked against.

    The backends try the identifier as an e-mail address and as a username (Django's
    exactly, allauth's whatever the letter case), so both lookups are made, and a
    username that looks like someone else's e-mail address counts for both accounts.
    """
    identifier = identifier.strip()
    if not identifier:
        return []
    # allauth's lookup ignores letter case, so it finds Django's exact one too.
    found = set(filter_users_by_username(identifier).values_list("pk", flat=True))
    if "@" in identifier:
        found |= {user.pk for user in filter_users_by_email(identifier)}
    return sorted(found)


def failure_keys(identifier: str) -> list[str]:
    """The counters a failed sign-in with this identifier counts on."""
    accounts = accounts_tried_with(identifier)
    if accounts:
        return [f"account:{pk}" for pk in accounts]
    # No account: a counter of the identifier itself, folded the way people vary
    # it, so an unknown name is locked after as many failures as a real one.
    folded = unicodedata.normalize("NFKC", identifier.strip()).casefold()
    return [f"unknown:{folded}"]


def _rates(per: str) -> dict[str, str]:
    """The login_failed limits counted per `per` ("ip" or "key"), as a config."""
    configured = app_settings.RATE_LIMITS.get(ACTION) or ""
    rates = [r.strip() for r in configured.split(",") if r.strip()]
    return {ACTION: ",".join(r for r in rates if ratelimit.parse_rate(r).per == per)}


def _identifier(credentials) -> str:
    return credentials.get("email") or credentials.get("username") or ""


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        """Land where the role's work is (units/landing.py), unless `next` says."""
        return landing_url(request.user)

    def authenticate(self, request, **credentials):
        """Check the password once per account the identifier reaches.

        An identifier that looks like an e-mail address comes as both `email` and
        `username`; allauth's backend tries the username as an e-mail address
        first anyway, and with both it checked a known address's password twice:
        three hashes for a known address against two for an unknown one, a clock
        that told which addresses have accounts.
        """
        if credentials.get("email") and credentials["email"] == credentials.get(
            "username"
        ):
            credentials.pop("email")
        return super().authenticate(request, **credentials)

    def pre_authenticate(self, request, **credentials) -> None:
        """Count this attempt on the address and on every account it can reach.

        allauth's own version consumes one counter keyed by the typed identifier;
        this consumes the per-address limits once and the per-key limits once per
        account, and keeps every usage so that a successful sign-in gives them back
        (allauth's authenticate() calls _rollback_login_failed_rl_usage then).
        """
        usages = []
        counters = [(_rates("ip"), None)] + [
            (_rates("key"), key) for key in failure_keys(_identifier(credentials))
        ]
        for config, key in counters:
            usage = ratelimit.consume(
                request, app="allauth.account", action=ACTION, config=config, key=key
            )
            if usage is None:
                # What was counted stays counted, as in allauth: hammering a
                # locked account still uses up the address's allowance.
                self._login_failed_rl_usage = None
                raise self.validation_error("too_many_login_attempts")
            usages.append(usage)
        self._login_failed_rl_usage = ratelimit.RateLimitUsage(
            usage=[single for usage in usages for single in usage.usage]
        )

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        # allauth calls this for each of a user's addresses after a password reset:
        # the reset proves the owner, so the account's counter starts again.
        for key in failure_keys(_identifier(credentials)):
            ratelimit.clear(
                request,
                app="allauth.account",
                action=ACTION,
                config=_rates("key"),
                key=key,
            )
