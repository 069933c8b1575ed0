//! Facsimile control field (FCF) codes, T.30 §5.3.6.1 and Annex A.
//!
//! # Bit order
//!
//! T.30 writes each FCF as eight bits **in transmission order**, first bit on the left
//! (DIS is `0000 0001`, DCS is `X100 0001`). HDLC sends every octet least significant bit
//! first, and the deframers in this project deliver an octet whose bit 0 is the first bit
//! received ("line order"). In line order the first written bit becomes bit 0 and the last
//! becomes bit 7, so DIS is the octet **0x80**, DCS **0x82** (0x83 with the X bit), CFR
//! 0x84, MCF 0x8c, EOP 0x2e, DCN 0xfa, and the control field `1100 X000` is 0x03 / 0x13.
//! This is the notation spandsp prints ("DIS: 80 00 ee 78"). T.38 and Wireshark carry the
//! same octets bit-reversed (control 0xc0, DIS 0x01).
//!
//! The X bit is the first transmitted bit (bit 0 in line order). T.30 §5.3.6.1 sets it to 1
//! in frames sent by the station that received a valid DIS (the caller, normally) and 0 in
//! frames from the station that sent DIS. In the initial identification (DIS/CSI/NSF) and
//! command-to-send (DTC/CIG/NSC/...) groups that bit is part of the code instead.

use serde::Serialize;

/// The X bit in a line-order FCF octet (T.30 §5.3.6.1).
pub const X_BIT: u8 = 0x01;

