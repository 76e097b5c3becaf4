"""Criteria as data: thresholds over facts the platform already records.

A criteria tree is JSON an administrator edits:

    {"all": [{"fact": "mentees_completed", "min": [5, 10, 20]},
             {"any": [{"fact": "points", "min": 100, "activity": "vneid-help"},
                      {"fact": "badges_held", "min": 1, "badges": ["cong-dan-so"]}]}]}

A leaf names a fact, its parameters and a threshold: one number, or one per level
(bronze, silver, gold) of the class. `board_rank` takes `top` (rank 1 is best)
instead of `min`. Validation refuses unknown facts and parameters, objects that do
not exist and thresholds that cannot be met, with a message an administrator can
act on; `describe` says a leaf in plain words.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.models import TargetGroup, Unit

MAX_LEAVES = 12
MAX_DEPTH = 4

# Event kinds: what changed, so that only the classes depending on it are evaluated.
LEDGER = "ledger"  # ledger entries were written (entries_recorded)
SUBMISSION = "submission"  # a submission was approved
COMPLETION = "completion"  # confirmed completions were recorded
HOUSEHOLD = "household"  # households gained members or turned digital
BADGE = "badge"  # badges were awarded
CLOSE = "close"  # a competition closed


@dataclass(frozen=True)
class Fact:
    name: str
    label: object
    recipients: frozenset
    events: frozenset
    params: tuple = ()
    required: tuple = ()
    percent: bool = False
    rank: bool = False
    # Unit facts sum over the unit's subtree (its villages, its teams) unless own.
    rollup: bool = True
    extra: dict = field(default_factory=dict)


PERSON = "person"
UNIT = "unit"
BOTH = frozenset({PERSON, UNIT})

FACTS: dict[str, Fact] = {
    fact.name: fact
    for fact in [
        Fact(
            "points",
            gettext_lazy("Points"),
            BOTH,
            frozenset({LEDGER}),
            params=("activity", "competition"),
        ),
        Fact(
            "approved_submissions",
            gettext_lazy("Approved achievements"),
            BOTH,
            frozenset({SUBMISSION}),
            params=("activity", "competition"),
        ),
        Fact(
            "completed_trainings",
            gettext_lazy("Trainings completed"),
            frozenset({PERSON}),
            frozenset({COMPLETION}),
            params=("framework", "area", "target_group", "training_kind"),
        ),
        Fact(
            "framework_areas",
            gettext_lazy("Skill areas of a framework covered"),
            frozenset({PERSON}),
            frozenset({COMPLETION}),
            params=("framework",),
            required=("framework",),
        ),
        Fact(
            "mentees_completed",
            gettext_lazy("Mentees who completed a training"),
            frozenset({PERSON}),
            frozenset({COMPLETION}),
        ),
        Fact(
            "household_digital",
            gettext_lazy("Member of a digital household"),
            frozenset({PERSON}),
            frozenset({HOUSEHOLD}),
        ),
        Fact(
            "people_trained",
            gettext_lazy("People who completed a training"),
            frozenset({UNIT}),
            frozenset({COMPLETION}),
            params=("framework", "area", "target_group", "training_kind"),
        ),
        Fact(
            "trained_share",
            gettext_lazy("Share of a target group trained"),
            frozenset({UNIT}),
            frozenset({COMPLETION}),
            params=("target_group", "framework"),
            required=("target_group",),
            percent=True,
        ),
        Fact(
            "digital_household_share",
            gettext_lazy("Share of digital households"),
            frozenset({UNIT}),
            frozenset({HOUSEHOLD}),
            percent=True,
        ),
        Fact(
            "badges_held",
            gettext_lazy("Other badges held"),
            BOTH,
            frozenset({BADGE}),
            params=("badges",),
            required=("badges",),
            rollup=False,
        ),
        Fact(
            "board_rank",
            gettext_lazy("Rank on a board at a competition's close"),
            BOTH,
            frozenset({CLOSE}),
            params=("competition", "entity", "scope"),
            required=("competition",),
            rank=True,
            rollup=False,
        ),
    ]
}


class CriteriaError(ValueError):
    """Criteria an administrator must fix; `messages` say what, in plain words."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]


def leaves(tree: dict) -> list[dict]:
    """The leaves of a criteria tree, in order (their index names them: l0, l1...)."""
    if not tree:
        return []
    if "fact" in tree:
        return [tree]
    found = []
    for child in tree.get("all") or tree.get("any") or []:
        found.extend(leaves(child))
    return found


