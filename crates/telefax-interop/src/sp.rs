//! Safe wrappers around spandsp 0.0.6: the O.151 BERT, AWGN, the four fax modems and whole
//! fax endpoints (`fax_state_t` with its T.30 engine).
//!
//! Every wrapper owns the spandsp state it allocated with `*_init(NULL, ...)` and frees it on
//! drop. Callbacks reach Rust through `extern "C"` trampolines whose user-data pointer is a
//! boxed Rust struct that lives (at a stable heap address) as long as the spandsp state.
//! None of these types is `Send`: spandsp state is used from the thread that created it.

use crate::ffi;
use crate::{Error, Modem};
use std::ffi::{CStr, CString};
use std::os::raw::{c_int, c_void};
use std::path::Path;
use std::ptr::NonNull;

fn fsk_v21ch2() -> *const ffi::fsk_spec_t {
    // SAFETY: `preset_fsk_specs` is a static const array in libspandsp with (at least)
    // FSK_V21CH1_110 + 1 = 10 entries; we only form a pointer to entry FSK_V21CH2.
    unsafe {
        std::ptr::addr_of!(ffi::preset_fsk_specs)
            .cast::<ffi::fsk_spec_t>()
            .add(ffi::FSK_V21CH2)
    }
}

/// The results of a BERT run (`bert_results_t`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BertResults {
    /// Bits checked since the BERT synchronised.
    pub total_bits: u64,
    /// Bits in error among them.
    pub bad_bits: u64,
    /// Number of times the checker lost and regained synchronisation.
    pub resyncs: u64,
}

impl BertResults {
    /// Bit error ratio (1.0 when no bit was checked at all).
    pub fn ber(&self) -> f64 {
        if self.total_bits == 0 {
            1.0
        } else {
            self.bad_bits as f64 / self.total_bits as f64
        }
    }
}

/// spandsp's bit error rate tester set up exactly as `refmodem` does:
/// `bert_init(NULL, 0x7fffffff, BERT_PATTERN_ITU_O151_23, 300, 20)`.
pub struct Bert(NonNull<ffi::bert_state_t>);

impl Bert {
    /// A fresh O.151 2^23-1 generator and checker.
    pub fn new() -> Self {
        // SAFETY: NULL asks spandsp to allocate; the result is checked for NULL.
        let p = unsafe {
            ffi::bert_init(
                std::ptr::null_mut(),
                0x7fff_ffff,
                ffi::BERT_PATTERN_ITU_O151_23,
                300,
                20,
            )
        };
        Bert(NonNull::new(p).expect("bert_init returned NULL"))
    }

    /// The next bit of the generated pattern.
    pub fn get_bit(&mut self) -> u8 {
        // SAFETY: the pointer is valid for our lifetime.
        (unsafe { ffi::bert_get_bit(self.0.as_ptr()) } & 1) as u8
    }

    /// Feed one received bit to the checker.
    pub fn put_bit(&mut self, bit: u8) {
        // SAFETY: the pointer is valid for our lifetime.
        unsafe { ffi::bert_put_bit(self.0.as_ptr(), (bit & 1) as c_int) }
    }

    /// Results so far.
    pub fn results(&mut self) -> BertResults {
        let mut r = ffi::bert_results_t::default();
        // SAFETY: valid state and a valid out pointer.
        unsafe { ffi::bert_result(self.0.as_ptr(), &mut r) };
        BertResults {
            total_bits: r.total_bits.max(0) as u64,
            bad_bits: r.bad_bits.max(0) as u64,
            resyncs: r.resyncs.max(0) as u64,
        }
    }
}

impl Default for Bert {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Bert {
    fn drop(&mut self) {
        // SAFETY: allocated by bert_init(NULL, ..), freed once.
        unsafe { ffi::bert_free(self.0.as_ptr()) };
    }
}

/// spandsp's Gaussian white noise generator at a level in dBm0 (`awgn_init_dbm0`).
pub struct Awgn(NonNull<ffi::awgn_state_t>);

impl Awgn {
    /// Noise of `level_dbm0` with the given seed (refmodem's default seed is 1234567).
    pub fn new(seed: i32, level_dbm0: f32) -> Self {
        // SAFETY: NULL asks spandsp to allocate; checked below.
        let p = unsafe { ffi::awgn_init_dbm0(std::ptr::null_mut(), seed, level_dbm0) };
        Awgn(NonNull::new(p).expect("awgn_init_dbm0 returned NULL"))
    }

    /// One noise sample.
    pub fn sample(&mut self) -> i16 {
        // SAFETY: valid state.
        unsafe { ffi::awgn(self.0.as_ptr()) }
    }

