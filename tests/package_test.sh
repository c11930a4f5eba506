#!/usr/bin/env bash
# Builds the .deb, unpacks it into a scratch root and runs the program from
# there; checks the files a desktop expects and the package's relations.
set -euo pipefail
build_dir=$1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$build_dir"
cpack -G DEB -B "$scratch/out" >"$scratch/cpack.log" 2>&1 || { cat "$scratch/cpack.log"; exit 1; }
deb=$(ls "$scratch"/out/alexnet-lab_*.deb)
echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"
dpkg-deb -x "$deb" "$scratch/root"
fail() { echo "FAIL: $*" >&2; exit 1; }
for f in usr/bin/alexnet-lab usr/share/applications/alexnet-lab.desktop \
         usr/share/metainfo/io.github.alexnetlab.AlexNetLab.metainfo.xml \
         usr/share/icons/hicolor/scalable/apps/alexnet-lab.svg usr/share/icons/hicolor/48x48/apps/alexnet-lab.png \
         usr/share/icons/hicolor/256x256/apps/alexnet-lab.png usr/share/man/man1/alexnet-lab.1.gz \
         usr/share/alexnet-lab/presets/original.json usr/share/alexnet-lab/presets/small.json; do
  [ -s "$scratch/root/$f" ] || fail "$f is missing from the package"
done
depends=$(dpkg-deb -f "$deb" Depends)
recommends=$(dpkg-deb -f "$deb" Recommends)
for lib in libqt6widgets6 libc6; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
grep -q "libtorch" <<<"$depends" || fail "Depends lacks libtorch: $depends"
for pkg in dataset-fashion-mnist libopenblas0-openmp; do
  grep -q "$pkg" <<<"$recommends" || fail "Recommends lacks $pkg: $recommends"
done
grep -q "^Exec=alexnet-lab" "$scratch/root/usr/share/applications/alexnet-lab.desktop" || fail "desktop entry"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$scratch/root/usr/share/applications/alexnet-lab.desktop"
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "$scratch/root/usr/share/metainfo/io.github.alexnetlab.AlexNetLab.metainfo.xml" >/dev/null \
    || fail "AppStream metainfo does not validate"
fi
zcat "$scratch/root/usr/share/man/man1/alexnet-lab.1.gz" | grep -q "^.SH SYNOPSIS" || fail "man page"
version=$("$scratch/root/usr/bin/alexnet-lab" --version)
[[ "$version" =~ ^alexnet-lab\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version printed: $version"
"$scratch/root/usr/bin/alexnet-lab" describe original | grep -q "total parameters: 20,719,918" \
  || fail "describe original from the package"
echo "package: $version, describe original OK; Depends: $depends; Recommends: $recommends"
