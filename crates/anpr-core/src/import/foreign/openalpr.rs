//! OpenALPR / Rekor JSON results: the `alpr_results` responses of the OpenALPR agent and
//! recognition API, one object per frame with a `results` array (docs/foreign-formats.md).

use super::{Builder, ForeignRead, Lines, json};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
struct Response {
    /// Milliseconds since the Unix epoch, UTC.
    epoch_time: Option<f64>,
    camera_id: Option<Value>,
    uuid: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Plate {
    plate: String,
    /// Per cent.
    confidence: Option<f64>,
}

/// A camera or site identifier, which OpenALPR writes as a number or a string.
pub(super) fn identifier(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn parse(bytes: &[u8], out: &mut Builder) -> Result<(), String> {
    let lines = Lines::new(bytes);
    for response in json::responses(bytes)? {
        let line = lines.of(response.start);
        let head = match serde_json::from_slice::<Response>(&bytes[response.clone()]) {
            Ok(head) => head,
            Err(e) => {
                out.reject(line, format!("response is not an OpenALPR result: {e}"));
                continue;
            }
        };
        for (index, result) in json::results(bytes, &response)?.into_iter().enumerate() {
            let line = lines.of(result.start);
            let read = serde_json::from_slice::<Plate>(&bytes[result])
                .map_err(|e| format!("result {} is not an OpenALPR plate result: {e}", index + 1))
                .and_then(|plate| {
                    let time = head.epoch_time.ok_or("the response has no epoch_time")?;
                    Ok(ForeignRead {
                        source_id: head.uuid.as_ref().map(|uuid| format!("{uuid}:{index}")),
                        plate: plate.plate,
                        time_ms: time.round() as i64,
                        camera_id: identifier(head.camera_id.as_ref()).unwrap_or_default(),
                        confidence: plate.confidence,
                        ..Default::default()
                    })
                });
            out.read(line, read, index);
        }
    }
    Ok(())
}
