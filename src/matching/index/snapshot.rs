//! The fuzzy index saved to a file and read back, so that start-up need not rebuild it from
//! the store. The file is columns of little-endian numbers and UTF-8 text, each written as a
//! length and its items; a hash over everything written ends the file. Reading checks the
//! hash and every offset and id before the index is put together, so a damaged or foreign
//! file is refused (and the index rebuilt), never trusted.

use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Write};

use super::{
    Arena, Entry, FastMap, FuzzyIndex, Postings, Run, Signature, Target, TextArena, Vocabulary,
};

/// Names the format; a change to the layout or to how the index is computed changes it.
const MAGIC: &[u8; 8] = b"TMBIDX03";

/// What the saved index must match to be used: the memory, its language and its revision
/// (see `Store::memory_revision`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotStamp {
    pub memory_id: i64,
    pub lang: String,
    pub revision: i64,
    pub units: i64,
    pub max_unit_id: i64,
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("saved index: {what}"))
}

/// Numbers written as little-endian bytes.
trait Le: Copy + Default {
    const SIZE: usize;
    fn put(self, out: &mut Vec<u8>);
    fn take(bytes: &[u8]) -> Self;
}

macro_rules! le {
    ($($t:ty),*) => {$(
        impl Le for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn take(bytes: &[u8]) -> Self {
                <$t>::from_le_bytes(bytes.try_into().expect("sized chunk"))
            }
        }
    )*};
}
le!(u8, u16, u32, u64, i64);

struct Writer<W: Write> {
    out: W,
    hash: foldhash::quality::FoldHasher<'static>,
    buf: Vec<u8>,
}

impl<W: Write> Writer<W> {
    /// A column: its length, then its items in chunks of [`chunk_items`] (each chunk is
    /// hashed as one piece, so that the reader hashes exactly the same pieces).
    /// A column of the items of many lists, one after another (the lists' ends go in
    /// another column: [`Writer::ends`]).
    fn flat_column<T: Le, L: IntoIterator<Item = T>>(
        &mut self,
        lists: impl Iterator<Item = L>,
    ) -> io::Result<()> {
        self.column(lists.flatten().collect::<Vec<T>>().into_iter())
    }

    /// A column of where each of many lists ends in their [`Writer::flat_column`].
    fn ends(&mut self, lens: impl ExactSizeIterator<Item = usize>) -> io::Result<()> {
        let mut end = 0u64;
        self.column(lens.map(|len| {
            end += len as u64;
            end
        }))
    }

    fn column<T: Le>(&mut self, items: impl ExactSizeIterator<Item = T>) -> io::Result<()> {
        let len = items.len() as u64;
        self.hash.write_u64(len);
        self.out.write_all(&len.to_le_bytes())?;
        let per_chunk = chunk_items::<T>();
        self.buf.clear();
        let mut in_chunk = 0;
        for item in items {
            item.put(&mut self.buf);
            in_chunk += 1;
            if in_chunk == per_chunk {
                self.flush_chunk()?;
                in_chunk = 0;
            }
        }
        if in_chunk > 0 {
            self.flush_chunk()?;
        }
        Ok(())
    }

    fn flush_chunk(&mut self) -> io::Result<()> {
        self.hash.write(&self.buf);
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    fn text(&mut self, text: &str) -> io::Result<()> {
        self.column(text.bytes())
    }

    fn texts<'a>(&mut self, texts: impl Iterator<Item = &'a str> + Clone) -> io::Result<()> {
        let joined: String = texts.clone().collect();
        self.text(&joined)?;
        let mut end = 0u64;
        self.column(
            texts
                .map(|t| {
                    end += t.len() as u64;
                    end
                })
                .collect::<Vec<_>>()
                .into_iter(),
        )
    }
}

struct Reader<R: Read> {
    input: R,
    hash: foldhash::quality::FoldHasher<'static>,
    buf: Vec<u8>,
    /// Bytes the file may still hold: no column may claim more.
    budget: u64,
}

impl<R: Read> Reader<R> {
    fn bytes(&mut self, n: usize) -> io::Result<&[u8]> {
        self.buf.resize(n, 0);
        self.input.read_exact(&mut self.buf)?;
        Ok(&self.buf)
    }

    fn column<T: Le>(&mut self) -> io::Result<Vec<T>> {
        let len = u64::from_le_bytes(self.bytes(8)?.try_into().expect("8 bytes"));
        self.hash.write_u64(len);
        let size = len.checked_mul(T::SIZE as u64).filter(|&s| s <= self.budget);
        let size = size.ok_or_else(|| invalid("a column longer than the file"))?;
        self.budget -= size;
        let mut items = Vec::with_capacity(len as usize);
        let per_chunk = chunk_items::<T>();
        let mut left = len as usize;
        while left > 0 {
            let n = left.min(per_chunk);
            self.buf.resize(n * T::SIZE, 0);
            self.input.read_exact(&mut self.buf)?;
            self.hash.write(&self.buf);
            items.extend(self.buf.chunks_exact(T::SIZE).map(T::take));
            left -= n;
        }
        Ok(items)
    }

