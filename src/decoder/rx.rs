//! Adapters between the decoder and the receivers: the V.21 channel 2 receiver with its HDLC
//! deframer (T.30 §5.3), the CNG/CED detectors (T.30 §4.1), and the high-speed receivers of
//! `telefax-modem` (V.17, V.29, V.27ter).

use telefax_modem::hdlc::{HdlcDeframer, HdlcEvent};
use telefax_modem::v17::{V17Rate, V17Rx};
use telefax_modem::v21::{Channel, V21Rx};
use telefax_modem::v27ter::{V27terRate, V27terRx};
use telefax_modem::v29::{V29Rate, V29Rx};
use telefax_modem::{Demodulator, RxSink, RxStatus};

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

/// Longest HDLC frame kept (T.30 frames are at most 256 octets of FIF plus header and FCS;
/// ECM FCD frames carry 256 octets of data).
pub(crate) const MAX_FRAME: usize = 300;
/// Shortest frame the decoder reports: address, control and FCF (T.30 §5.3.4).
pub(crate) const MIN_FRAME: usize = 3;
/// V.21 carrier-detect thresholds, dBm0 (in-band power). Lower than a modem's own (V.21 asks
/// for -43 dBm0), so that the quiet side of a recording is still heard (level differences of
/// 30 dB between the two sides).
const V21_ON_DBM0: f32 = -52.0;
const V21_OFF_DBM0: f32 = -57.0;

/// The V.21 receiver's sink: deframes the bits (T.30 §5.3.1) and hands frames on.
struct ControlSink<'a, F> {
    deframer: &'a mut HdlcDeframer,
    since_flag: &'a mut u32,
    on_frame: &'a mut F,
}

impl<F: FnMut(&[u8], bool)> RxSink for ControlSink<'_, F> {
    #[inline]
    fn put_bit(&mut self, bit: u8) {
        let flags = self.deframer.stats().flags;
        match self.deframer.put_bit(bit) {
            Some(HdlcEvent::Frame(f)) if f.len() >= MIN_FRAME => (self.on_frame)(f, true),
            Some(HdlcEvent::BadFcs { .. }) => {
                // Noise makes bad-FCS fragments; report only those that look like T.30
                // frames (address 0xFF).
                let f = self.deframer.last_frame();
                if f.len() >= MIN_FRAME + 2 && f[0] == 0xFF {
                    (self.on_frame)(&f[..f.len() - 2], false);
                }
            }
            _ => {}
        }
        *self.since_flag = if self.deframer.stats().flags != flags {
            0
        } else {
            self.since_flag.saturating_add(1)
        };
    }

    fn status(&mut self, status: RxStatus) {
        if status == RxStatus::CarrierDown {
            self.deframer.reset();
        }
    }
}

/// V.21 channel 2 receiver plus HDLC deframer (`telefax-modem`'s): audio in, control frames
/// out.
pub(crate) struct ControlRx {
    v21: V21Rx,
    deframer: HdlcDeframer,
    /// Bits received since the last HDLC flag.
    since_flag: u32,
}

/// V.21 counts as present while flags come at least this often (bits): in the flag
/// preamble and between frames (T.30 §5.3.1). Other signals near 1650-1850 Hz (the V.17
/// echo-protection tone and training, V.17 §7.1) do not make flags.
const FLAG_SPACING: u32 = 16;

impl ControlRx {
    pub fn new() -> Self {
        let mut v21 = V21Rx::new(Channel::Two);
        v21.set_carrier_thresholds(V21_ON_DBM0, V21_OFF_DBM0);
        ControlRx {
            v21,
            deframer: HdlcDeframer::new(MAX_FRAME),
            since_flag: u32::MAX,
        }
    }

    /// Whether the V.21 receiver has a carrier.
    pub fn carrier(&self) -> bool {
        self.v21.carrier()
    }

    /// Whether V.21 flags are being received now (the preamble before and the flags between
    /// T.30 frames). Used to keep the high-speed receivers off during V.21; in a frame's body
    /// this is false, which costs time but loses nothing.
    pub fn active(&self) -> bool {
        self.v21.carrier() && self.since_flag <= FLAG_SPACING
    }

