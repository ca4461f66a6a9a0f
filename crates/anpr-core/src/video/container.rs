//! The MP4 demuxer: finds the H.264 video track and builds its sample index (where each
//! sample is, its decode and presentation times, whether it is a keyframe).
//!
//! The boxes are parsed here, with every count and size checked against the bytes that hold
//! it before anything is allocated, rather than with the `mp4` crate's reader, which unwraps
//! on malformed tables and allocates whatever a sample-size table claims: video files come
//! from outside the force and must not be able to crash or exhaust the workstation.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use chrono::{DateTime, Utc};

use super::VideoError;

/// The moov box (the file's index) is read whole; a larger one is refused.
const MAX_MOOV_BYTES: u64 = 256 * 1024 * 1024;
/// About 18 hours at 30 frames per second.
pub(crate) const MAX_SAMPLES: usize = 2_000_000;
/// One coded picture; far above any real H.264 frame.
pub(crate) const MAX_SAMPLE_BYTES: u32 = 32 * 1024 * 1024;
/// Width and height limits (H.264 level 6.2 tops out at 8192x4320).
pub(crate) const MAX_SIDE: u32 = 8192;
pub(crate) const MAX_PIXELS: u64 = 8192 * 4320;
/// Seconds from 1904-01-01 (the MP4 epoch) to 1970-01-01.
pub(crate) const MP4_EPOCH_OFFSET: i64 = 2_082_844_800;

/// One coded picture of the video track, in decode order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sample {
    pub offset: u64,
    pub size: u32,
    /// Presentation time in track ticks (decode time plus composition offset).
    pub pts: i64,
    pub sync: bool,
}

/// What the demuxer found: the H.264 track's parameters and its samples in decode order.
#[derive(Debug, Clone)]
pub(crate) struct Track {
    pub width: u32,
    pub height: u32,
    pub timescale: u32,
    /// Length of each NAL unit's size prefix in the samples (1, 2 or 4 bytes).
    pub length_size: usize,
    /// SPS and PPS NAL units from the avcC box (without start codes).
    pub parameter_sets: Vec<Vec<u8>>,
    pub samples: Vec<Sample>,
    /// Sum of the sample durations, in track ticks.
    pub duration_ticks: u64,
    /// The most common sample duration, in track ticks.
    pub frame_ticks: u32,
    pub clock_start: Option<DateTime<Utc>>,
}

/// Reads the file's boxes and returns its H.264 track, or says why it cannot.
pub(crate) fn read_track(path: &Path, file: &mut File) -> Result<Track, VideoError> {
    let io = |source| VideoError::Io { path: path.to_owned(), source };
    let file_size = file.metadata().map_err(io)?.len();
    let mut head = [0u8; 16];
    let got = read_at(file, 0, &mut head).map_err(io)?;
    if let Some(kind) = sniff(&head[..got]) {
        return Err(VideoError::NotMp4 { reason: format!("it is {kind}") });
    }
    let top = top_level_boxes(file, file_size).map_err(io)??;
    if top.iter().any(|b| &b.kind == b"moof") {
        return Err(VideoError::Fragmented);
    }
    let Some(moov) = top.iter().find(|b| &b.kind == b"moov") else {
        return Err(VideoError::NotMp4 {
            reason: "it has no index (moov box); if it is an MP4, the recording was not finished".into(),
        });
    };
    if moov.size > MAX_MOOV_BYTES {
        return Err(VideoError::TooLarge(format!("its index (moov box) is {} bytes", moov.size)));
    }
    let mut bytes = vec![0u8; moov.size as usize];
    file.seek(SeekFrom::Start(moov.offset)).and_then(|_| file.read_exact(&mut bytes)).map_err(io)?;
    let mut track = parse_moov(&bytes)?;
    for sample in &track.samples {
        if sample.offset.checked_add(u64::from(sample.size)).is_none_or(|end| end > file_size) {
            return Err(malformed("a sample lies beyond the end of the file (is the file truncated?)"));
        }
    }
    track.samples.shrink_to_fit();
    Ok(track)
}

fn malformed(reason: impl Into<String>) -> VideoError {
    VideoError::Malformed(reason.into())
}

