//! The audio front end of one input channel: V.21 channel 2 + HDLC for control frames, the
//! CNG/CED detectors, and the bank of high-speed receivers (all preallocated; the dialogue
//! decides which of them run).

use telefax_modem::{RxSink, RxStatus};

use super::dialogue::{Burst, Dialogue, RxHint};
use super::page::BitBuffer;
use super::params::FastModem;
use super::rx::{ControlRx, FastDemod, ToneRx, MAX_FRAME, MIN_FRAME};
use super::{BurstKind, DecoderConfig, Training, STEP};
use telefax_modem::hdlc::{HdlcDeframer, HdlcEvent};

/// Every high-speed mode a fax page can arrive in (T.30 Table 2).
pub(crate) const FAST_MODES: [(FastModem, u32); 8] = [
    (FastModem::V17, 14400),
    (FastModem::V17, 12000),
    (FastModem::V17, 9600),
    (FastModem::V17, 7200),
    (FastModem::V29, 9600),
    (FastModem::V29, 7200),
    (FastModem::V27ter, 4800),
    (FastModem::V27ter, 2400),
];

/// Burst state of one high-speed receiver.
struct BurstState {
    trained: bool,
    kind: BurstKind,
    start: u64,
    buf: BitBuffer,
    deframer: HdlcDeframer,
    deframe: bool,
    hdlc_frames: usize,
    /// A trained burst ended in the last block (V.17: arm the short training).
    ended_ok: bool,
}

struct FastSlot {
    modem: FastModem,
    rate: u32,
    demod: FastDemod,
    /// Fed with audio now (a candidate of the current signal, or trained on it).
    running: bool,
    /// V.17: the next training is expected to be the short one (T.30 §5.3.2).
    short: bool,
    /// Training failed in the last step.
    failed: bool,
    st: BurstState,
}

/// Steps a possible high-speed onset is watched before the receivers start: V.21 (flags
/// within its first few bits) and call tones are recognised within this delay, so the
/// receivers never start on them.
const ARM_DELAY: usize = 4;
/// Steps of history replayed into the receivers when they start: the watching delay and
/// a margin before it (V.21 is recognised as such up to 16 bits, 53 ms, after its last
/// flag, see [`ControlRx::active`]).
const LOOKBACK: usize = ARM_DELAY + 6;
/// Steps without a high-speed-like signal after which untrained candidates stop.
const HANG_STEPS: u32 = 10;
/// Steps a candidate may spend without training before it stops (V.17 long training with
/// TEP is about 1.6 s, V.17 §7.1; V.27ter at 2400 bit/s about 1 s, V.27ter §8).
const MAX_TRAIN_STEPS: u32 = 150;
/// While a signal goes on without a pause, the receivers are tried again this often.
const REARM_STEPS: u32 = 50;
/// Step power (mean square) below which no high-speed receiver is started: under the
/// carrier-detect thresholds of all of them (V.17 -45 dBm0, V.29/V.27ter -48 dBm0 here;
/// the recommendations ask for -43 dBm0, V.17 §4.6, V.29 §7.2, V.27ter §7.2).
const GATE_DBM0: f32 = -52.0;

/// Step power below which V.21 and the tone detectors are not run: 6 dB under the lowest
/// of their thresholds (V.21 -52 dBm0 in band, tones about -48.6 dBm0).
const QUIET_DBM0: f32 = -58.0;
/// Quiet steps V.21 is still fed before it rests, so that it settles on the quiet.
const QUIET_SETTLE: u32 = 2;

impl FastSlot {
    fn is_selected(&self, hint: RxHint) -> bool {
        hint.selected == Some((self.modem, self.rate))
    }
}

/// The cheap per-step detector that decides when the high-speed receivers run: only on a
/// signal that is neither silence, nor V.21 (T.30 control frames), nor a call tone.
struct Gate {
    /// The last [`LOOKBACK`] steps of audio, oldest first.
    hist: Vec<i16>,
    /// Power threshold (mean square per sample).
    min_power: f32,
    /// Power under which the control receivers rest.
    quiet_power: f32,
    /// Step powers of the last three steps (newest last).
    recent: [f32; 3],
    /// Steps a possible onset has been watched (`None`: no onset pending).
    pending: Option<usize>,
    /// The gate was off since the receivers were last started.
    off_since_arm: bool,
    /// Steps since the receivers were last started.
    since_arm: u32,
    /// Consecutive steps with the gate off.
    off_run: u32,
}

