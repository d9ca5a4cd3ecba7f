#!/usr/bin/env python3
"""Full-page screenshots of every page of the built docs site (`_docs/`), for looking at them before a release.

    bash scripts/build_docs.sh && python scripts/screenshot_docs.py [PAGE ...] [--out DIR] [--width 1280]

PAGE is a path under `_docs/` (`core.html`, `experiments/e01_band_sweep.html`); none means every page. PNGs go
to DIR (default `$TMPDIR/sparse_nb_docs_shots`, never the repo: screenshots are looked at, not committed), one
per page, named after it, plus `report.txt` with each page's height and what a reader would trip on and a script
can see: images that did not load, links to pages that do not exist, and wide `<pre>` blocks of output text
(a table printed as text instead of rendered), and figures
shrunk to under 0.3 of their stored width (too wide a `figsize` for the column: about 8 inches fits). A one-off check, not for CI: it needs Chromium and its driver
(Debian: `apt-get install chromium chromium-driver`) and `pip install selenium`.
"""
import argparse, os, sys, tempfile
from pathlib import Path
from urllib.parse import urlparse, unquote

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / '_docs'

# In the page: broken images, relative links to missing files, output <pre> blocks wider than their box
PROBE = r"""
const bad_img = [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
const links = [...document.querySelectorAll('a[href]')].map(a => a.href).filter(h => h.startsWith('file:'));
const wide = [...document.querySelectorAll('.cell-output pre, pre.cell-output, .cell-output-stdout pre')]
  .filter(p => p.scrollWidth > p.clientWidth + 4).map(p => p.textContent.trim().split('\n')[0].slice(0, 80));
const small_fig = [...document.querySelectorAll('.cell-output img, .cell-output-display img')]
  .filter(i => i.naturalWidth > 0 && i.clientWidth < 0.3 * i.naturalWidth)   // matplotlib stores 2x (retina) PNGs: below 0.3 the fonts are tiny
  .map(i => `${i.getAttribute('src').slice(0, 60)} shown at ${i.clientWidth}px of ${i.naturalWidth}px`);
return {height: Math.max(document.body.scrollHeight, document.documentElement.scrollHeight),
        bad_img, links, wide, small_fig};
"""

def pages(args)->list:
    if args: return [SITE / a for a in args]
    return sorted(p for p in SITE.rglob('*.html') if 'site_libs' not in p.parts)

def driver(width:int):
    from selenium import webdriver
    o = webdriver.ChromeOptions()
    for a in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
              f'--window-size={width},1000', '--force-device-scale-factor=1'):
        o.add_argument(a)
    if Path('/usr/bin/chromium').exists(): o.binary_location = '/usr/bin/chromium'
    svc = webdriver.ChromeService(executable_path='/usr/bin/chromedriver') if Path('/usr/bin/chromedriver').exists() else None
    return webdriver.Chrome(options=o, service=svc) if svc else webdriver.Chrome(options=o)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('pages', nargs='*')
    ap.add_argument('--out', default=os.path.join(tempfile.gettempdir(), 'sparse_nb_docs_shots'))
    ap.add_argument('--width', type=int, default=1280)
    a = ap.parse_args()
    if not (SITE / 'index.html').exists(): sys.exit('no _docs/index.html: run `bash scripts/build_docs.sh` first')
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    d, lines = driver(a.width), []
    try:
        for p in pages(a.pages):
            d.set_window_size(a.width, 1000)
            d.get(p.as_uri())
            r = d.execute_script(PROBE)
            d.set_window_size(a.width, min(int(r['height']) + 50, 30000))
            png = out / (str(p.relative_to(SITE)).replace('/', '__').removesuffix('.html') + '.png')
            d.save_screenshot(str(png))
            missing = sorted({unquote(urlparse(h).path) for h in r['links']
                              if not Path(unquote(urlparse(h).path)).exists()})
            rel = p.relative_to(SITE)
            lines.append(f"{rel}: {r['height']}px -> {png.name}")
            lines += [f"  image not loaded: {s}" for s in r['bad_img']]
            lines += [f"  link to a missing page: {m}" for m in missing]
            lines += [f"  output text wider than the column (scrolls sideways): {w!r}" for w in r['wide']]
            lines += [f"  figure shrunk: {s}" for s in r['small_fig']]
    finally: d.quit()
    (out / 'report.txt').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines)); print(f'screenshots and report.txt in {out}')

if __name__ == '__main__': main()
