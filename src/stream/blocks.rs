//! The blocks of a file in flight: one thread reads the file into pooled
//! buffers and cuts each after its last whole row ([`feed`]); worker threads
//! parse them ([`super::parse::Worker`]) and give the buffers back, so
//! memory stays a few blocks whatever the size of the file.

use super::input::Input;
use super::keys::PAD;
use super::parse::{Ctx, Worker};
use super::scan::{cut_point, not_for_the_fast_path, plain_ascii};
use super::sums::Merger;
use crate::error::Result;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

/// Bytes read at a time.
pub const BLOCK: usize = 4 << 20;

/// A block handed to a worker: its index, its buffer, and the length of its
/// whole rows in the buffer.
type Block = (usize, Vec<u8>, usize);

/// Cuts the rest of the file (after `rest`, the bytes already read) into
/// blocks of whole rows and parses them in parallel, each block's result
/// merged in block order as soon as it can be ([`Merger::add`]); false when
/// the general reader must read the file.
///
/// Blocks go to the workers through a bounded queue and come back to a
/// pool once parsed, so memory stays a few blocks whatever the file size.
/// Plain threads, not rayon tasks: the reader blocks on a full queue, and
/// must never hold the only worker.
pub(super) fn parse_blocks(
    input: &mut Input,
    rest: Vec<u8>,
    ctx: &Ctx,
    merger: &mut Merger,
) -> Result<bool> {
    let threads = rayon::current_num_threads().max(1);
    let in_flight = threads + 2;
    let (block_tx, block_rx) = mpsc::sync_channel::<Block>(threads);
    let (pool_tx, pool_rx) = mpsc::channel::<Vec<u8>>();
    for _ in 0..in_flight {
        let _ = pool_tx.send(vec![0u8; 2 * input.block_size + PAD]);
    }
    let block_rx = Mutex::new(block_rx);
    let results = Mutex::new(merger);
    let abort = AtomicBool::new(false);
    let fed = std::thread::scope(|scope| {
        for _ in 0..threads {
            let pool_tx = pool_tx.clone();
            let (block_rx, results, abort) = (&block_rx, &results, &abort);
            scope.spawn(move || work(ctx, block_rx, &pool_tx, results, abort));
        }
        feed(input, rest, &pool_rx, &pool_tx, block_tx, &abort)
    });
    fed?;
    Ok(!abort.load(Ordering::Relaxed))
}

/// A worker thread: parses the blocks it takes from the queue until the
/// queue closes, and gives each buffer back to the pool.
fn work(
    ctx: &Ctx,
    block_rx: &Mutex<mpsc::Receiver<Block>>,
    pool_tx: &mpsc::Sender<Vec<u8>>,
    results: &Mutex<&mut Merger>,
    abort: &AtomicBool,
) {
    let mut worker = Worker::new(ctx);
    loop {
        let next = block_rx.lock().map(|rx| rx.recv());
        let Ok(Ok((index, buf, len))) = next else {
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
            let _ = pool_tx.send(buf);
            continue;
        }
        let r = worker.block(&buf, len, plain);
        if r.mixed_separators || r.long_line {
            abort.store(true, Ordering::Relaxed);
        }
        ctx.progress.bytes.fetch_add(len as u64, Ordering::Relaxed);
        if let Ok(mut merger) = results.lock() {
            merger.add(index, r);
        }
        let _ = pool_tx.send(buf);
    }
}

/// The reading thread: reads the file into pooled buffers, each holding the
/// unfinished line of the previous one and then a block of the file, and
/// hands them on cut after their last whole row. Closes the queue (drops
/// `block_tx`) when it returns.
fn feed(
    input: &mut Input,
    mut tail: Vec<u8>,
    pool_rx: &mpsc::Receiver<Vec<u8>>,
    pool_tx: &mpsc::Sender<Vec<u8>>,
    block_tx: mpsc::SyncSender<Block>,
    abort: &AtomicBool,
) -> Result<()> {
    let block_size = input.block_size;
    let mut index = 0usize;
    while let Ok(mut buf) = pool_rx.recv() {
        // A quote left open keeps the rest of the file from being cut
        // into rows: stop, the general reader says where it opens.
        if abort.load(Ordering::Relaxed) || tail.len() > 4 * BLOCK.max(block_size) {
            abort.store(true, Ordering::Relaxed);
            break;
        }
        if buf.len() < tail.len() + block_size + PAD {
            buf.resize(tail.len() + block_size + PAD, 0);
        }
        buf[..tail.len()].copy_from_slice(&tail);
        let mut len = tail.len();
        if !input.eof {
            len += input.block_into(&mut buf[len..len + block_size])?;
        }
        // The last rows: a quote opened and never closed is for the
        // general reader to report.
        if input.eof && memchr::memchr_iter(b'"', &buf[..len]).count() % 2 == 1 {
            abort.store(true, Ordering::Relaxed);
            break;
        }
        let cut = if input.eof {
            Some(len)
        } else {
            cut_point(&buf[..len])
        };
        match cut {
            Some(cut) if cut > 0 => {
                tail.clear();
                tail.extend_from_slice(&buf[cut..len]);
                if block_tx.send((index, buf, cut)).is_err() {
                    break;
                }
                index += 1;
            }
            // No whole row yet (a row longer than a block): keep reading.
            _ => {
                tail.clear();
                tail.extend_from_slice(&buf[..len]);
                let _ = pool_tx.send(buf);
            }
        }
        if input.eof && tail.is_empty() {
            break;
        }
        if input.eof && cut.is_none() {
            break;
        }
    }
    Ok(())
}
