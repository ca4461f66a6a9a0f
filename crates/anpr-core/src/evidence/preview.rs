//! Page previews (issue 6): the very PDF bytes that issuing would write, rasterised with hayro
//! (pure Rust, no system PDF library to install on a force laptop), so the evidence officer
//! sees each page as the court will before anything is disclosed.

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings, render};

/// Pixels per point: an A4 page becomes 893 x 1263, legible at the screen's preview width.
pub const SCALE: f32 = 1.5;

#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("the PDF could not be read back for its preview: {0}")]
    Read(String),
    #[error("page {page} of the preview could not be encoded: {reason}")]
    Encode { page: usize, reason: String },
}

/// Each page of `pdf` as a PNG, on a white background.
pub fn pages(pdf: Vec<u8>, scale: f32) -> Result<Vec<Vec<u8>>, PreviewError> {
    let pdf = Pdf::new(pdf).map_err(|e| PreviewError::Read(format!("{e:?}")))?;
    let cache = RenderCache::new();
    // The writer embeds every font it uses, so no font resolver is needed.
    let interpreter = InterpreterSettings::default();
    let pixmap = PixmapSettings { x_scale: scale, y_scale: scale, bg_color: WHITE };
    pdf.pages()
        .iter()
        .enumerate()
        .map(|(n, page)| {
            render(page, &cache, &interpreter, &RenderSettings::default(), &pixmap)
                .into_png()
                .map_err(|e| PreviewError::Encode { page: n + 1, reason: e.to_string() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn refuses_bytes_that_are_not_a_pdf() {
        assert!(matches!(pages(b"not a pdf".to_vec(), 1.0), Err(PreviewError::Read(_))));
    }
}