    /// Add noise to `buf` in place, saturating.
    pub fn add_to(&mut self, buf: &mut [i16]) {
        for s in buf {
            *s = s.saturating_add(self.sample());
        }
    }
}

impl Drop for Awgn {
    fn drop(&mut self) {
        // SAFETY: allocated by awgn_init_dbm0(NULL, ..), freed once.
        unsafe { ffi::awgn_free(self.0.as_ptr()) };
    }
}

/// Where a spandsp transmitter takes its bits from.
pub enum TxSource {
    /// spandsp's own O.151 2^23-1 BERT generator.
    Bert,
    /// A Rust closure: `Some(bit)` or `None` for end of data (the modem then shuts down).
    Func(Box<dyn FnMut() -> Option<u8>>),
}

struct TxCb {
    source: TxSource,
    bert: Option<Bert>,
}

unsafe extern "C" fn tx_get_bit(user: *mut c_void) -> c_int {
    // SAFETY: `user` is the Box<TxCb> owned by the SpTx that registered this trampoline.
    let cb = unsafe { &mut *(user as *mut TxCb) };
    match &mut cb.source {
        TxSource::Bert => cb.bert.as_mut().map_or(0, |b| b.get_bit() as c_int),
        TxSource::Func(f) => match f() {
            Some(b) => (b & 1) as c_int,
            None => ffi::SIG_STATUS_END_OF_DATA,
        },
    }
}

enum TxState {
    Fsk(*mut ffi::fsk_tx_state_t),
    V27ter(*mut ffi::v27ter_tx_state_t),
    V29(*mut ffi::v29_tx_state_t),
    V17(*mut ffi::v17_tx_state_t),
}

/// A spandsp modem transmitter (V.21 channel 2, V.27ter, V.29 or V.17).
pub struct SpTx {
    state: TxState,
    rate: u32,
    _cb: Box<TxCb>,
}

impl SpTx {
    /// A transmitter for `modem` at `rate` bit/s sending at `level_dbm0`, with the long
    /// training (for the QAM modems).
    pub fn new(modem: Modem, rate: u32, level_dbm0: f32, source: TxSource) -> Result<Self, Error> {
        modem.check_rate(rate)?;
        let bert = matches!(source, TxSource::Bert).then(Bert::new);
        let mut cb = Box::new(TxCb { source, bert });
        let user = (&mut *cb) as *mut TxCb as *mut c_void;
        let r = rate as c_int;
        // SAFETY: NULL asks spandsp to allocate; `user` stays valid while `cb` lives in Self.
        let state = unsafe {
            match modem {
                Modem::V21 => {
                    let p = ffi::fsk_tx_init(std::ptr::null_mut(), fsk_v21ch2(), tx_get_bit, user);
                    if !p.is_null() {
                        ffi::fsk_tx_power(p, level_dbm0);
                    }
                    TxState::Fsk(p)
                }
                Modem::V27ter => {
                    let p = ffi::v27ter_tx_init(std::ptr::null_mut(), r, 0, tx_get_bit, user);
                    if !p.is_null() {
                        ffi::v27ter_tx_power(p, level_dbm0);
                    }
                    TxState::V27ter(p)
                }
                Modem::V29 => {
                    let p = ffi::v29_tx_init(std::ptr::null_mut(), r, 0, tx_get_bit, user);
                    if !p.is_null() {
                        ffi::v29_tx_power(p, level_dbm0);
                    }
                    TxState::V29(p)
                }
                Modem::V17 => {
                    let p = ffi::v17_tx_init(std::ptr::null_mut(), r, 0, tx_get_bit, user);
                    if !p.is_null() {
                        ffi::v17_tx_power(p, level_dbm0);
                    }
                    TxState::V17(p)
                }
            }
        };
        let null = match state {
            TxState::Fsk(p) => p.is_null(),
            TxState::V27ter(p) => p.is_null(),
            TxState::V29(p) => p.is_null(),
            TxState::V17(p) => p.is_null(),
        };
        if null {
            return Err(Error::Init("modem transmitter"));
        }
        Ok(SpTx {
            state,
            rate,
            _cb: cb,
        })
    }

    /// Fill `out` with samples; returns how many were written (fewer once the modem has shut
    /// down after the end of data).
    pub fn tx(&mut self, out: &mut [i16]) -> usize {
        let mut done = 0;
        // spandsp takes `int` lengths: feed in bounded chunks.
        while done < out.len() {
            let chunk = &mut out[done..];
            let len = chunk.len().min(8000) as c_int;
            // SAFETY: valid state; `chunk` has at least `len` writable samples.
            let n = unsafe {
                match self.state {
                    TxState::Fsk(p) => ffi::fsk_tx(p, chunk.as_mut_ptr(), len),
                    TxState::V27ter(p) => ffi::v27ter_tx(p, chunk.as_mut_ptr(), len),
                    TxState::V29(p) => ffi::v29_tx(p, chunk.as_mut_ptr(), len),
                    TxState::V17(p) => ffi::v17_tx(p, chunk.as_mut_ptr(), len),
                }
            };
            let n = n.clamp(0, len) as usize;
            done += n;
            if n < len as usize {
                break;
            }
        }
        done
    }

    /// V.17 only: restart the transmitter for a new burst with the short (`true`) or long
    /// training sequence (V.17 §3.2). Returns an error for other modems.
    pub fn restart_v17(&mut self, short_train: bool) -> Result<(), Error> {
        match self.state {
            // SAFETY: valid state.
            TxState::V17(p) => {
                let r =
                    unsafe { ffi::v17_tx_restart(p, self.rate as c_int, 0, short_train as c_int) };
                if r == 0 {
                    Ok(())
                } else {
                    Err(Error::Init("v17_tx_restart"))
                }
            }
            _ => Err(Error::Unsupported(
                "restart with short training is V.17 only",
            )),
        }
    }
}

impl Drop for SpTx {
    fn drop(&mut self) {
        // SAFETY: each pointer was allocated by the matching init(NULL, ..) and is freed once.
        unsafe {
            match self.state {
                TxState::Fsk(p) => ffi::fsk_tx_free(p),
                TxState::V27ter(p) => ffi::v27ter_tx_free(p),
                TxState::V29(p) => ffi::v29_tx_free(p),
                TxState::V17(p) => ffi::v17_tx_free(p),
            }
        };
    }
}

/// What a spandsp receiver reported, counted by the harness.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RxEvents {
    /// `SIG_STATUS_CARRIER_UP` count.
    pub carrier_up: u32,
    /// `SIG_STATUS_CARRIER_DOWN` count.
    pub carrier_down: u32,
    /// `SIG_STATUS_TRAINING_SUCCEEDED` count.
    pub trained: u32,
    /// `SIG_STATUS_TRAINING_FAILED` count.
    pub train_failed: u32,
    /// Data bits delivered.
    pub bits: u64,
}

