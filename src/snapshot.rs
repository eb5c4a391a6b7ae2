//! Snapshots on disk: reading a capture safely, hashing its bytes, and deciding its integrity
//! status against the pinned sha256. A snapshot is evidence: it is never normalised, only read.

use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::files::{self, ReadError};

/// The sha256 of `bytes` as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push(char::from(b"0123456789abcdef"[(b >> 4) as usize]));
        out.push(char::from(b"0123456789abcdef"[(b & 0xf) as usize]));
    }
    out
}

/// A snapshot's integrity, as reported per source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Ok,
    SnapshotMissing,
    SnapshotModified,
    SnapshotInvalid,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::SnapshotMissing => "snapshot-missing",
            Status::SnapshotModified => "snapshot-modified",
            Status::SnapshotInvalid => "snapshot-invalid",
        }
    }
}

/// A snapshot read from disk and checked against its pin.
#[derive(Debug)]
pub struct Loaded {
    pub status: Status,
    /// The sha256 of the bytes on disk, when they could be read.
    pub actual: Option<String>,
    /// How many bytes were read (with `actual`).
    pub bytes: Option<u64>,
    /// The text, when the bytes are UTF-8 (even if modified: verdicts still explain citations).
    pub text: Option<String>,
    /// Why the file could not be used, for `snapshot-missing` / `snapshot-invalid`.
    pub error: Option<ReadError>,
}

/// Read `path` (inside `root`), hash it, compare with `pinned`.
///
/// `parents`: the directories on the way, looked at once per run ([`files::Parents`]).
pub fn load(root: &Path, path: &Path, pinned: &str, parents: &files::Parents) -> Loaded {
    let bytes = match files::read_bytes_with(root, path, parents) {
        Ok(b) => b,
        Err(e) => {
            let status = if e == ReadError::NotFound {
                Status::SnapshotMissing
            } else {
                Status::SnapshotInvalid
            };
            return Loaded {
                status,
                actual: None,
                bytes: None,
                text: None,
                error: Some(e),
            };
        }
    };
    let actual = sha256_hex(&bytes);
    let len = bytes.len() as u64;
    let (text, error) = match files::into_utf8(bytes) {
        // `prov add` and `prov capture` refuse NUL bytes: a snapshot that has one was edited.
        Ok(t) => match memchr::memchr(0, t.as_bytes()) {
            Some(at) => (None, Some(ReadError::NulByte(at))),
            None => (Some(t), None),
        },
        Err(e) => (None, Some(e)),
    };
    let status = if actual != pinned {
        Status::SnapshotModified
    } else if error.is_some() {
        Status::SnapshotInvalid
    } else {
        Status::Ok
    };
    Loaded {
        status,
        actual: Some(actual),
        bytes: Some(len),
        text,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
