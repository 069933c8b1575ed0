//! ITU-T V.21: 300 bit/s frequency-shift keying. Channel 2 (mark 1650 Hz, space 1850 Hz)
//! carries the T.30 control frames (T.30 §5.1); channel 1 (980/1180 Hz) is included for
//! completeness.
//!
//! Transmitter: continuous-phase FSK from a 32-bit phase accumulator, exact 300 baud timing
//! (bit boundaries every 80/3 samples, kept exactly with an integer accumulator).
//!
//! Receiver: non-coherent matched filters (one-bit sliding correlators at the mark and space
//! frequencies), carrier detect with on/off hysteresis on the in-band power and on the share
//! of the total power that is in band (so wide-band noise alone never holds the carrier up),
//! and a
//! decision-directed (Gardner-type) bit timing loop on the normalised decision variable.
//!
//! ```
//! use telefax_modem::v21::{V21Rx, V21Tx, Channel};
//! use telefax_modem::bert::{BertChecker, Prbs};
//! use telefax_modem::{Demodulator, Modulator};
//! let mut tx = V21Tx::new(Channel::Two, -13.0).unwrap();
//! let mut audio = vec![0i16; 8000];
//! tx.modulate(&mut audio, &mut Prbs::o151_23());
//! let mut rx = V21Rx::new(Channel::Two);
//! let mut bert = BertChecker::o151_23();
//! rx.demodulate(&audio, &mut bert);
//! assert!(bert.report().bits > 200 && bert.report().bad_bits == 0);
//! ```
use crate::{BitSource, Demodulator, ModemError, Modulator, RxSink, RxStatus};
use telefax_dsp::nco::{expj_u32, hz_to_step};
use telefax_dsp::power::{dbm0_to_power, dbm0_to_sine_peak};
use telefax_dsp::Complex32;

/// V.21 modulation rate, bit/s (V.21 §1).
pub const BAUD: u32 = 300;
/// Sample rate.
const FS: u32 = 8000;

/// Which V.21 channel (V.21 §2, Table: nominal mean frequencies ±100 Hz).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Channel {
    /// Channel 1: mark (binary 1) 980 Hz, space (binary 0) 1180 Hz.
    One,
    /// Channel 2: mark 1650 Hz, space 1850 Hz. Used by T.30 (T.30 §5.1).
    #[default]
    Two,
}

#[allow(non_upper_case_globals)]
impl Channel {
    /// Alias of [`Channel::One`].
    pub const Channel1: Channel = Channel::One;
    /// Alias of [`Channel::Two`].
    pub const Channel2: Channel = Channel::Two;

    /// Mark (binary 1) frequency in Hz.
    pub fn mark_hz(self) -> f32 {
        match self {
            Channel::One => 980.0,
            Channel::Two => 1650.0,
        }
    }
    /// Space (binary 0) frequency in Hz.
    pub fn space_hz(self) -> f32 {
        match self {
            Channel::One => 1180.0,
            Channel::Two => 1850.0,
        }
    }
    /// Length of one period of both tones together, in samples (tables repeat exactly).
    fn table_len(self) -> usize {
        match self {
            Channel::One => 400,
            Channel::Two => 160,
        }
    }
}

/// V.21 transmitter.
#[derive(Debug, Clone)]
pub struct V21Tx {
    mark_step: u32,
    space_step: u32,
    step: u32,
    phase: u32,
    amp: f32,
    baud_acc: u32,
    started: bool,
    done: bool,
}

