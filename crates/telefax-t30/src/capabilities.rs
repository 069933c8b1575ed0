//! The DIS/DTC/DCS facsimile information field (T.30 §5.3.6.2.1 and Table 2).
//!
//! # Bit numbering
//!
//! T.30 Table 2 numbers the bits of the field from 1 in transmission order. With octets in
//! line order (bit 0 of each octet received first, see [`crate::fcf`]), Table 2 bit `n` is
//! bit `(n - 1) % 8` of octet `(n - 1) / 8`. Bits 24, 32, 40, ... are "extend field" bits:
//! when set, another octet follows.
//!
//! [`Capabilities`] keeps the octets exactly as received (so frames round-trip bit for bit,
//! short and over-long fields included) and decodes them on demand.
//!
//! ```
//! use telefax_t30::capabilities::{Capabilities, FieldKind, FastModem, Coding, Resolution};
//! // "DCS: 83 00 a2 08" as printed by spandsp for a real call.
//! let dcs = Capabilities::from_fif(FieldKind::Dcs, &[0x00, 0xa2, 0x08]);
//! assert_eq!(dcs.modem(), Some(FastModem::V17_14400));
//! assert_eq!(dcs.coding(), Coding::Mr);
//! assert_eq!(dcs.resolution(), Resolution::R8x3_85);
//! assert_eq!(dcs.width_pixels(), Some(1728));
//! assert!(!dcs.ecm());
//! ```

use serde::Serialize;

/// The largest field [`Capabilities::set_bit`] grows to (T.30 defines fewer than 20 octets).
pub const MAX_FIF_OCTETS: usize = 64;

/// Which frame a capability field belongs to; DIS/DTC list capabilities, DCS selects a
/// mode, and a few bits mean different things in each (T.30 Table 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum FieldKind {
    /// Digital identification signal (answering terminal's capabilities).
    Dis,
    /// Digital transmit command (polling terminal's capabilities).
    Dtc,
    /// Digital command signal (the mode the transmitter chose).
    Dcs,
}

/// A high-speed modulation (T.30 §5.3.6.2.1 bits 11–14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Modem {
    /// ITU-T V.27 ter (2400/4800 bit/s).
    V27ter,
    /// ITU-T V.29 (7200/9600 bit/s).
    V29,
    /// ITU-T V.17 (7200–14400 bit/s).
    V17,
}

/// A modulation at a particular data signalling rate, as selected in DCS bits 11–14.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[allow(non_camel_case_types)]
pub enum FastModem {
    /// V.27 ter at 2400 bit/s.
    V27ter2400,
    /// V.27 ter at 4800 bit/s.
    V27ter4800,
    /// V.29 at 7200 bit/s.
    V29_7200,
    /// V.29 at 9600 bit/s.
    V29_9600,
    /// V.17 at 7200 bit/s.
    V17_7200,
    /// V.17 at 9600 bit/s.
    V17_9600,
    /// V.17 at 12000 bit/s.
    V17_12000,
    /// V.17 at 14400 bit/s.
    V17_14400,
}

impl FastModem {
    /// All modes from fastest to slowest: the T.30 fallback order after FTT
    /// (V.17 14400 → 12000 → 9600 → 7200 → V.29 9600 → 7200 → V.27 ter 4800 → 2400).
    pub const FALLBACK_ORDER: [FastModem; 8] = [
        FastModem::V17_14400,
        FastModem::V17_12000,
        FastModem::V17_9600,
        FastModem::V17_7200,
        FastModem::V29_9600,
        FastModem::V29_7200,
        FastModem::V27ter4800,
        FastModem::V27ter2400,
    ];

    /// The modulation.
    pub const fn modem(self) -> Modem {
        match self {
            FastModem::V27ter2400 | FastModem::V27ter4800 => Modem::V27ter,
            FastModem::V29_7200 | FastModem::V29_9600 => Modem::V29,
            _ => Modem::V17,
        }
    }

    /// The data signalling rate in bit/s.
    pub const fn bit_rate(self) -> u32 {
        match self {
            FastModem::V27ter2400 => 2400,
            FastModem::V27ter4800 => 4800,
            FastModem::V29_7200 | FastModem::V17_7200 => 7200,
            FastModem::V29_9600 | FastModem::V17_9600 => 9600,
            FastModem::V17_12000 => 12000,
            FastModem::V17_14400 => 14400,
        }
    }

    /// The DCS code in bits 11–14 as a nibble (bit 11 in the least significant place).
    pub const fn dcs_code(self) -> u8 {
        match self {
            FastModem::V27ter2400 => 0b0000,
            FastModem::V27ter4800 => 0b0010,
            FastModem::V29_9600 => 0b0001,
            FastModem::V29_7200 => 0b0011,
            FastModem::V17_14400 => 0b1000,
            FastModem::V17_12000 => 0b1010,
            FastModem::V17_9600 => 0b1001,
            FastModem::V17_7200 => 0b1011,
        }
    }

    /// Decode a DCS bits 11–14 nibble (bit 11 least significant); `None` for reserved codes.
    pub const fn from_dcs_code(code: u8) -> Option<FastModem> {
        Some(match code & 0x0f {
            0b0000 => FastModem::V27ter2400,
            0b0010 => FastModem::V27ter4800,
            0b0001 => FastModem::V29_9600,
            0b0011 => FastModem::V29_7200,
            0b1000 => FastModem::V17_14400,
            0b1010 => FastModem::V17_12000,
            0b1001 => FastModem::V17_9600,
            0b1011 => FastModem::V17_7200,
            _ => return None,
        })
    }

