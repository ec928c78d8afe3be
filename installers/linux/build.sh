#!/usr/bin/env bash
# Build the Linux release: a one-folder app in a .tar.gz (with install.sh and the menu
# entry), plus an AppImage when appimagetool is available.
#
#   installers/linux/build.sh            # uses .venv (./setup.sh, then pip install -e ".[build]")
#   PYTHON=/path/to/python installers/linux/build.sh
#   APPIMAGETOOL=/path/to/appimagetool installers/linux/build.sh
#
# Output in dist/: photoapp-<version>-linux-<arch>.tar.gz, the unpacked folder beside it
# (what installers/linux/smoke_test.sh tests), and Photoapp-<version>-<arch>.AppImage.
# Build on the oldest distribution you want to support: the bundle needs a glibc at least
# as new as the build machine's.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PY=${PYTHON:-$ROOT/.venv/bin/python}
ARCH=$(uname -m)
DIST="$ROOT/dist"
WORK="$ROOT/build/pyinstaller-linux"

if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "build.sh: PyInstaller is missing: $PY -m pip install -e \".[build]\"" >&2
  exit 1
fi
if "$PY" -c "import torch, sys; sys.exit(0 if torch.version.cuda else 1)" 2>/dev/null; then
  # A CUDA torch works but makes a multi-GB bundle; the release is CPU-only (see README).
  echo "build.sh: note: this torch is a CUDA build; the bundle will include its CUDA support" >&2
fi
VERSION=$("$PY" -c "import photoapp; print(photoapp.__version__)")
NAME="photoapp-$VERSION-linux-$ARCH"

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath "$WORK/dist" --workpath "$WORK/work" \
  installers/photoapp.spec

rm -rf "${DIST:?}/$NAME"
mkdir -p "$DIST"
mv "$WORK/dist/photoapp" "$DIST/$NAME"
cp installers/linux/install.sh installers/linux/photoapp.desktop "$DIST/$NAME/"
cat > "$DIST/$NAME/README.txt" <<EOF
Photoapp $VERSION for Linux ($ARCH)

Run it from here:   ./photoapp            (the window)   ./photoapp --help   (the command line)
Install it:         ./install.sh          (menu entry + 'photoapp' command in ~/.local)
                    sudo ./install.sh --system   (for everyone, in /usr/local)
Remove it:          ./install.sh --uninstall

The tiny demo model is included ('photoapp demo'). The real search model
(openai/clip-vit-base-patch32, about 600 MB) downloads on first use, or use
'photoapp --model /path/to/model-folder' offline.
EOF
tar -C "$DIST" -czf "$DIST/$NAME.tar.gz" "$NAME"
built=$(date +%s)

# AppImage: the same folder in an AppDir. appimagetool is not packaged by Debian or PyPI;
# put it on PATH (or point APPIMAGETOOL at it) to get the AppImage too.
APPDIR="$WORK/Photoapp.AppDir"
rm -rf "$APPDIR"
mkdir -p "$APPDIR/usr/lib" "$APPDIR/usr/share/applications"
cp -R "$DIST/$NAME" "$APPDIR/usr/lib/photoapp"
rm "$APPDIR/usr/lib/photoapp/install.sh"
cat > "$APPDIR/AppRun" <<'EOF'
#!/bin/sh
HERE=$(dirname "$(readlink -f "$0")")
exec "$HERE/usr/lib/photoapp/photoapp" "$@"
EOF
chmod +x "$APPDIR/AppRun"
cp installers/linux/photoapp.desktop "$APPDIR/photoapp.desktop"
cp installers/linux/photoapp.desktop "$APPDIR/usr/share/applications/photoapp.desktop"
cp resources/icons/photoapp-256.png "$APPDIR/photoapp.png"
ln -sf photoapp.png "$APPDIR/.DirIcon"
for size in 16 24 32 48 64 128 256 512; do
  mkdir -p "$APPDIR/usr/share/icons/hicolor/${size}x${size}/apps"
  cp "resources/icons/photoapp-$size.png" "$APPDIR/usr/share/icons/hicolor/${size}x${size}/apps/photoapp.png"
done
TOOL=${APPIMAGETOOL:-$(command -v appimagetool || true)}
APPIMAGE="$DIST/Photoapp-$VERSION-$ARCH.AppImage"
if [ -n "$TOOL" ]; then
  ARCH=$ARCH "$TOOL" --no-appstream "$APPDIR" "$APPIMAGE"
else
  echo "build.sh: appimagetool not found: skipped the AppImage (the AppDir is ready in $APPDIR)" >&2
fi

echo
echo "Photoapp $VERSION built in $((built - start)) s"
echo "  folder:  dist/$NAME  ($(du -sh "$DIST/$NAME" | cut -f1) unpacked)"
echo "  archive: dist/$NAME.tar.gz  ($(du -sh "$DIST/$NAME.tar.gz" | cut -f1))"
if [ -f "$APPIMAGE" ]; then echo "  AppImage: ${APPIMAGE#"$ROOT/"}  ($(du -sh "$APPIMAGE" | cut -f1))"; fi
echo "Smoke test: installers/linux/smoke_test.sh dist/$NAME"
