//! Minimal 16-bit 8 kHz PCM WAV reading and writing for the lab programs and tests.

use crate::Error;
use std::path::Path;

fn wav_err(path: &Path, source: hound::Error) -> Error {
    Error::Wav {
        path: path.display().to_string(),
        source,
    }
}

fn spec(channels: u16) -> hound::WavSpec {
    hound::WavSpec {
        channels,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    }
}

/// Read a 16-bit 8 kHz WAV; returns the channels de-interleaved.
pub fn read_channels(path: &Path) -> Result<Vec<Vec<i16>>, Error> {
    let mut r = hound::WavReader::open(path).map_err(|e| wav_err(path, e))?;
    let s = r.spec();
    if s.sample_rate != 8000
        || s.bits_per_sample != 16
        || s.sample_format != hound::SampleFormat::Int
    {
        return Err(Error::WavFormat {
            path: path.display().to_string(),
            what: format!(
                "need 16-bit PCM at 8000 Hz, found {} bit at {} Hz",
                s.bits_per_sample, s.sample_rate
            ),
        });
    }
    let ch = s.channels.max(1) as usize;
    let mut out = vec![Vec::with_capacity(r.len() as usize / ch); ch];
    for (i, v) in r.samples::<i16>().enumerate() {
        out[i % ch].push(v.map_err(|e| wav_err(path, e))?);
    }
    Ok(out)
}

/// Read a mono 16-bit 8 kHz WAV (a stereo file is an error).
pub fn read_mono(path: &Path) -> Result<Vec<i16>, Error> {
    let mut ch = read_channels(path)?;
    if ch.len() != 1 {
        return Err(Error::WavFormat {
            path: path.display().to_string(),
            what: format!("need mono, found {} channels", ch.len()),
        });
    }
    Ok(ch.remove(0))
}

/// Write a mono 16-bit 8 kHz WAV.
pub fn write_mono(path: &Path, samples: &[i16]) -> Result<(), Error> {
    let mut w = hound::WavWriter::create(path, spec(1)).map_err(|e| wav_err(path, e))?;
    for &s in samples {
        w.write_sample(s).map_err(|e| wav_err(path, e))?;
    }
    w.finalize().map_err(|e| wav_err(path, e))
}

/// Write a stereo 16-bit 8 kHz WAV from two equally long channels.
pub fn write_stereo(path: &Path, left: &[i16], right: &[i16]) -> Result<(), Error> {
    let mut w = hound::WavWriter::create(path, spec(2)).map_err(|e| wav_err(path, e))?;
    for (&l, &r) in left.iter().zip(right) {
        w.write_sample(l).map_err(|e| wav_err(path, e))?;
        w.write_sample(r).map_err(|e| wav_err(path, e))?;
    }
    w.finalize().map_err(|e| wav_err(path, e))
}
