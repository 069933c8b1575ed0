//! T.30 facsimile control field (FCF) values as the decoder sees them (T.30 §5.3.6, Table 5).
//!
//! Octets are in HDLC reception order: the first bit on the line is the least significant bit,
//! so DIS (written `X000 0001` in T.30, first transmitted bit on the left) arrives as `0x80`.
//! The codes and names are `telefax-t30`'s ([`telefax_t30::Fcf`]); this module keeps the
//! octet constants the dialogue matches on. The X bit (T.30 §5.3.6.1: set by the station that received a valid DIS) is the
//! first transmitted bit, i.e. bit 0; [`strip_x`] removes it.

use telefax_t30::Fcf;

/// Remove the X bit (T.30 §5.3.6.1) from an FCF octet of a command.
pub const fn strip_x(fcf: u8) -> u8 {
    fcf & 0xFE
}

/// Digital identification signal (T.30 §5.3.6.1.1).
pub const DIS: u8 = Fcf::Dis.code();
/// Called subscriber identification.
pub const CSI: u8 = Fcf::Csi.code();
/// Non-standard facilities.
pub const NSF: u8 = Fcf::Nsf.code();
/// Digital transmit command (polling).
pub const DTC: u8 = strip_x(Fcf::Dtc.code());
/// Calling subscriber identification.
pub const CIG: u8 = strip_x(Fcf::Cig.code());
/// Non-standard facilities command.
pub const NSC: u8 = strip_x(Fcf::Nsc.code());
/// Digital command signal (T.30 §5.3.6.1.3).
pub const DCS: u8 = Fcf::Dcs.code();
/// Transmitting subscriber identification.
pub const TSI: u8 = Fcf::Tsi.code();
/// Non-standard set-up.
pub const NSS: u8 = Fcf::Nss.code();
/// Confirmation to receive.
pub const CFR: u8 = Fcf::Cfr.code();
/// Failure to train.
pub const FTT: u8 = Fcf::Ftt.code();
/// Multi-page signal.
pub const MPS: u8 = Fcf::Mps.code();
/// End of message (return to phase B).
pub const EOM: u8 = Fcf::Eom.code();
/// End of procedure.
pub const EOP: u8 = Fcf::Eop.code();
/// Procedure interrupt, multi-page.
pub const PRI_MPS: u8 = Fcf::PriMps.code();
/// Procedure interrupt, end of message.
pub const PRI_EOM: u8 = Fcf::PriEom.code();
/// Procedure interrupt, end of procedure.
pub const PRI_EOP: u8 = Fcf::PriEop.code();
/// Message confirmation.
pub const MCF: u8 = Fcf::Mcf.code();
/// Retrain positive.
pub const RTP: u8 = Fcf::Rtp.code();
/// Retrain negative.
pub const RTN: u8 = Fcf::Rtn.code();
/// Procedure interrupt positive.
pub const PIP: u8 = Fcf::Pip.code();
/// Procedure interrupt negative.
pub const PIN: u8 = Fcf::Pin.code();
/// Disconnect.
pub const DCN: u8 = Fcf::Dcn.code();
/// Command repeat.
pub const CRP: u8 = Fcf::Crp.code();
/// Partial page signal (T.30 Annex A, ECM).
pub const PPS: u8 = Fcf::Pps.code();
/// Partial page request (ECM).
pub const PPR: u8 = Fcf::Ppr.code();
/// Receive ready (ECM).
pub const RR: u8 = Fcf::Rr.code();
/// Receive not ready (ECM).
pub const RNR: u8 = Fcf::Rnr.code();
/// Continue to correct (ECM).
pub const CTC: u8 = Fcf::Ctc.code();
/// Response to continue to correct (ECM).
pub const CTR: u8 = Fcf::Ctr.code();
/// End of retransmission (ECM).
pub const EOR: u8 = Fcf::Eor.code();
/// Response to end of retransmission (ECM).
pub const ERR: u8 = Fcf::Err.code();
/// Facsimile coded data frame, sent over the high-speed modem (T.4 Annex A).
pub const FCD: u8 = Fcf::Fcd.code();
/// Return to control for partial page, sent over the high-speed modem (T.4 Annex A).
pub const RCP: u8 = Fcf::Rcp.code();

/// The T.30 name of a control frame, from its FCF octet (X bit included), as
/// `telefax-t30` names it (T.30 §5.3.6).
pub fn name(fcf: u8) -> &'static str {
    Fcf::from_octet(fcf).0.name()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_spandsp_notation() {
        // Octets as printed by spandsp's fax_decode for real calls (see SOURCES of the
        // realworld vectors): DIS 80, DCS 83, CFR 84, MCF 8c, EOP 2f, DCN fb, CSI 40, TSI 43.
        for (o, n) in [
            (0x80, "DIS"),
            (0x83, "DCS"),
            (0x84, "CFR"),
            (0x8c, "MCF"),
            (0x2f, "EOP"),
            (0xfb, "DCN"),
            (0x40, "CSI"),
            (0x43, "TSI"),
            (0x20, "NSF"),
            (0x7d, "unknown"),
        ] {
            assert_eq!(name(o), n, "{o:#04x}");
        }
    }
}
