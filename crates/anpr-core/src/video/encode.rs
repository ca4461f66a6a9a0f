//! An H.264 MP4 writer: RGB frames in, OpenH264 (Baseline profile, no B-frames) encodes them,
//! the `mp4` crate muxes them at a fixed frame rate, and the movie header's creation time is
//! set to the video clock's start so the file carries its own clock.
//!
//! Single-threaded encoding with fixed settings: the same frames give the same bytes.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use image::RgbImage;
use mp4::{AvcConfig, MediaConfig, Mp4Config, Mp4Sample, Mp4Writer, TrackConfig, TrackType};
use openh264::OpenH264API;
use openh264::encoder::{
    Complexity, Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, QpRange, RateControlMode,
};
use openh264::formats::{RgbSliceU8, YUVBuffer};

use super::VideoError;
use super::container::{MP4_EPOCH_OFFSET, check_dimensions, children};

/// How to encode.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodeSettings {
    /// Even numbers, 16 to 3840 wide.
    pub width: u32,
    pub height: u32,
    /// Whole frames per second.
    pub fps: u32,
    /// A keyframe every this many frames: the most a seek has to decode.
    pub keyframe_interval: u32,
    /// Quantiser range: lower is sharper and larger (OpenH264 0..=51).
    pub quantiser: (u8, u8),
    /// Recorded as the MP4's creation time (whole seconds).
    pub clock_start: Option<DateTime<Utc>>,
}

/// What [`H264Writer::finish`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeSummary {
    pub frames: usize,
    pub keyframes: usize,
    pub bytes: u64,
}

/// Writes frames to an MP4 file as they come.
pub struct H264Writer {
    path: PathBuf,
    settings: EncodeSettings,
    encoder: Encoder,
    mp4: Mp4Writer<BufWriter<File>>,
    /// The SPS and PPS of the first frame; set once the track has been added.
    parameter_sets: Option<(Vec<u8>, Vec<u8>)>,
    frames: usize,
    keyframes: usize,
    sample: Vec<u8>,
}

impl std::fmt::Debug for H264Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("H264Writer").field("path", &self.path).field("frames", &self.frames).finish()
    }
}

fn encode_error(e: impl std::fmt::Display) -> VideoError {
    VideoError::Encode(e.to_string())
}

impl H264Writer {
    /// Creates (or replaces) the file at `path`.
    pub fn create(path: &Path, settings: &EncodeSettings) -> Result<Self, VideoError> {
        check_dimensions(settings.width, settings.height)?;
        if !settings.width.is_multiple_of(2)
            || !settings.height.is_multiple_of(2)
            || settings.width > 3840
            || settings.height > 2160
        {
            return Err(VideoError::Encode(format!(
                "{}x{} cannot be encoded: width and height must be even, at most 3840x2160",
                settings.width, settings.height
            )));
        }
        if settings.fps == 0 || settings.fps > 240 {
            return Err(VideoError::Encode(format!("{} frames per second is not a usable rate", settings.fps)));
        }
        let (qp_min, qp_max) = settings.quantiser;
        let config = EncoderConfig::new()
            .num_threads(1)
            .skip_frames(false)
            // No rate control: the quantiser range alone sets the quality, and every frame is kept.
            .rate_control_mode(RateControlMode::Off)
            .qp(QpRange::new(qp_min.min(51), qp_max.clamp(qp_min.min(51), 51)))
            .max_frame_rate(FrameRate::from_hz(settings.fps as f32))
            .intra_frame_period(IntraFramePeriod::from_num_frames(settings.keyframe_interval.max(1)))
            .scene_change_detect(false)
            .complexity(Complexity::Medium);
        let encoder = Encoder::with_api_config(OpenH264API::from_source(), config).map_err(encode_error)?;
        // Read as well as write: the movie header is found and dated after the muxer is done.
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(|source| VideoError::Io { path: path.to_owned(), source })?;
        let mp4_config = Mp4Config {
            major_brand: (*b"isom").into(),
            minor_version: 512,
            compatible_brands: vec![(*b"isom").into(), (*b"iso2").into(), (*b"avc1").into(), (*b"mp41").into()],
            timescale: 1000,
        };
        let mp4 = Mp4Writer::write_start(BufWriter::new(file), &mp4_config).map_err(encode_error)?;
        Ok(H264Writer {
            path: path.to_owned(),
            settings: settings.clone(),
            encoder,
            mp4,
            parameter_sets: None,
            frames: 0,
            keyframes: 0,
            sample: Vec::new(),
        })
    }