impl Gate {
    fn new() -> Self {
        Gate {
            hist: Vec::with_capacity(LOOKBACK * STEP),
            min_power: telefax_dsp::power::dbm0_to_power(GATE_DBM0),
            quiet_power: telefax_dsp::power::dbm0_to_power(QUIET_DBM0),
            recent: [0.0; 3],
            pending: None,
            off_since_arm: true,
            since_arm: 0,
            off_run: 0,
        }
    }

    /// Remember one step of audio; returns its mean-square power.
    fn push(&mut self, samples: &[i16]) -> f32 {
        let cap = LOOKBACK * STEP;
        let n = samples.len().min(cap);
        let samples = &samples[samples.len() - n..];
        if self.hist.len() + n > cap {
            let drop = self.hist.len() + n - cap;
            self.hist.drain(..drop);
        }
        self.hist.extend_from_slice(samples);
        let e: f32 = samples.iter().map(|&x| f32::from(x) * f32::from(x)).sum();
        e / n.max(1) as f32
    }
}

pub(crate) struct ChannelRx {
    index: usize,
    /// The DCS generation the receivers were set up for.
    generation: u32,
    control: ControlRx,
    tones: ToneRx,
    gate: Gate,
    /// Consecutive quiet steps (see [`QUIET_DBM0`]).
    quiet_run: u32,
    /// Only the receiver DCS selected was started on the current signal.
    narrowed: bool,
    /// The current signal from its onset while `narrowed` (at most [`MAX_TRAIN_STEPS`]).
    activity: Vec<i16>,
    /// Sample time of `activity[0]`.
    activity_start: u64,
    fast: Vec<FastSlot>,
}

impl ChannelRx {
    pub fn new(index: usize, config: &DecoderConfig) -> Self {
        let fast = FAST_MODES
            .iter()
            .map(|&(modem, rate)| FastSlot {
                modem,
                rate,
                demod: FastDemod::new(modem, rate),
                running: false,
                short: false,
                failed: false,
                st: BurstState {
                    trained: false,
                    kind: BurstKind::Page,
                    start: 0,
                    buf: BitBuffer::with_cap(config.max_page_bytes),
                    deframer: HdlcDeframer::new(MAX_FRAME),
                    deframe: false,
                    hdlc_frames: 0,
                    ended_ok: false,
                },
            })
            .collect();
        ChannelRx {
            index,
            generation: 0,
            control: ControlRx::new(),
            tones: ToneRx::new(),
            gate: Gate::new(),
            quiet_run: 0,
            narrowed: false,
            activity: Vec::with_capacity((LOOKBACK + MAX_TRAIN_STEPS as usize) * STEP),
            activity_start: 0,
            fast,
        }
    }

