//! Hand-written `extern "C"` declarations for the parts of spandsp 0.0.6's public API that the
//! interop harness uses (headers in `/usr/include/spandsp/`). Every state type is opaque: we
//! only ever hold pointers returned by spandsp's own `*_init(NULL, ...)` allocators.
//!
//! Only the safe wrappers in [`crate::sp`] call these.
#![allow(non_camel_case_types, missing_docs)]

use std::os::raw::{c_char, c_float, c_int, c_void};

macro_rules! opaque {
    ($($name:ident),* $(,)?) => {
        $(
            #[repr(C)]
            pub struct $name {
                _private: [u8; 0],
                _marker: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
            }
        )*
    };
}

opaque!(
    bert_state_t,
    awgn_state_t,
    fsk_tx_state_t,
    fsk_rx_state_t,
    v27ter_tx_state_t,
    v27ter_rx_state_t,
    v29_tx_state_t,
    v29_rx_state_t,
    v17_tx_state_t,
    v17_rx_state_t,
    fax_state_t,
    hdlc_tx_state_t,
    modem_connect_tones_tx_state_t,
    modem_connect_tones_rx_state_t,
    hdlc_rx_state_t,
    t30_state_t,
    logging_state_t,
);

/// `fsk_spec_t` (fsk.h).
#[repr(C)]
pub struct fsk_spec_t {
    pub name: *const c_char,
    pub freq_zero: c_int,
    pub freq_one: c_int,
    pub tx_level: c_int,
    pub min_level: c_int,
    pub baud_rate: c_int,
}

/// `bert_results_t` (bert.h).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct bert_results_t {
    pub total_bits: c_int,
    pub bad_bits: c_int,
    pub resyncs: c_int,
}

/// `t30_stats_t` (t30.h, 0.0.6 layout: 15 ints).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct t30_stats_t {
    pub bit_rate: c_int,
    pub error_correcting_mode: c_int,
    pub pages_tx: c_int,
    pub pages_rx: c_int,
    pub pages_in_file: c_int,
    pub x_resolution: c_int,
    pub y_resolution: c_int,
    pub width: c_int,
    pub length: c_int,
    pub image_size: c_int,
    pub encoding: c_int,
    pub bad_rows: c_int,
    pub longest_bad_row_run: c_int,
    pub error_correcting_mode_retries: c_int,
    pub current_status: c_int,
}

pub type get_bit_func_t = unsafe extern "C" fn(user_data: *mut c_void) -> c_int;
pub type put_bit_func_t = unsafe extern "C" fn(user_data: *mut c_void, bit: c_int);
pub type hdlc_frame_handler_t =
    unsafe extern "C" fn(user_data: *mut c_void, pkt: *const u8, len: c_int, ok: c_int);
pub type hdlc_underflow_handler_t = unsafe extern "C" fn(user_data: *mut c_void);
pub type tone_report_func_t =
    unsafe extern "C" fn(user_data: *mut c_void, code: c_int, level: c_int, delay: c_int);
pub type t30_phase_d_handler_t =
    unsafe extern "C" fn(s: *mut t30_state_t, user_data: *mut c_void, result: c_int) -> c_int;
/// `t30_real_time_frame_handler_t` (t30.h): every T.30 frame sent (`direction` 0) or
/// received (`direction` non-zero), address octet first, without FCS.
pub type t30_real_time_frame_handler_t = unsafe extern "C" fn(
    s: *mut t30_state_t,
    user_data: *mut c_void,
    direction: c_int,
    msg: *const u8,
    len: c_int,
);
pub type t30_phase_e_handler_t =
    unsafe extern "C" fn(s: *mut t30_state_t, user_data: *mut c_void, completion_code: c_int);

// async.h: signal status codes delivered as negative "bits".
pub const SIG_STATUS_CARRIER_DOWN: c_int = -1;
pub const SIG_STATUS_CARRIER_UP: c_int = -2;
pub const SIG_STATUS_TRAINING_IN_PROGRESS: c_int = -3;
pub const SIG_STATUS_TRAINING_SUCCEEDED: c_int = -4;
pub const SIG_STATUS_TRAINING_FAILED: c_int = -5;
pub const SIG_STATUS_END_OF_DATA: c_int = -7;
pub const SIG_STATUS_SHUTDOWN_COMPLETE: c_int = -10;

// fsk.h
pub const FSK_V21CH1: usize = 0;
pub const FSK_V21CH2: usize = 1;
pub const FSK_FRAME_MODE_SYNC: c_int = 1;

