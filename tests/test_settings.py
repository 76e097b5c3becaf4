"""Settings come from the environment and fail loudly on nonsense."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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


def _check_deploy():
    """scripts/check_deploy.py, which `make test` runs before the suite."""
    path = ROOT / "scripts" / "check_deploy.py"
    spec = importlib.util.spec_from_file_location("check_deploy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "weakened, warning",
    [
        ("SECURE_COOKIES=0", "security.W012"),
        ("SECURE_SSL_REDIRECT=0", "security.W008"),
        ("SECURE_HSTS_SECONDS=0", "security.W004"),
        ("SECRET_KEY=short", "security.W009"),
    ],
)
def test_the_deploy_check_of_make_test_fails_on_weakened_settings(
    weakened, warning, capfd
):
    # `make test` runs the check on .env.example and needs it to pass; here it is
    # shown to fail when one of the settings it rests on is weakened.
    assert _check_deploy().main([weakened]) == 1
    assert warning in capfd.readouterr().err


def test_production_redirects_plain_http_but_not_the_proxys_health_check(tmp_path):
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "c = Client(HTTP_HOST='thiduaso.example.gov.vn', raise_request_exception=False);"
        "print(c.get('/').status_code, c.get('/').get('Location'),"
        " c.get('/api/v1/openapi.json', headers={'x-forwarded-proto': 'https'}).status_code,"
        " c.get('/healthz').status_code)"
    )
    env = _check_deploy().production_env(
        [
            "DJANGO_SETTINGS_MODULE=config.settings",
            f"DATABASE_URL=sqlite:///{tmp_path}/db",
        ]
    )

    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )

    assert result.returncode == 0, result.stderr
    redirect, location, proxied, health = result.stdout.split()
    assert (redirect, location) == ("301", "https://thiduaso.example.gov.vn/")
    # The health check answers for itself (503 here: no Redis on the example URL).
    assert proxied == "200" and health in ("200", "503"), result.stdout


def test_the_demo_runs_with_debug_off_on_this_machine_only():
    script = (
        "import config.settings as s; "
        "print(s.DEBUG, s.DEMO, s.ALLOWED_HOSTS, getattr(s, 'SECURE_SSL_REDIRECT', False))"
    )
    run = lambda **env: subprocess.run(  # noqa: E731
        [sys.executable, "-c", script],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )

    demo = run(DEBUG="0", DEMO="1")
    public = run(DEBUG="0", DEMO="1", ALLOWED_HOSTS="thiduaso.example.gov.vn")

    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.split(" ", 2)[:2] == ["False", "True"]
    assert "'localhost'" in demo.stdout and demo.stdout.strip().endswith("False")
    assert public.returncode != 0 and "only on this machine" in public.stderr
