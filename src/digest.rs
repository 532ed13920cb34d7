//! BLAKE3 fingerprints of inputs and embedded data, for run.json.
//!
//! BLAKE3 rather than SHA-256: the digest of an input is on the path of
//! every large compile (a 4.5 GB activity file is hashed while it is read),
//! and BLAKE3 hashes several gigabytes a second on one core with the vector
//! units every x86-64 and ARM processor has (SHA-256 about 1.3 GB/s even with
//! SHA extensions, 0.4 GB/s without), while being as standard and as strong
//! for provenance. Anyone can check a digest with the reference command-line
//! tool, `b3sum FILE` (or Python's `blake3` package), which prints the same
//! lower-case hex.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// A BLAKE3 digest in progress.
pub struct Hasher(blake3::Hasher);

impl Default for Hasher {
    fn default() -> Self {
        Hasher::new()
    }
}

impl Hasher {
    pub fn new() -> Hasher {
        Hasher(blake3::Hasher::new())
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest as lower-case hex (what `b3sum` prints).
    pub fn hex(self) -> String {
        self.0.finalize().to_hex().to_string()
    }
}

/// The BLAKE3 of bytes, as hex.
pub fn bytes(data: &[u8]) -> String {
    let mut h = Hasher::new();
    h.update(data);
    h.hex()
}

/// The BLAKE3 of a file, read in blocks, as hex.
pub fn file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Ok(h.hex())
}

#[cfg(test)]
mod tests {
    /// The digests the BLAKE3 reference (`b3sum`) gives.
    #[test]
    fn known_digests() {
        assert_eq!(
            super::bytes(b""),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
        assert_eq!(
            super::bytes(b"abc"),
            "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
        );
    }
}