/// Names well-known formats that are not MP4, from their first bytes.
fn sniff(head: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"\x89PNG") {
        Some("a PNG image")
    } else if starts(b"\xFF\xD8\xFF") {
        Some("a JPEG image")
    } else if starts(b"RIFF") && head.get(8..12) == Some(b"AVI ") {
        Some("an AVI file")
    } else if starts(b"\x1A\x45\xDF\xA3") {
        Some("a Matroska/WebM file")
    } else if starts(b"\x00\x00\x00\x01") || starts(b"\x00\x00\x01") {
        Some("a raw H.264/H.265 stream without an MP4 container")
    } else if starts(b"%PDF") {
        Some("a PDF document")
    } else if head.first() == Some(&0x47) && head.len() >= 16 {
        // MPEG transport streams start with the sync byte 0x47 in every 188-byte packet.
        Some("probably an MPEG transport stream (.ts)")
    } else if head.is_empty() {
        Some("empty")
    } else {
        None
    }
}

/// A box at the top level of the file.
#[derive(Debug)]
struct TopBox {
    kind: [u8; 4],
    /// Where the box's payload (after its header) starts, and its length.
    offset: u64,
    size: u64,
}

/// Walks the top-level boxes by reading only their headers. The outer error is I/O, the inner
/// says the file is not made of MP4 boxes.
fn top_level_boxes(file: &mut File, file_size: u64) -> std::io::Result<Result<Vec<TopBox>, VideoError>> {
    const KNOWN: [&[u8; 4]; 14] = [
        b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pdin", b"styp", b"sidx", b"uuid", b"meta", b"moof",
        b"mfra", b"pnot",
    ];
    let not_mp4 = |reason: &str| Ok(Err(VideoError::NotMp4 { reason: reason.into() }));
    let mut boxes = Vec::new();
    let mut at = 0u64;
    while at < file_size {
        let mut header = [0u8; 16];
        let got = read_at(file, at, &mut header)?;
        if got < 8 {
            return not_mp4("it ends inside a box header");
        }
        let kind: [u8; 4] = [header[4], header[5], header[6], header[7]];
        if boxes.is_empty() && !KNOWN.contains(&&kind) {
            return not_mp4("it does not start with an MP4 box (ftyp, moov or mdat)");
        }
        if !kind.iter().all(|c| c.is_ascii_graphic() || *c == b' ') {
            return not_mp4("it contains something that is not an MP4 box");
        }
        let size32 = u64::from(u32::from_be_bytes([header[0], header[1], header[2], header[3]]));
        let (header_len, size) = match size32 {
            0 => (8, file_size - at),
            1 if got >= 16 => (
                16,
                u64::from_be_bytes([
                    header[8], header[9], header[10], header[11], header[12], header[13], header[14], header[15],
                ]),
            ),
            _ => (8, size32),
        };
        // `at < file_size` here; a 64-bit size near the limit must not wrap the sum.
        if size < header_len || size > file_size - at {
            return not_mp4("a box's size runs past the end of the file (is the file truncated?)");
        }
        boxes.push(TopBox { kind, offset: at + header_len, size: size - header_len });
        at += size;
    }
    Ok(Ok(boxes))
}

/// Reads up to `buf.len()` bytes at `offset`; returns how many (fewer only at the end of the file).
fn read_at(file: &mut File, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
    file.seek(SeekFrom::Start(offset))?;
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

/// The child boxes of a payload, as (type, payload); an error if a size runs past the end.
pub(crate) fn children(data: &[u8]) -> impl Iterator<Item = Result<([u8; 4], &[u8]), VideoError>> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.len() < 8 {
            return None;
        }
        let size32 = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let kind = [rest[4], rest[5], rest[6], rest[7]];
        let (header, size) = match size32 {
            0 => (8, rest.len()),
            1 => match rest.get(8..16) {
                Some(b) => (16, usize::try_from(u64::from_be_bytes(b.try_into().unwrap_or_default())).unwrap_or(0)),
                None => (16, 0),
            },
            n => (8, n),
        };
        if size < header || size > rest.len() {
            rest = &[];
            return Some(Err(malformed(format!("the {} box has a bad size", String::from_utf8_lossy(&kind)))));
        }
        let payload = &rest[header..size];
        rest = &rest[size..];
        Some(Ok((kind, payload)))
    })
}

/// The first child of the given type.
fn child<'a>(data: &'a [u8], kind: &[u8; 4]) -> Result<Option<&'a [u8]>, VideoError> {
    for entry in children(data) {
        let (k, payload) = entry?;
        if &k == kind {
            return Ok(Some(payload));
        }
    }
    Ok(None)
}

fn need<'a>(data: &'a [u8], kind: &[u8; 4]) -> Result<&'a [u8], VideoError> {
    child(data, kind)?.ok_or_else(|| malformed(format!("the {} box is missing", String::from_utf8_lossy(kind))))
}

