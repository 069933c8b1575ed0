//! The transmission parameters the decoder needs from DCS (T.30 §5.3.6.2.1, Table 2): modem
//! and rate, resolution, page width, coding, ECM and ECM frame size.
//!
//! The field is read with `telefax-t30`'s [`Capabilities`]; only what changes how the page
//! must be received is kept here.

use serde::Serialize;
use telefax_t30::capabilities::{
    self as t30, Capabilities, Coding as T30Coding, FieldKind, Resolution, Width,
};

/// A high-speed modem that can carry fax pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum FastModem {
    /// V.27ter (2400 or 4800 bit/s).
    V27ter,
    /// V.29 (7200 or 9600 bit/s).
    V29,
    /// V.17 (7200 to 14400 bit/s).
    V17,
}

impl FastModem {
    /// The recommendation's name, e.g. `"V.17"`.
    pub fn name(self) -> &'static str {
        match self {
            FastModem::V27ter => "V.27ter",
            FastModem::V29 => "V.29",
            FastModem::V17 => "V.17",
        }
    }
}

/// Coding scheme of the page data (T.4 §4.1, §4.2; T.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Coding {
    /// T.4 one-dimensional (MH).
    Mh,
    /// T.4 two-dimensional (MR).
    Mr,
    /// T.6 (MMR), only with ECM.
    Mmr,
}

impl Coding {
    /// Short name used in the report: `"MH"`, `"MR"`, `"MMR"`.
    pub fn name(self) -> &'static str {
        match self {
            Coding::Mh => "MH",
            Coding::Mr => "MR",
            Coding::Mmr => "MMR",
        }
    }
}

/// Vertical resolution of the page (T.30 Table 2, bits 15, 41, 43).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum VerticalResolution {
    /// 3.85 lines/mm ("standard").
    Standard,
    /// 7.7 lines/mm ("fine").
    Fine,
    /// 15.4 lines/mm ("superfine").
    Superfine,
}

impl VerticalResolution {
    /// Lines per inch, for TIFF/PDF resolution tags.
    pub fn lines_per_inch(self) -> f32 {
        match self {
            VerticalResolution::Standard => 97.79,
            VerticalResolution::Fine => 195.58,
            VerticalResolution::Superfine => 391.16,
        }
    }
}

/// Parameters selected by a DCS frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Params {
    /// The modem that carries TCF and the pages.
    pub modem: FastModem,
    /// Its bit rate in bit/s.
    pub rate: u32,
    /// The page coding.
    pub coding: Coding,
    /// Vertical resolution.
    pub resolution: VerticalResolution,
    /// Page width in pixels (1728 A4, 2048 B4, 2432 A3 at 8 pels/mm).
    pub width: u32,
    /// Error correction mode (T.30 Annex A).
    pub ecm: bool,
    /// ECM frame size in octets (256 or 64).
    pub ecm_frame_size: u16,
}

/// How many octets of a DIS/DTC/DCS information field are valid: three, and one more for
/// every extension bit set (bits 24, 32, 40 ..., T.30 §5.3.6.2.1). Octets after the chain
/// ends are left out.
fn valid_len(fif: &[u8]) -> usize {
    let mut n = 3.min(fif.len());
    while n < fif.len() && fif[n - 1] & 0x80 != 0 {
        n += 1;
    }
    n
}

