"""Each pytest-xdist worker talks to a Redis server of its own.

Redis's pub/sub ignores database numbers, and the boards' change channel is pub/sub:
two workers on one server would hear each other's board changes, and one worker's
FLUSHDB would empty the other's boards. scripts/with-services.sh starts one server per
core and names them REDIS_URL_GW0, REDIS_URL_GW1, ...; this module, loaded with `-p`
(pyproject.toml) before Django reads its settings, points REDIS_URL at the worker's
own. Outside xdist it does nothing.
"""

import os

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_own = os.environ.get(f"REDIS_URL_{_worker.upper()}") if _worker else None
if _own:
    os.environ["REDIS_URL"] = _own
