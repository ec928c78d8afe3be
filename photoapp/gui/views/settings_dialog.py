"""SettingsDialog (Ctrl+,): the options of settings.json a person may want to change, in
four tabs: Search (model by plain name and size, device, strictness), Tags (sensitivity,
tags per photo, auto-tagging, XMP sidecars), Duplicates (how alike), Watching (polling).
Values are read with ``options()``; the window applies them (gui/main_window.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from photoapp.config import DEFAULT_MODEL, TOY_MODEL, Settings

OTHER = "::other"
MODEL_CHOICES = [
    (DEFAULT_MODEL, "CLIP ViT-B/32 (OpenAI) — searches real photos · about 600 MB, downloaded once"),
    (TOY_MODEL, "Tiny demo model (“toy”) — 5 MB · understands only the demo's coloured shapes"),
    (OTHER, "Another model (a Hugging Face id or a folder)…"),
]
TOY_WARNING = (
    "⚠ The tiny demo model only understands the coloured shapes of the demo library "
    "(“red circle”, “blue square”…). Searching or tagging real photos with it gives nonsense."
)
DEVICES = [
    ("auto", "Automatic (GPU when available)"),
    ("cpu", "CPU"),
    ("cuda", "NVIDIA GPU (CUDA)"),
    ("mps", "Apple GPU (Metal)"),
]


class SettingsDialog(QDialog):
    def __init__(
        self, model: str, device: str, parent=None, sensitivity: float = 0.5, settings: Settings | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle("Settings — Photoapp")
        s = settings or Settings()
        s.tags.sensitivity = sensitivity
        tabs = QTabWidget(self)
        tabs.addTab(self._search_tab(model, device, s), "Search")
        tabs.addTab(self._tags_tab(s), "Tags")
        tabs.addTab(self._duplicates_tab(s), "Duplicates")
        tabs.addTab(self._watching_tab(s), "Watching")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.resize(600, self.sizeHint().height())

    # -- tabs -------------------------------------------------------------------------------------
    def _search_tab(self, model: str, device: str, s: Settings) -> QWidget:
        self.model_box = QComboBox(self)
        for key, label in MODEL_CHOICES:
            self.model_box.addItem(label, key)
        self.other_model = QLineEdit(self)
        self.other_model.setPlaceholderText("e.g. openai/clip-vit-large-patch14, or a model folder")
        browse = QPushButton("Folder…", self)
        browse.clicked.connect(self._browse)
        other = _row(self, self.other_model, browse)
        known = self.model_box.findData(model)
        self.model_box.setCurrentIndex(known if known >= 0 else self.model_box.findData(OTHER))
        if known < 0:
            self.other_model.setText(model)
        self.toy_warning = QLabel(TOY_WARNING, self)
        self.toy_warning.setWordWrap(True)
        self.model_box.currentIndexChanged.connect(lambda _i: self._model_changed(other))
        self.device_box = QComboBox(self)
        for key, label in DEVICES:
            self.device_box.addItem(label, key)
        self.device_box.setCurrentIndex(max(0, self.device_box.findData(device)))
        self.strictness = _slider(self, -100, 100, round(s.strictness * 100))
        self.strictness.setToolTip("How alike a photo must be to count as a match (settings.json: strictness)")
        note = QLabel(
            "Changing the model re-indexes every photo; the old embeddings are kept, so switching back is instant.",
            self,
        )
        note.setWordWrap(True)
        note.setObjectName("hint")
        form = QFormLayout()
        form.addRow("Model", self.model_box)
        form.addRow("", other)
        form.addRow("", self.toy_warning)
        form.addRow("Device", self.device_box)
        form.addRow("Search results", _labelled(self, "more, looser", self.strictness, "fewer, closer"))
        form.addRow("", note)
        self._model_changed(other)
        return _page(self, form)

    def _tags_tab(self, s: Settings) -> QWidget:
        self.sensitivity_slider = _slider(self, 0, 100, round(s.tags.sensitivity * 100))
        self.sensitivity_slider.setToolTip(
            "Tagging sensitivity: how sure the model must be before it tags a photo. Changing it "
            "re-tags the library; tags you added or removed by hand stay as they are."
        )
        self.max_tags = QSpinBox(self)
        self.max_tags.setRange(1, 20)
        self.max_tags.setValue(s.tags.max_tags)
        self.auto_tagging = QCheckBox("Tag photos automatically", self)
        self.auto_tagging.setChecked(s.tags.auto_tagging)
        self.xmp = QCheckBox("Write tags to XMP sidecar files next to the photos (photos are never changed)", self)
        self.xmp.setChecked(s.tags.xmp_sidecars)
        form = QFormLayout()
        form.addRow("Sensitivity", _labelled(self, "fewer tags", self.sensitivity_slider, "more tags"))
        form.addRow("Tags per photo, at most", self.max_tags)
        form.addRow("", self.auto_tagging)
        form.addRow("", self.xmp)
        return _page(self, form)

    def _duplicates_tab(self, s: Settings) -> QWidget:
        self.near_bits = QSpinBox(self)
        self.near_bits.setRange(0, 64)
        self.near_bits.setValue(s.duplicates.near_max_bits)
        self.near_bits.setToolTip("Near copies (resized, re-saved): how many of 128 fingerprint bits may differ")
        self.similar_cosine = QDoubleSpinBox(self)
        self.similar_cosine.setRange(0.5, 1.0)
        self.similar_cosine.setSingleStep(0.01)
        self.similar_cosine.setDecimals(2)
        self.similar_cosine.setValue(s.duplicates.similar_min_cosine)
        self.similar_cosine.setToolTip("Similar shots (bursts): how alike two photos must look (1 = identical)")
        form = QFormLayout()
        form.addRow("Near copies may differ by (bits)", self.near_bits)
        form.addRow("Similar shots: at least", self.similar_cosine)
        return _page(self, form)

    def _watching_tab(self, s: Settings) -> QWidget:
        self.polling = QCheckBox("Poll every folder (for network drives where file events do not arrive)", self)
        self.polling.setChecked(s.watch.polling)
        self.poll_interval = QDoubleSpinBox(self)
        self.poll_interval.setRange(0.5, 3600)
        self.poll_interval.setSuffix(" s")
        self.poll_interval.setValue(s.watch.poll_interval)
        form = QFormLayout()
        form.addRow("", self.polling)
        form.addRow("Poll every", self.poll_interval)
        return _page(self, form)

    # -- values -----------------------------------------------------------------------------------
    def _model_changed(self, other: QWidget) -> None:
        key = self.model_box.currentData()
        other.setVisible(key == OTHER)
        self.toy_warning.setVisible(key == TOY_MODEL)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a model folder")
        if folder:
            self.other_model.setText(folder)

    def model(self) -> str:
        key = self.model_box.currentData()
        return (self.other_model.text().strip() or DEFAULT_MODEL) if key == OTHER else key

    def device(self) -> str:
        return self.device_box.currentData()

    def sensitivity(self) -> float:
        return self.sensitivity_slider.value() / 100

    def options(self) -> dict:
        """settings.json values other than model, device and sensitivity: {section.key: value}."""
        return {
            "strictness": self.strictness.value() / 100,
            "tags.max_tags": self.max_tags.value(),
            "tags.auto_tagging": self.auto_tagging.isChecked(),
            "tags.xmp_sidecars": self.xmp.isChecked(),
            "duplicates.near_max_bits": self.near_bits.value(),
            "duplicates.similar_min_cosine": round(self.similar_cosine.value(), 2),
            "watch.polling": self.polling.isChecked(),
            "watch.poll_interval": self.poll_interval.value(),
        }


def _slider(parent, low: int, high: int, value: int) -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal, parent)
    slider.setRange(low, high)
    slider.setPageStep(10)
    slider.setValue(value)
    return slider


def _row(parent, *widgets) -> QWidget:
    holder = QWidget(parent)
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for i, widget in enumerate(widgets):
        row.addWidget(widget, 1 if i == 0 else 0)
    return holder


def _labelled(parent, left: str, slider: QSlider, right: str) -> QWidget:
    holder = QWidget(parent)
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(QLabel(left, parent))
    row.addWidget(slider, 1)
    row.addWidget(QLabel(right, parent))
    return holder


def _page(parent, form: QFormLayout) -> QWidget:
    page = QWidget(parent)
    page.setLayout(form)
    return page
