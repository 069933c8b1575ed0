//! Audio input for `telefax decode`: WAV files (through `symphonia`), headerless raw audio, and
//! resampling to the 8000 Hz the modems run at (through `rubato`).
//!
//! Everything here works on whole files in memory: a one-hour stereo recording at 8 kHz is
//! 115 MB of samples, which is acceptable for a command-line tool. The input size is capped
//! ([`MAX_SAMPLES`]) so that a hostile header cannot make us allocate without bound.

use std::io::Cursor;

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as SymErr;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

/// The sample rate every modem receiver runs at.
pub const MODEM_RATE: u32 = 8000;

/// Upper bound on the number of input samples (all channels) we accept: 4 hours of stereo
/// audio at 48 kHz.
pub const MAX_SAMPLES: usize = 4 * 3600 * 48_000 * 2;

/// Errors reading audio.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AudioError {
    /// The container or codec could not be read.
    #[error("cannot read audio: {0}")]
    Format(String),
    /// The file holds something we do not handle (e.g. more than two channels).
    #[error("unsupported audio: {0}")]
    Unsupported(String),
    /// The file holds more audio than [`MAX_SAMPLES`].
    #[error("audio too long (more than {MAX_SAMPLES} samples)")]
    TooLong,
    /// The resampler refused the conversion.
    #[error("resampling from {rate} Hz failed: {msg}")]
    Resample {
        /// The input sample rate.
        rate: u32,
        /// What the resampler said.
        msg: String,
    },
}

/// Encodings of headerless raw input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RawEncoding {
    /// Signed 16-bit little-endian linear PCM.
    S16le,
    /// G.711 A-law, one byte per sample.
    Alaw,
    /// G.711 µ-law, one byte per sample.
    Ulaw,
}

/// Decoded audio, resampled to 8000 Hz: one `Vec<i16>` per channel (one or two).
#[derive(Debug, Clone)]
pub struct Audio {
    /// The sample rate of the input before resampling.
    pub input_rate: u32,
    /// A short description of the input format, e.g. `"wav pcm_s16le"`.
    pub format: String,
    /// The channels at 8000 Hz.
    pub channels: Vec<Vec<i16>>,
}

impl Audio {
    /// Length in seconds.
    pub fn duration_s(&self) -> f64 {
        self.channels.first().map_or(0, |c| c.len()) as f64 / f64::from(MODEM_RATE)
    }
}

/// Read a WAV (or other symphonia-supported container) from bytes.
pub fn read_wav(bytes: Vec<u8>) -> Result<Audio, AudioError> {
    let mss = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    let mut hint = Hint::new();
    hint.with_extension("wav");
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(sym_err)?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| AudioError::Unsupported("no audio track".into()))?;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| AudioError::Unsupported("no audio codec parameters".into()))?
        .clone();
    let track_id = track.id;
    let codec_name = format!("{:?}", params.codec);
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(sym_err)?;
    let mut rate = params.sample_rate.unwrap_or(0);
    let mut nch = params.channels.as_ref().map_or(0, |c| c.count());
    let mut interleaved: Vec<f32> = Vec::new();
    let mut block: Vec<f32> = Vec::new();
    loop {
        let packet = match format.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(SymErr::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(sym_err(e)),
        };
        if packet.track_id != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(buf) => {
                let spec = buf.spec();
                rate = spec.rate();
                nch = spec.channels().count();
                buf.copy_to_vec_interleaved(&mut block);
                if interleaved.len() + block.len() > MAX_SAMPLES {
                    return Err(AudioError::TooLong);
                }
                interleaved.extend_from_slice(&block);
            }
            // A damaged packet: skip it, keep the rest of the recording.
            Err(SymErr::DecodeError(_)) => continue,
            Err(e) => return Err(sym_err(e)),
        }
    }
    if nch == 0 || nch > 2 {
        return Err(AudioError::Unsupported(format!(
            "{nch} channels (only mono and stereo recordings are supported)"
        )));
    }
    if rate == 0 {
        return Err(AudioError::Unsupported("sample rate 0".into()));
    }
    let mut chans: Vec<Vec<f32>> = vec![Vec::with_capacity(interleaved.len() / nch); nch];
    for frame in interleaved.chunks_exact(nch) {
        for (c, &s) in chans.iter_mut().zip(frame) {
            c.push(s);
        }
    }
    let format = format!("wav {codec_name}");
    finish(chans, rate, format)
}

/// Read headerless raw audio (mono) at `rate` Hz.
pub fn read_raw(bytes: &[u8], rate: u32, encoding: RawEncoding) -> Result<Audio, AudioError> {
    if rate == 0 {
        return Err(AudioError::Unsupported("sample rate 0".into()));
    }
    let samples: Vec<f32> = match encoding {
        RawEncoding::S16le => bytes
            .chunks_exact(2)
            .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
            .collect(),
        RawEncoding::Alaw => bytes
            .iter()
            .map(|&b| f32::from(telefax::dsp::g711::alaw_decode(b)) / 32768.0)
            .collect(),
        RawEncoding::Ulaw => bytes
            .iter()
            .map(|&b| f32::from(telefax::dsp::g711::ulaw_decode(b)) / 32768.0)
            .collect(),
    };
    if samples.len() > MAX_SAMPLES {
        return Err(AudioError::TooLong);
    }
    finish(
        vec![samples],
        rate,
        format!("raw {encoding:?}").to_lowercase(),
    )
}

