"""What a restored backup must give back, as JSON: `python -m tests.restore_snapshot`.

Run in the original platform (in the test process) and in the restored one (a
process on the restored database and its own Redis): the two must be equal.
"""

import json
import os


def snapshot() -> dict:
    from badges.models import Assertion
    from commendations.models import AwardDecision
    from leaderboards.stores import get_store

    store = get_store()
    standings = {
        key: {str(member): points for member, points in sorted(scores.items())}
        for key, scores in store.scores_many(sorted(store.keys()))
        if scores
    }
    badges = sorted(
        [
            assertion.badge_class.slug,
            assertion.person_id,
            assertion.unit_id,
            assertion.level,
            assertion.revoked_at is not None,
            str(assertion.uid),
        ]
        for assertion in Assertion.objects.select_related("badge_class")
    )
    decisions = sorted(
        [
            str(decision.uid),
            decision.issuing_unit_id,
            decision.number,
            str(decision.signed_on),
            decision.signer_name,
            decision.subject,
            sorted(
                [
                    str(award.uid),
                    award.award_type.code,
                    award.recipient_name,
                    award.person_id,
                    award.unit_id,
                    str(award.reward_multiplier),
                    getattr(
                        getattr(award, "revocation", None), "decision_number", None
                    ),
                ]
                for award in decision.awards.select_related("award_type", "revocation")
            ),
        ]
        for decision in AwardDecision.objects.all()
    )
    return {"standings": standings, "badges": badges, "decisions": decisions}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    print(json.dumps(snapshot(), sort_keys=True))
