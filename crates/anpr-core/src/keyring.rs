//! Encryption at rest (NASPLE 8.11.4, Appendix A; design in docs/encryption.md): one random
//! data key encrypts the database (SQLCipher) and every image file (XChaCha20-Poly1305). The
//! data key itself is only ever stored wrapped: once per account under a key derived from that
//! account's password with Argon2id, and once under the recovery key shown at set-up. The
//! wraps live in `keyring.json` beside the database, which holds no name, VRM or audit text:
//! accounts are found by a keyed hash of their user name.

use crate::error::{AuthFailure, Error, Result};
use crate::policy::accounts as rules;
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, Zeroizing};

/// The keyring's file name in the data directory: its presence makes a store encrypted.
pub const KEYRING_FILE: &str = "keyring.json";
const FORMAT: &str = "anpr-keyring/1";
const NONCE_LEN: usize = 24;

/// The store's data key. Never written anywhere unwrapped; wiped from memory when dropped.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

/// A key derived from another for one purpose, so the database and the images never share one.
fn derive(label: &str, key: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut hash = Sha256::new();
    hash.update(b"anpr-workstation ");
    hash.update(label.as_bytes());
    hash.update([0]);
    hash.update(key);
    Zeroizing::new(hash.finalize().into())
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

impl DataKey {
    pub(crate) fn generate() -> Self {
        Self(Zeroizing::new(random()))
    }

    /// SQLCipher's raw-key form (`x'<64 hex>'`): no second key derivation on every open.
    pub(crate) fn database_key(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(*derive("database", &*self.0))))
    }

    /// The key as `PRAGMA key`'s value.
    pub(crate) fn database_pragma(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"{}\"", self.database_key().as_str()))
    }

    pub(crate) fn blob_cipher(&self) -> BlobCipher {
        BlobCipher(XChaCha20Poly1305::new((&*derive("images", &*self.0)).into()))
    }
}

/// Encrypts and decrypts image files: `ANPRBLB1`, a fresh random 24-byte nonce, then the
/// ciphertext with its tag. The file's name (the image's SHA-256) is authenticated with it, so
/// a file copied under another name does not decrypt.
#[derive(Clone)]
pub struct BlobCipher(XChaCha20Poly1305);

impl std::fmt::Debug for BlobCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlobCipher(..)")
    }
}

const BLOB_MAGIC: &[u8; 8] = b"ANPRBLB1";

impl BlobCipher {
    pub(crate) fn seal(&self, name: &str, plain: &[u8]) -> Result<Vec<u8>> {
        let nonce: [u8; NONCE_LEN] = random();
        let sealed = self
            .0
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad: name.as_bytes() })
            .map_err(|_| Error::Invalid(format!("encrypting image {name} failed")))?;
        Ok([BLOB_MAGIC.as_slice(), &nonce, &sealed].concat())
    }

    pub(crate) fn open(&self, name: &str, file: &[u8]) -> Result<Vec<u8>> {
        let corrupt = || Error::Invalid(format!("image {name} is corrupt: it does not decrypt with the store's key"));
        let rest = file.strip_prefix(BLOB_MAGIC.as_slice()).ok_or_else(corrupt)?;
        if rest.len() < NONCE_LEN {
            return Err(corrupt());
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        self.0.decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: name.as_bytes() }).map_err(|_| corrupt())
    }
}

/// The recovery key: 32 random bytes shown once, as 13 groups of 4 base-32 letters and digits.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryKey(Zeroizing<String>);

const BASE32: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

impl RecoveryKey {
    fn generate() -> (Self, Zeroizing<[u8; 32]>) {
        let bytes = Zeroizing::new(random::<32>());
        let mut text = String::new();
        let (mut acc, mut bits) = (0u32, 0);
        for &b in bytes.iter() {
            acc = (acc << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                push_group_char(&mut text, BASE32[((acc >> bits) & 31) as usize]);
            }
        }
        push_group_char(&mut text, BASE32[((acc << (5 - bits)) & 31) as usize]);
        acc.zeroize();
        (Self(Zeroizing::new(text)), bytes)
    }

