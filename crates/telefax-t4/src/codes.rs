//! Code tables of T.4 §4.1.2 (Tables 2/T.4 and 3/T.4: terminating and
//! make-up codes; Table 3a: extended make-up codes), §4.2.1.3 (Table 4/T.4:
//! two-dimensional mode codes) and the extension codes of Table 4/T.4 and
//! Annex/§4.1.3 (uncompressed mode), built once into lookup tables.

use std::sync::OnceLock;

/// T.4 Table 2/T.4: white terminating codes, run lengths 0..=63.
const WHITE_TERM: [&str; 64] = [
    "00110101", "000111", "0111", "1000", "1011", "1100", "1110", "1111", "10011", "10100",
    "00111", "01000", "001000", "000011", "110100", "110101", "101010", "101011", "0100111",
    "0001100", "0001000", "0010111", "0000011", "0000100", "0101000", "0101011", "0010011",
    "0100100", "0011000", "00000010", "00000011", "00011010", "00011011", "00010010", "00010011",
    "00010100", "00010101", "00010110", "00010111", "00101000", "00101001", "00101010", "00101011",
    "00101100", "00101101", "00000100", "00000101", "00001010", "00001011", "01010010", "01010011",
    "01010100", "01010101", "00100100", "00100101", "01011000", "01011001", "01011010", "01011011",
    "01001010", "01001011", "00110010", "00110011", "00110100",
];

/// T.4 Table 2/T.4: black terminating codes, run lengths 0..=63.
const BLACK_TERM: [&str; 64] = [
    "0000110111",
    "010",
    "11",
    "10",
    "011",
    "0011",
    "0010",
    "00011",
    "000101",
    "000100",
    "0000100",
    "0000101",
    "0000111",
    "00000100",
    "00000111",
    "000011000",
    "0000010111",
    "0000011000",
    "0000001000",
    "00001100111",
    "00001101000",
    "00001101100",
    "00000110111",
    "00000101000",
    "00000010111",
    "00000011000",
    "000011001010",
    "000011001011",
    "000011001100",
    "000011001101",
    "000001101000",
    "000001101001",
    "000001101010",
    "000001101011",
    "000011010010",
    "000011010011",
    "000011010100",
    "000011010101",
    "000011010110",
    "000011010111",
    "000001101100",
    "000001101101",
    "000011011010",
    "000011011011",
    "000001010100",
    "000001010101",
    "000001010110",
    "000001010111",
    "000001100100",
    "000001100101",
    "000001010010",
    "000001010011",
    "000000100100",
    "000000110111",
    "000000111000",
    "000000100111",
    "000000101000",
    "000001011000",
    "000001011001",
    "000000101011",
    "000000101100",
    "000001011010",
    "000001100110",
    "000001100111",
];

/// T.4 Table 3/T.4: white make-up codes, run lengths 64, 128, ..., 1728.
const WHITE_MAKEUP: [&str; 27] = [
    "11011",
    "10010",
    "010111",
    "0110111",
    "00110110",
    "00110111",
    "01100100",
    "01100101",
    "01101000",
    "01100111",
    "011001100",
    "011001101",
    "011010010",
    "011010011",
    "011010100",
    "011010101",
    "011010110",
    "011010111",
    "011011000",
    "011011001",
    "011011010",
    "011011011",
    "010011000",
    "010011001",
    "010011010",
    "011000",
    "010011011",
];

/// T.4 Table 3/T.4: black make-up codes, run lengths 64, 128, ..., 1728.
const BLACK_MAKEUP: [&str; 27] = [
    "0000001111",
    "000011001000",
    "000011001001",
    "000001011011",
    "000000110011",
    "000000110100",
    "000000110101",
    "0000001101100",
    "0000001101101",
    "0000001001010",
    "0000001001011",
    "0000001001100",
    "0000001001101",
    "0000001110010",
    "0000001110011",
    "0000001110100",
    "0000001110101",
    "0000001110110",
    "0000001110111",
    "0000001010010",
    "0000001010011",
    "0000001010100",
    "0000001010101",
    "0000001011010",
    "0000001011011",
    "0000001100100",
    "0000001100101",
];

/// T.4 Table 3a/T.4: extended make-up codes (both colours), 1792..=2560.
const EXT_MAKEUP: [&str; 13] = [
    "00000001000",
    "00000001100",
    "00000001101",
    "000000010010",
    "000000010011",
    "000000010100",
    "000000010101",
    "000000010110",
    "000000010111",
    "000000011100",
    "000000011101",
    "000000011110",
    "000000011111",
];

/// T.4 §4.1.2: the end-of-line code, `000000000001`.
pub(crate) const EOL: u32 = 0b0000_0000_0001;
/// Length of [`EOL`] in bits.
pub(crate) const EOL_BITS: u32 = 12;
/// T.4 §4.1.4: return to control is six consecutive EOLs.
pub const RTC_EOLS: u32 = 6;
/// Longest run a single make-up code covers (T.4 Table 3a/T.4).
pub(crate) const MAX_MAKEUP: u32 = 2560;

/// Bits a run-length lookup is indexed by (the longest code is 13 bits).
pub(crate) const RUN_INDEX_BITS: u32 = 13;
/// Bits the short run table [`Tables::run8`] is indexed by.
pub(crate) const SHORT_INDEX_BITS: u32 = 8;
/// Run-table value marking EOL.
pub(crate) const RUN_EOL: u16 = 4095;
/// Run-table value marking the 1-D uncompressed-mode entry `000000001111`.
pub(crate) const RUN_UNCOMPRESSED: u16 = 4094;