/// Where a spandsp receiver delivers its bits.
pub enum RxSinkKind {
    /// Into spandsp's own O.151 2^23-1 BERT checker.
    Bert,
    /// Into a Rust closure.
    Func(Box<dyn FnMut(u8)>),
}

struct RxCb {
    sink: RxSinkKind,
    bert: Option<Bert>,
    events: RxEvents,
}

unsafe extern "C" fn rx_put_bit(user: *mut c_void, bit: c_int) {
    // SAFETY: `user` is the Box<RxCb> owned by the SpRx that registered this trampoline.
    let cb = unsafe { &mut *(user as *mut RxCb) };
    if bit < 0 {
        match bit {
            ffi::SIG_STATUS_CARRIER_UP => cb.events.carrier_up += 1,
            ffi::SIG_STATUS_CARRIER_DOWN => cb.events.carrier_down += 1,
            ffi::SIG_STATUS_TRAINING_SUCCEEDED => cb.events.trained += 1,
            ffi::SIG_STATUS_TRAINING_FAILED => cb.events.train_failed += 1,
            _ => {}
        }
        return;
    }
    cb.events.bits += 1;
    let b = (bit & 1) as u8;
    match &mut cb.sink {
        RxSinkKind::Bert => {
            if let Some(bert) = cb.bert.as_mut() {
                bert.put_bit(b)
            }
        }
        RxSinkKind::Func(f) => f(b),
    }
}

enum RxState {
    Fsk(*mut ffi::fsk_rx_state_t),
    V27ter(*mut ffi::v27ter_rx_state_t),
    V29(*mut ffi::v29_rx_state_t),
    V17(*mut ffi::v17_rx_state_t),
}

/// A spandsp modem receiver (V.21 channel 2 in synchronous mode, V.27ter, V.29 or V.17).
pub struct SpRx {
    state: RxState,
    rate: u32,
    cb: Box<RxCb>,
}

impl SpRx {
    /// A receiver for `modem` at `rate` bit/s.
    pub fn new(modem: Modem, rate: u32, sink: RxSinkKind) -> Result<Self, Error> {
        modem.check_rate(rate)?;
        let bert = matches!(sink, RxSinkKind::Bert).then(Bert::new);
        let mut cb = Box::new(RxCb {
            sink,
            bert,
            events: RxEvents::default(),
        });
        let user = (&mut *cb) as *mut RxCb as *mut c_void;
        let r = rate as c_int;
        // SAFETY: NULL asks spandsp to allocate; `user` stays valid while `cb` lives in Self.
        let state = unsafe {
            match modem {
                Modem::V21 => RxState::Fsk(ffi::fsk_rx_init(
                    std::ptr::null_mut(),
                    fsk_v21ch2(),
                    ffi::FSK_FRAME_MODE_SYNC,
                    rx_put_bit,
                    user,
                )),
                Modem::V27ter => RxState::V27ter(ffi::v27ter_rx_init(
                    std::ptr::null_mut(),
                    r,
                    rx_put_bit,
                    user,
                )),
                Modem::V29 => {
                    RxState::V29(ffi::v29_rx_init(std::ptr::null_mut(), r, rx_put_bit, user))
                }
                Modem::V17 => {
                    RxState::V17(ffi::v17_rx_init(std::ptr::null_mut(), r, rx_put_bit, user))
                }
            }
        };
        let null = match state {
            RxState::Fsk(p) => p.is_null(),
            RxState::V27ter(p) => p.is_null(),
            RxState::V29(p) => p.is_null(),
            RxState::V17(p) => p.is_null(),
        };
        if null {
            return Err(Error::Init("modem receiver"));
        }
        Ok(SpRx { state, rate, cb })
    }

    /// Process received samples (any length).
    pub fn rx(&mut self, samples: &[i16]) {
        for chunk in samples.chunks(8000) {
            let len = chunk.len() as c_int;
            // SAFETY: valid state; spandsp only reads `len` samples.
            unsafe {
                match self.state {
                    RxState::Fsk(p) => ffi::fsk_rx(p, chunk.as_ptr(), len),
                    RxState::V27ter(p) => ffi::v27ter_rx(p, chunk.as_ptr(), len),
                    RxState::V29(p) => ffi::v29_rx(p, chunk.as_ptr(), len),
                    RxState::V17(p) => ffi::v17_rx(p, chunk.as_ptr(), len),
                }
            };
        }
    }

    /// Process samples in blocks of `block` samples (spandsp's own tools use 160).
    pub fn rx_blocks(&mut self, samples: &[i16], block: usize) {
        for chunk in samples.chunks(block.max(1)) {
            self.rx(chunk);
        }
    }

