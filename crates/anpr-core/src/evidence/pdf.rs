//! The PDF writers for the evidential bundle and the schedule of sensitive material (issue 6,
//! NASPLE 9.4). They lay out what [`super::document`] already decided and decide nothing; the
//! page furniture (A4, OFFICIAL-SENSITIVE at top and bottom, page numbers, embedded fonts,
//! lossless pictures) is [`crate::pdf`]'s.

use super::document::{Bundle, Exhibit, Picture, Schedule, SensitiveCamera};
use crate::pdf::{BODY_SIZE, Face, Writer, info, save};
use chrono::{DateTime, NaiveDateTime};
use printpdf::PdfDocument;

pub use crate::pdf::PdfError;

/// Seconds since 1970 of `24/11/2026 06:59:12 GMT` (or `BST`), as `crate::time::uk` writes,
/// or of an RFC 3339 time.
fn unix_time(text: &str) -> Result<i64, PdfError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(t.timestamp());
    }
    let text = text.trim();
    let (local, zone) = text.rsplit_once(' ').ok_or_else(|| PdfError::Time(text.to_owned()))?;
    let offset = match zone {
        "GMT" | "UTC" => 0,
        "BST" => 3600,
        _ => return Err(PdfError::Time(text.to_owned())),
    };
    let naive =
        NaiveDateTime::parse_from_str(local, "%d/%m/%Y %H:%M:%S").map_err(|_| PdfError::Time(text.to_owned()))?;
    Ok(naive.and_utc().timestamp() - offset)
}

fn none_if_empty(text: &str) -> &str {
    if text.trim().is_empty() { "not recorded" } else { text }
}

/// The evidential bundle (`bundle.pdf`).
pub fn bundle_pdf(bundle: &Bundle) -> Result<Vec<u8>, PdfError> {
    let title = "Evidential bundle: ANPR reads";
    let mut doc = PdfDocument::new(title);
    info(
        &mut doc,
        &format!("{title} {} ({})", bundle.bundle_number, bundle.investigation),
        &format!("Evidential bundle {} for {}", bundle.bundle_number, bundle.investigation),
        &bundle.producer,
        &bundle.software,
        unix_time(&bundle.generated_utc)?,
    )?;
    let mut w = Writer::new(&mut doc)?;

    w.bookmark("Front sheet");
    w.heading(18.0, title);
    w.gap(6.0);
    for (label, value) in [
        ("Investigation", bundle.investigation.as_str()),
        ("Bundle number", &bundle.bundle_number),
        ("Producer", &bundle.producer),
        ("Authorisation (NASPLE 9.4.2)", &bundle.producer_authorisation),
        ("Recipient", &bundle.recipient),
        ("Reason", &bundle.reason),
        ("Generated (UK)", &bundle.generated_uk),
        ("Generated (UTC)", &bundle.generated_utc),
        ("Software", &bundle.software),
        ("Exhibits", &bundle.exhibits.len().to_string()),
    ] {
        w.field(label, none_if_empty(value));
    }
    w.gap(10.0);
    w.paragraph(
        Face::Regular,
        BODY_SIZE,
        0.0,
        "The pictures in this bundle are reproductions. The original image files are supplied beside \
         this document in originals/, each identified by its SHA-256; the package manifest lists the \
         SHA-256 of every file. Camera locations are described only as precisely as each camera's \
         controller has consented to (NASPLE 9.4.3.3).",
    );

    w.new_page();
    w.bookmark("Scope statement");
    w.heading(15.0, "Scope statement");
    w.paragraph(Face::Regular, BODY_SIZE, 0.0, "The searches that found the reads exhibited in this bundle:");
    w.gap(6.0);
    if bundle.scope.is_empty() {
        w.paragraph(Face::Regular, BODY_SIZE, 0.0, "No search is recorded for these reads.");
    }
    for (n, scope) in bundle.scope.iter().enumerate() {
        w.ensure(Writer::leading(11.0) * 6.0);
        w.paragraph(Face::Bold, 11.0, 0.0, &format!("Search {}", n + 1));
        for (label, value) in [
            ("Pattern", scope.pattern.as_str()),
            ("Period", &scope.period),
            ("Cameras", &scope.cameras),
            ("Purpose", &scope.purpose),
            ("Authority", &scope.authority),
        ] {
            w.field(label, none_if_empty(value));
        }
        w.gap(8.0);
    }

    for exhibit in &bundle.exhibits {
        exhibit_section(&mut w, exhibit)?;
    }

    w.new_page();
    w.bookmark("Continuity");
    w.heading(15.0, "Continuity");
    w.paragraph(Face::Regular, BODY_SIZE, 0.0, "How each exhibited read came into this workstation:");
    w.gap(6.0);
    for exhibit in &bundle.exhibits {
        let lead = Writer::leading(BODY_SIZE);
        w.ensure(lead * 3.0);
        w.paragraph(Face::Bold, BODY_SIZE, 0.0, &format!("{} ({})", exhibit.reference, exhibit.vrm));
        w.paragraph(Face::Regular, 9.0, 12.0, none_if_empty(&exhibit.continuity));
        w.gap(5.0);
    }
    w.finish()?;
    Ok(save(&doc))
}

/// A picture with its caption saying it is a reproduction of which original.
fn picture(w: &mut Writer<'_>, label: &str, picture: &Picture, max_height: f32) -> Result<(), PdfError> {
    let caption = format!(
        "{label}: reproduction; original supplied as {}, SHA-256 {}, {}x{}",
        picture.file, picture.sha256, picture.width, picture.height
    );
    w.image(&picture.bytes, &picture.file, max_height, &caption)
}

