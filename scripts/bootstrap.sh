#!/usr/bin/env bash
# Install everything the project needs, idempotently:
#   1. Debian packages (cairo/pango headers for manim's wheels-from-source, LaTeX for MathTex, espeak-ng),
#   2. a project virtual environment in .venv with the pinned Python dependencies,
#   3. the slides stack (skip with --no-slides): manim-slides and its dependencies from
#      requirements-slides.lock, reveal.js from the npm registry (scripts/fetch_revealjs.sh) and Debian's
#      chromium, which tests/test_slides.py drives headless. About 430 MB on disk, ~40 s the first time.
# A second run finds everything in place and returns in about a second.
#
# Usage: scripts/bootstrap.sh [--no-latex] [--no-slides] [--with-slides] [--with-browser]
set -euo pipefail
cd "$(dirname "$0")/.."

want_latex=1
want_browser=0
want_slides=1
for arg in "$@"; do
  case "$arg" in
    --no-latex) want_latex=0 ;;
    --with-browser) want_browser=1 ;;
    --with-slides) want_slides=1 ;;
    --no-slides) want_slides=0 ;;
    *) echo "bootstrap: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

PYTHON=${PYTHON:-python3}
VENV=.venv
LOCK=requirements.lock

# ---------------------------------------------------------------- system packages
apt_packages=(pkg-config libcairo2-dev libpango1.0-dev)
apt_packages+=(espeak-ng sox)  # espeak-ng: the draft voice and the voice tests; sox: manim-voiceover (else it warns on every render)
if [ "$want_latex" = 1 ]; then
  # manim's default TeX template uses the `standalone` class (texlive-latex-extra)
  # and `preview` (preview-latex-style); dvisvgm turns DVI into SVG.
  apt_packages+=(texlive-latex-base texlive-latex-recommended texlive-latex-extra
                 texlive-fonts-recommended preview-latex-style dvisvgm)
fi
if [ "$want_browser" = 1 ] || [ "$want_slides" = 1 ]; then
  apt_packages+=(chromium)
fi
if [ "$want_slides" = 1 ] && ! command -v npm >/dev/null 2>&1; then
  apt_packages+=(nodejs npm)  # npm fetches reveal.js (an npm from elsewhere, e.g. NodeSource, will do)
fi

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v brew >/dev/null 2>&1; then
    echo "bootstrap: on macOS run: brew install pkg-config cairo pango && brew install --cask mactex-no-gui" >&2
    exit 1
  else
    echo "bootstrap: missing system packages. Run:" >&2
    echo "  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

# ---------------------------------------------------------------- virtual environment
stamp="$VENV/.bootstrap-stamp"
want_stamp=$(cat "$LOCK" requirements-test.lock pyproject.toml "$0" | sha256sum | cut -c1-16)
quiet_pip() {  # pip, minus the noise of this machine's extra (empty) package indexes
  "$VENV/bin/python" -m pip "$@" 2> >(grep -v "is neither a file nor a directory" >&2)
}
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] && [ -x "$VENV/bin/python" ]; then
  : # up to date
else
  if [ ! -x "$VENV/bin/python" ]; then
    echo "bootstrap: creating $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  echo "bootstrap: installing Python dependencies from $LOCK (torch==2.13.0 CPU comes from local disk)"
  quiet_pip install -q --upgrade pip
  quiet_pip install -q -r "$LOCK"
  quiet_pip install -q -c "$LOCK" -r requirements-test.lock  # pytest-xdist for make test
  # Make the repository importable (llmfacts, scenes) from anywhere in the venv, like an editable install.
  site_dir=$("$VENV/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
  echo "$PWD" > "$site_dir/llmfacts-repo.pth"
  echo "$want_stamp" > "$stamp"
  echo "bootstrap: done"
fi

# ---------------------------------------------------------------- slides (manim-slides, reveal.js)
if [ "$want_slides" = 1 ]; then
  SLIDES_LOCK=requirements-slides.lock
  slides_stamp="$VENV/.slides-stamp"
  want_slides_stamp=$(cat "$LOCK" "$SLIDES_LOCK" | sha256sum | cut -c1-16)
  if [ ! -f "$slides_stamp" ] || [ "$(cat "$slides_stamp")" != "$want_slides_stamp" ]; then
    echo "bootstrap: installing the slides dependencies from $SLIDES_LOCK"
    quiet_pip install -q -c "$LOCK" -r "$SLIDES_LOCK"  # -c: never moves a pin of $LOCK
    echo "$want_slides_stamp" > "$slides_stamp"
  fi
  scripts/fetch_revealjs.sh
fi
