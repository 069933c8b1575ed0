//! Page data: collecting the bits of a high-speed burst, and decoding coded page data with
//! `telefax-t4` (trying the plausible codings and widths when DCS was not heard).

use telefax_t4::{BitOrder, Bitmap, DecodeOptions, PageStats};

use super::params::{Coding, VerticalResolution};

/// Bits of one burst, packed in line order with the first bit in the least significant bit
/// of each octet (the order T.4 §4.1 sends them, TIFF FillOrder 2).
#[derive(Debug, Clone, Default)]
pub(crate) struct BitBuffer {
    pub bytes: Vec<u8>,
    acc: u8,
    n: u8,
    /// Total bits taken (including any dropped past the cap).
    pub bits: u64,
    /// Ones seen (for the TCF check).
    pub ones: u64,
    /// Current and longest run of zeros (for the TCF check).
    zero_run: u64,
    pub longest_zero_run: u64,
    cap: usize,
}

impl BitBuffer {
    pub fn with_cap(cap: usize) -> Self {
        BitBuffer {
            cap,
            ..Default::default()
        }
    }

    pub fn clear(&mut self) {
        self.bytes.clear();
        self.acc = 0;
        self.n = 0;
        self.bits = 0;
        self.ones = 0;
        self.zero_run = 0;
        self.longest_zero_run = 0;
    }

    #[inline]
    pub fn put(&mut self, bit: u8) {
        self.bits += 1;
        if bit != 0 {
            self.ones += 1;
            self.zero_run = 0;
        } else {
            self.zero_run += 1;
            if self.zero_run > self.longest_zero_run {
                self.longest_zero_run = self.zero_run;
            }
        }
        self.acc |= (bit & 1) << self.n;
        self.n += 1;
        if self.n == 8 {
            if self.bytes.len() < self.cap {
                self.bytes.push(self.acc);
            }
            self.acc = 0;
            self.n = 0;
        }
    }

    /// Take the collected octets (a partial last octet is padded with zeros), leaving the
    /// buffer empty.
    pub fn take(&mut self) -> Vec<u8> {
        if self.n > 0 && self.bytes.len() < self.cap {
            self.bytes.push(self.acc);
        }
        let out = std::mem::take(&mut self.bytes);
        self.clear();
        out
    }
}

/// Drop the bits before the first EOL (T.4 §4.1.2: an EOL precedes the first row of a page).
/// Receivers hand over a few bits of training tail or fill before it, which a decoder would
/// otherwise take for a (bad) first row. `data` is LSB-first; `None` if it holds no EOL at all
/// (TCF, or noise: not a T.4 page).
pub(crate) fn skip_to_first_eol(data: &[u8]) -> Option<std::borrow::Cow<'_, [u8]>> {
    let mut zeros = 0u32;
    let mut start = None;
    for (i, &byte) in data.iter().enumerate() {
        for b in 0..8 {
            if byte >> b & 1 == 1 {
                if zeros >= 11 {
                    start = Some(i * 8 + b - 11);
                    break;
                }
                zeros = 0;
            } else {
                zeros += 1;
            }
        }
        if start.is_some() {
            break;
        }
    }
    let start = start?;
    if start % 8 == 0 {
        return Some(std::borrow::Cow::Borrowed(&data[start / 8..]));
    }
    let total = data.len() * 8;
    let mut out = Vec::with_capacity(data.len() - start / 8);
    let (mut acc, mut n) = (0u8, 0u32);
    for pos in start..total {
        let bit = data[pos / 8] >> (pos % 8) & 1;
        acc |= bit << n;
        n += 1;
        if n == 8 {
            out.push(acc);
            acc = 0;
            n = 0;
        }
    }
    if n > 0 {
        out.push(acc);
    }
    Some(std::borrow::Cow::Owned(out))
}

/// One decode of coded page data.
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    pub bitmap: Bitmap,
    pub stats: PageStats,
    pub coding: Coding,
}

impl Decoded {
    /// Higher is better: good rows, then fewer bad rows.
    pub fn score(&self) -> (i64, i64) {
        let good = i64::from(self.stats.rows) - i64::from(self.stats.bad_rows);
        (good, -i64::from(self.stats.bad_rows))
    }
}

/// T.4 parameter K for MR at a resolution (T.4 §4.2.1.1); the decoder ignores it.
fn k_for(res: VerticalResolution) -> u32 {
    match res {
        VerticalResolution::Standard => 2,
        _ => 4,
    }
}

/// Decode `data` (LSB-first octets) with one coding and width.
pub(crate) fn decode(
    data: &[u8],
    coding: Coding,
    width: u32,
    res: VerticalResolution,
) -> Option<Decoded> {
    let c = match coding {
        Coding::Mh => telefax_t4::Coding::Mh,
        Coding::Mr => telefax_t4::Coding::Mr { k: k_for(res) },
        Coding::Mmr => telefax_t4::Coding::Mmr,
    };
    let opts = DecodeOptions::new(c, width).bit_order(BitOrder::LsbFirst);
    let (bitmap, stats) = telefax_t4::decode_page(data, &opts).ok()?;
    if stats.rows == 0 {
        return None;
    }
    Some(Decoded {
        bitmap,
        stats,
        coding,
    })
}

/// Page widths to try when DCS was not heard (T.30 Table 2: A4, B4, A3 at 8 pels/mm).
pub(crate) const WIDTHS: [u32; 3] = [1728, 2048, 2432];

/// Decode with every coding in `codings` and every width in `widths`; keep the best.
pub(crate) fn decode_best(
    data: &[u8],
    codings: &[Coding],
    widths: &[u32],
    res: VerticalResolution,
) -> Option<Decoded> {
    let mut best: Option<Decoded> = None;
    for &c in codings {
        for &w in widths {
            if let Some(d) = decode(data, c, w, res) {
                let clean = d.stats.bad_rows == 0;
                if best.as_ref().is_none_or(|b| d.score() > b.score()) {
                    best = Some(d);
                }
                if clean && codings.len() * widths.len() > 1 {
                    // A clean decode: no other guess will beat it by much.
                    return best;
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_lsb_first_and_counts() {
        let mut b = BitBuffer::with_cap(10);
        for bit in [1, 0, 0, 0, 0, 0, 0, 0, 1, 1] {
            b.put(bit);
        }
        assert_eq!(b.ones, 3);
        assert_eq!(b.longest_zero_run, 7);
        assert_eq!(b.take(), vec![0x01, 0x03]);
        assert_eq!(b.bits, 0);
    }

    #[test]
    fn skips_to_first_eol() {
        // Bits (line order): 1 1 0 1, then EOL (11 zeros, a one), then 1 0 1.
        let bits = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1];
        let mut b = BitBuffer::with_cap(100);
        for &x in &bits {
            b.put(x);
        }
        let data = b.take();
        let out = skip_to_first_eol(&data).unwrap();
        let mut want = BitBuffer::with_cap(100);
        for &x in &bits[4..] {
            want.put(x);
        }
        // Same bits; the shifted copy may carry one more octet of padding.
        let want = want.take();
        assert_eq!(&out[..want.len()], &want[..]);
        assert!(out[want.len()..].iter().all(|&b| b == 0));
        assert!(skip_to_first_eol(&[0xFF, 0xFF]).is_none());
        assert!(skip_to_first_eol(&[0; 100]).is_none(), "TCF is no page");
    }

    #[test]
    fn cap_bounds_memory() {
        let mut b = BitBuffer::with_cap(2);
        for _ in 0..100 {
            b.put(1);
        }
        assert_eq!(b.bits, 100);
        assert_eq!(b.take().len(), 2);
    }
}
