"""Public reads from a PostgreSQL read replica; every write on the primary.

With DATABASE_REPLICA_URL set, the database alias "replica" exists and
ReplicaRouter (settings.DATABASE_ROUTERS) sends a read there only while a view
marked @public_read answers a visitor without a session cookie: the anonymous
board pages and JSON the crowd reads. Everything else reads the primary, and so
does anything inside a transaction, so a person never reads a page older than
what they just did (a replica lags its primary by milliseconds to seconds).
Writes always go to the primary; migrations run there only.
"""

import contextvars
import functools

from django.conf import settings
from django.db import connections

REPLICA = "replica"

_public = contextvars.ContextVar("public_read", default=False)


def public_read(view):
    """Let an anonymous visitor's reads in this view go to the replica."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return view(request, *args, **kwargs)
        token = _public.set(True)
        try:
            return view(request, *args, **kwargs)
        finally:
            _public.reset(token)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _public.get()
            and REPLICA in settings.DATABASES
            and not connections["default"].in_atomic_block
        ):
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