impl V21Tx {
    /// A transmitter on `channel` at `level_dbm0` (-60..=3 dBm0).
    pub fn new(channel: Channel, level_dbm0: f32) -> Result<Self, ModemError> {
        if !(level_dbm0.is_finite() && (-60.0..=3.0).contains(&level_dbm0)) {
            return Err(ModemError::InvalidLevel { level_dbm0 });
        }
        let mark_step = hz_to_step(channel.mark_hz(), FS as f32);
        Ok(Self {
            mark_step,
            space_step: hz_to_step(channel.space_hz(), FS as f32),
            step: mark_step,
            phase: 0,
            amp: dbm0_to_sine_peak(level_dbm0),
            baud_acc: 0,
            started: false,
            done: false,
        })
    }
    /// Whether the bit source has ended and transmission stopped.
    pub fn is_done(&self) -> bool {
        self.done
    }
    /// Start again (next call pulls a fresh bit at once).
    pub fn restart(&mut self) {
        self.started = false;
        self.done = false;
        self.baud_acc = 0;
    }
}

impl Modulator for V21Tx {
    fn modulate<S: BitSource + ?Sized>(&mut self, out: &mut [i16], bits: &mut S) -> usize {
        let mut n = 0;
        while n < out.len() {
            if self.done {
                break;
            }
            if !self.started || self.baud_acc >= FS {
                if self.started {
                    self.baud_acc -= FS;
                }
                self.started = true;
                match bits.next_bit() {
                    Some(b) => {
                        self.step = if b & 1 == 1 {
                            self.mark_step
                        } else {
                            self.space_step
                        }
                    }
                    None => {
                        self.done = true;
                        break;
                    }
                }
            }
            let s = expj_u32(self.phase).im * self.amp;
            out[n] = s as i16;
            self.phase = self.phase.wrapping_add(self.step);
            self.baud_acc += BAUD;
            n += 1;
        }
        n
    }
}

/// Correlator window: one bit, rounded (80/3 ≈ 26.7 samples).
const WIN: usize = 27;
/// Default carrier-detect on threshold, dBm0 (in-band power).
pub const CARRIER_ON_DBM0: f32 = -45.5;
/// Default carrier-detect off threshold, dBm0 (5 dB hysteresis).
pub const CARRIER_OFF_DBM0: f32 = -50.5;
/// Scale from the sum of squares over [`POWER_EVERY`] samples (`P · POWER_EVERY` for power
/// `P`) to the correlator energy an in-band tone of the same power gives (`P/2 · WIN²`).
const IN_BAND_SCALE: f32 = (WIN * WIN) as f32 / 2.0 / POWER_EVERY as f32;
/// Carrier on needs at least this share of the power in the V.21 band (signal at -4 dB SNR
/// gives about 0.35, white noise alone 0.15 ± 0.04, a clean signal about 1).
const SHARE_ON: f32 = 0.35;
/// Carrier off when the in-band share falls below this.
const SHARE_OFF: f32 = 0.22;
/// Carrier detection runs every this many samples.
const POWER_EVERY: u32 = 4;
/// Power updates the in-band power must stay below the off threshold before carrier down
/// (12 × 4 samples = 6 ms).
const OFF_HOLD: u32 = 12;
/// Most bits of observation the multi-bit detector can use.
const MAX_OBS: usize = 8;

/// One bit interval seen by the correlators: the complex correlations with the mark and the
/// space tone over the interval, and the phase step a mark/space change at its end causes.
#[derive(Debug, Clone, Copy, Default)]
struct Segment {
    cm: Complex32,
    cs: Complex32,
    /// `e^{-jα}`, α = 2π(f_mark − f_space)·τ/fs at the interval's end time τ.
    rot: Complex32,
}

/// The phase of the reference after a tone change at the end of a segment whose rotation
/// is `rot`, coming from bit `from`.
#[inline]
fn rotate(ph: Complex32, rot: Complex32, from: u8) -> Complex32 {
    if from == 1 {
        ph * rot
    } else {
        ph * rot.conj()
    }
}

