"""AlbumsSidebar: every tag as an album with its photo count, in three sections (your tags,
taught tags, auto-tags), then the smart albums with theirs. Above them, People: round face
crops with photo counts, filled on its own (``set_section``).

Choosing an album filters the gallery to it (within the chosen dates); choosing it again,
or Esc in the gallery, goes back to all photos. Albums are listed by name, so a count that
changes never moves one; and a new list waits while the pointer is over it, so a click
always lands on the album that was under the pointer.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photoapp.gui.services.thumbnails import centre_square

SECTIONS = (
    ("memories", "On this day"),
    ("people", "People"),
    ("yours", "Your tags"),
    ("taught", "Taught tags"),
    ("auto", "Auto-tags"),
    ("smart", "Smart albums"),
    ("place", "Places"),
)
# Sections another controller fills (views/places_tree.py), not set_albums: their items may
# nest (country -> city) and have no tag menu.
FILLED_ELSEWHERE = ("memories", "place")
KIND_ROLE = Qt.ItemDataRole.UserRole
NAME_ROLE = Qt.ItemDataRole.UserRole + 1
COVER_ROLE = Qt.ItemDataRole.UserRole + 2  # (path, mtime) of the album's cover photo
NAMED_ROLE = Qt.ItemDataRole.UserRole + 3  # a person album: whether the person has a name
# The "World map…" entry (views/places_tree.py): opens the map, filters nothing. Every role is
# defined here, so no two share a number (a named person opened the map when they did).
MAP_ROLE = Qt.ItemDataRole.UserRole + 4
COVER_SIZE = 28  # px
POINTER_CHECK_MS = 250  # while a new list waits: is the pointer still over the list?


class AlbumsSidebar(QWidget):
    album_selected = Signal(str, str)  # kind ("tag" | "smart" | "person", "" for none), name
    new_smart_album_requested = Signal()
    remove_smart_album_requested = Signal(str)
    rename_tag_requested = Signal(str)
    delete_tag_requested = Signal(str)
    forget_taught_requested = Signal(str)  # a taught tag: its examples go too
    name_person_requested = Signal(str)  # a person's id (as the name of a "person" album)

    def __init__(self, parent=None):
        super().__init__(parent)
        title = QLabel("Albums", self)
        title.setObjectName("sidebarTitle")
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("albumTree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(10)
        self.tree.setFrameShape(QTreeWidget.Shape.NoFrame)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.itemClicked.connect(self._clicked)
        self.sections = {group: self._section(title) for group, title in SECTIONS}
        for group in FILLED_ELSEWHERE:
            self.sections[group].setHidden(True)  # until their controller has something to show
        self.tags_section = self.sections["yours"]  # where a tag of unknown group goes
        self.smart_section = self.sections["smart"]
        self._pending: list[dict] | None = None  # a list that arrived while the pointer was over it
        self._select_after: tuple[str, str] | None = None  # an album chosen in that list
        self._flushing = False
        # A right-click action was taken: the lists that follow it (a person named, a tag
        # renamed) show at once, though the pointer is still over the list (walk: the name
        # typed stayed "Unnamed" until the pointer moved away); until the pointer leaves.
        self._edited = False
        self._pointer_check = QTimer(self, interval=POINTER_CHECK_MS)
        self._pointer_check.timeout.connect(self._check_pointer)
        self._own: dict[str, list[dict]] = {}  # sections filled on their own (set_section), pending or not
        self._own_pending: set[str] = set()
        self.tree.viewport().installEventFilter(self)
        self.empty_hint = QLabel("Tags appear here as photos are indexed.", self)
        self.empty_hint.setObjectName("hint")
        self.empty_hint.setWordWrap(True)
        self.new_button = QPushButton("New smart album…", self)
        self.new_button.setToolTip("Save a search as an album that stays up to date as photos arrive")
        self.new_button.clicked.connect(self.new_smart_album_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 8)
        layout.addWidget(title)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_hint)
        layout.addLayout(buttons)
        self._current: tuple[str, str] = ("", "")

    def _section(self, text: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree, [text.upper(), ""])
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading: not selectable
        font = item.font(0)
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        font.setBold(True)
        item.setFont(0, font)
        item.setExpanded(True)
        return item

    # -- contents -----------------------------------------------------------------------------
    def set_albums(self, albums: list[dict]) -> None:
        """``albums`` as Tags.albums() gives them; keeps the current choice if it still exists.
        While the pointer is over the list, the new one waits until it leaves."""
        if self._pointer_over():
            self._pending = albums
            return
        self._pending = None
        self.tree.setUpdatesEnabled(False)
        for group, section in self.sections.items():
            if group not in self._own and group not in FILLED_ELSEWHERE:
                section.takeChildren()
        for album in sorted(albums, key=lambda a: a["name"].casefold()):
            self._add(album)
        self._settle()
        wanted, self._select_after = self._select_after, None
        if wanted is not None:
            self.select(*wanted)

    def set_section(self, group: str, albums: list[dict]) -> None:
        """Fill one section on its own, in the order given (``albums`` as for set_albums, plus
        "label": the text shown when it is not the name, "icon": a QImage); set_albums leaves it
        alone from then on. Waits, as set_albums does, while the pointer is over the list."""
        self._own[group] = albums
        if self._pointer_over():
            self._own_pending.add(group)
            return
        self._own_pending.discard(group)
        self.tree.setUpdatesEnabled(False)
        self.sections[group].takeChildren()
        for album in albums:
            self._add(album, group)
        self._settle()

    def _settle(self) -> None:
        for group, section in self.sections.items():
            if group in FILLED_ELSEWHERE:
                continue  # the places tree shows and hides its own sections
            section.setHidden(section.childCount() == 0)
        self.empty_hint.setVisible(not any(s.childCount() for s in self.sections.values()))
        self.tree.setUpdatesEnabled(True)
        kind, name = self._current
        item = self._find(kind, name)
        if kind and item is None:
            self.clear_selection()  # the album is gone (e.g. its last photo lost the tag)
        elif item is not None:
            self.tree.setCurrentItem(item)

    def _add(self, album: dict, group: str = "") -> None:
        smart = album["kind"] == "smart"
        count = album.get("count")
        section = self.smart_section if smart else self.sections.get(group or album.get("group", ""), self.tags_section)
        label = album.get("label", album["name"])
        item = QTreeWidgetItem(section, [label, "" if count is None else f"{count:,}"])
        item.setData(0, KIND_ROLE, album["kind"])
        item.setData(0, NAME_ROLE, album["name"])
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setData(0, COVER_ROLE, album.get("cover"))
        self._show_cover(item)
        item.setData(0, NAMED_ROLE, album.get("named"))
        if album.get("icon") is not None:
            item.setIcon(0, QIcon(QPixmap.fromImage(album["icon"])))
        if album.get("tip"):
            tip = album["tip"]
        elif smart:
            tip = f"Smart album: the photos that match “{album['query']}”, now and as photos arrive"
        else:
            why = {"yours": "you tagged", "taught": "tagged as you taught", "auto": "auto-tagged"}
            tip = f"{count:,} photos {why.get(album.get('group', ''), 'tagged')} “{album['name']}”"
        item.setToolTip(0, tip)

    def set_thumbnails(self, loader) -> None:
        """Covers come from the gallery's ThumbnailLoader (decoded off the GUI thread)."""
        self.thumbnails = loader
        loader.ready.connect(self._cover_ready)
        self.tree.setIconSize(QSize(COVER_SIZE, COVER_SIZE))

    def _show_cover(self, item: QTreeWidgetItem) -> None:
        cover, loader = item.data(0, COVER_ROLE), getattr(self, "thumbnails", None)
        if not cover or loader is None:
            return
        pixmap = loader.pixmap(cover[0], cover[1], COVER_SIZE * 2, keep=True)
        if pixmap is not None and not pixmap.isNull():
            item.setIcon(0, QIcon(centre_square(pixmap)))

    def _cover_ready(self, path: str) -> None:
        for item in self._items():
            cover = item.data(0, COVER_ROLE)
            if cover and cover[0] == path:
                self._show_cover(item)

    def _items(self):
        """Every album item of every section, nested ones (a country's cities) included."""
        stack = [s.child(i) for s in reversed(list(self.sections.values())) for i in reversed(range(s.childCount()))]
        while stack:
            item = stack.pop()
            yield item
            stack += [item.child(i) for i in reversed(range(item.childCount()))]

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Leave:  # the pointer left: now the list may change
            self._flush()
        return super().eventFilter(watched, event)

    def _pointer_over(self) -> bool:
        """Whether the pointer is over the list (a new list waits); while one waits, the
        pointer is also looked for now and then: after a modal dialog (Rename…, Delete…)
        Qt may never send the viewport its Leave (found driving the window under Xvfb)."""
        if self._flushing or self._edited or not self.tree.viewport().underMouse():
            return False
        self._pointer_check.start()
        return True

    def _check_pointer(self) -> None:
        viewport = self.tree.viewport()
        if not viewport.rect().contains(viewport.mapFromGlobal(QCursor.pos())):
            self._flush()

    def _flush(self) -> None:
        """Show the lists that waited for the pointer to leave."""
        self._pointer_check.stop()
        self._edited = False
        self._flushing = True
        try:
            if self._pending is not None:
                self.set_albums(self._pending)
            for group in list(self._own_pending):
                self.set_section(group, self._own[group])
        finally:
            self._flushing = False

    def albums(self) -> list[tuple[str, str, str]]:
        """(kind, name, count text) of every listed album, in order (for tests)."""
        return [(i.data(0, KIND_ROLE), i.data(0, NAME_ROLE), i.text(1)) for i in self._items() if i.data(0, KIND_ROLE)]

    def _find(self, kind: str, name: str) -> QTreeWidgetItem | None:
        for item in self._items():
            if item.data(0, KIND_ROLE) == kind and item.data(0, NAME_ROLE) == name:
                return item
        return None

    # -- selection ----------------------------------------------------------------------------
    def current(self) -> tuple[str, str]:
        return self._current

    def current_label(self) -> str:
        """The text the current album is listed with."""
        item = self._find(*self._current) if self._current[0] else None
        return item.text(0) if item is not None else self._current[1]

    def select(self, kind: str, name: str) -> None:
        item = self._find(kind, name) if kind else None
        if item is None and kind and self._pending is not None:
            self._select_after = (kind, name)  # it is in the list that waits for the pointer to leave
            return
        if item is None:
            self.clear_selection()
            return
        self.tree.setCurrentItem(item)
        self._set_current(kind, name)

    def rename_current(self, name: str) -> None:
        """The chosen album was renamed: it shows, and stays chosen, under its new name at
        once (no new choice is signalled: the gallery reloads with the edit)."""
        kind, old = self._current
        item = self._find(kind, old) if kind else None
        if item is not None:
            item.setText(0, name)
            item.setData(0, NAME_ROLE, name)
            self._current = (kind, name)

    def clear_selection(self) -> None:
        self.tree.clearSelection()
        self.tree.setCurrentItem(None)
        self._set_current("", "")

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        kind = item.data(0, KIND_ROLE)
        if not kind:
            return  # a section heading
        if (kind, item.data(0, NAME_ROLE)) == self._current:
            self.clear_selection()  # a second click goes back to all photos
        else:
            self._set_current(kind, item.data(0, NAME_ROLE))

    def _set_current(self, kind: str, name: str) -> None:
        if (kind, name) != self._current:
            self._current = (kind, name)
            self.album_selected.emit(kind, name)

    def _context_menu(self, pos) -> QMenu | None:
        item = self.tree.itemAt(pos)
        menu = self.menu_for(item) if item is not None else None
        if menu is not None:
            # The right-click highlighted the entry without choosing it; once the menu goes,
            # the highlight goes back to what the gallery shows (walk: "lamps" stayed lit over
            # Ada's photos, and a click on Ada then read as "again: all photos").
            menu.aboutToHide.connect(self._show_current)
            menu.popup(self.tree.viewport().mapToGlobal(pos))
        else:
            self._show_current()
        return menu

    def _show_current(self) -> None:
        """Highlight the chosen album, or nothing; no signal (nothing new is chosen)."""
        item = self._find(*self._current) if self._current[0] else None
        if item is None:
            self.tree.clearSelection()
            self.tree.setCurrentItem(None)
        else:
            self.tree.setCurrentItem(item)

    def _edit(self, signal, name: str):
        """A menu action that emits ``signal`` with ``name``, after which the lists show at once."""

        def run() -> None:
            self._edited = True
            signal.emit(name)

        return run

    def menu_for(self, item: QTreeWidgetItem) -> QMenu | None:
        """The right-click menu of an album (None for a heading, a place or a memory)."""
        kind = item.data(0, KIND_ROLE)
        if kind not in ("tag", "smart", "person"):
            return None
        name = item.data(0, NAME_ROLE)
        menu = QMenu(self)
        if kind == "person":
            text = f"Rename “{item.text(0)}”…" if item.data(0, NAMED_ROLE) else "Name this person…"
            menu.addAction(text, self._edit(self.name_person_requested, name))
        elif kind == "smart":
            menu.addAction(f"Remove smart album “{name}”", self._edit(self.remove_smart_album_requested, name))
        elif item.parent() is self.sections["taught"]:
            menu.addAction(f"Rename taught tag “{name}”…", self._edit(self.rename_tag_requested, name))
            menu.addAction(f"Delete taught tag “{name}”…", self._edit(self.forget_taught_requested, name))
        else:
            menu.addAction(f"Rename tag “{name}”…", self._edit(self.rename_tag_requested, name))
            menu.addAction(f"Delete tag “{name}”…", self._edit(self.delete_tag_requested, name))
        return menu