fn exhibit_section(w: &mut Writer<'_>, exhibit: &Exhibit) -> Result<(), PdfError> {
    w.new_page();
    w.bookmark(&format!("Exhibit {} ({})", exhibit.reference, exhibit.vrm));
    w.heading(15.0, &format!("Exhibit {}", exhibit.reference));
    let location = match &exhibit.consent {
        Some(consent) => format!("{} ({}; {consent})", exhibit.location, exhibit.location_level),
        None => format!("{} ({})", exhibit.location, exhibit.location_level),
    };
    let lane = exhibit.lane.map_or_else(|| "not recorded".to_owned(), |l| l.to_string());
    for (label, value) in [
        ("VRM", exhibit.vrm.as_str()),
        ("Date and time (UK)", &exhibit.time_uk),
        ("Date and time (UTC)", &exhibit.time_utc),
        ("Location", &location),
        ("Direction", exhibit.direction.as_deref().unwrap_or("not recorded")),
        ("Lane", &lane),
    ] {
        w.field(label, none_if_empty(value));
    }
    w.gap(8.0);
    w.paragraph(Face::Bold, BODY_SIZE, 0.0, "Plate patch");
    match &exhibit.plate {
        Some(plate) => picture(w, "Plate patch", plate, 90.0)?,
        None => {
            w.paragraph(Face::Regular, BODY_SIZE, 0.0, "no plate patch recorded");
            w.gap(6.0);
        }
    }
    w.paragraph(Face::Bold, BODY_SIZE, 0.0, "Overview image");
    match &exhibit.overview {
        Some(overview) => picture(w, "Overview image", overview, 300.0)?,
        None => w.paragraph(Face::Regular, BODY_SIZE, 0.0, "no overview image recorded"),
    }
    Ok(())
}

/// The schedule of sensitive material (`sensitive-schedule.pdf`, NASPLE 9.4.1).
pub fn schedule_pdf(schedule: &Schedule) -> Result<Vec<u8>, PdfError> {
    let title = "Schedule of sensitive material (NASPLE 9.4.1)";
    let mut doc = PdfDocument::new(title);
    info(
        &mut doc,
        &format!("{title}: {} ({})", schedule.bundle_number, schedule.investigation),
        &format!("Sensitive material behind evidential bundle {}, for the prosecutor", schedule.bundle_number),
        &schedule.producer,
        &schedule.software,
        unix_time(&schedule.generated_uk)?,
    )?;
    let mut w = Writer::new(&mut doc)?;
    w.bookmark("Schedule");
    w.heading(17.0, title);
    w.gap(4.0);
    w.paragraph(
        Face::Bold,
        BODY_SIZE,
        0.0,
        "For the prosecutor only. This schedule is not to be disclosed, and is never to be merged into \
         the evidential bundle: it records camera identities, precise locations, methodology and tactics \
         (NASPLE 9.4.1, 9.4.3).",
    );
    w.gap(8.0);
    for (label, value) in [
        ("Investigation", schedule.investigation.as_str()),
        ("Bundle number", &schedule.bundle_number),
        ("Producer", &schedule.producer),
        ("Generated (UK)", &schedule.generated_uk),
        ("Software", &schedule.software),
    ] {
        w.field(label, none_if_empty(value));
    }

    w.new_page();
    w.bookmark("Cameras");
    w.heading(15.0, "Cameras");
    if schedule.cameras.is_empty() {
        w.paragraph(Face::Regular, BODY_SIZE, 0.0, "No camera is named by the bundle.");
    }
    for camera in &schedule.cameras {
        camera_entry(&mut w, camera);
    }

    w.new_page();
    w.bookmark("Methodology and tactics");
    w.heading(15.0, "Methodology and tactics");
    if schedule.notes.is_empty() {
        w.paragraph(Face::Regular, BODY_SIZE, 0.0, "No methodology or tactics notes.");
    }
    for (n, (note, reason)) in schedule.notes.iter().enumerate() {
        w.ensure(Writer::leading(BODY_SIZE) * 4.0);
        w.paragraph(Face::Bold, BODY_SIZE, 0.0, &format!("Note {}", n + 1));
        w.paragraph(Face::Regular, BODY_SIZE, 12.0, note);
        w.paragraph(Face::Regular, 9.0, 12.0, &format!("Sensitive because: {reason}"));
        w.gap(6.0);
    }
    w.finish()?;
    Ok(save(&doc))
}

fn camera_entry(w: &mut Writer<'_>, camera: &SensitiveCamera) {
    // Keep an entry together where it fits on a page.
    w.ensure(Writer::leading(BODY_SIZE) * 13.0);
    w.paragraph(Face::Bold, 11.5, 0.0, &format!("{} ({})", camera.camera_id, camera.name));
    let position = format!("{:.6}, {:.6}", camera.latitude, camera.longitude);
    let mut exhibits: Vec<&str> = Vec::new();
    for e in &camera.exhibits {
        if !exhibits.contains(&e.as_str()) {
            exhibits.push(e);
        }
    }
    let exhibits = exhibits.join(", ");
    for (label, value) in [
        ("Camera identity", camera.camera_id.as_str()),
        ("Type", &camera.system_type),
        ("Latitude, longitude", &position),
        ("Road", &camera.road),
        ("Postcode", &camera.postcode),
        ("General area", &camera.general_area),
        ("Controller", &camera.controller),
        ("Exhibits", &exhibits),
        ("Reason for sensitivity", &camera.reason),
    ] {
        w.field(label, none_if_empty(value));
    }
    w.gap(10.0);
}