/// Bits the multi-code table [`Tables::multi`] is indexed by.
pub(crate) const MULTI_BITS: u32 = 13;
/// Most terminating codes one [`Tables::multi`] entry resolves.
pub(crate) const MULTI_MAX: usize = 3;

/// Bits the one-dimensional decoder's multi-code table [`Tables::multi1d`]
/// is indexed by. A dithered area is mostly white runs of 1 (`000111`) and
/// black runs of 1 or 3 (`010`, `10`) (T.4 Table 2/T.4): 15 bits hold
/// three such codes (W1 B1 W1 is 15 bits), 13 bits only two.
pub(crate) const MULTI1D_BITS: u32 = 15;
/// Most terminating codes one [`Tables::multi1d`] entry resolves.
pub(crate) const MULTI1D_MAX: usize = 4;
/// [`Tables::multi1d`] entry: the bit set when the codes' count is odd (the
/// colour after them flips), the top bit of the low 16 (one test of them).
pub(crate) const MULTI1D_FLIP: u64 = 1 << 15;
/// [`Tables::multi1d`] entry for "no terminating code of a non-zero run":
/// its sum of runs (the top 16 bits) is larger than any row.
pub(crate) const MULTI1D_NONE: u64 = 0xFFFF << 48;
/// Where a [`Tables::multi1d`] entry shifted right by [`MULTI1D_LO`] or
/// [`MULTI1D_HI`] holds two change offsets, as two 32-bit lanes.
pub(crate) const MULTI1D_LANES: u64 = 0xFF << 32 | 0xFF;
/// Shift of a [`Tables::multi1d`] entry that brings the offsets of the
/// first two changes into [`MULTI1D_LANES`].
pub(crate) const MULTI1D_LO: u32 = 6;
/// Shift of a [`Tables::multi1d`] entry that brings the offsets of the
/// last two changes into [`MULTI1D_LANES`].
pub(crate) const MULTI1D_HI: u32 = 16;
/// Bit of a [`Tables::multi1d`] entry where its count of codes starts, the
/// top bits of the low 32, so that one shift of them gives it.
pub(crate) const MULTI1D_COUNT: u32 = 29;
// The flip bit sits above the first offset's lane (bits 6..14, the offset
// under 64); the table reads whole codes of up to RUN_INDEX_BITS; four
// entries use at most 60 bits, so the low six bits of their sum count them
// (a 16-bit index, 4.4 % fewer lookups on the 8x8 dither page in a
// simulation, would need a wider field).
const _: () = assert!(MULTI1D_BITS >= RUN_INDEX_BITS && 4 * MULTI1D_BITS < 64);

/// Bits a 2-D mode lookup is indexed by.
pub(crate) const MODE_INDEX_BITS: u32 = 7;

/// Packed mode kind: horizontal mode.
pub(crate) const KIND_HORIZONTAL: u8 = 7;
/// Packed mode kind: pass mode.
pub(crate) const KIND_PASS: u8 = 8;
/// Packed mode kind: extension, zeros (EOL/EOFB) or invalid.
pub(crate) const KIND_OTHER: u8 = 9;

/// Bits the dense-row op table [`Tables::op2d`] is indexed by.
pub(crate) const OP_BITS: u32 = 12;
/// [`Tables::op2d`] flag: pass mode.
pub(crate) const OP_PASS: u32 = 1 << 7;
/// [`Tables::op2d`] flag: horizontal mode.
pub(crate) const OP_HORIZONTAL: u32 = 1 << 8;

/// Pack a [`Tables::op2d`] entry: bits 0..4 the code length (0 = not
/// decoded here), [`OP_PASS`], [`OP_HORIZONTAL`], and from bit 11 and bit
/// 18 two offsets biased by 3 (7 and 8 bits): the vertical offset (twice),
/// or the first run and the sum of both runs of a horizontal code.
const fn op_entry(len: u32, flags: u32, off1: i32, off2: i32) -> u32 {
    len | flags | ((off1 + 3) as u32) << 11 | ((off2 + 3) as u32) << 18
}

/// Two-dimensional coding modes of T.4 §4.2.1.3.2 (Table 4/T.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Pass mode, `0001`.
    Pass,
    /// Horizontal mode, `001` followed by two runs.
    Horizontal,
    /// Vertical mode, a1 = b1 + offset, offset in -3..=3.
    Vertical(i8),
    /// `0000001xxx`: extension (uncompressed mode when xxx = 111).
    Extension,
    /// Seven zero bits: EOL, EOFB or garbage.
    Zeros,
    /// No valid code starts with these bits (cannot happen with 7 bits, kept total).
    Invalid,
}

/// Table 4/T.4 mode codes.
const MODES: [(&str, Mode); 9] = [
    ("1", Mode::Vertical(0)),
    ("011", Mode::Vertical(1)),
    ("000011", Mode::Vertical(2)),
    ("0000011", Mode::Vertical(3)),
    ("010", Mode::Vertical(-1)),
    ("000010", Mode::Vertical(-2)),
    ("0000010", Mode::Vertical(-3)),
    ("001", Mode::Horizontal),
    ("0001", Mode::Pass),
];