def threshold(leaf: dict, level_index: int):
    """The leaf's threshold for the level (a number shared by every level, or one each)."""
    value = leaf.get("top") if FACTS[leaf["fact"]].rank else leaf.get("min")
    if isinstance(value, list):
        return value[level_index]
    return value


# --- validation ---------------------------------------------------------------


def validate(
    tree, *, recipient: str, levels: list, slug: str = "", resolve: bool = True
) -> None:
    """Raise CriteriaError unless the tree can be evaluated and met.

    `resolve` looks the named objects up (activity types, competitions,
    frameworks, badges); the data migration that seeds the classes skips it.
    """
    errors: list[str] = []
    if tree in (None, {}):
        return
    if not isinstance(tree, dict):
        raise CriteriaError([_('Criteria must be an object such as {"all": [...]}.')])
    level_count = max(len(levels), 1)
    _check_node(tree, 1, errors)
    found = leaves(tree) if not errors else []
    if len(found) > MAX_LEAVES:
        errors.append(
            _("At most %(count)d conditions in one badge.") % {"count": MAX_LEAVES}
        )
    for index, leaf in enumerate(found, start=1):
        for message in _check_leaf(
            leaf,
            recipient=recipient,
            level_count=level_count,
            slug=slug,
            resolve=resolve,
        ):
            errors.append(
                _("Condition %(number)d: %(problem)s")
                % {"number": index, "problem": message}
            )
    if errors:
        raise CriteriaError(errors)


def _check_node(node, depth: int, errors: list) -> None:
    if depth > MAX_DEPTH:
        errors.append(
            _("Criteria nest at most %(depth)d levels deep.") % {"depth": MAX_DEPTH}
        )
        return
    if not isinstance(node, dict):
        errors.append(_("Each condition must be an object."))
        return
    keys = {"all", "any", "fact"} & set(node)
    if len(keys) != 1:
        errors.append(_("Each condition has exactly one of “all”, “any” or “fact”."))
        return
    key = keys.pop()
    if key == "fact":
        return
    if set(node) != {key}:
        errors.append(_("“all” and “any” take only a list of conditions."))
        return
    children = node[key]
    if not isinstance(children, list) or not children:
        errors.append(
            _("“%(key)s” needs a non-empty list of conditions.") % {"key": key}
        )
        return
    for child in children:
        _check_node(child, depth + 1, errors)


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_threshold(leaf: dict, fact: Fact, level_count: int, extra_max=None) -> list:
    key = "top" if fact.rank else "min"
    other = "min" if fact.rank else "top"
    if other in leaf:
        return [
            _("“%(fact)s” takes “%(key)s”, not “%(other)s”.")
            % {"fact": fact.name, "key": key, "other": other}
        ]
    if key not in leaf:
        return [
            _("“%(fact)s” needs a threshold “%(key)s”.")
            % {"fact": fact.name, "key": key}
        ]
    value = leaf[key]
    if fact.name == "framework_areas" and value == "all":
        return []
    values = value if isinstance(value, list) else [value]
    if isinstance(value, list) and len(value) != level_count:
        return [
            _("Give one threshold per level (%(count)d), or a single number.")
            % {"count": level_count}
        ]
    if not all(_is_count(v) for v in values):
        return [_("A threshold is a whole number.")]
    if any(v < 1 for v in values):
        return [_("A threshold of zero or less is met by everyone; use 1 or more.")]
    if fact.percent and any(v > 100 for v in values):
        return [_("A share cannot be more than 100%.")]
    if extra_max is not None and any(v > extra_max for v in values):
        return [
            _("The threshold %(value)d cannot be met: there are only %(max)d.")
            % {"value": max(values), "max": extra_max}
        ]
    ordered = values == sorted(values, reverse=fact.rank)
    if not ordered or len(set(values)) != len(values):
        if fact.rank:
            return [_("Higher levels need a better rank: thresholds must go down.")]
        return [_("Higher levels need more: thresholds must go up.")]
    return []