/// Best metric over all bit patterns of `segs[j..]`, given the running sum `acc`, the
/// reference phase `ph` and the previous bit `prev`.
///
/// Enumerates the patterns iteratively (bit `i` of `m` set: the tone changes before segment
/// `j + i`); every path does the same arithmetic in the same order as a depth-first walk, so
/// the result is identical, without recursion.
fn walk(segs: &[Segment], j: usize, acc: Complex32, ph: Complex32, prev: u8) -> f32 {
    // Specialised per tail length so the enumeration unrolls completely.
    match segs.len().saturating_sub(j) {
        0 => acc.norm_sqr(),
        1 => walk_n::<1>(&segs[j - 1..], acc, ph, prev),
        2 => walk_n::<2>(&segs[j - 1..], acc, ph, prev),
        _ => walk_n::<3>(&segs[j - 1..], acc, ph, prev),
    }
}

/// [`walk`] over exactly `K` enumerated segments `tail[1..=K]` (`tail[0]` gives the rotation
/// at the first boundary).
#[inline(always)]
fn walk_n<const K: usize>(tail: &[Segment], acc: Complex32, ph: Complex32, prev: u8) -> f32 {
    let tail = &tail[..=K];
    let mut best = 0.0f32;
    for m in 0..(1u32 << K) {
        let (mut a, mut p, mut pr) = (acc, ph, prev);
        for i in 0..K {
            if (m >> i) & 1 == 1 {
                p = rotate(p, tail[i].rot, pr);
                pr = 1 - pr;
            }
            let seg = &tail[i + 1];
            a += if pr == 1 { seg.cm } else { seg.cs } * p;
        }
        best = best.max(a.norm_sqr());
    }
    best
}

/// V.21 receiver.
///
/// Detection is non-coherent over several bits (after Osborne and Luntz): the continuous
/// phase of the FSK signal ties the phases of consecutive bits together, so the correlations
/// of a few neighbouring bit intervals add up coherently for the right bit pattern. Each bit
/// is decided from an observation of `past` already-decided bits, itself and `future` bits
/// (enumerated), which gains several dB over deciding each bit alone.
#[derive(Debug, Clone)]
pub struct V21Rx {
    channel: Channel,
    /// Per table index: (cos, -sin) of mark and space.
    table: Box<[[f32; 4]]>,
    tidx: usize,
    ring: [[f32; 4]; WIN],
    rpos: usize,
    acc: [f32; 4],
    // carrier detect
    pwr: f32,
    on_thresh: f32,
    off_thresh: f32,
    carrier: bool,
    low_count: u32,
    power_tick: u32,
    sq: f32,
    inband_avg: f32,
    total_avg: f32,
    // timing
    bit_phase: f32,
    d_mid: f32,
    last_decision: f32,
    gain: f32,
    bits_since_up: u32,
    // multi-bit detection
    past: usize,
    future: usize,
    segs: [Segment; MAX_OBS],
    nsegs: usize,
    decided: [u8; MAX_OBS],
    ndecided: usize,
    dphase_per_sample: f32,
    // quality
    q_mean: f32,
    q_var: f32,
}

/// Nominal bit-phase advance per sample.
const PHASE_STEP: f32 = BAUD as f32 / FS as f32;

impl V21Rx {
    /// A receiver for `channel` with the default carrier-detect thresholds.
    pub fn new(channel: Channel) -> Self {
        let len = channel.table_len();
        let ms = hz_to_step(channel.mark_hz(), FS as f32);
        let ss = hz_to_step(channel.space_hz(), FS as f32);
        let table: Vec<[f32; 4]> = (0..len)
            .map(|i| {
                let m = expj_u32(ms.wrapping_mul(i as u32));
                let s = expj_u32(ss.wrapping_mul(i as u32));
                [m.re, -m.im, s.re, -s.im]
            })
            .collect();
        // Correlator output for a tone of power P: |C|² = P/2 · WIN²  (A²/4 · WIN²).
        let k = (WIN * WIN) as f32 / 2.0;
        Self {
            channel,
            table: table.into_boxed_slice(),
            tidx: 0,
            ring: [[0.0; 4]; WIN],
            rpos: 0,
            acc: [0.0; 4],
            pwr: 0.0,
            on_thresh: dbm0_to_power(CARRIER_ON_DBM0) * k,
            off_thresh: dbm0_to_power(CARRIER_OFF_DBM0) * k,
            carrier: false,
            low_count: 0,
            power_tick: 0,
            sq: 0.0,
            inband_avg: 0.0,
            total_avg: 0.0,
            bit_phase: 0.0,
            d_mid: 0.0,
            last_decision: 0.0,
            gain: 0.0,
            bits_since_up: 0,
            past: 2,
            future: 2,
            segs: [Segment::default(); MAX_OBS],
            nsegs: 0,
            decided: [0; MAX_OBS],
            ndecided: 0,
            dphase_per_sample: 2.0
                * core::f32::consts::PI
                * (channel.mark_hz() - channel.space_hz())
                / FS as f32,
            q_mean: 0.0,
            q_var: 0.0,
        }
    }

