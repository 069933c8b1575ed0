//! T.30 HDLC frames: parsing and bit-exact serialization (T.30 §5.3).
//!
//! A frame here is the octet string the HDLC deframer delivers between flags, **without
//! the FCS**: address `0xff`, control `0x03` (or `0x13` for the final frame of a response,
//! T.30 §5.3.5), the FCF, and the facsimile information field (FIF). Octets are in line bit
//! order: bit 0 of each octet is the first bit on the line. See [`crate::fcf`] for why DIS
//! is therefore `0x80`, and [`reverse_bits`] for T.38/Wireshark order.
//!
//! ```
//! use telefax_t30::frame::{Frame, Payload};
//! use telefax_t30::fcf::Fcf;
//! use telefax_t30::capabilities::FastModem;
//! // spandsp trace "DCS: 83 00 a2 08", plus the address and final control octets.
//! let bytes = [0xff, 0x13, 0x83, 0x00, 0xa2, 0x08];
//! let f = Frame::parse(&bytes).unwrap();
//! assert_eq!(f.fcf, Fcf::Dcs);
//! assert_eq!(f.name(), "DCS");
//! assert!(f.x && f.is_final());
//! let Payload::Capabilities(caps) = &f.payload else { panic!() };
//! assert_eq!(caps.modem(), Some(FastModem::V17_14400));
//! assert_eq!(f.to_bytes(), bytes);
//! println!("{f}"); // DCS X final: V.17 14400, R8x3_85, Mr, A4 1728, ...
//! ```

use nom::bytes::complete::take;
use nom::number::complete::u8 as octet;
use nom::IResult;
use nom::Parser;
use serde::Serialize;

use crate::capabilities::{hex, Capabilities, FastModem, FieldKind};
use crate::error::Error;
use crate::fcf::Fcf;
use crate::ident::Identity;

/// The HDLC address octet of every T.30 frame (all stations), T.30 §5.3.4.
pub const ADDRESS: u8 = 0xff;
/// The control octet of a non-final frame (`1100 0000` written, T.30 §5.3.5).
pub const CONTROL_NON_FINAL: u8 = 0x03;
/// The control octet of the final frame of a command or response (`1100 1000` written).
pub const CONTROL_FINAL: u8 = 0x13;
/// The longest frame accepted (address, control, FCF, ECM frame number and 256 data
/// octets, with margin for long NSF fields).
pub const MAX_FRAME_LEN: usize = 300;
/// Octets in a PPR frame map: one bit per frame of a 256-frame block (T.30 Annex A.4).
pub const PPR_MAP_OCTETS: usize = 32;

/// Reverse the bit order of every octet: converts between line order (this crate) and the
/// MSB-first order of T.38 and Wireshark (control 0xc0 ↔ 0x03, DIS 0x01 ↔ 0x80).
pub fn reverse_bits(octets: &mut [u8]) {
    for o in octets {
        *o = o.reverse_bits();
    }
}

/// Non-standard facilities (NSF/NSS/NSC), T.30 §5.3.6.2.8: a T.35 country code (one octet,
/// or 0xff plus one), a manufacturer code, and vendor data. Kept raw.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct NonStandard {
    /// The FIF exactly as received.
    #[serde(serialize_with = "ser_hex")]
    pub raw: Vec<u8>,
}

impl NonStandard {
    /// The T.35 country code (first octet, which T.35 writes bit-reversed; the value here
    /// is the line-order octet).
    pub fn country_code(&self) -> Option<u8> {
        self.raw.first().copied()
    }
}

/// The partial page signal FIF (T.30 Annex A.4.3): which post-page command it carries and
/// the page, block and frame counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Pps {
    /// The post-page FCF octet (line order, 0x00 for PPS-NULL, else MPS/EOM/EOP/PRI-Q
    /// with or without the X bit as sent).
    pub post_page_octet: u8,
    /// Page counter (mod 256).
    pub page: u8,
    /// Block (partial page) counter (mod 256).
    pub block: u8,
    /// Number of frames in the block minus one (0..=255 means 1..=256 frames).
    pub frames_minus_one: u8,
}

