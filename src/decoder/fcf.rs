//! T.30 facsimile control field (FCF) values as the decoder sees them (T.30 §5.3.6, Table 5).
//!
//! Octets are in HDLC reception order: the first bit on the line is the least significant bit,
//! so DIS (written `X000 0001` in T.30, first transmitted bit on the left) arrives as `0x80`. The X bit (T.30 §5.3.6.1: set by the station that received a valid DIS) is the
//! first transmitted bit, i.e. bit 0; [`strip_x`] removes it.

/// Remove the X bit (T.30 §5.3.6.1) from an FCF octet of a command.
pub const fn strip_x(fcf: u8) -> u8 {
    fcf & 0xFE
}

/// Digital identification signal (T.30 §5.3.6.1.1).
pub const DIS: u8 = 0x80;
/// Called subscriber identification.
pub const CSI: u8 = 0x40;
/// Non-standard facilities.
pub const NSF: u8 = 0x20;
/// Digital transmit command (polling).
pub const DTC: u8 = 0x80;
/// Calling subscriber identification.
pub const CIG: u8 = 0x40;
/// Non-standard facilities command.
pub const NSC: u8 = 0x20;
/// Digital command signal (T.30 §5.3.6.1.3).
pub const DCS: u8 = 0x82;
/// Transmitting subscriber identification.
pub const TSI: u8 = 0x42;
/// Non-standard set-up.
pub const NSS: u8 = 0x22;
/// Confirmation to receive.
pub const CFR: u8 = 0x84;
/// Failure to train.
pub const FTT: u8 = 0x44;
/// Multi-page signal.
pub const MPS: u8 = 0x4E;
/// End of message (return to phase B).
pub const EOM: u8 = 0x8E;
/// End of procedure.
pub const EOP: u8 = 0x2E;
/// Procedure interrupt, multi-page.
pub const PRI_MPS: u8 = 0x5E;
/// Procedure interrupt, end of message.
pub const PRI_EOM: u8 = 0x9E;
/// Procedure interrupt, end of procedure.
pub const PRI_EOP: u8 = 0x3E;
/// Message confirmation.
pub const MCF: u8 = 0x8C;
/// Retrain positive.
pub const RTP: u8 = 0xCC;
/// Retrain negative.
pub const RTN: u8 = 0x4C;
/// Procedure interrupt positive.
pub const PIP: u8 = 0xAC;
/// Procedure interrupt negative.
pub const PIN: u8 = 0x2C;
/// Disconnect.
pub const DCN: u8 = 0xFA;
/// Command repeat.
pub const CRP: u8 = 0x1A;
/// Partial page signal (T.30 Annex A, ECM).
pub const PPS: u8 = 0xBE;
/// Partial page request (ECM).
pub const PPR: u8 = 0xBC;
/// Receive ready (ECM).
pub const RR: u8 = 0x6E;
/// Receive not ready (ECM).
pub const RNR: u8 = 0xEC;
/// Continue to correct (ECM).
pub const CTC: u8 = 0x12;
/// Response to continue to correct (ECM).
pub const CTR: u8 = 0xC4;
/// End of retransmission (ECM).
pub const EOR: u8 = 0xCE;
/// Response to end of retransmission (ECM).
pub const ERR: u8 = 0x1C;
/// Facsimile coded data frame, sent over the high-speed modem (T.4 Annex A).
pub const FCD: u8 = 0x06;
/// Return to control for partial page, sent over the high-speed modem (T.4 Annex A).
pub const RCP: u8 = 0x86;

/// The T.30 name of a control frame, from its FCF octet (X bit included).
pub fn name(fcf: u8) -> &'static str {
    match fcf {
        // The initial identification frames are sent with X = 0; DTC/CIG/NSC by a polling
        // station that received DIS, with X = 1.
        0x80 => "DIS",
        0x81 => "DTC",
        0x40 => "CSI",
        0x41 => "CIG",
        0x20 => "NSF",
        0x21 => "NSC",
        _ => match strip_x(fcf) {
            DCS => "DCS",
            TSI => "TSI",
            NSS => "NSS",
            CFR => "CFR",
            FTT => "FTT",
            MPS => "MPS",
            EOM => "EOM",
            EOP => "EOP",
            PRI_MPS => "PRI-MPS",
            PRI_EOM => "PRI-EOM",
            PRI_EOP => "PRI-EOP",
            MCF => "MCF",
            RTP => "RTP",
            RTN => "RTN",
            PIP => "PIP",
            PIN => "PIN",
            DCN => "DCN",
            CRP => "CRP",
            PPS => "PPS",
            PPR => "PPR",
            RR => "RR",
            RNR => "RNR",
            CTC => "CTC",
            CTR => "CTR",
            EOR => "EOR",
            ERR => "ERR",
            FCD => "FCD",
            RCP => "RCP",
            0x58 => "SUB",
            0xC2 => "SEP",
            0x2A => "PWD",
            0xA2 => "SID",
            _ => "unknown",
        },
    }
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
