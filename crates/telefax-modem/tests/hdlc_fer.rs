//! HDLC over V.21 through a noisy line: frame error rate on 10 000 random T.30-sized frames at
//! 6 dB SNR, and no frame with a bad FCS is ever delivered as good, even at very low SNR.
use telefax_dsp::line::{LineConfig, LineSim};
use telefax_dsp::noise::Rng;
use telefax_modem::hdlc::{FramerConfig, HdlcEvent, HdlcFramer, HdlcReceiver};
use telefax_modem::v21::{Channel, V21Rx, V21Tx};
use telefax_modem::{BitSource, Demodulator, Modulator};

/// Feeds the framer with numbered random frames of T.30 sizes (3..=40 octets).
struct Feeder {
    framer: HdlcFramer,
    rng: Rng,
    frames: Vec<Vec<u8>>,
    total: usize,
}

impl BitSource for Feeder {
    fn next_bit(&mut self) -> Option<u8> {
        if self.framer.queued_frames() == 0 && self.frames.len() < self.total {
            let n = self.frames.len();
            let len = 4 + (self.rng.next_u64() % 37) as usize;
            let mut f = vec![0xFF, 0x13, n as u8, (n >> 8) as u8];
            while f.len() < len {
                f.push(self.rng.next_u64() as u8);
            }
            self.framer.queue_frame(&f).unwrap();
            self.frames.push(f);
            if self.frames.len() == self.total {
                self.framer.finish();
            }
        }
        self.framer.next_bit()
    }
}

#[derive(Default)]
struct Tally {
    good: usize,
    bad_fcs: usize,
    aborts: usize,
    too_long: usize,
    mismatched: usize,
    seen: Vec<bool>,
    expected: Vec<Vec<u8>>,
}

fn run(frames: usize, snr_db: f32, seed: u64) -> Tally {
    let mut feeder = Feeder {
        framer: HdlcFramer::new(FramerConfig::default()).unwrap(),
        rng: Rng::new(seed),
        frames: Vec::new(),
        total: frames,
    };
    let mut tx = V21Tx::new(Channel::Two, -13.0).unwrap();
    let mut line = LineSim::new(&LineConfig {
        seed,
        ..LineConfig::with_snr_db(snr_db)
    })
    .unwrap();
    let mut rx = V21Rx::new(Channel::Two);
    // Frames are checked after the run against the sent list, so collect good ones.
    let mut got: Vec<Vec<u8>> = Vec::new();
    let mut t = Tally::default();
    {
        let mut receiver = HdlcReceiver::new(256, |ev: HdlcEvent<'_>| match ev {
            HdlcEvent::Frame(f) => got.push(f.to_vec()),
            HdlcEvent::BadFcs { .. } => t.bad_fcs += 1,
            HdlcEvent::Abort { .. } => t.aborts += 1,
            HdlcEvent::TooLong { .. } => t.too_long += 1,
        });
        let mut audio = vec![0i16; 1600];
        let mut noisy = Vec::with_capacity(1700);
        loop {
            let n = tx.modulate(&mut audio, &mut feeder);
            noisy.clear();
            line.process(&audio[..n], &mut noisy);
            rx.demodulate(&noisy, &mut receiver);
            if n < audio.len() {
                break;
            }
        }
        // Let the carrier drop.
        noisy.clear();
        line.process(&[0i16; 800], &mut noisy);
        rx.demodulate(&noisy, &mut receiver);
    }
    t.expected = feeder.frames;
    t.seen = vec![false; frames];
    for f in &got {
        let n = f.get(2).copied().unwrap_or(0) as usize
            | (f.get(3).copied().unwrap_or(0) as usize) << 8;
        if n < frames && t.expected[n] == *f {
            t.seen[n] = true;
            t.good += 1;
        } else {
            t.mismatched += 1;
        }
    }
    t
}

#[test]
fn frame_error_rate_at_6db_over_10000_frames() {
    let t = run(10_000, 6.0, 11);
    let lost = t.seen.iter().filter(|s| !**s).count();
    println!(
        "HDLC over V.21, 6 dB SNR, 10000 frames of 4..40 octets: good={} lost={} FER={:.2e} bad_fcs={} aborts={} too_long={} false_good={}",
        t.good,
        lost,
        lost as f64 / 10_000.0,
        t.bad_fcs,
        t.aborts,
        t.too_long,
        t.mismatched
    );
    assert_eq!(t.mismatched, 0, "a corrupted frame was delivered as good");
    assert!(lost <= 10, "FER too high: {lost} of 10000 lost");
}

#[test]
fn no_bad_frame_delivered_as_good_at_very_low_snr() {
    let t = run(2_000, -6.0, 5);
    let lost = t.seen.iter().filter(|s| !**s).count();
    println!(
        "HDLC over V.21, -6 dB SNR, 2000 frames: good={} lost={} bad_fcs={} aborts={} false_good={}",
        t.good, lost, t.bad_fcs, t.aborts, t.mismatched
    );
    // The channel must really be damaging frames for this test to mean anything.
    assert!(t.bad_fcs + t.aborts > 20, "{} {}", t.bad_fcs, t.aborts);
    assert_eq!(t.mismatched, 0, "a corrupted frame was delivered as good");
}