    /// The next slower mode in [`FastModem::FALLBACK_ORDER`], if any.
    pub fn fallback(self) -> Option<FastModem> {
        let i = Self::FALLBACK_ORDER.iter().position(|m| *m == self)?;
        Self::FALLBACK_ORDER.get(i + 1).copied()
    }

    /// Short text such as "V.17 14400".
    pub const fn name(self) -> &'static str {
        match self {
            FastModem::V27ter2400 => "V.27ter 2400",
            FastModem::V27ter4800 => "V.27ter 4800",
            FastModem::V29_7200 => "V.29 7200",
            FastModem::V29_9600 => "V.29 9600",
            FastModem::V17_7200 => "V.17 7200",
            FastModem::V17_9600 => "V.17 9600",
            FastModem::V17_12000 => "V.17 12000",
            FastModem::V17_14400 => "V.17 14400",
        }
    }
}

impl core::fmt::Display for FastModem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// A scanning resolution (T.30 Table 2 bits 15, 41–45, 105–109).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Resolution {
    /// 8 pels/mm × 3.85 lines/mm ("standard").
    R8x3_85,
    /// 8 pels/mm × 7.7 lines/mm ("fine").
    R8x7_7,
    /// 8 pels/mm × 15.4 lines/mm ("superfine").
    R8x15_4,
    /// 16 pels/mm × 15.4 lines/mm.
    R16x15_4,
    /// 200 × 100 pels/25.4 mm.
    In200x100,
    /// 200 × 200 pels/25.4 mm.
    In200x200,
    /// 200 × 400 pels/25.4 mm.
    In200x400,
    /// 300 × 300 pels/25.4 mm.
    In300x300,
    /// 300 × 600 pels/25.4 mm.
    In300x600,
    /// 400 × 400 pels/25.4 mm.
    In400x400,
    /// 400 × 800 pels/25.4 mm.
    In400x800,
    /// 600 × 600 pels/25.4 mm.
    In600x600,
    /// 600 × 1200 pels/25.4 mm.
    In600x1200,
    /// 1200 × 1200 pels/25.4 mm.
    In1200x1200,
}

impl Resolution {
    /// Horizontal resolution as a multiple of 200 pels/25.4 mm (≈ 8 pels/mm), in halves:
    /// 2 = 200 (or 8/mm), 3 = 300, 4 = 400 (16/mm), 6 = 600, 12 = 1200.
    pub const fn x_halves(self) -> u32 {
        match self {
            Resolution::R8x3_85
            | Resolution::R8x7_7
            | Resolution::R8x15_4
            | Resolution::In200x100
            | Resolution::In200x200
            | Resolution::In200x400 => 2,
            Resolution::In300x300 | Resolution::In300x600 => 3,
            Resolution::R16x15_4 | Resolution::In400x400 | Resolution::In400x800 => 4,
            Resolution::In600x600 | Resolution::In600x1200 => 6,
            Resolution::In1200x1200 => 12,
        }
    }

    /// Vertical resolution in lines per 25.4 mm (3.85 lines/mm counted as 100).
    pub const fn lines_per_inch(self) -> u32 {
        match self {
            Resolution::R8x3_85 | Resolution::In200x100 => 100,
            Resolution::R8x7_7 | Resolution::In200x200 => 200,
            Resolution::In300x300 => 300,
            Resolution::R8x15_4
            | Resolution::R16x15_4
            | Resolution::In200x400
            | Resolution::In400x400 => 400,
            Resolution::In300x600 | Resolution::In600x600 => 600,
            Resolution::In400x800 => 800,
            Resolution::In600x1200 | Resolution::In1200x1200 => 1200,
        }
    }

    /// Whether this is an inch-based resolution.
    pub const fn is_inch_based(self) -> bool {
        !matches!(
            self,
            Resolution::R8x3_85 | Resolution::R8x7_7 | Resolution::R8x15_4 | Resolution::R16x15_4
        )
    }

    /// The metric resolution T.30 treats as equivalent for negotiation, if any.
    pub const fn metric_equivalent(self) -> Resolution {
        match self {
            Resolution::In200x100 => Resolution::R8x3_85,
            Resolution::In200x200 => Resolution::R8x7_7,
            Resolution::In200x400 => Resolution::R8x15_4,
            Resolution::In400x400 => Resolution::R16x15_4,
            r => r,
        }
    }
}

/// A scan line width (T.30 Table 2 bits 17–18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Width {
    /// 215 mm (A4, 1728 pels at 8/mm).
    A4,
    /// 255 mm (B4, 2048 pels at 8/mm).
    B4,
    /// 303 mm (A3, 2432 pels at 8/mm).
    A3,
}

impl Width {
    /// Pels per line at 8 pels/mm (200 pels/25.4 mm), T.4 §2.2.
    pub const fn pels_at_8(self) -> u32 {
        match self {
            Width::A4 => 1728,
            Width::B4 => 2048,
            Width::A3 => 2432,
        }
    }

    /// Pels per line at the given resolution (T.4 Table 1).
    pub const fn pels(self, res: Resolution) -> u32 {
        self.pels_at_8() * res.x_halves() / 2
    }
}

/// A maximum recording length (T.30 Table 2 bits 19–20, 76–77).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Length {
    /// A4 (297 mm).
    A4,
    /// B4 (364 mm).
    B4,
    /// Unlimited.
    Unlimited,
}

