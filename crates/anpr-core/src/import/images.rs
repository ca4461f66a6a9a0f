//! Image checks for import: bounded reads, format by content (JPEG or PNG only), a full
//! decode under explicit limits (so decompression bombs are refused before they allocate),
//! and the derived thumbnail for overview images.

use image::{ImageFormat, ImageReader, Limits};
use std::io::{Cursor, Read};
use std::path::Path;

/// Largest image file accepted.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Largest width or height accepted; real ANPR images are far smaller.
pub const MAX_DIMENSION: u32 = 8192;
/// Most memory one decode may allocate.
pub const MAX_ALLOC_BYTES: u64 = 256 * 1024 * 1024;
/// Longest side of an overview thumbnail.
pub const THUMBNAIL_SIZE: u32 = 320;

#[derive(Debug)]
pub struct CheckedImage {
    pub bytes: Vec<u8>,
    /// The decoded pixels, kept only as long as a thumbnail may be made from them.
    pub decoded: Option<image::DynamicImage>,
    pub sha256: String,
    pub format: &'static str,
    pub width: u32,
    pub height: u32,
}

/// Reads at most [`MAX_FILE_BYTES`] and hashes; no decoding yet (a known hash needs none).
pub fn read_bounded(path: &Path) -> Result<(Vec<u8>, String), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open image: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read image: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("image file larger than the {} MiB limit", MAX_FILE_BYTES / (1024 * 1024)));
    }
    let sha256 = crate::blobs::sha256_hex(&bytes);
    Ok((bytes, sha256))
}

/// Verifies the bytes are a whole JPEG or PNG image within the limits, returning its size.
pub fn check(bytes: Vec<u8>, sha256: String) -> Result<CheckedImage, String> {
    let (decoded, format) = decode(&bytes)?;
    if format == "jpeg" && !ends_with_eoi(&bytes) {
        return Err("image does not decode: the JPEG is truncated (no end-of-image marker)".into());
    }
    Ok(CheckedImage { width: decoded.width(), height: decoded.height(), decoded: Some(decoded), bytes, sha256, format })
}

/// The JPEG decoder fills a truncated image with grey rather than failing, so check the
/// end-of-image marker (allowing the zero padding some cameras append).
fn ends_with_eoi(bytes: &[u8]) -> bool {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    bytes[..end].ends_with(&[0xFF, 0xD9])
}

pub(crate) fn decode(bytes: &[u8]) -> Result<(image::DynamicImage, &'static str), String> {
    let format = match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => ImageFormat::Jpeg,
        Ok(ImageFormat::Png) => ImageFormat::Png,
        _ => return Err("not a JPEG or PNG image".into()),
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_ALLOC_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(l) => format!(
            "image exceeds the decoding limits ({MAX_DIMENSION} px a side, {} MiB): {l}",
            MAX_ALLOC_BYTES / (1024 * 1024)
        ),
        other => format!("image does not decode: {other}"),
    })?;
    Ok((decoded, if format == ImageFormat::Jpeg { "jpeg" } else { "png" }))
}

/// A JPEG thumbnail for display only, with its size: derived, never evidence.
pub fn thumbnail(decoded: &image::DynamicImage) -> Result<(Vec<u8>, u32, u32), String> {
    // Triangle filtering is several times faster than `thumbnail`'s area sampling and looks
    // the same at this size.
    let small = decoded.resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, image::imageops::FilterType::Triangle).to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .map_err(|e| format!("thumbnail encoding failed: {e}"))?;
    Ok((out, small.width(), small.height()))
}