    /// Set the carrier-detect thresholds (in-band power, dBm0); `off` is capped at `on`.
    pub fn set_carrier_thresholds(&mut self, on_dbm0: f32, off_dbm0: f32) {
        let k = (WIN * WIN) as f32 / 2.0;
        let off = off_dbm0.min(on_dbm0);
        self.on_thresh = dbm0_to_power(on_dbm0) * k;
        self.off_thresh = dbm0_to_power(off) * k;
    }

    /// Set the multi-bit observation: `past` decided bits and `future` bits (each 0..=3).
    /// `(0, 0)` is the classic one-bit non-coherent detector. Default `(2, 2)`; each future
    /// bit delays the output by one bit.
    pub fn set_observation(&mut self, past: usize, future: usize) {
        self.past = past.min(3);
        self.future = future.min(3);
        self.nsegs = 0;
        self.ndecided = 0;
    }

    /// The channel received.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// Whether a carrier is present now.
    pub fn carrier(&self) -> bool {
        self.carrier
    }

    fn recompute_sums(&mut self) {
        let mut a = [0.0f32; 4];
        for r in &self.ring {
            for k in 0..4 {
                a[k] += r[k];
            }
        }
        self.acc = a;
    }

    /// Decide the bit of segment `base + cur` from segments `base..base + n`: the `cur`
    /// earlier ones carry decided bits (`self.decided`), the later ones are enumerated.
    fn decide(&self, base: usize, cur: usize, n: usize) -> (u8, f32) {
        let segs = &self.segs[base..base + n];
        // The decided part of the observation is common to every hypothesis.
        let mut acc = Complex32::ZERO;
        let mut ph = Complex32::ONE;
        let mut prev = 2u8;
        for (j, seg) in segs.iter().enumerate().take(cur) {
            let b = self.decided[self.ndecided + j - cur];
            if prev != 2 && b != prev {
                ph = rotate(ph, segs[j - 1].rot, prev);
            }
            acc += if b == 1 { seg.cm } else { seg.cs } * ph;
            prev = b;
        }
        let mut best = [0.0f32; 2];
        for b in 0..2u8 {
            let mut p = ph;
            if prev != 2 && b != prev {
                p = rotate(p, segs[cur - 1].rot, prev);
            }
            let a = acc + if b == 1 { segs[cur].cm } else { segs[cur].cs } * p;
            let m = walk(segs, cur + 1, a, p, b);
            best[b as usize] = m;
        }
        let bit = (best[1] > best[0]) as u8;
        let conf = (best[1] - best[0]) / (best[1] + best[0] + 1e-20);
        (bit, conf)
    }

    fn emit<K: RxSink + ?Sized>(&mut self, base: usize, cur: usize, n: usize, sink: &mut K) {
        let (bit, conf) = self.decide(base, cur, n);
        if self.ndecided == MAX_OBS {
            self.decided.copy_within(1.., 0);
            self.ndecided -= 1;
        }
        self.decided[self.ndecided] = bit;
        self.ndecided += 1;
        let a = conf.abs();
        self.q_mean += (a - self.q_mean) * 0.02;
        self.q_var += ((a - self.q_mean) * (a - self.q_mean) - self.q_var) * 0.02;
        sink.put_bit(bit);
    }

