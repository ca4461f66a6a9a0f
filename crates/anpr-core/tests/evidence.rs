//! Page previews of an evidence package (issue 6 item 7) at core level: every page of the
//! bundle and of the schedule rendered as an image from the same bytes issuing writes, so the
//! page count matches poppler's count of the issued PDFs; a preview above a camera's consent is
//! refused with the clause (9.4.3.3); previews need the disclose privilege, disclose nothing
//! and are audited.
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::types::{IssueRequest, LocationLevel, NewInvestigation};
use anpr_core::{Error, Session};
use common::*;
use std::path::Path;
use std::process::Command;

fn request(package: i64, level: LocationLevel, out_dir: &Path) -> IssueRequest {
    IssueRequest {
        package,
        level,
        camera_levels: Vec::new(),
        consent_ref: None,
        recipient: String::new(),
        reason: String::new(),
        authority: None,
        out_dir: out_dir.display().to_string(),
    }
}

fn pdf_pages(path: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(path).output().expect("pdfinfo runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count")
}

/// Share of the page's pixels that are dark (text, rules, pictures): a blank page has none.
fn ink(png: &[u8]) -> (u32, u32, f64) {
    let page = image::load_from_memory(png).expect("a preview page is a PNG").to_luma8();
    let dark = page.pixels().filter(|p| p.0[0] < 128).count();
    (page.width(), page.height(), dark as f64 / f64::from(page.width() * page.height()))
}

async fn audit_outcomes(s: &Store, action: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT user, outcome FROM audit WHERE action = ? ORDER BY seq")
        .bind(action)
        .fetch_all(s.ws.pool())
        .await
        .unwrap()
}

/// A package of `n` reads with plate patches and overviews, made by the evidence officer.
async fn package(s: &Store, n: usize) -> (Session, i64) {
    let bundle = Bundle::new(s.dir.path(), "bundle");
    bundle.standard_cameras();
    let mut rows = Vec::new();
    for i in 0..n {
        let (plate, overview) = (format!("images/p{i}.jpg"), format!("images/o{i}.jpg"));
        bundle.file(&plate, &jpeg(i as u8, 260, 56)).file(&overview, &jpeg(100 + i as u8, 640, 360));
        rows.push(format!("R{i},NK{i:02}ABC,2026-11-19T1{}:00:00Z,CAM1,,,1,towards,90,{plate},{overview}", i % 10));
    }
    bundle.reads(&rows.iter().map(String::as_str).collect::<Vec<_>>());
    s.import(&bundle.dir).await.unwrap();
    let evidence = s.login("demo.evidence").await;
    evidence
        .create_investigation(&NewInvestigation {
            reference: "OP-PREVIEW".into(),
            title: "Preview".into(),
            offence: "Arson".into(),
            sio: "DI Example".into(),
            notes: String::new(),
        })
        .await
        .unwrap();
    let package = evidence.create_package("OP-PREVIEW").await.unwrap();
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM reads ORDER BY read_time").fetch_all(s.ws.pool()).await.unwrap();
    evidence.set_exhibits(package.id, &ids).await.unwrap();
    (evidence, package.id)
}

#[tokio::test]
async fn preview_pages_are_the_issued_pages_rendered() {
    let s = store().await;
    let (evidence, id) = package(&s, 5).await;
    let out = s.dir.path().join("issued");

    let preview = evidence.preview_package(&request(id, LocationLevel::Area, &out)).await.unwrap();
    assert_eq!(preview.exhibits, 5);
    assert_eq!(s.count("disclosures").await, 0, "a preview discloses nothing");
    assert!(!out.exists(), "a preview writes nothing");

    let mut issue = request(id, LocationLevel::Area, &out);
    issue.recipient = "CPS Northshire".into();
    issue.reason = "Prosecution file".into();
    evidence.issue_package(&issue).await.unwrap();
    assert_eq!(preview.bundle.len(), pdf_pages(&out.join("bundle.pdf")));
    assert_eq!(preview.schedule.len(), pdf_pages(&out.join("sensitive-schedule.pdf")));
    assert!(preview.bundle.len() > 5, "front sheet and one page per exhibit at least");

    for (n, page) in preview.bundle.iter().chain(&preview.schedule).enumerate() {
        let (width, height, ink) = ink(page);
        // A4 at 1.5 pixels per point.
        assert_eq!((width, height), (892, 1262), "page {n}");
        assert!(ink > 0.002, "page {n} is blank ({ink})");
    }
    // An exhibit page carries its plate patch and overview: far more ink than a text-only page.
    let exhibit_page = ink(&preview.bundle[2]).2;
    let front_sheet = ink(&preview.bundle[0]).2;
    assert!(exhibit_page > 3.0 * front_sheet, "exhibit {exhibit_page} vs front sheet {front_sheet}");

    assert_eq!(audit_outcomes(&s, "evidence.preview").await, vec![("demo.evidence".into(), "success".into())]);
}

#[tokio::test]
async fn previews_are_refused_above_consent_and_without_the_privilege() {
    let s = store().await;
    let (evidence, id) = package(&s, 1).await;
    let out = s.dir.path().join("unused");

    // The road of a static camera needs its controller's consent (9.4.3.3).
    match evidence.preview_package(&request(id, LocationLevel::Road, &out)).await {
        Err(Error::Refused(refusal)) => assert!(refusal.clause.contains("9.4.3"), "{refusal:?}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let investigator = s.login("demo.investigator").await;
    assert!(matches!(
        investigator.preview_package(&request(id, LocationLevel::Area, &out)).await,
        Err(Error::Refused(_))
    ));
    assert_eq!(
        audit_outcomes(&s, "evidence.preview").await,
        vec![("demo.evidence".into(), "refused".into()), ("demo.investigator".into(), "refused".into())]
    );
}
