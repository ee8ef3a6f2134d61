#!/usr/bin/env bash
# Re-creates playground/vendor/ from the npm registry, using the exact versions
# pinned in playground/package.json. Only the files the playground serves are
# copied, plus each package's license as vendor/LICENSE.<package>.
# Source-map references are stripped: we do not ship maps.
#
# Usage: playground/update.sh   (needs node + npm; bump versions in package.json first)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

pin() {
  node -e '
    const v = require("./package.json").dependencies[process.argv[1]];
    if (!/^\d+\.\d+\.\d+$/.test(v || "")) {
      console.error(`package.json: ${process.argv[1]} must be pinned to an exact version, got ${v}`);
      process.exit(1);
    }
    process.stdout.write(v);
  ' "$1"
}

GRAPHIQL_VERSION="$(pin graphiql)"
REACT_VERSION="$(pin react)"
REACT_DOM_VERSION="$(pin react-dom)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "Fetching graphiql@$GRAPHIQL_VERSION react@$REACT_VERSION react-dom@$REACT_DOM_VERSION from the npm registry"
(
  cd "$tmp"
  npm pack --silent \
    "graphiql@$GRAPHIQL_VERSION" \
    "react@$REACT_VERSION" \
    "react-dom@$REACT_DOM_VERSION" >/dev/null
)

extract() { # <package> <version>
  mkdir -p "$tmp/$1"
  tar -xzf "$tmp/$1-$2.tgz" -C "$tmp/$1"
  echo "$tmp/$1/package"
}
graphiql_dir="$(extract graphiql "$GRAPHIQL_VERSION")"
react_dir="$(extract react "$REACT_VERSION")"
react_dom_dir="$(extract react-dom "$REACT_DOM_VERSION")"

# graphiql 3.x ships its UMD bundle at the package root (older releases used dist/).
find_one() { # <dir> <file>
  local f
  for f in "$1/$2" "$1/dist/$2"; do
    if [[ -f "$f" ]]; then echo "$f"; return 0; fi
  done
  echo "error: $2 not found in $1 (does this version still ship a UMD build?)" >&2
  return 1
}

vendor="$here/vendor"
rm -rf "$vendor"
mkdir -p "$vendor"

cp "$(find_one "$graphiql_dir" graphiql.min.js)"  "$vendor/graphiql.min.js"
cp "$(find_one "$graphiql_dir" graphiql.min.css)" "$vendor/graphiql.min.css"
cp "$react_dir/umd/react.production.min.js"         "$vendor/react.production.min.js"
cp "$react_dom_dir/umd/react-dom.production.min.js" "$vendor/react-dom.production.min.js"

cp "$graphiql_dir/LICENSE"  "$vendor/LICENSE.graphiql"
cp "$react_dir/LICENSE"     "$vendor/LICENSE.react"
cp "$react_dom_dir/LICENSE" "$vendor/LICENSE.react-dom"

# Strip source-map references (JS: //# sourceMappingURL=..., CSS: /*# sourceMappingURL=... */).
for f in "$vendor"/*.js "$vendor"/*.css; do
  sed -i -E \
    -e '/^[[:space:]]*\/\/[#@][[:space:]]*sourceMappingURL=/d' \
    -e '/^[[:space:]]*\/\*[#@][[:space:]]*sourceMappingURL=.*\*\/[[:space:]]*$/d' \
    "$f"
  if grep -q 'sourceMappingURL=' "$f"; then
    echo "error: $f still references a source map" >&2
    exit 1
  fi
done

# Sanity checks: the UMD bundles must expose the globals app.js relies on.
grep -q 'window.GraphiQL = ' "$vendor/graphiql.min.js" \
  || { echo "error: graphiql.min.js does not define window.GraphiQL" >&2; exit 1; }
grep -q 'window\["React"\]' "$vendor/graphiql.min.js" \
  || { echo "error: graphiql.min.js no longer takes React from a global" >&2; exit 1; }

echo "vendor/ updated:"
ls -l "$vendor"