    /// Run the receivers over one step of samples starting at sample `t0`.
    ///
    /// V.21 and the tone detectors run unless the line is quiet. The high-speed receivers
    /// run only where a page or TCF can be: they start when a signal appears that is not
    /// V.21 or a call tone (the audio of the onset is replayed into them). With a DCS heard
    /// and all receivers allowed, the selected one starts alone and the signal is kept; if
    /// it fails to train, the others are started on the kept signal. Each untrained receiver
    /// stops as soon as it cannot matter: the selected one has trained, a receiver of
    /// another modem has trained (V.17, V.29 and V.27ter trainings are distinct, V.17 §7,
    /// V.29 §6, V.27ter §8), its own training failed, or no signal came. A trained receiver
    /// runs until its carrier drops (or, not selected, until the selected one trains).
    pub fn process(&mut self, samples: &[i16], t0: u64, hint: RxHint, dlg: &mut Dialogue) {
        let t_end = t0 + samples.len() as u64;
        let ch = self.index;
        let power = self.gate.push(samples);
        // Far below every detector's threshold: V.21 (once its carrier is off and it has
        // settled on the quiet) and the tone detectors have nothing to find.
        let quiet = power < self.gate.quiet_power;
        self.quiet_run = if quiet {
            self.quiet_run.saturating_add(1)
        } else {
            0
        };
        if self.quiet_run < QUIET_SETTLE || self.control.carrier() {
            self.control.process(samples, |bytes, ok| {
                dlg.frame(t_end, ch, bytes.to_vec(), ok)
            });
        }
        let tone = if quiet {
            self.tones.quiet();
            false
        } else {
            self.tones
                .process(samples, |tone| dlg.tone(t_end, ch, tone))
        };
        let signal = power > self.gate.min_power && !tone && !self.control.active();
        let new_dcs = hint.generation != self.generation;
        self.generation = hint.generation;
        let allowed = |slot: &FastSlot| hint.all || hint.selected == Some((slot.modem, slot.rate));
        for slot in &mut self.fast {
            if new_dcs {
                // A new DCS is followed by TCF with the long training (T.30 §5.3.2): the
                // candidates still hunting on earlier signals make way for it.
                slot.short = false;
                slot.demod.set_short_train(false);
                if slot.running && !slot.st.trained {
                    slot.running = false;
                }
            }
            if slot.running && !allowed(slot) {
                end_burst(slot, ch, t_end, dlg);
                slot.running = false;
            }
        }
        if new_dcs {
            self.narrowed = false;
        }
        let g = &mut self.gate;
        g.since_arm = g.since_arm.saturating_add(1);
        if signal {
            g.off_run = 0;
        } else {
            g.off_run = g.off_run.saturating_add(1);
            g.off_since_arm = true;
        }
        let jump = power > 2.0 * g.recent.iter().copied().fold(f32::INFINITY, f32::min);
        g.recent = [g.recent[1], g.recent[2], power];
        let any_running = self.fast.iter().any(|s| s.running);
        if !any_running {
            // Watch for an onset; start the receivers once it is known not to be V.21 or a
            // tone.
            g.pending = match (g.pending, signal) {
                (_, false) => None,
                (Some(k), true) => Some(k + 1),
                (None, true) if g.off_since_arm || jump || g.since_arm >= REARM_STEPS => Some(1),
                (None, true) => None,
            };
            if g.pending.is_some_and(|k| k >= ARM_DELAY) {
                g.pending = None;
                g.off_since_arm = false;
                g.since_arm = 0;
                // With a DCS heard, its receiver alone tries first; the signal is kept so
                // that the others can try it too if that one fails.
                let narrow = self
                    .fast
                    .iter()
                    .any(|s| s.is_selected(hint) && allowed(s) && !allowed_only_selected(hint));
                self.narrowed = narrow;
                self.activity.clear();
                self.activity.extend_from_slice(&g.hist);
                self.activity_start = t_end - g.hist.len() as u64;
                for slot in &mut self.fast {
                    if allowed(slot) && (!narrow || slot.is_selected(hint)) {
                        start_slot(slot, &g.hist, self.activity_start, ch, hint.deframe, dlg);
                    }
                }
            }
        } else {
            for slot in self.fast.iter_mut().filter(|s| s.running) {
                run_slot(slot, samples, ch, t_end, hint.deframe, dlg);
            }
            if self.narrowed {
                let room = self.activity.capacity() - self.activity.len();
                self.activity
                    .extend_from_slice(&samples[..samples.len().min(room)]);
            }
        }
        self.prune(hint);
        if self.narrowed {
            // The receiver DCS selected trained (the others are not needed), or failed or
            // gave up (the others try the signal kept so far).
            let sel = self.fast.iter().find(|s| s.is_selected(hint));
            let trained = sel.is_some_and(|s| s.running && s.st.trained);
            let gave_up = sel.is_none_or(|s| !s.running);
            if trained {
                self.narrowed = false;
            } else if gave_up {
                self.narrowed = false;
                tracing::debug!(channel = ch, "selected receiver did not train: trying all");
                for slot in &mut self.fast {
                    if allowed(slot) && !slot.running && !slot.is_selected(hint) {
                        start_slot(
                            slot,
                            &self.activity,
                            self.activity_start,
                            ch,
                            hint.deframe,
                            dlg,
                        );
                    }
                }
                self.prune(hint);
            }
        }
    }