def _check_leaf(
    leaf: dict, *, recipient: str, level_count: int, slug: str, resolve: bool
):
    from competitions.models import ActivityType, Competition

    name = leaf.get("fact")
    fact = FACTS.get(name)
    if fact is None:
        return [
            _("the fact “%(name)s” does not exist; use one of: %(known)s.")
            % {"name": name, "known": ", ".join(sorted(FACTS))}
        ]
    problems = []
    if recipient not in fact.recipients:
        problems.append(
            _("“%(fact)s” is not recorded for a %(recipient)s.")
            % {
                "fact": name,
                "recipient": _("person") if recipient == PERSON else _("unit"),
            }
        )
    allowed = set(fact.params) | {"fact", "min", "top"}
    unknown = sorted(set(leaf) - allowed)
    if unknown:
        problems.append(
            _("unknown setting %(names)s for “%(fact)s”.")
            % {"names": ", ".join(f"“{u}”" for u in unknown), "fact": name}
        )
    for param in fact.required:
        if not leaf.get(param):
            problems.append(
                _("“%(fact)s” needs “%(param)s”.") % {"fact": name, "param": param}
            )
    extra_max = None
    group = leaf.get("target_group")
    if group and group not in TargetGroup.values:
        problems.append(
            _("unknown target group “%(value)s”; use one of: %(known)s.")
            % {"value": group, "known": ", ".join(TargetGroup.values)}
        )
    kind = leaf.get("training_kind")
    if kind:
        from learning.models import Training

        if kind not in Training.Kind.values:
            problems.append(
                _("unknown kind of training “%(value)s”.") % {"value": kind}
            )
    entity = leaf.get("entity")
    if entity and entity != "people" and entity not in Unit.Kind.values:
        problems.append(_("unknown board entity “%(value)s”.") % {"value": entity})
    badges = leaf.get("badges")
    if badges is not None and (
        not isinstance(badges, list) or not all(isinstance(b, str) for b in badges)
    ):
        problems.append(_("“badges” is a list of badge codes."))
        badges = None
    if badges and slug and slug in badges:
        problems.append(_("a badge cannot require itself."))
    if resolve and not problems:
        from learning.models import SkillArea, SkillFramework

        from .models import BadgeClass

        activity = leaf.get("activity")
        if activity and not ActivityType.objects.filter(code=activity).exists():
            problems.append(
                _("no activity type has the code “%(code)s”.") % {"code": activity}
            )
        competition = leaf.get("competition")
        if competition is not None and not (
            _is_count(competition)
            and Competition.objects.filter(pk=competition).exists()
        ):
            problems.append(
                _("no competition has the id “%(id)s”.") % {"id": competition}
            )
        scope = leaf.get("scope")
        if scope is not None and not (
            _is_count(scope) and Unit.objects.filter(pk=scope).exists()
        ):
            problems.append(_("no unit has the id “%(id)s”.") % {"id": scope})
        framework = leaf.get("framework")
        if framework:
            frameworks = SkillFramework.objects.filter(code=framework)
            if not frameworks.exists():
                problems.append(
                    _("no skills framework has the code “%(code)s”.")
                    % {"code": framework}
                )
            elif name == "framework_areas":
                extra_max = SkillArea.objects.filter(framework__in=frameworks).count()
        area = leaf.get("area")
        if area:
            framework_code, _sep, area_code = str(area).partition(":")
            if not SkillArea.objects.filter(
                framework__code=framework_code, code=area_code
            ).exists():
                problems.append(
                    _(
                        "no skill area “%(area)s” (write framework:area, e.g. qd-757-2025:1)."
                    )
                    % {"area": area}
                )
        if badges:
            known = set(
                BadgeClass.objects.filter(slug__in=badges).values_list(
                    "slug", flat=True
                )
            )
            missing = [b for b in badges if b not in known]
            if missing:
                problems.append(
                    _("no badge has the code %(codes)s.")
                    % {"codes": ", ".join(f"“{b}”" for b in missing)}
                )
            else:
                extra_max = len(badges)
    if name == "badges_held" and badges and extra_max is None:
        extra_max = len(badges)
    problems.extend(_check_threshold(leaf, fact, level_count, extra_max))
    return problems


# --- plain words ----------------------------------------------------------------


def _number(value) -> str:
    return f"{value:,}".replace(",", ".") if _is_count(value) else str(value)