// bert.h
pub const BERT_PATTERN_ITU_O151_23: c_int = 8;

// modem_connect_tones.h
pub const MODEM_CONNECT_TONES_NONE: c_int = 0;
pub const MODEM_CONNECT_TONES_FAX_CNG: c_int = 1;
/// `MODEM_CONNECT_TONES_FAX_CED` is `MODEM_CONNECT_TONES_ANS` (2100 Hz, no phase reversals).
pub const MODEM_CONNECT_TONES_FAX_CED: c_int = 2;

// t30.h
pub const T30_ERR_OK: c_int = 0;
pub const T30_SUPPORT_V27TER: c_int = 0x01;
pub const T30_SUPPORT_V29: c_int = 0x02;
pub const T30_SUPPORT_V17: c_int = 0x04;
pub const T30_SUPPORT_T4_1D_COMPRESSION: c_int = 0x02;
pub const T30_SUPPORT_T4_2D_COMPRESSION: c_int = 0x04;
pub const T30_SUPPORT_T6_COMPRESSION: c_int = 0x08;
pub const T30_SUPPORT_STANDARD_RESOLUTION: c_int = 0x01;
pub const T30_SUPPORT_FINE_RESOLUTION: c_int = 0x02;
pub const T30_SUPPORT_SUPERFINE_RESOLUTION: c_int = 0x04;
pub const T30_SUPPORT_R8_RESOLUTION: c_int = 0x20000;
pub const T30_SUPPORT_215MM_WIDTH: c_int = 0x01;
pub const T30_SUPPORT_255MM_WIDTH: c_int = 0x02;
pub const T30_SUPPORT_303MM_WIDTH: c_int = 0x04;
pub const T30_SUPPORT_UNLIMITED_LENGTH: c_int = 0x10000;
pub const T30_SUPPORT_A4_LENGTH: c_int = 0x20000;
pub const T30_SUPPORT_B4_LENGTH: c_int = 0x40000;
pub const T30_SUPPORT_US_LETTER_LENGTH: c_int = 0x80000;
pub const T30_SUPPORT_US_LEGAL_LENGTH: c_int = 0x100000;

// t4 compression codes reported in t30_stats_t::encoding (t4_rx.h)
pub const T4_COMPRESSION_NONE: c_int = 0;
pub const T4_COMPRESSION_ITU_T4_1D: c_int = 1;
pub const T4_COMPRESSION_ITU_T4_2D: c_int = 2;
pub const T4_COMPRESSION_ITU_T6: c_int = 3;

