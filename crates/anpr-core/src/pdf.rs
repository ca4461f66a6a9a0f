//! PDF pages as the workstation issues them (the court bundle, the sensitive schedule, the
//! evaluation report): A4 marked OFFICIAL-SENSITIVE at top and bottom (9.2.4), "Page n of N",
//! DejaVu Sans embedded as subsets (so the text is extractable), the document information set
//! from the document's own time, bookmarks. [`Writer`] lays text, fields, rules and pictures
//! down the pages and decides nothing about what they say. Pictures are reproductions at full
//! resolution: a JPEG goes in as its own bytes, anything else is decoded and stored losslessly.

use crate::fonts::{DEJAVU_SANS, DEJAVU_SANS_BOLD};
use anpr_types::MARKING;
use printpdf::{
    Color, DictItem, ExternalStream, ExternalXObject, FontId, ImageCompression, ImageOptimizationOptions, Line,
    LinePoint, Mm, OffsetDateTime, Op, ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Point,
    Pt, Px, RawImage, Rgb, TextItem, XObjectId, XObjectTransform,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// A4 in points.
pub(crate) const PAGE_W: f32 = 595.276;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const LEFT: f32 = 56.69; // 20 mm
pub(crate) const RIGHT: f32 = PAGE_W - 56.69;
pub(crate) const COLUMN: f32 = RIGHT - LEFT;
/// The body lies between these; the markings and page number are outside.
pub(crate) const BODY_TOP: f32 = PAGE_H - 62.0;
pub(crate) const BODY_BOTTOM: f32 = 66.0;
/// Width of the label column of a "label: value" field.
pub(crate) const LABEL_W: f32 = 138.0;
pub(crate) const BODY_SIZE: f32 = 10.0;
pub(crate) const SMALL_SIZE: f32 = 8.0;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font could not be read: {0}")]
    Font(String),
    #[error("the image {file} could not be decoded for the PDF: {reason}")]
    Image { file: String, reason: String },
    #[error("the document time {0:?} is not a time this writer understands")]
    Time(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
}

struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
    regular_id: FontId,
    bold_id: FontId,
    /// Characters set in each face, for the subset.
    used: [BTreeSet<char>; 2],
}

/// A TrueType subset of `bytes` with `.notdef` and `glyphs`, keeping a Unicode cmap so the
/// text maps to the same characters.
fn subset(bytes: &[u8], glyphs: &BTreeSet<u16>, name: &str) -> Result<ParsedFont, PdfError> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile};
    let failed = |e: &dyn std::fmt::Display| PdfError::Font(format!("{name}: subsetting failed: {e}"));
    let file = ReadScope::new(bytes).read::<FontData<'_>>().map_err(|e| failed(&e))?;
    let provider = file.table_provider(0).map_err(|e| failed(&e))?;
    let ids: Vec<u16> = std::iter::once(0).chain(glyphs.iter().copied().filter(|g| *g != 0)).collect();
    let program =
        allsorts::subset::subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode).map_err(|e| failed(&e))?;
    let mut warnings = Vec::new();
    ParsedFont::from_bytes(&program, 0, &mut warnings)
        .ok_or_else(|| PdfError::Font(format!("{name}: the subset does not parse: {warnings:?}")))
}

impl Fonts {
    fn load() -> Result<Self, PdfError> {
        let parse = |bytes: &[u8], name: &str| {
            let mut warnings = Vec::new();
            let mut font = ParsedFont::from_bytes(bytes, 0, &mut warnings)
                .ok_or_else(|| PdfError::Font(format!("{name}: {warnings:?}")))?;
            // The PostScript name, so /BaseFont reads as the font and not a random id.
            font.font_name = Some(name.to_owned());
            Ok::<_, PdfError>(font)
        };
        let regular = parse(DEJAVU_SANS, "DejaVuSans")?;
        let bold = parse(DEJAVU_SANS_BOLD, "DejaVuSans-Bold")?;
        Ok(Self {
            regular,
            bold,
            regular_id: FontId("F1".into()),
            bold_id: FontId("F2".into()),
            used: [BTreeSet::new(), BTreeSet::new()],
        })
    }

    fn note(&mut self, face: Face, text: &str) {
        self.used[face as usize].extend(text.chars());
    }

