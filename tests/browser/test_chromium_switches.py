"""The browser the tests drive keeps Playwright's disabled features and adds ours.

Chromium reads only the last --disable-features switch it is given: appending ours
to Playwright's arguments silently turned Playwright's list off (HttpsUpgrades,
PaintHolding, OptimizationHints and the rest, each there to keep a test run
deterministic and offline).
"""

from tests.browser.conftest import (
    DISABLED_FEATURES,
    browser_command_lines,
    playwright_disabled_features,
)


def test_one_disable_features_switch_holds_playwrights_list_and_ours(browser):
    ours = [
        command
        for command in browser_command_lines()
        if any(DISABLED_FEATURES[0] in arg for arg in command)
    ]
    defaults = set(
        # Read when `browser` was launched, in this process.
        playwright_disabled_features(None).split("=", 1)[1].split(",")
    )

    assert ours, "no browser with our switch is running"
    assert "PaintHolding" in defaults
    for command in ours:
        switches = [arg for arg in command if arg.startswith("--disable-features=")]
        assert len(switches) == 1, switches
        features = set(switches[0].split("=", 1)[1].split(","))
        assert defaults | set(DISABLED_FEATURES) <= features
