//! The fonts the workstation draws and typesets with, compiled in so that a PDF, a chart or a
//! demo picture looks the same on every machine and nothing is looked up on the system.

/// DejaVu Sans (assets/fonts/LICENSE-DejaVu.txt).
pub(crate) static DEJAVU_SANS: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts/DejaVuSans.ttf"));
pub(crate) static DEJAVU_SANS_BOLD: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts/DejaVuSans-Bold.ttf"));