    /// Embeds each face as a subset holding only the glyphs the document uses.
    fn embed(self, doc: &mut PdfDocument) -> Result<(), PdfError> {
        let faces = [
            (self.regular, self.regular_id, DEJAVU_SANS, "DejaVuSans"),
            (self.bold, self.bold_id, DEJAVU_SANS_BOLD, "DejaVuSans-Bold"),
        ];
        for ((full, id, bytes, name), used) in faces.into_iter().zip(self.used) {
            let glyphs: BTreeSet<u16> = used.iter().filter_map(|c| full.lookup_glyph_index(*c as u32)).collect();
            let mut font = subset(bytes, &glyphs, name)?;
            // The subset tag (ISO 32000-1 9.6.4): six capitals, here from the glyphs kept.
            let digest = Sha256::digest(used.iter().collect::<String>().as_bytes());
            let tag: String = digest.iter().take(6).map(|b| char::from(b'A' + b % 26)).collect();
            font.font_name = Some(format!("{tag}+{name}"));
            doc.resources.fonts.map.insert(id, PdfFont::new(font));
        }
        Ok(())
    }

    fn font(&self, face: Face) -> &ParsedFont {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    fn handle(&self, face: Face) -> PdfFontHandle {
        PdfFontHandle::External(match face {
            Face::Regular => self.regular_id.clone(),
            Face::Bold => self.bold_id.clone(),
        })
    }

    /// Advance width of `text` in points (no kerning: printpdf sets none either).
    fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let font = self.font(face);
        let upem = f32::from(font.units_per_em.max(1));
        let units: u32 = text
            .chars()
            .map(|c| {
                let gid = font.lookup_glyph_index(c as u32).unwrap_or(0);
                u32::from(font.get_glyph_width(gid).unwrap_or(0))
            })
            .sum();
        units as f32 * size / upem
    }
}

/// Splits `text` into lines no wider than `width`; a word wider than a line is broken
/// between characters (hashes, paths).
fn wrap(fonts: &Fonts, face: Face, size: f32, text: &str, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if fonts.width(face, size, &candidate) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if fonts.width(face, size, word) <= width {
                line = word.to_owned();
                continue;
            }
            for c in word.chars() {
                let mut next = line.clone();
                next.push(c);
                if !line.is_empty() && fonts.width(face, size, &next) > width {
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                } else {
                    line = next;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// One line of text at an absolute position (its own text object, so `Td` is absolute).
fn text_ops(fonts: &Fonts, face: Face, size: f32, x: f32, baseline: f32, text: &str) -> [Op; 6] {
    [
        Op::StartTextSection,
        Op::SetFillColor { col: black() },
        Op::SetFont { font: fonts.handle(face), size: Pt(size) },
        Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(baseline) } },
        Op::ShowText { items: vec![TextItem::Text(text.to_owned())] },
        Op::EndTextSection,
    ]
}

fn black() -> Color {
    Color::Rgb(Rgb { r: 0.0, g: 0.0, b: 0.0, icc_profile: None })
}

fn grey() -> Color {
    Color::Rgb(Rgb { r: 0.45, g: 0.45, b: 0.45, icc_profile: None })
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false }
}

