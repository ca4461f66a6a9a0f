//! Pictures of the demo force: plate patches and overview images.
//!
//! Glyphs are rasterised once per character (DejaVu Sans Bold, condensed like a plate font)
//! and then only blended, so a hundred thousand patches cost little more than their JPEG
//! encoding. Rendering is a pure function of its inputs: the same read gives the same bytes.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{ImageError, Rgb, RgbImage};

pub(crate) const PLATE_WIDTH: u32 = 260;
pub(crate) const PLATE_HEIGHT: u32 = 56;
pub(crate) const OVERVIEW_WIDTH: u32 = 480;
pub(crate) const OVERVIEW_HEIGHT: u32 = 270;
const JPEG_QUALITY: u8 = 85;

/// Front plates are white, rear plates yellow (BS AU 145e colours, near enough).
pub(crate) const FRONT_PLATE: [u8; 3] = [250, 250, 247];
pub(crate) const REAR_PLATE: [u8; 3] = [247, 209, 23];
const PLATE_INK: [u8; 3] = [16, 16, 16];
const PLATE_BORDER: [u8; 3] = [40, 40, 40];
/// Plate characters: tall and condensed, about 60% of the patch height.
const PLATE_SCALE: PxScale = PxScale { x: 34.0, y: 46.0 };
/// Extra space between plate characters, in pixels.
const PLATE_TRACKING: f32 = 1.5;
const CAPTION_SCALE: PxScale = PxScale { x: 14.0, y: 14.0 };

/// A character rasterised once: its coverage bitmap and where it sits on the baseline.
#[derive(Debug)]
struct Glyph {
    width: u32,
    height: u32,
    /// Offset of the bitmap's top-left corner from the pen position on the baseline.
    left: i32,
    top: i32,
    advance: f32,
    coverage: Vec<u8>,
}

/// The printable ASCII characters of one font size.
#[derive(Debug)]
struct GlyphSet {
    glyphs: Vec<Option<Glyph>>,
    /// Height of a capital letter, for centring text vertically.
    cap_height: f32,
}

impl GlyphSet {
    fn new(font: &FontRef<'_>, scale: PxScale) -> Self {
        let glyphs: Vec<Option<Glyph>> =
            (0u8..128).map(|b| (b' '..=b'~').contains(&b).then(|| rasterise(font, scale, char::from(b)))).collect();
        let cap_height = glyphs[usize::from(b'H')].as_ref().map_or(scale.y * 0.73, |g| g.height as f32);
        GlyphSet { glyphs, cap_height }
    }

    fn glyph(&self, c: char) -> Option<&Glyph> {
        self.glyphs.get(c as usize).and_then(Option::as_ref)
    }

    fn width(&self, text: &str, tracking: f32) -> f32 {
        let advances: f32 = text.chars().filter_map(|c| self.glyph(c)).map(|g| g.advance).sum();
        advances + tracking * text.chars().count().saturating_sub(1) as f32
    }

    /// Blends `text` in `ink` onto `image`, pen starting at `x` on the `baseline`.
    fn draw(&self, image: &mut RgbImage, text: &str, x: f32, baseline: f32, ink: [u8; 3], tracking: f32) {
        let mut pen = x;
        for c in text.chars() {
            let Some(glyph) = self.glyph(c) else { continue };
            blit(image, glyph, pen.round() as i32 + glyph.left, baseline.round() as i32 + glyph.top, ink);
            pen += glyph.advance + tracking;
        }
    }
}

fn rasterise(font: &FontRef<'_>, scale: PxScale, c: char) -> Glyph {
    let id = font.glyph_id(c);
    let advance = font.as_scaled(scale).h_advance(id);
    let Some(outline) = font.outline_glyph(id.with_scale_and_position(scale, point(0.0, 0.0))) else {
        // A space: nothing to draw, only an advance.
        return Glyph { width: 0, height: 0, left: 0, top: 0, advance, coverage: Vec::new() };
    };
    let bounds = outline.px_bounds();
    let (width, height) = (bounds.width() as u32, bounds.height() as u32);
    let mut coverage = vec![0u8; (width * height) as usize];
    outline.draw(|x, y, v| {
        if let Some(cell) = coverage.get_mut((y * width + x) as usize) {
            *cell = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        }
    });
    Glyph { width, height, left: bounds.min.x as i32, top: bounds.min.y as i32, advance, coverage }
}

