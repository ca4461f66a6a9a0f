//! Investigations (Annex B), their escalation (9.10.4) and the queue of written authorities
//! that Annex C requires for some searches. Every change is audited in its own transaction.

use crate::audit::Outcome;
use crate::error::{Error, Result};
use crate::policy::Refusal;
use crate::policy::access::{self, AccessRequest, WrittenAuthority};
use crate::policy::escalation;
use crate::policy::roles::Privilege;
use crate::session::Session;
use crate::store::{self, investigations as sql};
use anpr_types::{
    AccessDecision, Authority, AuthorityRequest, Category, Escalation, EscalationFactors, EscalationRequest,
    ExtensionReason, Investigation, NewInvestigation, Offence, Purpose, Rank,
};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;
use sqlx::SqliteConnection;
use std::str::FromStr;

fn parse<T: FromStr<Err = String>>(text: &str) -> Result<T> {
    T::from_str(text).map_err(Error::Invalid)
}

fn uk(ms: i64) -> String {
    crate::time::uk(store::from_ms(ms))
}

fn required(field: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() { Err(Error::Invalid(format!("{field} is required"))) } else { Ok(()) }
}

/// A period as typed (see [`crate::time::parse`]).
pub(crate) fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    crate::time::parse(text).map_err(Error::Invalid)
}

/// The Annex C answer without searching (`anpr access check`, the desktop's check): for a
/// search citing an authority of `authority` rank (and reason), or, for the CPS, the written
/// request it rests on. Times as typed (see [`crate::time::parse`]).
pub fn check_access(
    purpose: Purpose,
    category: Category,
    period: (&str, &str),
    authority: Option<(Rank, Option<ExtensionReason>)>,
    now: DateTime<Utc>,
) -> Result<AccessDecision> {
    let request = AccessRequest {
        purpose,
        category,
        from: parse_time(period.0)?,
        to: parse_time(period.1)?,
        authority: authority.map(|(rank, reason)| WrittenAuthority { rank, reason }),
        written_request: true,
        cpia_retained: false,
    };
    Ok(match access::authorise(&request, now) {
        Ok(grant) => {
            AccessDecision { allowed: true, clause: grant.clause.to_owned(), reason: grant.basis, needs: None }
        }
        Err(Refusal { clause, reason, needs }) => AccessDecision { allowed: false, clause, reason, needs },
    })
}

/// The Annex B offence lists, for the offence picker.
pub fn offences() -> Vec<Offence> {
    let list = |names: &[&str], category: Category| -> Vec<Offence> {
        names.iter().map(|n| Offence { name: (*n).to_owned(), category }).collect()
    };
    [
        list(escalation::PRIORITY_VOLUME, Category::PriorityVolume),
        list(escalation::SERIOUS, Category::Serious),
        list(escalation::MAJOR, Category::Major),
        list(&[escalation::NATIONAL_SECURITY], Category::NationalSecurity),
        list(&[escalation::COUNTER_TERRORISM], Category::CounterTerrorism),
    ]
    .concat()
}

pub(crate) async fn investigation_view(
    conn: &mut SqliteConnection,
    row: sql::InvestigationRow,
) -> Result<Investigation> {
    let escalations = sql::escalations(conn, row.id)
        .await?
        .into_iter()
        .map(|e| {
            Ok(Escalation {
                from: parse(&e.from_category)?,
                to: parse(&e.to_category)?,
                authorised_by: e.authorised_by,
                rank: parse(&e.rank)?,
                reasons: e.reasons,
                factors: EscalationFactors {
                    community: e.factor_community,
                    offence: e.factor_offence,
                    offender: e.factor_offender,
                },
                time_uk: uk(e.at),
            })
        })
        .collect::<Result<_>>()?;
    Ok(Investigation {
        reference: row.reference,
        title: row.title,
        offence: row.offence,
        category: parse(&row.category)?,
        status: row.status,
        sio: row.sio,
        notes: row.notes,
        created_by: row.created_by,
        created_uk: uk(row.created_at),
        escalations,
    })
}

