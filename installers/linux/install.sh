#!/bin/sh
# Install Photoapp from this unpacked folder the freedesktop way: the app under lib/,
# the `photoapp` command under bin/, a menu entry and icons in the hicolor theme.
#
#   ./install.sh                    for you: ~/.local (make sure ~/.local/bin is on PATH)
#   sudo ./install.sh --system      for everyone: /usr/local
#   ./install.sh --prefix DIR       anywhere else
#   ./install.sh --uninstall [--system | --prefix DIR]
#
# Your libraries and downloaded models (~/.local/share/Photoapp, ~/.cache/Photoapp) are
# never touched, not even by --uninstall.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=$HOME/.local
ACTION=install
while [ $# -gt 0 ]; do
  case "$1" in
    --system) PREFIX=/usr/local ;;
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a folder" >&2; exit 2; }; PREFIX=$2; shift ;;
    --uninstall) ACTION=uninstall ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

APPDIR="$PREFIX/lib/photoapp"
BIN="$PREFIX/bin/photoapp"
DESKTOP="$PREFIX/share/applications/photoapp.desktop"
HICOLOR="$PREFIX/share/icons/hicolor"
SIZES="16 24 32 48 64 128 256 512"

refresh_caches() {
  # Optional helpers: menus and icon themes pick the changes up without a new login.
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$PREFIX/share/applications" 2>/dev/null || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$HICOLOR/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$HICOLOR" 2>/dev/null || true
  fi
}

if [ "$ACTION" = uninstall ]; then
  rm -rf "$APPDIR"
  if [ -L "$BIN" ]; then rm -f "$BIN"; fi  # only our symlink, never someone else's photoapp
  rm -f "$DESKTOP"
  for size in $SIZES; do rm -f "$HICOLOR/${size}x${size}/apps/photoapp.png"; done
  refresh_caches
  echo "Photoapp removed from $PREFIX (your libraries and downloaded models are kept)."
  exit 0
fi

[ -x "$HERE/photoapp" ] && [ -d "$HERE/_internal" ] || {
  echo "install.sh: run me from the unpacked Photoapp folder (photoapp and _internal/ beside me)" >&2; exit 1; }

# Copy to a temporary name first so a failed copy never leaves half an app behind.
mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$PREFIX/share/applications"
rm -rf "$APPDIR.new"
mkdir "$APPDIR.new"
cp -R "$HERE/photoapp" "$HERE/_internal" "$APPDIR.new/"
rm -rf "$APPDIR"
mv "$APPDIR.new" "$APPDIR"
ln -sfn "$APPDIR/photoapp" "$BIN"

# The menu entry runs the installed program by its full path (a desktop session's PATH
# often lacks ~/.local/bin), quoted as the Desktop Entry spec wants for paths with spaces.
sed "s|^Exec=photoapp|Exec=\"$BIN\"|; s|^TryExec=photoapp|TryExec=$BIN|" "$HERE/photoapp.desktop" > "$DESKTOP"
chmod 644 "$DESKTOP"
for size in $SIZES; do
  mkdir -p "$HICOLOR/${size}x${size}/apps"
  cp "$HERE/_internal/resources/icons/photoapp-$size.png" "$HICOLOR/${size}x${size}/apps/photoapp.png"
done
refresh_caches

echo "Photoapp installed in $APPDIR"
echo "  menu entry: $DESKTOP"
echo "  command:    $BIN"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "  note: $PREFIX/bin is not on your PATH; add it to run 'photoapp' from a terminal." ;;
esac
