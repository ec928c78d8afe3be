"""Videos (MP4, MOV, M4V, MKV, WebM, AVI, 3GP) through PyAV, which bundles FFmpeg.

A video is embedded as the normalised mean of the model's embeddings of a few frames
spread through it (``SAMPLES``); the middle one is its poster frame (gallery thumbnail,
fingerprint). Duration and capture date come from the container. Decoding has a time
budget and a frame budget per sample, so a broken or pathological file becomes a
DecodeError (a problem entry) instead of a hang.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PIL import Image

from photoapp.core.media.capture import CaptureTime, container_time, iso6709_position
from photoapp.core.media.image import MAX_PIXELS, DecodeError, PhotoInfo, open_photo

SAMPLES = (0.25, 0.5, 0.75)  # where the frames the model sees are taken, as shares of the duration
POSTER = 0.5  # the gallery's picture of a video
DECODE_BUDGET_S = 20.0  # longest one video may take to give its frames
FRAMES_PER_SEEK = 600  # frames decoded after a seek before giving up on reaching the target
_DATE_KEYS = ("com.apple.quicktime.creationdate", "creation_time", "date", "DATE_RECORDED", "DATE")
_MAKE_KEYS = ("com.apple.quicktime.make", "make")
_LOCATION_KEYS = ("com.apple.quicktime.location.iso6709", "location", "location-eng")
_MODEL_KEYS = ("com.apple.quicktime.model", "model")


def load_frames(
    path: Path, min_side: int | None = None, positions: tuple[float, ...] = SAMPLES, budget: float = DECODE_BUDGET_S
) -> tuple[list[Image.Image], PhotoInfo]:
    """Upright RGB frames at ``positions`` (shares of the duration) and the video's info.

    With ``min_side`` frames are scaled down (keeping their shape) so that the short side
    is about that size: a 4K frame is not kept whole when the model sees 224 pixels."""
    try:
        import av
    except ImportError:
        raise DecodeError("video support is not installed (the av package)") from None
    deadline = time.monotonic() + budget
    with open_photo(path, timeout=budget) as fh:  # no FIFO, a size limit; FFmpeg reads through it
        frames, info = _read(av, fh, min_side, positions, deadline)
    info.format = os.path.splitext(os.fspath(path))[1].lstrip(".").upper()
    return frames, info


def _read(av, fh, min_side: int | None, positions: tuple[float, ...], deadline: float):
    try:
        container = av.open(fh, metadata_errors="ignore")
    except FileNotFoundError:
        raise DecodeError("file vanished before it could be read") from None
    except PermissionError:
        raise DecodeError("permission denied") from None
    except av.FFmpegError as exc:
        raise DecodeError(
            f"not a video FFmpeg can read (corrupt, incomplete or mislabelled?): {_reason(exc)}"
        ) from None
    except (OSError, ValueError) as exc:
        raise DecodeError(f"cannot read video: {exc}") from None
    try:
        with container:
            if not container.streams.video:
                raise DecodeError("no video stream in this file")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            width, height = int(stream.codec_context.width or 0), int(stream.codec_context.height or 0)
            if width * height > MAX_PIXELS:
                raise DecodeError(f"video frames too large ({width}x{height})")
            duration = _duration(container, stream)
            frames = []
            for share in positions:
                frame = _frame_at(container, stream, duration, share, deadline)
                frames.append(_to_image(frame, min_side))
            capture, camera, gps = _metadata(container, stream)
    except DecodeError:
        raise
    except av.FFmpegError as exc:
        raise DecodeError(f"corrupt video data: {_reason(exc)}") from None
    except MemoryError:
        raise DecodeError("not enough memory to decode this video") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise DecodeError(f"corrupt video data: {exc}") from None
    display_w, display_h = _full_size(width, height, frames)
    taken = capture.timestamp if capture else None
    info = PhotoInfo(display_w, display_h, 1, taken, camera, None, kind="video", duration=duration, capture=capture)
    info.gps = gps
    return frames, info


def _full_size(width: int, height: int, frames: list[Image.Image]) -> tuple[int, int]:
    """The video's display size: its coded size, turned like its (rotated) frames."""
    if frames and width and height and (frames[0].width > frames[0].height) != (width > height):
        return height, width
    return width, height


