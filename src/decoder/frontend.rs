//! The audio front end of one input channel: V.21 channel 2 + HDLC for control frames, the
//! CNG/CED detectors, and the bank of high-speed receivers (all preallocated; the dialogue
//! decides which of them run).

use telefax_modem::{RxSink, RxStatus};

use super::dialogue::{Burst, Dialogue, RxHint};
use super::page::BitBuffer;
use super::params::FastModem;
use super::rx::{ControlRx, Deframer, FastDemod, ToneRx};
use super::{BurstKind, DecoderConfig, Training};

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
    deframer: Deframer,
    deframe: bool,
    hdlc_frames: usize,
    /// A trained burst ended in the last block (V.17: arm the short training).
    ended_ok: bool,
}

struct FastSlot {
    modem: FastModem,
    rate: u32,
    demod: FastDemod,
    running: bool,
    st: BurstState,
}

pub(crate) struct ChannelRx {
    index: usize,
    /// The DCS generation the receivers were set up for.
    generation: u32,
    control: ControlRx,
    tones: ToneRx,
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
                st: BurstState {
                    trained: false,
                    kind: BurstKind::Page,
                    start: 0,
                    buf: BitBuffer::with_cap(config.max_page_bytes),
                    deframer: Deframer::new(),
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
            fast,
        }
    }

    /// Run every active receiver over one step of samples starting at sample `t0`.
    pub fn process(&mut self, samples: &[i16], t0: u64, hint: RxHint, dlg: &mut Dialogue) {
        let t_end = t0 + samples.len() as u64;
        let ch = self.index;
        self.control.process(samples, |bytes, ok| {
            dlg.frame(t_end, ch, bytes.to_vec(), ok)
        });
        self.tones
            .process(samples, |tone| dlg.tone(t_end, ch, tone));
        let new_dcs = hint.generation != self.generation;
        self.generation = hint.generation;
        for slot in &mut self.fast {
            if new_dcs {
                // A new DCS is followed by TCF with the long training (T.30 §5.3.2).
                slot.demod.set_short_train(false);
            }
            let run = hint.all || hint.selected == Some((slot.modem, slot.rate));
            if !run {
                if slot.running {
                    end_burst(slot, ch, t_end, dlg);
                    slot.demod.reset();
                    slot.running = false;
                }
                continue;
            }
            slot.running = true;
            slot.st.deframe = hint.deframe;
            let FastSlot {
                modem,
                rate,
                demod,
                st,
                ..
            } = slot;
            let mut sink = Sink {
                st,
                dlg,
                channel: ch,
                modem: *modem,
                rate: *rate,
                time: t_end,
            };
            demod.process(samples, &mut sink);
            if st.ended_ok {
                st.ended_ok = false;
                tracing::debug!(
                    channel = ch,
                    modem = modem.name(),
                    rate = *rate,
                    "burst ended: expect short training next"
                );
                demod.set_short_train(true);
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
            let mut n = 0;
            self.st.deframer.put_bit(bit, |frame, ok| {
                if ok {
                    n += 1;
                    dlg.fast_frame(ch, modem, rate, frame);
                }
            });
            self.st.hdlc_frames += n;
        }
    }

    fn status(&mut self, status: RxStatus) {
        match status {
            RxStatus::TrainingSucceeded => {
                if self.st.trained {
                    // Retrained without a carrier drop: close the previous burst first.
                    close(
                        self.st,
                        self.channel,
                        self.modem,
                        self.rate,
                        self.time,
                        self.dlg,
                    );
                }
                let kind = self.dlg.training(Training {
                    time_s: super::secs(self.time),
                    channel: self.channel,
                    modem: self.modem,
                    rate: self.rate,
                    ok: true,
                });
                self.st.trained = true;
                self.st.kind = kind;
                self.st.start = self.time;
                self.st.buf.clear();
                self.st.deframer.reset();
                self.st.hdlc_frames = 0;
            }
            RxStatus::TrainingFailed => {
                self.dlg.training(Training {
                    time_s: super::secs(self.time),
                    channel: self.channel,
                    modem: self.modem,
                    rate: self.rate,
                    ok: false,
                });
            }
            RxStatus::CarrierDown => {
                close(
                    self.st,
                    self.channel,
                    self.modem,
                    self.rate,
                    self.time,
                    self.dlg,
                );
            }
            _ => {}
        }
    }
}
