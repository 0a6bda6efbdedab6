#!/usr/bin/env bash
# Checks that libkiln_jni exports exactly one JNI symbol per native method of
# dev.kiln.internal.Native (and no stale extra ones).
#   jni-agent/check-symbols.sh [path/to/libkiln_jni.so]   (default: target/debug/libkiln_jni.so)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lib="${1:-$root/target/debug/libkiln_jni.so}"
java="$root/java-client/src/main/java/dev/kiln/internal/Native.java"
prefix=Java_dev_kiln_internal_Native_

[ -f "$lib" ] || { echo "no library at $lib (cargo build -p kiln-jni-agent)" >&2; exit 2; }
[ -f "$java" ] || { echo "no $java" >&2; exit 2; }

# Method names of `native` declarations: the identifier before '('.
want="$(grep -E '^[^/*]*\bnative\b' "$java" | sed -E 's/^.*[[:space:]]([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*\(.*$/\1/' | sort -u)"
have="$(nm -D --defined-only "$lib" | awk '{print $NF}' | grep "^$prefix" | sed "s/^$prefix//" | sort -u)"

if [ -z "$want" ]; then echo "no native methods found in $java" >&2; exit 2; fi
if diff <(echo "$want") <(echo "$have") >/dev/null; then
    echo "ok: $(echo "$want" | wc -l) native methods, all exported by $(basename "$lib")"
    exit 0
fi
echo "native methods of Native.java (<) vs exported symbols (>):" >&2
diff <(echo "$want") <(echo "$have") >&2 || true
exit 1