/// Lays text and pictures out down A4 pages, starting a new page when something does not fit.
pub(crate) struct Writer<'a> {
    doc: &'a mut PdfDocument,
    fonts: Fonts,
    pages: Vec<Vec<Op>>,
    /// Top of the free space on the current page.
    y: f32,
    bookmarks: Vec<(String, usize)>,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(doc: &'a mut PdfDocument) -> Result<Self, PdfError> {
        let fonts = Fonts::load()?;
        Ok(Self { doc, fonts, pages: vec![Vec::new()], y: BODY_TOP, bookmarks: Vec::new() })
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = BODY_TOP;
    }

    pub(crate) fn ensure(&mut self, height: f32) {
        if self.y - height < BODY_BOTTOM && self.y < BODY_TOP {
            self.new_page();
        }
    }

    pub(crate) fn bookmark(&mut self, name: &str) {
        let page = self.pages.len();
        self.bookmarks.push((name.to_owned(), page));
    }

    pub(crate) fn text_at(&mut self, face: Face, size: f32, x: f32, baseline: f32, text: &str) {
        self.fonts.note(face, text);
        let ops = text_ops(&self.fonts, face, size, x, baseline, text);
        self.ops().extend(ops);
    }

    pub(crate) fn leading(size: f32) -> f32 {
        size * 1.35
    }

    /// A wrapped paragraph across the column from `indent`.
    pub(crate) fn paragraph(&mut self, face: Face, size: f32, indent: f32, text: &str) {
        let lead = Self::leading(size);
        for line in wrap(&self.fonts, face, size, text, COLUMN - indent) {
            self.ensure(lead);
            self.y -= lead;
            self.text_at(face, size, LEFT + indent, self.y + size * 0.3, &line);
        }
    }

    /// "Label   value" with the value wrapped beside the label; kept together on a page.
    pub(crate) fn field(&mut self, label: &str, value: &str) {
        let lead = Self::leading(BODY_SIZE);
        let labels = wrap(&self.fonts, Face::Bold, BODY_SIZE, label, LABEL_W - 8.0);
        let values = wrap(&self.fonts, Face::Regular, BODY_SIZE, value, COLUMN - LABEL_W);
        let rows = labels.len().max(values.len());
        self.ensure(lead * rows as f32 + 2.0);
        let top = self.y;
        for (i, line) in labels.iter().enumerate() {
            self.text_at(Face::Bold, BODY_SIZE, LEFT, top - lead * (i as f32 + 1.0) + 3.0, line);
        }
        for (i, line) in values.iter().enumerate() {
            self.text_at(Face::Regular, BODY_SIZE, LEFT + LABEL_W, top - lead * (i as f32 + 1.0) + 3.0, line);
        }
        self.y = top - lead * rows as f32 - 2.0;
    }

    fn rule(&mut self, y: f32) {
        self.ops().extend([
            Op::SetOutlineColor { col: grey() },
            Op::SetOutlineThickness { pt: Pt(0.6) },
            Op::DrawLine { line: Line { points: vec![point(LEFT, y), point(RIGHT, y)], is_closed: false } },
        ]);
    }

    /// One line of a table: each cell's text at its offset from the left margin.
    pub(crate) fn row(&mut self, face: Face, size: f32, cells: &[(f32, &str)]) {
        let lead = Self::leading(size);
        self.ensure(lead);
        self.y -= lead;
        let baseline = self.y + size * 0.3;
        for (x, text) in cells {
            self.text_at(face, size, LEFT + x, baseline, text);
        }
    }

    /// A thin rule across the column under what was written last (a table's header).
    pub(crate) fn underline(&mut self) {
        self.y -= 2.0;
        let y = self.y;
        self.rule(y);
        self.y -= 2.0;
    }

    /// A section heading with a rule under it; moved to a new page with room for a few lines.
    pub(crate) fn heading(&mut self, size: f32, text: &str) {
        let lead = Self::leading(size);
        let lines = wrap(&self.fonts, Face::Bold, size, text, COLUMN);
        self.ensure(lead * lines.len() as f32 + 60.0);
        if self.y < BODY_TOP {
            self.y -= size * 0.8;
        }
        for line in lines {
            self.y -= lead;
            self.text_at(Face::Bold, size, LEFT, self.y + size * 0.3, &line);
        }
        self.y -= 4.0;
        let y = self.y;
        self.rule(y);
        self.y -= 6.0;
    }

    pub(crate) fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    /// A picture (JPEG or PNG bytes; `name` says which file in an error) scaled to fit the
    /// column and `max_height` keeping its aspect ratio, centred, with `caption` under it,
    /// kept together on a page.
    pub(crate) fn image(&mut self, bytes: &[u8], name: &str, max_height: f32, caption: &str) -> Result<(), PdfError> {
        let (id, px_w, px_h) = embed(self.doc, bytes, name)?;
        let (px_w, px_h) = (px_w.max(1) as f32, px_h.max(1) as f32);
        let scale = (COLUMN / px_w).min(max_height / px_h);
        let (w, h) = (px_w * scale, px_h * scale);
        let caption_lines = wrap(&self.fonts, Face::Regular, SMALL_SIZE, caption, COLUMN).len();
        self.ensure(h + 6.0 + caption_lines as f32 * Self::leading(SMALL_SIZE) + 8.0);
        let bottom = self.y - 4.0 - h;
        self.place(id, px_w, LEFT + (COLUMN - w) / 2.0, bottom, w, h);
        self.y = bottom - 2.0;
        self.paragraph(Face::Regular, SMALL_SIZE, 0.0, caption);
        self.gap(8.0);
        Ok(())
    }

    /// Pictures side by side, each scaled to `height` (and narrowed to share the column),
    /// from the left margin, with `caption` under the row; kept together on a page.
    pub(crate) fn image_row(&mut self, pictures: &[(&[u8], &str)], height: f32, caption: &str) -> Result<(), PdfError> {
        const SPACE: f32 = 8.0;
        let mut embedded = Vec::with_capacity(pictures.len());
        for (bytes, name) in pictures {
            let (id, px_w, px_h) = embed(self.doc, bytes, name)?;
            embedded.push((id, px_w.max(1) as f32, px_h.max(1) as f32));
        }
        let natural: f32 = embedded.iter().map(|(_, w, h)| w * height / h).sum();
        let room = COLUMN - SPACE * embedded.len().saturating_sub(1) as f32;
        let shrink = (room / natural.max(1.0)).min(1.0);
        let h = height * shrink;
        let caption_lines = wrap(&self.fonts, Face::Regular, SMALL_SIZE, caption, COLUMN).len();
        self.ensure(h + 6.0 + caption_lines as f32 * Self::leading(SMALL_SIZE) + 8.0);
        let bottom = self.y - 4.0 - h;
        let mut x = LEFT;
        for (id, px_w, px_h) in embedded {
            let w = px_w * h / px_h;
            self.place(id, px_w, x, bottom, w, h);
            x += w + SPACE;
        }
        self.y = bottom - 2.0;
        self.paragraph(Face::Regular, SMALL_SIZE, 0.0, caption);
        self.gap(8.0);
        Ok(())
    }

    /// Draws an embedded picture `px_w` pixels wide into the box (`x`, `bottom`, `w`, `h`), with
    /// a thin frame so a light image still shows its extent.
    fn place(&mut self, id: XObjectId, px_w: f32, x: f32, bottom: f32, w: f32, h: f32) {
        // At `dpi`, one pixel is 72/dpi points: choose the dpi that makes the width `w`.
        let dpi = px_w * 72.0 / w;
        self.ops().push(Op::UseXobject {
            id,
            transform: XObjectTransform {
                translate_x: Some(Pt(x)),
                translate_y: Some(Pt(bottom)),
                dpi: Some(dpi),
                ..Default::default()
            },
        });
        self.ops().extend([
            Op::SetOutlineColor { col: grey() },
            Op::SetOutlineThickness { pt: Pt(0.5) },
            Op::DrawLine {
                line: Line {
                    points: vec![
                        point(x, bottom),
                        point(x + w, bottom),
                        point(x + w, bottom + h),
                        point(x, bottom + h),
                    ],
                    is_closed: true,
                },
            },
        ]);
    }

    /// The pages with their markings and numbers, and the bookmarks.
    pub(crate) fn finish(mut self) -> Result<(), PdfError> {
        if self.pages.last().is_some_and(Vec::is_empty) && self.pages.len() > 1 {
            self.pages.pop();
        }
        let total = self.pages.len();
        let pages = std::mem::take(&mut self.pages);
        let marking_w = self.fonts.width(Face::Bold, 11.0, MARKING);
        let mut out = Vec::with_capacity(total);
        for (n, body) in pages.into_iter().enumerate() {
            let mut ops = Vec::with_capacity(body.len() + 24);
            let number = format!("Page {} of {total}", n + 1);
            let number_w = self.fonts.width(Face::Regular, 9.0, &number);
            self.fonts.note(Face::Bold, MARKING);
            self.fonts.note(Face::Regular, &number);
            let fonts = &self.fonts;
            ops.extend(text_ops(fonts, Face::Bold, 11.0, (PAGE_W - marking_w) / 2.0, PAGE_H - 36.0, MARKING));
            ops.extend(text_ops(fonts, Face::Regular, 9.0, (PAGE_W - number_w) / 2.0, 44.0, &number));
            ops.extend(text_ops(fonts, Face::Bold, 11.0, (PAGE_W - marking_w) / 2.0, 26.0, MARKING));
            ops.extend(body);
            out.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
        }
        self.doc.pages = out;
        for (name, page) in &self.bookmarks {
            self.doc.add_bookmark(name, *page);
        }
        self.fonts.embed(self.doc)
    }
}