/// Big-endian reads with bounds checks.
struct Reader<'a> {
    data: &'a [u8],
    at: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8], what: &'static str) -> Self {
        Reader { data, at: 0, what }
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], VideoError> {
        let slice =
            self.data.get(self.at..self.at + n).ok_or_else(|| malformed(format!("the {} box is short", self.what)))?;
        self.at += n;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, VideoError> {
        Ok(self.bytes(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, VideoError> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, VideoError> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, VideoError> {
        let b = self.bytes(8)?;
        Ok(u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }

    /// An entry count, checked against the bytes left so a lying count cannot allocate.
    fn count(&mut self, entry_bytes: usize) -> Result<usize, VideoError> {
        let count = self.u32()? as usize;
        if count.saturating_mul(entry_bytes) > self.data.len() - self.at.min(self.data.len()) {
            return Err(malformed(format!("the {} box claims more entries than it holds", self.what)));
        }
        Ok(count)
    }
}

/// A track's sample entry, as found in its stsd box.
struct Entry<'a> {
    fourcc: [u8; 4],
    payload: &'a [u8],
}

fn parse_moov(moov: &[u8]) -> Result<Track, VideoError> {
    let clock_start = mvhd_creation(need(moov, b"mvhd")?)?;
    let mut found = Vec::new();
    for entry in children(moov) {
        let (kind, trak) = entry?;
        if &kind != b"trak" {
            continue;
        }
        let mdia = need(trak, b"mdia")?;
        let hdlr = need(mdia, b"hdlr")?;
        let handler: [u8; 4] = hdlr.get(8..12).and_then(|h| h.try_into().ok()).unwrap_or(*b"????");
        let stbl = need(need(mdia, b"minf")?, b"stbl")?;
        let entry = sample_entry(need(stbl, b"stsd")?)?;
        if &handler == b"vide" && matches!(&entry.fourcc, b"avc1" | b"avc3") {
            return video_track(mdia, stbl, &entry, clock_start);
        }
        found.push((handler, entry.fourcc));
    }
    let video: Vec<[u8; 4]> = found.iter().filter(|(h, _)| h == b"vide").map(|(_, f)| *f).collect();
    if let Some(fourcc) = video.first() {
        return Err(VideoError::UnsupportedCodec { codec: codec_name(fourcc).into(), fourcc: fourcc_text(fourcc) });
    }
    let described: Vec<String> =
        found.iter().map(|(h, f)| format!("{} ({})", handler_name(h), fourcc_text(f))).collect();
    Err(VideoError::NoVideoTrack {
        found: if described.is_empty() { "no tracks".into() } else { described.join(", ") },
    })
}

fn fourcc_text(fourcc: &[u8; 4]) -> String {
    String::from_utf8_lossy(fourcc).trim().to_string()
}

/// What a sample entry's four-character code means, for a refusal a person can act on.
fn codec_name(fourcc: &[u8; 4]) -> &'static str {
    match fourcc {
        b"hvc1" | b"hev1" => "H.265/HEVC",
        b"vp08" => "VP8",
        b"vp09" => "VP9",
        b"av01" => "AV1",
        b"mp4v" => "MPEG-4 Part 2",
        b"jpeg" | b"mjpa" | b"mjpb" => "Motion JPEG",
        b"dvh1" | b"dvhe" => "Dolby Vision",
        b"encv" => "encrypted",
        _ => "an unknown codec's",
    }
}

fn handler_name(handler: &[u8; 4]) -> &'static str {
    match handler {
        b"soun" => "audio",
        b"text" | b"sbtl" | b"subt" => "subtitles",
        b"meta" => "metadata",
        b"hint" => "hint",
        b"tmcd" => "timecode",
        _ => "other",
    }
}

fn mvhd_creation(mvhd: &[u8]) -> Result<Option<DateTime<Utc>>, VideoError> {
    let mut r = Reader::new(mvhd, "mvhd");
    let version = r.u8()?;
    r.bytes(3)?;
    let created = if version == 1 { r.u64()? } else { u64::from(r.u32()?) };
    if created == 0 {
        return Ok(None);
    }
    let unix = i64::try_from(created).ok().and_then(|s| s.checked_sub(MP4_EPOCH_OFFSET));
    Ok(unix.and_then(|s| DateTime::from_timestamp(s, 0)))
}

fn sample_entry(stsd: &[u8]) -> Result<Entry<'_>, VideoError> {
    let entries = stsd.get(8..).ok_or_else(|| malformed("the stsd box is short"))?;
    match children(entries).next() {
        Some(entry) => {
            let (fourcc, payload) = entry?;
            Ok(Entry { fourcc, payload })
        }
        None => Err(malformed("a track has no sample description")),
    }
}

