//! Content-addressed image store: `blobs/ab/<sha256>` (256 folders: few enough that storing
//! an image rarely creates one, and ext4's hashed directories stay fast at millions of files). Images are evidence, so they are
//! stored once, byte for byte, and verified against their name whenever read. In an encrypted
//! store each file is the image sealed with the store's image key ([`crate::keyring`]).

use crate::error::{Error, Result};
use crate::keyring::BlobCipher;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Blobs {
    root: PathBuf,
    cipher: Option<BlobCipher>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Blobs {
    /// Opens the image folder; `cipher` is the store's image key when the store is encrypted.
    pub fn open(root: PathBuf, cipher: Option<BlobCipher>) -> Result<Self> {
        fs::create_dir_all(root.join("tmp")).map_err(|e| Error::io(format!("creating {}", root.display()), e))?;
        Ok(Self { root, cipher })
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
        let sealed;
        let bytes = match &self.cipher {
            Some(cipher) => {
                sealed = cipher.seal(sha256, bytes)?;
                &sealed
            }
            None => bytes,
        };
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
        let mut bytes = fs::read(&path).map_err(|e| Error::io(format!("reading image {sha256}"), e))?;
        if let Some(cipher) = &self.cipher {
            bytes = cipher.open(sha256, &bytes)?;
        }
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

/// Replaces `path` with `bytes` so that a crash leaves the old file or the new one: written
/// beside it, synced, renamed over it, and the folder synced so the rename itself survives.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |e| Error::io(format!("writing {}", path.display()), e);
    let dir = path.parent().unwrap_or(Path::new("."));
    let (tmp, mut file) = tempfile_in(dir).map_err(io)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all()).and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io(e));
    }
    sync_dir(dir)
}

/// Makes renames and removals in `dir` durable (a no-op where folders cannot be opened).
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io(format!("syncing {}", dir.display()), e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
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
