#!/usr/bin/env python3
"""Independent count of what a TMX import must do, per corpus file (no tmbase involved).

Usage: derive_tmx_expectations.py CORPUS_DIR   -> prints one TSV line per TMX file:
    file  status  tu  good  skipped  reasons  detail
A <tu> counts as importable iff it has at least two <tuv> that each carry a language
(xml:lang or lang, non-empty) and a <seg>. Used to write tmx.tsv by hand-checked review;
check_tmx.sh does not use it.
"""
import gzip, os, re, sys
import xml.etree.ElementTree as ET

XML_LANG = '{http://www.w3.org/XML/1998/namespace}lang'
TMX_RE = re.compile(r'\.tmx(\.gz)?$', re.I)

def decode(raw):
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
    if raw.startswith(b'\xff\xfe'):
        return raw[2:].decode('utf-16-le'), 'utf-16le-bom'
    if raw.startswith(b'\xfe\xff'):
        return raw[2:].decode('utf-16-be'), 'utf-16be-bom'
    if raw.startswith(b'<\x00?\x00'):
        return raw.decode('utf-16-le'), 'utf-16le'
    if raw.startswith(b'\x00<\x00?'):
        return raw.decode('utf-16-be'), 'utf-16be'
    if raw.startswith(b'\xef\xbb\xbf'):
        raw = raw[3:]
    m = re.match(rb'\s*<\?xml[^>]*encoding\s*=\s*["\']([^"\']+)', raw)
    declared = m.group(1).decode('ascii').lower() if m else 'utf-8'
    if declared.replace('-', '').replace('_', '') in ('utf8', 'utf16', 'utf16le', 'utf16be', 'unicode'):
        # 8-bit bytes with a UTF-16 declaration (memoQ): the bytes decide.
        return raw.decode('utf-8'), 'utf-8' + ('' if declared.startswith('utf-8') else ' (declared %s)' % declared)
    return raw.decode(declared), declared

def analyse(path):
    raw = open(path, 'rb').read()
    if not raw:
        return ('error', 0, 0, 0, '', 'empty file')
    text, enc = decode(raw)
    text = re.sub(r'^\s*<\?xml[^>]*\?>', '', text)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        return ('error', 0, 0, 0, '', 'not well-formed: %s' % e)
    if root.tag != 'tmx':
        return ('error', 0, 0, 0, '', 'root is <%s>' % root.tag)
    body = root.find('body')
    tus = body.findall('tu') if body is not None else []
    good = 0
    reasons = {}
    notes = []
    for i, tu in enumerate(tus, 1):
        tuvs = tu.findall('tuv')
        ok = 0
        why = []
        for v in tuvs:
            lang = (v.get(XML_LANG) or v.get('lang') or '').strip()
            seg = v.find('seg')
            if not lang:
                why.append('no_language')
            elif seg is None:
                why.append('no_segment')
            else:
                ok += 1
        other = sorted({c.tag for c in tu if c.tag not in ('tuv', 'prop', 'note')})
        if other:
            notes.append('tu %d has <%s>' % (i, ','.join(other)))
        if ok >= 2:
            good += 1
            if why:
                notes.append('tu %d importable despite %s' % (i, why))
        else:
            if why:
                r = why[0]
            else:
                r = 'fewer_than_two_variants'
            reasons[r] = reasons.get(r, 0) + 1
            langs = [(v.get(XML_LANG) or v.get('lang') or '?') for v in tuvs]
            notes.append('tu %d skipped: %d tuv %s %s' % (i, len(tuvs), langs, why))
    # Stray tu elements outside body/tu (would be missed by the count above)
    alltu = len(list(root.iter('tu')))
    if alltu != len(tus):
        notes.append('%d <tu> elements not direct children of <body>' % (alltu - len(tus)))
    return ('ok', len(tus), good, len(tus) - good,
            ','.join('%s:%d' % kv for kv in sorted(reasons.items())),
            enc + ('; ' + '; '.join(notes[:8]) if notes else ''))

def main():
    corpus = sys.argv[1]
    files = []
    for d, _, names in os.walk(os.path.join(corpus, 'tmx')):
        for n in names:
            if TMX_RE.search(n):
                files.append(os.path.relpath(os.path.join(d, n), corpus))
    for f in sorted(files):
        r = analyse(os.path.join(corpus, f))
        print('\t'.join([f] + [str(x) for x in r]))

if __name__ == '__main__':
    main()
