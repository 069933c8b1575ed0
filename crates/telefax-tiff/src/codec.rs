//! Pixels in and out of a page: decode coded strips to a bitmap, encode a bitmap in a fax
//! coding, through the `telefax-t4` codec.
use telefax_t4::{
    encode_page, BitOrder, Bitmap, Coding, DecodeOptions, Decoder, EncodeOptions, PageStats,
    T4Error,
};

use crate::page::{CodedData, Compression, FillOrder, Page, PageData, Strip, T4Options};
use crate::TiffError;

/// The coding to encode a page in (see [`Page::encode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetCoding {
    /// Uncompressed (TIFF Compression 1): the page becomes a bitmap.
    None,
    /// CCITT RLE (TIFF Compression 2): MH codes without EOLs, rows byte aligned.
    Rle,
    /// T.4 1-D Modified Huffman (TIFF Compression 3).
    Mh,
    /// T.4 2-D Modified READ with parameter K (TIFF Compression 3, T4Options bit 0).
    Mr {
        /// T.4 §4.2.1: one 1-D row, then at most K-1 2-D rows.
        k: u32,
    },
    /// T.6 Modified Modified READ (TIFF Compression 4).
    Mmr,
}

/// How to encode a page (see [`Page::encode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The coding.
    pub coding: TargetCoding,
    /// The bit order of the coded bytes.
    pub fill_order: FillOrder,
    /// MH/MR only: fill bits so every EOL ends on a byte boundary (T.4 §4.1.3, T4Options bit 2).
    pub byte_aligned_eol: bool,
}

impl Target {
    /// A target with MSB-first bytes and no EOL alignment.
    pub fn new(coding: TargetCoding) -> Target {
        Target {
            coding,
            fill_order: FillOrder::MsbFirst,
            byte_aligned_eol: false,
        }
    }
}

/// What decoding a page found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecodeReport {
    /// Rows the coded data delivered (good or repaired).
    pub rows_decoded: u32,
    /// Rows the directory declares but the data did not deliver (filled white).
    pub rows_missing: u32,
    /// Rows that were damaged and replaced (T.4 §4.1 line errors).
    pub bad_rows: u32,
    /// The longest run of consecutive bad rows.
    pub longest_bad_run: u32,
}

fn bit_order(f: FillOrder) -> BitOrder {
    f.bit_order()
}

impl Page {
    /// Decode the page's pixels (1 = black), repairing damaged rows as a fax machine does.
    ///
    /// Every strip is decoded on its own (TIFF 6 §10: strips are coded independently). A strip
    /// that delivers fewer rows than declared is completed with white rows and counted in
    /// [`DecodeReport::rows_missing`]; rows beyond the declared count are ignored.
    pub fn decode(&self) -> Result<(Bitmap, DecodeReport), TiffError> {
        let coded = match &self.data {
            PageData::Bitmap(b) => {
                return Ok((
                    b.clone(),
                    DecodeReport {
                        rows_decoded: b.height,
                        ..DecodeReport::default()
                    },
                ))
            }
            PageData::Coded(c) => c,
        };
        let stride = Bitmap::stride_for(self.width);
        // Every coded row takes at least one bit (T.6 V0 on a white row), so the data bounds
        // the rows it can deliver; a file claiming far more is refused, not allocated.
        let coded_bits: u64 = coded
            .strips
            .iter()
            .map(|s| s.data.len() as u64 * 8 + 8)
            .sum();
        if u64::from(self.rows) > coded_bits.saturating_add(64) {
            return Err(TiffError::TooLarge {
                page: 0,
                width: self.width.into(),
                rows: self.rows.into(),
                limit: "rows for the coded data (at least one bit per row)",
            });
        }
        let mut out = Bitmap::with_width(self.width);
        out.data.reserve(stride * self.rows as usize);
        let mut report = DecodeReport::default();
        for (index, strip) in coded.strips.iter().enumerate() {
            let want = strip.rows.min(self.rows - out.height);
            if want == 0 {
                break;
            }
            let before = out.height;
            let stats =
                decode_strip(self.width, coded, strip, want, &mut out).map_err(|error| {
                    TiffError::Codec {
                        page: 0,
                        strip: index,
                        error,
                    }
                })?;
            let got = out.height - before;
            report.rows_decoded += got;
            report.bad_rows += stats.bad_rows;
            report.longest_bad_run = report.longest_bad_run.max(stats.longest_bad_run);
            if got < want {
                report.rows_missing += want - got;
                out.data
                    .resize(out.data.len() + (want - got) as usize * stride, 0);
                out.height += want - got;
            }
        }
        if out.height < self.rows {
            report.rows_missing += self.rows - out.height;
            out.data.resize(stride * self.rows as usize, 0);
            out.height = self.rows;
        }
        if coded.min_is_black {
            out.data.iter_mut().for_each(|b| *b = !*b);
            crate::read::clear_padding(&mut out.data, self.width);
        }
        Ok((out, report))
    }