    /// Parses a typed recovery key: case, spaces and dashes do not matter; the look-alikes
    /// O/0 and I/1 are read as the digits the alphabet has instead.
    pub fn parse(typed: &str) -> Option<Zeroizing<[u8; 32]>> {
        let mut out = Zeroizing::new([0u8; 32]);
        let (mut acc, mut bits, mut n) = (0u32, 0, 0usize);
        for c in typed.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            let c = match c.to_ascii_uppercase() {
                'O' | '0' => 'Q',
                'I' | '1' => 'J',
                c => c,
            };
            let v = BASE32.iter().position(|&b| b == c as u8)? as u32;
            acc = (acc << 5) | v;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                *out.get_mut(n)? = (acc >> bits) as u8;
                n += 1;
            }
        }
        (n == 32).then_some(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn push_group_char(text: &mut String, c: u8) {
    if !text.is_empty() && text.len() % 5 == 4 {
        text.push('-');
    }
    text.push(c as char);
}

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(..)")
    }
}

/// One wrapping of the data key: Argon2id parameters and salt, and the sealed key.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Wrap {
    /// Argon2id memory (KiB), passes, lanes and output length; salt in hex. Absent for the
    /// recovery wrap, whose key is random and needs no stretching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kdf: Option<Kdf>,
    nonce: String,
    sealed: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Kdf {
    m: u32,
    t: u32,
    p: u32,
    len: usize,
    salt: String,
}

impl Kdf {
    /// The same cost as account password hashes (the argon2 crate's defaults, OWASP's minimum).
    fn new() -> Self {
        let d = Params::default();
        let salt: [u8; 16] = random();
        Self { m: d.m_cost(), t: d.t_cost(), p: d.p_cost(), len: 32, salt: hex::encode(salt) }
    }

    /// The parameters of an account's stored password hash: the wrap made while encrypting an
    /// existing store derives from the very hash output the database held (docs/encryption.md).
    fn of_password_hash(phc: &str) -> Option<(Self, Zeroizing<Vec<u8>>)> {
        let hash = PasswordHash::new(phc).ok()?;
        let params = Params::try_from(&hash).ok()?;
        let output = Zeroizing::new(hash.hash?.as_bytes().to_vec());
        let salt = hex::encode(&*hash.salt?);
        Some((Self { m: params.m_cost(), t: params.t_cost(), p: params.p_cost(), len: output.len(), salt }, output))
    }

    fn stretch(&self, password: &str) -> Result<Zeroizing<Vec<u8>>> {
        let bad = |e: String| Error::Keyring(format!("key derivation: {e}"));
        let params = Params::new(self.m, self.t, self.p, Some(self.len)).map_err(|e| bad(e.to_string()))?;
        let salt = hex::decode(&self.salt).map_err(|e| bad(e.to_string()))?;
        let mut out = Zeroizing::new(vec![0u8; self.len]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(password.as_bytes(), &salt, &mut out)
            .map_err(|e| bad(e.to_string()))?;
        Ok(out)
    }
}

impl Wrap {
    fn seal(wrapping_key: &[u8], aad: &str, key: &DataKey) -> Result<Self> {
        Self::seal_with(None, wrapping_key, aad, key)
    }

