//! Genetec AutoVu XML read export: one element per read holding `Plate`, `UTCDate`,
//! `UTCTime`, `CameraName`, `ContextImage`, `PlateImage` (base64), `LongitudeX`, `LatitudeY`
//! and optionally `Guid`, `SourceName`, `ConfidenceScore` (docs/foreign-formats.md). A file
//! may hold one read (`<AutoVu>` as the root, as a Sharp sends it) or many under any root.

use super::{Builder, ForeignRead, Lines, line_of};
use quick_xml::events::Event;
use std::collections::HashMap;

/// An element being read: its children's text by name.
#[derive(Debug)]
struct Open {
    name: String,
    start: usize,
    fields: HashMap<String, String>,
    text: String,
}

/// A read element's fields (child name -> text) and the line it starts on.
type Record = (u64, HashMap<String, String>);

/// Every element that has a `Plate` child.
fn records(bytes: &[u8]) -> Result<Vec<Record>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut found = Vec::new();
    let lines = Lines::new(bytes);
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| format!("invalid XML at line {}: {e}", line_of(bytes, reader.error_position() as usize)))?;
        match event {
            Event::Start(e) => stack.push(Open {
                name: e.local_name().into_inner().to_owned(),
                start,
                fields: HashMap::new(),
                text: String::new(),
            }),
            Event::Empty(e) => {
                if let Some(parent) = stack.last_mut() {
                    parent.fields.insert(e.local_name().into_inner().to_owned(), String::new());
                }
            }
            Event::Text(t) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                        .ok_or_else(|| format!("unknown entity &{};", r.xml10_content()))?
                        .to_owned(),
                };
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&resolved);
                }
            }
            Event::End(_) => {
                let Some(open) = stack.pop() else { continue };
                if open.fields.contains_key("Plate") {
                    found.push((lines.of(open.start), open.fields));
                } else if let Some(parent) = stack.last_mut() {
                    parent.fields.insert(open.name, open.text.trim().to_owned());
                }
            }
            Event::Eof => return Ok(found),
            _ => {}
        }
    }
}

/// Whether the first read-like element has the AutoVu date and time fields.
pub(super) fn detect(bytes: &[u8]) -> Result<bool, String> {
    let records = records(bytes)?;
    Ok(records.first().is_some_and(|(_, f)| f.contains_key("UTCDate") && f.contains_key("UTCTime")))
}

/// `UTCDate` (year, month, day with `-`, `/`, `:` or `.` between) and `UTCTime`
/// (`HH:mm:ss[.fff]`), both UTC.
fn time(date: &str, time: &str) -> Result<i64, String> {
    let date = date.trim().replace(['/', ':', '.'], "-");
    let date =
        chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|_| format!("UTCDate is not a date: {date:?}"))?;
    let time = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M:%S%.f")
        .map_err(|_| format!("UTCTime is not a time: {:?}", time.trim()))?;
    Ok(date.and_time(time).and_utc().timestamp_millis())
}

fn number(fields: &HashMap<String, String>, name: &str) -> Result<Option<f64>, String> {
    match fields.get(name).map(|v| v.trim().trim_end_matches('%')).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| format!("{name} is not a number: {v:?}")),
    }
}

/// A `PlateImage` or `ContextImage`: base64 image data, or the name of an image file beside
/// the export.
fn image(out: &mut Builder, record: usize, fields: &HashMap<String, String>, name: &str) -> Option<String> {
    let value = fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())?;
    let lower = value.to_ascii_lowercase();
    if [".jpg", ".jpeg", ".png"].iter().any(|ext| lower.ends_with(ext)) {
        return Some(value.to_owned());
    }
    Some(out.embed(format!("#record{record}/{name}"), value))
}

pub(super) fn parse(bytes: &[u8], out: &mut Builder) -> Result<(), String> {
    for (index, (line, fields)) in records(bytes)?.into_iter().enumerate() {
        let record = index + 1;
        let get = |name: &str| fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let read = (|| {
            let time = time(get("UTCDate").ok_or("UTCDate is missing")?, get("UTCTime").ok_or("UTCTime is missing")?)?;
            let camera = get("CameraName").ok_or("CameraName is missing")?.to_owned();
            // A read without a GPS fix is written as 0,0 (or empty): no position.
            let position = match (number(&fields, "LatitudeY")?, number(&fields, "LongitudeX")?) {
                (Some(lat), Some(lon)) if (lat, lon) != (0.0, 0.0) => Some((lat, lon)),
                _ => None,
            };
            let plate_image = image(out, record, &fields, "PlateImage");
            let overview_image = image(out, record, &fields, "ContextImage");
            if let Some(position) = position {
                super::check_position(position.0, position.1)?;
                let name = match get("SourceName") {
                    Some(source) => format!("{source} {camera}"),
                    None => camera.clone(),
                };
                out.camera(&camera, &name, position, plate_image.is_some() || overview_image.is_some());
            }
            Ok(ForeignRead {
                source_id: get("Guid").map(str::to_owned),
                plate: get("Plate").unwrap_or("").to_owned(),
                time_ms: time,
                camera_id: camera,
                position,
                confidence: number(&fields, "ConfidenceScore")?,
                plate_image,
                overview_image,
            })
        })()
        .map_err(|e: String| format!("record {record}: {e}"));
        out.read(line, read, 0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_as_the_templates_write_them() {
        let t = super::time("2026:11:19", "17:04:31.250").unwrap();
        assert_eq!(super::time("2026-11-19", "17:04:31.25").unwrap(), t);
        assert_eq!(t, chrono::DateTime::parse_from_rfc3339("2026-11-19T17:04:31.250Z").unwrap().timestamp_millis());
        assert!(super::time("19/11/2026", "17:04").is_err());
    }
}