fn video_track(
    mdia: &[u8],
    stbl: &[u8],
    entry: &Entry<'_>,
    clock_start: Option<DateTime<Utc>>,
) -> Result<Track, VideoError> {
    // A visual sample entry: 24 bytes, then width and height, then 50 bytes before its boxes.
    let mut r = Reader::new(entry.payload, "avc1");
    r.bytes(24)?;
    let (width, height) = (u32::from(r.u16()?), u32::from(r.u16()?));
    check_dimensions(width, height)?;
    let boxes = entry.payload.get(78..).ok_or_else(|| malformed("the avc1 box is short"))?;
    let (length_size, parameter_sets) = match child(boxes, b"avcC")? {
        Some(avcc) => parse_avcc(avcc)?,
        // avc3 may carry its parameter sets only in the stream; NAL sizes are then 4 bytes.
        None if &entry.fourcc == b"avc3" => (4, Vec::new()),
        None => return Err(malformed("the avc1 sample entry has no avcC box")),
    };
    let timescale = mdhd_timescale(need(mdia, b"mdhd")?)?;
    let tables = SampleTables::parse(stbl)?;
    let (samples, duration_ticks, frame_ticks) = tables.samples()?;
    if samples.is_empty() {
        return Err(malformed("the video track has no frames"));
    }
    Ok(Track {
        width,
        height,
        timescale,
        length_size,
        parameter_sets,
        samples,
        duration_ticks,
        frame_ticks,
        clock_start,
    })
}

pub(crate) fn check_dimensions(width: u32, height: u32) -> Result<(), VideoError> {
    if width < 16 || height < 16 || width > MAX_SIDE || height > MAX_SIDE || u64::from(width * height) > MAX_PIXELS {
        return Err(VideoError::TooLarge(format!("its frames are {width}x{height} pixels")));
    }
    Ok(())
}

fn parse_avcc(avcc: &[u8]) -> Result<(usize, Vec<Vec<u8>>), VideoError> {
    let mut r = Reader::new(avcc, "avcC");
    r.bytes(4)?;
    let length_size = usize::from(r.u8()? & 0b11) + 1;
    if length_size == 3 {
        return Err(malformed("the avcC box gives 3-byte NAL sizes, which H.264 does not allow"));
    }
    let mut sets = Vec::new();
    let sps_count = r.u8()? & 0x1f;
    for _ in 0..sps_count {
        let len = usize::from(r.u16()?);
        sets.push(r.bytes(len)?.to_vec());
    }
    let pps_count = r.u8()?;
    for _ in 0..pps_count {
        let len = usize::from(r.u16()?);
        sets.push(r.bytes(len)?.to_vec());
    }
    Ok((length_size, sets))
}

fn mdhd_timescale(mdhd: &[u8]) -> Result<u32, VideoError> {
    let mut r = Reader::new(mdhd, "mdhd");
    let version = r.u8()?;
    r.bytes(if version == 1 { 3 + 16 } else { 3 + 8 })?;
    match r.u32()? {
        0 => Err(malformed("the video track's timescale is zero")),
        t => Ok(t),
    }
}

/// The sample tables of a track's stbl box, still in their run-length forms.
#[derive(Debug, Default)]
struct SampleTables {
    /// (count, duration)
    stts: Vec<(u32, u32)>,
    /// (count, composition offset)
    ctts: Vec<(u32, i64)>,
    /// 1-based keyframe sample numbers; None means every sample is a keyframe.
    stss: Option<Vec<u32>>,
    sizes: Vec<u32>,
    /// (first chunk, samples per chunk)
    stsc: Vec<(u32, u32)>,
    chunk_offsets: Vec<u64>,
}

