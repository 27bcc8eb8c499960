#!/bin/sh
# Build the extension into a private directory, so that several people can
# build the same tree at once without sharing build outputs:
#   tools/devbuild.sh NAME [python]   ->  /tmp/csocket-NAME/csocket/...
# then run with PYTHONPATH=/tmp/csocket-NAME.
set -e
name=${1:?usage: tools/devbuild.sh NAME [python]}
py=${2:-python3}
top=$(cd "$(dirname "$0")/.." && pwd)
out=/tmp/csocket-$name
mkdir -p "$out/csocket"
cd "$top"
CSOCKET_WERROR=${CSOCKET_WERROR-1} "$py" setup.py -q build_ext \
    --build-temp "$out/tmp" --build-lib "$out/lib" >"$out/build.log" 2>&1 || {
    cat "$out/build.log"; exit 1; }
grep -E "^(src|include)/.*(warning|error)" "$out/build.log" || true
cp src/csocket/*.py "$out/csocket/"
cp "$out"/lib/csocket/_csocket*.so "$out/csocket/"
echo "PYTHONPATH=$out"