pub(crate) async fn find(conn: &mut SqliteConnection, reference: &str) -> Result<sql::InvestigationRow> {
    sql::by_reference(conn, reference.trim())
        .await?
        .ok_or_else(|| Error::NotFound(format!("investigation {reference}")))
}

async fn load(conn: &mut SqliteConnection, reference: &str) -> Result<Investigation> {
    let row = find(conn, reference).await?;
    investigation_view(conn, row).await
}

fn authority_view(a: sql::AuthorityRow) -> Result<Authority> {
    let rfc = |ms: i64| store::from_ms(ms).to_rfc3339_opts(SecondsFormat::Secs, true);
    Ok(Authority {
        reference: a.reference,
        investigation: a.investigation,
        category: parse(&a.category)?,
        purpose: parse(&a.purpose)?,
        from: rfc(a.period_from),
        to: rfc(a.period_to),
        from_uk: uk(a.period_from),
        to_uk: uk(a.period_to),
        reason_code: a.reason_code.as_deref().map(parse).transpose()?,
        reason: a.reason,
        requested_by: a.requested_by,
        requested_uk: uk(a.requested_at),
        status: a.status,
        decided_by: a.decided_by,
        decided_rank: a.decided_rank.as_deref().map(parse).transpose()?,
        decided_uk: a.decided_at.map(uk),
        note: a.note,
    })
}

impl Session {
    /// Refuses in the audit trail too, in one transaction with nothing else.
    pub(crate) async fn refuse<T>(
        &self,
        action: &str,
        object: &str,
        refusal: Refusal,
        details: serde_json::Value,
    ) -> Result<T> {
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let details = json!({ "clause": refusal.clause, "reason": refusal.reason, "request": details });
        self.audit(&mut tx, action, object, Outcome::Refused, details).await?;
        tx.commit().await?;
        Err(Error::Refused(refusal))
    }

    pub async fn list_investigations(&self) -> Result<Vec<Investigation>> {
        self.authorise(Privilege::Search, "investigation.list", "investigations").await?;
        let mut conn = self.workstation().pool.acquire().await?;
        let mut out = Vec::new();
        for row in sql::all(&mut conn).await? {
            out.push(investigation_view(&mut conn, row).await?);
        }
        Ok(out)
    }