/// [`Tables::mode_packed`] as a constant (`kind << 4 | len` for the mode
/// code at the top of a 7-bit window), so the 2-D decoder's hot loop needs
/// no table pointer for it.
pub(crate) const MODE7: [u8; 1 << MODE_INDEX_BITS] = {
    let mut t = [KIND_OTHER << 4; 1 << MODE_INDEX_BITS];
    let mut i = 0;
    while i < MODES.len() {
        let (s, m) = MODES[i];
        let b = s.as_bytes();
        let mut bits = 0usize;
        let mut j = 0;
        while j < b.len() {
            bits = bits << 1 | (b[j] - b'0') as usize;
            j += 1;
        }
        let len = b.len();
        let kind = match m {
            Mode::Vertical(k) => (k + 3) as u8,
            Mode::Horizontal => KIND_HORIZONTAL,
            _ => KIND_PASS,
        };
        let shift = MODE_INDEX_BITS as usize - len;
        let mut e = bits << shift;
        while e < (bits + 1) << shift {
            t[e] = kind << 4 | len as u8;
            e += 1;
        }
        i += 1;
    }
    // Seven zeros (EOL, EOFB or garbage) and the extension prefix.
    t[0] = KIND_OTHER << 4 | 7;
    t[1] = KIND_OTHER << 4 | 7;
    t
};

/// [`GEN7`] flag: a vertical code other than V0, or pass mode (T.4
/// §4.2.1.3.2) - the codes the 2-D decoder's general loop decodes without
/// a branch on the mode.
pub(crate) const GEN_FAST: i32 = 1 << 6;
/// [`GEN7`] flag (fast entries): a vertical code (a1 is b1 plus the offset,
/// and it is a change); clear for pass mode (a1 is b2, no change).
pub(crate) const GEN_VERT: i32 = 1 << 7;

/// The offset field of pass mode's [`GEN7`] entry: larger than any distance
/// between two changes of a row, with a low byte of 0 (the general loop
/// takes a1's offset from the field's low byte: 0 for pass mode, a1 = b2).
pub(crate) const GEN_PASS_D: i32 = 1 << 22;
const _: () = assert!(crate::MAX_WIDTH < GEN_PASS_D as u32);

/// The 2-D decoder's general-loop mode table, indexed by the next 7 bits:
/// bits 0..3 the code length (bits 3..6 clear, so the entry is a shift
/// count as it is); with [`GEN_FAST`] set (V-3..V-1, V1..V3, pass)
/// [`GEN_VERT`] for a vertical code and as a signed value from bit 8 (`e
/// >> 8`) the vertical offset, or [`GEN_PASS_D`] for pass mode; otherwise
/// the [`MODE7`] kind (V0, horizontal, other) from bit 8.
pub(crate) const GEN7: [i32; 1 << MODE_INDEX_BITS] = {
    let mut t = [0i32; 1 << MODE_INDEX_BITS];
    let mut i = 0;
    while i < t.len() {
        let e = MODE7[i];
        let (kind, len) = ((e >> 4) as i32, (e & 15) as i32);
        t[i] = if kind == KIND_PASS as i32 {
            GEN_PASS_D << 8 | GEN_FAST | len
        } else if kind < KIND_HORIZONTAL as i32 && kind != 3 {
            (kind - 3) << 8 | GEN_VERT | GEN_FAST | len
        } else {
            kind << 8 | len
        };
        i += 1;
    }
    t
};

/// [`GEN7`] with V0 a fast entry too (offset 0): for dense rows, where V0
/// codes mostly come singly or in short strings between other vertical
/// codes (error-diffused dither), so that telling them apart costs a
/// mispredicted branch more often than a V0 string saves.
pub(crate) const GEN7_V0: [i32; 1 << MODE_INDEX_BITS] = {
    let mut t = GEN7;
    let mut i = 0;
    while i < t.len() {
        if t[i] & GEN_FAST == 0 && t[i] >> 8 == 3 {
            t[i] = GEN_VERT | GEN_FAST | (t[i] & 63);
        }
        i += 1;
    }
    t
};

/// A [`MODE7`] entry of a vertical or pass code.
const fn is_vertical_or_pass(e: u8) -> bool {
    e >> 4 <= 6 || e >> 4 == KIND_PASS
}

/// Bits the dense-row cycle finder's [`VP_PAIR`] is indexed by: two
/// vertical or pass codes (Table 4/T.4: at most 7 bits each).
pub(crate) const PAIR_BITS: u32 = 14;

/// The first two codes at the top of a [`PAIR_BITS`] window when both are
/// vertical or pass codes (T.4 §4.2.1.3.2): their [`MODE7`] entries (`kind
/// << 4 | len`), the first in the low byte; 0 otherwise. The dense-row
/// decoder finds recurring cycles of two or four such codes with it.
pub(crate) static VP_PAIR: [u16; 1 << PAIR_BITS] = {
    let mut t = [0u16; 1 << PAIR_BITS];
    let mut idx = 0usize;
    while idx < t.len() {
        let e0 = MODE7[idx >> (PAIR_BITS - MODE_INDEX_BITS)];
        let l0 = (e0 & 15) as u32;
        let e1 = MODE7[((idx << l0) & ((1 << PAIR_BITS) - 1)) >> (PAIR_BITS - MODE_INDEX_BITS)];
        if is_vertical_or_pass(e0) && is_vertical_or_pass(e1) {
            t[idx] = e0 as u16 | (e1 as u16) << 8;
        }
        idx += 1;
    }
    t
};

/// The 2-D extension code for uncompressed mode, `0000001111` (Table 4/T.4).
pub(crate) const EXT_2D_UNCOMPRESSED: u32 = 0b00_0000_1111;
/// Length of [`EXT_2D_UNCOMPRESSED`].
pub(crate) const EXT_2D_BITS: u32 = 10;

