#!/usr/bin/env bash
# Vendor the official partial plotly.js bundle (scatter, bar, pie) into plugins/community_metrics/static/vendor/plotly/,
# at the plotly.js version the installed Python plotly expects (plotly >= 6 emits typed `bdata`
# arrays that older plotly.js draws empty). Reproducible: npm pack of a pinned version.
# Usage: scripts/vendor_plotly.sh [VERSION]   (default: plotly.offline.get_plotlyjs_version())
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
version="${1:-$("$python" -c 'import plotly.offline; print(plotly.offline.get_plotlyjs_version())')}"
dest="$root/plugins/community_metrics/static/vendor/plotly"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "plotly.js-basic-dist-min@$version" >/dev/null)
tar -xzf "$work"/plotly.js-basic-dist-min-"$version".tgz -C "$work"
mkdir -p "$dest"
cp "$work/package/plotly-basic.min.js" "$dest/plotly-basic.min.js"
cp "$work/package/LICENSE" "$dest/LICENSE"
printf '%s\n' "$version" > "$dest/VERSION"
echo "vendored plotly.js-basic-dist-min $version into ${dest#"$root"/}"