    /// V.17 only: prepare for a new burst with the short (`true`) or long training, keeping
    /// the equalizer from the previous long training when short (V.17 §3.2, T.30 usage).
    pub fn restart_v17(&mut self, short_train: bool) -> Result<(), Error> {
        match self.state {
            RxState::V17(p) => {
                // SAFETY: valid state.
                let r = unsafe { ffi::v17_rx_restart(p, self.rate as c_int, short_train as c_int) };
                if r == 0 {
                    Ok(())
                } else {
                    Err(Error::Init("v17_rx_restart"))
                }
            }
            _ => Err(Error::Unsupported(
                "restart with short training is V.17 only",
            )),
        }
    }

    /// Start the BERT checker afresh (e.g. at the start of a second burst).
    pub fn reset_bert(&mut self) {
        if self.cb.bert.is_some() {
            self.cb.bert = Some(Bert::new());
        }
    }

    /// Status events and bit count so far.
    pub fn events(&self) -> RxEvents {
        self.cb.events
    }

    /// The BERT results (all zero when the sink is a closure).
    pub fn bert_results(&mut self) -> BertResults {
        self.cb
            .bert
            .as_mut()
            .map(|b| b.results())
            .unwrap_or_default()
    }

    /// The receiver's measured signal power in dBm0.
    pub fn signal_power_dbm0(&self) -> f32 {
        // SAFETY: valid state.
        unsafe {
            match self.state {
                RxState::Fsk(p) => ffi::fsk_rx_signal_power(p),
                RxState::V27ter(p) => ffi::v27ter_rx_signal_power(p),
                RxState::V29(p) => ffi::v29_rx_signal_power(p),
                RxState::V17(p) => ffi::v17_rx_signal_power(p),
            }
        }
    }
}

impl Drop for SpRx {
    fn drop(&mut self) {
        // SAFETY: each pointer was allocated by the matching init(NULL, ..) and is freed once.
        unsafe {
            match self.state {
                RxState::Fsk(p) => ffi::fsk_rx_free(p),
                RxState::V27ter(p) => ffi::v27ter_rx_free(p),
                RxState::V29(p) => ffi::v29_rx_free(p),
                RxState::V17(p) => ffi::v17_rx_free(p),
            }
        };
    }
}

/// spandsp's HDLC transmitter (CRC-16, as T.30 uses on V.21): frames in, bits out; sends
/// flags while idle.
pub struct SpHdlcTx(NonNull<ffi::hdlc_tx_state_t>);

impl SpHdlcTx {
    /// A transmitter with `inter_frame_flags` flags between frames (T.30 uses 1 or more).
    pub fn new(inter_frame_flags: u32) -> Self {
        // SAFETY: NULL asks spandsp to allocate; no underflow handler.
        let p = unsafe {
            ffi::hdlc_tx_init(
                std::ptr::null_mut(),
                0,
                inter_frame_flags as c_int,
                0,
                None,
                std::ptr::null_mut(),
            )
        };
        SpHdlcTx(NonNull::new(p).expect("hdlc_tx_init returned NULL"))
    }

    /// Queue a frame (address, control, information; the FCS is added). Errors when spandsp
    /// refuses it (queue full or too long).
    pub fn frame(&mut self, frame: &[u8]) -> Result<(), Error> {
        // SAFETY: valid state; spandsp copies `len` bytes.
        let r = unsafe { ffi::hdlc_tx_frame(self.0.as_ptr(), frame.as_ptr(), frame.len()) };
        if r < 0 {
            Err(Error::Unsupported("hdlc_tx_frame refused the frame"))
        } else {
            Ok(())
        }
    }

    /// Queue `n` flag octets (a preamble).
    pub fn flags(&mut self, n: u32) {
        // SAFETY: valid state.
        unsafe { ffi::hdlc_tx_flags(self.0.as_ptr(), n as c_int) };
    }

    /// The next bit on the line.
    pub fn get_bit(&mut self) -> u8 {
        // SAFETY: valid state.
        (unsafe { ffi::hdlc_tx_get_bit(self.0.as_ptr()) } & 1) as u8
    }
}

impl Drop for SpHdlcTx {
    fn drop(&mut self) {
        // SAFETY: allocated by hdlc_tx_init(NULL, ..), freed once.
        unsafe { ffi::hdlc_tx_free(self.0.as_ptr()) };
    }
}

struct HdlcRxCb {
    frames: Vec<(Vec<u8>, bool)>,
}

unsafe extern "C" fn hdlc_rx_frame(user: *mut c_void, pkt: *const u8, len: c_int, ok: c_int) {
    // SAFETY: `user` is the Box<HdlcRxCb> owned by the SpHdlcRx.
    let cb = unsafe { &mut *(user as *mut HdlcRxCb) };
    if len < 0 || pkt.is_null() {
        return; // a status report (carrier, framing), not a frame
    }
    // SAFETY: spandsp hands us `len` readable bytes for the duration of the call.
    let data = unsafe { std::slice::from_raw_parts(pkt, len as usize) };
    cb.frames.push((data.to_vec(), ok != 0));
}

/// spandsp's HDLC receiver (CRC-16): bits in, frames (without FCS) out, bad-FCS frames
/// reported too.
pub struct SpHdlcRx {
    state: NonNull<ffi::hdlc_rx_state_t>,
    cb: Box<HdlcRxCb>,
}