/// One code: value in the low `len` bits.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Code {
    pub bits: u32,
    pub len: u32,
}

/// Encoder and decoder tables.
pub(crate) struct Tables {
    /// Run decode [colour][next 13 bits]: `len | value << 4`, len 0 = invalid.
    pub run: [[u16; 1 << RUN_INDEX_BITS]; 2],
    /// The codes of up to 8 bits (most codes on real pages) in a small
    /// table that stays in the L1 cache: [colour][next 8 bits], as `run`,
    /// 0 = look in `run`.
    pub run8: [[u16; 1 << SHORT_INDEX_BITS]; 2],
    /// Several terminating codes per lookup (dithered pages have runs of
    /// one to four pixels, so two or three codes fit in 13 bits):
    /// [colour of the first run][next [`MULTI_BITS`] bits] gives the
    /// terminating codes of non-zero runs (alternating colours) that lie
    /// wholly in those bits, at most [`MULTI_MAX`], packed as described at
    /// [`multi_entry`]. 0 = no such code (make-up, zero run, EOL, long code).
    /// The 2-D decoder's horizontal mode takes its two runs from here; the
    /// 1-D decoder uses the wider [`Tables::multi1d`].
    pub multi: [[u64; 1 << MULTI_BITS]; 2],
    /// The one-dimensional decoder's wider multi-code table: indexed by
    /// `[colour][next MULTI1D_BITS bits]`, up to [`MULTI1D_MAX`] terminating
    /// codes of non-zero runs, packed as described at [`multi1d_entry`];
    /// [`MULTI1D_NONE`] if there is none. On the heap (2 x 256 KiB; a
    /// dithered page uses under a hundred entries), one allocation per
    /// colour (see `decode_1d_inner`).
    pub multi1d: [Box<[u64; 1 << MULTI1D_BITS]>; 2],
    /// 2-D mode decode, indexed by the next 7 bits: (mode, code length).
    pub mode: [(Mode, u8); 1 << MODE_INDEX_BITS],
    /// The same packed for the hot loop: `kind << 4 | len`, kind 0..=6 =
    /// vertical offset + 3, then [`KIND_HORIZONTAL`], [`KIND_PASS`],
    /// [`KIND_OTHER`] (extension or zeros).
    pub mode_packed: [u8; 1 << MODE_INDEX_BITS],
    /// One 2-D code as an "op" for the dense-row loop of the decoder
    /// (T.4 §4.2.1.3.2): [colour of a0][next [`OP_BITS`] bits] gives a
    /// vertical or pass code, or a horizontal code whose two runs are
    /// non-zero terminating codes inside those bits, packed as described
    /// at `op_entry`; 0 = anything else (the general loop decodes it).
    pub op2d: [[u32; 1 << OP_BITS]; 2],
    /// A white then a black terminating code as one code, for MH rows of
    /// short runs: `[white run * 64 + black run]` = `bits << 5 | len`.
    pub pair: [u32; 64 * 64],
    /// Terminating codes, `[colour][run]`.
    pub term: [[Code; 64]; 2],
    /// Make-up codes [colour][run / 64], index 1..=40 (28..=40 shared extended).
    pub makeup: [[Code; 41]; 2],
    /// Mode codes: pass, horizontal.
    pub pass: Code,
    /// Horizontal mode prefix.
    pub horiz: Code,
    /// Vertical codes, index offset + 3.
    pub vert: [Code; 7],
}

fn parse(s: &str) -> Code {
    let mut bits = 0;
    for c in s.bytes() {
        bits = bits << 1 | u32::from(c == b'1');
    }
    Code {
        bits,
        len: s.len() as u32,
    }
}

fn fill_run(table: &mut [u16; 1 << RUN_INDEX_BITS], code: Code, value: u16) {
    let shift = RUN_INDEX_BITS - code.len;
    let base = (code.bits << shift) as usize;
    let entry = code.len as u16 | value << 4;
    for e in &mut table[base..base + (1usize << shift)] {
        debug_assert_eq!(*e, 0, "prefix clash in run table");
        *e = entry;
    }
}

/// Pack a [`Tables::multi`] entry: bits 0..4 the bits used by all the codes,
/// 4..7 their count, 8..12 the bits used by the first two, 16..24 the
/// offset of the last change from the start (the sum of the runs), and from
/// bit 32 one byte per code, the offset of the change it ends (unused bytes
/// repeat the last offset, so all [`MULTI_MAX`] may be stored).
pub(crate) fn multi_entry(len: u32, len2: u32, offsets: &[u32]) -> u64 {
    let count = offsets.len();
    let Some(&last) = offsets.last() else {
        return 0;
    };
    let mut e = u64::from(len) | (count as u64) << 4 | u64::from(len2) << 8;
    e |= u64::from(last) << 16;
    for i in 0..MULTI_MAX {
        let o = offsets.get(i).copied().unwrap_or(last);
        e |= u64::from(o) << (32 + 8 * i);
    }
    e
}

/// Bit position in a [`Tables::multi1d`] entry of the offset of change `i`
/// (0..[`MULTI1D_MAX`]): the first two at bits 6 and 38, the last two at
/// 16 and 48 (the low byte of the sum of the runs, which the last offset
/// is), so that one shift ([`MULTI1D_LO`], [`MULTI1D_HI`]) and one mask
/// ([`MULTI1D_LANES`], the same for both) give two of them as the 32-bit
/// lanes of a word. The first offset is under 64 and the second under 128
/// (terminating codes), so bits 12..14 and 45 stay clear.
pub(crate) const fn multi1d_offset_bit(i: usize) -> u32 {
    [6, 38, 16, 48][i]
}

