"""Photoapp: a desktop photo organiser with on-device AI search.

The one place for the app's identity: the CLI, the GUI, pyproject.toml and every
installer (installers/photoapp.spec, the Inno Setup script, the .app's Info.plist) read
these names and the version from here.
"""

__version__ = "0.1.0"

APP_NAME = "Photoapp"  # shown to people; also names the per-user data and cache folders
APP_ID = "photoapp"  # command, .desktop file id (the Wayland app id) and icon name
BUNDLE_ID = "io.github.photoapp.Photoapp"  # macOS bundle identifier
DESCRIPTION = "Organise and search your photos with on-device AI"