impl Pps {
    /// The post-page command, `None` for PPS-NULL (more blocks of the same page follow).
    pub fn post_page(&self) -> Option<Fcf> {
        if self.post_page_octet == 0 {
            None
        } else {
            Some(Fcf::from_octet(self.post_page_octet).0)
        }
    }

    /// Frames in the block (1..=256).
    pub fn frame_count(&self) -> u16 {
        u16::from(self.frames_minus_one) + 1
    }
}

/// The partial page request FIF (T.30 Annex A.4.4): a 256-bit map, bit `n` set when frame
/// `n` of the block must be sent again (bit 0 of octet 0 is frame 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ppr {
    /// The map, 32 octets.
    pub map: [u8; PPR_MAP_OCTETS],
}

impl Ppr {
    /// A map requesting exactly `frames`.
    pub fn from_missing(frames: impl IntoIterator<Item = u8>) -> Ppr {
        let mut map = [0u8; PPR_MAP_OCTETS];
        for f in frames {
            map[usize::from(f / 8)] |= 1 << (f % 8);
        }
        Ppr { map }
    }

    /// Whether frame `n` is requested.
    pub fn is_requested(&self, n: u8) -> bool {
        self.map[usize::from(n / 8)] & (1 << (n % 8)) != 0
    }

    /// Every requested frame number, ascending.
    pub fn requested(&self) -> Vec<u8> {
        (0..=255u8).filter(|&n| self.is_requested(n)).collect()
    }
}

impl Serialize for Ppr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Ppr", 2)?;
        st.serialize_field("map", &hex(&self.map))?;
        st.serialize_field("requested", &self.requested())?;
        st.end()
    }
}

/// The continue-to-correct FIF (T.30 Annex A): DCS-style octets whose bits 11–14 give the
/// new data signalling rate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ctc {
    /// The FIF exactly as received.
    pub raw: Vec<u8>,
}

impl Ctc {
    /// A CTC selecting `mode`.
    pub fn new(mode: FastModem) -> Ctc {
        Ctc {
            raw: vec![0, mode.dcs_code() << 2],
        }
    }

    /// The data signalling rate requested (bits 11–14).
    pub fn modem(&self) -> Option<FastModem> {
        FastModem::from_dcs_code(self.raw.get(1).map_or(0, |o| (o >> 2) & 0x0f))
    }
}

impl Serialize for Ctc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Ctc", 2)?;
        st.serialize_field("octets", &hex(&self.raw))?;
        st.serialize_field("modem", &self.modem())?;
        st.end()
    }
}

/// One ECM data frame (FCD, T.30 Annex A.3.3): frame number and 64 or 256 data octets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Fcd {
    /// Frame number within the block (0..=255).
    pub number: u8,
    /// The coded page data.
    #[serde(serialize_with = "ser_hex")]
    pub data: Vec<u8>,
}

fn ser_hex<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex(v))
}

/// The typed information field of a frame.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Payload {
    /// No FIF.
    None,
    /// DIS, DTC, DCS (T.30 Table 2).
    Capabilities(Capabilities),
    /// TSI, CSI, CIG, and the same-form SUB, SID, PWD, SEP.
    Identity(Identity),
    /// NSF, NSS, NSC.
    NonStandard(NonStandard),
    /// PPS.
    Pps(Pps),
    /// PPR.
    Ppr(Ppr),
    /// CTC.
    Ctc(Ctc),
    /// EOR: the post-page FCF octet it refers to (0 for EOR-NULL).
    Eor(u8),
    /// FCD.
    Fcd(Fcd),
    /// Any other FIF (internet addresses, FNV, FDM, unknown frames, or an FIF on a frame
    /// that T.30 defines without one), exactly as received.
    Raw(#[serde(serialize_with = "ser_hex")] Vec<u8>),
}

