#!/usr/bin/env python3
"""Independent count of what a term-base import must do, per corpus file (no tmbase involved).

Usage: derive_tbx_expectations.py CORPUS_DIR   -> one TSV line per file under tbx/ and glossary/:
    file  status  entries  good  skipped  reasons  detail
Rules, taken from the formats (TBX-STRUCTURE-NOTES.md, OmegaT's GlossaryReaderTSV/CSV, MateCat's
glossary format), not from tmbase's code:
  TBX  an entry (termEntry/conceptEntry, any namespace) is importable iff it has a term with
       text, every langSet/langSec has xml:lang, and no tig/ntig/termSec holds two terms.
  TSV  OmegaT: lines starting with '#' and blank lines are not entries; cells split on tabs and
       trimmed, trailing empty cells dropped; an entry needs two cells and a source.
  CSV  a first row naming languages (ISO 639-1 code with optional region/script) is a MateCat
       header: each later non-blank row with a term in a language column is an entry. A first
       row with sourceLang/targetLang/sourceString/targetString is TICO-19: each row with a
       source string is an entry. Otherwise OmegaT CSV (RFC 4180 cells, same rule as TSV).
Used to write tbx.tsv by hand-checked review; check_tbx.sh does not use it.
"""
import csv, io, os, re, sys
import xml.etree.ElementTree as ET

XML_LANG = '{http://www.w3.org/XML/1998/namespace}lang'
LANGS = set('''aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr
cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho
hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj
om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu'''.split())


def local(tag):
    return tag.rsplit('}', 1)[-1]


def text_of(el):
    return ''.join(el.itertext()).strip()


def analyse_tbx(path):
    raw = open(path, 'rb').read()
    if not raw.strip():
        return ('error', 0, 0, 0, '', 'empty file')
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        return ('error', 0, 0, 0, '', 'not well-formed: %s' % e)
    if local(root.tag) not in ('martif', 'tbx', 'martifHeader'):
        return ('error', 0, 0, 0, '', 'root is <%s>' % local(root.tag))
    entries = [e for e in root.iter() if local(e.tag) in ('termEntry', 'conceptEntry')]
    good, reasons = 0, {}
    for e in entries:
        why = None
        for ls in e.iter():
            if local(ls.tag) in ('langSet', 'langSec') and not (ls.get(XML_LANG) or ls.get('lang') or '').strip():
                why = 'no_language'
        for sec in e.iter():
            if local(sec.tag) in ('tig', 'ntig', 'termSec'):
                if sum(1 for t in sec.iter() if local(t.tag) == 'term') > 1:
                    why = why or 'several_terms_in_one_term_section'
        if not any(local(t.tag) == 'term' and text_of(t) for t in e.iter()):
            why = why or 'no_terms'
        if why:
            reasons[why] = reasons.get(why, 0) + 1
        else:
            good += 1
    return ('ok', len(entries), good, len(entries) - good,
            ','.join('%s:%d' % kv for kv in sorted(reasons.items())), 'root <%s>' % local(root.tag))


def decode_text(raw):
    if raw.startswith(b'\xef\xbb\xbf'):
        return raw[3:].decode('utf-8'), 'utf-8 bom'
    if raw.startswith(b'\xff\xfe'):
        return raw[2:].decode('utf-16-le'), 'utf-16le bom'
    if raw.startswith(b'\xfe\xff'):
        return raw[2:].decode('utf-16-be'), 'utf-16be bom'
    first = raw.split(b'\n', 1)[0].decode('latin-1')
    m = re.search(r'-\*-.*coding:\s*([\w-]+)', first) if first.startswith('#') else None
    enc = m.group(1) if m else 'utf-8'
    try:
        return raw.decode(enc), enc
    except UnicodeDecodeError as e:
        return None, 'not %s: %s' % (enc, e)


def omegat_entry(cells):
    tokens = [c.strip() for c in cells]
    while tokens and tokens[-1] == '':
        tokens.pop()
    if not tokens or tokens[0] == '':
        return 'no_source'
    if len(tokens) < 2:
        return 'no_target'
    return None