macro_rules! fcfs {
    ( $( $(#[$doc:meta])* $name:ident = $code:expr, $text:expr, $xbit:expr; )* ) => {
        /// A T.30 facsimile control field: which frame this is (T.30 §5.3.6.1, Annex A).
        ///
        /// The numeric code ([`Fcf::code`]) is the line-order octet with the X bit clear.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Fcf {
            $( $(#[$doc])* $name, )*
            /// An FCF octet this crate does not know (kept as received, X bit included).
            Unknown(u8),
        }

        impl Fcf {
            /// Every known FCF, in table order.
            pub const ALL: &'static [Fcf] = &[ $( Fcf::$name, )* ];

            /// The line-order octet of this FCF with the X bit clear (for [`Fcf::Unknown`],
            /// the octet as received).
            pub const fn code(self) -> u8 {
                match self {
                    $( Fcf::$name => $code, )*
                    Fcf::Unknown(c) => c,
                }
            }

            /// The T.30 abbreviation ("DIS", "PRI-EOP", ...); "unknown" for unknown codes.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Fcf::$name => $text, )*
                    Fcf::Unknown(_) => "unknown",
                }
            }

            /// Whether this FCF carries an X bit (false for the initial identification and
            /// command-to-send groups, FCD/RCP, and unknown codes).
            pub const fn has_x_bit(self) -> bool {
                match self {
                    $( Fcf::$name => $xbit, )*
                    Fcf::Unknown(_) => false,
                }
            }
        }
    };
}

fcfs! {
    // T.30 §5.3.6.1.1 initial identification (no X bit: first bit 0).
    /// Digital identification signal (`0000 0001`).
    Dis = 0x80, "DIS", false;
    /// Called subscriber identification (`0000 0010`).
    Csi = 0x40, "CSI", false;
    /// Non-standard facilities (`0000 0100`).
    Nsf = 0x20, "NSF", false;
    // §5.3.6.1.2 command to send (first bit 1).
    /// Digital transmit command, polling (`1000 0001`).
    Dtc = 0x81, "DTC", false;
    /// Calling subscriber identification (`1000 0010`).
    Cig = 0x41, "CIG", false;
    /// Non-standard facilities command (`1000 0100`).
    Nsc = 0x21, "NSC", false;
    /// Password for polling (`1000 0011`).
    Pwd = 0xc1, "PWD", false;
    /// Selective polling address (`1000 0101`).
    Sep = 0xa1, "SEP", false;
    /// Polled sub-address (`1000 0110`).
    Psa = 0x61, "PSA", false;
    /// Calling subscriber internet address (`1000 0111`).
    Cia = 0xe1, "CIA", false;
    /// Internet selective polling address (`1000 1000`).
    Isp = 0x11, "ISP", false;
    // §5.3.6.1.3 command to receive.
    /// Digital command signal (`X100 0001`).
    Dcs = 0x82, "DCS", true;
    /// Transmitting subscriber identification (`X100 0010`).
    Tsi = 0x42, "TSI", true;
    /// Non-standard facilities set-up (`X100 0100`).
    Nss = 0x22, "NSS", true;
    /// Sub-address (`X100 0011`).
    Sub = 0xc2, "SUB", true;
    /// Sender identification / password (`X100 0101`).
    Sid = 0xa2, "SID", true;
    /// Transmitting subscriber internet address (`X100 0110`).
    Tsa = 0x62, "TSA", true;
    /// Internet routing address (`X100 0111`).
    Ira = 0xe2, "IRA", true;
    /// Continue to correct, ECM (`X100 1000`, T.30 Annex A).
    Ctc = 0x12, "CTC", true;
    // §5.3.6.1.4 pre-message response.
    /// Confirmation to receive (`X010 0001`).
    Cfr = 0x84, "CFR", true;
    /// Failure to train (`X010 0010`).
    Ftt = 0x44, "FTT", true;
    /// Called subscriber internet address (`X010 0100`).
    Csa = 0x24, "CSA", true;
    /// Response to continue to correct, ECM (`X010 0011`).
    Ctr = 0xc4, "CTR", true;
    // §5.3.6.1.5 post-message commands.
    /// End of message (`X111 0001`).
    Eom = 0x8e, "EOM", true;
    /// Multi-page signal (`X111 0010`).
    Mps = 0x4e, "MPS", true;
    /// End of procedure (`X111 0100`).
    Eop = 0x2e, "EOP", true;
    /// End of selection (`X111 1000`).
    Eos = 0x1e, "EOS", true;
    /// Procedure interrupt EOM (`X111 1001`).
    PriEom = 0x9e, "PRI-EOM", true;
    /// Procedure interrupt MPS (`X111 1010`).
    PriMps = 0x5e, "PRI-MPS", true;
    /// Procedure interrupt EOP (`X111 1100`).
    PriEop = 0x3e, "PRI-EOP", true;
    /// Partial page signal, ECM (`X111 1101`).
    Pps = 0xbe, "PPS", true;
    /// End of retransmission, ECM (`X111 0011`).
    Eor = 0xce, "EOR", true;
    /// Receive ready, ECM (`X111 0110`).
    Rr = 0x6e, "RR", true;
    // §5.3.6.1.6 post-message responses.
    /// Message confirmation (`X011 0001`).
    Mcf = 0x8c, "MCF", true;
    /// Retrain negative (`X011 0010`).
    Rtn = 0x4c, "RTN", true;
    /// Retrain positive (`X011 0011`).
    Rtp = 0xcc, "RTP", true;
    /// Procedure interrupt negative (`X011 0100`).
    Pin = 0x2c, "PIN", true;
    /// Procedure interrupt positive (`X011 0101`).
    Pip = 0xac, "PIP", true;
    /// File diagnostics message (`X011 1111`).
    Fdm = 0xfc, "FDM", true;
    /// Partial page request, ECM (`X011 1101`).
    Ppr = 0xbc, "PPR", true;
    /// Receive not ready, ECM (`X011 0111`).
    Rnr = 0xec, "RNR", true;
    /// Response for end of retransmission, ECM (`X011 1000`).
    Err = 0x1c, "ERR", true;
    // §5.3.6.1.7 other line control signals.
    /// Disconnect (`X101 1111`).
    Dcn = 0xfa, "DCN", true;
    /// Command repeat (`X101 1000`).
    Crp = 0x1a, "CRP", true;
    /// Field not valid (`X101 0011`).
    Fnv = 0xca, "FNV", true;
    /// Transmit not ready (`X101 0111`).
    Tnr = 0xea, "TNR", true;
    /// Transmit ready (`X101 0110`).
    Tr = 0x6a, "TR", true;
    // T.30 Annex A high-speed ECM frames (no X bit).
    /// Facsimile coded data, ECM (`0110 0000`).
    Fcd = 0x06, "FCD", false;
    /// Return to control for partial page, ECM (`0110 0001`).
    Rcp = 0x86, "RCP", false;
}

impl Fcf {
    /// Decode a line-order FCF octet into the FCF and its X bit (T.30 §5.3.6.1).
    ///
    /// ```
    /// use telefax_t30::fcf::Fcf;
    /// assert_eq!(Fcf::from_octet(0x80), (Fcf::Dis, false));
    /// assert_eq!(Fcf::from_octet(0x83), (Fcf::Dcs, true));
    /// assert_eq!(Fcf::from_octet(0x81), (Fcf::Dtc, false));
    /// ```
    pub fn from_octet(octet: u8) -> (Fcf, bool) {
        // Exact codes first: the groups without an X bit.
        if let Some(f) = Fcf::ALL
            .iter()
            .find(|f| !f.has_x_bit() && f.code() == octet)
        {
            return (*f, false);
        }
        let base = octet & !X_BIT;
        if let Some(f) = Fcf::ALL.iter().find(|f| f.has_x_bit() && f.code() == base) {
            return (*f, octet & X_BIT != 0);
        }
        (Fcf::Unknown(octet), false)
    }

    /// The line-order octet for this FCF with the given X bit (ignored where the FCF has
    /// none).
    pub const fn to_octet(self, x: bool) -> u8 {
        if self.has_x_bit() && x {
            self.code() | X_BIT
        } else {
            self.code()
        }
    }

    /// Whether this is a post-message command (MPS/EOM/EOP/EOS and PRI-Q), T.30 §5.3.6.1.5.
    pub const fn is_post_message_command(self) -> bool {
        matches!(
            self,
            Fcf::Mps | Fcf::Eom | Fcf::Eop | Fcf::Eos | Fcf::PriMps | Fcf::PriEom | Fcf::PriEop
        )
    }

    /// For a PRI-Q command, the plain post-message command it stands for (PRI-MPS → MPS).
    pub const fn without_pri(self) -> Fcf {
        match self {
            Fcf::PriMps => Fcf::Mps,
            Fcf::PriEom => Fcf::Eom,
            Fcf::PriEop => Fcf::Eop,
            f => f,
        }
    }
}

impl core::fmt::Display for Fcf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Fcf::Unknown(c) => write!(f, "FCF 0x{c:02x}"),
            other => f.write_str(other.name()),
        }
    }
}