    fn text(&mut self) -> io::Result<String> {
        String::from_utf8(self.column::<u8>()?).map_err(|_| invalid("text that is not UTF-8"))
    }

    fn texts(&mut self) -> io::Result<Vec<String>> {
        let joined = self.text()?;
        let ends = checked_ends(self.column::<u64>()?, joined.len())?;
        let mut start = 0;
        let mut out = Vec::with_capacity(ends.len());
        for end in ends {
            out.push(
                joined
                    .get(start..end)
                    .ok_or_else(|| invalid("a text cut inside a character"))?
                    .to_string(),
            );
            start = end;
        }
        Ok(out)
    }
}

/// Offsets that only grow and stay within `len`.
fn checked_ends(ends: Vec<u64>, len: usize) -> io::Result<Vec<usize>> {
    let mut last = 0;
    ends.into_iter()
        .map(|e| {
            let e = usize::try_from(e).map_err(|_| invalid("an offset"))?;
            if e < last || e > len {
                return Err(invalid("offsets out of order"));
            }
            last = e;
            Ok(e)
        })
        .collect()
}

fn check_ids(ids: &[u32], below: usize, what: &str) -> io::Result<()> {
    match ids.iter().all(|&id| (id as usize) < below) {
        true => Ok(()),
        false => Err(invalid(what)),
    }
}

/// Items per hashed chunk of a column: 64 KiB of them.
fn chunk_items<T: Le>() -> usize {
    (1 << 16) / T::SIZE
}

fn hasher() -> foldhash::quality::FoldHasher<'static> {
    foldhash::quality::FixedState::with_seed(0x736e_6170).build_hasher()
}

fn bools(v: &[u8]) -> io::Result<Vec<bool>> {
    v.iter()
        .map(|&b| match b {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(invalid("a flag that is neither 0 nor 1")),
        })
        .collect()
}

impl FuzzyIndex {
    /// Writes the index and the stamp it was built under.
    pub fn save(&self, stamp: &SnapshotStamp, out: impl Write) -> io::Result<()> {
        let mut w = Writer { out, hash: hasher(), buf: Vec::new() };
        w.out.write_all(MAGIC)?;
        w.column([stamp.memory_id, stamp.revision, stamp.units, stamp.max_unit_id].into_iter())?;
        w.text(&stamp.lang)?;

        // Vocabulary: forms in id order, stems as (text, id).
        let mut forms: Vec<(&str, u32)> =
            self.vocab.forms.iter().map(|(f, &id)| (&**f, id)).collect();
        forms.sort_unstable_by_key(|&(_, id)| id);
        w.texts(forms.iter().map(|&(f, _)| f))?;
        w.column(self.vocab.form_info.iter().map(|i| i.0))?;
        w.column(self.vocab.form_info.iter().map(|i| u8::from(i.1)))?;
        let stems: Vec<(&str, u32)> = self.vocab.stems.iter().map(|(s, &id)| (&**s, id)).collect();
        w.texts(stems.iter().map(|&(s, _)| s))?;
        w.column(stems.iter().map(|&(_, id)| id))?;

        // Entries, column by column.
        let e = &self.entries;
        w.column(e.iter().map(|e| e.unit_id))?;
        w.column(e.iter().map(|e| e.ord))?;
        w.column(e.iter().map(|e| e.plain_hash))?;
        w.column(e.iter().map(|e| e.ws_hash))?;
        w.column(e.iter().map(|e| e.norm_hash))?;
        w.column(e.iter().map(|e| e.ctx_prev))?;
        w.column(e.iter().map(|e| e.ctx_next))?;
        w.column(e.iter().map(|e| e.changed))?;
        w.column(e.iter().map(|e| e.usage))?;
        w.column(e.iter().map(|e| e.tags))?;
        w.column(e.iter().map(|e| u8::from(e.alive)))?;

        w.text(&self.norms.text)?;
        w.column(self.norms.ends.iter().map(|&x| x as u64))?;
        w.column(self.forms.items.iter().copied())?;
        w.column(self.forms.ends.iter().map(|&x| x as u64))?;
        w.column(self.keys.items.iter().copied())?;
        w.column(self.keys.ends.iter().map(|&x| x as u64))?;
        w.column(self.targets.items.iter().map(|t| t.lang))?;
        w.column(self.targets.items.iter().map(|t| t.norm_hash))?;
        w.column(self.targets.ends.iter().map(|&x| x as u64))?;
        w.column(self.signatures.iter().flat_map(|s| s.0).collect::<Vec<_>>().into_iter())?;
        w.column(self.char_lengths.iter().copied())?;

        w.ends(self.postings.iter().map(|p| p.ids.len()))?;
        w.flat_column(self.postings.iter().map(|p| p.ids.iter().copied()))?;
        w.ends(self.postings.iter().map(|p| p.runs.len()))?;
        w.flat_column(self.postings.iter().map(|p| p.runs.iter().map(|r| r.words)))?;
        w.flat_column(self.postings.iter().map(|p| p.runs.iter().map(|r| r.end)))?;
        w.flat_column(self.postings.iter().map(|p| p.tail_lengths.iter().copied()))?;
        w.column(self.wordless.iter().copied())?;

        let skeletons: Vec<(&u64, &Vec<u32>)> = self.skeletons.iter().collect();
        w.column(skeletons.iter().map(|(&k, _)| k))?;
        w.ends(skeletons.iter().map(|(_, ids)| ids.len()))?;
        w.flat_column(skeletons.iter().map(|(_, ids)| ids.iter().copied()))?;
        w.texts(self.langs.iter().map(String::as_str))?;
        w.column([self.sorted_by_unit as u64].into_iter())?;
        let hash = w.hash.finish();
        w.out.write_all(&hash.to_le_bytes())?;
        w.out.flush()
    }

