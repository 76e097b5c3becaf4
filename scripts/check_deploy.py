"""Run Django's deployment check with the production settings .env.example documents.

`make test` runs this before the suite: the example a province copies must pass
`manage.py check --deploy --fail-level WARNING`. The placeholder SECRET_KEY is
replaced by a random one; nothing else from the calling environment leaks in (a
developer's DEBUG=1 would hide what production gets). Extra KEY=VALUE arguments
override the file, e.g. `python scripts/check_deploy.py SECURE_COOKIES=0`.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_env(overrides: list[str]) -> dict[str, str]:
    env = {"PATH": os.environ["PATH"]}
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    for line in [*lines, *overrides]:
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    if env.get("SECRET_KEY", "").startswith("change-me"):
        env["SECRET_KEY"] = secrets.token_urlsafe(50)
    return env


def main(argv: list[str]) -> int:
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=production_env(argv),
        cwd=ROOT,
    ).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
