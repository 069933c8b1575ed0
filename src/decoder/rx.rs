//! Adapters between the decoder and the receivers: the V.21 channel 2 receiver with its HDLC
//! deframer (T.30 §5.3), the CNG/CED detectors (T.30 §4.1), and the high-speed receivers of
//! `telefax-modem` (V.17, V.29, V.27ter).

use telefax_modem::v17::{V17Rate, V17Rx};
use telefax_modem::v27ter::{V27terRate, V27terRx};
use telefax_modem::v29::{V29Rate, V29Rx};
use telefax_modem::{Demodulator, RxSink};

use super::params::FastModem;
use super::Tone;

const FS: f32 = 8000.0;

/// A one-bin DFT reference (cosine and sine) over `N` samples, for the tone detectors.
struct Reference<const N: usize> {
    cos: [f32; N],
    sin: [f32; N],
}

impl<const N: usize> Reference<N> {
    fn new(freq: f32) -> Self {
        let mut cos = [0.0; N];
        let mut sin = [0.0; N];
        for i in 0..N {
            let ph = 2.0 * std::f32::consts::PI * freq * i as f32 / FS;
            cos[i] = ph.cos();
            sin[i] = ph.sin();
        }
        Reference { cos, sin }
    }
}

/// Sliding correlator with a free-running oscillator (phase continuous across windows).
struct Tracker {
    c: f32,
    s: f32,
    dc: f32,
    ds: f32,
    n: u32,
}

impl Tracker {
    fn new(freq: f32) -> Self {
        let w = 2.0 * std::f32::consts::PI * freq / FS;
        Tracker {
            c: 1.0,
            s: 0.0,
            dc: w.cos(),
            ds: w.sin(),
            n: 0,
        }
    }
    #[inline]
    fn next(&mut self) -> (f32, f32) {
        let out = (self.c, self.s);
        let c = self.c * self.dc - self.s * self.ds;
        let s = self.c * self.ds + self.s * self.dc;
        self.c = c;
        self.s = s;
        self.n += 1;
        if self.n >= 1024 {
            // Renormalise the oscillator's amplitude.
            let m = (self.c * self.c + self.s * self.s).sqrt();
            self.c /= m;
            self.s /= m;
            self.n = 0;
        }
        out
    }
}

/// Samples per V.21 bit (300 bit/s at 8000 Hz).
const V21_BIT: f32 = FS / 300.0;
/// Correlation window: one bit.
const V21_WIN: usize = 27;

/// V.21 channel 2 FSK receiver (V.21 §2: mark 1650 Hz = 1, space 1850 Hz = 0, 300 bit/s).
struct V21Rx {
    mark: Tracker,
    space: Tracker,
    ring: [[f32; 5]; V21_WIN],
    sums: [f64; 5],
    k: usize,
    /// Bit clock phase in samples.
    phase: f32,
    last: bool,
    carrier: bool,
    /// Samples the detector has been above/below threshold (hysteresis).
    on_count: u32,
    off_count: u32,
    renorm: u32,
}

impl V21Rx {
    fn new() -> Self {
        V21Rx {
            mark: Tracker::new(1650.0),
            space: Tracker::new(1850.0),
            ring: [[0.0; 5]; V21_WIN],
            sums: [0.0; 5],
            k: 0,
            phase: 0.0,
            last: false,
            carrier: false,
            on_count: 0,
            off_count: 0,
            renorm: 0,
        }
    }

