//! Looking at reads: overview, browser, detail and images, with restricted cameras (8.8)
//! never leaving the core for an ungranted user.
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::Error;
use common::*;

async fn store_with_reads() -> (Store, Vec<u8>, Vec<u8>, Vec<u8>) {
    let s = store().await;
    let plate = jpeg(1, 260, 56);
    let overview = png(2, 480, 270);
    let secret_plate = jpeg(3, 260, 56);
    let b = Bundle::new(s.dir.path(), "reads");
    b.cameras(&[
        "CAM1,High St,static,52.1,-1.2,Ashbury,AB1 2CD,High Street,Northshire Constabulary,false,1,true",
        "COV1,Covert 1,covert,52.3,-1.1,Ashbury,,,Northshire Constabulary,true,1,true",
    ])
    .file("images/p1.jpg", &plate)
    .file("images/o1.png", &overview)
    .file("images/secret.jpg", &secret_plate)
    .reads(&[
        "R1,AB12CDE,2026-11-19T10:00:00Z,CAM1,,,1,towards,90,images/p1.jpg,images/o1.png",
        "R2,-,2026-11-19T11:00:00Z,CAM1,,,1,away,,,",
        "R3,XY51ABC,2026-07-01T12:00:00Z,CAM1,,,1,away,80,,",
        "S1,SECRET1,2026-11-19T12:00:00Z,COV1,,,1,away,95,images/secret.jpg,",
    ]);
    s.import(&b.dir).await.unwrap();
    (s, plate, overview, secret_plate)
}

#[tokio::test]
async fn the_browser_lists_visible_reads_newest_first_and_hides_restricted_cameras_8_8() {
    let (s, ..) = store_with_reads().await;
    let session = s.login("demo.investigator").await;
    let page = session.browse_reads(0, 100).await.unwrap();
    assert_eq!(page.total, 3, "the covert camera's read is not counted");
    let ids: Vec<&str> = page.reads.iter().map(|r| r.read_id.as_str()).collect();
    assert_eq!(ids, ["R2", "R1", "R3"]);
    assert!(page.reads[0].not_read && page.reads[0].vrm.is_empty());
    assert_eq!(page.reads[1].read_time_uk, "19/11/2026 10:00:00 GMT");
    assert_eq!(page.reads[2].read_time_uk, "01/07/2026 13:00:00 BST", "UK local time with daylight saving (7.4.3)");
    assert_eq!(page.reads[1].general_area, "Ashbury");
    let second = session.browse_reads(1, 1).await.unwrap();
    assert_eq!(second.reads.len(), 1);
    assert_eq!(second.reads[0].read_id, "R1");
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit WHERE action = 'reads.browse'")
        .fetch_one(s.ws.pool())
        .await
        .unwrap();
    assert_eq!(audited, 1, "opening the browser is audited once, not every page");
}

#[tokio::test]
async fn a_read_detail_has_its_images_and_provenance_and_is_audited() {
    let (s, plate, overview, _) = store_with_reads().await;
    let session = s.login("demo.investigator").await;
    let page = session.browse_reads(0, 10).await.unwrap();
    let r1 = page.reads.iter().find(|r| r.read_id == "R1").unwrap();
    let detail = session.read_detail(r1.id).await.unwrap();
    let plate_info = detail.plate.unwrap();
    assert_eq!((plate_info.sha256.as_str(), plate_info.width, plate_info.height), (sha256(&plate).as_str(), 260, 56));
    assert_eq!(detail.overview.unwrap().sha256, sha256(&overview));
    assert_eq!(detail.provenance.by, "demo.investigator");
    assert_eq!(detail.provenance.reads_accepted, 4);
    assert_eq!((detail.latitude, detail.longitude), (52.1, -1.2));
    let r3 = page.reads.iter().find(|r| r.read_id == "R3").unwrap();
    assert!(session.read_detail(r3.id).await.unwrap().overview.is_none(), "no overview image recorded");
    let views: i64 = sqlx::query_scalar("SELECT count(*) FROM audit WHERE action = 'read.view'")
        .fetch_one(s.ws.pool())
        .await
        .unwrap();
    assert_eq!(views, 2);
}

#[tokio::test]
async fn images_are_served_verified_and_only_when_a_visible_read_shows_them() {
    let (s, plate, overview, secret) = store_with_reads().await;
    let session = s.login("demo.investigator").await;
    let (bytes, mime) = session.image(&sha256(&plate), false).await.unwrap();
    assert_eq!((bytes, mime), (plate, "image/jpeg"));
    let (bytes, mime) = session.image(&sha256(&overview), false).await.unwrap();
    assert_eq!((bytes, mime), (overview.clone(), "image/png"));
    let (thumb, mime) = session.image(&sha256(&overview), true).await.unwrap();
    assert_eq!(mime, "image/jpeg");
    assert!(image::load_from_memory(&thumb).unwrap().width() <= 320);
    // The covert camera's plate patch does not leave the core (8.8), and says no more than "not found".
    assert!(matches!(session.image(&sha256(&secret), false).await, Err(Error::NotFound(_))));
    assert!(matches!(session.image("../../etc/passwd", false).await, Err(Error::NotFound(_))));
    // A restricted read's detail is equally not found.
    let id: i64 = sqlx::query_scalar("SELECT id FROM reads WHERE read_id = 'S1'").fetch_one(s.ws.pool()).await.unwrap();
    assert!(matches!(session.read_detail(id).await, Err(Error::NotFound(_))));
}

#[tokio::test]
async fn administrators_and_auditors_see_no_reads_9_3_2() {
    let (s, plate, ..) = store_with_reads().await;
    for user in ["demo.admin", "demo.auditor"] {
        let session = s.login(user).await;
        assert!(matches!(session.browse_reads(0, 10).await, Err(Error::Refused(_))), "{user}");
        assert!(matches!(session.image(&sha256(&plate), false).await, Err(Error::Refused(_))), "{user}");
        let overview = session.overview().await.unwrap();
        assert_eq!((overview.reads, overview.first_read_uk), (0, None), "{user}");
    }
    let Err(Error::Refused(refusal)) = s.login("demo.admin").await.browse_reads(0, 1).await else { panic!() };
    assert_eq!(refusal.clause, "9.3.2");
}

#[tokio::test]
async fn the_overview_counts_what_the_user_may_see() {
    let (s, ..) = store_with_reads().await;
    let overview = s.login("demo.investigator").await.overview().await.unwrap();
    assert_eq!((overview.reads, overview.not_read, overview.cameras), (3, 1, 2));
    assert_eq!(overview.first_read_uk.as_deref(), Some("01/07/2026 13:00:00 BST"));
    assert_eq!(overview.recent_imports.len(), 1);
    assert_eq!(overview.user.username, "demo.investigator");
    assert!(overview.user.can.iter().any(|c| c.contains("search")));
    // Nothing is yet older than 12 months or entered over 7 days ago.
    assert_eq!((overview.retention.older_than_12_months, overview.retention.entered_over_7_days_ago), (0, 0));
    s.clock.advance(chrono::Duration::days(8));
    let later = s.login("demo.investigator").await.overview().await.unwrap();
    assert_eq!(later.retention.entered_over_7_days_ago, 4, "the 7-day local retention rule (9.8) counts every read");
}
