//! The page model: one TIFF Class F page, coded or as a bitmap, with its metadata.
use telefax_t4::Bitmap;

/// A TIFF rational number (TIFF 6 §2, type RATIONAL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rational {
    /// Numerator.
    pub num: u32,
    /// Denominator.
    pub den: u32,
}

impl Rational {
    /// The value as a float, `None` when the denominator is 0.
    pub fn value(self) -> Option<f64> {
        (self.den != 0).then(|| f64::from(self.num) / f64::from(self.den))
    }
}

/// The unit of X/YResolution (TIFF 6 tag 296 ResolutionUnit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolutionUnit {
    /// 1: no absolute unit.
    None,
    /// 2: pixels per inch (the default).
    Inch,
    /// 3: pixels per centimetre.
    Centimeter,
}

impl ResolutionUnit {
    /// The tag value.
    pub fn to_u16(self) -> u16 {
        match self {
            ResolutionUnit::None => 1,
            ResolutionUnit::Inch => 2,
            ResolutionUnit::Centimeter => 3,
        }
    }
}

/// The resolution of a page (tags XResolution 282, YResolution 283, ResolutionUnit 296).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolution {
    /// Horizontal pixels per unit.
    pub x: Rational,
    /// Vertical pixels per unit.
    pub y: Rational,
    /// The unit.
    pub unit: ResolutionUnit,
}

impl Resolution {
    /// T.4 standard resolution: 204 x 98 pixels per inch (8 x 3.85 lines/mm, T.4 §2.2).
    pub const STANDARD: Resolution = Resolution::dpi_const(204, 98);
    /// T.4 fine resolution: 204 x 196 pixels per inch (8 x 7.7 lines/mm, T.4 §2.2).
    pub const FINE: Resolution = Resolution::dpi_const(204, 196);

    /// A resolution in whole pixels per inch.
    pub const fn dpi_const(x: u32, y: u32) -> Resolution {
        Resolution {
            x: Rational { num: x, den: 1 },
            y: Rational { num: y, den: 1 },
            unit: ResolutionUnit::Inch,
        }
    }

    /// Pixels per inch (x, y), `None` without an absolute unit or with a zero denominator.
    pub fn dpi(&self) -> Option<(f64, f64)> {
        let scale = match self.unit {
            ResolutionUnit::None => return None,
            ResolutionUnit::Inch => 1.0,
            ResolutionUnit::Centimeter => 2.54,
        };
        let (x, y) = (self.x.value()?, self.y.value()?);
        (x > 0.0 && y > 0.0).then_some((x * scale, y * scale))
    }
}

/// TIFF tag 266 FillOrder: the bit order of the coded bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FillOrder {
    /// 1: the first bit is the most significant bit of each byte (TIFF default).
    #[default]
    MsbFirst,
    /// 2: the first bit is the least significant bit (as transmitted on a fax line).
    LsbFirst,
}

impl FillOrder {
    /// The tag value.
    pub fn to_u16(self) -> u16 {
        match self {
            FillOrder::MsbFirst => 1,
            FillOrder::LsbFirst => 2,
        }
    }
    /// The matching codec bit order.
    pub fn bit_order(self) -> telefax_t4::BitOrder {
        match self {
            FillOrder::MsbFirst => telefax_t4::BitOrder::MsbFirst,
            FillOrder::LsbFirst => telefax_t4::BitOrder::LsbFirst,
        }
    }
}

/// T4Options (tag 292, TIFF 6 §11 / TIFF Class F): how a Compression=3 page is coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct T4Options {
    /// Bit 0: 2-D coding (Modified READ, T.4 §4.2) may be used.
    pub two_d: bool,
    /// Bit 1: the optional T.4 uncompressed mode may be used.
    pub uncompressed: bool,
    /// Bit 2: fill bits were added so that every EOL ends on a byte boundary (T.4 §4.1.3).
    pub fill_bits: bool,
}

impl T4Options {
    /// Parse the tag value.
    pub fn from_bits(v: u32) -> T4Options {
        T4Options {
            two_d: v & 1 != 0,
            uncompressed: v & 2 != 0,
            fill_bits: v & 4 != 0,
        }
    }
    /// The tag value.
    pub fn to_bits(self) -> u32 {
        u32::from(self.two_d) | u32::from(self.uncompressed) << 1 | u32::from(self.fill_bits) << 2
    }
}

