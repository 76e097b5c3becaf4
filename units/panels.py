"""Sections that other apps add to the unit page.

The units app cannot import the apps above it, so they register a panel here from
their AppConfig.ready(); the unit page renders every registered panel in order.
A panel is a function (request, unit) -> (template name, context) or None.
"""

from collections.abc import Callable

_panels: list[Callable] = []


def register_unit_panel(panel: Callable) -> Callable:
    if panel not in _panels:
        _panels.append(panel)
    return panel


def unit_panels(request, unit) -> list[tuple[str, dict]]:
    rendered = []
    for panel in _panels:
        result = panel(request, unit)
        if result is not None:
            rendered.append(result)
    return rendered