/// A page coding scheme (T.30 Table 2 bits 16, 31, 36, 68, 78, 79).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Coding {
    /// T.4 one-dimensional modified Huffman.
    Mh,
    /// T.4 two-dimensional modified READ.
    Mr,
    /// T.6 modified modified READ (only with ECM, T.30 §5.3.6.2.1 note).
    Mmr,
    /// T.85 JBIG (bi-level, single-progression), basic.
    T85,
    /// T.85 JBIG with the optional L0.
    T85L0,
    /// T.43 colour JBIG.
    T43,
    /// T.81 JPEG (T.30 Annex E).
    Jpeg,
}

impl Coding {
    /// Whether T.30 allows this coding only in error correction mode (everything but MH/MR).
    pub const fn requires_ecm(self) -> bool {
        !matches!(self, Coding::Mh | Coding::Mr)
    }
}

/// The minimum scan line time (T.30 Table 2 bits 21–23).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ScanLineTime {
    /// Milliseconds at 3.85 lines/mm.
    pub ms: u8,
    /// DIS only: the time at 7.7 lines/mm is half of `ms`.
    pub half_at_fine: bool,
}

impl ScanLineTime {
    /// The time in ms that applies at the given vertical resolution (T.30 Table 2 note).
    pub fn ms_at(self, res: Resolution) -> u8 {
        if self.half_at_fine && res.lines_per_inch() >= 200 {
            self.ms / 2
        } else {
            self.ms
        }
    }
}

/// The "extend field" bit of each octet from the third on (bits 24, 32, 40, ...).
const fn is_extend_bit(bit: u16) -> bool {
    bit >= 24 && bit % 8 == 0
}

/// The name T.30 Table 2 gives to bit `n` (1-based), for traces and reports.
pub fn bit_name(n: u16, kind: FieldKind) -> &'static str {
    if is_extend_bit(n) {
        return "extend field";
    }
    let dcs = kind == FieldKind::Dcs;
    match n {
        1..=8 => "reserved (T.37/T.38 and V.8 bits)",
        9 => {
            if dcs {
                "reserved (0 in DCS)"
            } else {
                "ready to transmit a facsimile document (polling)"
            }
        }
        10 => "receiver fax operation",
        11..=14 => "data signalling rate",
        15 => "R8x7.7 lines/mm and/or 200x200 pels/25.4 mm",
        16 => "two-dimensional coding (MR)",
        17 | 18 => "recording width",
        19 | 20 => "recording length",
        21..=23 => "minimum scan line time",
        25 => "reserved (2400 bit/s handshaking)",
        26 => "uncompressed mode",
        27 => "error correction mode",
        28 => {
            if dcs {
                "frame size (0: 256 octets, 1: 64 octets)"
            } else {
                "set to 0"
            }
        }
        29 => "reserved (error limiting mode)",
        30 => "reserved (G4 facsimile)",
        31 => "T.6 coding (MMR)",
        33 => "field valid",
        34 => "multiple selective polling",
        35 => "polled subaddress",
        36 => "T.43 coding",
        37 => "plane interleave",
        38 => "voice coding (G.726)",
        39 => "reserved (extended voice coding)",
        41 => "R8x15.4 lines/mm (superfine)",
        42 => "300x300 pels/25.4 mm",
        43 => "R16x15.4 lines/mm and/or 400x400 pels/25.4 mm",
        44 => "inch-based resolution",
        45 => "metric-based resolution",
        46 => "minimum scan line time for higher resolutions (T15.4 = 1/2 T7.7)",
        47 => "selective polling (SEP)",
        49 => "subaddressing (SUB)",
        50 => "password (PWD/SID)",
        51 => "ready to transmit a data file (polling)",
        52 => "reserved",
        53 => "binary file transfer (BFT)",
        54 => "document transfer mode (DTM)",
        55 => "electronic data interchange (EDI)",
        57 => "basic transfer mode (BTM)",
        58 => "reserved",
        59 => "ready to transmit a character or mixed mode document (polling)",
        60 => "character mode",
        61 => "reserved",
        62 => "mixed mode (T.4 Annex E)",
        63 => "reserved",
        65 => "processable mode 26 (T.505)",
        66 => "digital network capability",
        67 => "duplex and half duplex capabilities",
        68 => "JPEG coding",
        69 => "full colour mode",
        70 => "preferred Huffman tables",
        71 => "12 bits/pel component",
        73 => "no subsampling (1:1:1)",
        74 => "custom illuminant",
        75 => "custom gamut range",
        76 => "North American Letter (215.9 x 279.4 mm)",
        77 => "North American Legal (215.9 x 355.6 mm)",
        78 => "T.85 (JBIG) basic",
        79 => "T.85 (JBIG) optional L0",
        81 => "HKM key management",
        82 => "RSA key management",
        83 => "override",
        84 => "HFX40 cipher",
        85 => "alternative cipher number 2",
        86 => "alternative cipher number 3",
        87 => "HFX40-I hashing",
        89 => "alternative hashing system 2",
        90 => "alternative hashing system 3",
        91 => "reserved (security)",
        92..=94 => "T.44 mixed raster content mode",
        95 => "page length maximum stripe size for T.44",
        97 => "colour/grey 300x300 or 400x400 pels/25.4 mm",
        98 => "colour/grey 100x100 pels/25.4 mm",
        99 => "simple phase C BFT negotiations",
        100 => "reserved (extended BFT negotiations)",
        101 => "internet selective polling address (ISP)",
        102 => "internet routing address (IRA)",
        103 => "reserved",
        105 => "600x600 pels/25.4 mm",
        106 => "1200x1200 pels/25.4 mm",
        107 => "300x600 pels/25.4 mm",
        108 => "400x800 pels/25.4 mm",
        109 => "600x1200 pels/25.4 mm",
        110 => "colour/grey 600x600 pels/25.4 mm",
        111 => "colour/grey 1200x1200 pels/25.4 mm",
        113 => "double sided printing (alternate mode)",
        114 => "double sided printing (continuous mode)",
        115 => "black and white mixed raster content profile (MRCbw)",
        116 => "T.45 (run length colour encoding)",
        117 => "shared memory",
        118 => "flow control capability for T.38",
        119 => "K>4 (T.44)",
        _ => "reserved/unassigned",
    }
}

