//! Local retention (NASPLE 8.9.4, 9.5.1, 9.8): the rules of `policy::retention` applied to the
//! store, retention reviews (CPIA, MOPI) and what is due when. Each run is audited with counts.

use crate::audit::{self, Outcome, Record};
use crate::error::{Error, Result};
use crate::investigations::find;
use crate::policy::retention::{self as rules, CAPTURE_DAYS};
use crate::policy::roles::Privilege;
use crate::session::Session;
use crate::store::{self, retention as sql};
use crate::{SYSTEM_ACTOR, Workstation};
use anpr_types::{RetainRequest, RetentionBasis, RetentionDue, RetentionOutlook, RetentionRecord, RetentionReport};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use chrono_tz::Europe::London;
use serde_json::json;
use std::str::FromStr;

/// Days ahead the Retention screen lists.
const OUTLOOK_DAYS: i64 = 8;

impl Workstation {
    /// Applies the retention rules as of `as_of`, in one transaction audited as `user`; blob
    /// files of deleted images are removed after the commit (a crash in between leaves only
    /// unreferenced files, which the next run or import removes).
    pub(crate) async fn apply_retention(&self, user: &str, as_of: DateTime<Utc>) -> Result<RetentionReport> {
        let now = store::to_ms(as_of);
        let captured = store::to_ms(rules::captured_cutoff(as_of));
        let entered = store::to_ms(rules::entered_cutoff(as_of));
        let mut tx = store::begin_write(&self.pool).await?;
        // Files of images an earlier run deleted but was killed before removing (see below), and
        // of imports killed before their commit: deleted data leaves no copy behind (9.5.1).
        self.remove_orphan_blobs(&mut tx).await?;
        let images_after = Duration::days(CAPTURE_DAYS + 1).num_milliseconds();
        let twelve_month_rule = sql::delete_twelve_month(&mut tx, captured, images_after, now).await?;
        let seven_day_rule = sql::delete_seven_day(&mut tx, entered, now).await?;
        // Counted after the deletions: what the rules reached and retention kept.
        let kept = sql::kept_retained(&mut tx, captured, entered).await?;
        sql::delete_spent_corrections(&mut tx, captured, entered).await?;
        let shas = sql::delete_due_images(&mut tx, now).await?;
        let report = RetentionReport {
            as_of: as_of.to_rfc3339_opts(SecondsFormat::Millis, true),
            seven_day_rule,
            twelve_month_rule,
            images: shas.len() as u64,
            kept_retained: kept as u64,
        };
        let details = serde_json::to_value(&report).unwrap_or_default();
        sql::record_run(&mut tx, now, &details.to_string()).await?;
        let record = Record::new(user, "retention.run", "reads and images", Outcome::Success).details(details);
        audit::append(&mut tx, self.now(), record).await?;
        tx.commit().await?;
        for sha in &shas {
            self.blobs.remove(sha)?;
        }
        Ok(report)
    }

    /// The automatic run (at start and hourly), audited as the system.
    pub async fn run_retention(&self) -> Result<RetentionReport> {
        self.apply_retention(SYSTEM_ACTOR, self.now()).await
    }
}

impl Session {
    /// A run on demand (`anpr retention run [--now T]`), audited as this user. `as_of` lets a
    /// run be applied as of another time; it is recorded in the audit entry.
    pub async fn run_retention(&self, as_of: Option<DateTime<Utc>>) -> Result<RetentionReport> {
        let (now, username) = (self.now(), self.actor().username.clone());
        let as_of = as_of.unwrap_or(now);
        if let Err(refusal) = rules::may_run_as_of(self.actor().role, as_of, now) {
            return self.refuse("retention.run", "reads and images", refusal, json!({ "as_of": as_of })).await;
        }
        self.workstation().apply_retention(&username, as_of).await
    }