/// Width, height and colour space of a baseline, extended or progressive 8-bit JPEG with one
/// or three components: what a PDF's `DCTDecode` filter shows as it is.
fn jpeg_header(bytes: &[u8]) -> Option<(usize, usize, &'static str)> {
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut at = 2;
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        match marker {
            0xFF => {
                at += 1;
                continue;
            }
            0xD0..=0xD9 | 0x01 => {
                at += 2;
                continue;
            }
            _ => {}
        }
        let length = usize::from(u16::from_be_bytes([*bytes.get(at + 2)?, *bytes.get(at + 3)?]));
        if (0xC0..=0xC2).contains(&marker) {
            let sof = bytes.get(at + 4..at + 10)?;
            let height = usize::from(u16::from_be_bytes([sof[1], sof[2]]));
            let width = usize::from(u16::from_be_bytes([sof[3], sof[4]]));
            let space = match sof[5] {
                1 => "DeviceGray",
                3 => "DeviceRGB",
                _ => return None,
            };
            return (sof[0] == 8 && width > 0 && height > 0).then_some((width, height, space));
        }
        if (0xC3..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return None; // lossless or arithmetic-coded: decode instead
        }
        at += 2 + length;
    }
}

/// Adds a picture to the document: a JPEG as its original bytes (`DCTDecode`, nothing
/// decoded or re-encoded), anything else (PNG) decoded by printpdf at full resolution and
/// stored losslessly. Returns the XObject and its size in pixels.
fn embed(doc: &mut PdfDocument, bytes: &[u8], file: &str) -> Result<(XObjectId, usize, usize), PdfError> {
    if let Some((width, height, space)) = jpeg_header(bytes) {
        let name = |n: &str| DictItem::Name(n.as_bytes().to_vec());
        let dict = [
            ("Type", name("XObject")),
            ("Subtype", name("Image")),
            ("Width", DictItem::Int(width as i64)),
            ("Height", DictItem::Int(height as i64)),
            ("ColorSpace", name(space)),
            ("BitsPerComponent", DictItem::Int(8)),
            ("Filter", name("DCTDecode")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let xobject = ExternalXObject {
            stream: ExternalStream { dict, content: bytes.to_vec(), compress: false },
            width: Some(Px(width)),
            height: Some(Px(height)),
            dpi: None,
        };
        return Ok((doc.add_xobject(&xobject), width, height));
    }
    let mut warnings = Vec::new();
    let image = RawImage::decode_from_bytes(bytes, &mut warnings)
        .map_err(|reason| PdfError::Image { file: file.to_owned(), reason })?;
    let (width, height) = (image.width, image.height);
    Ok((doc.add_image(&image), width, height))
}

/// Document information from the document's own time, so it is not 1970.
pub(crate) fn info(
    doc: &mut PdfDocument,
    title: &str,
    subject: &str,
    author: &str,
    creator: &str,
    unix: i64,
) -> Result<(), PdfError> {
    let when = OffsetDateTime::from_unix_timestamp(unix).map_err(|e| PdfError::Time(e.to_owned()))?;
    let info = &mut doc.metadata.info;
    info.document_title = title.to_owned();
    info.subject = subject.to_owned();
    info.author = author.to_owned();
    info.creator = creator.to_owned();
    info.producer = format!("{creator} (printpdf)");
    info.creation_date = when;
    info.modification_date = when;
    info.metadata_date = when;
    Ok(())
}

pub(crate) fn save(doc: &PdfDocument) -> Vec<u8> {
    let options = PdfSaveOptions {
        // Streams compressed losslessly (Flate) and unused objects pruned.
        optimize: true,
        // printpdf subsets only with its `text_layout` feature (a layout engine); the fonts
        // are subset above instead, so this has nothing left to do.
        subset_fonts: false,
        secure: true,
        // Decoded pictures (PNG) are stored at full resolution with lossless Flate: no
        // downscaling, no greyscale conversion, no JPEG re-compression. (JPEGs never reach
        // this: they are embedded as their original bytes.)
        image_optimization: Some(ImageOptimizationOptions {
            quality: None,
            max_image_size: None,
            dither_greyscale: Some(false),
            convert_to_greyscale: Some(false),
            auto_optimize: Some(false),
            format: Some(ImageCompression::Flate),
        }),
    };
    doc.save(&options, &mut Vec::new())
}
