#!/usr/bin/env bash
# Fetch the reveal.js assets that `manim-slides convert --offline --one-file` inlines into the slide deck.
#
# They come from the npm registry (the npm package reveal.js, pinned by version and sha512 integrity), never
# from a CDN, and land in .cache/manim-slides/revealjs<VERSION>/ (git-ignored): the layout of manim-slides'
# own asset cache, so llmfacts/slides.py points manim-slides at it with XDG_CACHE_HOME=.cache.
# Idempotent: a second run finds the assets in place and returns at once (no network).
#
# Usage: scripts/fetch_revealjs.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep in step with REVEALJS_VERSION in llmfacts/slides.py (tests/test_slides.py checks that they agree).
VERSION=6.0.1
INTEGRITY=sha512-9eacArNIgqO2HGWOK+93gJNn+gvdGDVbSq+i2u3Ja9kjiHps0XNLpgYTZTYjKRH91uXy3clGimeGiw4umHG/tg==

dest=.cache/manim-slides/revealjs$VERSION
stamp="$dest/.npm-integrity"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$INTEGRITY" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch_revealjs: npm is missing; install Node.js (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi

echo "fetch_revealjs: fetching reveal.js $VERSION from the npm registry"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "reveal.js@$VERSION" >/dev/null)
tarball="$work/reveal.js-$VERSION.tgz"
got=$(python3 -c 'import base64, hashlib, sys; print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tarball")
if [ "$got" != "$INTEGRITY" ]; then
  echo "fetch_revealjs: reveal.js-$VERSION.tgz has integrity $got, expected $INTEGRITY" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work"

# manim-slides looks assets up by file name alone, so the cache is flat.
staging="$work/assets"
mkdir -p "$staging"
cp "$work"/package/dist/*.css "$work"/package/dist/*.js \
   "$work"/package/dist/theme/*.css \
   "$work"/package/dist/plugin/*.js "$work"/package/dist/plugin/highlight/*.css \
   "$staging"/
cp "$work"/package/LICENSE "$staging"/LICENSE.reveal.js
echo "$INTEGRITY" > "$staging/.npm-integrity"

mkdir -p "$(dirname "$dest")"
rm -rf "$dest.old"
[ -d "$dest" ] && mv "$dest" "$dest.old"
mv "$staging" "$dest"
rm -rf "$dest.old"
echo "fetch_revealjs: $(ls "$dest" | wc -l) files in $dest ($(du -sh "$dest" | cut -f1))"