/// The DIS, DTC or DCS facsimile information field (T.30 §5.3.6.2.1, Table 2), kept as the
/// received octets in line order and decoded on demand.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Capabilities {
    kind: FieldKind,
    raw: Vec<u8>,
}

impl Capabilities {
    /// An empty field of the given kind: three zero octets (bits 1–24), the minimum T.30
    /// allows. Everything off means V.27 ter 2400 fall-back, standard resolution, A4, MH.
    pub fn new(kind: FieldKind) -> Self {
        Capabilities {
            kind,
            raw: vec![0; 3],
        }
    }

    /// Wrap a received field exactly, whatever its length (the frame parser bounds it by
    /// [`crate::frame::MAX_FRAME_LEN`]).
    pub fn from_fif(kind: FieldKind, fif: &[u8]) -> Self {
        Capabilities {
            kind,
            raw: fif.to_vec(),
        }
    }

    /// Which frame this field belongs to.
    pub fn kind(&self) -> FieldKind {
        self.kind
    }

    /// The same bits labelled as another kind (e.g. a DIS answered as DTC).
    pub fn with_kind(mut self, kind: FieldKind) -> Self {
        self.kind = kind;
        self
    }

    /// The octets in line order, exactly as received or built.
    pub fn as_bytes(&self) -> &[u8] {
        &self.raw
    }

    /// Table 2 bit `n` (1-based); bits beyond the field read as 0.
    pub fn bit(&self, n: u16) -> bool {
        if n == 0 {
            return false;
        }
        let i = usize::from(n - 1);
        self.raw.get(i / 8).is_some_and(|o| o & (1 << (i % 8)) != 0)
    }

    /// Set or clear Table 2 bit `n` (1-based, at most `8 * MAX_FIF_OCTETS`). Setting a bit
    /// beyond the field grows it and sets the extend bits of the octets before (T.30
    /// §5.3.6.2.1); clearing never shrinks it.
    pub fn set_bit(&mut self, n: u16, value: bool) {
        if n == 0 || usize::from(n) > 8 * MAX_FIF_OCTETS {
            return;
        }
        let i = usize::from(n - 1);
        let octet = i / 8;
        if octet >= self.raw.len() {
            if !value {
                return;
            }
            self.raw.resize(octet + 1, 0);
        }
        if value {
            self.raw[octet] |= 1 << (i % 8);
        } else {
            self.raw[octet] &= !(1 << (i % 8));
        }
        // Extend bits: every octet from the third up to the last but one says "more follows".
        let len = self.raw.len();
        for (k, o) in self.raw.iter_mut().enumerate().skip(2) {
            if k + 1 < len {
                *o |= 0x80;
            } else {
                *o &= 0x7f;
            }
        }
    }

    /// Every set bit number, in order (extend bits included).
    pub fn set_bits(&self) -> Vec<u16> {
        (1..=(self.raw.len() * 8) as u16)
            .filter(|&n| self.bit(n))
            .collect()
    }

    /// Whether the extend bits agree with the field length (informational; real machines
    /// sometimes get this wrong and the field is still used as received).
    pub fn extend_bits_consistent(&self) -> bool {
        let len = self.raw.len();
        if len < 3 {
            return true;
        }
        self.raw
            .iter()
            .enumerate()
            .skip(2)
            .all(|(k, o)| (o & 0x80 != 0) == (k + 1 < len))
    }

    fn nibble_11_14(&self) -> u8 {
        self.raw.get(1).map_or(0, |o| (o >> 2) & 0x0f)
    }

    // --- bits 9-14 -------------------------------------------------------------------

    /// DIS/DTC bit 9: ready to transmit a facsimile document (polling).
    pub fn ready_to_transmit(&self) -> bool {
        self.kind != FieldKind::Dcs && self.bit(9)
    }

    /// Bit 10: receiver fax operation.
    pub fn receiver_fax_operation(&self) -> bool {
        self.bit(10)
    }

    /// DIS/DTC bits 11–14: every mode the terminal can receive, fastest first (bit 11 →
    /// V.29, bit 12 → V.27 ter 4800, bit 14 → V.17; all clear → V.27 ter 2400 fall-back
    /// only). Reserved codes are read bit by bit, so old V.33 codes still yield V.29/V.17.
    pub fn modems(&self) -> Vec<FastModem> {
        let c = self.nibble_11_14();
        let v29 = c & 0b0001 != 0;
        let v27 = c & 0b0010 != 0;
        let v17 = c & 0b1000 != 0;
        FastModem::FALLBACK_ORDER
            .iter()
            .copied()
            .filter(|m| match m.modem() {
                Modem::V17 => v17,
                Modem::V29 => v29,
                Modem::V27ter => *m == FastModem::V27ter2400 || v27,
            })
            .collect()
    }

    /// Whether the DIS/DTC allows `mode`.
    pub fn supports_modem(&self, mode: FastModem) -> bool {
        self.modems().contains(&mode)
    }

    /// DCS bits 11–14: the selected modem and rate (`None` for reserved codes).
    pub fn modem(&self) -> Option<FastModem> {
        FastModem::from_dcs_code(self.nibble_11_14())
    }