    /// Process samples; `bit(b)` for each bit while the carrier is present, `carrier(on)` on
    /// changes.
    fn process(&mut self, samples: &[i16], mut bit: impl FnMut(Option<u8>)) {
        for &x in samples {
            let x = f32::from(x);
            let (mc, ms) = self.mark.next();
            let (sc, ss) = self.space.next();
            let v = [x * mc, x * ms, x * sc, x * ss, x * x];
            let old = self.ring[self.k];
            for j in 0..5 {
                self.sums[j] += f64::from(v[j]) - f64::from(old[j]);
            }
            self.ring[self.k] = v;
            self.k = (self.k + 1) % V21_WIN;
            self.renorm += 1;
            if self.renorm >= 8000 {
                // Recompute the running sums to stop rounding drift.
                self.renorm = 0;
                for j in 0..5 {
                    self.sums[j] = self.ring.iter().map(|r| f64::from(r[j])).sum();
                }
            }
            let em = self.sums[0] * self.sums[0] + self.sums[1] * self.sums[1];
            let es = self.sums[2] * self.sums[2] + self.sums[3] * self.sums[3];
            let total = self.sums[4].max(1e-9);
            // For a pure in-band tone (em + es) ~ total * N / 2.
            let ratio = (em + es) / (total * V21_WIN as f64 / 2.0);
            let mean_sq = total / V21_WIN as f64;
            let d = em > es;
            if d != self.last {
                // A decision change is half a window after a bit boundary; the best sampling
                // instant is half a bit later.
                let err = V21_BIT / 2.0 - self.phase;
                self.phase += err * 0.4;
                self.last = d;
            }
            self.phase += 1.0;
            if self.phase >= V21_BIT {
                self.phase -= V21_BIT;
                // At the sampling instant the window covers one bit: FSK puts nearly all its
                // energy in one of the two tones, wideband signals (V.17, V.29 near 1700-1800
                // Hz) do not. Above about -48 dBm0.
                let present = mean_sq > 40.0 * 40.0 && ratio > 0.6;
                if present {
                    self.on_count += 1;
                    self.off_count = 0;
                    if !self.carrier && self.on_count >= 4 {
                        tracing::trace!("V.21 carrier on");
                        self.carrier = true;
                    }
                } else {
                    self.off_count += 1;
                    self.on_count = 0;
                    if self.carrier && self.off_count >= 6 {
                        tracing::trace!("V.21 carrier off");
                        self.carrier = false;
                        bit(None);
                    }
                }
                if self.carrier {
                    bit(Some(u8::from(d)));
                }
            }
        }
    }
}

/// Longest HDLC frame kept (T.30 frames are at most 256 octets of FIF plus header and FCS;
/// ECM FCD frames carry 256 octets of data).
const MAX_FRAME: usize = 300;

/// HDLC deframer (ISO/IEC 13239 as used by T.30 §5.3.1): flags, zero-bit deletion, aborts,
/// 16-bit FCS (T.30 §5.3.7).
pub(crate) struct Deframer {
    buf: Vec<u8>,
    acc: u8,
    nbits: u8,
    ones: u8,
    in_frame: bool,
    overflow: bool,
}

/// FCS-16 of `data` (reflected CRC-CCITT, init 0xFFFF); over data + FCS the residue is
/// [`FCS_GOOD`].
fn fcs16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x8408
            } else {
                crc >> 1
            };
        }
    }
    crc
}

const FCS_GOOD: u16 = 0xF0B8;

impl Deframer {
    pub fn new() -> Self {
        Deframer {
            buf: Vec::with_capacity(MAX_FRAME),
            acc: 0,
            nbits: 0,
            ones: 0,
            in_frame: false,
            overflow: false,
        }
    }

    pub fn reset(&mut self) {
        self.buf.clear();
        self.acc = 0;
        self.nbits = 0;
        self.ones = 0;
        self.in_frame = false;
        self.overflow = false;
    }

    /// One bit; `on_frame(bytes without FCS, fcs_ok)` when a frame of at least 3 octets ends.
    #[inline]
    pub fn put_bit(&mut self, bit: u8, mut on_frame: impl FnMut(&[u8], bool)) {
        let bit = bit & 1;
        if bit == 1 {
            self.ones += 1;
            if self.ones >= 7 {
                // Abort (or idle ones): drop the frame.
                self.in_frame = false;
                self.buf.clear();
                self.nbits = 0;
                self.acc = 0;
            }
            self.push_data_bit(1);
            return;
        }
        // A zero.
        if self.ones == 6 {
            // Flag 0111 1110 ends here: close the frame. The six ones have been pushed as data
            // bits (plus the leading zero); remove them by discarding the partial octet.
            self.ones = 0;
            self.close(&mut on_frame);
            return;
        }
        if self.ones == 5 {
            // Stuffed zero: delete it.
            self.ones = 0;
            return;
        }
        self.ones = 0;
        self.push_data_bit(0);
    }

    #[inline]
    fn push_data_bit(&mut self, bit: u8) {
        if !self.in_frame {
            return;
        }
        self.acc |= bit << self.nbits;
        self.nbits += 1;
        if self.nbits == 8 {
            if self.buf.len() < MAX_FRAME {
                self.buf.push(self.acc);
            } else {
                self.overflow = true;
            }
            self.acc = 0;
            self.nbits = 0;
        }
    }

