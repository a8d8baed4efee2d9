#!/usr/bin/env bash
# Copy the npm-installed front-end assets into gongdan/static/vendor/ (git-ignored), so the app
# serves them itself: no CDN at run time. Run by `make` after `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

src=node_modules
dest=gongdan/static/vendor
rm -rf "$dest"
mkdir -p "$dest/bootstrap/css" "$dest/bootstrap/js" "$dest/echarts" "$dest/swagger-ui" "$dest/axe-core"

cp "$src/bootstrap/dist/css/bootstrap.min.css" "$src/bootstrap/dist/css/bootstrap.min.css.map" "$dest/bootstrap/css/"
cp "$src/bootstrap/dist/js/bootstrap.bundle.min.js" "$src/bootstrap/dist/js/bootstrap.bundle.min.js.map" \
  "$dest/bootstrap/js/"
cp "$src/bootstrap/LICENSE" "$dest/bootstrap/LICENSE"
cp "$src/echarts/dist/echarts.min.js" "$dest/echarts/"
cp "$src/echarts/LICENSE" "$dest/echarts/LICENSE"
# The API docs page (/api/v1/docs) and the accessibility check of the browser tests.
cp "$src/swagger-ui-dist/swagger-ui-bundle.js" "$src/swagger-ui-dist/swagger-ui.css" "$src/swagger-ui-dist/LICENSE" \
  "$dest/swagger-ui/"
cp "$src/axe-core/axe.min.js" "$src/axe-core/LICENSE" "$dest/axe-core/"

for package in bootstrap echarts swagger-ui-dist axe-core; do
  target="${package%-dist}"
  node -p "require('./$src/$package/package.json').version" >"$dest/$target/VERSION"
done
echo "vendored bootstrap $(cat "$dest/bootstrap/VERSION"), echarts $(cat "$dest/echarts/VERSION")," \
  "swagger-ui $(cat "$dest/swagger-ui/VERSION"), axe-core $(cat "$dest/axe-core/VERSION") into $dest/"
