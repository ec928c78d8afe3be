"""ProblemsDialog: files the indexer could not read, with the reason for each."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout


class ProblemsDialog(QDialog):
    def __init__(self, problems: list[dict], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Problems — Photoapp")
        summary = QLabel(
            f"{len(problems):,} file(s) could not be added. They are retried when they change."
            if problems
            else "No problems: every file could be read.",
            self,
        )
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["File", "Reason"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        for problem in problems:
            item = QTreeWidgetItem([problem["path"], problem["error"]])
            item.setToolTip(0, problem["path"])
            self.tree.addTopLevelItem(item)
        self.tree.resizeColumnToContents(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(760, 420)