    fn close(&mut self, on_frame: &mut impl FnMut(&[u8], bool)) {
        // The flag's leading zero and first six ones were pushed as data: 7 bits. A frame with
        // a whole number of octets leaves exactly 7 bits pending.
        if self.in_frame && self.nbits == 7 && !self.overflow && self.buf.len() >= 3 + 2 {
            let ok = fcs16(&self.buf) == FCS_GOOD;
            let n = self.buf.len() - 2;
            on_frame(&self.buf[..n], ok);
        }
        self.buf.clear();
        self.acc = 0;
        self.nbits = 0;
        self.overflow = false;
        self.in_frame = true;
    }
}

/// V.21 channel 2 receiver plus HDLC deframer: audio in, control frames out.
pub(crate) struct ControlRx {
    v21: V21Rx,
    deframer: Deframer,
}

impl ControlRx {
    pub fn new() -> Self {
        ControlRx {
            v21: V21Rx::new(),
            deframer: Deframer::new(),
        }
    }
    /// Process samples; `on_frame(bytes without FCS, fcs_ok)` for every frame that ends.
    pub fn process(&mut self, samples: &[i16], mut on_frame: impl FnMut(&[u8], bool)) {
        let ControlRx { v21, deframer } = self;
        v21.process(samples, |b| match b {
            Some(bit) => deframer.put_bit(bit, |f, ok| {
                // Noise makes bad-FCS fragments; report only those that look like T.30
                // frames (address 0xFF).
                if ok || f[0] == 0xFF {
                    on_frame(f, ok)
                }
            }),
            None => deframer.reset(),
        });
    }
}

/// CNG (1100 Hz) and CED (2100 Hz) detectors (T.30 §4.1), on blocks of one decoder step.
pub(crate) struct ToneRx {
    cng: Reference<160>,
    ced: Reference<160>,
    cng_on: u32,
    ced_on: u32,
}

impl ToneRx {
    pub fn new() -> Self {
        ToneRx {
            cng: Reference::new(1100.0),
            ced: Reference::new(2100.0),
            cng_on: 0,
            ced_on: 0,
        }
    }

    /// Process one step of samples; `on_tone` when a tone has been present for long enough
    /// (CNG 0.3 s, CED 0.5 s).
    pub fn process(&mut self, samples: &[i16], mut on_tone: impl FnMut(Tone)) {
        let n = samples.len().min(160);
        if n < 160 {
            return;
        }
        let mut total = 0f64;
        let (mut ci, mut cq, mut di, mut dq) = (0f64, 0f64, 0f64, 0f64);
        for (i, &x) in samples[..n].iter().enumerate() {
            let x = f64::from(x);
            total += x * x;
            ci += x * f64::from(self.cng.cos[i]);
            cq += x * f64::from(self.cng.sin[i]);
            di += x * f64::from(self.ced.cos[i]);
            dq += x * f64::from(self.ced.sin[i]);
        }
        let norm = (total * n as f64 / 2.0).max(1e-9);
        let level_ok = total / n as f64 > 60.0 * 60.0;
        let cng = level_ok && (ci * ci + cq * cq) / norm > 0.7;
        let ced = level_ok && (di * di + dq * dq) / norm > 0.7;
        self.cng_on = if cng { self.cng_on + 1 } else { 0 };
        self.ced_on = if ced { self.ced_on + 1 } else { 0 };
        if self.cng_on == 15 {
            on_tone(Tone::Cng);
        }
        if self.ced_on == 25 {
            on_tone(Tone::Ced);
        }
    }
}

/// One high-speed receiver at one rate (V.17 §3, V.29 §1, V.27ter §1).
pub(crate) enum FastDemod {
    V17(Box<V17Rx>),
    V29(Box<V29Rx>),
    V27ter(Box<V27terRx>),
}

impl FastDemod {
    pub fn new(modem: FastModem, rate: u32) -> Self {
        match modem {
            FastModem::V17 => FastDemod::V17(Box::new(V17Rx::new(
                V17Rate::from_bps(rate).unwrap_or(V17Rate::R14400),
            ))),
            FastModem::V29 => FastDemod::V29(Box::new(V29Rx::new(
                V29Rate::from_bps(rate).unwrap_or(V29Rate::R9600),
            ))),
            FastModem::V27ter => FastDemod::V27ter(Box::new(V27terRx::new(
                V27terRate::from_bps(rate).unwrap_or(V27terRate::R4800),
            ))),
        }
    }

    pub fn reset(&mut self) {
        match self {
            FastDemod::V17(d) => d.reset(),
            FastDemod::V29(d) => d.reset(),
            FastDemod::V27ter(d) => d.reset(),
        }
    }

