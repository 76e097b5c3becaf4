"""The settings of the browser tests' server: `make run`'s, with the tests' password
hasher.

The real hasher costs half a second of a core per sign-in, on purpose; the browser
journeys sign in about fifty times a run, and the suite's users are hashed with MD5
(tests/conftest.py), so the server must read MD5 hashes. The deployment's own test
(tests/deploy) keeps the real hasher on both sides.
"""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
