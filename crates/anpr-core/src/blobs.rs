//! Content-addressed image store: `blobs/ab/<sha256>` (256 folders: few enough that storing
//! an image rarely creates one, and ext4's hashed directories stay fast at millions of files). Images are evidence, so they are
//! stored once, byte for byte, and verified against their name whenever read.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Blobs {
    root: PathBuf,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Blobs {
    pub fn open(root: PathBuf) -> Result<Self> {
        fs::create_dir_all(root.join("tmp")).map_err(|e| Error::io(format!("creating {}", root.display()), e))?;
        Ok(Self { root })
    }

    /// Where a blob lives. The name is checked first: a hash from data can never form a path
    /// outside the store.
    fn path_of(&self, sha256: &str) -> Result<PathBuf> {
        if !is_sha256_hex(sha256) {
            return Err(Error::Invalid(format!("not a SHA-256: {sha256:?}")));
        }
        Ok(self.root.join(&sha256[0..2]).join(sha256))
    }

    /// Stores `bytes` (whose SHA-256 the caller computed) unless already present. Written to a
    /// temporary file, synced, then renamed, so a crash never leaves a partial blob under its name.
    pub fn put(&self, sha256: &str, bytes: &[u8]) -> Result<bool> {
        let path = self.path_of(sha256)?;
        if path.exists() {
            return Ok(false);
        }
        let io = |e| Error::io(format!("storing image {sha256}"), e);
        let dir = path.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir).map_err(io)?;
        let mut tmp = tempfile_in(&self.root.join("tmp")).map_err(io)?;
        tmp.1.write_all(bytes).map_err(io)?;
        tmp.1.sync_all().map_err(io)?;
        fs::rename(&tmp.0, &path).map_err(io)?;
        Ok(true)
    }

    /// Removes a blob whose image record is gone (retention); a missing file is not an error.
    pub fn remove(&self, sha256: &str) -> Result<()> {
        match fs::remove_file(self.path_of(sha256)?) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(format!("removing image {sha256}"), e)),
            _ => Ok(()),
        }
    }

    /// Reads a blob and checks it still has the hash it is stored under.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        let path = self.path_of(sha256)?;
        let bytes = fs::read(&path).map_err(|e| Error::io(format!("reading image {sha256}"), e))?;
        if sha256_hex(&bytes) != sha256 {
            return Err(Error::Invalid(format!("image {sha256} is corrupt: its contents no longer match its hash")));
        }
        Ok(bytes)
    }

    pub fn contains(&self, sha256: &str) -> bool {
        self.path_of(sha256).map(|p| p.exists()).unwrap_or(false)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// A uniquely named new file in `dir` (no extra dependency for this; blobs and exports).
pub(crate) fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, fs::File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("{}-{n}.part", std::process::id()));
        match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}
