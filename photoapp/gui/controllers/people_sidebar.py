"""People in the albums sidebar (a controller: wiring, no engine work).

The sidebar's People section lists everyone not hidden with a round face crop and a photo
count: named people first (by name), then the unnamed ones (most photos first) to name.
Choosing one lists their photos in the gallery as ``photoapp search --person`` does
(``Filters(people=...)``); the gallery rows come through TagsUi like any album's. The list
follows naming, merging and hiding on the People page, and every index run (new faces,
new people).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer

PERSON = "person"  # the sidebar album kind of a person; its name is the person's id
SECTION = "people"
UNNAMED = "Unnamed"


def entries(people) -> list[dict]:
    """Sidebar albums from PeopleService.people's ``[(person, crop)]``: named first."""
    named = sorted((p for p in people if p[0]["name"]), key=lambda p: (p[0]["name"].casefold(), p[0]["id"]))
    unnamed = sorted((p for p in people if not p[0]["name"]), key=lambda p: (-p[0]["photo_count"], p[0]["id"]))
    out = []
    for person, crop in named + unnamed:
        n, name = person["photo_count"], person["name"]
        photos = f"{n:,} photo" + ("" if n == 1 else "s")
        tip = f"{name}: {photos}" if name else f"Someone not named yet: {photos} — right-click to name them"
        album = {"kind": PERSON, "name": str(person["id"]), "label": name or UNNAMED, "count": n, "tip": tip}
        out.append(album | {"icon": crop, "named": bool(name)})
    return out


class PeopleSidebar:
    def __init__(self, people_ui):
        self.ui = people_ui
        window = people_ui.window
        self.sidebar = window.tags_ui.sidebar
        self.service = people_ui.service
        self.service.changed.connect(self.refresh)
        window.engine.indexing.stopped.connect(lambda *_: self.refresh())
        self.sidebar.name_person_requested.connect(lambda pid: people_ui.name(int(pid)))
        QTimer.singleShot(0, self.refresh)  # after the window's first listing, in the query thread's queue

    def refresh(self) -> None:
        self.service.people(self._show, lambda _error: None)  # no faces yet is no error

    def _show(self, people) -> None:
        self.ui.names.update({p["id"]: p["name"] for p, _ in people if p["name"]})
        chosen, label = self.chosen(), self.sidebar.current_label()
        self.sidebar.set_section(SECTION, entries(people))
        if chosen is not None and self.chosen() == chosen and self.sidebar.current_label() != label:
            self.ui.window.reload(keep_position=True)  # named while their photos are listed: the header follows

    def chosen(self) -> int | None:
        """The person chosen in the sidebar, if any."""
        kind, name = self.sidebar.current()
        return int(name) if kind == PERSON else None

    def select(self, person_id: int) -> bool:
        """Choose a person in the sidebar (False when they are not listed, e.g. hidden)."""
        self.sidebar.select(PERSON, str(person_id))
        return self.chosen() == person_id
