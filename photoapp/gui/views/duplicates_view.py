"""DuplicatesDialog: duplicate groups listed with tier, count and space to reclaim; each
group side by side (thumbnail, resolution, size, date, folder), the suggested keeper
marked with its reason; keep one and send the others to the system trash, or apply every
suggestion at once (one undo), undo, "not duplicates", compare at the same scale.

A view: the work is the engine's DuplicatesService (gui/services/duplicates.py), which
runs it on the query thread. Finding groups is a cancellable job with progress (at
100,000 photos it takes seconds, more when older photos still need fingerprints); it
waits for an index run to end, because both would write to the catalog at once.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from photoapp.core.units import human_size
from photoapp.gui.palette import is_dark
from photoapp.gui.services.thumbnails import ThumbnailLoader
from photoapp.gui.views.compare_dialog import CompareDialog
from photoapp.gui.views.dupe_card import THUMB, DupeCard, style
from photoapp.gui.workers import ProgressTask, error_text

COMPARE_MAX = 4  # photos shown at 100 % at once: more would not fit side by side
# Copies first: similar shots depend on the model's judgement and deserve a deliberate look.
TIERS = (("near", "Copies (exact and edited)"), ("exact", "Exact copies only"), ("all", "Copies and similar shots"))
TIER_TEXT = {"exact": "Exact copies", "near": "Edited copies", "similar": "Similar shots"}
TIER_HELP = {
    "exact": "identical files",
    "near": "the same picture resized, recompressed, converted or lightly edited",
    "similar": "different shots of one moment; check before removing any",
}


class DuplicatesDialog(QDialog):
    changed = Signal()  # photos went to the trash or came back: the gallery should reload
    trashed = Signal(object)  # a resolve's report ({"batch", "trashed", ...}): the window's undo records it

    def __init__(self, engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.service = engine.duplicates
        # Its own loader: the gallery's replaces its wanted set on every scroll.
        self.thumbnails = ThumbnailLoader(engine.path, capacity=200, threads=2, parent=self)
        self.groups: list = []
        self.cards: list[DupeCard] = []
        self.job: ProgressTask | None = None
        self.undoable = False
        self.last_applied = ""
        self._waiting_for_index = False
        self._closed = False
        self.setWindowTitle("Duplicates — Photoapp")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setStyleSheet(style(is_dark(QApplication.instance())))
        self._build()
        self.tier.currentIndexChanged.connect(lambda _i: self.refresh())
        self.list.currentRowChanged.connect(self.show_group)
        self.choice.idToggled.connect(lambda _i, on: on and self._mark_choice())
        self.thumbnails.ready.connect(self._thumbnail_ready)
        engine.indexing.stopped.connect(self._index_stopped)
        self.resize(1180, 700)
        self.refresh()

    # -- construction ---------------------------------------------------------------------
    def _build(self) -> None:
        self.tier = QComboBox(self)
        for key, text in TIERS:
            self.tier.addItem(text, key)
        self.summary = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(200)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel)
        self.again_button = QPushButton("Look again", self)
        self.again_button.setToolTip("Find the groups again (after changes made elsewhere)")
        self.again_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show:", self))
        top.addWidget(self.tier)
        top.addWidget(self.summary, 1)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)
        top.addWidget(self.again_button)
        self.list = QListWidget(self)
        self.list.setMinimumWidth(240)
        self.list.setSpacing(2)
        self.list.setUniformItemSizes(True)  # thousands of groups: no per-item size pass
        self.list.setAlternatingRowColors(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.strip = QWidget(self)
        self.strip_layout = QHBoxLayout(self.strip)
        self.strip_layout.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.strip)
        self.choice = QButtonGroup(self)
        self.resolve_button = self._button("Keep the chosen photo, move the others to the trash", self.resolve)
        self.resolve_button.setToolTip(
            "The others go to the system trash (Undo last brings them back); "
            "tags you gave them by hand move to the photo you keep"
        )
        self.dismiss_button = self._button("Not duplicates", self.dismiss)
        self.dismiss_button.setToolTip("Never propose these photos as duplicates of each other again")
        self.compare_button = self._button("Compare", self.compare)
        self.compare_button.setToolTip("The photos side by side at the same scale, zoomed and panned together")
        self.apply_all_button = self._button("Apply all suggestions", self.apply_all)
        self.apply_all_button.setToolTip(
            "Keep the suggested photo of every group of copies and move the others to the trash, "
            "in one step that “Undo last” takes back (similar shots are left for you to check)"
        )
        self.undo_button = self._button("Undo last", self.undo)
        self.undo_button.setToolTip("Bring back the photos the last resolve moved to the trash")
        buttons = QHBoxLayout()
        for button in (self.resolve_button, self.dismiss_button, self.compare_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_all_button)
        buttons.addWidget(self.undo_button)
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.addWidget(self.heading)
        column.addWidget(scroll, 1)
        column.addLayout(buttons)
        splitter = QSplitter(self)
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 900])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def _button(self, text: str, slot) -> QPushButton:
        button = QPushButton(text, self)
        button.setAutoDefault(False)  # Enter in the list must never send photos to the trash
        button.clicked.connect(slot)
        return button

    # -- finding ------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.job is not None or self._waiting_for_index

    def refresh(self) -> None:
        """Find the groups of the chosen tier again (cancels a search already running)."""
        self.cancel()
        self.groups = []
        self.list.clear()
        if self.engine.indexing.active:
            self._waiting_for_index = True
            self._set_busy("Indexing is running — duplicates are looked for as soon as it finishes…")
            return
        self._set_busy("Looking for duplicates…")
        job = None

        def progress(phase: str, done: int, total: int) -> None:
            self._progress(job, phase, done, total)

        job = self.job = self.service.find(
            self.tier.currentData(),
            progress,
            on_done=lambda result: self._found(job, result),
            on_failed=lambda error: self._failed(job, error),
            on_cancelled=lambda: None,
        )

    def cancel(self) -> None:
        if self.job is not None or self._waiting_for_index:
            self._waiting_for_index = False
            if self.job is not None:
                self.job.cancel()
                self.job = None
            self._set_idle("Stopped looking for duplicates")

    def _index_stopped(self, *_args) -> None:
        if self._waiting_for_index and not self._closed:
            self._waiting_for_index = False
            self.refresh()

    def _progress(self, job, phase: str, done: int, total: int) -> None:
        if job is not self.job or self._closed:
            return
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(min(done, total))
        if phase == "fingerprint":
            self.summary.setText(f"Fingerprinting older photos: {min(done, total):,} of {total:,}…")

    def _found(self, job, result) -> None:
        if job is not self.job or self._closed:
            return  # cancelled, replaced by a newer search, or the dialog is gone
        self.job = None
        self.groups, self.undoable = result
        self._set_idle("")
        self._fill_list()
        if self.last_applied:  # after "Apply all suggestions": what it did, above what is left
            self.summary.setText(f"{self.last_applied} {self.summary.text()}")
            self.last_applied = ""

    def _fill_list(self, row: int = 0) -> None:
        self.list.setUpdatesEnabled(False)
        self.list.clear()
        for group in self.groups:
            item = QListWidgetItem(
                f"{TIER_TEXT[group.tier]} · {len(group.photos)} photos\n"
                + (
                    f"{human_size(group.reclaim_bytes)} to reclaim · {os.path.basename(group.keep.path)}"
                    if group.suggest_trash
                    else f"best shot: {os.path.basename(group.keep.path)}"
                )
            )
            item.setToolTip("\n".join(group.paths))
            self.list.addItem(item)
        self.list.setUpdatesEnabled(True)
        total = sum(g.reclaim_bytes for g in self.groups if g.suggest_trash)
        self.summary.setText(
            f"{len(self.groups):,} group{'' if len(self.groups) == 1 else 's'} · {human_size(total)} to reclaim"
            if self.groups
            else "No duplicates found"
        )
        if self.groups:
            self.list.setCurrentRow(min(row, len(self.groups) - 1))
        else:
            self.show_group(-1)
            more = (
                ""
                if self.tier.currentData() == "all"
                else ("<br>Other shots of one moment are under Show ▸ “Copies and similar shots”.")
            )
            self.heading.setText(f"<b>Nothing to clean up here.</b>{more}")
        self._enable()

    def _failed(self, job, error: Exception) -> None:
        if job is self.job and not self._closed:
            self.job = None
            self._set_idle(f"Could not look for duplicates: {error_text(error)}")

    def _set_busy(self, text: str) -> None:
        self.summary.setText(text)
        self.progress.setRange(0, 0)  # busy until a count arrives
        self.progress.show()
        self.cancel_button.show()
        self.again_button.hide()
        self.show_group(-1)
        self._enable()

    def _set_idle(self, text: str) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.again_button.show()
        self.summary.setText(text)
        self._enable()

    def _enable(self) -> None:
        has_group = not self.busy and self.current() is not None
        for button in (self.resolve_button, self.dismiss_button, self.compare_button):
            button.setEnabled(has_group)
        if self.cards and self.chosen() is None:  # other shots: nothing trashed until one is chosen
            self.resolve_button.setEnabled(False)
        self.apply_all_button.setEnabled(not self.busy and bool(self._copy_groups()))
        self.undo_button.setEnabled(not self.busy and self.undoable)

    # -- one group ----------------------------------------------------------------------------
    def current(self):
        row = self.list.currentRow()
        return self.groups[row] if 0 <= row < len(self.groups) else None

    def show_group(self, row: int) -> None:
        for card in self.cards:
            self.choice.removeButton(card.pick)
            card.deleteLater()
        self.cards = []
        group = self.groups[row] if 0 <= row < len(self.groups) else None
        if group is None:
            self.heading.setText("")
            self._enable()
            return
        choose = (
            "Choose another with its “Keep this one”."
            if group.suggest_trash
            else "Nothing goes to the trash unless you choose the one to keep."
        )
        self.heading.setText(
            f"<b>{TIER_TEXT[group.tier]}</b> — {TIER_HELP[group.tier]}.<br>"
            f"{'Suggested keeper' if group.suggest_trash else 'Best shot'}: "
            f"<b>{os.path.basename(group.keep.path)}</b> ({group.reason}). {choose}"
        )
        why = _why_each(group)
        for i, photo in enumerate(group.photos):
            suggested = group.reason if photo.id == group.keep.id else None
            card = DupeCard(photo, suggested, why.get(photo.id, ""), self.strip)
            self.choice.addButton(card.pick, i)
            self.strip_layout.addWidget(card)
            self.cards.append(card)
            card.show_thumbnail(self.thumbnails.pixmap(photo.path, photo.mtime, THUMB))
        if group.suggest_trash:  # copies: the keeper (first) is chosen; other shots: the user chooses
            self.cards[0].set_keep(True)
        self._mark_choice()
        self._enable()

    def chosen(self):
        """The photo the user chose to keep (the suggested keeper unless changed)."""
        checked = self.choice.checkedId()
        return self.cards[checked].photo if 0 <= checked < len(self.cards) else None

    def choose(self, path: str) -> None:
        for card in self.cards:
            if card.photo.path == path:
                card.pick.setChecked(True)

    def _mark_choice(self) -> None:
        chosen = self.chosen()
        for card in self.cards:
            card.set_keep(None if chosen is None else card.photo.id == chosen.id)
        others = len(self.cards) - 1
        self.resolve_button.setText(
            f"Keep the chosen photo, move the other{'s' if others > 1 else ''} ({others}) to the trash"
            if chosen is not None or not self.cards
            else "Choose the shot to keep first"
        )
        self._enable()

    def _thumbnail_ready(self, path: str) -> None:
        for card in self.cards:
            if card.photo.path == path:
                card.show_thumbnail(self.thumbnails.pixmap(path, card.photo.mtime, THUMB))

    # -- actions -------------------------------------------------------------------------------
    def _refuse_while_indexing(self) -> bool:
        if self.engine.indexing.active:
            QMessageBox.information(self, "Duplicates", "Indexing is running; try again when it has finished.")
            return True
        return False

    def resolve(self) -> None:
        group, keep = self.current(), self.chosen()
        if group is None or keep is None or self.busy or self._refuse_while_indexing():
            return
        row = self.list.currentRow()
        self._enable_all(False)
        self.service.resolve(
            group.paths, keep.path, on_done=lambda report: self._resolved(row, report), on_failed=self._action_failed
        )

    def _took(self, report: dict) -> bool:
        """A resolve's report reached an open window: what went to the trash is undoable and
        announced (the gallery reloads; the window's undo records it). False once closed."""
        if self._closed:
            return False
        self.undoable = self.undoable or bool(report["trashed"])
        if report["trashed"]:
            self.changed.emit()
            self.trashed.emit(report)
        return True

    def _resolved(self, row: int, report: dict) -> None:
        if not self._took(report):
            return
        if report["skipped"]:
            lines = "\n".join(f"{os.path.basename(s['path'])}: {s['reason']}" for s in report["skipped"])
            QMessageBox.warning(self, "Duplicates", f"Some photos were left where they are:\n{lines}")
            self.refresh()  # the group may be only partly resolved
            return
        del self.groups[row]
        self._fill_list(row)
        moved = len(report["trashed"])
        self.summary.setText(
            f"Moved {moved} photo{'s' if moved != 1 else ''} to the trash — “Undo last” "
            f"brings {'them' if moved != 1 else 'it'} back. " + self.summary.text()
        )

    def _copy_groups(self) -> list:
        """The groups whose suggestion may be applied without a look: copies, not similar shots."""
        return [g for g in self.groups if g.tier != "similar" and g.suggest_trash]

    def apply_all(self, confirm: bool = True) -> None:
        groups = self._copy_groups()
        if not groups or self.busy or self._refuse_while_indexing():
            return
        photos = sum(len(g.photos) - 1 for g in groups)
        left = len(self.groups) - len(groups)
        if confirm:
            text = (
                f"Keep the suggested photo of each of the {len(groups):,} groups of copies and move the other "
                f"{photos:,} photos to the trash?\n“Undo last” brings them all back."
                + (f"\n{left:,} groups of similar shots are left for you to check." if left else "")
            )
            if QMessageBox.question(self, "Apply all suggestions", text) != QMessageBox.StandardButton.Yes:
                return
        self._enable_all(False)
        self.service.resolve_all(
            [(g.paths, g.keep.path) for g in groups], on_done=self._applied_all, on_failed=self._action_failed
        )

    def _applied_all(self, report: dict) -> None:
        if not self._took(report):
            return
        self.refresh()
        moved = len(report["trashed"])
        skipped = f"; {len(report['skipped'])} left in place" if report["skipped"] else ""
        self.last_applied = f"Moved {moved:,} photos to the trash{skipped} — one “Undo last” brings them all back."

    def dismiss(self) -> None:
        group = self.current()
        if group is None or self.busy or self._refuse_while_indexing():
            return
        row = self.list.currentRow()
        self._enable_all(False)
        self.service.dismiss(group.paths, on_done=lambda _n: self._dismissed(row), on_failed=self._action_failed)

    def _dismissed(self, row: int) -> None:
        if self._closed:
            return
        del self.groups[row]
        self._fill_list(row)
        self.summary.setText("Marked as not duplicates; they will not be proposed again. " + self.summary.text())

    def undo(self) -> None:
        if self.busy or self._refuse_while_indexing():
            return
        self._enable_all(False)
        self.service.undo(on_done=self._undone, on_failed=self._action_failed)

    def _undone(self, report: dict) -> None:
        if self._closed:
            return
        self.changed.emit()
        self.refresh()
        if report["failed"]:
            lines = "\n".join(f"{os.path.basename(f['path'])}: {f['reason']}" for f in report["failed"])
            QMessageBox.warning(self, "Duplicates", f"Some photos could not be brought back:\n{lines}")

    def compare(self) -> None:
        group = self.current()
        if group is None:
            return
        chosen = self.chosen()
        photos = sorted(group.photos, key=lambda p: chosen is None or p.id != chosen.id)[:COMPARE_MAX]
        self.compare_button.setEnabled(False)
        self.service.load_full([p.path for p in photos], on_done=self._show_compare, on_failed=self._action_failed)

    def _show_compare(self, images) -> None:
        if self._closed:
            return
        self._enable()
        self.compare_dialog = CompareDialog(images, self)
        self.compare_dialog.open()

    def _action_failed(self, error: Exception) -> None:
        if not self._closed:
            self.summary.setText(error_text(error))
            self._enable()

    def _enable_all(self, on: bool) -> None:
        buttons = (self.resolve_button, self.dismiss_button, self.compare_button, self.undo_button)
        for button in (*buttons, self.apply_all_button):
            button.setEnabled(on)

    # -- closing -------------------------------------------------------------------------------
    def done(self, result: int) -> None:
        self._closed = True
        self.cancel()
        try:
            self.engine.indexing.stopped.disconnect(self._index_stopped)
        except (RuntimeError, TypeError):
            pass
        self.thumbnails.shutdown()
        super().done(result)


def _why_each(group) -> dict[int, str]:
    """For each photo, the strongest reason it belongs to the group (an edge touching it)."""
    why: dict[int, str] = {}
    for pair in group.pairs:  # strongest first: the grouping added them in that order
        for pid in (pair.a, pair.b):
            why.setdefault(pid, pair.reason[:1].upper() + pair.reason[1:])
    return why