    /// Encodes and writes the next frame, which must have the settings' size.
    pub fn push(&mut self, frame: &RgbImage) -> Result<(), VideoError> {
        let (width, height) = (self.settings.width, self.settings.height);
        if frame.dimensions() != (width, height) {
            return Err(VideoError::Encode(format!(
                "frame {} is {}x{}, not {width}x{height}",
                self.frames,
                frame.width(),
                frame.height()
            )));
        }
        let yuv = YUVBuffer::from_rgb_source(RgbSliceU8::new(frame.as_raw(), (width as usize, height as usize)));
        let stream = self.encoder.encode(&yuv).map_err(encode_error)?;
        let is_sync = stream.frame_type() == FrameType::IDR;
        let (mut sps, mut pps) = (None, None);
        self.sample.clear();
        for l in 0..stream.num_layers() {
            let Some(layer) = stream.layer(l) else { continue };
            for i in 0..layer.nal_count() {
                let Some(nal) = layer.nal_unit(i).map(strip_start_code) else { continue };
                match nal.first().map(|b| b & 0x1f) {
                    Some(7) => sps = Some(nal.to_vec()),
                    Some(8) => pps = Some(nal.to_vec()),
                    Some(_) => {
                        // MP4 samples carry NAL units with 4-byte lengths instead of start codes.
                        self.sample.extend_from_slice(&(nal.len() as u32).to_be_bytes());
                        self.sample.extend_from_slice(nal);
                    }
                    None => {}
                }
            }
        }
        if self.sample.is_empty() {
            return Err(VideoError::Encode(format!("the encoder gave no picture for frame {}", self.frames)));
        }
        match (&self.parameter_sets, sps, pps) {
            (None, Some(sps), Some(pps)) => {
                let track = TrackConfig {
                    track_type: TrackType::Video,
                    timescale: self.settings.fps * 1000,
                    language: "und".into(),
                    media_conf: MediaConfig::AvcConfig(AvcConfig {
                        width: width as u16,
                        height: height as u16,
                        seq_param_set: sps.clone(),
                        pic_param_set: pps.clone(),
                    }),
                };
                self.mp4.add_track(&track).map_err(encode_error)?;
                self.parameter_sets = Some((sps, pps));
            }
            (None, _, _) => return Err(VideoError::Encode("the encoder's first frame has no SPS/PPS".into())),
            // The sample entry holds one SPS/PPS pair; a stream that changed them would not decode.
            (Some(sets), Some(sps), Some(pps)) if sets.0 != sps || sets.1 != pps => {
                return Err(VideoError::Encode("the encoder changed its parameter sets mid-stream".into()));
            }
            _ => {}
        }
        let sample = Mp4Sample {
            start_time: self.frames as u64 * 1000,
            duration: 1000,
            rendering_offset: 0,
            is_sync,
            bytes: std::mem::take(&mut self.sample).into(),
        };
        self.mp4.write_sample(1, &sample).map_err(encode_error)?;
        self.frames += 1;
        self.keyframes += usize::from(is_sync);
        Ok(())
    }

    /// Writes the index (moov), sets the creation time and closes the file.
    pub fn finish(mut self) -> Result<EncodeSummary, VideoError> {
        if self.frames == 0 {
            return Err(VideoError::Encode("no frames were written".into()));
        }
        self.mp4.write_end().map_err(encode_error)?;
        let io = |source| VideoError::Io { path: self.path.clone(), source };
        let mut file = self.mp4.into_writer().into_inner().map_err(|e| io(e.into_error()))?;
        if let Some(start) = self.settings.clock_start {
            set_creation_time(&mut file, start).map_err(io)??;
        }
        file.sync_all().map_err(io)?;
        let bytes = file.metadata().map_err(io)?.len();
        Ok(EncodeSummary { frames: self.frames, keyframes: self.keyframes, bytes })
    }
}

fn strip_start_code(nal: &[u8]) -> &[u8] {
    let zeros = nal.iter().take_while(|&&b| b == 0).count();
    match nal.get(zeros) {
        Some(1) if zeros >= 2 => &nal[zeros + 1..],
        _ => nal,
    }
}

/// Writes `start` into the movie header (mvhd) as both creation and modification time: the
/// `mp4` crate always writes zero there. The moov box is the last box the writer wrote.
fn set_creation_time(file: &mut File, start: DateTime<Utc>) -> std::io::Result<Result<(), VideoError>> {
    let seconds = u32::try_from(start.timestamp() + MP4_EPOCH_OFFSET).unwrap_or(0);
    let len = file.metadata()?.len();
    let mut at = 0u64;
    while at + 8 <= len {
        let mut header = [0u8; 8];
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut header)?;
        let size = u64::from(u32::from_be_bytes([header[0], header[1], header[2], header[3]]));
        if &header[4..8] == b"moov" {
            let mut moov = vec![0u8; size.saturating_sub(8) as usize];
            file.read_exact(&mut moov)?;
            let mut offset = 8u64;
            for entry in children(&moov) {
                let Ok((kind, payload)) = entry else { break };
                if &kind == b"mvhd" && payload.first() == Some(&0) {
                    // Version 0: version and flags (4 bytes), then the two 32-bit times.
                    file.seek(SeekFrom::Start(at + offset + 8 + 4))?;
                    file.write_all(&seconds.to_be_bytes())?;
                    file.write_all(&seconds.to_be_bytes())?;
                    return Ok(Ok(()));
                }
                offset += payload.len() as u64 + 8;
            }
            break;
        }
        if size < 8 {
            break;
        }
        at += size;
    }
    Ok(Err(VideoError::Encode("the written file has no version-0 movie header to date".into())))
}
