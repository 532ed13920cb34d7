//! The blocks of a file in flight: each worker thread takes the next block
//! of the file in turn, reading it into its own buffer cut after the last
//! whole row ([`Reader::next_block`], the file's bytes hashed in order as
//! they pass), then parses it ([`super::parse::Worker`]), so memory stays
//! a block per worker whatever the size of the file.

use super::input::Input;
use super::keys::PAD;
use super::parse::{Ctx, Worker};
use super::scan::{cut_point, not_for_the_fast_path, plain_ascii};
use super::sums::Merger;
use crate::error::{Error, Result};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Bytes read at a time.
pub const BLOCK: usize = 4 << 20;

/// Cuts the rest of the file (after `rest`, the bytes already read) into
/// blocks of whole rows and parses them in parallel, each block's result
/// merged in block order as soon as it can be ([`Merger::add`]); false when
/// the general reader must read the file.
///
/// There is no reading thread: a worker reads its next block itself, in
/// turn with the others (the reading and hashing, a fifth of the work, in
/// order under a lock), so that as many threads run as there are cores and
/// none waits for a reader the system has not scheduled. Plain threads,
/// not rayon tasks, so a block is never held up behind other rayon work.
pub(super) fn parse_blocks(
    input: &mut Input,
    rest: Vec<u8>,
    ctx: &Ctx,
    merger: &mut Merger,
) -> Result<bool> {
    let threads = rayon::current_num_threads().max(1);
    let reader = Mutex::new(Reader {
        input,
        tail: rest,
        index: 0,
        done: false,
        error: None,
    });
    let results = Mutex::new(merger);
    let abort = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(|| work(ctx, &reader, &results, &abort));
        }
        work(ctx, &reader, &results, &abort);
    });
    let reader = reader
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(e) = reader.error {
        return Err(e);
    }
    Ok(!abort.load(Ordering::Relaxed))
}

/// A worker: takes the next block of the file until there is none, parses
/// it and hands its result to the merger.
fn work(ctx: &Ctx, reader: &Mutex<Reader>, results: &Mutex<&mut Merger>, abort: &AtomicBool) {
    let mut worker = Worker::new(ctx);
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let next = match reader.lock() {
            Ok(mut r) => r.next_block(&mut buf, abort),
            Err(_) => None,
        };
        let Some((index, len)) = next else {
            break;
        };
        // Text that is not UTF-8 (Windows-1251, ...), or a row that
        // is one field holding another separator: the general
        // reader detects the encoding or reports the mixed separators.
        // Plain ASCII without quotes or CRs (most large files) needs
        // neither check.
        let plain = plain_ascii(&buf[..len]);
        if abort.load(Ordering::Relaxed)
            || (!plain
                && (std::str::from_utf8(&buf[..len]).is_err()
                    || not_for_the_fast_path(&buf[..len])))
        {
            abort.store(true, Ordering::Relaxed);
            continue;
        }
        let r = worker.block(&buf, len);
        if r.mixed_separators || r.long_line {
            abort.store(true, Ordering::Relaxed);
        }
        ctx.progress.bytes.fetch_add(len as u64, Ordering::Relaxed);
        if let Ok(mut merger) = results.lock() {
            merger.add(index, r);
        }
    }
}

/// The file as the workers take it, a block at a time: the unfinished line
/// of the last block read, the next block's index, and how reading ended.
struct Reader<'i, 'p> {
    input: &'i mut Input<'p>,
    tail: Vec<u8>,
    index: usize,
    /// No block is left (the file ended, the fast path gave up, or an error).
    done: bool,
    /// The first error reading the file.
    error: Option<Error>,
}

impl Reader<'_, '_> {
    /// Reads the next block into `buf`: the unfinished line of the previous
    /// block, then up to a block of the file, cut after its last whole row
    /// (with [`PAD`] bytes of room after it); its index and length, or
    /// `None` when there is none.
    fn next_block(&mut self, buf: &mut Vec<u8>, abort: &AtomicBool) -> Option<(usize, usize)> {
        let block_size = self.input.block_size;
        loop {
            if self.done || abort.load(Ordering::Relaxed) || self.input.eof && self.tail.is_empty()
            {
                self.done = true;
                return None;
            }
            // A quote left open keeps the rest of the file from being cut
            // into rows: stop, the general reader says where it opens.
            if self.tail.len() > 4 * BLOCK.max(block_size) {
                abort.store(true, Ordering::Relaxed);
                self.done = true;
                return None;
            }
            let need = self.tail.len() + block_size + PAD;
            if buf.len() < need {
                buf.resize(need, 0);
            }
            buf[..self.tail.len()].copy_from_slice(&self.tail);
            let mut len = self.tail.len();
            if !self.input.eof {
                match self.input.block_into(&mut buf[len..len + block_size]) {
                    Ok(n) => len += n,
                    Err(e) => {
                        self.error = Some(e);
                        self.done = true;
                        return None;
                    }
                }
            }
            // The last rows: a quote opened and never closed is for the
            // general reader to report.
            if self.input.eof && memchr::memchr_iter(b'"', &buf[..len]).count() % 2 == 1 {
                abort.store(true, Ordering::Relaxed);
                self.done = true;
                return None;
            }
            let cut = if self.input.eof {
                Some(len)
            } else {
                cut_point(&buf[..len])
            };
            match cut {
                Some(cut) if cut > 0 => {
                    self.tail.clear();
                    self.tail.extend_from_slice(&buf[cut..len]);
                    let index = self.index;
                    self.index += 1;
                    return Some((index, cut));
                }
                // No whole row yet (a row longer than a block): keep reading.
                _ => {
                    self.tail.clear();
                    self.tail.extend_from_slice(&buf[..len]);
                    if self.input.eof {
                        self.done = true;
                        return None;
                    }
                }
            }
        }
    }
}