    fn seal_with(kdf: Option<Kdf>, secret: &[u8], aad: &str, key: &DataKey) -> Result<Self> {
        let cipher = XChaCha20Poly1305::new((&*derive("wrap", secret)).into());
        let nonce: [u8; NONCE_LEN] = random();
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: key.0.as_slice(), aad: aad.as_bytes() })
            .map_err(|_| Error::Keyring("wrapping the data key failed".into()))?;
        Ok(Self { kdf, nonce: hex::encode(nonce), sealed: hex::encode(sealed) })
    }

    fn open(&self, secret: &[u8], aad: &str) -> Option<DataKey> {
        let cipher = XChaCha20Poly1305::new((&*derive("wrap", secret)).into());
        let nonce = hex::decode(&self.nonce).ok().filter(|n| n.len() == NONCE_LEN)?;
        let sealed = hex::decode(&self.sealed).ok()?;
        let plain = Zeroizing::new(
            cipher.decrypt(XNonce::from_slice(&nonce), Payload { msg: &sealed, aad: aad.as_bytes() }).ok()?,
        );
        let bytes: [u8; 32] = plain.as_slice().try_into().ok()?;
        Some(DataKey(Zeroizing::new(bytes)))
    }

    /// Tries `password` on this wrap (one Argon2id run).
    fn open_with_password(&self, password: &str, aad: &str) -> Result<Option<DataKey>> {
        let Some(kdf) = &self.kdf else { return Ok(None) };
        Ok(self.open(&kdf.stretch(password)?, aad))
    }
}

/// An account's entry: its wraps (normally one; two for a moment while a password changes)
/// and the failed unlock attempts not yet counted in the database.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Account {
    id: String,
    wraps: Vec<Wrap>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    failed: Vec<i64>,
}

/// `keyring.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Keyring {
    format: String,
    /// Random per store: account ids cannot be matched between stores or guessed in advance.
    store: String,
    accounts: Vec<Account>,
    recovery: Wrap,
    /// Failed unlocks for user names with no entry: the names are not kept (they would be
    /// readable here), only the times, audited once the store is next opened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    unknown_failed: Vec<i64>,
}

/// Failed unlock attempts made while the store was closed, to count and audit once it is open.
#[derive(Debug, Default)]
pub(crate) struct PendingFailures {
    /// (account id, time ms) of wrong passwords for known accounts.
    pub accounts: Vec<(String, i64)>,
    pub unknown: Vec<i64>,
}

