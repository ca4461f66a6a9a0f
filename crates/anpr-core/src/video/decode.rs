//! H.264 decoding with OpenH264: the keyframe index, a decoder cursor that walks a group of
//! pictures (GOP) in decode order and numbers what comes out in presentation order, and the
//! cache of decoded frames.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use image::RgbImage;
use openh264::OpenH264API;
use openh264::decoder::{DecodeOptions, DecodedYUV, Decoder, DecoderConfig, Flush};
use openh264::formats::YUVSource;

use super::VideoError;
use super::container::Track;

/// The track with its orderings: frames are numbered in presentation order, samples are fed
/// to the decoder in decode order, and decoding can only start at a keyframe.
#[derive(Debug)]
pub(crate) struct Index {
    pub track: Track,
    /// Presentation number -> decode number, and back.
    pub order: Vec<u32>,
    pub position: Vec<u32>,
    /// Decode numbers of the keyframes, ascending; the first sample always starts a GOP.
    pub keyframes: Vec<u32>,
    /// Per GOP: the presentation number of its first frame, and how many frames it holds.
    pub gop_first: Vec<u32>,
    pub gop_len: Vec<u32>,
    /// Presentation time of the first frame, in ticks; frame times count from it.
    pub first_pts: i64,
}

impl Index {
    pub(crate) fn new(track: Track) -> Self {
        let samples = &track.samples;
        let mut order: Vec<u32> = (0..samples.len() as u32).collect();
        order.sort_by_key(|&d| (samples[d as usize].pts, d));
        let mut position = vec![0u32; samples.len()];
        for (p, &d) in order.iter().enumerate() {
            position[d as usize] = p as u32;
        }
        let keyframes: Vec<u32> = (0..samples.len() as u32).filter(|&d| d == 0 || samples[d as usize].sync).collect();
        let mut gop_first = Vec::with_capacity(keyframes.len());
        let mut gop_len = Vec::with_capacity(keyframes.len());
        for (g, &start) in keyframes.iter().enumerate() {
            let end = keyframes.get(g + 1).map_or(samples.len(), |&k| k as usize);
            // Closed GOPs present exactly their own samples; the first presented is the earliest.
            gop_first.push((start as usize..end).map(|d| position[d]).min().unwrap_or(0));
            gop_len.push((end - start as usize) as u32);
        }
        let first_pts = order.first().map_or(0, |&d| samples[d as usize].pts);
        Index { track, order, position, keyframes, gop_first, gop_len, first_pts }
    }

    pub(crate) fn frame_count(&self) -> usize {
        self.order.len()
    }

    /// The GOP holding sample `decode`.
    pub(crate) fn gop_of(&self, decode: u32) -> usize {
        self.keyframes.partition_point(|&k| k <= decode).saturating_sub(1)
    }
}

/// A decoder part-way through the stream.
pub(crate) struct Cursor {
    decoder: Decoder,
    /// The next sample (decode number) to feed.
    pub next: usize,
    /// The GOP being decoded and how many of its frames have come out.
    pub gop: usize,
    pub produced: u32,
    finished: bool,
    annex_b: Vec<u8>,
    sample: Vec<u8>,
}

impl std::fmt::Debug for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cursor")
            .field("next", &self.next)
            .field("gop", &self.gop)
            .field("produced", &self.produced)
            .finish()
    }
}

impl Cursor {
    /// A fresh decoder at the keyframe starting GOP `gop`, primed with the parameter sets.
    pub(crate) fn start(index: &Index, gop: usize) -> Result<Self, VideoError> {
        // No automatic flushing: with B-frames a flush after each sample would give frames
        // out of order; the GOP's last frames are flushed when it ends.
        let config = DecoderConfig::new().flush_after_decode(Flush::NoFlush);
        let mut decoder =
            Decoder::with_api_config(OpenH264API::from_source(), config).map_err(|e| decode_error(0, e))?;
        let mut annex_b = Vec::new();
        for set in &index.track.parameter_sets {
            annex_b.extend_from_slice(&[0, 0, 0, 1]);
            annex_b.extend_from_slice(set);
        }
        if !annex_b.is_empty() {
            decoder.decode(&annex_b).map_err(|e| decode_error(0, e))?;
        }
        let next = index.keyframes.get(gop).map_or(0, |&k| k as usize);
        Ok(Cursor { decoder, next, gop, produced: 0, finished: false, annex_b, sample: Vec::new() })
    }

    /// Feeds the next sample (at the end of the stream: flushes the decoder) and returns the
    /// frames that came out whose presentation number `keep` accepts, converted to RGB.
    /// `None` once everything has come out.
    pub(crate) fn step(
        &mut self,
        index: &Index,
        file: &mut File,
        keep: &dyn Fn(usize) -> bool,
    ) -> Result<Option<Vec<(usize, RgbImage)>>, VideoError> {
        let mut out = Vec::new();
        let more = self.advance(index, file, &mut |number, yuv| {
            if keep(number) {
                out.push((number, to_rgb(yuv, index, number)?));
            }
            Ok(())
        })?;
        Ok(more.then_some(out))
    }