/// A T.30 frame (without FCS), see the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Frame {
    /// The facsimile control field.
    pub fcf: Fcf,
    /// The X bit (T.30 §5.3.6.1); always false for FCFs without one.
    pub x: bool,
    /// Control field 0x13: the last frame of this command/response (T.30 §5.3.5).
    pub final_frame: bool,
    /// The information field.
    pub payload: Payload,
}

fn header(i: &[u8]) -> IResult<&[u8], (u8, u8, u8)> {
    (octet, octet, octet).parse(i)
}

fn fixed<const N: usize>(fif: &[u8]) -> IResult<&[u8], &[u8]> {
    take(N).parse(fif)
}

impl Frame {
    /// A final frame with the given FCF and payload, X bit clear.
    pub fn new(fcf: Fcf, payload: Payload) -> Frame {
        Frame {
            fcf,
            x: false,
            final_frame: true,
            payload,
        }
    }

    /// A final frame without FIF (CFR, MCF, DCN, ...).
    pub fn simple(fcf: Fcf) -> Frame {
        Frame::new(fcf, Payload::None)
    }

    /// The same frame with the X bit set as given.
    pub fn with_x(mut self, x: bool) -> Frame {
        self.x = x && self.fcf.has_x_bit();
        self
    }

    /// The same frame marked final or not.
    pub fn with_final(mut self, final_frame: bool) -> Frame {
        self.final_frame = final_frame;
        self
    }

    /// A DIS, DTC or DCS frame from a capability field (FCF chosen from its kind).
    pub fn capabilities(caps: Capabilities) -> Frame {
        let fcf = match caps.kind() {
            FieldKind::Dis => Fcf::Dis,
            FieldKind::Dtc => Fcf::Dtc,
            FieldKind::Dcs => Fcf::Dcs,
        };
        Frame::new(fcf, Payload::Capabilities(caps))
    }

    /// An identity frame (TSI/CSI/CIG or SUB/SID/PWD/SEP) carrying `text`.
    pub fn identity(fcf: Fcf, text: &str) -> Frame {
        Frame::new(fcf, Payload::Identity(Identity::new(text))).with_final(false)
    }