impl Keyring {
    /// A new keyring for a new data key, with only its recovery wrap.
    pub(crate) fn new(key: &DataKey) -> Result<(Self, RecoveryKey)> {
        let store = hex::encode(random::<16>());
        let (recovery, secret) = RecoveryKey::generate();
        let wrap = Wrap::seal(&*secret, &format!("{store} recovery"), key)?;
        Ok((
            Self { format: FORMAT.into(), store, accounts: Vec::new(), recovery: wrap, unknown_failed: Vec::new() },
            recovery,
        ))
    }

    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(KEYRING_FILE)
    }

    pub fn exists(data_dir: &Path) -> bool {
        Self::path(data_dir).exists()
    }

    pub(crate) fn load(data_dir: &Path) -> Result<Self> {
        let path = Self::path(data_dir);
        let text = std::fs::read(&path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        let ring: Self = serde_json::from_slice(&text)
            .map_err(|e| Error::Keyring(format!("{} is not a readable keyring: {e}", path.display())))?;
        if ring.format != FORMAT {
            return Err(Error::Keyring(format!("{} has an unknown format {:?}", path.display(), ring.format)));
        }
        Ok(ring)
    }

    /// Writes the keyring atomically (temporary file, sync, rename, sync of the folder): a crash
    /// leaves the old keyring or the new one, never a torn one.
    pub(crate) fn save(&self, data_dir: &Path) -> Result<()> {
        let path = Self::path(data_dir);
        let text = serde_json::to_vec_pretty(self).map_err(|e| Error::Keyring(e.to_string()))?;
        crate::blobs::write_atomically(&path, &text)
    }

    /// An account's id: also how pending failures are matched to database accounts.
    pub(crate) fn account_id(&self, username: &str) -> String {
        hex::encode(*derive(&format!("account {}", self.store), username.as_bytes()))
    }

    fn aad(&self, id: &str) -> String {
        format!("{} account {id}", self.store)
    }

    fn account_mut(&mut self, id: &str) -> &mut Account {
        if let Some(i) = self.accounts.iter().position(|a| a.id == id) {
            return &mut self.accounts[i];
        }
        self.accounts.push(Account { id: id.to_owned(), wraps: Vec::new(), failed: Vec::new() });
        self.accounts.last_mut().expect("just pushed")
    }

    /// Unwraps the data key with an account's password (Argon2id; run it off async workers).
    /// A wrong password is counted here (saved by the caller) and the 5th in a row refuses
    /// further tries until the store is opened by someone else and the count reaches the
    /// database, where an administrator can unlock the account (Appendix A 12).
    pub(crate) fn unlock(&mut self, username: &str, password: &str, now_ms: i64) -> Result<DataKey> {
        let id = self.account_id(username);
        let aad = self.aad(&id);
        let Some(account) = self.accounts.iter_mut().find(|a| a.id == id) else {
            self.unknown_failed.push(now_ms);
            return Err(AuthFailure::UnknownUser.into());
        };
        if account.failed.len() as u32 >= rules::MAX_FAILED_LOGINS {
            return Err(AuthFailure::Locked.into());
        }
        // Newest wrap first: during a password change the new one is added before the old goes.
        for wrap in account.wraps.iter().rev() {
            if let Some(key) = wrap.open_with_password(password, &aad)? {
                return Ok(key);
            }
        }
        account.failed.push(now_ms);
        let failed = account.failed.len() as u32;
        Err(if failed >= rules::MAX_FAILED_LOGINS {
            AuthFailure::Locked
        } else {
            AuthFailure::WrongPassword { remaining: rules::attempts_left(failed) }
        }
        .into())
    }

    pub(crate) fn unlock_with_recovery_key(&self, typed: &str) -> Result<DataKey> {
        let refused = || Error::Invalid("that is not this store's recovery key".into());
        let secret = RecoveryKey::parse(typed).ok_or_else(refused)?;
        self.recovery.open(&*secret, &format!("{} recovery", self.store)).ok_or_else(refused)
    }

    /// Adds a wrap of `key` under `password` for `username`, keeping any earlier ones until
    /// [`Keyring::keep_newest`]: a crash between the keyring and the database commit must not
    /// leave an account whose database password no longer opens the store.
    pub(crate) fn add_password(&mut self, username: &str, password: &str, key: &DataKey) -> Result<()> {
        let kdf = Kdf::new();
        let secret = kdf.stretch(password)?;
        self.add_wrap(username, kdf, &secret, key)
    }

    /// A wrap for an account of a store being encrypted, from its stored Argon2id password
    /// hash: its password opens the store at once, with nobody re-entering it.
    pub(crate) fn add_password_hash(&mut self, username: &str, phc: &str, key: &DataKey) -> Result<()> {
        let (kdf, output) = Kdf::of_password_hash(phc)
            .ok_or_else(|| Error::Keyring(format!("the password hash of {username} is not Argon2id")))?;
        self.add_wrap(username, kdf, &output, key)
    }

    fn add_wrap(&mut self, username: &str, kdf: Kdf, secret: &[u8], key: &DataKey) -> Result<()> {
        let id = self.account_id(username);
        let wrap = Wrap::seal_with(Some(kdf), secret, &self.aad(&id), key)?;
        self.account_mut(&id).wraps.push(wrap);
        Ok(())
    }

    /// Drops all but the newest wrap of `username` (after its new password is committed).
    pub(crate) fn keep_newest(&mut self, username: &str) {
        let id = self.account_id(username);
        if let Some(account) = self.accounts.iter_mut().find(|a| a.id == id) {
            let n = account.wraps.len();
            account.wraps.drain(..n.saturating_sub(1));
        }
    }

    /// Takes the failed unlocks recorded while the store was closed.
    pub(crate) fn take_failures(&mut self) -> PendingFailures {
        let mut pending = PendingFailures { unknown: std::mem::take(&mut self.unknown_failed), ..Default::default() };
        for account in &mut self.accounts {
            pending.accounts.extend(account.failed.drain(..).map(|at| (account.id.clone(), at)));
        }
        pending
    }

    /// Whether any account can open the store (a new one has none until its first is added).
    pub(crate) fn has_accounts(&self) -> bool {
        self.accounts.iter().any(|a| !a.wraps.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recovery_key_round_trips_through_its_text_and_tolerates_typing() {
        let (key, bytes) = RecoveryKey::generate();
        assert_eq!(key.as_str().len(), 52 + 12, "13 groups of 4 with 12 dashes: {}", key.as_str());
        assert_eq!(*RecoveryKey::parse(key.as_str()).unwrap(), *bytes);
        let typed = key.as_str().to_lowercase().replace('-', " ").replace('q', "0").replace('j', "1");
        assert_eq!(*RecoveryKey::parse(&typed).unwrap(), *bytes);
        assert!(RecoveryKey::parse(&key.as_str()[..60]).is_none());
    }

    #[test]
    fn passwords_unwrap_the_data_key_and_wrong_ones_are_counted_to_a_lock() {
        let key = DataKey::generate();
        let (mut ring, recovery) = Keyring::new(&key).unwrap();
        ring.add_password("ann", "first-Password-1", &key).unwrap();
        assert_eq!(*ring.unlock("ann", "first-Password-1", 1).unwrap().0, *key.0);
        assert_eq!(*ring.unlock_with_recovery_key(recovery.as_str()).unwrap().0, *key.0);
        assert!(matches!(
            ring.unlock("bob", "first-Password-1", 2),
            Err(Error::Authentication(AuthFailure::UnknownUser))
        ));
        for remaining in (1..=4).rev() {
            let e = ring.unlock("ann", "wrong", 3).unwrap_err();
            assert!(matches!(e, Error::Authentication(AuthFailure::WrongPassword { remaining: r }) if r == remaining));
        }
        assert!(matches!(ring.unlock("ann", "wrong", 4), Err(Error::Authentication(AuthFailure::Locked))));
        // Locked: even the right password is refused until the failures reach the database.
        assert!(matches!(ring.unlock("ann", "first-Password-1", 5), Err(Error::Authentication(AuthFailure::Locked))));
        let pending = ring.take_failures();
        assert_eq!((pending.accounts.len(), pending.unknown), (5, vec![2]));
        assert!(ring.unlock("ann", "first-Password-1", 6).is_ok());
    }

    #[test]
    fn a_password_change_keeps_the_old_wrap_until_the_new_one_is_committed() {
        let key = DataKey::generate();
        let (mut ring, _) = Keyring::new(&key).unwrap();
        ring.add_password("ann", "old-Password-1", &key).unwrap();
        ring.add_password("ann", "new-Password-2", &key).unwrap();
        assert!(ring.unlock("ann", "old-Password-1", 1).is_ok());
        assert!(ring.unlock("ann", "new-Password-2", 1).is_ok());
        ring.keep_newest("ann");
        assert!(ring.unlock("ann", "old-Password-1", 1).is_err());
        assert!(ring.unlock("ann", "new-Password-2", 1).is_ok());
    }

    #[test]
    fn a_stored_password_hash_wraps_the_key_for_that_password() {
        let key = DataKey::generate();
        let (mut ring, _) = Keyring::new(&key).unwrap();
        let phc = crate::accounts::hash_password("legacy-Password-1").unwrap();
        ring.add_password_hash("ann", &phc, &key).unwrap();
        assert_eq!(*ring.unlock("ann", "legacy-Password-1", 1).unwrap().0, *key.0);
        assert!(ring.unlock("ann", "legacy-Password-2", 1).is_err());
    }

    #[test]
    fn an_image_decrypts_only_under_its_own_name_and_key() {
        let key = DataKey::generate();
        let cipher = key.blob_cipher();
        let sealed = cipher.seal("aa", b"\xff\xd8\xff image").unwrap();
        assert!(!sealed.windows(3).any(|w| w == b"\xff\xd8\xff"));
        assert_eq!(cipher.open("aa", &sealed).unwrap(), b"\xff\xd8\xff image");
        assert!(cipher.open("bb", &sealed).is_err());
        assert!(DataKey::generate().blob_cipher().open("aa", &sealed).is_err());
        assert_ne!(sealed, cipher.seal("aa", b"\xff\xd8\xff image").unwrap(), "a fresh nonce per file");
    }
}
