//! The embedder's policy and the choice of the best common mode (T.30 §5.3.6.2.1, the
//! DIS/DCS negotiation of phase B).

use serde::Serialize;

use crate::capabilities::{
    Capabilities, Coding, FastModem, FieldKind, Length, Modem, Resolution, Width,
};

/// What this terminal may use; the engine never advertises or selects anything outside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Allowed modes (any order; the engine uses T.30 fallback order).
    pub modems: Vec<FastModem>,
    /// Allowed codings (MH is always allowed; MMR/JBIG/JPEG need ECM, T.30 §5.3.6.2.1).
    pub codings: Vec<Coding>,
    /// Allowed resolutions (standard is always allowed).
    pub resolutions: Vec<Resolution>,
    /// The widest scan line this terminal handles.
    pub max_width: Width,
    /// The longest page this terminal handles.
    pub max_length: Length,
    /// Whether error correction mode (T.30 Annex A) may be used: advertised in DIS/DTC and
    /// selected when the remote offers it too. Needed for MMR/JBIG/JPEG.
    pub ecm: bool,
    /// The ECM frame size this terminal sends (256 or 64 octets).
    pub ecm_frame_size: u16,
    /// The receiver's minimum scan line time in ms advertised in DIS (0, 5, 10, 20, 40).
    pub min_scan_line_ms: u8,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            modems: FastModem::FALLBACK_ORDER.to_vec(),
            codings: vec![Coding::Mh, Coding::Mr],
            resolutions: vec![Resolution::R8x3_85, Resolution::R8x7_7, Resolution::R8x15_4],
            max_width: Width::A4,
            max_length: Length::Unlimited,
            ecm: false,
            ecm_frame_size: 256,
            min_scan_line_ms: 0,
        }
    }
}

impl Policy {
    /// The DIS (or DTC) this policy advertises (T.30 Table 2). `can_send` sets bit 9
    /// (document ready for polling).
    pub fn capabilities(&self, kind: FieldKind, can_send: bool) -> Capabilities {
        let mut c = Capabilities::new(kind);
        c.set_bit(9, can_send);
        c.set_bit(10, true);
        let has = |m: Modem| self.modems.iter().any(|x| x.modem() == m);
        c.set_modems(has(Modem::V27ter), has(Modem::V29), has(Modem::V17));
        for r in &self.resolutions {
            c.add_resolution(*r);
        }
        for cd in &self.codings {
            if self.ecm || !cd.requires_ecm() {
                c.add_coding(*cd);
            }
        }
        c.set_ecm(self.ecm, 256);
        c.set_max_width(self.max_width);
        c.set_length(self.max_length);
        c.set_min_scan_line_time(self.min_scan_line_ms);
        c
    }
}

/// The format of the document the sender has (what it would like to send).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DocumentFormat {
    /// The document's resolution.
    pub resolution: Resolution,
    /// The document's width.
    pub width: Width,
    /// The document's length class.
    pub length: Length,
}

impl Default for DocumentFormat {
    fn default() -> Self {
        DocumentFormat {
            resolution: Resolution::R8x7_7,
            width: Width::A4,
            length: Length::A4,
        }
    }
}

/// The negotiated parameters of phase C: what DCS selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Mode {
    /// Modem and data signalling rate.
    pub modem: FastModem,
    /// Resolution.
    pub resolution: Resolution,
    /// Scan line width.
    pub width: Width,
    /// Recording length.
    pub length: Length,
    /// Coding.
    pub coding: Coding,
    /// Minimum scan line time in ms that the sender must respect (T.4 §4.1 fill).
    pub min_scan_line_ms: u8,
    /// ECM frame size, when ECM is used.
    pub ecm_frame_size: Option<u16>,
}

impl Mode {
    /// The DCS field for this mode.
    pub fn to_dcs(&self) -> Capabilities {
        let mut c = Capabilities::new(FieldKind::Dcs);
        c.set_bit(10, true);
        c.set_modem(self.modem);
        c.set_resolution(self.resolution);
        c.set_coding(self.coding);
        c.set_width(self.width);
        c.set_length(self.length);
        c.set_min_scan_line_time(self.min_scan_line_ms);
        if let Some(fs) = self.ecm_frame_size {
            c.set_ecm(true, fs);
        }
        c
    }

    /// Read a received DCS; `None` when it selects something unusable (reserved rate,
    /// invalid width or length).
    pub fn from_dcs(dcs: &Capabilities) -> Option<Mode> {
        Some(Mode {
            modem: dcs.modem()?,
            resolution: dcs.resolution(),
            width: dcs.width()?,
            length: dcs.length()?,
            coding: dcs.coding(),
            min_scan_line_ms: dcs.min_scan_line_time().ms,
            ecm_frame_size: dcs.frame_size(),
        })
    }