    fn push_segment<K: RxSink + ?Sized>(&mut self, seg: Segment, sink: &mut K) {
        if self.nsegs == MAX_OBS {
            self.segs.copy_within(1.., 0);
            self.nsegs -= 1;
        }
        self.segs[self.nsegs] = seg;
        self.nsegs += 1;
        let n = self.nsegs;
        if n > self.future {
            let cur = n - 1 - self.future;
            let past = cur.min(self.past).min(self.ndecided);
            let start = cur - past;
            self.emit(start, past, n - start, sink);
            // Keep only what later decisions can use.
            let keep = (self.past + self.future).min(self.nsegs);
            if self.nsegs > keep {
                let drop = self.nsegs - keep;
                self.segs.copy_within(drop..self.nsegs, 0);
                self.nsegs = keep;
            }
        }
    }

    fn flush<K: RxSink + ?Sized>(&mut self, sink: &mut K) {
        // Decide the bits still waiting for their future segments.
        let n = self.nsegs;
        let first_pending = n.saturating_sub(self.future.min(n));
        for cur in first_pending..n {
            let past = cur.min(self.past).min(self.ndecided);
            let start = cur - past;
            self.emit(start, past, n - start, sink);
        }
        self.nsegs = 0;
        self.ndecided = 0;
    }

    /// Carrier detect, run every [`POWER_EVERY`] samples on the correlator sums.
    fn power_update<K: RxSink + ?Sized>(&mut self, sink: &mut K) {
        let a = &self.acc;
        let e = a[0] * a[0] + a[1] * a[1] + a[2] * a[2] + a[3] * a[3];
        // Rise slowly (no false carrier on noise bursts), fall fast (short tail of junk).
        let k = if e > self.pwr { 1.0 / 8.0 } else { 1.0 / 2.0 };
        self.pwr += (e - self.pwr) * k;
        // In-band share of the total power (white noise alone gives about 0.15).
        self.inband_avg += (e - self.inband_avg) * (1.0 / 32.0);
        self.total_avg += (self.sq * IN_BAND_SCALE - self.total_avg) * (1.0 / 32.0);
        self.sq = 0.0;
        let share = self.inband_avg / (self.total_avg + 1e-20);
        if !self.carrier {
            if self.pwr > self.on_thresh && share > SHARE_ON {
                self.carrier = true;
                self.low_count = 0;
                self.gain = 0.25;
                self.bits_since_up = 0;
                self.bit_phase = 0.0;
                self.last_decision = 0.0;
                self.nsegs = 0;
                self.ndecided = 0;
                tracing::debug!("V.21 carrier up");
                sink.status(RxStatus::CarrierUp);
            }
        } else if self.pwr < self.off_thresh || share < SHARE_OFF {
            self.low_count += 1;
            if self.low_count >= OFF_HOLD {
                self.carrier = false;
                self.flush(sink);
                tracing::debug!("V.21 carrier down");
                sink.status(RxStatus::CarrierDown);
            }
        } else {
            self.low_count = 0;
        }
    }