    /// DCS: the selected data signalling rate in bit/s.
    pub fn bit_rate(&self) -> Option<u32> {
        self.modem().map(FastModem::bit_rate)
    }

    /// Set DIS/DTC bits 11–14 to the T.30 code for the given modulations.
    pub fn set_modems(&mut self, v27ter: bool, v29: bool, v17: bool) {
        let code = match (v27ter, v29, v17) {
            (_, _, true) => 0b1011,
            (true, true, false) => 0b0011,
            (false, true, false) => 0b0001,
            (true, false, false) => 0b0010,
            (false, false, false) => 0b0000,
        };
        self.set_nibble_11_14(code);
    }

    /// Set DCS bits 11–14 to `mode`.
    pub fn set_modem(&mut self, mode: FastModem) {
        self.set_nibble_11_14(mode.dcs_code());
    }

    fn set_nibble_11_14(&mut self, code: u8) {
        for k in 0..4 {
            self.set_bit(11 + k, code & (1 << k) != 0);
        }
    }

    // --- resolution --------------------------------------------------------------------

    /// DIS/DTC: every resolution the terminal accepts (standard always).
    pub fn resolutions(&self) -> Vec<Resolution> {
        let mut v = vec![Resolution::R8x3_85];
        let table = [
            (15, Resolution::R8x7_7),
            (41, Resolution::R8x15_4),
            (43, Resolution::R16x15_4),
            (42, Resolution::In300x300),
            (107, Resolution::In300x600),
            (108, Resolution::In400x800),
            (105, Resolution::In600x600),
            (109, Resolution::In600x1200),
            (106, Resolution::In1200x1200),
        ];
        v.extend(table.iter().filter(|(b, _)| self.bit(*b)).map(|(_, r)| *r));
        if self.bit(44) {
            v.push(Resolution::In200x100);
            let inch = [
                (15, Resolution::In200x200),
                (41, Resolution::In200x400),
                (43, Resolution::In400x400),
            ];
            v.extend(inch.iter().filter(|(b, _)| self.bit(*b)).map(|(_, r)| *r));
        }
        v
    }

    /// Whether a DIS/DTC accepts `res` (inch and metric forms of 200/400 are treated as
    /// equivalent, as T.30 Table 2 notes allow).
    pub fn supports_resolution(&self, res: Resolution) -> bool {
        let all = self.resolutions();
        all.contains(&res) || all.contains(&res.metric_equivalent())
    }

    /// DCS: the selected resolution (bit 44 selects the inch-based reading of bits 15, 41
    /// and 43).
    pub fn resolution(&self) -> Resolution {
        let inch = self.bit(44) && !self.bit(45);
        if self.bit(106) {
            Resolution::In1200x1200
        } else if self.bit(109) {
            Resolution::In600x1200
        } else if self.bit(105) {
            Resolution::In600x600
        } else if self.bit(108) {
            Resolution::In400x800
        } else if self.bit(107) {
            Resolution::In300x600
        } else if self.bit(43) {
            if inch {
                Resolution::In400x400
            } else {
                Resolution::R16x15_4
            }
        } else if self.bit(42) {
            Resolution::In300x300
        } else if self.bit(41) {
            if inch {
                Resolution::In200x400
            } else {
                Resolution::R8x15_4
            }
        } else if self.bit(15) {
            if inch {
                Resolution::In200x200
            } else {
                Resolution::R8x7_7
            }
        } else if inch {
            Resolution::In200x100
        } else {
            Resolution::R8x3_85
        }
    }

    /// DCS: select `res` (clears the other resolution bits).
    pub fn set_resolution(&mut self, res: Resolution) {
        for b in [15, 41, 42, 43, 44, 45, 105, 106, 107, 108, 109] {
            self.set_bit(b, false);
        }
        let bit = match res.metric_equivalent() {
            Resolution::R8x3_85 => None,
            Resolution::R8x7_7 => Some(15),
            Resolution::R8x15_4 => Some(41),
            Resolution::R16x15_4 => Some(43),
            Resolution::In300x300 => Some(42),
            Resolution::In600x600 => Some(105),
            Resolution::In1200x1200 => Some(106),
            Resolution::In300x600 => Some(107),
            Resolution::In400x800 => Some(108),
            Resolution::In600x1200 => Some(109),
            _ => None,
        };
        if let Some(b) = bit {
            self.set_bit(b, true);
        }
        if res.is_inch_based() && res.metric_equivalent() != res {
            self.set_bit(44, true);
        }
    }

    /// DIS/DTC: advertise `res` (and its inch/metric preference bit where needed).
    pub fn add_resolution(&mut self, res: Resolution) {
        let bit = match res.metric_equivalent() {
            Resolution::R8x3_85 => None,
            Resolution::R8x7_7 => Some(15),
            Resolution::R8x15_4 => Some(41),
            Resolution::R16x15_4 => Some(43),
            Resolution::In300x300 => Some(42),
            Resolution::In600x600 => Some(105),
            Resolution::In1200x1200 => Some(106),
            Resolution::In300x600 => Some(107),
            Resolution::In400x800 => Some(108),
            Resolution::In600x1200 => Some(109),
            _ => None,
        };
        if let Some(b) = bit {
            self.set_bit(b, true);
        }
        if res.is_inch_based() && res.metric_equivalent() != res {
            self.set_bit(44, true);
        } else if !res.is_inch_based() && res != Resolution::R8x3_85 {
            self.set_bit(45, true);
        }
    }

    // --- width and length --------------------------------------------------------------