    /// Whether a receiver with `policy` accepts this mode.
    pub fn acceptable_to(&self, policy: &Policy) -> bool {
        let res_ok = self.resolution.metric_equivalent() == Resolution::R8x3_85
            || policy
                .resolutions
                .iter()
                .any(|r| r.metric_equivalent() == self.resolution.metric_equivalent());
        // A receiver that advertised a modulation accepts each of its rates (DIS bits
        // 11-14 cannot express more).
        policy
            .modems
            .iter()
            .any(|m| m.modem() == self.modem.modem())
            && res_ok
            && (self.coding == Coding::Mh || policy.codings.contains(&self.coding))
            && self.width <= policy.max_width
            && (self.ecm_frame_size.is_none() || policy.ecm)
            && (!self.coding.requires_ecm() || self.ecm_frame_size.is_some())
    }
}

/// Choose the best common mode between a received DIS/DTC and the local policy for a
/// document (T.30 §5.3.6.2.1): fastest common modem in fallback order, the document's
/// resolution or the best lower one both support, ECM when both allow it, the most
/// efficient common coding (MMR with ECM only, then MR, then MH), the document width
/// clipped to what both accept, and the remote's minimum scan line time at that resolution.
/// `None` when nothing is common (no common modem).
pub fn negotiate(remote: &Capabilities, policy: &Policy, doc: &DocumentFormat) -> Option<Mode> {
    let remote_modems = remote.modems();
    let modem = FastModem::FALLBACK_ORDER
        .iter()
        .copied()
        .find(|m| remote_modems.contains(m) && policy.modems.contains(m))?;
    // Resolution: the document's if possible, else the finest common one not finer than it.
    let ours = |r: Resolution| {
        r.metric_equivalent() == Resolution::R8x3_85
            || policy
                .resolutions
                .iter()
                .any(|p| p.metric_equivalent() == r.metric_equivalent())
    };
    let resolution = if remote.supports_resolution(doc.resolution) && ours(doc.resolution) {
        doc.resolution
    } else {
        let mut best = Resolution::R8x3_85;
        for r in remote.resolutions() {
            if ours(r)
                && !r.is_inch_based()
                && r.lines_per_inch() <= doc.resolution.lines_per_inch()
                && r.x_halves() <= doc.resolution.x_halves()
                && r.lines_per_inch() > best.lines_per_inch()
            {
                best = r;
            }
        }
        best
    };
    let ecm = policy.ecm && remote.ecm();
    let remote_codings = remote.codings();
    let coding = [Coding::Mmr, Coding::Mr, Coding::Mh]
        .into_iter()
        .filter(|c| ecm || !c.requires_ecm())
        .find(|c| (*c == Coding::Mh || policy.codings.contains(c)) && remote_codings.contains(c))
        .unwrap_or(Coding::Mh);
    let remote_widths = remote.widths();
    let width = [Width::A3, Width::B4, Width::A4]
        .into_iter()
        .find(|w| *w <= doc.width && *w <= policy.max_width && remote_widths.contains(w))
        .unwrap_or(Width::A4);
    let remote_lengths = remote.lengths();
    let length = [Length::Unlimited, Length::B4, Length::A4]
        .into_iter()
        .find(|l| *l <= doc.length.max(Length::A4) && remote_lengths.contains(l))
        .unwrap_or(Length::A4);
    let min_scan_line_ms = remote.min_scan_line_time().ms_at(resolution);
    Some(Mode {
        modem,
        resolution,
        width,
        length,
        coding,
        // With ECM the scan line time is 0 (T.30 Annex A).
        min_scan_line_ms: if ecm { 0 } else { min_scan_line_ms },
        ecm_frame_size: ecm.then_some(if policy.ecm_frame_size == 64 { 64 } else { 256 }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_dis_v29_gives_v29_9600_mr() {
        let dis = Capabilities::from_fif(FieldKind::Dis, &[0x00, 0xce, 0x88, 0x80, 0x80, 0x11]);
        let m = negotiate(&dis, &Policy::default(), &DocumentFormat::default()).unwrap();
        assert_eq!(m.modem, FastModem::V29_9600);
        assert_eq!(m.coding, Coding::Mr);
        assert_eq!(m.resolution, Resolution::R8x7_7);
        assert_eq!(m.min_scan_line_ms, 20);
    }

    #[test]
    fn dcs_round_trips_mode() {
        let dis = Policy::default().capabilities(FieldKind::Dis, false);
        let m = negotiate(&dis, &Policy::default(), &DocumentFormat::default()).unwrap();
        assert_eq!(Mode::from_dcs(&m.to_dcs()), Some(m));
        assert!(m.acceptable_to(&Policy::default()));
    }

    #[test]
    fn restricted_policy_limits_modem() {
        let dis = Policy::default().capabilities(FieldKind::Dis, false);
        let p = Policy {
            modems: vec![FastModem::V27ter4800, FastModem::V27ter2400],
            ..Policy::default()
        };
        let m = negotiate(&dis, &p, &DocumentFormat::default()).unwrap();
        assert_eq!(m.modem, FastModem::V27ter4800);
    }
}