    /// Parse a frame from line-order octets without FCS.
    ///
    /// Unknown FCFs are returned as [`Fcf::Unknown`] with a raw payload; malformed frames
    /// (bad address or control, impossible FIF length for DIS/DCS/PPS/PPR/EOR/FCD) are
    /// errors. Never panics; parsing is bounded by [`MAX_FRAME_LEN`].
    pub fn parse(bytes: &[u8]) -> Result<Frame, Error> {
        if bytes.len() > MAX_FRAME_LEN {
            return Err(Error::TooLong {
                len: bytes.len(),
                limit: MAX_FRAME_LEN,
            });
        }
        let Ok((fif, (addr, ctrl, fcf_octet))) = header(bytes) else {
            return Err(Error::TooShort { len: bytes.len() });
        };
        if addr != ADDRESS {
            return Err(Error::BadAddress(addr));
        }
        let final_frame = match ctrl {
            CONTROL_NON_FINAL => false,
            CONTROL_FINAL => true,
            other => return Err(Error::BadControl(other)),
        };
        let (fcf, x) = Fcf::from_octet(fcf_octet);
        let bad = |expected: &'static str| Error::BadFifLength {
            fcf,
            len: fif.len(),
            expected,
        };
        let payload = match fcf {
            Fcf::Dis | Fcf::Dtc | Fcf::Dcs => {
                if fif.len() < 2 {
                    return Err(bad("at least 2 octets"));
                }
                let kind = match fcf {
                    Fcf::Dis => FieldKind::Dis,
                    Fcf::Dtc => FieldKind::Dtc,
                    _ => FieldKind::Dcs,
                };
                Payload::Capabilities(Capabilities::from_fif(kind, fif))
            }
            Fcf::Tsi | Fcf::Csi | Fcf::Cig | Fcf::Sub | Fcf::Sid | Fcf::Pwd | Fcf::Sep => {
                Payload::Identity(Identity::from_fif(fif))
            }
            Fcf::Nsf | Fcf::Nss | Fcf::Nsc => {
                Payload::NonStandard(NonStandard { raw: fif.to_vec() })
            }
            Fcf::Pps => {
                let Ok((rest, f)) = fixed::<4>(fif) else {
                    return Err(bad("4 octets"));
                };
                if !rest.is_empty() {
                    return Err(bad("4 octets"));
                }
                Payload::Pps(Pps {
                    post_page_octet: f[0],
                    page: f[1],
                    block: f[2],
                    frames_minus_one: f[3],
                })
            }
            Fcf::Ppr => {
                let Ok((rest, m)) = fixed::<PPR_MAP_OCTETS>(fif) else {
                    return Err(bad("32 octets"));
                };
                if !rest.is_empty() {
                    return Err(bad("32 octets"));
                }
                let mut map = [0u8; PPR_MAP_OCTETS];
                map.copy_from_slice(m);
                Payload::Ppr(Ppr { map })
            }
            Fcf::Eor => {
                if fif.len() != 1 {
                    return Err(bad("1 octet"));
                }
                Payload::Eor(fif[0])
            }
            Fcf::Fcd => {
                let Ok((data, number)) = octet::<_, nom::error::Error<&[u8]>>(fif) else {
                    return Err(bad("frame number and data"));
                };
                if data.is_empty() {
                    return Err(bad("frame number and data"));
                }
                Payload::Fcd(Fcd {
                    number,
                    data: data.to_vec(),
                })
            }
            Fcf::Ctc if fif.len() >= 2 => Payload::Ctc(Ctc { raw: fif.to_vec() }),
            _ if fif.is_empty() => Payload::None,
            _ => Payload::Raw(fif.to_vec()),
        };
        Ok(Frame {
            fcf,
            x,
            final_frame,
            payload,
        })
    }

    /// Serialize to line-order octets without FCS; `parse(f.to_bytes()) == f` and, for
    /// every frame obtained from [`Frame::parse`], the bytes are the parsed ones exactly.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(4 + self.fif_len());
        v.push(ADDRESS);
        v.push(if self.final_frame {
            CONTROL_FINAL
        } else {
            CONTROL_NON_FINAL
        });
        v.push(self.fcf.to_octet(self.x));
        match &self.payload {
            Payload::None => {}
            Payload::Capabilities(c) => v.extend_from_slice(c.as_bytes()),
            Payload::Identity(i) => v.extend_from_slice(i.as_bytes()),
            Payload::NonStandard(n) => v.extend_from_slice(&n.raw),
            Payload::Pps(p) => {
                v.extend_from_slice(&[p.post_page_octet, p.page, p.block, p.frames_minus_one])
            }
            Payload::Ppr(p) => v.extend_from_slice(&p.map),
            Payload::Ctc(c) => v.extend_from_slice(&c.raw),
            Payload::Eor(o) => v.push(*o),
            Payload::Fcd(f) => {
                v.push(f.number);
                v.extend_from_slice(&f.data);
            }
            Payload::Raw(r) => v.extend_from_slice(r),
        }
        v
    }

    fn fif_len(&self) -> usize {
        match &self.payload {
            Payload::None => 0,
            Payload::Capabilities(c) => c.as_bytes().len(),
            Payload::Identity(i) => i.as_bytes().len(),
            Payload::NonStandard(n) => n.raw.len(),
            Payload::Pps(_) => 4,
            Payload::Ppr(_) => PPR_MAP_OCTETS,
            Payload::Ctc(c) => c.raw.len(),
            Payload::Eor(_) => 1,
            Payload::Fcd(f) => 1 + f.data.len(),
            Payload::Raw(r) => r.len(),
        }
    }

    /// The T.30 abbreviation of the FCF ("DCS"; the X bit does not change it).
    pub fn name(&self) -> &'static str {
        self.fcf.name()
    }

    /// Whether the control field marks this as the final frame (0x13).
    pub fn is_final(&self) -> bool {
        self.final_frame
    }

    /// The capability field, for DIS/DTC/DCS.
    pub fn capabilities_field(&self) -> Option<&Capabilities> {
        match &self.payload {
            Payload::Capabilities(c) => Some(c),
            _ => None,
        }
    }

    /// The identity, for TSI/CSI/CIG/SUB/SID/PWD/SEP.
    pub fn identity_field(&self) -> Option<&Identity> {
        match &self.payload {
            Payload::Identity(i) => Some(i),
            _ => None,
        }
    }

    /// A one-line readable trace of the frame, e.g.
    /// `DCS X final: V.17 14400, R8x3_85, Mr, A4 1728, length Some(Unlimited), scan 20 ms`.
    pub fn describe(&self) -> String {
        let mut s = String::from(self.fcf.name());
        if let Fcf::Unknown(c) = self.fcf {
            s = format!("unknown FCF 0x{c:02x}");
        }
        if self.x {
            s.push_str(" X");
        }
        if self.final_frame {
            s.push_str(" final");
        }
        let detail = match &self.payload {
            Payload::None => String::new(),
            Payload::Capabilities(c) => c.describe(),
            Payload::Identity(i) => i.to_string(),
            Payload::NonStandard(n) => format!(
                "country 0x{:02x}, {} octets: {}",
                n.country_code().unwrap_or(0),
                n.raw.len(),
                hex(&n.raw)
            ),
            Payload::Pps(p) => format!(
                "{} page {} block {} frames {}",
                p.post_page().map_or("NULL", Fcf::name),
                p.page,
                p.block,
                p.frame_count()
            ),
            Payload::Ppr(p) => format!(
                "{} frames requested {:?}",
                p.requested().len(),
                p.requested()
            ),
            Payload::Ctc(c) => format!("rate {:?}", c.modem()),
            Payload::Eor(o) => {
                if *o == 0 {
                    "NULL".to_string()
                } else {
                    Fcf::from_octet(*o).0.name().to_string()
                }
            }
            Payload::Fcd(f) => format!("frame {} ({} octets)", f.number, f.data.len()),
            Payload::Raw(r) => hex(r),
        };
        if !detail.is_empty() {
            s.push_str(": ");
            s.push_str(&detail);
        }
        s
    }
}

