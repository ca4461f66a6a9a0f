//! A bundle's reads.csv and cameras.csv, row by row, as the importer parses them.
#![no_main]

use anpr_core::import::{csv_reader, rows};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // reads.csv: the importer's header check and row parser (shared with the evaluation's read log).
    let _ = anpr_core::evaluation::parse_reads(data, "reads.csv");
    // cameras.csv
    let mut reader = csv_reader(data);
    let Ok(header) = reader.headers().cloned() else { return };
    let Ok(columns) = rows::Columns::from_header(&header, rows::CAMERA_COLUMNS, rows::CAMERA_REQUIRED) else {
        return;
    };
    for record in reader.records().flatten() {
        let _ = rows::camera(&columns, &record);
    }
});
