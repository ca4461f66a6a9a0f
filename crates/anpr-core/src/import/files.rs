//! The bundle's files, found by a directory walk. Nothing outside the bundle folder is ever
//! read: a path from the data that is absolute, climbs with `..`, or is a symlink leading out
//! is refused (bundle-format.md).

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use walkdir::WalkDir;

#[derive(Debug)]
struct Entry {
    path: PathBuf,
    symlink: bool,
}

/// Every regular file and symlink under the bundle root, by bundle-relative path with `/`.
#[derive(Debug)]
pub struct BundleFiles {
    root: PathBuf,
    files: HashMap<String, Entry>,
}

impl BundleFiles {
    pub fn walk(root: &Path) -> std::io::Result<Self> {
        let root = root.canonicalize()?;
        let mut files = HashMap::new();
        // Symlinks are listed, not followed: a linked folder could lead anywhere.
        for entry in WalkDir::new(&root).follow_links(false).min_depth(1) {
            let entry = entry.map_err(std::io::Error::other)?;
            let kind = entry.file_type();
            if kind.is_dir() {
                continue;
            }
            let Ok(relative) = entry.path().strip_prefix(&root) else { continue };
            let key = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            files.insert(key, Entry { path: entry.path().to_owned(), symlink: kind.is_symlink() });
        }
        Ok(Self { root, files })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn contains(&self, relative: &str) -> bool {
        self.files.contains_key(relative)
    }

    /// Resolves a bundle-relative path from the data to a file inside the bundle, or says why not.
    pub fn resolve(&self, relative: &str) -> Result<PathBuf, String> {
        let key = normalise(relative)?;
        let entry = self.files.get(&key).ok_or_else(|| format!("file not found in the bundle: {relative}"))?;
        if !entry.symlink {
            return Ok(entry.path.clone());
        }
        let target = entry.path.canonicalize().map_err(|e| format!("broken symlink {relative}: {e}"))?;
        if !target.starts_with(&self.root) {
            return Err(format!("path escapes the bundle (symlink leading outside): {relative}"));
        }
        if !target.is_file() {
            return Err(format!("not a file: {relative}"));
        }
        Ok(target)
    }
}

/// Resolves a path from the data of a single read file (not a bundle) inside the file's own
/// folder, without walking it: the same lexical checks, then the canonical target must lie in
/// `root` (a symlink leading out is refused). A leading `/` means the folder itself, as in
/// Plate Recognizer Stream's CSV (`/camera-1_screenshots/...`).
pub fn resolve_in(root: &Path, relative: &str) -> Result<PathBuf, String> {
    let key = normalise(relative.trim().trim_start_matches('/'))?;
    let root = root.canonicalize().map_err(|e| format!("cannot open the folder {}: {e}", root.display()))?;
    let target =
        root.join(&key).canonicalize().map_err(|_| format!("file not found beside the read file: {relative}"))?;
    if !target.starts_with(&root) {
        return Err(format!("path escapes the folder (symlink leading outside): {relative}"));
    }
    if !target.is_file() {
        return Err(format!("not a file: {relative}"));
    }
    Ok(target)
}

/// Lexical checks: relative, no `..`, forward or back slashes, no drive prefix.
fn normalise(relative: &str) -> Result<String, String> {
    let unified = relative.trim().replace('\\', "/");
    if unified.is_empty() {
        return Err("empty path".into());
    }
    let path = Path::new(&unified);
    let drive = unified.len() >= 2 && unified.as_bytes()[1] == b':';
    if path.is_absolute() || unified.starts_with('/') || drive {
        return Err(format!("path escapes the bundle (absolute path): {relative}"));
    }
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => return Err(format!("path escapes the bundle (contains ..): {relative}")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("path escapes the bundle (absolute path): {relative}"));
            }
        }
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn lexical_escapes_are_refused() {
        assert!(normalise("../x.jpg").unwrap_err().contains(".."));
        assert!(normalise("images/../../x.jpg").unwrap_err().contains(".."));
        assert!(normalise("/etc/passwd").unwrap_err().contains("absolute"));
        assert!(normalise("C:\\x.jpg").unwrap_err().contains("absolute"));
        assert_eq!(normalise("./images\\p/1.jpg").unwrap(), "images/p/1.jpg");
    }
}
