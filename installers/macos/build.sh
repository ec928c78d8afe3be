#!/usr/bin/env bash
# Build the macOS release: Photoapp.app from installers/photoapp.spec, smoke-tested, in a
# .dmg with an Applications shortcut (hdiutil).
#
# Once, on a Mac of the architecture you ship (PyTorch publishes macOS wheels for Apple
# silicon only, so that means arm64), with Python 3.11+ from python.org or Homebrew:
#   python3 -m venv .venv
#   .venv/bin/pip install torch                 # macOS torch: CPU + Apple GPU (MPS)
#   .venv/bin/pip install -e ".[build]"
# Then:
#   installers/macos/build.sh
#
# Output: dist/Photoapp-<version>-macos-<arch>.dmg. Without a certificate the app is
# ad-hoc signed and a downloaded copy needs right-click > Open the first time. To sign and
# notarize: CODESIGN_IDENTITY="Developer ID Application: Name (TEAMID)" and
# NOTARY_PROFILE=<profile saved with `xcrun notarytool store-credentials`>.
set -euo pipefail
[ "$(uname -s)" = Darwin ] || { echo "build.sh: this builds the macOS app; run it on a Mac" >&2; exit 1; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PY=${PYTHON:-$ROOT/.venv/bin/python}
"$PY" -c "import PyInstaller" 2>/dev/null || { echo "build.sh: PyInstaller is missing: $PY -m pip install -e \".[build]\"" >&2; exit 1; }
APP_NAME=$("$PY" -c "import photoapp; print(photoapp.APP_NAME)")
VERSION=$("$PY" -c "import photoapp; print(photoapp.__version__)")
ARCH=$(uname -m)
WORK="$ROOT/build/pyinstaller-macos"
APP="$WORK/dist/$APP_NAME.app"
DMG="$ROOT/dist/$APP_NAME-$VERSION-macos-$ARCH.dmg"

start=$(date +%s)
# CODESIGN_IDENTITY, when set, is read by the spec (hardened runtime + entitlements.plist).
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath "$WORK/dist" --workpath "$WORK/work" \
  installers/photoapp.spec

# Smoke test, as installers/linux/smoke_test.sh does on Linux.
CLI="$APP/Contents/MacOS/photoapp"
out=$("$CLI" --version)
[ "$out" = "photoapp $VERSION" ] || { echo "build.sh: photoapp --version printed '$out'" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
env -i HOME="$tmp/home" PATH=/usr/bin:/bin "$CLI" --library "$tmp/lib" --model toy demo "$tmp/photos" --no-gui --per-class 1
env -i HOME="$tmp/home" PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen "$CLI" --library "$tmp/lib" --model toy --quit-after 4
codesign --verify --deep --strict "$APP"

# The disk image: the app plus a link to /Applications to drag it onto.
STAGE="$WORK/dmg"
rm -rf "$STAGE"
mkdir -p "$STAGE" "$ROOT/dist"
ditto "$APP" "$STAGE/$APP_NAME.app"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "$APP_NAME $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
hdiutil verify "$DMG"
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$DMG"
  if [ -n "${NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
    xcrun stapler staple "$DMG"
  fi
fi

echo
echo "$APP_NAME $VERSION built in $(( $(date +%s) - start )) s"
echo "  app: ${APP#"$ROOT/"}  ($(du -sh "$APP" | cut -f1))"
echo "  dmg: ${DMG#"$ROOT/"}  ($(du -sh "$DMG" | cut -f1))"