    /// Process samples; `on_frame(bytes without FCS, fcs_ok)` for every frame that ends.
    pub fn process(&mut self, samples: &[i16], mut on_frame: impl FnMut(&[u8], bool)) {
        let mut sink = ControlSink {
            deframer: &mut self.deframer,
            since_flag: &mut self.since_flag,
            on_frame: &mut on_frame,
        };
        self.v21.demodulate(samples, &mut sink);
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

    /// A step far too quiet for either tone (what [`ToneRx::process`] would conclude
    /// without computing).
    pub fn quiet(&mut self) {
        self.cng_on = 0;
        self.ced_on = 0;
    }

    /// Process one step of samples; `on_tone` when a tone has been present for long enough
    /// (CNG 0.3 s, CED 0.5 s). Returns whether this step holds nothing but call tones.
    pub fn process(&mut self, samples: &[i16], mut on_tone: impl FnMut(Tone)) -> bool {
        let n = samples.len().min(160);
        if n < 160 {
            return false;
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
        let (cng_share, ced_share) = ((ci * ci + cq * cq) / norm, (di * di + dq * dq) / norm);
        let cng = level_ok && cng_share > 0.7;
        let ced = level_ok && ced_share > 0.7;
        self.cng_on = if cng { self.cng_on + 1 } else { 0 };
        self.ced_on = if ced { self.ced_on + 1 } else { 0 };
        if self.cng_on == 15 {
            on_tone(Tone::Cng);
        }
        if self.ced_on == 25 {
            on_tone(Tone::Ced);
        }
        // Both tones at once (the two sides of a mono mix): still only call tones.
        level_ok && cng_share + ced_share > 0.7
    }
}

/// One high-speed receiver at one rate (V.17 §3, V.29 §1, V.27ter §1).
pub(crate) enum FastDemod {
    /// The receiver, and a new one to start again from.
    V17(Box<(V17Rx, V17Rx)>),
    V29(Box<V29Rx>),
    V27ter(Box<V27terRx>),
}

impl FastDemod {
    pub fn new(modem: FastModem, rate: u32) -> Self {
        match modem {
            FastModem::V17 => {
                let rx = V17Rx::new(V17Rate::from_bps(rate).unwrap_or(V17Rate::R14400));
                FastDemod::V17(Box::new((rx.clone(), rx)))
            }
            FastModem::V29 => FastDemod::V29(Box::new(V29Rx::new(
                V29Rate::from_bps(rate).unwrap_or(V29Rate::R9600),
            ))),
            FastModem::V27ter => FastDemod::V27ter(Box::new(V27terRx::new(
                V27terRate::from_bps(rate).unwrap_or(V27terRate::R4800),
            ))),
        }
    }

    /// Get ready for a new signal: hunt for the training from scratch, except that V.17
    /// armed for the short training keeps the equalizer it learnt (V.17 §7.2).
    pub fn rearm(&mut self, short: bool) {
        match self {
            FastDemod::V17(d) if short => {
                let rate = d.0.rate();
                d.0.restart(rate, true);
            }
            FastDemod::V17(d) => {
                // A receiver stopped in the middle of a signal may wait for that signal to
                // end before it looks for the next one: start from a new one.
                d.0.clone_from(&d.1);
            }
            FastDemod::V29(d) => d.reset(),
            FastDemod::V27ter(d) => d.reset(),
        }
    }

    /// Expect a short training next (V.17 only: after the first long training of a call the
    /// pages use the short one, T.30 §5.3.2). No effect on the other modems.
    pub fn set_short_train(&mut self, short: bool) {
        if let FastDemod::V17(d) = self {
            d.0.set_short_train(short);
        }
    }

    #[inline]
    pub fn process<K: RxSink>(&mut self, samples: &[i16], sink: &mut K) {
        match self {
            FastDemod::V17(d) => d.0.demodulate(samples, sink),
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
        let fcs = telefax_modem::hdlc::FCS.checksum(data);
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

    /// V.21 channel 2 FSK of a bit sequence, continuous phase.
    fn fsk(bits: &[u8], amp: f32) -> Vec<i16> {
        let mut out = Vec::new();
        let mut ph = 0f32;
        let mut t = 0f32;
        for &b in bits {
            let f = if b == 1 { 1650.0 } else { 1850.0 };
            t += FS / 300.0;
            while (out.len() as f32) < t {
                out.push((amp * ph.sin()) as i16);
                ph += 2.0 * std::f32::consts::PI * f / FS;
            }
        }
        out
    }

    #[test]
    fn v21_receives_good_and_damaged_frames() {
        let frame = [0xFF, 0x03, 0x80, 0x00, 0xEE, 0x78];
        let mut damaged = Vec::new();
        frame_bits(&frame, &mut damaged);
        damaged[40] ^= 1;
        for amp in [12000.0, 300.0] {
            let mut bits = [0, 1, 1, 1, 1, 1, 1, 0].repeat(30);
            frame_bits(&frame, &mut bits);
            bits.extend_from_slice(&damaged);
            bits.extend([0, 1, 1, 1, 1, 1, 1, 0].repeat(3));
            let mut audio = vec![0i16; 800];
            audio.extend(fsk(&bits, amp));
            audio.extend(vec![0i16; 800]);
            let mut rx = ControlRx::new();
            let mut got = Vec::new();
            for block in audio.chunks(160) {
                rx.process(block, |f, ok| got.push((f.to_vec(), ok)));
            }
            assert_eq!(got.len(), 2, "amplitude {amp}: {got:?}");
            assert_eq!(got[0], (frame.to_vec(), true), "amplitude {amp}");
            assert!(!got[1].1 && got[1].0.len() == frame.len() && got[1].0[0] == 0xFF);
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
