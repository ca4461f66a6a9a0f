//! Read files of other ANPR systems: format detection by content, then every parser on the
//! same bytes (each parser must refuse or parse what is not its format, never panic).
#![no_main]

use anpr_core::import::foreign::{Format, detect, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let detected = detect(data);
    for format in
        [Format::OpenAlpr, Format::PlateRecognizerSnapshot, Format::PlateRecognizerStream, Format::GenetecAutoVu]
    {
        let parsed = parse(format, data);
        if detected == Ok(format) {
            if let Ok(file) = parsed {
                let _ = file.reads.len();
            }
        }
    }
});