/// Pack a [`Tables::multi1d`] entry: bits 0..6 the bits used by all the
/// codes (the decoder shifts by them, and x86 shifts take the count modulo
/// 64, so no mask is needed on its critical path; the low six bits of a
/// sum of four entries are the bits used by all four), from
/// [`MULTI1D_COUNT`] their count, bit [`MULTI1D_BITS`] set when the count
/// is odd ([`MULTI1D_FLIP`]), 48..64 the offset of the last change from the
/// start (the sum of the runs), and at [`multi1d_offset_bit`] the offset of
/// the change each code ends (unused ones repeat the last offset, so all
/// [`MULTI1D_MAX`] may be stored). The decoder adds a0 to two offsets at a
/// time, as the lanes of one 64-bit word, and stores each word as two
/// changes: two shifts, masks and adds for four changes where a byte each
/// took a shift, a zero extension and an add (the loop is short of ALU
/// slots as much as it is bound by its lookup-to-lookup chain).
pub(crate) fn multi1d_entry(len: u32, offsets: &[u32]) -> u64 {
    let count = offsets.len();
    let Some(&last) = offsets.last() else {
        return MULTI1D_NONE;
    };
    let mut e = u64::from(len) | (count as u64) << MULTI1D_COUNT | u64::from(last) << 48;
    if count % 2 == 1 {
        e |= MULTI1D_FLIP;
    }
    for i in 0..MULTI1D_MAX {
        let o = offsets.get(i).copied().unwrap_or(last);
        // Terminating runs are under 64 pixels (see `multi1d_offset_bit`).
        debug_assert!(o < 64 << i.min(2));
        if i < MULTI1D_MAX - 1 {
            e |= u64::from(o) << multi1d_offset_bit(i);
        }
    }
    e
}

/// The terminating codes of non-zero runs (T.4 §4.1.1.2, Tables 2/T.4) at
/// the start of the `bits`-bit window `idx`, the first of colour `colour`
/// and alternating, as many as fit whole in the window, at most
/// `offsets.len()`. Writes the offset of the change each one ends (the sum
/// of the runs so far) and returns (bits used, codes, bits used by the
/// first two).
fn leading_codes(
    t: &Tables,
    colour: usize,
    idx: usize,
    bits: u32,
    offsets: &mut [u32],
) -> (u32, usize, u32) {
    let mut used = 0u32;
    let mut len2 = 0u32;
    let mut col = colour;
    let mut sum = 0u32;
    let mut count = 0;
    while count < offsets.len() {
        // The next code, left-aligned in a RUN_INDEX_BITS window (bits past
        // the `bits` window read as 0).
        let window = (idx << used) & ((1 << bits) - 1);
        let aligned = if bits >= RUN_INDEX_BITS {
            window >> (bits - RUN_INDEX_BITS)
        } else {
            window << (RUN_INDEX_BITS - bits)
        };
        let e = t.run[col][aligned];
        let len = u32::from(e & 15);
        let v = u32::from(e >> 4);
        if len == 0 || used + len > bits || v == 0 || v >= 64 {
            break;
        }
        used += len;
        sum += v;
        offsets[count] = sum;
        count += 1;
        if count == 2 {
            len2 = used;
        }
        col ^= 1;
    }
    (used, count, len2)
}

/// Fill [`Tables::multi1d`] from the run tables.
fn build_multi1d(t: &mut Tables) {
    for colour in 0..2 {
        for idx in 0..1usize << MULTI1D_BITS {
            let mut offsets = [0u32; MULTI1D_MAX];
            let (used, count, _) = leading_codes(t, colour, idx, MULTI1D_BITS, &mut offsets);
            t.multi1d[colour][idx] = multi1d_entry(used, &offsets[..count]);
        }
    }
}

/// Fill [`Tables::multi`] from the run tables.
fn build_multi(t: &mut Tables) {
    for colour in 0..2 {
        for idx in 0..1usize << MULTI_BITS {
            let mut offsets = [0u32; MULTI_MAX];
            let (used, count, len2) = leading_codes(t, colour, idx, MULTI_BITS, &mut offsets);
            t.multi[colour][idx] = multi_entry(used, len2, &offsets[..count]);
        }
    }
}

/// Fill [`Tables::op2d`] from [`MODE7`] and the run tables.
fn build_op2d(t: &mut Tables) {
    for colour in 0..2 {
        for idx in 0..1usize << OP_BITS {
            let e = MODE7[idx >> (OP_BITS - MODE_INDEX_BITS)];
            let (kind, len) = (e >> 4, u32::from(e & 15));
            let op = if kind <= 6 {
                let d = i32::from(kind) - 3;
                op_entry(len, 0, d, d)
            } else if kind == KIND_PASS {
                op_entry(len, OP_PASS, 0, 0)
            } else if kind == KIND_HORIZONTAL {
                // Both runs, left-aligned in a RUN_INDEX_BITS window.
                let mut used = len;
                let mut runs = [0u32; 2];
                let mut ok = true;
                for (i, run) in runs.iter_mut().enumerate() {
                    let window = (idx << used) & ((1 << OP_BITS) - 1);
                    let r = t.run[colour ^ i][window << (RUN_INDEX_BITS - OP_BITS)];
                    let (l, v) = (u32::from(r & 15), u32::from(r >> 4));
                    if l == 0 || used + l > OP_BITS || v == 0 || v >= 64 {
                        ok = false;
                        break;
                    }
                    used += l;
                    *run = v;
                }
                if ok {
                    let (r1, r2) = (runs[0] as i32, runs[1] as i32);
                    op_entry(used, OP_HORIZONTAL, r1, r1 + r2)
                } else {
                    0
                }
            } else {
                0
            };
            t.op2d[colour][idx] = op;
        }
    }
}