    /// DIS/DTC bits 17–18: accepted widths (invalid code 1,1 read as all three).
    pub fn widths(&self) -> Vec<Width> {
        match (self.bit(17), self.bit(18)) {
            (false, false) => vec![Width::A4],
            (true, false) => vec![Width::A4, Width::B4],
            _ => vec![Width::A4, Width::B4, Width::A3],
        }
    }

    /// DCS bits 17–18: the selected width (`None` for the invalid code 1,1).
    pub fn width(&self) -> Option<Width> {
        match (self.bit(17), self.bit(18)) {
            (false, false) => Some(Width::A4),
            (true, false) => Some(Width::B4),
            (false, true) => Some(Width::A3),
            (true, true) => None,
        }
    }

    /// DCS: pels per scan line for the selected width and resolution (T.4 Table 1).
    pub fn width_pixels(&self) -> Option<u32> {
        self.width().map(|w| w.pels(self.resolution()))
    }

    /// DCS: select `width`.
    pub fn set_width(&mut self, width: Width) {
        self.set_bit(17, width == Width::B4);
        self.set_bit(18, width == Width::A3);
    }

    /// DIS/DTC: advertise every width up to `widest`.
    pub fn set_max_width(&mut self, widest: Width) {
        self.set_bit(17, widest == Width::B4);
        self.set_bit(18, widest == Width::A3);
    }

    /// DIS/DTC bits 19–20: accepted lengths.
    pub fn lengths(&self) -> Vec<Length> {
        match (self.bit(19), self.bit(20)) {
            (false, false) => vec![Length::A4],
            (true, false) => vec![Length::A4, Length::B4],
            _ => vec![Length::A4, Length::B4, Length::Unlimited],
        }
    }

    /// DCS bits 19–20: the selected length (`None` for the invalid code 1,1).
    pub fn length(&self) -> Option<Length> {
        match (self.bit(19), self.bit(20)) {
            (false, false) => Some(Length::A4),
            (true, false) => Some(Length::B4),
            (false, true) => Some(Length::Unlimited),
            (true, true) => None,
        }
    }

    /// DCS: select `length`; DIS: advertise lengths up to `length`.
    pub fn set_length(&mut self, length: Length) {
        self.set_bit(19, length == Length::B4);
        self.set_bit(20, length == Length::Unlimited);
    }

    /// Bits 76/77: North American Letter and Legal.
    pub fn letter_legal(&self) -> (bool, bool) {
        (self.bit(76), self.bit(77))
    }

    // --- scan line time ----------------------------------------------------------------

    /// Bits 21–23: the minimum scan line time (DIS/DTC semantics include the "half at
    /// 7.7 lines/mm" codes; in DCS those codes are invalid and read as the plain time).
    pub fn min_scan_line_time(&self) -> ScanLineTime {
        let (b21, b22, b23) = (self.bit(21), self.bit(22), self.bit(23));
        let (ms, half) = match (b21, b22, b23) {
            (false, false, false) => (20, false),
            (false, false, true) => (40, false),
            (false, true, false) => (10, false),
            (true, false, false) => (5, false),
            (false, true, true) => (10, true),
            (true, true, false) => (20, true),
            (true, false, true) => (40, true),
            (true, true, true) => (0, false),
        };
        ScanLineTime {
            ms,
            half_at_fine: half && self.kind != FieldKind::Dcs,
        }
    }

    /// Set bits 21–23 to a plain time (0, 5, 10, 20 or 40 ms; other values round up).
    pub fn set_min_scan_line_time(&mut self, ms: u8) {
        let (b21, b22, b23) = match ms {
            0 => (true, true, true),
            1..=5 => (true, false, false),
            6..=10 => (false, true, false),
            11..=20 => (false, false, false),
            _ => (false, false, true),
        };
        self.set_bit(21, b21);
        self.set_bit(22, b22);
        self.set_bit(23, b23);
    }

    /// Bit 46 (DIS): T15.4 = 1/2 T7.7.
    pub fn half_scan_time_at_superfine(&self) -> bool {
        self.bit(46)
    }

    // --- coding ------------------------------------------------------------------------

    /// DIS/DTC: every coding the terminal accepts (MH always).
    pub fn codings(&self) -> Vec<Coding> {
        let mut v = vec![Coding::Mh];
        let table = [
            (16, Coding::Mr),
            (31, Coding::Mmr),
            (78, Coding::T85),
            (79, Coding::T85L0),
            (36, Coding::T43),
            (68, Coding::Jpeg),
        ];
        v.extend(table.iter().filter(|(b, _)| self.bit(*b)).map(|(_, c)| *c));
        v
    }

    /// DCS: the selected coding (the highest one whose bit is set).
    pub fn coding(&self) -> Coding {
        if self.bit(68) {
            Coding::Jpeg
        } else if self.bit(36) {
            Coding::T43
        } else if self.bit(79) {
            Coding::T85L0
        } else if self.bit(78) {
            Coding::T85
        } else if self.bit(31) {
            Coding::Mmr
        } else if self.bit(16) {
            Coding::Mr
        } else {
            Coding::Mh
        }
    }

    fn coding_bit(c: Coding) -> Option<u16> {
        match c {
            Coding::Mh => None,
            Coding::Mr => Some(16),
            Coding::Mmr => Some(31),
            Coding::T85 => Some(78),
            Coding::T85L0 => Some(79),
            Coding::T43 => Some(36),
            Coding::Jpeg => Some(68),
        }
    }

    /// DCS: select `coding` (clears the other coding bits).
    pub fn set_coding(&mut self, coding: Coding) {
        for b in [16, 31, 36, 68, 78, 79] {
            self.set_bit(b, false);
        }
        if let Some(b) = Self::coding_bit(coding) {
            self.set_bit(b, true);
        }
    }

