//! SQL of evidence: consents, packages, exhibits and disclosures.

use crate::error::Result;
use sqlx::SqliteConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsentRow {
    pub reference: String,
    pub camera_id: String,
    pub controller: String,
    pub consented_by: String,
    pub consent_date: i64,
    pub scope: String,
    pub max_level: String,
    pub recorded_by: String,
    pub recorded_at: i64,
}

const SELECT_CONSENT: &str = "SELECT k.reference, c.camera_id, k.controller, k.consented_by, k.consent_date, k.scope,
        k.max_level, u.username AS recorded_by, k.recorded_at
    FROM consents k JOIN cameras c ON c.id = k.camera JOIN users u ON u.id = k.recorded_by";

pub async fn consents(conn: &mut SqliteConnection) -> Result<Vec<ConsentRow>> {
    Ok(sqlx::query_as(&format!("{SELECT_CONSENT} ORDER BY k.recorded_at DESC, k.id DESC")).fetch_all(conn).await?)
}

pub async fn consent(conn: &mut SqliteConnection, reference: &str) -> Result<Option<ConsentRow>> {
    Ok(sqlx::query_as(&format!("{SELECT_CONSENT} WHERE k.reference = ?")).bind(reference).fetch_optional(conn).await?)
}

/// A camera's consents, most permissive first.
pub async fn consents_of(conn: &mut SqliteConnection, camera_id: &str) -> Result<Vec<ConsentRow>> {
    Ok(sqlx::query_as(&format!("{SELECT_CONSENT} WHERE c.camera_id = ? ORDER BY k.id DESC"))
        .bind(camera_id)
        .fetch_all(conn)
        .await?)
}

#[derive(Debug)]
pub struct NewConsentRow<'a> {
    pub reference: &'a str,
    pub camera: i64,
    pub controller: &'a str,
    pub consented_by: &'a str,
    pub consent_date: i64,
    pub scope: &'a str,
    pub max_level: &'a str,
    pub recorded_by: i64,
    pub recorded_at: i64,
}

/// Records a consent unless its reference is taken; returns whether it was new.
pub async fn insert_consent(conn: &mut SqliteConnection, k: &NewConsentRow<'_>) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO consents(reference, camera, controller, consented_by, consent_date, scope, max_level, recorded_by,
                              recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(reference) DO NOTHING",
    )
    .bind(k.reference)
    .bind(k.camera)
    .bind(k.controller)
    .bind(k.consented_by)
    .bind(k.consent_date)
    .bind(k.scope)
    .bind(k.max_level)
    .bind(k.recorded_by)
    .bind(k.recorded_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PackageRow {
    pub id: i64,
    pub investigation_id: i64,
    pub investigation: String,
    pub category: String,
    pub number: String,
    pub status: String,
    pub created_by: String,
    pub created_at: i64,
}

const SELECT_PACKAGE: &str =
    "SELECT p.id, p.investigation AS investigation_id, i.reference AS investigation, i.category,
        p.number, p.status, u.username AS created_by, p.created_at
    FROM packages p JOIN investigations i ON i.id = p.investigation JOIN users u ON u.id = p.created_by";

pub async fn packages(conn: &mut SqliteConnection) -> Result<Vec<PackageRow>> {
    Ok(sqlx::query_as(&format!("{SELECT_PACKAGE} ORDER BY p.id DESC")).fetch_all(conn).await?)
}

pub async fn package(conn: &mut SqliteConnection, id: i64) -> Result<Option<PackageRow>> {
    Ok(sqlx::query_as(&format!("{SELECT_PACKAGE} WHERE p.id = ?")).bind(id).fetch_optional(conn).await?)
}

/// A new draft package numbered `<investigation>/B<n>`; returns its id.
pub async fn insert_package(
    conn: &mut SqliteConnection,
    investigation: i64,
    reference: &str,
    by: i64,
    at: i64,
) -> Result<i64> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) + 1 FROM packages WHERE investigation = ?")
        .bind(investigation)
        .fetch_one(&mut *conn)
        .await?;
    Ok(sqlx::query_scalar(
        "INSERT INTO packages(investigation, number, created_by, created_at) VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(investigation)
    .bind(format!("{reference}/B{n}"))
    .bind(by)
    .bind(at)
    .fetch_one(conn)
    .await?)
}

pub async fn set_issued(conn: &mut SqliteConnection, id: i64) -> Result<()> {
    sqlx::query("UPDATE packages SET status = 'issued' WHERE id = ?").bind(id).execute(conn).await?;
    Ok(())
}

/// The package's exhibits' read ids, in order.
pub async fn exhibit_reads(conn: &mut SqliteConnection, package: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT read FROM exhibits WHERE package = ? ORDER BY position, id")
        .bind(package)
        .fetch_all(conn)
        .await?)
}

/// Replaces the package's exhibits with `reads`, in that order.
pub async fn set_exhibits(conn: &mut SqliteConnection, package: i64, reads: &[i64]) -> Result<()> {
    sqlx::query("DELETE FROM exhibits WHERE package = ?").bind(package).execute(&mut *conn).await?;
    for (position, read) in reads.iter().enumerate() {
        sqlx::query("INSERT INTO exhibits(package, read, position) VALUES (?, ?, ?)")
            .bind(package)
            .bind(read)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[derive(Debug)]
pub struct NewDisclosure<'a> {
    pub package: i64,
    pub disclosed_by: i64,
    pub recipient: &'a str,
    pub reason: &'a str,
    pub authority: Option<&'a str>,
    pub level: &'a str,
    pub exhibits: i64,
    pub at: i64,
    pub manifest_sha256: &'a str,
    pub out_dir: &'a str,
}

/// Records a disclosure; its reference (`DISC-0001`, ...) comes from its row id.
pub async fn insert_disclosure(conn: &mut SqliteConnection, d: &NewDisclosure<'_>) -> Result<String> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO disclosures(reference, package, disclosed_by, recipient, reason, authority, level, exhibits, at,
                                 manifest_sha256, out_dir)
         VALUES ('pending-' || hex(randomblob(8)), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(d.package)
    .bind(d.disclosed_by)
    .bind(d.recipient)
    .bind(d.reason)
    .bind(d.authority)
    .bind(d.level)
    .bind(d.exhibits)
    .bind(d.at)
    .bind(d.manifest_sha256)
    .bind(d.out_dir)
    .fetch_one(&mut *conn)
    .await?;
    let reference = format!("DISC-{id:04}");
    sqlx::query("UPDATE disclosures SET reference = ? WHERE id = ?").bind(&reference).bind(id).execute(conn).await?;
    Ok(reference)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DisclosureRow {
    pub reference: String,
    pub investigation: String,
    pub package: String,
    pub disclosed_by: String,
    pub recipient: String,
    pub reason: String,
    pub authority: Option<String>,
    pub level: String,
    pub exhibits: i64,
    pub at: i64,
    pub manifest_sha256: String,
    pub out_dir: String,
}

pub async fn disclosures(conn: &mut SqliteConnection) -> Result<Vec<DisclosureRow>> {
    Ok(sqlx::query_as(
        "SELECT d.reference, i.reference AS investigation, p.number AS package, u.username AS disclosed_by, d.recipient,
                d.reason, d.authority, d.level, d.exhibits, d.at, d.manifest_sha256, d.out_dir
         FROM disclosures d JOIN packages p ON p.id = d.package JOIN investigations i ON i.id = p.investigation
         JOIN users u ON u.id = d.disclosed_by ORDER BY d.id DESC",
    )
    .fetch_all(conn)
    .await?)
}
