"""axe-core in a Playwright page: the WCAG 2.2 AA rules, for the manual and the portal's screens.

apoio_axe.prepare(context)                   # once, before its pages open
found = apoio_axe.violations(page)           # after page.goto(...)
assert not found, apoio_axe.describe(found)
"""

from __future__ import annotations

from pathlib import Path

#: axe-core as npm installed it (pinned in package.json): the tests need no network.
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2, levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def prepare(context) -> None:
    """Load axe-core into every page of a browser context, before the page's own scripts.

    Through the browser's debugging channel, so a Content-Security-Policy that refuses
    inline scripts (as the portal's does) does not refuse it.
    """
    context.add_init_script(path=str(AXE))


def violations(page, tags: list[str] = TAGS) -> list[dict]:
    """Run axe-core on the page as it is now; return its violations (of any impact)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))  # a page whose context was not prepared
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags},
                                     resultTypes: ["violations"]})""",
        tags,
    )
    return result["violations"]


def describe(found: list[dict], where: str = "") -> str:
    """One line per rule broken, then one per offending element: its selector and why."""
    lines = []
    for violation in found:
        lines.append(
            f"{where}{violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            # a selector inside a frame or shadow root is a list of selectors
            target = " ".join(
                " >> ".join(part) if isinstance(part, list) else part for part in node["target"]
            )
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)