impl SpHdlcRx {
    /// A receiver reporting good and bad frames after one flag of framing.
    pub fn new() -> Self {
        let mut cb = Box::new(HdlcRxCb { frames: Vec::new() });
        let user = (&mut *cb) as *mut HdlcRxCb as *mut c_void;
        // SAFETY: NULL asks spandsp to allocate; `user` lives as long as Self.
        let p = unsafe { ffi::hdlc_rx_init(std::ptr::null_mut(), 0, 1, 1, hdlc_rx_frame, user) };
        SpHdlcRx {
            state: NonNull::new(p).expect("hdlc_rx_init returned NULL"),
            cb,
        }
    }

    /// One received bit.
    pub fn put_bit(&mut self, bit: u8) {
        // SAFETY: valid state.
        unsafe { ffi::hdlc_rx_put_bit(self.state.as_ptr(), (bit & 1) as c_int) };
    }

    /// Frames received so far: (octets without FCS, FCS good).
    pub fn frames(&self) -> &[(Vec<u8>, bool)] {
        &self.cb.frames
    }
}

impl Default for SpHdlcRx {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for SpHdlcRx {
    fn drop(&mut self) {
        // SAFETY: allocated by hdlc_rx_init(NULL, ..), freed once.
        unsafe { ffi::hdlc_rx_free(self.state.as_ptr()) };
    }
}

/// Fax call tones (T.30 §4.1): CNG from the caller, CED from the answerer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaxTone {
    /// Calling tone, 1100 Hz, 0.5 s on / 3 s off.
    Cng,
    /// Called station identification, 2100 Hz for 2.6-4 s.
    Ced,
}

impl FaxTone {
    fn code(self) -> c_int {
        match self {
            FaxTone::Cng => ffi::MODEM_CONNECT_TONES_FAX_CNG,
            FaxTone::Ced => ffi::MODEM_CONNECT_TONES_FAX_CED,
        }
    }
}

/// spandsp's CNG/CED generator (`modem_connect_tones_tx`).
pub struct SpToneTx(NonNull<ffi::modem_connect_tones_tx_state_t>);

impl SpToneTx {
    /// A generator of `tone` (CNG repeats its cadence; CED stops after its duration).
    pub fn new(tone: FaxTone) -> Self {
        // SAFETY: NULL asks spandsp to allocate.
        let p = unsafe { ffi::modem_connect_tones_tx_init(std::ptr::null_mut(), tone.code()) };
        SpToneTx(NonNull::new(p).expect("modem_connect_tones_tx_init returned NULL"))
    }

    /// Fill `out`; returns how many samples were generated.
    pub fn tx(&mut self, out: &mut [i16]) -> usize {
        let mut done = 0;
        while done < out.len() {
            let chunk = &mut out[done..];
            let len = chunk.len().min(8000) as c_int;
            // SAFETY: valid state; `chunk` has `len` writable samples.
            let n =
                unsafe { ffi::modem_connect_tones_tx(self.0.as_ptr(), chunk.as_mut_ptr(), len) }
                    .clamp(0, len);
            done += n as usize;
            if n < len {
                break;
            }
        }
        done
    }
}

impl Drop for SpToneTx {
    fn drop(&mut self) {
        // SAFETY: allocated by modem_connect_tones_tx_init(NULL, ..), freed once.
        unsafe { ffi::modem_connect_tones_tx_free(self.0.as_ptr()) };
    }
}

/// spandsp's CNG/CED detector (`modem_connect_tones_rx`).
pub struct SpToneRx(NonNull<ffi::modem_connect_tones_rx_state_t>, FaxTone);

impl SpToneRx {
    /// A detector for `tone`.
    pub fn new(tone: FaxTone) -> Self {
        // SAFETY: NULL asks spandsp to allocate; no callback.
        let p = unsafe {
            ffi::modem_connect_tones_rx_init(
                std::ptr::null_mut(),
                tone.code(),
                None,
                std::ptr::null_mut(),
            )
        };
        SpToneRx(
            NonNull::new(p).expect("modem_connect_tones_rx_init returned NULL"),
            tone,
        )
    }

    /// Process samples.
    pub fn rx(&mut self, samples: &[i16]) {
        for chunk in samples.chunks(8000) {
            // SAFETY: valid state; spandsp reads `len` samples.
            unsafe {
                ffi::modem_connect_tones_rx(self.0.as_ptr(), chunk.as_ptr(), chunk.len() as c_int)
            };
        }
    }

    /// Whether the tone has been detected (spandsp latches the detection).
    pub fn detected(&mut self) -> bool {
        // SAFETY: valid state.
        let t = unsafe { ffi::modem_connect_tones_rx_get(self.0.as_ptr()) };
        t != ffi::MODEM_CONNECT_TONES_NONE && t == self.1.code()
    }
}

impl Drop for SpToneRx {
    fn drop(&mut self) {
        // SAFETY: allocated by modem_connect_tones_rx_init(NULL, ..), freed once.
        unsafe { ffi::modem_connect_tones_rx_free(self.0.as_ptr()) };
    }
}

