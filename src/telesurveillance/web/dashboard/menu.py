"""The menu of the pages and each role's home, as data checked against the permission table.

A menu item names the route it opens; it is shown to a principal only when the role × route
table (`domain/access/permissions.yaml`) lets that principal open it, so no role is offered a
page that would answer 403. Each role lands on its own home after logging in (and on `/`): the
first of its `HOMES` it may open.

An area adds its pages here (an `Item` in `ITEMS`, in menu order) and, for a role whose work
starts there, the route in that role's `HOMES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from telesurveillance.domain.access import matrix, roles


@dataclass(frozen=True, slots=True)
class Item:
    route: str
    """The route name the item opens (its permission decides who sees it)."""
    href: str
    label: str
    """The message key of its label."""
    section: str
    """What a page passes as `active` to be marked as the current item."""


ITEMS: tuple[Item, ...] = (
    Item("dashboard.worklist", "/ui/worklist", "nav.worklist", "worklist"),
    Item("dashboard.alerts", "/ui/alerts", "nav.alerts", "alerts"),
    Item("dashboard.patients", "/ui/patients", "nav.patients", "patients"),
    Item("dashboard.tasks", "/ui/tasks", "nav.tasks", "tasks"),
    Item("dashboard.billing", "/ui/billing", "nav.billing", "billing"),
    Item("dashboard.desk", "/ui/desk", "nav.desk", "desk"),
    Item("dashboard.exploitant", "/ui/exploitant", "nav.exploitant", "exploitant"),
    Item("dashboard.regulation", "/ui/regulation", "nav.regulation", "regulation"),
    Item("dashboard.setup", "/ui/setup", "nav.setup", "setup"),
    Item("dashboard.admin_accounts", "/ui/admin/accounts", "nav.admin", "admin"),
    Item("patient_space.home", "/moi", "nav.my_space", "myself"),  # issue 17: patient's page
)

#: Where each role's work starts, in order of preference (the first it may open wins).
HOMES: dict[roles.Role, tuple[str, ...]] = {
    roles.Role.MEDECIN: ("dashboard.worklist",),
    roles.Role.SOIGNANT: ("dashboard.worklist",),
    roles.Role.FACTURATION: ("dashboard.desk", "dashboard.billing"),
    roles.Role.EXPLOITANT: ("dashboard.exploitant", "dashboard.billing"),
    roles.Role.ADMINISTRATEUR: ("dashboard.setup", "dashboard.worklist"),
    roles.Role.PATIENT: ("patient_space.home",),
}


def visible(who: roles.Principal | None, table: matrix.Matrix) -> list[Item]:
    """The items `who` may open, in menu order (none without a principal)."""
    if who is None:
        return []
    return [i for i in ITEMS if _opens(i.route, who, table)]


def _opens(route: str, who: roles.Principal, table: matrix.Matrix) -> bool:
    """May `who` open the page? A page acting on the caller's own patient (`patient_self`)
    needs a principal that is a patient (the administrateur may call it, but has none)."""
    rule = table.rule(route)
    if rule is not None and rule.patient_self and who.patient_id is None:
        return False
    return table.decide(route, who) is matrix.Decision.ALLOW


def home(who: roles.Principal | None, table: matrix.Matrix) -> str | None:
    """The page `who` starts on; None when its role has no home it may open."""
    if who is None:
        return None
    hrefs = {i.route: i.href for i in ITEMS}
    for route in HOMES.get(who.role, ()):
        if route in hrefs and _opens(route, who, table):
            return hrefs[route]
    return None
