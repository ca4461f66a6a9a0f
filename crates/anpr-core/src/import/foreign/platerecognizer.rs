//! Plate Recognizer: Snapshot API responses (JSON, a `results` array per image) and the CSV
//! Stream writes per camera (docs/foreign-formats.md).

use super::openalpr::identifier;
use super::{Builder, ForeignRead, Lines, json, parse_time};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
struct Response {
    timestamp: Option<String>,
    camera_id: Option<Value>,
    /// The image the response is about: kept as the reads' overview when it lies beside the file.
    filename: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Plate {
    plate: String,
    /// 0..1.
    score: Option<f64>,
    timestamp: Option<String>,
    camera_id: Option<Value>,
}

pub(super) fn parse_snapshot(bytes: &[u8], out: &mut Builder) -> Result<(), String> {
    let lines = Lines::new(bytes);
    for response in json::responses(bytes)? {
        let head = match serde_json::from_slice::<Response>(&bytes[response.clone()]) {
            Ok(head) => head,
            Err(e) => {
                out.reject(lines.of(response.start), format!("response is not a Snapshot result: {e}"));
                continue;
            }
        };
        let overview = head.filename.as_deref().map(str::trim).filter(|f| !f.is_empty());
        for (index, result) in json::results(bytes, &response)?.into_iter().enumerate() {
            let line = lines.of(result.start);
            let read = serde_json::from_slice::<Plate>(&bytes[result])
                .map_err(|e| format!("result {} is not a Snapshot plate result: {e}", index + 1))
                .and_then(|plate| {
                    let time = plate.timestamp.as_deref().or(head.timestamp.as_deref()).ok_or("no timestamp")?;
                    let camera = identifier(plate.camera_id.as_ref()).or_else(|| identifier(head.camera_id.as_ref()));
                    Ok(ForeignRead {
                        plate: plate.plate,
                        time_ms: parse_time(time)?,
                        camera_id: camera.unwrap_or_default(),
                        confidence: plate.score.map(|s| s * 100.0),
                        overview_image: overview.map(str::to_owned),
                        ..Default::default()
                    })
                });
            out.read(line, read, index);
        }
    }
    Ok(())
}

const STREAM_REQUIRED: &[&str] = &["timestamp", "plate", "score"];

fn header(bytes: &[u8]) -> Option<Vec<String>> {
    let header = super::super::csv_reader(bytes).headers().ok()?.clone();
    Some(header.iter().map(|h| h.trim().to_ascii_lowercase()).collect())
}

/// Stream's CSV has `timestamp`, `plate`, `score`, and `file` or `dscore` among its columns.
pub(super) fn detect_stream(bytes: &[u8]) -> bool {
    header(bytes).is_some_and(|h| {
        let has = |c: &str| h.iter().any(|x| x == c);
        STREAM_REQUIRED.iter().all(|c| has(c)) && (has("file") || has("dscore"))
    })
}

/// The camera of a Stream screenshot path, `/<camera>_screenshots/...`.
fn camera_of_file(file: &str) -> Option<&str> {
    let first = file.trim().trim_start_matches('/').split(['/', '\\']).next()?;
    first.strip_suffix("_screenshots").filter(|c| !c.is_empty())
}

pub(super) fn parse_stream(bytes: &[u8], out: &mut Builder) -> Result<(), String> {
    let columns = header(bytes).ok_or("unreadable CSV header")?;
    let at = |name: &str| columns.iter().position(|c| c == name);
    let (time_at, plate_at, score_at) = (at("timestamp"), at("plate"), at("score"));
    let (file_at, camera_at) = (at("file"), at("camera_id"));
    for record in super::super::csv_reader(bytes).records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.reject(e.position().map_or(0, |p| p.line()), format!("unreadable CSV row: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).filter(|f| !f.is_empty());
        let file = field(file_at);
        let read = (|| {
            let time = parse_time(field(time_at).ok_or("timestamp is missing")?)?;
            let score = field(score_at).map(|s| s.parse::<f64>().map_err(|_| format!("score is not a number: {s:?}")));
            let camera = field(camera_at).or_else(|| file.and_then(camera_of_file));
            Ok(ForeignRead {
                plate: field(plate_at).unwrap_or("").to_owned(),
                time_ms: time,
                camera_id: camera.unwrap_or("").to_owned(),
                confidence: score.transpose()?.map(|s| s * 100.0),
                overview_image: file.map(str::to_owned),
                ..Default::default()
            })
        })();
        out.read(line, read, 0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_camera_of_a_screenshot() {
        assert_eq!(super::camera_of_file("/camera-1_screenshots/21-10-27/06-20-43.970337.jpg"), Some("camera-1"));
        assert_eq!(super::camera_of_file("shots/x.jpg"), None);
    }
}
