//! The evaluation kit's truth.csv.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = anpr_core::evaluation::parse_truth(data, "truth.csv");
});
