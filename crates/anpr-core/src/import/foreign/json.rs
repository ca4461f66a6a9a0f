//! Where the records of a JSON read file are, so each rejected record can be reported with
//! its line. serde_json parses values but does not say where they start; this walks the
//! structure (a response object, an array of them, JSON Lines, or a webhook payload wrapping
//! one in `data`) using serde_json for each value and keeps byte ranges.

use super::Format;
use serde::de::IgnoredAny;
use std::ops::Range;

type Walk<T> = Result<T, String>;

fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// The end of the JSON value starting at `at`.
fn value_end(bytes: &[u8], at: usize) -> Walk<usize> {
    let mut values = serde_json::Deserializer::from_slice(&bytes[at..]).into_iter::<IgnoredAny>();
    match values.next() {
        Some(Ok(_)) => Ok(at + values.byte_offset()),
        Some(Err(e)) => Err(format!("invalid JSON at line {}: {e}", super::line_of(bytes, at) + e.line() as u64 - 1)),
        None => Err("unexpected end of the JSON".into()),
    }
}

fn expect(bytes: &[u8], at: usize, what: u8) -> Walk<usize> {
    match bytes.get(at) {
        Some(&b) if b == what => Ok(at + 1),
        _ => Err(format!("invalid JSON at line {}: expected {:?}", super::line_of(bytes, at), what as char)),
    }
}

/// The ranges of the items of the array at `array`.
fn items(bytes: &[u8], array: &Range<usize>) -> Walk<Vec<Range<usize>>> {
    let mut found = Vec::new();
    let mut at = skip_ws(bytes, expect(bytes, array.start, b'[')?);
    if bytes.get(at) == Some(&b']') {
        return Ok(found);
    }
    loop {
        let end = value_end(bytes, at)?;
        found.push(at..end);
        at = skip_ws(bytes, end);
        match bytes.get(at) {
            Some(b',') => at = skip_ws(bytes, at + 1),
            _ => return expect(bytes, at, b']').map(|_| found),
        }
    }
}

/// The range of the value of `key` in the object at `object`, if it has one.
fn member(bytes: &[u8], object: &Range<usize>, key: &str) -> Walk<Option<Range<usize>>> {
    if bytes.get(object.start) != Some(&b'{') {
        return Ok(None);
    }
    let mut at = skip_ws(bytes, object.start + 1);
    while at < object.end && bytes.get(at) != Some(&b'}') {
        let key_end = value_end(bytes, at)?;
        let name: String = serde_json::from_slice(&bytes[at..key_end]).map_err(|e| format!("invalid JSON key: {e}"))?;
        let start = skip_ws(bytes, expect(bytes, skip_ws(bytes, key_end), b':')?);
        let end = value_end(bytes, start)?;
        if name == key {
            return Ok(Some(start..end));
        }
        at = skip_ws(bytes, end);
        if bytes.get(at) == Some(&b',') {
            at = skip_ws(bytes, at + 1);
        }
    }
    Ok(None)
}

/// The responses of a file: one object, an array of them, or one per line (JSON Lines).
/// A webhook payload (`{"hook": ..., "data": {...}}`) stands for its `data`.
pub(super) fn responses(bytes: &[u8]) -> Walk<Vec<Range<usize>>> {
    let mut tops = Vec::new();
    let mut at = skip_ws(bytes, 0);
    while at < bytes.len() {
        let end = value_end(bytes, at)?;
        tops.push(at..end);
        at = skip_ws(bytes, end);
    }
    if let [only] = tops.as_slice()
        && bytes[only.start] == b'['
    {
        tops = items(bytes, only)?;
    }
    tops.into_iter()
        .map(|r| match member(bytes, &r, "results")? {
            Some(_) => Ok(r),
            None => Ok(member(bytes, &r, "data")?.filter(|d| bytes[d.start] == b'{').unwrap_or(r)),
        })
        .collect()
}

/// The ranges of a response's `results` items (none when it has no `results` array).
pub(super) fn results(bytes: &[u8], response: &Range<usize>) -> Walk<Vec<Range<usize>>> {
    match member(bytes, response, "results")? {
        Some(r) if bytes[r.start] == b'[' => items(bytes, &r),
        _ => Ok(Vec::new()),
    }
}

/// OpenALPR or Plate Recognizer Snapshot, from the first response's fields and first result.
pub(super) fn detect(bytes: &[u8]) -> Walk<Option<Format>> {
    let Some(first) = responses(bytes)?.into_iter().next() else { return Ok(None) };
    let response: serde_json::Value = serde_json::from_slice(&bytes[first]).map_err(|e| e.to_string())?;
    let Some(results) = response.get("results").and_then(|r| r.as_array()) else { return Ok(None) };
    let result = results.first();
    let has = |v: Option<&serde_json::Value>, key: &str| v.is_some_and(|v| v.get(key).is_some());
    if response.get("data_type").and_then(|t| t.as_str()) == Some("alpr_results")
        || has(Some(&response), "epoch_time")
        || (has(result, "confidence") && has(result, "coordinates"))
    {
        Ok(Some(Format::OpenAlpr))
    } else if (has(result, "score") && has(result, "box"))
        || (result.is_none() && has(Some(&response), "timestamp") && has(Some(&response), "camera_id"))
    {
        Ok(Some(Format::PlateRecognizerSnapshot))
    } else {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_found_with_their_places() {
        let text = b"[\n {\"a\": [1, 2], \"results\": [\n  {\"plate\": \"A\"},\n  {\"plate\": \"B,]\"}\n ]},\n {\"results\": []}\n]";
        let responses = responses(text).unwrap();
        assert_eq!(responses.len(), 2);
        let results = results(text, &responses[0]).unwrap();
        let lines: Vec<u64> = results.iter().map(|r| super::super::line_of(text, r.start)).collect();
        assert_eq!(lines, [3, 4]);
        assert_eq!(&text[results[1].clone()], b"{\"plate\": \"B,]\"}");
        assert!(super::results(text, &responses[1]).unwrap().is_empty());
        // JSON Lines and a webhook payload
        let lines =
            b"{\"results\": [{\"plate\": \"A\"}]}\n{\"hook\": {}, \"data\": {\"results\": [{\"plate\": \"B\"}]}}\n";
        let found = super::responses(lines).unwrap();
        assert_eq!(super::results(lines, &found[1]).unwrap().len(), 1);
        assert!(super::responses(b"{\"results\": [}").is_err());
    }
}