    /// DIS/DTC: advertise `coding`.
    pub fn add_coding(&mut self, coding: Coding) {
        if let Some(b) = Self::coding_bit(coding) {
            self.set_bit(b, true);
        }
    }

    /// Bit 26: uncompressed mode.
    pub fn uncompressed(&self) -> bool {
        self.bit(26)
    }

    // --- ECM and misc --------------------------------------------------------------------

    /// Bit 27: error correction mode (T.30 Annex A).
    pub fn ecm(&self) -> bool {
        self.bit(27)
    }

    /// DCS bit 28: the ECM frame size in octets (256, or 64 when set); `None` without ECM.
    pub fn frame_size(&self) -> Option<u16> {
        if !self.ecm() {
            None
        } else if self.kind == FieldKind::Dcs && self.bit(28) {
            Some(64)
        } else {
            Some(256)
        }
    }

    /// Set bit 27, and in DCS bit 28 for 64-octet frames.
    pub fn set_ecm(&mut self, ecm: bool, frame_size: u16) {
        self.set_bit(27, ecm);
        if self.kind == FieldKind::Dcs {
            self.set_bit(28, ecm && frame_size == 64);
        }
    }

    /// Bit 47: selective polling (SEP).
    pub fn selective_polling(&self) -> bool {
        self.bit(47)
    }

    /// Bit 49: subaddressing (SUB).
    pub fn subaddressing(&self) -> bool {
        self.bit(49)
    }

    /// Bit 50: password (PWD/SID).
    pub fn password(&self) -> bool {
        self.bit(50)
    }

    /// Bit 35: polled subaddress (PSA).
    pub fn polled_subaddress(&self) -> bool {
        self.bit(35)
    }

    /// Bit 69: full colour mode.
    pub fn full_colour(&self) -> bool {
        self.bit(69)
    }

    /// Bit 67: duplex and half-duplex capability.
    pub fn duplex(&self) -> bool {
        self.bit(67)
    }

    /// A serializable summary of every decoded field (what [`Serialize`] writes).
    pub fn summary(&self) -> CapabilitiesSummary {
        let dcs = self.kind == FieldKind::Dcs;
        CapabilitiesSummary {
            kind: self.kind,
            octets: hex(&self.raw),
            set_bits: self
                .set_bits()
                .into_iter()
                .filter(|&b| !is_extend_bit(b))
                .collect(),
            ready_to_transmit: self.ready_to_transmit(),
            receiver_fax_operation: self.receiver_fax_operation(),
            modem: if dcs { self.modem() } else { None },
            modems: if dcs { Vec::new() } else { self.modems() },
            resolution: dcs.then(|| self.resolution()),
            resolutions: if dcs { Vec::new() } else { self.resolutions() },
            coding: dcs.then(|| self.coding()),
            codings: if dcs { Vec::new() } else { self.codings() },
            width: if dcs { self.width() } else { None },
            widths: if dcs { Vec::new() } else { self.widths() },
            width_pixels: if dcs { self.width_pixels() } else { None },
            length: if dcs { self.length() } else { None },
            lengths: if dcs { Vec::new() } else { self.lengths() },
            min_scan_line_time: self.min_scan_line_time(),
            ecm: self.ecm(),
            frame_size: if dcs { self.frame_size() } else { None },
            uncompressed: self.uncompressed(),
            selective_polling: self.selective_polling(),
            subaddressing: self.subaddressing(),
            password: self.password(),
            letter: self.bit(76),
            legal: self.bit(77),
            extend_bits_consistent: self.extend_bits_consistent(),
        }
    }

    /// A one-line description such as "V.17 14400, R8x3_85, MR, A4 1728, ECM 256".
    pub fn describe(&self) -> String {
        use core::fmt::Write;
        let mut s = String::new();
        if self.kind == FieldKind::Dcs {
            match self.modem() {
                Some(m) => s.push_str(m.name()),
                None => s.push_str("reserved rate"),
            }
            let _ = write!(
                s,
                ", {:?}, {:?}, {:?} {}, length {:?}, scan {} ms",
                self.resolution(),
                self.coding(),
                self.width().unwrap_or(Width::A4),
                self.width_pixels().unwrap_or(0),
                self.length(),
                self.min_scan_line_time().ms
            );
            if let Some(fs) = self.frame_size() {
                let _ = write!(s, ", ECM {fs}");
            }
        } else {
            let m: Vec<&str> = self.modems().iter().map(|m| m.name()).collect();
            let _ = write!(
                s,
                "modems [{}], res {:?}, codings {:?}, widths {:?}, lengths {:?}, scan {} ms{}",
                m.join(", "),
                self.resolutions(),
                self.codings(),
                self.widths(),
                self.lengths(),
                self.min_scan_line_time().ms,
                if self.min_scan_line_time().half_at_fine {
                    " (half at fine)"
                } else {
                    ""
                }
            );
            if self.ecm() {
                s.push_str(", ECM");
            }
            if self.ready_to_transmit() {
                s.push_str(", ready to transmit (polling)");
            }
            if !self.receiver_fax_operation() {
                s.push_str(", no receive");
            }
        }
        s
    }
}

/// Lower-case hex of octets, no separators.
pub(crate) fn hex(b: &[u8]) -> String {
    use core::fmt::Write;
    let mut s = String::with_capacity(b.len() * 2);
    for o in b {
        let _ = write!(s, "{o:02x}");
    }
    s
}

