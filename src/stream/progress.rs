//! What a progress display reads while a file is read: bytes of the blocks
//! parsed and rows parsed, counted by the workers.

use std::sync::atomic::AtomicU64;

/// Progress counters, read by a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    pub bytes: AtomicU64,
    pub rows: AtomicU64,
    pub total_bytes: AtomicU64,
}