/// The coding of a page's strips (TIFF tag 259 Compression, with its options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// 1: uncompressed, 1 bit per pixel.
    None,
    /// 2: CCITT "modified Huffman run length" (TIFF 6 §10): T.4 1-D codes without EOLs, each
    /// row starting on a byte boundary.
    Rle,
    /// 3: T.4 (Group 3) coding, 1-D (MH) or 2-D (MR) with EOLs (T.4 §4.1, §4.2).
    T4(T4Options),
    /// 4: T.6 (Group 4) coding, MMR (T.6 §2). `uncompressed` is T6Options bit 1.
    T6 {
        /// T6Options bit 1: uncompressed mode allowed.
        uncompressed: bool,
    },
}

impl Compression {
    /// The Compression tag value.
    pub fn tag_value(self) -> u16 {
        match self {
            Compression::None => 1,
            Compression::Rle => 2,
            Compression::T4(_) => 3,
            Compression::T6 { .. } => 4,
        }
    }
    /// A short human name ("none", "rle", "g3 1-d", "g3 2-d", "g4").
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Rle => "ccitt rle",
            Compression::T4(o) if o.two_d => "g3 2-d (MR)",
            Compression::T4(_) => "g3 1-d (MH)",
            Compression::T6 { .. } => "g4 (MMR)",
        }
    }
}

/// CleanFaxData (tag 327, TIFF Class F): whether the page had damaged rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CleanFaxData {
    /// 0: no errors.
    Clean,
    /// 1: errors were present and have been regenerated (bad rows replaced).
    Regenerated,
    /// 2: errors are present and were not regenerated.
    Unclean,
}

/// The TIFF Class F fax tags of a page, where present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaxTags {
    /// BadFaxLines (326): number of rows received with errors.
    pub bad_fax_lines: Option<u32>,
    /// CleanFaxData (327).
    pub clean_fax_data: Option<CleanFaxData>,
    /// ConsecutiveBadFaxLines (328): the longest run of consecutive bad rows.
    pub consecutive_bad_fax_lines: Option<u32>,
}

/// One strip of coded data, exactly as stored in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strip {
    /// Number of rows coded in this strip.
    pub rows: u32,
    /// The coded bytes (in the page's fill order).
    pub data: Vec<u8>,
}

/// Coded page data: one or more strips, each coded on its own (TIFF 6 §10/§11: every strip
/// starts afresh, with a white reference row for 2-D codings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedData {
    /// The coding (never [`Compression::None`]: uncompressed pages are bitmaps).
    pub compression: Compression,
    /// The bit order of the bytes.
    pub fill_order: FillOrder,
    /// PhotometricInterpretation was 1 (min-is-black): a decoded "black" code is a white
    /// pixel. Almost every fax file is min-is-white (`false`).
    pub min_is_black: bool,
    /// The strips, top to bottom.
    pub strips: Vec<Strip>,
}

/// The pixels of a page: coded, or as a bitmap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageData {
    /// Packed bits, 1 = black (read from Compression=1, or made by a decoder).
    Bitmap(Bitmap),
    /// Coded data as stored (Compression 2, 3 or 4).
    Coded(CodedData),
}

/// One page of a fax document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Pixels per row (ImageWidth).
    pub width: u32,
    /// Number of rows (ImageLength).
    pub rows: u32,
    /// Resolution, when the file states one.
    pub resolution: Option<Resolution>,
    /// PageNumber (297): (page, total), where present.
    pub page_number: Option<(u16, u16)>,
    /// The Class F fax tags, where present.
    pub fax: FaxTags,
    /// The pixels.
    pub data: PageData,
}

impl Page {
    /// A page from a bitmap, with the given resolution and no fax tags.
    pub fn from_bitmap(bitmap: Bitmap, resolution: Option<Resolution>) -> Page {
        Page {
            width: bitmap.width,
            rows: bitmap.height,
            resolution,
            page_number: None,
            fax: FaxTags::default(),
            data: PageData::Bitmap(bitmap),
        }
    }

    /// The page's compression ([`Compression::None`] for a bitmap).
    pub fn compression(&self) -> Compression {
        match &self.data {
            PageData::Bitmap(_) => Compression::None,
            PageData::Coded(c) => c.compression,
        }
    }

    /// The fill order of coded data (MSB first for a bitmap).
    pub fn fill_order(&self) -> FillOrder {
        match &self.data {
            PageData::Bitmap(_) => FillOrder::MsbFirst,
            PageData::Coded(c) => c.fill_order,
        }
    }
}