/// Configuration of one spandsp fax endpoint (as `refharness` sets it up).
#[derive(Debug, Clone)]
pub struct FaxConfig {
    /// Calling party (sends CNG) or answering party (sends CED).
    pub calling: bool,
    /// TIFF to send, if this endpoint sends.
    pub tx_file: Option<std::path::PathBuf>,
    /// TIFF to write received pages to, if this endpoint receives.
    pub rx_file: Option<std::path::PathBuf>,
    /// Local identity (TSI/CSI).
    pub ident: String,
    /// Allowed image modems.
    pub modems: FaxModems,
    /// ECM capability.
    pub ecm: bool,
    /// Allowed codings.
    pub codings: FaxCodings,
    /// spandsp protocol logging to stderr.
    pub verbose: bool,
}

/// Set of image-data modems (T.30 DIS bits 11-14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaxModems {
    /// V.27ter 2400/4800.
    pub v27ter: bool,
    /// V.29 7200/9600.
    pub v29: bool,
    /// V.17 7200..14400.
    pub v17: bool,
}

impl FaxModems {
    /// All three.
    pub const ALL: FaxModems = FaxModems {
        v27ter: true,
        v29: true,
        v17: true,
    };

    /// Parse `v27ter,v29,v17` or `all`.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let mut m = FaxModems {
            v27ter: false,
            v29: false,
            v17: false,
        };
        for t in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            match t.to_ascii_lowercase().as_str() {
                "v27ter" | "v27" => m.v27ter = true,
                "v29" => m.v29 = true,
                "v17" => m.v17 = true,
                "all" => m = FaxModems::ALL,
                _ => {
                    return Err(Error::BadArg(format!(
                        "unknown modem '{t}' (use v27ter,v29,v17)"
                    )))
                }
            }
        }
        Ok(m)
    }

    fn bits(self) -> c_int {
        (if self.v27ter {
            ffi::T30_SUPPORT_V27TER
        } else {
            0
        }) | (if self.v29 { ffi::T30_SUPPORT_V29 } else { 0 })
            | (if self.v17 { ffi::T30_SUPPORT_V17 } else { 0 })
    }
}

/// Set of page codings (T.4 1-D is always allowed, as T.30 requires).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaxCodings {
    /// T.4 2-D (MR).
    pub t4_2d: bool,
    /// T.6 (MMR, ECM only).
    pub t6: bool,
}

impl FaxCodings {
    /// MH, MR and MMR.
    pub const ALL: FaxCodings = FaxCodings {
        t4_2d: true,
        t6: true,
    };

    /// Parse `mh,mr,mmr` / `t4-1d,t4-2d,t6` / `all`.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let mut c = FaxCodings {
            t4_2d: false,
            t6: false,
        };
        for t in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            match t.to_ascii_lowercase().as_str() {
                "mh" | "t4-1d" | "1d" => {}
                "mr" | "t4-2d" | "2d" => c.t4_2d = true,
                "mmr" | "t6" => c.t6 = true,
                "all" => c = FaxCodings::ALL,
                _ => {
                    return Err(Error::BadArg(format!(
                        "unknown coding '{t}' (use mh,mr,mmr)"
                    )))
                }
            }
        }
        Ok(c)
    }

    fn bits(self) -> c_int {
        ffi::T30_SUPPORT_T4_1D_COMPRESSION
            | (if self.t4_2d {
                ffi::T30_SUPPORT_T4_2D_COMPRESSION
            } else {
                0
            })
            | (if self.t6 {
                ffi::T30_SUPPORT_T6_COMPRESSION
            } else {
                0
            })
    }
}

/// Statistics of the last page of a spandsp endpoint (`t30_stats_t`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FaxStats {
    /// Image bit rate.
    pub bit_rate: i32,
    /// ECM in use.
    pub ecm: bool,
    /// Pages sent.
    pub pages_tx: i32,
    /// Pages received.
    pub pages_rx: i32,
    /// Horizontal resolution, pixels per metre.
    pub x_resolution: i32,
    /// Vertical resolution, pixels per metre.
    pub y_resolution: i32,
    /// Page width in pixels.
    pub width: i32,
    /// Page length in rows.
    pub length: i32,
    /// Line coding: "T4-1D", "T4-2D", "T6" or "none"/"other".
    pub coding: &'static str,
    /// Bad rows in the most recent page.
    pub bad_rows: i32,
    /// Longest run of bad rows.
    pub longest_bad_run: i32,
    /// ECM retries.
    pub ecm_retries: i32,
}

struct FaxCb {
    done: bool,
    completion: i32,
    pages: u32,
    bad_rows_total: i64,
    frames: Vec<T30FrameLog>,
}

/// A T.30 frame spandsp sent or received, as its real-time frame handler reported it
/// (`t30_set_real_time_frame_handler`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct T30FrameLog {
    /// spandsp received the frame (else it sent it).
    pub incoming: bool,
    /// The frame: address, control, FCF and FIF (no FCS).
    pub bytes: Vec<u8>,
}

impl T30FrameLog {
    /// The FCF octet with the X bit (T.30 §5.3.6.1, the bit sent first, `0x01` in the octet
    /// as received LSB first) cleared; `None` for a frame too short to have one.
    pub fn fcf(&self) -> Option<u8> {
        self.bytes.get(2).map(|f| f & 0xFE)
    }
}

