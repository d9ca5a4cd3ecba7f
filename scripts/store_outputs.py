#!/usr/bin/env python3
"""Store the outputs of chosen cells of a notebook, the ones its docs page must show (a figure, a table).

    python scripts/store_outputs.py nbs/07_blockell.ipynb 65008047 [CELL_ID ...]

The docs build runs only imports, exported cells and `show_doc`, so a page shows what is stored in the notebook.
This runs the notebook as `nbdev-test` does (in its folder, skipping cells flagged with `tst_flags` and
`#| eval: false`), up to the last cell asked for, and writes back the outputs of the cells named, and no others:
every other cell is left exactly as it was. Only for outputs that this machine produces honestly (CPU runs,
or plots of committed result files), never for GPU-only cells.
"""
import json, os, sys, re, tomllib
from pathlib import Path
from execnb.shell import CaptureShell

ROOT = Path(__file__).resolve().parent.parent

def _skipped(src:str, flags:set)->bool:
    for line in src.splitlines():
        if not line.startswith('#|'): break
        words = set(re.split(r'[\s:,]+', line[2:].strip()))
        if words & flags or re.match(r'#\|\s*eval\s*:\s*false', line): return True
    return False

def main(path:str, ids:list):
    p = Path(path).resolve()
    nb = json.loads(p.read_text())
    flags = set(tomllib.loads((ROOT / 'pyproject.toml').read_text())['tool']['nbdev'].get('tst_flags', '').split())
    pos = {c.get('id'): i for i, c in enumerate(nb['cells'])}
    missing = [i for i in ids if i not in pos]
    if missing: sys.exit(f'no cell with id {missing} in {p.name}')
    last = max(pos[i] for i in ids)
    os.chdir(p.parent)
    sh = CaptureShell()
    sh.run_cell("import matplotlib; matplotlib.use('module://matplotlib_inline.backend_inline')\n%matplotlib inline\n"
                "%config InlineBackend.figure_formats = ['png']\n"            # one PNG at 144 dpi: sharp in the column, small in git
                "%config InlineBackend.print_figure_kwargs = {'bbox_inches': 'tight', 'dpi': 144}")
    for i, c in enumerate(nb['cells'][:last + 1]):
        src = ''.join(c['source'])
        if c['cell_type'] != 'code' or _skipped(src, flags): continue
        outs = sh.run(src)
        err = [o for o in outs if o.get('output_type') == 'error']
        if err: sys.exit(f"cell {i} ({c.get('id')}) failed: {err[0].get('ename')}: {err[0].get('evalue')}")
        if c.get('id') in ids:
            for o in outs:
                if 'execution_count' in o: o['execution_count'] = None
            c['outputs'] = [dict(o) for o in outs]
    p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    print(f'{p.name}: stored the outputs of {len(ids)} cell(s)')

if __name__ == '__main__':
    if len(sys.argv) < 3: sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