/// The decoded content of a [`Capabilities`] field, for JSON reports. DIS/DTC fill the
/// plural (capability list) fields, DCS the singular (selection) ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct CapabilitiesSummary {
    pub kind: FieldKind,
    /// The field in line-order hex.
    pub octets: String,
    /// Every Table 2 bit number that is set (extend bits omitted).
    pub set_bits: Vec<u16>,
    pub ready_to_transmit: bool,
    pub receiver_fax_operation: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modem: Option<FastModem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub modems: Vec<FastModem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resolutions: Vec<Resolution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coding: Option<Coding>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub codings: Vec<Coding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<Width>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub widths: Vec<Width>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width_pixels: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<Length>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lengths: Vec<Length>,
    pub min_scan_line_time: ScanLineTime,
    pub ecm: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_size: Option<u16>,
    pub uncompressed: bool,
    pub selective_polling: bool,
    pub subaddressing: bool,
    pub password: bool,
    pub letter: bool,
    pub legal: bool,
    pub extend_bits_consistent: bool,
}

impl Serialize for Capabilities {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.summary().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_dis_v17_fine_mr_zero_ms() {
        // DIS: 80 00 ee 78 (spandsp fax_decode, FAX-Call_10.35.60.100 recording)
        let c = Capabilities::from_fif(FieldKind::Dis, &[0x00, 0xee, 0x78]);
        assert_eq!(c.modems().len(), 8);
        assert!(c.receiver_fax_operation());
        assert!(!c.ready_to_transmit());
        assert!(c.supports_resolution(Resolution::R8x7_7));
        assert_eq!(c.codings(), vec![Coding::Mh, Coding::Mr]);
        assert_eq!(c.widths(), vec![Width::A4]);
        assert_eq!(c.lengths().last(), Some(&Length::Unlimited));
        assert_eq!(c.min_scan_line_time().ms, 0);
        assert!(!c.ecm());
        assert!(c.extend_bits_consistent());
    }

    #[test]
    fn real_dis_v29_superfine_extended() {
        // DIS: 80 00 ce 88 80 80 11 (asterisk_CUSTOMER recording)
        let c = Capabilities::from_fif(FieldKind::Dis, &[0x00, 0xce, 0x88, 0x80, 0x80, 0x11]);
        let m = c.modems();
        assert!(m.contains(&FastModem::V29_9600) && m.contains(&FastModem::V27ter4800));
        assert!(!m.contains(&FastModem::V17_14400));
        assert!(c.supports_resolution(Resolution::R8x15_4));
        assert!(c.bit(45));
        assert_eq!(c.min_scan_line_time().ms, 20);
        assert!(c.extend_bits_consistent());
    }

    #[test]
    fn real_dcs_v29_9600_extended() {
        // DCS: 83 00 86 88 80 80 00
        let c = Capabilities::from_fif(FieldKind::Dcs, &[0x00, 0x86, 0x88, 0x80, 0x80, 0x00]);
        assert_eq!(c.modem(), Some(FastModem::V29_9600));
        assert_eq!(c.coding(), Coding::Mr);
        assert_eq!(c.length(), Some(Length::Unlimited));
        assert_eq!(c.resolution(), Resolution::R8x3_85);
    }

    #[test]
    fn set_bit_grows_field_with_extend_bits() {
        let mut c = Capabilities::new(FieldKind::Dcs);
        c.set_bit(27, true);
        assert_eq!(c.as_bytes(), &[0, 0, 0x80, 0x04]);
        c.set_bit(41, true);
        assert_eq!(c.as_bytes(), &[0, 0, 0x80, 0x84, 0x80, 0x01]);
        assert!(c.extend_bits_consistent());
    }

    #[test]
    fn dcs_setters_round_trip_through_getters() {
        for m in FastModem::FALLBACK_ORDER {
            for r in [
                Resolution::R8x3_85,
                Resolution::R8x7_7,
                Resolution::R8x15_4,
                Resolution::In300x300,
                Resolution::R16x15_4,
                Resolution::In200x200,
                Resolution::In600x600,
            ] {
                for cd in [
                    Coding::Mh,
                    Coding::Mr,
                    Coding::Mmr,
                    Coding::T85,
                    Coding::Jpeg,
                ] {
                    let mut c = Capabilities::new(FieldKind::Dcs);
                    c.set_modem(m);
                    c.set_resolution(r);
                    c.set_coding(cd);
                    c.set_width(Width::B4);
                    c.set_ecm(true, 64);
                    assert_eq!(c.modem(), Some(m));
                    assert_eq!(c.resolution(), r);
                    assert_eq!(c.coding(), cd);
                    assert_eq!(c.frame_size(), Some(64));
                    assert_eq!(c.width_pixels(), Some(2048 * r.x_halves() / 2));
                }
            }
        }
    }

    #[test]
    fn dis_modem_codes() {
        let mut c = Capabilities::new(FieldKind::Dis);
        c.set_modems(true, true, false);
        assert_eq!(c.modems().len(), 4);
        c.set_modems(true, false, false);
        assert_eq!(
            c.modems(),
            vec![FastModem::V27ter4800, FastModem::V27ter2400]
        );
        c.set_modems(false, false, false);
        assert_eq!(c.modems(), vec![FastModem::V27ter2400]);
    }

    #[test]
    fn fallback_sequence_is_t30_order() {
        let mut m = FastModem::V17_14400;
        let mut seq = vec![m];
        while let Some(n) = m.fallback() {
            seq.push(n);
            m = n;
        }
        assert_eq!(seq, FastModem::FALLBACK_ORDER.to_vec());
    }
}
