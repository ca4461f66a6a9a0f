//! Local video: MP4 files with H.264 video, decoded on this machine with OpenH264 (built from
//! bundled source, no system codec), and the H.264 MP4 writer the demo kit uses.
//!
//! [`Video::open`] reads the file's index and refuses, naming what it found, anything it
//! cannot decode (not an MP4, no video track, H.265, AV1 ...). Frames are numbered 0, 1, 2 ...
//! in presentation order (composition offsets applied, so B-frames are placed where they are
//! shown). [`Video::frame`] is frame-accurate: it starts the decoder at the keyframe before the
//! frame and decodes forward, keeping a bounded cache of recent frames and the decoder's
//! position, so stepping forward or playing decodes one frame per step. [`Video::frames`] walks
//! every frame once for whole-video scans, reporting progress.
//!
//! Module map: `container` (the MP4 boxes and sample index), `decode` (decoder cursor, frame
//! cache), `encode` (H.264 MP4 writer), `passes` (candidate vehicle passes over a read line).

mod container;
mod decode;
mod encode;
mod passes;

use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use image::RgbImage;

use decode::{Cursor, FrameCache, Index};
pub use encode::{EncodeSettings, EncodeSummary, H264Writer};
use openh264::formats::YUVSource;
pub use passes::{band_activity, find_passes, propose_passes};

/// What the workstation can decode, for every refusal.
pub const SUPPORTED: &str = "the workstation decodes MP4 files with H.264 (AVC) video";

/// The decoded-frame cache holds at most this many frames ...
const CACHE_FRAMES: usize = 64;
/// ... and at most this many bytes of them (4K frames are 25 MB each).
const CACHE_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    #[error("cannot open {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot read the video file: {0}")]
    Read(#[source] std::io::Error),
    #[error("this file cannot be opened as a video: {reason}; {SUPPORTED}")]
    NotMp4 { reason: String },
    #[error("{codec} ({fourcc}) video cannot be decoded here; {SUPPORTED}")]
    UnsupportedCodec { codec: String, fourcc: String },
    #[error("the MP4 has no video track (it holds {found}); {SUPPORTED}")]
    NoVideoTrack { found: String },
    #[error(
        "fragmented MP4 (moof boxes, as some streaming recorders write) is not supported; {SUPPORTED} in a \
         regular MP4: remux it without re-encoding, e.g. `ffmpeg -i in.mp4 -c copy out.mp4`"
    )]
    Fragmented,
    #[error("the H.264 video ({profile}) cannot be decoded here: {message}; {SUPPORTED}, 8-bit 4:2:0")]
    UndecodableStream { profile: String, message: String },
    #[error("the MP4 is damaged: {0}")]
    Malformed(String),
    #[error("the video is too large to open here: {0}")]
    TooLarge(String),
    #[error("frame {frame} cannot be decoded: {message}")]
    Decode { frame: usize, message: String },
    #[error("there is no frame {frame}: the video has {count} frames, numbered from 0")]
    FrameOutOfRange { frame: usize, count: usize },
    #[error("cannot write the video: {0}")]
    Encode(String),
    #[error("lane {lane}'s read line cannot be used: {reason}")]
    Band { lane: u32, reason: String },
    #[error("cannot look for passes with these settings: {0}")]
    PassParams(String),
}

impl VideoError {
    /// A stable code for the UI: `video_unsupported` when the file is not something the
    /// workstation decodes (the message says what is), else `video`.
    pub fn code(&self) -> &'static str {
        match self {
            VideoError::NotMp4 { .. }
            | VideoError::UnsupportedCodec { .. }
            | VideoError::NoVideoTrack { .. }
            | VideoError::Fragmented
            | VideoError::UndecodableStream { .. } => "video_unsupported",
            _ => "video",
        }
    }
}

/// The JPEG quality frames are shown at (`Video::frame_jpeg` for the marking screen): enough
/// to read a plate on screen.
pub const SCREEN_JPEG_QUALITY: u8 = 85;

/// Frames done so far of a whole-video walk (a shared type: the screen shows it).
pub use anpr_types::VideoProgress;

/// A decoded frame's luma plane: row `y` is `data[y * stride..][..width]`.
#[derive(Debug, Clone, Copy)]
pub struct LumaPlane<'a> {
    pub width: usize,
    pub height: usize,
    pub stride: usize,
    pub data: &'a [u8],
}