fn build() -> Tables {
    let mut t = Tables {
        op2d: [[0; 1 << OP_BITS]; 2],
        multi: [[0; 1 << MULTI_BITS]; 2],
        multi1d: [(); 2].map(|()| {
            vec![MULTI1D_NONE; 1 << MULTI1D_BITS]
                .into_boxed_slice()
                .try_into()
                .expect("table size")
        }),
        pair: [0; 64 * 64],
        run: [[0; 1 << RUN_INDEX_BITS]; 2],
        run8: [[0; 1 << SHORT_INDEX_BITS]; 2],
        mode: [(Mode::Invalid, 0); 1 << MODE_INDEX_BITS],
        mode_packed: [KIND_OTHER << 4; 1 << MODE_INDEX_BITS],
        term: [[Code::default(); 64]; 2],
        makeup: [[Code::default(); 41]; 2],
        pass: parse("0001"),
        horiz: parse("001"),
        vert: [Code::default(); 7],
    };
    for (colour, (term, makeup)) in [(&WHITE_TERM, &WHITE_MAKEUP), (&BLACK_TERM, &BLACK_MAKEUP)]
        .into_iter()
        .enumerate()
    {
        let table = &mut t.run[colour];
        for (run, s) in term.iter().enumerate() {
            let c = parse(s);
            fill_run(table, c, run as u16);
            t.term[colour][run] = c;
        }
        for (i, s) in makeup.iter().enumerate() {
            let c = parse(s);
            fill_run(table, c, ((i + 1) * 64) as u16);
            t.makeup[colour][i + 1] = c;
        }
        for (i, s) in EXT_MAKEUP.iter().enumerate() {
            let c = parse(s);
            fill_run(table, c, ((i + 28) * 64) as u16);
            t.makeup[colour][i + 28] = c;
        }
        fill_run(
            table,
            Code {
                bits: EOL,
                len: EOL_BITS,
            },
            RUN_EOL,
        );
        // T.4 §4.1.3 / Table 4: 1-D extension 000000001xxx, uncompressed when xxx = 111.
        fill_run(table, parse("000000001111"), RUN_UNCOMPRESSED);
    }
    for (short, long) in t.run8.iter_mut().zip(&t.run) {
        for (i, e) in short.iter_mut().enumerate() {
            let x = long[i << (RUN_INDEX_BITS - SHORT_INDEX_BITS)];
            if x != 0 && u32::from(x & 15) <= SHORT_INDEX_BITS {
                *e = x;
            }
        }
    }
    build_multi(&mut t);
    build_multi1d(&mut t);
    build_op2d(&mut t);
    for (i, p) in t.pair.iter_mut().enumerate() {
        let (w, b) = (t.term[0][i / 64], t.term[1][i % 64]);
        *p = (w.bits << b.len | b.bits) << 5 | (w.len + b.len);
    }
    for (s, m) in MODES {
        let c = parse(s);
        let shift = MODE_INDEX_BITS - c.len;
        let base = (c.bits << shift) as usize;
        for e in &mut t.mode[base..base + (1usize << shift)] {
            *e = (m, c.len as u8);
        }
        if let Mode::Vertical(k) = m {
            t.vert[(k + 3) as usize] = c;
        }
    }
    t.mode[1] = (Mode::Extension, 7);
    t.mode[0] = (Mode::Zeros, 7);
    for (p, &(m, len)) in t.mode_packed.iter_mut().zip(&t.mode) {
        let kind = match m {
            Mode::Vertical(k) => (k + 3) as u8,
            Mode::Horizontal => KIND_HORIZONTAL,
            Mode::Pass => KIND_PASS,
            _ => KIND_OTHER,
        };
        *p = kind << 4 | len;
    }
    t
}

impl Tables {
    /// The code of an all-white row of `width` pixels as one code (a
    /// make-up code if `width >= 64`, then a terminating code), if it is a
    /// single make-up code long (`width` up to 2623).
    #[inline]
    pub(crate) fn white_row(&self, width: u32) -> Option<Code> {
        let term = self.term[0][(width % 64) as usize];
        if width < 64 {
            return Some(term);
        }
        let makeup = *self.makeup[0].get((width / 64) as usize)?;
        Some(Code {
            bits: makeup.bits << term.len | term.bits,
            len: makeup.len + term.len,
        })
    }
}

impl std::fmt::Debug for Tables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tables { .. }")
    }
}

static TABLES: OnceLock<Tables> = OnceLock::new();