    /// Encode the page in another coding (decoding it first if it is coded). The metadata
    /// (size, resolution, page number, fax tags) is kept. The result has one strip.
    pub fn encode(&self, target: &Target) -> Result<Page, TiffError> {
        let (bitmap, _) = self.decode()?;
        let codec = |error| TiffError::Codec {
            page: 0,
            strip: 0,
            error,
        };
        let (compression, coding) = match target.coding {
            TargetCoding::None => {
                return Ok(Page {
                    data: PageData::Bitmap(bitmap),
                    ..self.clone()
                })
            }
            TargetCoding::Rle => (Compression::Rle, Coding::Mh),
            TargetCoding::Mh => (
                Compression::T4(T4Options {
                    two_d: false,
                    uncompressed: false,
                    fill_bits: target.byte_aligned_eol,
                }),
                Coding::Mh,
            ),
            TargetCoding::Mr { k } => (
                Compression::T4(T4Options {
                    two_d: true,
                    uncompressed: false,
                    fill_bits: target.byte_aligned_eol,
                }),
                Coding::Mr { k },
            ),
            TargetCoding::Mmr => (
                Compression::T6 {
                    uncompressed: false,
                },
                Coding::Mmr,
            ),
        };
        let mut opts = EncodeOptions::new(coding);
        opts.bit_order = bit_order(target.fill_order);
        opts.byte_aligned_eol = target.byte_aligned_eol;
        if compression == Compression::Rle {
            // TIFF 6 §10: MH codes, no EOLs, every row padded to a byte boundary, no RTC.
            opts.eol = false;
            opts.rows_byte_aligned = true;
            opts.end_marker = false;
            opts.byte_aligned_eol = false;
        }
        let mut data = encode_page(&bitmap, &opts).map_err(codec)?;
        if compression == Compression::Rle {
            // RLE has no end marker; libtiff 4.5 looks ahead up to 13 bits and reports a
            // premature end on a final row whose codes end within the last bits of the strip.
            // Two zero bytes after the last row (ignored by readers, who stop after
            // ImageLength rows) let it decode every row.
            data.extend_from_slice(&[0, 0]);
        }
        Ok(self.with_coded(compression, target.fill_order, data))
    }

    fn with_coded(&self, compression: Compression, fill_order: FillOrder, data: Vec<u8>) -> Page {
        Page {
            data: PageData::Coded(CodedData {
                compression,
                fill_order,
                min_is_black: false,
                strips: vec![Strip {
                    rows: self.rows,
                    data,
                }],
            }),
            ..self.clone()
        }
    }
}

/// Decode one strip into `out` (at most `rows` rows); rows past `rows` are ignored.
fn decode_strip(
    width: u32,
    coded: &CodedData,
    strip: &Strip,
    rows: u32,
    out: &mut Bitmap,
) -> Result<PageStats, T4Error> {
    let coding = match coded.compression {
        Compression::Rle => Coding::Mh,
        Compression::T4(o) if o.two_d => Coding::Mr { k: 2 },
        Compression::T4(_) => Coding::Mh,
        Compression::T6 { .. } => Coding::Mmr,
        Compression::None => unreachable!("uncompressed pages are bitmaps"),
    };
    let mut opts = DecodeOptions::new(coding, width);
    opts.bit_order = bit_order(coded.fill_order);
    opts.max_rows = rows;
    opts.rows_byte_aligned = coded.compression == Compression::Rle;
    let mut decoder = Decoder::new(opts)?;
    let start = out.height;
    let mut push_row = |row: &[u8]| {
        if out.height - start < rows {
            out.push_row(row);
        }
    };
    match decoder.push(&strip.data, &mut push_row) {
        Ok(_) => {}
        // More rows than the directory declares: the extra rows are ignored.
        Err(T4Error::TooManyRows { .. }) => return Ok(decoder.stats()),
        Err(e) => return Err(e),
    }
    match decoder.finish(&mut push_row) {
        Ok(stats) => Ok(stats),
        Err(T4Error::TooManyRows { .. }) => Ok(decoder.stats()),
        Err(e) => Err(e),
    }
}