    /// A retention review (9.8): keeps reads under CPIA for an investigation, or after a MOPI
    /// review, with the reviewer and reason. Evidence officers only.
    pub async fn retain_reads(&self, request: &RetainRequest) -> Result<u64> {
        let object = request.investigation.as_deref().unwrap_or("MOPI review").to_owned();
        self.authorise(Privilege::Disclose, "retention.retain", &object).await?;
        if request.reason.trim().is_empty() {
            return Err(Error::Invalid("a reason is required for a retention review (NASPLE 9.8)".into()));
        }
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let investigation = match (request.basis, request.investigation.as_deref()) {
            (RetentionBasis::Cpia, Some(reference)) => Some(find(&mut tx, reference).await?.id),
            (RetentionBasis::Cpia, None) => {
                return Err(Error::Invalid("CPIA retention names the investigation the reads are relevant to".into()));
            }
            (RetentionBasis::Mopi, _) => None,
        };
        let visibility = self.visibility(&mut tx).await?;
        let mut added = 0;
        let mut read_ids = Vec::new();
        for &id in &request.reads {
            // Only reads this user may see can be retained by them (8.8).
            let read = store::reads::view(&mut tx, &visibility, id)
                .await?
                .ok_or_else(|| Error::NotFound(format!("read {id}")))?;
            let now = store::to_ms(self.now());
            let reason = request.reason.trim();
            if sql::retain(&mut tx, id, request.basis.as_str(), investigation, self.actor().id, reason, now).await? {
                added += 1;
            }
            read_ids.push(read.read_id);
        }
        let details = json!({ "basis": request.basis.as_str(), "reason": request.reason.trim(), "reads": read_ids, "added": added });
        self.audit(&mut tx, "retention.retain", &object, Outcome::Success, details).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// The Retention screen: the rules, what goes on each of the next days, retained reads.
    pub async fn retention_outlook(&self) -> Result<RetentionOutlook> {
        self.authorise(Privilege::Search, "retention.view", "retention").await?;
        let mut conn = self.workstation().pool.acquire().await?;
        let now = self.now();
        let mut due = Vec::new();
        // Day by UK calendar day; today's entry covers from now to the coming midnight.
        let mut start = now;
        for day in 0..OUTLOOK_DAYS {
            let local = start.with_timezone(&London).date_naive();
            let next = crate::time::parse(&(local + Duration::days(1)).format("%Y-%m-%d").to_string())
                .map_err(Error::Invalid)?;
            // Today's figures include anything already overdue.
            let window = |cutoff: fn(DateTime<Utc>) -> DateTime<Utc>| {
                (if day == 0 { i64::MIN } else { store::to_ms(cutoff(start)) }, store::to_ms(cutoff(next)))
            };
            let (seven, twelve) =
                sql::due_between(&mut conn, window(rules::entered_cutoff), window(rules::captured_cutoff)).await?;
            due.push(RetentionDue {
                date_uk: local.format("%d/%m/%Y").to_string(),
                seven_day_rule: seven as u64,
                twelve_month_rule: twelve as u64,
            });
            start = next;
        }
        let retained = sql::records(&mut conn, 500)
            .await?
            .into_iter()
            .map(|r| {
                Ok(RetentionRecord {
                    read_id: r.read_id,
                    vrm: r.vrm_as_read,
                    read_time_uk: crate::time::uk(store::from_ms(r.read_time)),
                    basis: RetentionBasis::from_str(&r.basis).map_err(Error::Invalid)?,
                    investigation: r.investigation,
                    reviewer: r.reviewer,
                    reason: r.reason,
                    time_uk: crate::time::uk(store::from_ms(r.at)),
                })
            })
            .collect::<Result<_>>()?;
        let last_run = sql::last_run(&mut conn).await?.and_then(|json| serde_json::from_str(&json).ok());
        Ok(RetentionOutlook { rules: rules::RULES.iter().map(|r| (*r).to_owned()).collect(), due, retained, last_run })
    }
}
