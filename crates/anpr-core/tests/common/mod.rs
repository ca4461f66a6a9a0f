//! Test support: a store in a temporary folder with a fixed clock, accounts, and real bundles
//! written to disk.
#![allow(dead_code, clippy::unwrap_used)]

pub mod pdf;

use anpr_core::setup::{DEMO_ACCOUNTS, DEMO_PASSWORD};
use anpr_core::{FixedClock, Session, Workstation};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

pub const NOW: &str = "2026-11-20T12:00:00Z";

pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW).unwrap().to_utc()
}

pub struct Store {
    pub dir: tempfile::TempDir,
    pub clock: Arc<FixedClock>,
    pub ws: Workstation,
}

/// An empty store with the demo accounts, encrypted like every store the app makes.
pub async fn store() -> Store {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now()));
    let (ws, _recovery) = Workstation::create_encrypted(&dir.path().join("data"), clock.clone()).await.unwrap();
    ws.create_demo_accounts().await.unwrap();
    Store { dir, clock, ws }
}

/// The store in `data` opened again with a demo account's password, as the app does at start.
pub async fn reopen(data: &Path, clock: Arc<FixedClock>) -> Workstation {
    Workstation::unlock(data, clock, "demo.admin", DEMO_PASSWORD).await.unwrap()
}

impl Store {
    pub async fn login(&self, username: &str) -> Session {
        assert!(DEMO_ACCOUNTS.iter().any(|a| a.0 == username));
        self.ws.login(username, DEMO_PASSWORD).await.unwrap()
    }

    pub async fn import(&self, bundle: &Path) -> anpr_core::Result<anpr_types::ImportSummary> {
        let session = self.login("demo.investigator").await;
        session.import_bundle(bundle, &mut |_| {}, &AtomicBool::new(false)).await
    }

    pub async fn count(&self, table: &str) -> i64 {
        // Table names here are the test's own constants, never data.
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(self.ws.pool()).await.unwrap()
    }
}

pub const CAMERAS_HEADER: &str =
    "camera_id,name,system_type,latitude,longitude,general_area,postcode,road,controller,restricted,lanes,has_imagery";
pub const READS_HEADER: &str =
    "read_id,vrm,read_time,camera_id,latitude,longitude,lane,direction,confidence,plate_image,overview_image";

/// A bundle folder being written.
pub struct Bundle {
    pub dir: PathBuf,
}

impl Bundle {
    pub fn new(parent: &Path, name: &str) -> Self {
        let dir = parent.join(name);
        std::fs::create_dir_all(dir.join("images")).unwrap();
        Self { dir }
    }

    pub fn file(&self, relative: &str, bytes: &[u8]) -> &Self {
        let path = self.dir.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        self
    }

    pub fn cameras(&self, rows: &[&str]) -> &Self {
        self.file("cameras.csv", format!("{CAMERAS_HEADER}\n{}\n", rows.join("\n")).as_bytes())
    }

    pub fn reads(&self, rows: &[&str]) -> &Self {
        self.file("reads.csv", format!("{READS_HEADER}\n{}\n", rows.join("\n")).as_bytes())
    }

    /// Static cameras `(id, general area, _)` numbered in order (`Camera i` on `Road i`), all
    /// recording overview images or none.
    pub fn numbered_cameras(&self, cameras: &[(&str, &str, bool)], imagery: bool) -> &Self {
        let rows: Vec<String> = cameras
            .iter()
            .enumerate()
            .map(|(i, (id, area, _))| {
                format!(
                    "{id},Camera {i},static,52.{i},-1.{i},{area},,Road {i},Northshire Constabulary,false,1,{imagery}"
                )
            })
            .collect();
        self.cameras(&rows.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// Two cameras: a static one and a mobile one.
    pub fn standard_cameras(&self) -> &Self {
        self.cameras(&[
            "CAM1,High St,static,52.1,-1.2,Ashbury,AB1 2CD,High Street,Northshire Constabulary,false,1,true",
            "MOB1,Van 1,mobile,52.2,-1.3,Ashbury,,,Northshire Constabulary,false,1,true",
        ])
    }
}

/// A real JPEG of a plate-like picture, different for each `seed`.
pub fn jpeg(seed: u8, width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([seed, (x % 256) as u8, (y % 256) as u8]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&img).unwrap();
    out
}

pub fn png(seed: u8, width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, _| image::Rgb([seed, (x % 256) as u8, 0]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    out
}

/// A valid PNG whose header declares `width` x `height` pixels (a decompression bomb when
/// large): only the header is honest, the pixel data is a few bytes.
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    out.extend(chunk(b"IEND", &[]));
    out
}

pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// SQLite GLOB over `A-Z0-9?*` patterns, written independently of the core (for the oracles).
pub fn glob(p: &[u8], s: &[u8]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| glob(rest, &s[i..])),
        Some((b'?', rest)) => !s.is_empty() && glob(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && glob(rest, &s[1..]),
    }
}