impl Serialize for Fcf {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Fcf::Unknown(c) => s.serialize_str(&format!("0x{c:02x}")),
            other => s.serialize_str(other.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_decodes_to_itself_with_and_without_x() {
        for &f in Fcf::ALL {
            assert_eq!(Fcf::from_octet(f.to_octet(false)), (f, false), "{f}");
            if f.has_x_bit() {
                assert_eq!(Fcf::from_octet(f.to_octet(true)), (f, true), "{f}");
            }
        }
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &f in Fcf::ALL {
            assert!(seen.insert(f.code()), "{f} duplicates a code");
            if f.has_x_bit() {
                assert!(seen.insert(f.code() | X_BIT), "{f}|X duplicates a code");
            }
        }
    }

    #[test]
    fn spandsp_notation_octets_match() {
        // From spandsp fax_decode output (t30_frames_observed.txt).
        assert_eq!(Fcf::from_octet(0x80), (Fcf::Dis, false));
        assert_eq!(Fcf::from_octet(0x83), (Fcf::Dcs, true));
        assert_eq!(Fcf::from_octet(0x84), (Fcf::Cfr, false));
        assert_eq!(Fcf::from_octet(0x8c), (Fcf::Mcf, false));
        assert_eq!(Fcf::from_octet(0x2f), (Fcf::Eop, true));
        assert_eq!(Fcf::from_octet(0xfb), (Fcf::Dcn, true));
        assert_eq!(Fcf::from_octet(0x40), (Fcf::Csi, false));
        assert_eq!(Fcf::from_octet(0x43), (Fcf::Tsi, true));
        assert_eq!(Fcf::from_octet(0x20), (Fcf::Nsf, false));
    }
}