impl SampleTables {
    fn parse(stbl: &[u8]) -> Result<Self, VideoError> {
        let mut t = SampleTables::default();
        let mut r = Reader::new(need(stbl, b"stts")?, "stts");
        r.bytes(4)?;
        for _ in 0..r.count(8)? {
            t.stts.push((r.u32()?, r.u32()?));
        }
        if let Some(ctts) = child(stbl, b"ctts")? {
            let mut r = Reader::new(ctts, "ctts");
            let version = r.u8()?;
            r.bytes(3)?;
            for _ in 0..r.count(8)? {
                let count = r.u32()?;
                let raw = r.u32()?;
                // Version 1 offsets are signed; version 0 ones are unsigned but often written signed.
                let offset = if version == 1 || raw > i32::MAX as u32 { i64::from(raw as i32) } else { i64::from(raw) };
                t.ctts.push((count, offset));
            }
        }
        if let Some(stss) = child(stbl, b"stss")? {
            let mut r = Reader::new(stss, "stss");
            r.bytes(4)?;
            let count = r.count(4)?;
            let mut keys = Vec::with_capacity(count);
            for _ in 0..count {
                keys.push(r.u32()?);
            }
            t.stss = Some(keys);
        }
        let mut r = Reader::new(need(stbl, b"stsz")?, "stsz");
        r.bytes(4)?;
        let fixed = r.u32()?;
        let count = r.u32()? as usize;
        if count > MAX_SAMPLES {
            return Err(VideoError::TooLarge(format!("it has {count} frames")));
        }
        if fixed == 0 {
            if count.saturating_mul(4) > r.data.len() - r.at {
                return Err(malformed("the stsz box claims more entries than it holds"));
            }
            t.sizes = (0..count).map(|_| r.u32()).collect::<Result<_, _>>()?;
        } else {
            t.sizes = vec![fixed; count];
        }
        let mut r = Reader::new(need(stbl, b"stsc")?, "stsc");
        r.bytes(4)?;
        for _ in 0..r.count(12)? {
            let (first, per_chunk) = (r.u32()?, r.u32()?);
            r.u32()?;
            t.stsc.push((first, per_chunk));
        }
        if let Some(stco) = child(stbl, b"stco")? {
            let mut r = Reader::new(stco, "stco");
            r.bytes(4)?;
            t.chunk_offsets = (0..r.count(4)?).map(|_| r.u32().map(u64::from)).collect::<Result<_, _>>()?;
        } else {
            let mut r = Reader::new(need(stbl, b"co64")?, "co64");
            r.bytes(4)?;
            t.chunk_offsets = (0..r.count(8)?).map(|_| r.u64()).collect::<Result<_, _>>()?;
        }
        Ok(t)
    }

    /// Expands the tables into one entry per sample; also the total duration and the most
    /// common frame duration, in ticks.
    fn samples(&self) -> Result<(Vec<Sample>, u64, u32), VideoError> {
        let count = self.sizes.len();
        let mut samples = Vec::with_capacity(count);
        // Offsets: walk the chunks, each holding the samples-per-chunk of its stsc run.
        let mut run = 0;
        for (chunk, &chunk_offset) in self.chunk_offsets.iter().enumerate() {
            let chunk = chunk as u32 + 1;
            while self.stsc.get(run + 1).is_some_and(|(first, _)| *first <= chunk) {
                run += 1;
            }
            let per_chunk = self.stsc.get(run).filter(|(first, _)| *first <= chunk).map_or(0, |e| e.1);
            let mut offset = chunk_offset;
            for _ in 0..per_chunk {
                let Some(&size) = self.sizes.get(samples.len()) else { break };
                if size > MAX_SAMPLE_BYTES {
                    return Err(VideoError::TooLarge(format!("one of its frames is {size} bytes")));
                }
                samples.push(Sample { offset, size, pts: 0, sync: self.stss.is_none() });
                offset = offset.saturating_add(u64::from(size));
            }
        }
        if samples.len() != count {
            return Err(malformed("the chunk tables do not account for every frame"));
        }
        let mut dts = 0i64;
        let mut durations = self.stts.iter().flat_map(|&(n, d)| std::iter::repeat_n(d, n as usize));
        let mut offsets = self.ctts.iter().flat_map(|&(n, o)| std::iter::repeat_n(o, n as usize));
        for sample in &mut samples {
            let duration = durations.next().ok_or_else(|| malformed("the time table does not cover every frame"))?;
            sample.pts = dts + offsets.next().unwrap_or(0);
            dts += i64::from(duration);
        }
        for &key in self.stss.iter().flatten() {
            if let Some(sample) = (key as usize).checked_sub(1).and_then(|i| samples.get_mut(i)) {
                sample.sync = true;
            }
        }
        let frame_ticks = self.stts.iter().max_by_key(|(n, _)| *n).map_or(0, |e| e.1);
        if frame_ticks == 0 {
            return Err(malformed("the frames have no duration"));
        }
        Ok((samples, dts as u64, frame_ticks))
    }
}
