"""Run the reference Open Badges 2.0 validator (the `openbadges` package) offline.

Runs inside its own venv (old pins, see tests/browser/test_badge_validator.py).
The validator fetches the v2 JSON-LD context from w3id.org; it is answered from the
copy inside the package, and every other request goes to the live test server.
Prints the validator's report as JSON, plus our own revocation check (the
validator calls a hosted revoked badge valid: 1EdTech/openbadges-validator-core
#212, #236).

    python ob_verify.py URL_OR_PNG_PATH [RECIPIENT_URL]
"""

import json
import sys

import requests
import responses
from openbadges import verify
from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT


def main():
    target = sys.argv[1]
    recipient = {"url": sys.argv[2]} if len(sys.argv) > 2 else None
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(
            responses.GET,
            "https://w3id.org/openbadges/v2",
            json=OPENBADGES_CONTEXT_V2_DICT,
        )
        mock.add_passthru("http://127.0.0.1")
        mock.add_passthru("http://localhost")
        if target.startswith("http"):
            report = verify(target, recipient_profile=recipient)
            hosted = requests.get(target, headers={"Accept": "application/ld+json"})
        else:
            with open(target, "rb") as image:
                report = verify(image, recipient_profile=recipient)
            hosted = None
    revoked = False
    if hosted is not None:
        body = hosted.json() if hosted.content else {}
        revoked = hosted.status_code == 410 or bool(body.get("revoked"))
    print(
        json.dumps(
            {
                "valid": bool(report["report"]["valid"]),
                "errors": report["report"].get("errorCount"),
                "messages": [
                    m.get("result") for m in report["report"].get("messages", [])
                ],
                "revoked": revoked,
            }
        )
    )


if __name__ == "__main__":
    main()
