#!/usr/bin/env python3
"""Hostile workspaces for bench/hostile/run.sh (issue #13, item 6).

gen.py PROV DIR KIND: make workspace DIR with the prov binary PROV.

KIND:
  many-4        100 MB of `a`, one citation of "aaaa" (no span)
  many-4x5      the same text, five citations of "aaaa" … "aaaaaaaa"
  near-4096     100 MB of `a`, one citation of 4095 `a` then `b` (a near miss: approximate search)
  exact-4096    100 MB of `a`, one citation of 4096 `a` (exact, overlapping at every place)
  words-4001    100 MB of "a ", one citation of 4000 times "a " then "b" (the typography prefilter)
  pending-N     four real documents (tests/data/revisions, v01, 113 KB), every sentence of 30-200
                code points cited at its span (554 citations), and a pending capture N times
                the old text: its lines shuffled, the words of each line rotated, N times over
                (so that no line is unchanged and every citation is searched)
"""
import os, random, re, subprocess, sys

prov, d, kind = sys.argv[1], sys.argv[2], sys.argv[3]
MB = 100_000_000
here = os.path.dirname(os.path.abspath(__file__))
revisions = os.path.join(here, '..', '..', 'tests', 'data', 'revisions')


def workspace(text):
    subprocess.run(['rm', '-rf', d], check=True)
    os.makedirs(d)
    subprocess.run([prov, 'init', d], check=True, stdout=subprocess.DEVNULL)
    for f in os.listdir(f'{d}/claims'):
        os.remove(f'{d}/claims/{f}')
    with open(f'{d}/doc.txt', 'w') as f:
        f.write(text)
    subprocess.run([prov, '-C', d, 'add', f'{d}/doc.txt', '--id', 'doc', '--outlet', 'x'],
                   check=True, stdout=subprocess.DEVNULL)
    os.remove(f'{d}/doc.txt')


def cite(quotes):
    with open(f'{d}/claims/c.toml', 'w') as f:
        for i, (q, span) in enumerate(quotes):
            f.write(f'[[claim]]\nid = "c{i}"\nfact = "x"\n\n[[claim.cite]]\nsource = "doc"\n'
                    f'quote = "{q}"\n')
            if span:
                f.write(f'span = [{span[0]}, {span[1]}]\n')
            f.write('\n')


if kind == 'many-4':
    workspace('a' * MB)
    cite([('aaaa', None)])
elif kind == 'many-4x5':
    workspace('a' * MB)
    cite([('a' * n, None) for n in range(4, 9)])
elif kind == 'near-4096':
    workspace('a' * MB)
    cite([('a' * 4095 + 'b', None)])
elif kind == 'exact-4096':
    workspace('a' * MB)
    cite([('a' * 4096, None)])
elif kind == 'words-4001':
    workspace('a ' * (MB // 2))
    cite([('a ' * 4000 + 'b', None)])
elif kind.startswith('pending-'):
    factor = int(kind.split('-')[1])
    old = ''.join(open(f'{revisions}/{doc}/v01.md').read() for doc in
                  ['github-privacy', 'bluesky-terms', 'parler-community', 'spotify-terms'])
    workspace(old)
    quotes = []
    for m in re.finditer(r'[A-Z][^.\n]{30,200}\.', old):
        q = m.group(0)
        if '"' in q or '\\' in q:
            continue
        quotes.append((q, (m.start(), m.start() + len(q))))
    # Python str indices are code points, as spans are.
    cite(quotes)
    rng = random.Random(7)
    lines = old.split('\n')

    def rotate(line):
        w = line.split(' ')
        if len(w) < 3:
            return line
        k = rng.randrange(1, len(w))
        return ' '.join(w[k:] + w[:k])
    out = []
    for _ in range(factor):
        ls = [rotate(line) for line in lines]
        rng.shuffle(ls)
        out.extend(ls)
    with open(f'{d}/snapshots/doc.new.txt', 'w') as f:
        f.write('\n'.join(out))
else:
    sys.exit(f'unknown kind {kind}')