    /// Expect a short training next (V.17 only: after the first long training of a call the
    /// pages use the short one, T.30 §5.3.2). No effect on the other modems.
    pub fn set_short_train(&mut self, short: bool) {
        if let FastDemod::V17(d) = self {
            d.set_short_train(short);
        }
    }

    #[inline]
    pub fn process<K: RxSink>(&mut self, samples: &[i16], sink: &mut K) {
        match self {
            FastDemod::V17(d) => d.demodulate(samples, sink),
            FastDemod::V29(d) => d.demodulate(samples, sink),
            FastDemod::V27ter(d) => d.demodulate(samples, sink),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HDLC-frame `data` (appending the FCS) into bits with flags and zero insertion.
    fn frame_bits(data: &[u8], out: &mut Vec<u8>) {
        let mut d = data.to_vec();
        let fcs = !fcs16(data);
        d.extend_from_slice(&fcs.to_le_bytes());
        let flag = |out: &mut Vec<u8>| out.extend([0, 1, 1, 1, 1, 1, 1, 0]);
        flag(out);
        flag(out);
        let mut ones = 0;
        for b in d {
            for i in 0..8 {
                let bit = (b >> i) & 1;
                out.push(bit);
                if bit == 1 {
                    ones += 1;
                    if ones == 5 {
                        out.push(0);
                        ones = 0;
                    }
                } else {
                    ones = 0;
                }
            }
        }
        flag(out);
    }

    #[test]
    fn deframes_good_and_bad_frames() {
        let frame = [0xFF, 0x13, 0x83, 0x00, 0xA2, 0x08, 0xFF, 0x7E, 0x3F];
        let mut bits = Vec::new();
        frame_bits(&frame, &mut bits);
        let mut damaged = Vec::new();
        frame_bits(&frame, &mut damaged);
        damaged[40] ^= 1;
        bits.extend(damaged);
        let mut d = Deframer::new();
        let mut got = Vec::new();
        for b in bits {
            d.put_bit(b, |f, ok| got.push((f.to_vec(), ok)));
        }
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0], (frame.to_vec(), true));
        assert!(!got[1].1);
    }

    /// V.21 channel 2 FSK of a bit sequence, continuous phase.
    fn fsk(bits: &[u8], amp: f32) -> Vec<i16> {
        let mut out = Vec::new();
        let mut ph = 0f32;
        let mut t = 0f32;
        for &b in bits {
            let f = if b == 1 { 1650.0 } else { 1850.0 };
            t += V21_BIT;
            while (out.len() as f32) < t {
                out.push((amp * ph.sin()) as i16);
                ph += 2.0 * std::f32::consts::PI * f / FS;
            }
        }
        out
    }

    #[test]
    fn v21_receives_a_frame() {
        let frame = [0xFF, 0x03, 0x80, 0x00, 0xEE, 0x78];
        for amp in [12000.0, 300.0] {
            let mut bits = [0, 1, 1, 1, 1, 1, 1, 0].repeat(30);
            frame_bits(&frame, &mut bits);
            bits.extend([0, 1, 1, 1, 1, 1, 1, 0].repeat(3));
            let mut audio = vec![0i16; 800];
            audio.extend(fsk(&bits, amp));
            audio.extend(vec![0i16; 800]);
            let mut rx = ControlRx::new();
            let mut got = Vec::new();
            for block in audio.chunks(160) {
                rx.process(block, |f, ok| got.push((f.to_vec(), ok)));
            }
            assert_eq!(got, vec![(frame.to_vec(), true)], "amplitude {amp}");
        }
    }

    #[test]
    fn tones() {
        let tone = |f: f32| -> Vec<i16> {
            (0..8000)
                .map(|i| (5000.0 * (2.0 * std::f32::consts::PI * f * i as f32 / FS).sin()) as i16)
                .collect()
        };
        for (f, want) in [(1100.0, Tone::Cng), (2100.0, Tone::Ced)] {
            let mut rx = ToneRx::new();
            let mut got = Vec::new();
            for b in tone(f).chunks(160) {
                rx.process(b, |t| got.push(t));
            }
            assert_eq!(got, vec![want]);
        }
        let mut rx = ToneRx::new();
        let mut got = Vec::new();
        for b in tone(1650.0).chunks(160) {
            rx.process(b, |t| got.push(t));
        }
        assert!(got.is_empty());
    }
}
