//! Reading the file: blocks of bytes read into buffers, hashed (BLAKE3,
//! for run.json) as they pass.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// The file being read: its bytes are hashed as they pass.
pub(super) struct Input<'p> {
    pub(super) file: std::fs::File,
    pub(super) path: &'p Path,
    pub(super) block_size: usize,
    pub(super) hasher: crate::digest::Hasher,
    /// The end of the file was reached.
    pub(super) eof: bool,
}

impl Input<'_> {
    /// Reads up to a block more onto `buf`.
    pub(super) fn more(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        let before = buf.len();
        self.eof = fill(&mut self.file, buf, self.block_size, self.path)?;
        self.hasher.update(&buf[before..]);
        Ok(())
    }

    /// Reads a block into `buf` (a block long); the bytes read.
    pub(super) fn block_into(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = read_into(&mut self.file, buf, self.path)?;
        self.hasher.update(&buf[..n]);
        self.eof = n < self.block_size;
        Ok(n)
    }
}

/// Reads up to `max` more bytes onto `buf`; true at the end of the file.
fn fill(file: &mut std::fs::File, buf: &mut Vec<u8>, max: usize, path: &Path) -> Result<bool> {
    let start = buf.len();
    buf.resize(start + max, 0);
    let got = read_into(file, &mut buf[start..], path)?;
    buf.truncate(start + got);
    Ok(got < max)
}

/// Reads until `buf` is full or the file ends; the bytes read.
fn read_into(file: &mut std::fs::File, buf: &mut [u8], path: &Path) -> Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Ok(got)
}