    /// Feeds the next sample (at the end of the stream: flushes the decoder) and hands each
    /// picture that comes out to `sink` with its presentation number, as the decoder holds it
    /// (no conversion, no copy). `false` once everything has come out.
    pub(crate) fn advance(&mut self, index: &Index, file: &mut File, sink: &mut Sink<'_>) -> Result<bool, VideoError> {
        if self.next >= index.track.samples.len() {
            if self.finished {
                return Ok(false);
            }
            self.finished = true;
            self.flush(index, sink)?;
            return Ok(true);
        }
        if index.keyframes.get(self.gop + 1).is_some_and(|&k| k as usize == self.next) {
            self.flush(index, sink)?;
            self.gop += 1;
            self.produced = 0;
        }
        let sample = index.track.samples[self.next];
        self.sample.resize(sample.size as usize, 0);
        file.seek(SeekFrom::Start(sample.offset))
            .and_then(|_| file.read_exact(&mut self.sample))
            .map_err(VideoError::Read)?;
        let frame = index.position[self.next] as usize;
        to_annex_b(&self.sample, index.track.length_size, &mut self.annex_b).map_err(|message| VideoError::Decode {
            frame,
            message: format!("the coded picture is damaged: {message}"),
        })?;
        self.next += 1;
        let options = DecodeOptions::new().flush_after_decode(Flush::NoFlush);
        if let Some(yuv) =
            self.decoder.decode_with_options(&self.annex_b, options).map_err(|e| decode_error(frame, e))?
        {
            let number = slot(index, self.gop, &mut self.produced)?;
            check_size(&yuv, index, number)?;
            sink(number, &yuv)?;
        }
        Ok(true)
    }

    /// Takes the frames still held in the decoder at the end of a GOP, and checks that every
    /// frame of the GOP came out (so none was numbered wrongly).
    fn flush(&mut self, index: &Index, sink: &mut Sink<'_>) -> Result<(), VideoError> {
        let first = index.gop_first[self.gop] as usize;
        for yuv in self.decoder.flush_remaining().map_err(|e| decode_error(first, e))? {
            let number = slot(index, self.gop, &mut self.produced)?;
            check_size(&yuv, index, number)?;
            sink(number, &yuv)?;
        }
        if self.produced != index.gop_len[self.gop] {
            return Err(VideoError::Decode {
                frame: first + self.produced as usize,
                message: format!(
                    "the decoder gave {} pictures for a group of {} frames starting at frame {first}",
                    self.produced, index.gop_len[self.gop]
                ),
            });
        }
        Ok(())
    }
}

/// What [`Cursor::advance`] does with each picture: its presentation number and its planes.
pub(crate) type Sink<'s> = dyn FnMut(usize, &DecodedYUV<'_>) -> Result<(), VideoError> + 's;

/// The presentation number of the next frame out of the decoder in GOP `gop`.
fn slot(index: &Index, gop: usize, produced: &mut u32) -> Result<usize, VideoError> {
    let first = index.gop_first[gop] as usize;
    if *produced >= index.gop_len[gop] {
        return Err(VideoError::Decode {
            frame: first,
            message: "the decoder gave more pictures than the group of frames holds".into(),
        });
    }
    *produced += 1;
    Ok(first + *produced as usize - 1)
}

fn decode_error(frame: usize, e: openh264::Error) -> VideoError {
    VideoError::Decode { frame, message: e.to_string() }
}

/// The picture has the size the file declares (the RGB and luma readers rely on it).
fn check_size(yuv: &DecodedYUV<'_>, index: &Index, frame: usize) -> Result<(), VideoError> {
    let (width, height) = yuv.dimensions();
    if (width as u32, height as u32) != (index.track.width, index.track.height) {
        return Err(VideoError::Decode {
            frame,
            message: format!(
                "the picture is {width}x{height} but the file says {}x{}",
                index.track.width, index.track.height
            ),
        });
    }
    Ok(())
}

fn to_rgb(yuv: &DecodedYUV<'_>, index: &Index, frame: usize) -> Result<RgbImage, VideoError> {
    let (width, height) = (index.track.width, index.track.height);
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    yuv.write_rgb8(&mut rgb);
    RgbImage::from_raw(width, height, rgb)
        .ok_or_else(|| VideoError::Decode { frame, message: "the picture buffer has the wrong size".into() })
}

/// Rewrites an MP4 sample (NAL units each preceded by its length) as an Annex B byte stream
/// (each NAL unit preceded by a start code), which is what OpenH264 reads.
pub(crate) fn to_annex_b(sample: &[u8], length_size: usize, out: &mut Vec<u8>) -> Result<(), String> {
    out.clear();
    let mut rest = sample;
    while !rest.is_empty() {
        let Some((prefix, tail)) = rest.split_at_checked(length_size) else {
            return Err("a NAL unit's length is cut off".into());
        };
        let len = prefix.iter().fold(0usize, |acc, &b| acc << 8 | usize::from(b));
        let Some((nal, tail)) = tail.split_at_checked(len) else {
            return Err(format!("a NAL unit claims {len} bytes but only {} remain", tail.len()));
        };
        out.extend_from_slice(&[0, 0, 0, 1]);
        out.extend_from_slice(nal);
        rest = tail;
    }
    Ok(())
}

/// The most recently used decoded frames, bounded in number.
#[derive(Debug)]
pub(crate) struct FrameCache {
    frames: VecDeque<(usize, RgbImage)>,
    pub capacity: usize,
}

impl FrameCache {
    pub(crate) fn new(capacity: usize) -> Self {
        FrameCache { frames: VecDeque::with_capacity(capacity), capacity }
    }

    pub(crate) fn get(&mut self, frame: usize) -> Option<&RgbImage> {
        let at = self.frames.iter().position(|(n, _)| *n == frame)?;
        let entry = self.frames.remove(at)?;
        self.frames.push_back(entry);
        self.frames.back().map(|(_, image)| image)
    }

    pub(crate) fn insert(&mut self, frame: usize, image: RgbImage) {
        self.frames.retain(|(n, _)| *n != frame);
        while self.frames.len() >= self.capacity {
            self.frames.pop_front();
        }
        self.frames.push_back((frame, image));
    }
}
