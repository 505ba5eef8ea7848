#!/usr/bin/env bash
# Install a built bundle for the current user (no root): the folder, a `gymscore` command on PATH,
# the desktop entry and the icon.  Usage: bash packaging/install_linux.sh [BUNDLE] [--uninstall]
#   BUNDLE defaults to packaging/dist/gymscore. Installs into ~/.local/opt/gymscore,
#   ~/.local/bin/gymscore, ~/.local/share/applications/gymscore.desktop and the hicolor icon theme.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bundle="${1:-$here/dist/gymscore}"
prefix="${PREFIX:-$HOME/.local}"
data="${XDG_DATA_HOME:-$prefix/share}"
if [ "${1:-}" = "--uninstall" ] || [ "${2:-}" = "--uninstall" ]; then
  rm -rf "$prefix/opt/gymscore" "$prefix/bin/gymscore" "$data/applications/gymscore.desktop" \
    "$data/icons/hicolor/256x256/apps/gymscore.png" "$data/icons/hicolor/scalable/apps/gymscore.svg"
  echo "gymscore uninstalled from $prefix"
  exit 0
fi
[ -x "$bundle/gymscore" ] || { echo "install: $bundle/gymscore not found; build first: bash packaging/build.sh" >&2; exit 2; }
mkdir -p "$prefix/opt" "$prefix/bin" "$data/applications" "$data/icons/hicolor/256x256/apps" \
  "$data/icons/hicolor/scalable/apps"
rm -rf "$prefix/opt/gymscore.new"
cp -a "$bundle" "$prefix/opt/gymscore.new"
rm -rf "$prefix/opt/gymscore"
mv "$prefix/opt/gymscore.new" "$prefix/opt/gymscore"
ln -sfn "$prefix/opt/gymscore/gymscore" "$prefix/bin/gymscore"
icons="$bundle/_internal/resources/icons"
png="$icons/gymscore.png"; [ -f "$png" ] || png="$here/gymscore.png"
svg="$icons/gymscore.svg"; [ -f "$svg" ] || svg="$here/gymscore.svg"
cp "$png" "$data/icons/hicolor/256x256/apps/gymscore.png"
cp "$svg" "$data/icons/hicolor/scalable/apps/gymscore.svg"
sed "s|^Exec=gymscore |Exec=$prefix/bin/gymscore |; s|^TryExec=gymscore$|TryExec=$prefix/bin/gymscore|" \
  "$here/gymscore.desktop" > "$data/applications/gymscore.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q "$data/icons/hicolor" 2>/dev/null || true
echo "gymscore installed: $prefix/bin/gymscore (desktop entry: $data/applications/gymscore.desktop)"
