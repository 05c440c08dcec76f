#!/usr/bin/env bash
# Executed notebooks as a static site in html/ (or $OUT), readable offline: index.html lists the
# notebooks in lecture order and every page carries a "static copy" banner (tools/html_site.py).
# The widget renderer, require.js, MathJax and Font Awesome are copied next to the pages (fetched once from the
# npm registry into build/npm). Without npm the pages fall back to loading them from a CDN, so
# sliders and math need a network.
#   tools/build_html.sh                 # every notebook
#   tools/build_html.sh notebooks/00_start_here.ipynb ...   # just these
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
OUT=${OUT:-html}
NPM_DIR=${NPM_DIR:-build/npm}
mkdir -p "$OUT"
args=()
if command -v npm >/dev/null 2>&1 || [ -f "$NPM_DIR/node_modules/font-awesome/css/font-awesome.min.css" ]; then
  if [ ! -f "$NPM_DIR/node_modules/font-awesome/css/font-awesome.min.css" ]; then
    npm install --prefix "$NPM_DIR" --no-audit --no-fund --silent \
      @jupyter-widgets/html-manager@1 requirejs@2 mathjax@2 font-awesome@4
  fi
  nm="$NPM_DIR/node_modules"
  rm -rf "$OUT/_static"
  mkdir -p "$OUT/_static/mathjax"
  cp -r "$nm/@jupyter-widgets/html-manager/dist" "$OUT/_static/html-manager"
  cp "$nm/requirejs/require.js" "$OUT/_static/require.js"
  mkdir -p "$OUT/_static/font-awesome"  # the buttons of matplotlib's JavaScript animations
  cp -r "$nm/font-awesome/css" "$nm/font-awesome/fonts" "$OUT/_static/font-awesome/"
  cp -r "$nm/mathjax/MathJax.js" "$nm/mathjax/config" "$nm/mathjax/extensions" \
        "$nm/mathjax/jax" "$nm/mathjax/localization" "$nm/mathjax/fonts" "$OUT/_static/mathjax/"
  args=(--HTMLExporter.widget_renderer_url=_static/html-manager/embed-amd.js
        --HTMLExporter.require_js_url=_static/require.js
        "--HTMLExporter.mathjax_url=_static/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe")
else
  echo "npm not found: the pages will load the widget renderer and MathJax from a CDN" >&2
fi
if [ "$#" -gt 0 ]; then notebooks=("$@"); else notebooks=(notebooks/*.ipynb); fi
for nb in "${notebooks[@]}"; do
  "$BIN/jupyter" nbconvert --to html --execute --output-dir "$OUT" "${args[@]}" "$nb"
done
"$BIN/python" tools/html_site.py --out "$OUT" "${notebooks[@]}"
echo "open $OUT/index.html"
