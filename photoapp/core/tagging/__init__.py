"""Zero-shot auto-tags, albums, smart albums, taught tags and XMP sidecars."""
