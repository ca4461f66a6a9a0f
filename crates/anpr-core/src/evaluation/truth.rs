//! `truth.csv`: the engineer's ground truth from the video (evaluation.md, Inputs 1), and the
//! read log, which is the bundle's `reads.csv` parsed by the importer's own row parser.

use super::{EvaluationError, RowProblem};
use crate::import::csv_reader;
use crate::import::rows::{self, Columns, ReadFields, ReadRow};
use anpr_types::Condition;
use std::collections::HashMap;

pub const TRUTH_COLUMNS: &[&str] = &["vehicle", "time", "lane", "vrm", "visible", "condition"];
/// `lane` and `condition` may be left out; `vrm` must be there but may be empty (unreadable).
pub const TRUTH_REQUIRED: &[&str] = &["vehicle", "time", "vrm", "visible"];

/// One vehicle that passed through the camera's field of view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthVehicle {
    pub vehicle: u64,
    /// UTC milliseconds on the video's clock.
    pub time_ms: i64,
    /// `None` when not given: then any read's lane agrees with it.
    pub lane: Option<u32>,
    /// Normalised (uppercase, no spaces); `None` when the human could not read it.
    pub vrm: Option<String>,
    pub visible: bool,
    pub condition: Option<Condition>,
}

fn header(bytes: &[u8], file: &str, known: &[&'static str], required: &[&str]) -> Result<Columns, EvaluationError> {
    let header = csv_reader(bytes)
        .headers()
        .map_err(|e| EvaluationError::Header { file: file.to_owned(), reason: e.to_string() })?
        .clone();
    Columns::from_header(&header, known, required)
        .map_err(|columns| EvaluationError::MissingColumns { file: file.to_owned(), columns })
}

/// Every row typed, or every bad row with its line number (the header is line 1).
fn rows_of<T>(
    bytes: &[u8],
    file: &str,
    parse: impl Fn(&csv::StringRecord) -> Result<T, String>,
) -> Result<Vec<(u64, T)>, EvaluationError> {
    let mut good = Vec::new();
    let mut problems = Vec::new();
    for record in csv_reader(bytes).records() {
        let (line, parsed) = match record {
            Ok(r) => (r.position().map_or(0, |p| p.line()), parse(&r)),
            Err(e) => (e.position().map_or(0, |p| p.line()), Err(format!("unreadable CSV row: {e}"))),
        };
        match parsed {
            Ok(row) => good.push((line, row)),
            Err(reason) => problems.push(RowProblem { line, reason }),
        }
    }
    if problems.is_empty() { Ok(good) } else { Err(EvaluationError::Rows { file: file.to_owned(), problems }) }
}

fn truth_row(columns: &Columns, record: &csv::StringRecord) -> Result<TruthVehicle, String> {
    let required = |c: &str| columns.get(record, c).ok_or_else(|| format!("{c} is missing"));
    let vehicle = required("vehicle")?;
    let vehicle = vehicle
        .parse::<u64>()
        .ok()
        .filter(|v| *v >= 1)
        .ok_or_else(|| format!("vehicle must be a whole number from 1, not {vehicle:?}"))?;
    let time = required("time")?;
    let time = chrono::DateTime::parse_from_rfc3339(time)
        .map_err(|_| format!("time is not an RFC 3339 time with offset: {time:?}"))?;
    let lane = match columns.get(record, "lane") {
        None => None,
        Some(l) => Some(
            l.parse::<u32>().ok().filter(|l| *l >= 1).ok_or_else(|| format!("lane must be 1 or more, not {l:?}"))?,
        ),
    };
    let visible = match required("visible")?.to_ascii_lowercase().as_str() {
        "true" => true,
        "false" => false,
        other => return Err(format!("visible must be true or false, not {other:?}")),
    };
    let condition =
        columns.get(record, "condition").map(|c| c.to_ascii_lowercase().parse::<Condition>()).transpose()?;
    Ok(TruthVehicle {
        vehicle,
        time_ms: time.timestamp_millis(),
        lane,
        vrm: columns.get(record, "vrm").and_then(crate::vrm::normalise),
        visible,
        condition,
    })
}

/// Parses `truth.csv`; `file` names it in errors. Vehicle numbers must be unique.
pub fn parse_truth(bytes: &[u8], file: &str) -> Result<Vec<TruthVehicle>, EvaluationError> {
    let columns = header(bytes, file, TRUTH_COLUMNS, TRUTH_REQUIRED)?;
    let rows = rows_of(bytes, file, |r| truth_row(&columns, r))?;
    let mut first_line = HashMap::new();
    let mut problems = Vec::new();
    for (line, row) in &rows {
        match first_line.get(&row.vehicle) {
            Some(earlier) => problems
                .push(RowProblem { line: *line, reason: format!("vehicle {} is also on line {earlier}", row.vehicle) }),
            None => {
                first_line.insert(row.vehicle, *line);
            }
        }
    }
    if !problems.is_empty() {
        return Err(EvaluationError::Rows { file: file.to_owned(), problems });
    }
    if rows.is_empty() {
        return Err(EvaluationError::NoVehicles { file: file.to_owned() });
    }
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}

/// Parses a read log in the bundle's `reads.csv` format (every camera's reads); `file` names
/// it in errors.
pub fn parse_reads(bytes: &[u8], file: &str) -> Result<Vec<ReadRow>, EvaluationError> {
    let columns = header(bytes, file, rows::READ_COLUMNS, rows::READ_REQUIRED)?;
    let fields = ReadFields::new(&columns);
    Ok(rows_of(bytes, file, |r| rows::read(&fields, r))?.into_iter().map(|(_, row)| row).collect())
}