impl core::fmt::Display for Frame {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_bad_headers_are_errors() {
        assert_eq!(Frame::parse(&[]), Err(Error::TooShort { len: 0 }));
        assert_eq!(Frame::parse(&[0xff, 0x03]), Err(Error::TooShort { len: 2 }));
        assert_eq!(
            Frame::parse(&[0xfe, 0x03, 0x80]),
            Err(Error::BadAddress(0xfe))
        );
        assert_eq!(
            Frame::parse(&[0xff, 0xc0, 0x01]),
            Err(Error::BadControl(0xc0))
        );
    }

    #[test]
    fn t38_order_frame_parses_after_reversal() {
        // Section B of t30_frames_observed.txt: "ff c8 01 00 76 5f 01 01 9b 01 01 01 00 00"
        let mut b = vec![
            0xff, 0xc8, 0x01, 0x00, 0x76, 0x5f, 0x01, 0x01, 0x9b, 0x01, 0x01, 0x01, 0x00, 0x00,
        ];
        reverse_bits(&mut b);
        let f = Frame::parse(&b).unwrap();
        assert_eq!(f.fcf, Fcf::Dis);
        assert!(f.is_final());
        let c = f.capabilities_field().unwrap();
        assert!(c.supports_modem(FastModem::V17_14400));
        assert_eq!(f.to_bytes(), b);
    }

    #[test]
    fn ppr_map_round_trip() {
        let p = Ppr::from_missing([0, 7, 8, 255]);
        assert_eq!(p.requested(), vec![0, 7, 8, 255]);
        let f = Frame::new(Fcf::Ppr, Payload::Ppr(p));
        assert_eq!(Frame::parse(&f.to_bytes()).unwrap(), f);
    }
}