def describe(leaf: dict, level_index: int = 0) -> str:
    """The condition in plain words, e.g. “At least 5 mentees who completed…”."""
    from competitions.models import ActivityType, Competition
    from learning.models import SkillFramework, Training

    fact = FACTS[leaf["fact"]]
    value = threshold(leaf, level_index)
    n = _number(value)
    name = fact.name
    qualifiers = []
    if leaf.get("activity"):
        activity = ActivityType.objects.filter(code=leaf["activity"]).first()
        qualifiers.append(
            _("for “%(activity)s”")
            % {"activity": activity.name if activity else leaf["activity"]}
        )
    if leaf.get("competition") and name != "board_rank":
        competition = Competition.objects.filter(pk=leaf["competition"]).first()
        qualifiers.append(
            _("in %(competition)s")
            % {"competition": competition or leaf["competition"]}
        )
    framework = None
    if leaf.get("framework"):
        framework = SkillFramework.objects.filter(code=leaf["framework"]).first()
        if name != "framework_areas":
            qualifiers.append(
                _("of the framework “%(framework)s”")
                % {"framework": framework.name if framework else leaf["framework"]}
            )
    if leaf.get("area"):
        qualifiers.append(_("of skill area %(area)s") % {"area": leaf["area"]})
    if leaf.get("training_kind"):
        qualifiers.append(
            _("of the kind “%(kind)s”")
            % {"kind": dict(Training.Kind.choices).get(leaf["training_kind"], "")}
        )
    group_label = dict(TargetGroup.choices).get(leaf.get("target_group"), "")
    if leaf.get("target_group") and name != "trained_share":
        qualifiers.append(_("for the group “%(group)s”") % {"group": group_label})
    suffix = (" " + ", ".join(str(q) for q in qualifiers)) if qualifiers else ""
    if name == "points":
        text = _("At least %(n)s points") % {"n": n}
    elif name == "approved_submissions":
        text = _("At least %(n)s approved achievements") % {"n": n}
    elif name == "completed_trainings":
        text = _("Completed at least %(n)s trainings") % {"n": n}
    elif name == "framework_areas":
        title = framework.name if framework else leaf["framework"]
        if value == "all":
            text = _(
                "Completed trainings covering every skill area of “%(framework)s”"
            ) % {"framework": title}
        else:
            text = _(
                "Completed trainings covering at least %(n)s skill areas of “%(framework)s”"
            ) % {
                "n": n,
                "framework": title,
            }
    elif name == "mentees_completed":
        text = _(
            "At least %(n)s mentees who completed a training after accepting the invitation"
        ) % {"n": n}
    elif name == "household_digital":
        text = _("Belongs to a digital household (Gia đình số)")
    elif name == "people_trained":
        text = _("At least %(n)s people of the unit completed a training") % {"n": n}
    elif name == "trained_share":
        text = _("At least %(n)s%% of the unit's %(group)s completed a training") % {
            "n": n,
            "group": str(group_label).lower(),
        }
    elif name == "digital_household_share":
        text = _("At least %(n)s%% of the unit's households are digital households") % {
            "n": n
        }
    elif name == "badges_held":
        from .models import BadgeClass

        names = dict(
            BadgeClass.objects.filter(slug__in=leaf.get("badges", [])).values_list(
                "slug", "name"
            )
        )
        listed = ", ".join(f"“{names.get(s, s)}”" for s in leaf.get("badges", []))
        text = _("Holds at least %(n)s of the badges %(badges)s") % {
            "n": n,
            "badges": listed,
        }
    elif name == "board_rank":
        competition = Competition.objects.filter(pk=leaf.get("competition")).first()
        entity = leaf.get("entity") or "people"
        entity_label = (
            _("people")
            if entity == "people"
            else dict(Unit.Kind.choices).get(entity, entity)
        )
        text = _(
            "Among the first %(n)s on the board of %(entity)s of %(competition)s when it closes"
        ) % {"n": n, "entity": str(entity_label).lower(), "competition": competition}
    else:  # pragma: no cover - every fact is listed above
        text = str(fact.label)
    return f"{text}{suffix}"


def describe_tree(tree: dict, level_index: int = 0) -> list[dict]:
    """The tree as nested items for templates: {"text", "children", "mode"}."""
    if not tree:
        return []
    if "fact" in tree:
        return [{"text": describe(tree, level_index), "children": [], "mode": ""}]
    mode = "all" if "all" in tree else "any"
    children = []
    for child in tree[mode]:
        children.extend(describe_tree(child, level_index))
    return [{"text": "", "children": children, "mode": mode}]