def is_lang(cell):
    parts = re.split('[-_]', cell)
    return parts[0].lower() in LANGS and all(
        re.fullmatch(r'[A-Za-z]{2}|[0-9]{3}|[A-Za-z]{4}', p) for p in parts[1:])


def analyse_glossary(path, kind):
    text, enc = decode_text(open(path, 'rb').read())
    if text is None:
        return ('error', 0, 0, 0, '', enc)
    lines = text.splitlines()
    if kind == 'tsv':
        data = [l for l in lines if not l.startswith('#') and l.strip()]
        if data and not any('\t' in l for l in data):
            return ('error', len(data), 0, 0, '', 'no line holds a tab')
        reasons, good = {}, 0
        for l in data:
            why = omegat_entry(l.split('\t'))
            if why:
                reasons[why] = reasons.get(why, 0) + 1
            else:
                good += 1
        return ('ok', len(data), good, len(data) - good,
                ','.join('%s:%d' % kv for kv in sorted(reasons.items())), enc + ' OmegaT TSV')
    rows = list(csv.reader(io.StringIO(text)))
    rows_nc = [r for r in rows if any(c.strip() for c in r)]
    if not rows_nc:
        return ('ok', 0, 0, 0, '', 'empty')
    head = [c.strip() for c in rows_nc[0]]
    low = [c.lower() for c in head]
    if all(k in low for k in ('sourcelang', 'targetlang', 'sourcestring', 'targetstring')):
        s = low.index('sourcestring')
        data = rows_nc[1:]
        good = sum(1 for r in data if len(r) > s and r[s].strip())
        return ('ok', len(data), good, len(data) - good, '', enc + ' TICO-19')
    known = {'forbidden', 'domain', 'subdomain', 'definition', 'notes', 'example of use', ''}
    langs = [i for i, c in enumerate(head) if is_lang(c)]
    if langs:
        unknown = [c for c in head if c.lower() not in known and not is_lang(c)]
        if unknown:
            return ('error', 0, 0, 0, '', 'unknown header %r' % unknown[0])
        last = max(i for i, c in enumerate(head) if c)
        if any(c == '' for c in head[:last]):
            return ('error', 0, 0, 0, '', 'empty header cell before the last one')
        data = rows_nc[1:]
        good = sum(1 for r in data if any(len(r) > i and r[i].strip() for i in langs))
        return ('ok', len(data), good, len(data) - good,
                '' if good == len(data) else 'no_terms:%d' % (len(data) - good),
                enc + ' MateCat header %s' % [head[i] for i in langs])
    data = [r for r in rows_nc if not (r and r[0].startswith('#'))]
    reasons, good = {}, 0
    for r in data:
        why = omegat_entry(r)
        if why:
            reasons[why] = reasons.get(why, 0) + 1
        else:
            good += 1
    return ('needs-languages', len(data), good, len(data) - good,
            ','.join('%s:%d' % kv for kv in sorted(reasons.items())), enc + ' OmegaT CSV')


def main():
    corpus = sys.argv[1]
    for top in ('tbx', 'glossary'):
        for d, dirs, names in sorted(os.walk(os.path.join(corpus, top))):
            dirs.sort()
            for n in sorted(names):
                p = os.path.join(d, n)
                rel = os.path.relpath(p, corpus)
                ext = n.lower().rsplit('.', 1)[-1]
                if ext in ('tbx', 'xml', 'xcs'):
                    r = analyse_tbx(p)
                elif ext == 'csv':
                    r = analyse_glossary(p, 'csv')
                elif ext in ('tsv', 'tab', 'txt', 'utf8'):
                    r = analyse_glossary(p, 'tsv')
                else:
                    r = ('error', 0, 0, 0, '', 'not a term-base file (.%s)' % ext)
                print('\t'.join([rel] + [str(x) for x in r]))


if __name__ == '__main__':
    main()
