"""Settings come from the environment and fail loudly on nonsense."""

import os
import subprocess
import sys

import pytest


def import_settings(**env):
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'])",
        ],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )


def test_defaults_run_on_sqlite_and_the_in_memory_layer():
    result = import_settings()

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
    ]


def test_redis_url_switches_to_the_redis_channel_layer():
    result = import_settings(REDIS_URL="redis://127.0.0.1:6379/0")

    assert "channels_redis.pubsub.RedisPubSubChannelLayer" in result.stdout


def test_database_url_selects_postgresql():
    result = import_settings(DATABASE_URL="postgres://u@127.0.0.1:5432/thidua")

    assert result.stdout.startswith("django.db.backends.postgresql")


@pytest.mark.parametrize(
    "env", [{"DEBUG": "maybe"}, {"DEBUG": "0"}, {"DATABASE_CONN_MAX_AGE": "ten"}]
)
def test_bad_or_missing_values_stop_the_start(env):
    result = import_settings(**env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_settings_pass_djangos_deploy_check():
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "-production-like-secret-key-of-fifty-chars-xyz",
        "ALLOWED_HOSTS": "thiduaso.example.gov.vn",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "SECURE_HSTS_PRELOAD": "1",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )

    assert result.returncode == 0, result.stderr