unsafe extern "C" fn fax_frame(
    _s: *mut ffi::t30_state_t,
    user: *mut c_void,
    direction: c_int,
    msg: *const u8,
    len: c_int,
) {
    // SAFETY: `user` is the Box<FaxCb> owned by the SpFax that registered this handler.
    let cb = unsafe { &mut *(user as *mut FaxCb) };
    if msg.is_null() || len <= 0 || cb.frames.len() >= 100_000 {
        return;
    }
    // SAFETY: spandsp passes `len` readable octets at `msg` for the duration of the call.
    let bytes = unsafe { std::slice::from_raw_parts(msg, len as usize) }.to_vec();
    cb.frames.push(T30FrameLog {
        incoming: direction != 0,
        bytes,
    });
}

unsafe extern "C" fn fax_phase_e(_s: *mut ffi::t30_state_t, user: *mut c_void, code: c_int) {
    // SAFETY: `user` is the Box<FaxCb> owned by the SpFax that registered this handler.
    let cb = unsafe { &mut *(user as *mut FaxCb) };
    cb.done = true;
    cb.completion = code;
}

unsafe extern "C" fn fax_phase_d(
    s: *mut ffi::t30_state_t,
    user: *mut c_void,
    _result: c_int,
) -> c_int {
    // SAFETY: `user` is the Box<FaxCb> owned by the SpFax; `s` is spandsp's live t30 state.
    let cb = unsafe { &mut *(user as *mut FaxCb) };
    let mut st = ffi::t30_stats_t::default();
    unsafe { ffi::t30_get_transfer_statistics(s, &mut st) };
    cb.pages += 1;
    cb.bad_rows_total += st.bad_rows as i64;
    0
}

/// One spandsp fax endpoint (`fax_state_t`): audio in, audio out, T.30 inside.
pub struct SpFax {
    fax: NonNull<ffi::fax_state_t>,
    t30: *mut ffi::t30_state_t,
    cb: Box<FaxCb>,
    rxbuf: Vec<i16>,
}

fn cpath(p: &Path) -> Result<CString, Error> {
    CString::new(p.to_string_lossy().as_bytes())
        .map_err(|_| Error::BadArg(format!("path with NUL: {}", p.display())))
}

impl SpFax {
    /// Create an endpoint as `refharness` does (transmit on idle, no TEP, all resolutions
    /// and sizes allowed).
    pub fn new(cfg: &FaxConfig) -> Result<Self, Error> {
        // SAFETY: NULL asks spandsp to allocate; checked.
        let fax =
            NonNull::new(unsafe { ffi::fax_init(std::ptr::null_mut(), cfg.calling as c_int) })
                .ok_or(Error::Init("fax_init"))?;
        let mut cb = Box::new(FaxCb {
            done: false,
            completion: -1,
            pages: 0,
            bad_rows_total: 0,
            frames: Vec::new(),
        });
        let user = (&mut *cb) as *mut FaxCb as *mut c_void;
        let ident = CString::new(cfg.ident.as_bytes())
            .map_err(|_| Error::BadArg("ident with NUL".into()))?;
        let tx = cfg.tx_file.as_deref().map(cpath).transpose()?;
        let rx = cfg.rx_file.as_deref().map(cpath).transpose()?;
        let f = fax.as_ptr();
        // SAFETY: `f` is a live fax state; strings are NUL-terminated and spandsp copies
        // them (t30_set_tx_ident / t30_set_*_file copy into their own buffers).
        let t30 = unsafe {
            ffi::fax_set_transmit_on_idle(f, 1);
            ffi::fax_set_tep_mode(f, 0);
            let t30 = ffi::fax_get_t30_state(f);
            // SPAN_LOG_SHOW_SEVERITY | SHOW_PROTOCOL | SHOW_TAG | FLOW, as refharness -v.
            let level = if cfg.verbose {
                0x0400 | 0x0800 | 0x2000 | 5
            } else {
                0
            };
            ffi::span_log_set_level(ffi::fax_get_logging_state(f), level);
            ffi::span_log_set_level(ffi::t30_get_logging_state(t30), level);
            ffi::t30_set_tx_ident(t30, ident.as_ptr());
            ffi::t30_set_supported_modems(t30, cfg.modems.bits());
            ffi::t30_set_ecm_capability(t30, cfg.ecm as c_int);
            ffi::t30_set_supported_compressions(t30, cfg.codings.bits());
            ffi::t30_set_supported_resolutions(
                t30,
                ffi::T30_SUPPORT_STANDARD_RESOLUTION
                    | ffi::T30_SUPPORT_FINE_RESOLUTION
                    | ffi::T30_SUPPORT_SUPERFINE_RESOLUTION
                    | ffi::T30_SUPPORT_R8_RESOLUTION,
            );
            ffi::t30_set_supported_image_sizes(
                t30,
                ffi::T30_SUPPORT_215MM_WIDTH
                    | ffi::T30_SUPPORT_255MM_WIDTH
                    | ffi::T30_SUPPORT_303MM_WIDTH
                    | ffi::T30_SUPPORT_UNLIMITED_LENGTH
                    | ffi::T30_SUPPORT_A4_LENGTH
                    | ffi::T30_SUPPORT_B4_LENGTH
                    | ffi::T30_SUPPORT_US_LETTER_LENGTH
                    | ffi::T30_SUPPORT_US_LEGAL_LENGTH,
            );
            ffi::t30_set_phase_d_handler(t30, fax_phase_d, user);
            ffi::t30_set_phase_e_handler(t30, fax_phase_e, user);
            ffi::t30_set_real_time_frame_handler(t30, fax_frame, user);
            if let Some(tx) = &tx {
                ffi::t30_set_tx_file(t30, tx.as_ptr(), -1, -1);
            }
            if let Some(rx) = &rx {
                ffi::t30_set_rx_file(t30, rx.as_ptr(), -1);
            }
            t30
        };
        Ok(SpFax {
            fax,
            t30,
            cb,
            rxbuf: Vec::with_capacity(160),
        })
    }