    /// Stop the receivers that can no longer matter (see [`ChannelRx::process`]).
    fn prune(&mut self, hint: RxHint) {
        let g = &self.gate;
        let is_selected = |s: &FastSlot| hint.selected == Some((s.modem, s.rate));
        let selected_trained = self
            .fast
            .iter()
            .any(|s| s.running && s.st.trained && is_selected(s));
        let trained_modem = self
            .fast
            .iter()
            .find(|s| s.running && s.st.trained)
            .map(|s| s.modem);
        let quiet = g.off_run >= HANG_STEPS || g.since_arm >= MAX_TRAIN_STEPS;
        for slot in self.fast.iter_mut().filter(|s| s.running) {
            let me_selected = is_selected(slot);
            let stop = if slot.st.trained {
                // DCS is trusted once its receiver trained: other decodes are dropped.
                selected_trained && !me_selected
            } else {
                slot.failed
                    || slot.st.ended_ok
                    || (selected_trained && !me_selected)
                    || (trained_modem.is_some_and(|m| m != slot.modem) && !me_selected)
                    || quiet
            };
            slot.failed = false;
            slot.st.ended_ok = false;
            if stop {
                if slot.st.trained {
                    slot.st.trained = false;
                    slot.st.buf.clear();
                }
                slot.running = false;
            }
        }
    }

    /// The recording ended: close open bursts.
    pub fn finish(&mut self, now: u64, dlg: &mut Dialogue) {
        let ch = self.index;
        for slot in &mut self.fast {
            end_burst(slot, ch, now, dlg);
        }
    }
}

/// Whether only the selected receiver is allowed anyway (following DCS, or no DCS).
fn allowed_only_selected(hint: RxHint) -> bool {
    !hint.all
}

/// Start a receiver on a new signal and feed it `audio` (which began at sample `t_start`)
/// in steps, so that the times it reports stay step-accurate.
fn start_slot(
    slot: &mut FastSlot,
    audio: &[i16],
    t_start: u64,
    ch: usize,
    deframe: bool,
    dlg: &mut Dialogue,
) {
    slot.demod.rearm(slot.short);
    slot.running = true;
    slot.failed = false;
    tracing::trace!(
        channel = ch,
        modem = slot.modem.name(),
        rate = slot.rate,
        "receiver started"
    );
    for (i, block) in audio.chunks(STEP).enumerate() {
        let t = t_start + (i * STEP + block.len()) as u64;
        run_slot(slot, block, ch, t, deframe, dlg);
    }
}

/// Feed one block to a running receiver; `time` is the block's end.
fn run_slot(
    slot: &mut FastSlot,
    samples: &[i16],
    ch: usize,
    time: u64,
    deframe: bool,
    dlg: &mut Dialogue,
) {
    slot.st.deframe = deframe;
    let FastSlot {
        modem,
        rate,
        demod,
        st,
        failed,
        short,
        ..
    } = slot;
    let mut sink = Sink {
        st,
        dlg,
        channel: ch,
        modem: *modem,
        rate: *rate,
        time,
        failed,
    };
    demod.process(samples, &mut sink);
    if st.ended_ok {
        tracing::debug!(
            channel = ch,
            modem = modem.name(),
            rate = *rate,
            "burst ended: expect short training next"
        );
        *short = true;
        demod.set_short_train(true);
    }
}

fn end_burst(slot: &mut FastSlot, channel: usize, time: u64, dlg: &mut Dialogue) {
    close(&mut slot.st, channel, slot.modem, slot.rate, time, dlg);
}

fn close(
    st: &mut BurstState,
    channel: usize,
    modem: FastModem,
    rate: u32,
    time: u64,
    dlg: &mut Dialogue,
) {
    if !st.trained {
        return;
    }
    st.trained = false;
    st.ended_ok = true;
    let (bits, ones, longest_zero_run) = (st.buf.bits, st.buf.ones, st.buf.longest_zero_run);
    let data = st.buf.take();
    dlg.burst(Burst {
        channel,
        modem,
        rate,
        kind: st.kind,
        start: st.start,
        end: time,
        data,
        bits,
        ones,
        longest_zero_run,
        hdlc_frames: st.hdlc_frames,
    });
}

/// Where a high-speed receiver's bits and status go.
struct Sink<'a> {
    st: &'a mut BurstState,
    dlg: &'a mut Dialogue,
    channel: usize,
    modem: FastModem,
    rate: u32,
    time: u64,
    failed: &'a mut bool,
}