impl LumaPlane<'_> {
    /// Luma of row `y`, columns `x0..x1` (clipped to the picture).
    pub fn row(&self, y: usize, x0: usize, x1: usize) -> &[u8] {
        let x1 = x1.min(self.width);
        let start = y * self.stride;
        self.data.get(start + x0.min(x1)..start + x1).unwrap_or(&[])
    }
}

/// An open H.264 MP4 file.
#[derive(Debug)]
pub struct Video {
    path: PathBuf,
    file: File,
    index: Index,
    cursor: Option<Cursor>,
    cache: FrameCache,
}

impl Video {
    /// Opens the file and checks that its first frame decodes.
    pub fn open(path: &Path) -> Result<Self, VideoError> {
        let mut file = File::open(path).map_err(|source| VideoError::Io { path: path.to_owned(), source })?;
        let track = container::read_track(path, &mut file)?;
        let frame_bytes = track.width as usize * track.height as usize * 3;
        let cache = FrameCache::new((CACHE_BYTES / frame_bytes).clamp(2, CACHE_FRAMES));
        let mut video = Video { path: path.to_owned(), file, index: Index::new(track), cursor: None, cache };
        // A stream OpenH264 cannot decode (e.g. 10-bit or 4:2:2) is refused now, not at some frame later.
        match video.frame(0) {
            Ok(_) => Ok(video),
            Err(VideoError::Decode { message, .. }) => {
                Err(VideoError::UndecodableStream { profile: video.profile(), message })
            }
            Err(e) => Err(e),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn width(&self) -> u32 {
        self.index.track.width
    }

    pub fn height(&self) -> u32 {
        self.index.track.height
    }

    pub fn frame_count(&self) -> usize {
        self.index.frame_count()
    }

    /// Frames per second, from the most common frame duration.
    pub fn frame_rate(&self) -> f64 {
        f64::from(self.index.track.timescale) / f64::from(self.index.track.frame_ticks)
    }

    pub fn duration(&self) -> Duration {
        ticks_to_duration(self.index.track.duration_ticks, self.index.track.timescale)
    }

    /// When the recording started, on the video's clock: the MP4's creation time (mvhd), or
    /// `None` when the file does not record one (zero).
    pub fn clock_start(&self) -> Option<DateTime<Utc>> {
        self.index.track.clock_start
    }

    /// When frame `n` is shown, from the start of the video; `None` past the last frame.
    pub fn frame_time(&self, n: usize) -> Option<Duration> {
        let decode = *self.index.order.get(n)?;
        let ticks = self.index.track.samples[decode as usize].pts - self.index.first_pts;
        Some(ticks_to_duration(ticks.max(0) as u64, self.index.track.timescale))
    }

    /// The frame on screen at `time` from the start of the video (the last one after the end).
    pub fn frame_at(&self, time: Duration) -> usize {
        let count = self.frame_count();
        let shown = |n: usize| self.frame_time(n).is_some_and(|t| t <= time);
        let mut range = 0..count;
        // Binary search for the first frame shown after `time`.
        while range.start < range.end {
            let mid = range.start + (range.end - range.start) / 2;
            if shown(mid) { range.start = mid + 1 } else { range.end = mid }
        }
        range.start.saturating_sub(1)
    }

    /// Frame `n` (presentation order), decoded exactly: from the cache, by decoding on from
    /// where the decoder stands when `n` is ahead of it in the same group of pictures, or else
    /// from the keyframe that starts `n`'s group.
    pub fn frame(&mut self, n: usize) -> Result<RgbImage, VideoError> {
        let count = self.frame_count();
        if n >= count {
            return Err(VideoError::FrameOutOfRange { frame: n, count });
        }
        if let Some(image) = self.cache.get(n) {
            return Ok(image.clone());
        }
        let gop = self.index.gop_of(self.index.order[n]);
        let slot = n.saturating_sub(self.index.gop_first[gop] as usize) as u32;
        let resume = self.cursor.as_ref().is_some_and(|c| c.gop == gop && c.produced <= slot);
        let mut cursor = match self.cursor.take() {
            Some(cursor) if resume => cursor,
            _ => Cursor::start(&self.index, gop)?,
        };
        // Keep the frames just before the target too: stepping back is then free.
        let keep_from = n.saturating_sub(self.cache.capacity / 2);
        let keep = |m: usize| m >= keep_from;
        let mut found = None;
        while found.is_none() && cursor.gop <= gop {
            let Some(frames) = cursor.step(&self.index, &mut self.file, &keep)? else { break };
            for (m, image) in frames {
                if m == n {
                    found = Some(image.clone());
                }
                self.cache.insert(m, image);
            }
        }
        self.cursor = Some(cursor);
        found.ok_or_else(|| VideoError::Decode { frame: n, message: "the decoder gave no picture for it".into() })
    }

    /// Frame `n` as a JPEG at `quality` (1-100), for showing on screen: a reproduction of the
    /// recording, never evidence.
    pub fn frame_jpeg(&mut self, n: usize, quality: u8) -> Result<Vec<u8>, VideoError> {
        let image = self.frame(n)?;
        let mut out = Vec::with_capacity(image.as_raw().len() / 8);
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100))
            .encode_image(&image)
            .map_err(|e| VideoError::Encode(e.to_string()))?;
        Ok(out)
    }