/// Blends a glyph's coverage in `ink` onto the image at (x, y), clipped to the image.
fn blit(image: &mut RgbImage, glyph: &Glyph, x: i32, y: i32, ink: [u8; 3]) {
    for gy in 0..glyph.height {
        for gx in 0..glyph.width {
            let alpha = u32::from(glyph.coverage[(gy * glyph.width + gx) as usize]);
            let (px, py) = (x + gx as i32, y + gy as i32);
            if alpha == 0 || px < 0 || py < 0 || px >= image.width() as i32 || py >= image.height() as i32 {
                continue;
            }
            let pixel = image.get_pixel_mut(px as u32, py as u32);
            for (channel, ink) in pixel.0.iter_mut().zip(ink) {
                *channel = ((u32::from(*channel) * (255 - alpha) + u32::from(ink) * alpha) / 255) as u8;
            }
        }
    }
}

/// Both font sizes the demo draws with, built once per process.
#[derive(Debug)]
pub(crate) struct Glyphs {
    plate: GlyphSet,
    caption: GlyphSet,
}

impl Glyphs {
    /// The glyph cache of the embedded font; an error only if the embedded font is broken
    /// (a build defect, which the tests catch).
    pub(crate) fn get() -> Result<&'static Glyphs, ab_glyph::InvalidFont> {
        static GLYPHS: OnceLock<Result<Glyphs, ab_glyph::InvalidFont>> = OnceLock::new();
        GLYPHS
            .get_or_init(|| {
                let font = FontRef::try_from_slice(crate::fonts::DEJAVU_SANS_BOLD)?;
                Ok(Glyphs { plate: GlyphSet::new(&font, PLATE_SCALE), caption: GlyphSet::new(&font, CAPTION_SCALE) })
            })
            .as_ref()
            .map_err(|e| *e)
    }

    /// A plate patch showing `text` exactly as given (display form, e.g. "AB12 CDE"): white
    /// for a front plate, yellow for a rear one, black characters and a thin border.
    pub(crate) fn plate(&self, text: &str, rear: bool) -> RgbImage {
        let mut image = blank_plate(rear);
        let set = &self.plate;
        // Squeeze the spacing if a wide mark would not fit, rather than clip it.
        let room = PLATE_WIDTH as f32 - 12.0;
        let gaps = text.chars().count().saturating_sub(1).max(1) as f32;
        let natural = set.width(text, PLATE_TRACKING);
        let tracking = if natural > room { PLATE_TRACKING - (natural - room) / gaps } else { PLATE_TRACKING };
        let x = (PLATE_WIDTH as f32 - set.width(text, tracking)) / 2.0;
        let baseline = (PLATE_HEIGHT as f32 + set.cap_height) / 2.0;
        set.draw(&mut image, text, x, baseline, PLATE_INK, tracking);
        image
    }

    /// The patch of a capture the reader could not read: the plate, smeared past reading
    /// (dirt, spray, motion blur).
    pub(crate) fn unreadable_plate(&self, text: &str, rear: bool) -> RgbImage {
        let mut image = imageops::fast_blur(&self.plate(text, rear), 7.0);
        // Road grime over the lower half.
        for y in PLATE_HEIGHT / 2..PLATE_HEIGHT {
            for x in 0..PLATE_WIDTH {
                let pixel = image.get_pixel_mut(x, y);
                for channel in pixel.0.iter_mut() {
                    *channel = (u16::from(*channel) * 3 / 5) as u8;
                }
            }
        }
        image
    }

    /// A line of caption text (the overview images' size), vertically centred on `centre`.
    pub(crate) fn caption(&self, image: &mut RgbImage, text: &str, x: f32, centre: f32, ink: [u8; 3]) {
        self.caption.draw(image, text, x, centre + self.caption.cap_height / 2.0, ink, 0.0);
    }

    /// An overview image: the road seen from the camera, a car in its colour carrying the
    /// plate patch, and a caption strip with the camera and the UTC time.
    pub(crate) fn overview(&self, scene: &OverviewScene<'_>) -> RgbImage {
        let mut image = RgbImage::from_pixel(OVERVIEW_WIDTH, OVERVIEW_HEIGHT, Rgb([86, 88, 92]));
        fill(&mut image, 0, 0, OVERVIEW_WIDTH, 44, [70, 98, 60]);
        fill(&mut image, 0, 44, OVERVIEW_WIDTH, 48, [210, 210, 200]);
        for lane_line in [167, 312] {
            for dash in (52..240).step_by(36) {
                fill(&mut image, lane_line - 2, dash, lane_line + 2, dash + 18, [235, 235, 235]);
            }
        }
        draw_car(&mut image, scene);
        fill(&mut image, 0, OVERVIEW_HEIGHT - 26, OVERVIEW_WIDTH, OVERVIEW_HEIGHT, [0, 0, 0]);
        let baseline = OVERVIEW_HEIGHT as f32 - 13.0 + self.caption.cap_height / 2.0;
        self.caption.draw(&mut image, scene.caption, 8.0, baseline, [255, 255, 255], 0.0);
        image
    }
}

