//! SQL of investigations, their escalations and the written authorities searches rely on.

use crate::error::Result;
use sqlx::SqliteConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvestigationRow {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub offence: String,
    pub category: String,
    pub status: String,
    pub sio: String,
    pub notes: String,
    pub created_by: String,
    pub created_at: i64,
}

const SELECT: &str = "SELECT i.id, i.reference, i.title, i.offence, i.category, i.status, i.sio, i.notes,
        u.username AS created_by, i.created_at
    FROM investigations i JOIN users u ON u.id = i.created_by";

pub async fn all(conn: &mut SqliteConnection) -> Result<Vec<InvestigationRow>> {
    Ok(sqlx::query_as(&format!("{SELECT} ORDER BY i.created_at DESC, i.id DESC")).fetch_all(conn).await?)
}

pub async fn by_reference(conn: &mut SqliteConnection, reference: &str) -> Result<Option<InvestigationRow>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE i.reference = ?")).bind(reference).fetch_optional(conn).await?)
}

#[derive(Debug)]
pub struct NewInvestigationRow<'a> {
    pub reference: &'a str,
    pub title: &'a str,
    pub offence: &'a str,
    pub category: &'a str,
    pub sio: &'a str,
    pub notes: &'a str,
    pub created_by: i64,
    pub created_at: i64,
}

/// Inserts unless the reference is taken; returns whether it was.
pub async fn insert(conn: &mut SqliteConnection, i: &NewInvestigationRow<'_>) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO investigations(reference, title, offence, category, sio, notes, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(reference) DO NOTHING",
    )
    .bind(i.reference)
    .bind(i.title)
    .bind(i.offence)
    .bind(i.category)
    .bind(i.sio)
    .bind(i.notes)
    .bind(i.created_by)
    .bind(i.created_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_category(conn: &mut SqliteConnection, id: i64, category: &str) -> Result<()> {
    sqlx::query("UPDATE investigations SET category = ? WHERE id = ?").bind(category).bind(id).execute(conn).await?;
    Ok(())
}

pub async fn set_status(conn: &mut SqliteConnection, id: i64, status: &str) -> Result<()> {
    sqlx::query("UPDATE investigations SET status = ? WHERE id = ?").bind(status).bind(id).execute(conn).await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EscalationRow {
    pub from_category: String,
    pub to_category: String,
    pub authorised_by: String,
    pub rank: String,
    pub reasons: String,
    pub factor_community: String,
    pub factor_offence: String,
    pub factor_offender: String,
    pub at: i64,
}

/// An investigation's escalations, oldest first.
pub async fn escalations(conn: &mut SqliteConnection, investigation: i64) -> Result<Vec<EscalationRow>> {
    Ok(sqlx::query_as(
        "SELECT e.from_category, e.to_category, u.username AS authorised_by, e.rank, e.reasons, e.factor_community,
                e.factor_offence, e.factor_offender, e.at
         FROM escalations e JOIN users u ON u.id = e.authorised_by WHERE e.investigation = ? ORDER BY e.id",
    )
    .bind(investigation)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug)]
pub struct NewEscalation<'a> {
    pub investigation: i64,
    pub from: &'a str,
    pub to: &'a str,
    pub authorised_by: i64,
    pub rank: &'a str,
    pub reasons: &'a str,
    pub factors: &'a anpr_types::EscalationFactors,
    pub at: i64,
}

pub async fn insert_escalation(conn: &mut SqliteConnection, e: &NewEscalation<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO escalations(investigation, from_category, to_category, authorised_by, rank, reasons,
                                 factor_community, factor_offence, factor_offender, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(e.investigation)
    .bind(e.from)
    .bind(e.to)
    .bind(e.authorised_by)
    .bind(e.rank)
    .bind(e.reasons)
    .bind(&e.factors.community)
    .bind(&e.factors.offence)
    .bind(&e.factors.offender)
    .bind(e.at)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuthorityRow {
    pub id: i64,
    pub reference: String,
    pub investigation_id: i64,
    pub investigation: String,
    pub category: String,
    pub purpose: String,
    pub period_from: i64,
    pub period_to: i64,
    pub reason_code: Option<String>,
    pub reason: String,
    pub requested_by_id: i64,
    pub requested_by: String,
    pub requested_at: i64,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_rank: Option<String>,
    pub decided_at: Option<i64>,
    pub note: Option<String>,
}

const SELECT_AUTHORITY: &str = "SELECT a.id, a.reference, a.investigation AS investigation_id,
        i.reference AS investigation, i.category, a.purpose, a.period_from, a.period_to, a.reason_code, a.reason,
        a.requested_by AS requested_by_id, r.username AS requested_by, a.requested_at, a.status,
        d.username AS decided_by, a.decided_rank, a.decided_at, a.note
    FROM authorities a JOIN investigations i ON i.id = a.investigation JOIN users r ON r.id = a.requested_by
    LEFT JOIN users d ON d.id = a.decided_by";

/// Pending first, then newest first; `requested_by` narrows to one account's requests.
pub async fn authorities(conn: &mut SqliteConnection, requested_by: Option<i64>) -> Result<Vec<AuthorityRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT_AUTHORITY} WHERE ?1 IS NULL OR a.requested_by = ?1
         ORDER BY a.status = 'pending' DESC, a.requested_at DESC, a.id DESC"
    ))
    .bind(requested_by)
    .fetch_all(conn)
    .await?)
}

pub async fn authority(conn: &mut SqliteConnection, reference: &str) -> Result<Option<AuthorityRow>> {
    Ok(sqlx::query_as(&format!("{SELECT_AUTHORITY} WHERE a.reference = ?"))
        .bind(reference)
        .fetch_optional(conn)
        .await?)
}

#[derive(Debug)]
pub struct NewAuthority<'a> {
    pub investigation: i64,
    pub purpose: &'a str,
    pub period_from: i64,
    pub period_to: i64,
    pub reason_code: Option<&'a str>,
    pub reason: &'a str,
    pub requested_by: i64,
    pub requested_at: i64,
}

/// Inserts a pending request; its reference (`AUTH-0001`, ...) comes from its row id.
pub async fn insert_authority(conn: &mut SqliteConnection, a: &NewAuthority<'_>) -> Result<String> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO authorities(reference, investigation, purpose, period_from, period_to, reason_code, reason,
                                 requested_by, requested_at)
         VALUES ('pending-' || hex(randomblob(8)), ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(a.investigation)
    .bind(a.purpose)
    .bind(a.period_from)
    .bind(a.period_to)
    .bind(a.reason_code)
    .bind(a.reason)
    .bind(a.requested_by)
    .bind(a.requested_at)
    .fetch_one(&mut *conn)
    .await?;
    let reference = format!("AUTH-{id:04}");
    sqlx::query("UPDATE authorities SET reference = ? WHERE id = ?").bind(&reference).bind(id).execute(conn).await?;
    Ok(reference)
}

pub async fn decide_authority(
    conn: &mut SqliteConnection,
    id: i64,
    status: &str,
    decided_by: i64,
    rank: &str,
    at: i64,
    note: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE authorities SET status = ?, decided_by = ?, decided_rank = ?, decided_at = ?, note = ? WHERE id = ?",
    )
    .bind(status)
    .bind(decided_by)
    .bind(rank)
    .bind(at)
    .bind(note)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