/// The shared tables, built on first use.
pub(crate) fn tables() -> &'static Tables {
    TABLES.get_or_init(build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_prefix_free_and_complete() {
        // Every code string is found back by a lookup of itself.
        let t = tables();
        for colour in 0..2 {
            let table = &t.run[colour];
            for run in 0..64 {
                let c = t.term[colour][run];
                let e = table[(c.bits << (RUN_INDEX_BITS - c.len)) as usize];
                assert_eq!(u32::from(e & 15), c.len);
                assert_eq!(usize::from(e >> 4), run);
            }
            for i in 1..=40 {
                let c = t.makeup[colour][i];
                let e = table[(c.bits << (RUN_INDEX_BITS - c.len)) as usize];
                assert_eq!(u32::from(e & 15), c.len, "colour {colour} makeup {i}");
                assert_eq!(usize::from(e >> 4), i * 64);
            }
        }
        // The short table agrees with the long one wherever it has an entry.
        for (short, long) in t.run8.iter().zip(&t.run) {
            for (i, &e) in short.iter().enumerate() {
                if e != 0 {
                    for k in 0..1usize << (RUN_INDEX_BITS - SHORT_INDEX_BITS) {
                        assert_eq!(long[i << (RUN_INDEX_BITS - SHORT_INDEX_BITS) | k], e);
                    }
                }
            }
            assert!(short.iter().filter(|&&e| e != 0).count() > 128);
        }
        // The multi-code table agrees with decoding its index code by code.
        for colour in 0..2 {
            for idx in 0..1usize << MULTI_BITS {
                let m = t.multi[colour][idx];
                let (mut used, mut col, mut sum) = (0u32, colour, 0u32);
                let count = ((m >> 4) & 7) as usize;
                for i in 0..count {
                    let window = (idx << used) & ((1 << MULTI_BITS) - 1);
                    let e = t.run[col][window << (RUN_INDEX_BITS - MULTI_BITS)];
                    let (len, v) = (u32::from(e & 15), u32::from(e >> 4));
                    assert!((1..64).contains(&v), "colour {colour} idx {idx:#x}");
                    used += len;
                    sum += v;
                    assert_eq!(((m >> (32 + 8 * i)) & 0xFF) as u32, sum);
                    if i == 1 {
                        assert_eq!(((m >> 8) & 15) as u32, used);
                    }
                    col ^= 1;
                }
                assert!(used <= MULTI_BITS);
                assert_eq!((m & 15) as u32, used);
                assert_eq!(((m >> 16) & 0xFF) as u32, sum);
            }
            // Runs of one or two pixels pack up to MULTI_MAX (3) codes:
            // W2 B2 W2 (B2) = 0111 11 0111 (11) for white first.
            let idx = 0b0111_1101_1111usize << (MULTI_BITS - 12);
            if colour == 0 {
                assert_eq!((t.multi[0][idx] >> 4) & 7, 3, "W2 B2 W2");
                assert_eq!((t.multi[0][idx] >> 16) & 0xFF, 6);
                assert_eq!(t.multi[0][idx] & 15, 10);
            }
        }
        // The 1-D decoder's wider table agrees with decoding its index code
        // by code, and takes every further code that fits.
        for colour in 0..2usize {
            for idx in 0..1usize << MULTI1D_BITS {
                let m = t.multi1d[colour][idx];
                let (mut used, mut col, mut sum) = (0u32, colour, 0u32);
                let mut offsets = [0u32; MULTI1D_MAX];
                let count = (m as u32 >> MULTI1D_COUNT) as usize;
                assert!(count <= MULTI1D_MAX);
                let window = |used: u32| {
                    ((idx << used) & ((1 << MULTI1D_BITS) - 1)) >> (MULTI1D_BITS - RUN_INDEX_BITS)
                };
                for i in 0..count {
                    let e = t.run[col][window(used)];
                    let (len, v) = (u32::from(e & 15), u32::from(e >> 4));
                    assert!((1..64).contains(&v), "colour {colour} idx {idx:#x}");
                    used += len;
                    sum += v;
                    offsets[i..].fill(sum);
                    col ^= 1;
                }
                assert!(used <= MULTI1D_BITS);
                assert_eq!((m & 63) as u32, used);
                assert_eq!(m & MULTI1D_FLIP != 0, count % 2 == 1);
                if count == 0 {
                    assert_eq!(m, MULTI1D_NONE, "colour {colour} idx {idx:#x}");
                    continue;
                }
                assert_eq!((m >> 48) as u32, sum);
                // The lanes hold the offsets in order, unused ones
                // repeating the last.
                let lo = (m >> MULTI1D_LO) & MULTI1D_LANES;
                let hi = (m >> MULTI1D_HI) & MULTI1D_LANES;
                let lanes = [lo as u32, (lo >> 32) as u32, hi as u32, (hi >> 32) as u32];
                assert_eq!(lanes, offsets, "colour {colour} idx {idx:#x}");
                if count < MULTI1D_MAX {
                    // The next code is not a terminating code of a non-zero
                    // run lying wholly in the window.
                    let e = t.run[col][window(used)];
                    let (len, v) = (u32::from(e & 15), u32::from(e >> 4));
                    assert!(len == 0 || used + len > MULTI1D_BITS || v == 0 || v >= 64);
                }
            }
        }
        // A dithered area, white first: W1 B1 W1 = 000111 010 000111 (15 bits).
        let m = t.multi1d[0][0b000_1110_1000_0111];
        assert_eq!((m & 63, m as u32 >> MULTI1D_COUNT, m >> 48), (15, 3, 3));
        let offs: Vec<u64> = (0..MULTI1D_MAX)
            .map(|i| (m >> multi1d_offset_bit(i)) & 0xFF)
            .collect();
        assert_eq!(offs, [1, 2, 3, 3]);
        // The pair table joins a white and a black terminating code.
        for (wr, br) in [(0usize, 0usize), (1, 2), (63, 63), (10, 40)] {
            let (cw, cb) = (t.term[0][wr], t.term[1][br]);
            let p = t.pair[wr * 64 + br];
            assert_eq!(p & 31, cw.len + cb.len);
            assert_eq!(p >> 5, cw.bits << cb.len | cb.bits);
        }
        // An all-white row of 1728 pixels: make-up 1728 (010011011) +
        // white 0 (00110101).
        let c = t.white_row(1728).unwrap();
        assert_eq!((c.bits, c.len), (0b0_1001_1011_0011_0101, 17));
        assert!(t.white_row(2624).is_none());
        assert_eq!(MODE7, t.mode_packed);
        // The 7-bit mode lookup: V-1 (010), pass (0001), H (001).
        assert_eq!(MODE7[0b010_0100], 2 << 4 | 3);
        assert_eq!(MODE7[0b000_1010], KIND_PASS << 4 | 4);
        assert_eq!(MODE7[0b001_0010], KIND_HORIZONTAL << 4 | 3);
        // The general loop's table: V-1 (010), V3 (0000011), pass (0001),
        // V0 (1), horizontal (001), extension (0000001).
        assert_eq!(GEN7[0b010_0100], -1 << 8 | GEN_VERT | GEN_FAST | 3);
        assert_eq!(GEN7[0b000_0011], 3 << 8 | GEN_VERT | GEN_FAST | 7);
        assert_eq!(GEN7[0b000_1010], GEN_PASS_D << 8 | GEN_FAST | 4);
        assert_eq!(GEN7_V0[0b100_0000], GEN_VERT | GEN_FAST | 1);
        assert_eq!(GEN7[0b100_0000], 3 << 8 | 1);
        assert_eq!(GEN7[0b001_0010], i32::from(KIND_HORIZONTAL) << 8 | 3);
        assert_eq!(GEN7[0b000_0001], i32::from(KIND_OTHER) << 8 | 7);
        for (i, &g) in GEN7.iter().enumerate() {
            // Same code length as MODE7 everywhere.
            assert_eq!(g & 63, i32::from(MODE7[i] & 15), "{i:#09b}");
        }
        // The dense-row ops: V-1 (010), pass (0001), horizontal (001) with white
        // 1 (000111) then black 1 (010), and black 1 (010) then white 3
        // (1000) from a black a0; seven zeros and make-up codes are not ops.
        let op =
            |colour: usize, bits: u32, len: u32| t.op2d[colour][(bits << (OP_BITS - len)) as usize];
        assert_eq!(op(0, 0b010, 3), op_entry(3, 0, -1, -1));
        assert_eq!(op(1, 0b0001, 4), op_entry(4, OP_PASS, 0, 0));
        assert_eq!(
            op(0, 0b0010_0011_1010, 12),
            op_entry(12, OP_HORIZONTAL, 1, 2)
        );
        assert_eq!(op(1, 0b00_1010_1000, 10), op_entry(10, OP_HORIZONTAL, 1, 4));
        assert_eq!(op(0, 0b000_0000, 7), 0);
        // White 64 (make-up 11011) is not a terminating run.
        assert_eq!(op(0, 0b001_11011, 8), 0);
        for colour in 0..2 {
            for (idx, &e) in t.op2d[colour].iter().enumerate() {
                let m = MODE7[idx >> (OP_BITS - MODE_INDEX_BITS)];
                if m >> 4 == KIND_HORIZONTAL {
                    continue;
                }
                // Vertical and pass codes: the same length as MODE7.
                let want = if m >> 4 == KIND_OTHER {
                    0
                } else {
                    u32::from(m & 15)
                };
                assert_eq!(e & 15, want, "colour {colour} idx {idx:#x}");
            }
        }
        // The pair table: V+1 V-1 (011 010), pass V-3 (0001 0000010), and
        // nothing where either code is horizontal, an extension or zeros.
        let pair = |bits: u32, len: u32| VP_PAIR[(bits << (PAIR_BITS - len)) as usize];
        assert_eq!(pair(0b011_010, 6), u16::from(MODE7[0b011_0000]) | 0x2300);
        assert_eq!(pair(0b011_010, 6), 0x2343);
        assert_eq!(pair(0b0001_0000010, 11), 0x0784);
        assert_eq!(pair(0b010_001, 6), 0);
        assert_eq!(pair(0b001, 3), 0);
        assert_eq!(pair(0b1_0000001, 8), 0);
        for (idx, &e) in VP_PAIR.iter().enumerate() {
            let first = MODE7[idx >> (PAIR_BITS - MODE_INDEX_BITS)];
            let l0 = u32::from(first & 15);
            let rest = (idx << l0) & ((1 << PAIR_BITS) - 1);
            let second = MODE7[rest >> (PAIR_BITS - MODE_INDEX_BITS)];
            let vp = |m: u8| m >> 4 <= 6 || m >> 4 == KIND_PASS;
            if vp(first) && vp(second) {
                assert_eq!(e, u16::from(first) | u16::from(second) << 8, "{idx:#x}");
                assert!(l0 + u32::from(second & 15) <= PAIR_BITS);
            } else {
                assert_eq!(e, 0, "{idx:#x}");
            }
        }
        // Kraft sums: white and black sets with EOL and extension are not
        // complete codes, but must not exceed 1.
        for table in &t.run {
            assert!(table.iter().filter(|&&e| e != 0).count() < table.len());
        }
    }
}