    /// Reads an index saved by [`FuzzyIndex::save`], if it was saved under `stamp`
    /// (`Ok(None)` when it was not: it describes another state of the memory).
    pub fn load(
        stamp: &SnapshotStamp,
        input: impl Read,
        file_len: u64,
    ) -> io::Result<Option<FuzzyIndex>> {
        let mut r = Reader { input, hash: hasher(), buf: Vec::new(), budget: file_len };
        if r.bytes(8)? != MAGIC {
            return Ok(None);
        }
        let head = r.column::<i64>()?;
        let lang = r.text()?;
        let saved = match head[..] {
            [memory_id, revision, units, max_unit_id] => {
                SnapshotStamp { memory_id, lang, revision, units, max_unit_id }
            }
            _ => return Err(invalid("header")),
        };
        if saved != *stamp {
            return Ok(None);
        }

        let form_texts = r.texts()?;
        let form_stems = r.column::<u32>()?;
        let form_numbers = bools(&r.column::<u8>()?)?;
        let stem_texts = r.texts()?;
        let stem_ids = r.column::<u32>()?;

        let unit_id = r.column::<i64>()?;
        let ord = r.column::<i64>()?;
        let plain_hash = r.column::<u64>()?;
        let ws_hash = r.column::<u64>()?;
        let norm_hash = r.column::<u64>()?;
        let ctx_prev = r.column::<u64>()?;
        let ctx_next = r.column::<u64>()?;
        let changed = r.column::<i64>()?;
        let usage = r.column::<i64>()?;
        let tags = r.column::<u32>()?;
        let alive = bools(&r.column::<u8>()?)?;

        let norm_text = r.text()?;
        let norm_ends = r.column::<u64>()?;
        let form_items = r.column::<u32>()?;
        let form_ends = r.column::<u64>()?;
        let key_items = r.column::<u32>()?;
        let key_ends = r.column::<u64>()?;
        let target_langs = r.column::<u16>()?;
        let target_hashes = r.column::<u64>()?;
        let target_ends = r.column::<u64>()?;
        let signature_words = r.column::<u64>()?;
        let char_lengths = r.column::<u16>()?;
        let posting_ends = r.column::<u64>()?;
        let posting_ids = r.column::<u32>()?;
        let run_list_ends = r.column::<u64>()?;
        let run_words = r.column::<u16>()?;
        let run_ends = r.column::<u32>()?;
        let tail_lengths = r.column::<u16>()?;
        let wordless = r.column::<u32>()?;
        let skeleton_keys = r.column::<u64>()?;
        let skeleton_ends = r.column::<u64>()?;
        let skeleton_ids = r.column::<u32>()?;
        let langs = r.texts()?;
        let sorted_by_unit = r.column::<u64>()?;
        let expected = r.hash.finish();
        let mut tail = [0u8; 8];
        r.input.read_exact(&mut tail)?;
        if u64::from_le_bytes(tail) != expected {
            return Err(invalid("its hash does not match its contents"));
        }

        // Every column the same length as the entries, every offset and id in range.
        let n = unit_id.len();
        let same = [
            ord.len(),
            plain_hash.len(),
            ws_hash.len(),
            norm_hash.len(),
            ctx_prev.len(),
            ctx_next.len(),
            changed.len(),
            usage.len(),
            tags.len(),
            alive.len(),
            norm_ends.len(),
            form_ends.len(),
            key_ends.len(),
            target_ends.len(),
            char_lengths.len(),
        ];
        if same.iter().any(|&l| l != n)
            || signature_words.len() != 2 * n
            || form_stems.len() != form_texts.len()
            || form_numbers.len() != form_texts.len()
            || stem_ids.len() != stem_texts.len()
            || target_langs.len() != target_hashes.len()
            || run_words.len() != run_ends.len()
            || run_list_ends.len() != posting_ends.len()
            || sorted_by_unit.len() != 1
            || sorted_by_unit[0] > n as u64
        {
            return Err(invalid("columns of different lengths"));
        }
        let norm_ends = checked_ends(norm_ends, norm_text.len())?;
        if norm_ends.iter().any(|&e| !norm_text.is_char_boundary(e)) {
            return Err(invalid("a text cut inside a character"));
        }
        check_ids(&form_items, form_texts.len(), "a form id out of range")?;
        check_ids(&form_stems, u32::MAX as usize, "a stem id")?;
        check_ids(&posting_ids, n, "an entry id out of range")?;
        check_ids(&wordless, n, "an entry id out of range")?;
        check_ids(&skeleton_ids, n, "an entry id out of range")?;
        if target_langs.iter().any(|&l| usize::from(l) >= langs.len()) {
            return Err(invalid("a language out of range"));
        }
        let posting_ends = checked_ends(posting_ends, posting_ids.len())?;
        let run_list_ends = checked_ends(run_list_ends, run_words.len())?;
        let skeleton_ends = checked_ends(skeleton_ends, skeleton_ids.len())?;
        if skeleton_ends.len() != skeleton_keys.len() {
            return Err(invalid("columns of different lengths"));
        }

        let mut forms = FastMap::default();
        for (id, text) in form_texts.into_iter().enumerate() {
            forms.insert(text.into_boxed_str(), id as u32);
        }
        let stems = stem_texts.into_iter().map(String::into_boxed_str).zip(stem_ids).collect();
        let vocab = Vocabulary {
            forms,
            stems,
            form_info: form_stems.into_iter().zip(form_numbers).collect(),
        };
        let entries = (0..n)
            .map(|i| Entry {
                unit_id: unit_id[i],
                ord: ord[i],
                plain_hash: plain_hash[i],
                ws_hash: ws_hash[i],
                norm_hash: norm_hash[i],
                ctx_prev: ctx_prev[i],
                ctx_next: ctx_next[i],
                changed: changed[i],
                usage: usage[i],
                tags: tags[i],
                alive: alive[i],
            })
            .collect();
        let mut postings = Vec::with_capacity(posting_ends.len());
        let (mut start, mut run_start, mut tail_start) = (0, 0, 0);
        for (end, run_end) in posting_ends.into_iter().zip(run_list_ends) {
            let runs: Vec<Run> = run_words[run_start..run_end]
                .iter()
                .zip(&run_ends[run_start..run_end])
                .map(|(&words, &end)| Run { words, end })
                .collect();
            let ordered = runs.windows(2).all(|w| w[0].words < w[1].words && w[0].end < w[1].end);
            let grouped = runs.last().map_or(0, |r| r.end as usize);
            if !ordered || runs.first().is_some_and(|r| r.end == 0) || grouped > end - start {
                return Err(invalid("posting runs out of order"));
            }
            let tail_end = tail_start + (end - start - grouped);
            let Some(tail) = tail_lengths.get(tail_start..tail_end) else {
                return Err(invalid("columns of different lengths"));
            };
            postings.push(Postings {
                ids: posting_ids[start..end].to_vec(),
                runs,
                tail_lengths: tail.to_vec(),
            });
            (start, run_start, tail_start) = (end, run_end, tail_end);
        }
        if tail_start != tail_lengths.len() {
            return Err(invalid("columns of different lengths"));
        }
        let mut skeletons = FastMap::default();
        let mut start = 0;
        for (key, end) in skeleton_keys.into_iter().zip(skeleton_ends) {
            skeletons.insert(key, skeleton_ids[start..end].to_vec());
            start = end;
        }
        let targets = target_langs
            .into_iter()
            .zip(target_hashes)
            .map(|(lang, norm_hash)| Target { lang, norm_hash })
            .collect::<Vec<_>>();
        let target_len = targets.len();
        Ok(Some(FuzzyIndex {
            vocab,
            entries,
            norms: TextArena { text: norm_text, ends: norm_ends },
            forms: Arena { ends: checked_ends(form_ends, form_items.len())?, items: form_items },
            keys: Arena { ends: checked_ends(key_ends, key_items.len())?, items: key_items },
            targets: Arena { items: targets, ends: checked_ends(target_ends, target_len)? },
            signatures: signature_words.chunks_exact(2).map(|w| Signature([w[0], w[1]])).collect(),
            char_lengths,
            postings,
            wordless,
            skeletons,
            langs,
            sorted_by_unit: sorted_by_unit[0] as usize,
            hit_block: super::HIT_BLOCK,
        }))
    }
}