    /// Bit-timing work at a sample where the bit phase crossed mid-bit (0.5) or the bit end
    /// (1.0): `p0`/`p1` are the phases before/after the sample, `delta` its correlator update
    /// and `t_now` its table index.
    fn bit_event<K: RxSink + ?Sized>(
        &mut self,
        p0: f32,
        p1: f32,
        delta: [f32; 4],
        t_now: usize,
        sink: &mut K,
    ) {
        // Normalised decision variable (+1 mark, -1 space) now and one sample earlier.
        let b = self.acc;
        let a = [
            b[0] - delta[0],
            b[1] - delta[1],
            b[2] - delta[2],
            b[3] - delta[3],
        ];
        let dec = |c: &[f32; 4]| {
            let em = c[0] * c[0] + c[1] * c[1];
            let es = c[2] * c[2] + c[3] * c[3];
            (em - es) / (em + es + 1e-20)
        };
        let d = dec(&b);
        let prev_d = dec(&a);
        if p0 < 0.5 {
            // Mid-bit point (window straddles a bit boundary).
            let f = (0.5 - p0) / PHASE_STEP;
            self.d_mid = prev_d + (d - prev_d) * f;
        }
        if p1 >= 1.0 {
            let f = (1.0 - p0) / PHASE_STEP;
            let dd = prev_d + (d - prev_d) * f;
            // Timing error (Gardner): positive when sampling late.
            let cur = if dd > 0.0 { 1.0 } else { -1.0 };
            let err = if self.last_decision != 0.0 && cur != self.last_decision {
                self.d_mid * (cur - self.last_decision) * 0.5
            } else {
                0.0
            };
            self.last_decision = cur;
            self.bit_phase = p1 - 1.0 + self.gain * err;
            self.bits_since_up += 1;
            if self.bits_since_up == 16 {
                self.gain = 0.08;
            } else if self.bits_since_up == 64 {
                self.gain = 0.03;
            }
            // Correlations interpolated to the bit end.
            let lerp = |k: usize| a[k] + (b[k] - a[k]) * f;
            let tau = t_now as f32 - 1.0 + f;
            let alpha = self.dphase_per_sample * tau;
            let seg = Segment {
                cm: Complex32::new(lerp(0), lerp(1)),
                cs: Complex32::new(lerp(2), lerp(3)),
                rot: Complex32::new(alpha.cos(), -alpha.sin()),
            };
            self.push_segment(seg, sink);
        }
    }
}

impl Demodulator for V21Rx {
    fn demodulate<K: RxSink + ?Sized>(&mut self, samples: &[i16], sink: &mut K) {
        // The per-sample correlator state lives in locals (registers) and is written back
        // only around the carrier-detect and bit-timing work, which read it from `self`.
        let len = self.table.len();
        let mut acc = self.acc;
        let mut rpos = self.rpos;
        let mut tidx = self.tidx;
        let mut sq = self.sq;
        let mut tick = self.power_tick;
        for &s in samples {
            let x = s as f32;
            let t_now = tidx;
            let t = self.table[t_now];
            sq += x * x;
            let v = [x * t[0], x * t[1], x * t[2], x * t[3]];
            let old = self.ring[rpos];
            self.ring[rpos] = v;
            rpos += 1;
            if rpos == WIN {
                rpos = 0;
            }
            let delta = [v[0] - old[0], v[1] - old[1], v[2] - old[2], v[3] - old[3]];
            for (a, d) in acc.iter_mut().zip(delta) {
                *a += d;
            }
            tidx += 1;
            if tidx == len {
                tidx = 0;
                self.recompute_sums();
                acc = self.acc;
            }
            // Carrier detect every POWER_EVERY samples.
            tick += 1;
            if tick == POWER_EVERY {
                tick = 0;
                self.acc = acc;
                self.sq = sq;
                self.power_update(sink);
                sq = self.sq;
            }
            if !self.carrier {
                continue;
            }
            let p0 = self.bit_phase;
            let p1 = p0 + PHASE_STEP;
            self.bit_phase = p1;
            if p1 < 0.5 || (p0 >= 0.5 && p1 < 1.0) {
                continue;
            }
            self.acc = acc;
            self.bit_event(p0, p1, delta, t_now, sink);
        }
        self.acc = acc;
        self.rpos = rpos;
        self.tidx = tidx;
        self.sq = sq;
        self.power_tick = tick;
    }
    fn reset(&mut self) {
        let c = self.channel;
        let (on, off) = (self.on_thresh, self.off_thresh);
        let (p, f) = (self.past, self.future);
        *self = Self::new(c);
        self.on_thresh = on;
        self.off_thresh = off;
        self.past = p;
        self.future = f;
    }
    fn signal_quality_db(&self) -> Option<f32> {
        if self.q_mean <= 0.0 {
            return None;
        }
        Some(10.0 * (self.q_mean * self.q_mean / self.q_var.max(1e-9)).log10())
    }
}