    pub async fn create_investigation(&self, request: &NewInvestigation) -> Result<Investigation> {
        let reference = request.reference.trim();
        self.authorise(Privilege::Search, "investigation.create", reference).await?;
        for (field, text) in
            [("reference", reference), ("title", &request.title), ("offence", &request.offence), ("SIO", &request.sio)]
        {
            required(field, text)?;
        }
        let category = escalation::category_of(&request.offence);
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let row = sql::NewInvestigationRow {
            reference,
            title: request.title.trim(),
            offence: request.offence.trim(),
            category: category.as_str(),
            sio: request.sio.trim(),
            notes: request.notes.trim(),
            created_by: self.actor().id,
            created_at: store::to_ms(self.now()),
        };
        if !sql::insert(&mut tx, &row).await? {
            return Err(Error::Invalid(format!("an investigation with reference {reference} already exists")));
        }
        self.audit(
            &mut tx,
            "investigation.create",
            reference,
            Outcome::Success,
            json!({ "title": row.title, "offence": row.offence, "category": category.as_str(), "sio": row.sio }),
        )
        .await?;
        let view = load(&mut tx, reference).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Escalates on the authority of the logged-in (ranked) account (Annex B, 9.10.4).
    pub async fn escalate_investigation(&self, request: &EscalationRequest) -> Result<Investigation> {
        let reference = request.reference.trim();
        self.authorise(Privilege::Search, "investigation.escalate", reference).await?;
        let mut conn = self.workstation().pool.acquire().await?;
        let row = find(&mut conn, reference).await?;
        drop(conn);
        let current: Category = parse(&row.category)?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let history: Vec<Category> =
            sql::escalations(&mut tx, row.id).await?.iter().map(|e| parse(&e.from_category)).collect::<Result<_>>()?;
        let rank = self.actor().rank;
        let details = json!({ "from": current.as_str(), "to": request.to.as_str(), "rank": rank.as_str(),
            "reasons": request.reasons, "factors": { "community": request.factors.community,
            "offence": request.factors.offence, "offender": request.factors.offender } });
        if let Err(refusal) = escalation::check(current, &history, request.to, rank, &request.reasons, &request.factors)
        {
            drop(tx);
            return self.refuse("investigation.escalate", reference, refusal, details).await;
        }
        let escalation = sql::NewEscalation {
            investigation: row.id,
            from: current.as_str(),
            to: request.to.as_str(),
            authorised_by: self.actor().id,
            rank: rank.as_str(),
            reasons: request.reasons.trim(),
            factors: &request.factors,
            at: store::to_ms(self.now()),
        };
        sql::insert_escalation(&mut tx, &escalation).await?;
        sql::set_category(&mut tx, row.id, request.to.as_str()).await?;
        self.audit(&mut tx, "investigation.escalate", reference, Outcome::Success, details).await?;
        let view = load(&mut tx, reference).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Closes or reopens an investigation; a closed one cannot be searched for.
    pub async fn set_investigation_open(&self, reference: &str, open: bool) -> Result<Investigation> {
        let action = if open { "investigation.reopen" } else { "investigation.close" };
        self.authorise(Privilege::Search, action, reference).await?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let row = find(&mut tx, reference).await?;
        sql::set_status(&mut tx, row.id, if open { "open" } else { "closed" }).await?;
        self.audit(&mut tx, action, &row.reference, Outcome::Success, serde_json::Value::Null).await?;
        let view = load(&mut tx, reference).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// An investigator asks for the written authority Annex C requires (Inspector for Priority
    /// and Volume over 90 days, Superintendent for Code of Ethics research).
    pub async fn request_authority(&self, request: &AuthorityRequest) -> Result<Authority> {
        let reference = request.investigation.trim();
        self.authorise(Privilege::Search, "authority.request", reference).await?;
        required("reason", &request.reason)?;
        let (from, to) = (parse_time(&request.from)?, parse_time(&request.to)?);
        if from > to {
            return Err(Error::Invalid("the period ends before it starts".into()));
        }
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let row = find(&mut tx, reference).await?;
        let category: Category = parse(&row.category)?;
        if access::authority_rank(request.purpose, category).is_none() {
            return Err(Error::Invalid(format!(
                "Annex C needs no written authority for {} in a {} investigation",
                request.purpose.label().to_lowercase(),
                category.label()
            )));
        }
        if request.purpose != Purpose::CodeOfEthics && request.reason_code.is_none() {
            return Err(Error::Invalid(
                "a Priority and Volume search over 90 days needs reason (a), (b) or (c) (Annex C)".into(),
            ));
        }
        let new = sql::NewAuthority {
            investigation: row.id,
            purpose: request.purpose.as_str(),
            period_from: store::to_ms(from),
            period_to: store::to_ms(to),
            reason_code: request.reason_code.map(ExtensionReason::as_str),
            reason: request.reason.trim(),
            requested_by: self.actor().id,
            requested_at: store::to_ms(self.now()),
        };
        let auth_ref = sql::insert_authority(&mut tx, &new).await?;
        let details = json!({ "investigation": row.reference, "purpose": new.purpose, "from": request.from,
            "to": request.to, "reason_code": new.reason_code, "reason": new.reason });
        self.audit(&mut tx, "authority.request", &auth_ref, Outcome::Success, details).await?;
        let view = authority_view(sql::authority(&mut tx, &auth_ref).await?.ok_or_else(|| Error::NotFound(auth_ref))?)?;
        tx.commit().await?;
        Ok(view)
    }

    /// Ranked accounts see every request; others see their own.
    pub async fn list_authorities(&self) -> Result<Vec<Authority>> {
        self.authorise(Privilege::Search, "authority.list", "authorities").await?;
        let mut conn = self.workstation().pool.acquire().await?;
        let mine = (self.actor().rank == Rank::None).then_some(self.actor().id);
        sql::authorities(&mut conn, mine).await?.into_iter().map(authority_view).collect()
    }

    /// An Inspector or Superintendent approves or declines a pending request with a written note.
    pub async fn decide_authority(&self, reference: &str, approve: bool, note: &str) -> Result<Authority> {
        let action = if approve { "authority.approve" } else { "authority.decline" };
        self.authorise(Privilege::Search, action, reference).await?;
        required("a written note", note)?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let row = sql::authority(&mut tx, reference.trim())
            .await?
            .ok_or_else(|| Error::NotFound(format!("authority {reference}")))?;
        if row.status != "pending" {
            return Err(Error::Invalid(format!("{reference} was already {}", row.status)));
        }
        let needed = access::authority_rank(parse(&row.purpose)?, parse(&row.category)?).unwrap_or(Rank::Inspector);
        let rank = self.actor().rank;
        let refusal = if rank < needed {
            Some(Refusal::new(
                "Annex C",
                format!("this authority must be given by an officer of at least {needed} rank; you are {rank}"),
                Some(format!("a decision by an account of {needed} rank or above")),
            ))
        } else if row.requested_by_id == self.actor().id {
            Some(Refusal::new(
                "Annex C",
                "a written authority is given by someone other than the person who asked for it",
                Some(format!("a decision by another officer of {needed} rank or above")),
            ))
        } else {
            None
        };
        if let Some(refusal) = refusal {
            drop(tx);
            return self.refuse(action, reference, refusal, json!({ "note": note })).await;
        }
        let status = if approve { "approved" } else { "declined" };
        sql::decide_authority(
            &mut tx,
            row.id,
            status,
            self.actor().id,
            rank.as_str(),
            store::to_ms(self.now()),
            note.trim(),
        )
        .await?;
        let details = json!({ "investigation": row.investigation, "rank": rank.as_str(), "note": note.trim() });
        self.audit(&mut tx, action, &row.reference, Outcome::Success, details).await?;
        let view = authority_view(
            sql::authority(&mut tx, &row.reference).await?.ok_or_else(|| Error::NotFound(row.reference))?,
        )?;
        tx.commit().await?;
        Ok(view)
    }

    /// The written authority a search cites: approved, for this investigation and purpose, and
    /// covering the period searched.
    pub(crate) async fn authority_for(
        &self,
        conn: &mut SqliteConnection,
        reference: &str,
        investigation: i64,
        purpose: Purpose,
        period: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<std::result::Result<(WrittenAuthority, sql::AuthorityRow), Refusal>> {
        let Some(row) = sql::authority(conn, reference.trim()).await? else {
            return Ok(Err(Refusal::new(
                "Annex C",
                format!("there is no authority {reference}"),
                Some("the reference of an approved authority".into()),
            )));
        };
        let (from, to) = (store::from_ms(row.period_from), store::from_ms(row.period_to));
        let problem = if row.status != "approved" {
            Some(format!("authority {reference} is {}", row.status))
        } else if row.investigation_id != investigation {
            Some(format!("authority {reference} was given for investigation {}", row.investigation))
        } else if parse::<Purpose>(&row.purpose)? != purpose
            && !(purpose == Purpose::Evidence && row.purpose == "investigation")
        {
            Some(format!("authority {reference} was given for the purpose {}", row.purpose))
        } else if period.0 < from || period.1 > to {
            Some(format!(
                "authority {reference} covers {} to {}, not the period searched",
                uk(row.period_from),
                uk(row.period_to)
            ))
        } else {
            None
        };
        if let Some(reason) = problem {
            return Ok(Err(Refusal::new(
                "Annex C",
                reason,
                Some("a period and purpose within an approved authority for this investigation".into()),
            )));
        }
        let written = WrittenAuthority {
            rank: parse(row.decided_rank.as_deref().unwrap_or("none"))?,
            reason: row.reason_code.as_deref().map(parse).transpose()?,
        };
        Ok(Ok((written, row)))
    }
}