/// Read the DCS information field (the octets after the FCF) with `telefax-t30`'s
/// [`Capabilities`]. Returns `None` if it is too short or selects no modem we know.
pub fn parse_dcs(fif: &[u8]) -> Option<Params> {
    if fif.len() < 3 {
        return None;
    }
    let dcs = Capabilities::from_fif(FieldKind::Dcs, &fif[..valid_len(fif)]);
    // Bits 11-14, data signalling rate (T.30 Table 2, DCS column).
    let mode = dcs.modem()?;
    let modem = match mode {
        t30::FastModem::V27ter2400 | t30::FastModem::V27ter4800 => FastModem::V27ter,
        t30::FastModem::V29_7200 | t30::FastModem::V29_9600 => FastModem::V29,
        _ => FastModem::V17,
    };
    // Bits 15, 41, 43: the vertical resolution (inch-based ones read as their metric twin).
    let resolution = match dcs.resolution() {
        Resolution::R8x15_4
        | Resolution::R16x15_4
        | Resolution::In200x400
        | Resolution::In400x400 => VerticalResolution::Superfine,
        _ if dcs.bit(15) => VerticalResolution::Fine,
        _ => VerticalResolution::Standard,
    };
    // Bits 17-18: recording width (both set is invalid; read as A4).
    let width = match dcs.width() {
        Some(Width::B4) => 2048,
        Some(Width::A3) => 2432,
        _ => 1728,
    };
    let ecm = dcs.ecm();
    // Bit 31 (T.6) is only valid with ECM (T.30 §5.3.6.2.1); otherwise bit 16 says MR or MH.
    let coding = match dcs.coding() {
        T30Coding::Mmr if ecm => Coding::Mmr,
        _ if dcs.bit(16) => Coding::Mr,
        _ => Coding::Mh,
    };
    Some(Params {
        modem,
        rate: mode.bit_rate(),
        coding,
        resolution,
        width,
        ecm,
        ecm_frame_size: dcs.frame_size().unwrap_or(256),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_dcs_frames() {
        // FAX-Call (realworld vectors): DCS 83 00 a2 08 = V.17 14400, 2-D, standard, A4.
        let p = parse_dcs(&[0x00, 0xa2, 0x08]).unwrap();
        assert_eq!((p.modem, p.rate), (FastModem::V17, 14400));
        assert_eq!(p.coding, Coding::Mr);
        assert_eq!(p.resolution, VerticalResolution::Standard);
        assert_eq!(p.width, 1728);
        assert!(!p.ecm);
        // asterisk CARRIER: DCS 83 00 86 88 80 80 00 = V.29 9600, 2-D.
        let p = parse_dcs(&[0x00, 0x86, 0x88, 0x80, 0x80, 0x00]).unwrap();
        assert_eq!((p.modem, p.rate), (FastModem::V29, 9600));
        assert_eq!(p.coding, Coding::Mr);
        assert!(!p.ecm);
    }

    #[test]
    fn ecm_and_t6() {
        // bits 10 (rx), 14 (V.17 14400), 24 (extend), 27 (ECM), 31 (T.6).
        let mut f = [0u8; 4];
        for b in [10usize, 14, 24, 27, 31] {
            f[(b - 1) / 8] |= 1 << ((b - 1) % 8);
        }
        let p = parse_dcs(&f).unwrap();
        assert!(p.ecm);
        assert_eq!(p.coding, Coding::Mmr);
        assert_eq!(p.ecm_frame_size, 256);
        assert!(parse_dcs(&[0x00]).is_none());
    }

    /// A DCS field with the given Table 2 bits set (extension bits included by the caller).
    fn dcs(bits: &[usize]) -> Vec<u8> {
        let mut f = vec![0u8; 3];
        for &b in bits {
            let i = (b - 1) / 8;
            if f.len() <= i {
                f.resize(i + 1, 0);
            }
            f[i] |= 1 << ((b - 1) % 8);
        }
        f
    }

    #[test]
    fn resolution_width_coding_and_frame_size() {
        // V.29 7200 (bits 11, 12), fine (15), B4 (17), MR (16).
        let p = parse_dcs(&dcs(&[10, 11, 12, 15, 16, 17])).unwrap();
        assert_eq!((p.modem, p.rate), (FastModem::V29, 7200));
        assert_eq!(p.resolution, VerticalResolution::Fine);
        assert_eq!(p.width, 2048);
        assert_eq!(p.coding, Coding::Mr);
        // V.27ter 4800 (12), A3 (18), superfine (41, through extension bits 24, 32, 40),
        // ECM with 64-octet frames (27, 28), T.6 (31).
        let p = parse_dcs(&dcs(&[10, 12, 18, 24, 27, 28, 31, 32, 40, 41])).unwrap();
        assert_eq!((p.modem, p.rate), (FastModem::V27ter, 4800));
        assert_eq!(p.width, 2432);
        assert_eq!(p.resolution, VerticalResolution::Superfine);
        assert!(p.ecm);
        assert_eq!(p.ecm_frame_size, 64);
        assert_eq!(p.coding, Coding::Mmr);
        // T.6 without ECM is not valid: MH (bit 16 clear). Bits after an unset extension
        // bit are not read (no superfine).
        let p = parse_dcs(&dcs(&[10, 14, 31, 41])).unwrap();
        assert_eq!(p.coding, Coding::Mh);
        assert!(!p.ecm);
        assert_eq!(p.resolution, VerticalResolution::Standard);
    }
}
