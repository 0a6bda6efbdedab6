#!/usr/bin/env bash
# Installs libkiln for C and C++ programs: include/kiln.h, lib/libkiln.{so,a} and
# lib/pkgconfig/kiln.pc under PREFIX. Builds the release library first unless LIB_DIR names a
# directory that already holds libkiln.so and libkiln.a.
#   c-api/install.sh /usr/local        then: cc app.c $(pkg-config --cflags --libs kiln)
set -euo pipefail
prefix="${1:?usage: install.sh PREFIX}"
here="$(cd "$(dirname "$0")" && pwd)"
if [ -z "${LIB_DIR:-}" ]; then
  cargo build --release -p kiln-c-api --manifest-path "$here/../Cargo.toml"
  LIB_DIR="${CARGO_TARGET_DIR:-$here/../target}/release"
fi
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/../Cargo.toml" | head -1)"
mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
cp "$here/include/kiln.h" "$prefix/include/"
cp "$LIB_DIR/libkiln.so" "$LIB_DIR/libkiln.a" "$prefix/lib/"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" "$here/kiln.pc.in" \
  > "$prefix/lib/pkgconfig/kiln.pc"
echo "installed libkiln $version under $prefix"