def _duration(container, stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        seconds = float(stream.duration * stream.time_base)
        if seconds > 0:
            return seconds
    if container.duration is not None and container.duration > 0:
        return container.duration / 1_000_000  # av.time_base
    return None


def _frame_at(container, stream, duration: float | None, share: float, deadline: float):
    """The first frame at or after ``share`` of the duration (the first frame when the
    duration is unknown or the file cannot seek)."""
    target = None
    if duration and stream.time_base:
        start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        target = start + duration * share
        try:
            container.seek(int(target / stream.time_base), stream=stream, backward=True, any_frame=False)
        except Exception:  # noqa: BLE001 - not seekable: read from where we are
            target = None
    last = None
    for decoded, frame in enumerate(container.decode(stream), start=1):
        last = frame
        if target is None or frame.time is None or frame.time >= target - 1e-3:
            return frame
        if decoded >= FRAMES_PER_SEEK:
            return frame  # a sparse index: close enough
        if time.monotonic() > deadline:
            raise DecodeError(
                f"decoding took longer than {DECODE_BUDGET_S:g} s (a damaged or pathological video); skipped"
            )
    if last is not None:
        return last  # the target was past the last frame (a duration that overstates)
    if target is not None and share > 0:
        # Nothing after the seek: try once more from the start.
        container.seek(0, stream=stream, backward=True, any_frame=False)
        for frame in container.decode(stream):
            return frame
    raise DecodeError("the video has no frame that can be decoded (truncated or still being copied?)")


def _to_image(frame, min_side: int | None) -> Image.Image:
    w, h = frame.width, frame.height
    if min_side and min(w, h) > 2 * min_side:
        scale = min_side / min(w, h)
        frame = frame.reformat(
            width=max(2, round(w * scale)) // 2 * 2, height=max(2, round(h * scale)) // 2 * 2, format="rgb24"
        )
    img = frame.to_image()
    rotation = getattr(frame, "rotation", 0) or 0  # degrees counterclockwise (phone videos)
    if rotation % 360:
        img = img.rotate(rotation, expand=True)
    return img if img.mode == "RGB" else img.convert("RGB")


def read_metadata(path: Path) -> tuple[CaptureTime | None, str | None, tuple[float, float] | None] | None:
    """(capture time, camera, position) from the container alone: no frame is decoded;
    None when the file cannot be opened as a video."""
    try:
        import av

        with open_photo(path, timeout=DECODE_BUDGET_S) as fh, av.open(fh, mode="r") as container:
            stream = container.streams.video[0] if container.streams.video else None
            return _metadata(container, stream)
    except Exception:  # noqa: BLE001 - not readable now: nothing is known
        return None


def _metadata(container, stream) -> tuple[CaptureTime | None, str | None, tuple[float, float] | None]:
    meta = {**dict((stream.metadata if stream is not None else None) or {}), **dict(container.metadata or {})}
    lower = {k.lower(): v for k, v in meta.items()}
    capture = None
    for key in _DATE_KEYS:
        value = meta.get(key) or lower.get(key.lower())
        if value and (capture := container_time(value)) is not None:
            break
    gps = next((p for k in _LOCATION_KEYS if lower.get(k) and (p := iso6709_position(lower[k]))), None)
    make = next((lower[k] for k in _MAKE_KEYS if lower.get(k)), "").strip()
    model = next((lower[k] for k in _MODEL_KEYS if lower.get(k)), "").strip()
    if model and make and not model.lower().startswith(make.split()[0].lower()):
        model = f"{make} {model}"
    return capture, (model or make or None), gps


def parse_date(value: str) -> float | None:
    """A container date (ISO 8601, usually UTC with a 'Z') as a POSIX timestamp; encoders'
    placeholder dates (1904, 1970) count as none."""
    capture = container_time(value)
    return capture.timestamp if capture else None


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