    /// Every frame in order, decoded once each, for whole-video scans; `progress` is called
    /// after each frame. Does not disturb the cache or [`Video::frame`]'s decoder.
    pub fn frames<'v>(&'v mut self, progress: &'v mut dyn FnMut(VideoProgress)) -> Frames<'v> {
        Frames { video: self, cursor: None, pending: VecDeque::new(), progress, done: 0, failed: false }
    }

    /// Every frame in order, decoded once each, handing `visit` only its luma (Y) plane as
    /// the decoder holds it: no colour conversion and no copy, for scans that need brightness
    /// alone (motion detection); `progress` is called after each frame. Like
    /// [`Video::frames`], it leaves the cache and [`Video::frame`]'s decoder alone.
    pub fn scan_luma(
        &mut self,
        progress: &mut dyn FnMut(VideoProgress),
        visit: &mut dyn FnMut(usize, &LumaPlane<'_>),
    ) -> Result<(), VideoError> {
        let total = self.frame_count();
        let (width, height) = (self.width() as usize, self.height() as usize);
        let mut cursor = Cursor::start(&self.index, 0)?;
        let mut done = 0;
        while cursor.advance(&self.index, &mut self.file, &mut |n, yuv| {
            visit(n, &LumaPlane { width, height, stride: yuv.strides().0, data: yuv.y() });
            done += 1;
            progress(VideoProgress { done, total });
            Ok(())
        })? {}
        Ok(())
    }

    /// The H.264 profile named in the stream's parameter set, for messages.
    fn profile(&self) -> String {
        let idc = self.index.track.parameter_sets.iter().find(|s| s.first().is_some_and(|b| b & 0x1f == 7));
        match idc.and_then(|sps| sps.get(1)) {
            Some(66) => "Baseline profile".into(),
            Some(77) => "Main profile".into(),
            Some(88) => "Extended profile".into(),
            Some(100) => "High profile".into(),
            Some(110) => "High 10 profile".into(),
            Some(122) => "High 4:2:2 profile".into(),
            Some(244) => "High 4:4:4 profile".into(),
            Some(other) => format!("profile {other}"),
            None => "profile not stated in the file".into(),
        }
    }
}

fn ticks_to_duration(ticks: u64, timescale: u32) -> Duration {
    let nanos = u128::from(ticks) * 1_000_000_000 / u128::from(timescale.max(1));
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// The iterator of [`Video::frames`]: `(frame number, picture)` in presentation order.
pub struct Frames<'v> {
    video: &'v mut Video,
    cursor: Option<Cursor>,
    pending: VecDeque<(usize, RgbImage)>,
    progress: &'v mut dyn FnMut(VideoProgress),
    done: usize,
    failed: bool,
}

impl std::fmt::Debug for Frames<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frames").field("cursor", &self.cursor).field("done", &self.done).finish()
    }
}

impl Iterator for Frames<'_> {
    type Item = Result<(usize, RgbImage), VideoError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(frame) = self.pending.pop_front() {
                self.done += 1;
                (self.progress)(VideoProgress { done: self.done, total: self.video.frame_count() });
                return Some(Ok(frame));
            }
            if self.failed {
                return None;
            }
            let result = match &mut self.cursor {
                Some(cursor) => cursor.step(&self.video.index, &mut self.video.file, &|_| true),
                None => Cursor::start(&self.video.index, 0).map(|c| {
                    self.cursor = Some(c);
                    Some(Vec::new())
                }),
            };
            match result {
                Ok(Some(frames)) => self.pending.extend(frames),
                Ok(None) => return None,
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
    }
}
