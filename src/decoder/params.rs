//! The transmission parameters the decoder needs from DCS (T.30 §5.3.6.2.1, Table 2): modem
//! and rate, resolution, page width, coding, ECM and ECM frame size.
//!
//! Only the bits that change how the page must be received are read here; the full typed
//! field set for the report comes from `telefax-t30`.

use serde::Serialize;

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

/// Bit `n` (numbered from 1 as in T.30 Table 2) of a DIS/DTC/DCS information field.
fn bit(fif: &[u8], n: usize) -> bool {
    let i = (n - 1) / 8;
    fif.get(i).is_some_and(|o| o >> ((n - 1) % 8) & 1 == 1)
}

/// Whether the extension bit closing octet `octet` (1-based: bits 24, 32, 40 ...) is set, so
/// that the next octet is valid.
fn extended(fif: &[u8], octet: usize) -> bool {
    bit(fif, octet * 8)
}

/// Read the DCS information field (the octets after the FCF). Returns `None` if it is too short
/// or selects no modem we know.
pub fn parse_dcs(fif: &[u8]) -> Option<Params> {
    if fif.len() < 3 {
        return None;
    }
    // Bits 11-14, data signalling rate (T.30 Table 2, DCS column).
    let code = (bit(fif, 11) as u8) << 3
        | (bit(fif, 12) as u8) << 2
        | (bit(fif, 13) as u8) << 1
        | bit(fif, 14) as u8;
    let (modem, rate) = match code {
        0b0000 => (FastModem::V27ter, 2400),
        0b0100 => (FastModem::V27ter, 4800),
        0b1000 => (FastModem::V29, 9600),
        0b1100 => (FastModem::V29, 7200),
        0b0001 => (FastModem::V17, 14400),
        0b0101 => (FastModem::V17, 12000),
        0b1001 => (FastModem::V17, 9600),
        0b1101 => (FastModem::V17, 7200),
        _ => return None,
    };
    let mut resolution = if bit(fif, 15) {
        VerticalResolution::Fine
    } else {
        VerticalResolution::Standard
    };
    let mr = bit(fif, 16);
    // Bits 17-18: recording width.
    let width = match (bit(fif, 17), bit(fif, 18)) {
        (false, false) => 1728,
        (true, false) => 2048,
        (false, true) => 2432,
        (true, true) => 1728,
    };
    let mut ecm = false;
    let mut ecm_frame_size = 256;
    let mut mmr = false;
    if extended(fif, 3) && fif.len() >= 4 {
        ecm = bit(fif, 27);
        ecm_frame_size = if bit(fif, 28) { 64 } else { 256 };
        mmr = bit(fif, 31);
        if extended(fif, 4) && extended(fif, 5) && fif.len() >= 6 && (bit(fif, 41) || bit(fif, 43))
        {
            resolution = VerticalResolution::Superfine;
        }
    }
    let coding = if mmr && ecm {
        Coding::Mmr
    } else if mr {
        Coding::Mr
    } else {
        Coding::Mh
    };
    Some(Params {
        modem,
        rate,
        coding,
        resolution,
        width,
        ecm,
        ecm_frame_size,
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
}