impl RxSink for Sink<'_> {
    #[inline]
    fn put_bit(&mut self, bit: u8) {
        if !self.st.trained {
            return;
        }
        self.st.buf.put(bit);
        if self.st.deframe {
            let (dlg, ch, modem, rate) = (&mut *self.dlg, self.channel, self.modem, self.rate);
            if let Some(HdlcEvent::Frame(frame)) = self.st.deframer.put_bit(bit) {
                if frame.len() >= MIN_FRAME {
                    self.st.hdlc_frames += 1;
                    dlg.fast_frame(ch, modem, rate, frame);
                }
            }
        }
    }

    fn status(&mut self, status: RxStatus) {
        match status {
            RxStatus::TrainingSucceeded => {
                if self.st.trained {
                    // Retrained without a carrier drop: close the previous burst first.
                    self.close();
                }
                let kind = self.training(true);
                self.st.trained = true;
                self.st.kind = kind;
                self.st.start = self.time;
                self.st.buf.clear();
                self.st.deframer.reset();
                self.st.hdlc_frames = 0;
            }
            RxStatus::TrainingFailed => {
                *self.failed = true;
                self.training(false);
            }
            RxStatus::CarrierDown => self.close(),
            _ => {}
        }
    }
}

impl Sink<'_> {
    /// Report a training result to the dialogue; it says what the burst will be.
    fn training(&mut self, ok: bool) -> BurstKind {
        self.dlg.training(Training {
            time_s: super::secs(self.time),
            channel: self.channel,
            modem: self.modem,
            rate: self.rate,
            ok,
        })
    }

    /// Close the burst (if trained) and hand it to the dialogue.
    fn close(&mut self) {
        close(
            self.st,
            self.channel,
            self.modem,
            self.rate,
            self.time,
            self.dlg,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::{CallDecoder, DecoderEvent, ReceiverMode};
    use super::*;
    use telefax_modem::hdlc::{FramerConfig, HdlcFramer};
    use telefax_modem::v21::{Channel, V21Tx};
    use telefax_modem::v29::{V29Rate, V29Tx};
    use telefax_modem::Modulator;

    /// A DCS selecting V.17 14400 (T.30 Table 2, bits 11-14 = 0001), sent over V.21.
    fn dcs_v17_audio() -> Vec<i16> {
        let fif = [0x00, 0xA2, 0x00];
        assert_eq!(
            super::super::params::parse_dcs(&fif).map(|p| (p.modem, p.rate)),
            Some((FastModem::V17, 14400))
        );
        let mut framer = HdlcFramer::new(FramerConfig::default()).unwrap();
        framer
            .queue_frame(&[0xFF, 0x13, 0x83, 0x00, 0xA2, 0x00])
            .unwrap();
        framer.finish();
        let mut tx = V21Tx::new(Channel::Two, -13.0).unwrap();
        let mut out = vec![0i16; 8000 * 2];
        let n = tx.modulate(&mut out, &mut framer);
        out.truncate(n);
        out
    }

    fn trainings(audio: &[i16], mode: ReceiverMode) -> Vec<(FastModem, u32, bool)> {
        let mut dec = CallDecoder::new(DecoderConfig::default().receivers(mode));
        dec.push(audio).unwrap();
        dec.finish();
        let mut got = Vec::new();
        while let Some(ev) = dec.poll_event() {
            if let DecoderEvent::Training(t) = ev {
                got.push((t.modem, t.rate, t.ok));
            }
        }
        got
    }

    #[test]
    fn when_the_selected_receiver_fails_the_others_try_the_same_signal() {
        // DCS says V.17 14400, but V.29 9600 follows: with all receivers the V.17 receiver
        // tries first, fails, and V.29 gets the signal replayed from its onset.
        let mut audio = vec![0i16; 4000];
        audio.extend(dcs_v17_audio());
        audio.extend(vec![0i16; 600]);
        let mut zeros = 8 * 9600 / 8;
        let mut tx = V29Tx::new(V29Rate::R9600);
        let mut v29 = vec![0i16; 8000 * 2];
        let n = tx.modulate(&mut v29, &mut || {
            zeros -= 1;
            (zeros > 0).then_some(0)
        });
        v29.truncate(n);
        audio.extend(v29);
        audio.extend(vec![0i16; 4000]);
        let all = trainings(&audio, ReceiverMode::All);
        assert!(all.contains(&(FastModem::V29, 9600, true)), "{all:?}");
        // Following DCS only the V.17 receiver runs, and it cannot train on V.29.
        let follow = trainings(&audio, ReceiverMode::FollowDcs);
        assert!(!follow.iter().any(|t| t.2), "{follow:?}");
    }
}