#[link(name = "spandsp")]
extern "C" {
    /// Declared with unknown length in fsk.h; index it only through a raw pointer.
    pub static preset_fsk_specs: [fsk_spec_t; 0];

    pub fn bert_init(
        s: *mut bert_state_t,
        limit: c_int,
        pattern: c_int,
        resync_len: c_int,
        resync_percent: c_int,
    ) -> *mut bert_state_t;
    pub fn bert_free(s: *mut bert_state_t) -> c_int;
    pub fn bert_get_bit(s: *mut bert_state_t) -> c_int;
    pub fn bert_put_bit(s: *mut bert_state_t, bit: c_int);
    pub fn bert_result(s: *mut bert_state_t, results: *mut bert_results_t) -> c_int;

    pub fn awgn_init_dbm0(s: *mut awgn_state_t, idum: c_int, level: c_float) -> *mut awgn_state_t;
    pub fn awgn_free(s: *mut awgn_state_t) -> c_int;
    pub fn awgn(s: *mut awgn_state_t) -> i16;

    pub fn fsk_tx_init(
        s: *mut fsk_tx_state_t,
        spec: *const fsk_spec_t,
        get_bit: get_bit_func_t,
        user_data: *mut c_void,
    ) -> *mut fsk_tx_state_t;
    pub fn fsk_tx_free(s: *mut fsk_tx_state_t) -> c_int;
    pub fn fsk_tx_power(s: *mut fsk_tx_state_t, power: c_float);
    pub fn fsk_tx(s: *mut fsk_tx_state_t, amp: *mut i16, len: c_int) -> c_int;
    pub fn fsk_rx_init(
        s: *mut fsk_rx_state_t,
        spec: *const fsk_spec_t,
        framing_mode: c_int,
        put_bit: put_bit_func_t,
        user_data: *mut c_void,
    ) -> *mut fsk_rx_state_t;
    pub fn fsk_rx_free(s: *mut fsk_rx_state_t) -> c_int;
    pub fn fsk_rx(s: *mut fsk_rx_state_t, amp: *const i16, len: c_int) -> c_int;
    pub fn fsk_rx_signal_power(s: *mut fsk_rx_state_t) -> c_float;

    pub fn v27ter_tx_init(
        s: *mut v27ter_tx_state_t,
        bit_rate: c_int,
        tep: c_int,
        get_bit: get_bit_func_t,
        user_data: *mut c_void,
    ) -> *mut v27ter_tx_state_t;
    pub fn v27ter_tx_free(s: *mut v27ter_tx_state_t) -> c_int;
    pub fn v27ter_tx_power(s: *mut v27ter_tx_state_t, power: c_float);
    pub fn v27ter_tx(s: *mut v27ter_tx_state_t, amp: *mut i16, len: c_int) -> c_int;
    pub fn v27ter_rx_init(
        s: *mut v27ter_rx_state_t,
        bit_rate: c_int,
        put_bit: put_bit_func_t,
        user_data: *mut c_void,
    ) -> *mut v27ter_rx_state_t;
    pub fn v27ter_rx_free(s: *mut v27ter_rx_state_t) -> c_int;
    pub fn v27ter_rx(s: *mut v27ter_rx_state_t, amp: *const i16, len: c_int) -> c_int;
    pub fn v27ter_rx_signal_power(s: *mut v27ter_rx_state_t) -> c_float;

    pub fn v29_tx_init(
        s: *mut v29_tx_state_t,
        bit_rate: c_int,
        tep: c_int,
        get_bit: get_bit_func_t,
        user_data: *mut c_void,
    ) -> *mut v29_tx_state_t;
    pub fn v29_tx_free(s: *mut v29_tx_state_t) -> c_int;
    pub fn v29_tx_power(s: *mut v29_tx_state_t, power: c_float);
    pub fn v29_tx(s: *mut v29_tx_state_t, amp: *mut i16, len: c_int) -> c_int;
    pub fn v29_rx_init(
        s: *mut v29_rx_state_t,
        bit_rate: c_int,
        put_bit: put_bit_func_t,
        user_data: *mut c_void,
    ) -> *mut v29_rx_state_t;
    pub fn v29_rx_free(s: *mut v29_rx_state_t) -> c_int;
    pub fn v29_rx(s: *mut v29_rx_state_t, amp: *const i16, len: c_int) -> c_int;
    pub fn v29_rx_signal_power(s: *mut v29_rx_state_t) -> c_float;

    pub fn v17_tx_init(
        s: *mut v17_tx_state_t,
        bit_rate: c_int,
        tep: c_int,
        get_bit: get_bit_func_t,
        user_data: *mut c_void,
    ) -> *mut v17_tx_state_t;
    pub fn v17_tx_restart(
        s: *mut v17_tx_state_t,
        bit_rate: c_int,
        tep: c_int,
        short_train: c_int,
    ) -> c_int;
    pub fn v17_tx_free(s: *mut v17_tx_state_t) -> c_int;
    pub fn v17_tx_power(s: *mut v17_tx_state_t, power: c_float);
    pub fn v17_tx(s: *mut v17_tx_state_t, amp: *mut i16, len: c_int) -> c_int;
    pub fn v17_rx_init(
        s: *mut v17_rx_state_t,
        bit_rate: c_int,
        put_bit: put_bit_func_t,
        user_data: *mut c_void,
    ) -> *mut v17_rx_state_t;
    pub fn v17_rx_restart(s: *mut v17_rx_state_t, bit_rate: c_int, short_train: c_int) -> c_int;
    pub fn v17_rx_free(s: *mut v17_rx_state_t) -> c_int;
    pub fn v17_rx(s: *mut v17_rx_state_t, amp: *const i16, len: c_int) -> c_int;
    pub fn v17_rx_signal_power(s: *mut v17_rx_state_t) -> c_float;

    pub fn hdlc_tx_init(
        s: *mut hdlc_tx_state_t,
        crc32: c_int,
        inter_frame_flags: c_int,
        progressive: c_int,
        handler: Option<hdlc_underflow_handler_t>,
        user_data: *mut c_void,
    ) -> *mut hdlc_tx_state_t;
    pub fn hdlc_tx_free(s: *mut hdlc_tx_state_t) -> c_int;
    pub fn hdlc_tx_frame(s: *mut hdlc_tx_state_t, frame: *const u8, len: usize) -> c_int;
    pub fn hdlc_tx_flags(s: *mut hdlc_tx_state_t, len: c_int) -> c_int;
    pub fn hdlc_tx_get_bit(s: *mut hdlc_tx_state_t) -> c_int;
    pub fn hdlc_rx_init(
        s: *mut hdlc_rx_state_t,
        crc32: c_int,
        report_bad_frames: c_int,
        framing_ok_threshold: c_int,
        handler: hdlc_frame_handler_t,
        user_data: *mut c_void,
    ) -> *mut hdlc_rx_state_t;
    pub fn hdlc_rx_free(s: *mut hdlc_rx_state_t) -> c_int;
    pub fn hdlc_rx_put_bit(s: *mut hdlc_rx_state_t, new_bit: c_int);

    pub fn modem_connect_tones_tx_init(
        s: *mut modem_connect_tones_tx_state_t,
        tone_type: c_int,
    ) -> *mut modem_connect_tones_tx_state_t;
    pub fn modem_connect_tones_tx_free(s: *mut modem_connect_tones_tx_state_t) -> c_int;
    pub fn modem_connect_tones_tx(
        s: *mut modem_connect_tones_tx_state_t,
        amp: *mut i16,
        len: c_int,
    ) -> c_int;
    pub fn modem_connect_tones_rx_init(
        s: *mut modem_connect_tones_rx_state_t,
        tone_type: c_int,
        tone_callback: Option<tone_report_func_t>,
        user_data: *mut c_void,
    ) -> *mut modem_connect_tones_rx_state_t;
    pub fn modem_connect_tones_rx_free(s: *mut modem_connect_tones_rx_state_t) -> c_int;
    pub fn modem_connect_tones_rx(
        s: *mut modem_connect_tones_rx_state_t,
        amp: *const i16,
        len: c_int,
    ) -> c_int;
    pub fn modem_connect_tones_rx_get(s: *mut modem_connect_tones_rx_state_t) -> c_int;

    pub fn fax_init(s: *mut fax_state_t, calling_party: c_int) -> *mut fax_state_t;
    pub fn fax_free(s: *mut fax_state_t) -> c_int;
    pub fn fax_rx(s: *mut fax_state_t, amp: *mut i16, len: c_int) -> c_int;
    pub fn fax_tx(s: *mut fax_state_t, amp: *mut i16, max_len: c_int) -> c_int;
    pub fn fax_set_transmit_on_idle(s: *mut fax_state_t, transmit_on_idle: c_int);
    pub fn fax_set_tep_mode(s: *mut fax_state_t, use_tep: c_int);
    pub fn fax_get_t30_state(s: *mut fax_state_t) -> *mut t30_state_t;
    pub fn fax_get_logging_state(s: *mut fax_state_t) -> *mut logging_state_t;

    pub fn t30_set_tx_ident(s: *mut t30_state_t, id: *const c_char) -> c_int;
    pub fn t30_get_rx_ident(s: *mut t30_state_t) -> *const c_char;
    pub fn t30_set_rx_file(s: *mut t30_state_t, file: *const c_char, stop_page: c_int);
    pub fn t30_set_tx_file(
        s: *mut t30_state_t,
        file: *const c_char,
        start_page: c_int,
        stop_page: c_int,
    );
    pub fn t30_set_ecm_capability(s: *mut t30_state_t, enabled: c_int) -> c_int;
    pub fn t30_set_supported_modems(s: *mut t30_state_t, supported_modems: c_int) -> c_int;
    pub fn t30_set_supported_compressions(s: *mut t30_state_t, supported: c_int) -> c_int;
    pub fn t30_set_supported_resolutions(s: *mut t30_state_t, supported: c_int) -> c_int;
    pub fn t30_set_supported_image_sizes(s: *mut t30_state_t, supported: c_int) -> c_int;
    pub fn t30_set_phase_d_handler(
        s: *mut t30_state_t,
        handler: t30_phase_d_handler_t,
        user_data: *mut c_void,
    );
    pub fn t30_set_phase_e_handler(
        s: *mut t30_state_t,
        handler: t30_phase_e_handler_t,
        user_data: *mut c_void,
    );
    pub fn t30_set_real_time_frame_handler(
        s: *mut t30_state_t,
        handler: t30_real_time_frame_handler_t,
        user_data: *mut c_void,
    );
    pub fn t30_get_logging_state(s: *mut t30_state_t) -> *mut logging_state_t;
    pub fn t30_terminate(s: *mut t30_state_t);
    pub fn t30_get_transfer_statistics(s: *mut t30_state_t, t: *mut t30_stats_t);
    pub fn t30_completion_code_to_str(result: c_int) -> *const c_char;

    pub fn span_log_set_level(s: *mut logging_state_t, level: c_int) -> c_int;
}
