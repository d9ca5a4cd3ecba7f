#!/usr/bin/env bash
# Build the documentation site from the notebooks into _docs/ (git-ignored).
#
#   scripts/build_docs.sh                    Quarto on PATH: `nbdev-docs`, the real site.
#                                            No Quarto: `nbdev-proc-nbs` (nbdev's own processing into _proc/),
#                                            then smalldocs, a pure-Python renderer of the same Quarto project.
#   scripts/build_docs.sh --smalldocs        take the smalldocs route even where Quarto is installed
#   scripts/build_docs.sh --screenshot [P]   also save a headless-Chromium PNG of page P (default core.html;
#                                            SHOT_HEIGHT=5000 for a longer page); a one-off check, not for CI
#   (every page, full length, with a report of broken images and links, text outputs wider than the column and
#   squeezed figures: `python scripts/screenshot_docs.py`, after a build)
#
# Exits non-zero when the site does not build: a notebook nbdev cannot process, a config or page smalldocs
# cannot read, a broken link, a sidebar page with no HTML, no home page, or a lost `#|` directive in a
# markdown cell. The smalldocs warnings that nbdev's standard Quarto project always raises (Quarto-only
# keys: format-links, commonmark, keep-md, output-file) are expected and listed, not fatal.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

route=auto shot=""
while [ $# -gt 0 ]; do
  case $1 in
    --smalldocs) route=smalldocs ;;
    --screenshot) shot=core.html; if [ $# -gt 1 ] && [[ $2 != --* ]]; then shot=$2; shift; fi ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build_docs.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ $route = auto ] && { command -v quarto >/dev/null 2>&1 && route=quarto || route=smalldocs; }
SECONDS=0

if [ $route = quarto ]; then
  echo "== nbdev-docs (Quarto $(quarto --version))"
  nbdev-docs
else
  echo "== nbdev-proc-nbs (no Quarto: rendering with smalldocs $(smalldocs --version | cut -d' ' -f2))"
  # nbdev-proc-nbs tries to download and install Quarto with sudo when it is missing; skip only that step.
  # (python -c, not a heredoc: nbdev's worker processes are spawned and re-import the main script by path)
  python -c "import nbdev.quarto as q
if hasattr(q, '_ensure_quarto'): q._ensure_quarto = lambda: None
q.nbdev_proc_nbs.__wrapped__()"
  STAGE=$(mktemp -d "${TMPDIR:-/tmp}/sparse_nb_docs.XXXXXX")
  trap 'rm -rf "$STAGE"' EXIT
  # Stage a copy of _proc/ with two things Quarto does and smalldocs does not: each notebook is named after its
  # `output-file` (00_core.ipynb -> core.ipynb, so the URLs are those of the real Quarto site), and the leading
  # `#|` option lines of markdown cells (nbdev writes `#| export: true` there) are dropped.
  python - "$ROOT/_proc" "$STAGE" <<'PY'
import json, re, shutil, sys
from pathlib import Path
import yaml
proc, stage = Path(sys.argv[1]), Path(sys.argv[2])
shutil.copytree(proc, stage, dirs_exist_ok=True, ignore=shutil.ignore_patterns('_docs', '.quarto', '_site'))
errors, renames = [], {}
lost = re.compile(r'^\s*\|\s*(export[sid]?|exporti|hide|eval|echo|output|include|code-fold|default_exp)\b')
for nb in sorted(stage.rglob('*.ipynb')):
    rel = nb.relative_to(stage)
    if any(p.startswith(('_', '.')) for p in rel.parts): continue
    cells = json.loads(nb.read_text())['cells']
    for c in cells:
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        if c['cell_type'] == 'markdown' and lost.match(src):
            errors.append(f'{rel}: markdown cell starts with "{src.splitlines()[0]}": a `#|` directive lost its `#` '
                          f'(in jupytext percent source write `# #| export`), so it shows as text')
    fm = ''.join(cells[0]['source']) if cells and cells[0]['cell_type'] == 'raw' else ''
    m = re.search(r'^output-file:\s*(\S+)\s*$', fm, re.M)
    if m and Path(m.group(1)).stem != nb.stem: renames[rel] = rel.with_name(Path(m.group(1)).stem + '.ipynb')
if len(set(renames.values())) < len(renames): errors.append(f'two notebooks give the same page: {renames}')
for old, new in renames.items(): (stage/old).rename(stage/new)
by_name = {o.name: n.name for o, n in renames.items()}
link = re.compile(r'(\]\(|href=")((?:[^()\s"#]*/)?)([^/()\s"#]+\.ipynb)')
opts = re.compile(r'\A(?:#\|.*\n?)+')
for nb in stage.rglob('*.ipynb'):
    d = json.loads(nb.read_text()); changed = False
    for c in d['cells']:
        if c['cell_type'] != 'markdown': continue
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        new = opts.sub('', src)  # Quarto drops leading `#|` option lines of markdown cells (`#| export`); smalldocs does not
        # relative links written to a notebook file follow the rename
        new = link.sub(lambda m: m.group(1) + m.group(2) + by_name.get(m.group(3), m.group(3)), new)
        if new != src: c['source'], changed = new, True
    if changed: nb.write_text(json.dumps(d, indent=1))
sb = stage/'sidebar.yml'
if sb.exists():
    def walk(x):
        if isinstance(x, list): return [walk(v) for v in x]
        if isinstance(x, dict): return {k: walk(v) for k, v in x.items()}
        if isinstance(x, str) and Path(x) in renames: return str(renames[Path(x)])
        return x
    sb.write_text(yaml.safe_dump(walk(yaml.safe_load(sb.read_text())), sort_keys=False))
for e in errors: print(f'error: {e}', file=sys.stderr)
sys.exit(1 if errors else 0)
PY
  echo "== smalldocs render"
  rc=0; smalldocs render --quiet "$STAGE" 2>"$STAGE/.warnings" || rc=$?
  expected='^warning: (unknown key format-links|format commonmark is not built: smalldocs makes only html|format\.html\.keep-md is ignored|[^ ]+\.ipynb: output-file is not read by smalldocs)$'
  if grep -Eq "$expected" "$STAGE/.warnings"; then
    echo "expected (Quarto-only keys of nbdev's project): $(grep -Ec "$expected" "$STAGE/.warnings") warning(s)"
  fi
  if grep -Evq "$expected" "$STAGE/.warnings"; then
    echo "smalldocs reported problems:" >&2; grep -Ev "$expected" "$STAGE/.warnings" >&2; [ "$rc" != 0 ] || rc=1
  fi
  [ "$rc" = 0 ] || { echo "FAILED: the docs site did not build (smalldocs exit $rc)" >&2; exit 1; }
  rm -rf "$ROOT/_docs" && mv "$STAGE/_docs" "$ROOT/_docs"
  # Every sidebar page rendered, and the site has its home page.
  python - "$STAGE/sidebar.yml" "$ROOT/_docs" <<'PY'
import sys, yaml
from pathlib import Path
sb, site = Path(sys.argv[1]), Path(sys.argv[2])
pages = []
def walk(x):
    if isinstance(x, list): [walk(v) for v in x]
    elif isinstance(x, dict): [walk(v) for k, v in x.items() if k in ('contents', 'href', 'website', 'sidebar')]
    elif isinstance(x, str): pages.append(Path(x).with_suffix('.html'))
if sb.exists(): walk(yaml.safe_load(sb.read_text()))
missing = [str(p) for p in pages + [Path('index.html')] if not (site/p).is_file()]
if missing: sys.exit(f'FAILED: pages missing from {site}: {", ".join(missing)}'
                     + (' (no nbs/index.ipynb: the site has no home page)' if 'index.html' in missing else ''))
print(f'{len(pages)} sidebar page(s) + index rendered')
PY
fi

[ -f "$ROOT/_docs/index.html" ] || { echo "FAILED: no _docs/index.html" >&2; exit 1; }
echo "== docs site built in ${SECONDS}s ($route): $ROOT/_docs/index.html"

if [ -n "$shot" ]; then  # one-off visual check, not for CI: needs Chromium (Debian: apt-get install chromium)
  browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
  [ -n "$browser" ] || { echo "--screenshot: no chromium on PATH" >&2; exit 1; }
  png="${TMPDIR:-/tmp}/sparse_nb_docs_${shot//\//_}.png"; prof=$(mktemp -d)
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$prof" --hide-scrollbars \
    --window-size=1280,${SHOT_HEIGHT:-1600} --screenshot="$png" "file://$ROOT/_docs/$shot" 2>/dev/null || true
  rm -rf "$prof"
  [ -s "$png" ] && echo "screenshot: $png" || { echo "--screenshot failed" >&2; exit 1; }
fi