    /// Produce transmit audio; always fills `out` (silence when idle).
    pub fn tx(&mut self, out: &mut [i16]) {
        let mut done = 0;
        while done < out.len() {
            let chunk = &mut out[done..];
            let len = chunk.len().min(8000) as c_int;
            // SAFETY: live state; `chunk` has `len` writable samples.
            let n = unsafe { ffi::fax_tx(self.fax.as_ptr(), chunk.as_mut_ptr(), len) }.clamp(0, len)
                as usize;
            chunk[n..len as usize].fill(0);
            done += len as usize;
        }
    }

    /// Feed received audio.
    pub fn rx(&mut self, samples: &[i16]) {
        for chunk in samples.chunks(8000) {
            // fax_rx takes a non-const pointer: hand it our own copy.
            self.rxbuf.clear();
            self.rxbuf.extend_from_slice(chunk);
            // SAFETY: live state; buffer holds `len` samples.
            unsafe {
                ffi::fax_rx(
                    self.fax.as_ptr(),
                    self.rxbuf.as_mut_ptr(),
                    self.rxbuf.len() as c_int,
                )
            };
        }
    }

    /// Phase E reached (call over).
    pub fn done(&self) -> bool {
        self.cb.done
    }

    /// T.30 completion code from phase E (`T30_ERR_*`), -1 before.
    pub fn completion(&self) -> i32 {
        self.cb.completion
    }

    /// Completion text (`t30_completion_code_to_str`).
    pub fn completion_text(&self) -> String {
        if self.cb.completion < 0 {
            return "no phase E".into();
        }
        // SAFETY: spandsp returns a static string for any code.
        let p = unsafe { ffi::t30_completion_code_to_str(self.cb.completion) };
        if p.is_null() {
            return String::new();
        }
        // SAFETY: non-NULL static NUL-terminated string.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }

    /// Whether phase E said OK.
    pub fn ok(&self) -> bool {
        self.cb.done && self.cb.completion == ffi::T30_ERR_OK
    }

    /// Pages seen by phase D.
    pub fn phase_d_pages(&self) -> u32 {
        self.cb.pages
    }

    /// Every T.30 frame spandsp sent or received so far, in order (at most 100 000).
    pub fn frame_log(&self) -> &[T30FrameLog] {
        &self.cb.frames
    }

    /// How many frames with this FCF octet (X bit ignored, T.30 §5.3.6.1; e.g. `0xBC` for
    /// PPR) spandsp received (`incoming`) or sent.
    pub fn count_frames(&self, fcf: u8, incoming: bool) -> usize {
        self.cb
            .frames
            .iter()
            .filter(|f| f.incoming == incoming && f.fcf() == Some(fcf & 0xFE))
            .count()
    }

    /// Sum of bad rows over all pages (from the phase D snapshots).
    pub fn bad_rows_total(&self) -> i64 {
        self.cb.bad_rows_total
    }

    /// The far end's identity (TSI/CSI) as received.
    pub fn remote_ident(&self) -> String {
        // SAFETY: live state; spandsp returns a pointer into its own state or NULL.
        let p = unsafe { ffi::t30_get_rx_ident(self.t30) };
        if p.is_null() {
            return String::new();
        }
        // SAFETY: NUL-terminated buffer inside the live t30 state.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }

    /// Transfer statistics (of the most recent page).
    pub fn stats(&self) -> FaxStats {
        let mut st = ffi::t30_stats_t::default();
        // SAFETY: live state, valid out pointer.
        unsafe { ffi::t30_get_transfer_statistics(self.t30, &mut st) };
        FaxStats {
            bit_rate: st.bit_rate,
            ecm: st.error_correcting_mode != 0,
            pages_tx: st.pages_tx,
            pages_rx: st.pages_rx,
            x_resolution: st.x_resolution,
            y_resolution: st.y_resolution,
            width: st.width,
            length: st.length,
            coding: match st.encoding {
                ffi::T4_COMPRESSION_ITU_T4_1D => "T4-1D",
                ffi::T4_COMPRESSION_ITU_T4_2D => "T4-2D",
                ffi::T4_COMPRESSION_ITU_T6 => "T6",
                ffi::T4_COMPRESSION_NONE => "none",
                _ => "other",
            },
            bad_rows: st.bad_rows,
            longest_bad_run: st.longest_bad_row_run,
            ecm_retries: st.error_correcting_mode_retries,
        }
    }

    /// Abort the call (phase E follows; the received file is closed).
    pub fn terminate(&mut self) {
        // SAFETY: live state.
        unsafe { ffi::t30_terminate(self.t30) };
    }
}

impl Drop for SpFax {
    fn drop(&mut self) {
        // SAFETY: allocated by fax_init(NULL, ..), freed once; handlers die with it.
        unsafe { ffi::fax_free(self.fax.as_ptr()) };
    }
}