fn finish(chans: Vec<Vec<f32>>, rate: u32, format: String) -> Result<Audio, AudioError> {
    let chans = if rate == MODEM_RATE {
        chans
    } else {
        resample(chans, rate)?
    };
    let channels = chans
        .into_iter()
        .map(|c| {
            c.into_iter()
                .map(|s| (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
                .collect()
        })
        .collect();
    Ok(Audio {
        input_rate: rate,
        format,
        channels,
    })
}

/// Resample every channel from `rate` to 8000 Hz with rubato's FFT resampler.
fn resample(chans: Vec<Vec<f32>>, rate: u32) -> Result<Vec<Vec<f32>>, AudioError> {
    use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
    use rubato::{Fft, FixedSync, Resampler};
    let err = |msg: String| AudioError::Resample { rate, msg };
    let nch = chans.len();
    let len = chans.first().map_or(0, Vec::len);
    if len == 0 {
        return Ok(vec![Vec::new(); nch]);
    }
    let mut rs = Fft::<f32>::new(
        rate as usize,
        MODEM_RATE as usize,
        1024,
        nch,
        FixedSync::Input,
    )
    .map_err(|e| err(e.to_string()))?;
    let out_len = rs.process_all_needed_output_len(len);
    let mut out = vec![vec![0f32; out_len]; nch];
    let input = SequentialSliceOfVecs::new(&chans, nch, len).map_err(|e| err(e.to_string()))?;
    let mut output =
        SequentialSliceOfVecs::new_mut(&mut out, nch, out_len).map_err(|e| err(e.to_string()))?;
    let (_, produced) = rs
        .process_all_into_buffer(&input, &mut output, len, None)
        .map_err(|e| err(e.to_string()))?;
    for c in &mut out {
        c.truncate(produced);
    }
    Ok(out)
}

fn sym_err(e: SymErr) -> AudioError {
    match e {
        SymErr::Unsupported(m) => AudioError::Unsupported(m.to_string()),
        other => AudioError::Format(other.to_string()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A WAV header (RIFF, fmt, data chunk header) for `data_len` bytes of samples.
    pub(crate) fn wav_header(
        tag: u16,
        channels: u16,
        rate: u32,
        bits: u16,
        data_len: u32,
    ) -> Vec<u8> {
        let block = channels * bits / 8;
        // Formats other than PCM carry a cbSize field: an 18-byte fmt chunk.
        let fmt_len: u32 = if tag == 1 { 16 } else { 18 };
        let mut h = Vec::new();
        h.extend_from_slice(b"RIFF");
        h.extend_from_slice(&(20 + fmt_len + data_len).to_le_bytes());
        h.extend_from_slice(b"WAVEfmt ");
        h.extend_from_slice(&fmt_len.to_le_bytes());
        h.extend_from_slice(&tag.to_le_bytes());
        h.extend_from_slice(&channels.to_le_bytes());
        h.extend_from_slice(&rate.to_le_bytes());
        h.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
        h.extend_from_slice(&block.to_le_bytes());
        h.extend_from_slice(&bits.to_le_bytes());
        if fmt_len == 18 {
            h.extend_from_slice(&0u16.to_le_bytes());
        }
        h.extend_from_slice(b"data");
        h.extend_from_slice(&data_len.to_le_bytes());
        h
    }

    #[test]
    fn reads_16bit_stereo() {
        let mut f = wav_header(1, 2, 8000, 16, 8);
        for s in [1000i16, -2000, 3000, -4000] {
            f.extend_from_slice(&s.to_le_bytes());
        }
        let a = read_wav(f).unwrap();
        assert_eq!(a.channels.len(), 2);
        assert_eq!(a.channels[0], vec![1000, 3000]);
        assert_eq!(a.channels[1], vec![-2000, -4000]);
    }

    #[test]
    fn reads_alaw_wav() {
        // 0xD5 is A-law "zero" (+8), 0x55 its negative.
        let mut f = wav_header(6, 1, 8000, 8, 2);
        f.extend_from_slice(&[0xD5, 0x2A]);
        let a = read_wav(f).unwrap();
        assert_eq!(a.channels.len(), 1);
        assert_eq!(a.channels[0].len(), 2);
        assert!(a.channels[0][0].abs() < 16);
        assert_eq!(
            a.channels[0][1],
            telefax::dsp::g711::alaw_decode(0x2A),
            "symphonia and our G.711 agree"
        );
    }

    #[test]
    fn resamples_44k1_to_8k() {
        let n = 44_100;
        let mut f = wav_header(1, 1, 44_100, 16, (n * 2) as u32);
        for i in 0..n {
            let s =
                (8000.0 * (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / 44_100.0).sin()) as i16;
            f.extend_from_slice(&s.to_le_bytes());
        }
        let a = read_wav(f).unwrap();
        let c = &a.channels[0];
        assert!((c.len() as i64 - 8000).abs() < 20, "len {}", c.len());
        // A 1 kHz tone at 8 kHz: sample i+8 equals sample i.
        let mid = &c[2000..6000];
        let err: f64 = mid
            .iter()
            .zip(&mid[8..])
            .map(|(&a, &b)| (f64::from(a) - f64::from(b)).abs())
            .sum::<f64>()
            / mid.len() as f64;
        assert!(err < 200.0, "mean error {err}");
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(read_wav(b"not a wav file at all".to_vec()).is_err());
        let mut f = wav_header(1, 6, 8000, 16, 12);
        f.extend_from_slice(&[0; 12]);
        assert!(read_wav(f).is_err());
    }

    #[test]
    fn raw_ulaw() {
        let a = read_raw(&[0xFF, 0x7F, 0x00], 8000, RawEncoding::Ulaw).unwrap();
        assert_eq!(a.channels[0].len(), 3);
        assert!(a.channels[0][2] < -30000);
    }
}
