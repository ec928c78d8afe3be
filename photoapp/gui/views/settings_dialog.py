"""SettingsDialog: which model embeds the photos and where it runs (stored per library)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from photoapp.config import DEFAULT_MODEL, TOY_MODEL

MODEL_CHOICES = [
    (DEFAULT_MODEL, "CLIP ViT-B/32 — good general search (downloads about 600 MB once)"),
    (TOY_MODEL, "Tiny demo model — coloured shapes only, instant"),
]
DEVICES = [
    ("auto", "Automatic (GPU when available)"),
    ("cpu", "CPU"),
    ("cuda", "NVIDIA GPU (CUDA)"),
    ("mps", "Apple GPU (Metal)"),
]


class SettingsDialog(QDialog):
    def __init__(self, model: str, device: str, parent=None, sensitivity: float = 0.5):
        super().__init__(parent)
        self.setWindowTitle("Settings — Photoapp")
        self.model_box = QComboBox(self)
        self.model_box.setEditable(True)  # any Hugging Face id or local folder
        for name, description in MODEL_CHOICES:
            self.model_box.addItem(name)
            self.model_box.setItemData(self.model_box.count() - 1, description)
        self.model_box.setCurrentText(model)
        self.model_box.setToolTip(
            "A model from the list, any Hugging Face id (e.g. openai/clip-vit-large-patch14), or a local model folder"
        )
        browse = QPushButton("Folder…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.model_box, 1)
        row.addWidget(browse)
        holder = QWidget(self)
        holder.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.device_box = QComboBox(self)
        for key, label in DEVICES:
            self.device_box.addItem(label, key)
        self.device_box.setCurrentIndex(max(0, self.device_box.findData(device)))
        note = QLabel(
            "Changing the model re-indexes every photo; the old embeddings are kept, so switching back is instant.",
            self,
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Model", holder)
        form.addRow("Device", self.device_box)
        form.addRow("Tagging sensitivity", self._sensitivity_row(sensitivity))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def _sensitivity_row(self, value: float) -> QWidget:
        """Fewer, surer tags (left) .. more tags (right); 0..100 stands for 0..1."""
        self.sensitivity_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.sensitivity_slider.setRange(0, 100)
        self.sensitivity_slider.setPageStep(10)
        self.sensitivity_slider.setValue(round(value * 100))
        self.sensitivity_slider.setToolTip(
            "Tagging sensitivity: how sure the model must be before it tags a "
            "photo. Changing it re-tags the library; tags you added or removed "
            "by hand stay as they are."
        )
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("fewer tags", self))
        row.addWidget(self.sensitivity_slider, 1)
        row.addWidget(QLabel("more tags", self))
        holder = QWidget(self)
        holder.setLayout(row)
        return holder

    def sensitivity(self) -> float:
        return self.sensitivity_slider.value() / 100

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a model folder")
        if folder:
            self.model_box.setCurrentText(folder)

    def model(self) -> str:
        return self.model_box.currentText().strip() or DEFAULT_MODEL

    def device(self) -> str:
        return self.device_box.currentData()