/// What an overview image shows.
#[derive(Debug)]
pub(crate) struct OverviewScene<'a> {
    pub plate: &'a RgbImage,
    pub colour: [u8; 3],
    /// Seen from the front (headlights) or the back (tail lights).
    pub towards: bool,
    /// Which of the three lanes the car is in, 0..3.
    pub lane: u32,
    /// Small sideways offset within the lane, in pixels (-6..=6).
    pub shift: i32,
    pub caption: &'a str,
}

fn draw_car(image: &mut RgbImage, scene: &OverviewScene<'_>) {
    // Lanes are 145 px wide, centred on 95, 240 and 385; the car stays inside its lane.
    let centre = (95 + 145 * scene.lane.min(2)) as i32 + scene.shift.clamp(-6, 6);
    let (left, right) = ((centre - 58).max(0) as u32, (centre + 58) as u32);
    let (top, bottom) = (88, 226);
    // Wheels, body, glass, lamps, then the plate where the number plate sits.
    fill(image, left.saturating_sub(5), top + 14, left, top + 44, [20, 20, 20]);
    fill(image, right, top + 14, right + 5, top + 44, [20, 20, 20]);
    fill(image, left.saturating_sub(5), bottom - 40, left, bottom - 10, [20, 20, 20]);
    fill(image, right, bottom - 40, right + 5, bottom - 10, [20, 20, 20]);
    fill(image, left, top, right, bottom, scene.colour);
    let glass = scene.colour.map(|c| (u16::from(c) / 4 + 30) as u8);
    fill(image, left + 12, top + 10, right - 12, top + 58, glass);
    let lamp = if scene.towards { [245, 240, 200] } else { [200, 30, 30] };
    fill(image, left + 6, bottom - 46, left + 32, bottom - 34, lamp);
    fill(image, right - 32, bottom - 46, right - 6, bottom - 34, lamp);
    let small = imageops::resize(scene.plate, 104, 22, FilterType::Triangle);
    let plate_x = i64::from(centre) - 52;
    imageops::replace(image, &small, plate_x, i64::from(bottom) - 32);
}

/// Fills the rectangle [x0, x1) x [y0, y1), clipped to the image.
fn fill(image: &mut RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, colour: [u8; 3]) {
    for y in y0..y1.min(image.height()) {
        for x in x0..x1.min(image.width()) {
            image.put_pixel(x, y, Rgb(colour));
        }
    }
}

/// A plate with no characters: background and a thin border.
pub(crate) fn blank_plate(rear: bool) -> RgbImage {
    let background = if rear { REAR_PLATE } else { FRONT_PLATE };
    let mut image = RgbImage::from_pixel(PLATE_WIDTH, PLATE_HEIGHT, Rgb(background));
    let (w, h, b) = (PLATE_WIDTH, PLATE_HEIGHT, 2);
    fill(&mut image, 0, 0, w, b, PLATE_BORDER);
    fill(&mut image, 0, h - b, w, h, PLATE_BORDER);
    fill(&mut image, 0, 0, b, h, PLATE_BORDER);
    fill(&mut image, w - b, 0, w, h, PLATE_BORDER);
    image
}

/// JPEG at the demo quality; the encoder is deterministic, so equal images give equal files.
pub(crate) fn jpeg(image: &RgbImage) -> Result<Vec<u8>, ImageError> {
    let mut bytes = Vec::with_capacity(16 * 1024);
    JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY).encode_image(image)?;
    Ok(bytes)
}
