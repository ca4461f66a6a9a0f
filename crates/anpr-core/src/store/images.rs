//! SQL of the image records (the bytes are in `blobs/`).

use crate::error::Result;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    PlatePatch,
    Overview,
    /// Derived for display; never evidence.
    Thumbnail,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PlatePatch => "plate_patch",
            Kind::Overview => "overview",
            Kind::Thumbnail => "thumbnail",
        }
    }
}

#[derive(Debug)]
pub struct NewImage<'a> {
    pub sha256: &'a str,
    pub kind: Kind,
    pub format: &'a str,
    pub bytes: i64,
    pub width: u32,
    pub height: u32,
    pub derived_from: Option<i64>,
}

pub async fn id_of(conn: &mut SqliteConnection, sha256: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM images WHERE sha256 = ?").bind(sha256).fetch_optional(conn).await?)
}

pub async fn insert(conn: &mut SqliteConnection, image: &NewImage<'_>) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO images(sha256, kind, format, bytes, width, height, derived_from) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(image.sha256)
    .bind(image.kind.as_str())
    .bind(image.format)
    .bind(image.bytes)
    .bind(image.width)
    .bind(image.height)
    .bind(image.derived_from)
    .execute(conn)
    .await?
    .last_insert_rowid())
}

/// (sha256, kind) of every image record, for consistency checks.
pub async fn all(conn: &mut SqliteConnection) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as("SELECT sha256, kind FROM images").fetch_all(conn).await?)
}

/// Ids of those of `shas` already stored, in one query per thousand.
pub async fn ids_of(conn: &mut SqliteConnection, shas: &[&str]) -> Result<HashMap<String, i64>> {
    let mut found = HashMap::new();
    for chunk in shas.chunks(1000) {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT sha256, id FROM images WHERE sha256 IN (");
        let mut list = q.separated(", ");
        for sha in chunk {
            list.push_bind(*sha);
        }
        q.push(")");
        let rows: Vec<(String, i64)> = q.build_query_as().fetch_all(&mut *conn).await?;
        found.extend(rows);
    }
    Ok(found)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImageRow {
    pub id: i64,
    pub sha256: String,
    pub kind: String,
    pub format: String,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    pub derived_from: Option<i64>,
}

pub async fn by_sha(conn: &mut SqliteConnection, sha256: &str) -> Result<Option<ImageRow>> {
    Ok(sqlx::query_as(
        "SELECT id, sha256, kind, format, bytes, width, height, derived_from FROM images WHERE sha256 = ?",
    )
    .bind(sha256)
    .fetch_optional(conn)
    .await?)
}

/// The derived thumbnail of an image, if one was made.
pub async fn thumbnail_of(conn: &mut SqliteConnection, image: i64) -> Result<Option<ImageRow>> {
    Ok(sqlx::query_as(
        "SELECT id, sha256, kind, format, bytes, width, height, derived_from FROM images WHERE derived_from = ? AND kind = 'thumbnail'",
    )
    .bind(image)
    .fetch_optional(conn)
    .await?)
}
