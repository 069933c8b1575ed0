//! Frames recovered from real fax recordings by spandsp's fax_decode (lines copied from
//! our team's vector file t30_frames_observed.txt, Section A; octets in line order without
//! address, control and FCS). Each must parse to the named frame, decode as spandsp did,
//! and serialize back bit-exactly.

use telefax_t30::capabilities::{Coding, FastModem, Length, Resolution, Width};
use telefax_t30::frame::{reverse_bits, Frame, Payload};
use telefax_t30::Fcf;

const OBSERVED: &str = "\
HDLC:  CSI: 40 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 78 61 46
HDLC:  DIS: 80 00 ee 78
HDLC:  TSI: 43 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20
HDLC:  DCS: 83 00 a2 08
HDLC:  CFR: 84
HDLC:  EOP: 2f
HDLC:  MCF: 8c
HDLC:  DCN: fb
HDLC:  NSF: 20 00 00 0e 00 00 00 96 0f 01 03 00 10 05 02 95 c8 08 01 49 02 62 61 62 79 54 45 4c 20 49 6e 63 2e 5c 20 20 20 03
HDLC:  CSI: 40 2b 31 35 37 30 30 38 38 34 34 35 35 35 32 32 31 38 30 2b 2b
HDLC:  DIS: 80 00 ce 88 80 80 11
HDLC:  DCS: 83 00 86 88 80 80 00
";

fn observed() -> Vec<(String, Vec<u8>)> {
    OBSERVED
        .lines()
        .map(|l| {
            let rest = l.trim_start_matches("HDLC:").trim();
            let (name, hex) = rest.split_once(':').unwrap();
            let octets = hex
                .split_whitespace()
                .map(|h| u8::from_str_radix(h, 16).unwrap())
                .collect();
            (name.to_string(), octets)
        })
        .collect()
}

#[test]
fn every_observed_frame_parses_to_its_name_and_round_trips() {
    for (name, octets) in observed() {
        for control in [0x03u8, 0x13] {
            let mut bytes = vec![0xff, control];
            bytes.extend(&octets);
            let f = Frame::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(f.name(), name);
            assert_eq!(f.is_final(), control == 0x13);
            assert_eq!(f.to_bytes(), bytes, "{name}");
            assert!(!f.describe().is_empty());
        }
    }
}

#[test]
fn observed_dcs_v17_14400_mr_standard_a4_no_ecm() {
    let f = Frame::parse(&[0xff, 0x13, 0x83, 0x00, 0xa2, 0x08]).unwrap();
    assert!(f.x);
    let c = f.capabilities_field().unwrap();
    assert_eq!(c.modem(), Some(FastModem::V17_14400));
    assert_eq!(c.bit_rate(), Some(14400));
    assert_eq!(c.coding(), Coding::Mr);
    assert_eq!(c.resolution(), Resolution::R8x3_85);
    assert_eq!(c.width(), Some(Width::A4));
    assert_eq!(c.width_pixels(), Some(1728));
    // Bits 19-20 = (0,1): unlimited length per T.30 Table 2.
    assert_eq!(c.length(), Some(Length::Unlimited));
    assert!(!c.ecm());
    assert_eq!(c.frame_size(), None);
}

#[test]
fn observed_identities_read_in_t30_reversed_order() {
    let all = observed();
    let csi = Frame::parse(&[&[0xff, 0x03][..], &all[0].1].concat()).unwrap();
    assert_eq!(csi.identity_field().unwrap().to_string_lossy(), "Fax");
    let tsi = Frame::parse(&[&[0xff, 0x03][..], &all[2].1].concat()).unwrap();
    assert_eq!(tsi.identity_field().unwrap().to_string_lossy(), "");
    assert!(tsi.x);
}

#[test]
fn observed_nsf_is_kept_raw_with_country_code() {
    let all = observed();
    let nsf = Frame::parse(&[&[0xff, 0x03][..], &all[8].1].concat()).unwrap();
    let Payload::NonStandard(n) = &nsf.payload else {
        panic!("not NSF")
    };
    assert_eq!(n.country_code(), Some(0x00));
    assert_eq!(n.raw.len(), 37);
}

#[test]
fn t38_capture_frames_parse_after_bit_reversal() {
    // Section B: T.38 wire octets (MSB-first), FCS not included.
    let csi = "ff c0 02 8c 2c ac ec 74 2c 0c 9c 74 4c 8c ac 74 8c d4 04 04 04 04 04 04";
    let dis = "ff c8 01 00 76 5f 01 01 9b 01 01 01 00 00";
    let parse = |s: &str| {
        let mut b: Vec<u8> = s
            .split_whitespace()
            .map(|h| u8::from_str_radix(h, 16).unwrap())
            .collect();
        assert!(
            Frame::parse(&b).is_err(),
            "MSB-first order must be rejected"
        );
        reverse_bits(&mut b);
        let f = Frame::parse(&b).unwrap();
        assert_eq!(f.to_bytes(), b);
        f
    };
    let c = parse(csi);
    assert_eq!(c.fcf, Fcf::Csi);
    assert!(!c.is_final());
    let d = parse(dis);
    assert_eq!(d.fcf, Fcf::Dis);
    assert!(d.is_final());
    let caps = d.capabilities_field().unwrap();
    assert!(caps.supports_modem(FastModem::V17_14400));
    assert_eq!(caps.min_scan_line_time().ms, 0);
}

#[test]
fn frames_serialize_to_json_with_decoded_fields() {
    let f = Frame::parse(&[0xff, 0x13, 0x83, 0x00, 0xa2, 0x08]).unwrap();
    let j = serde_json::to_value(&f).unwrap();
    assert_eq!(j["fcf"], "DCS");
    assert_eq!(j["payload"]["value"]["modem"], "V17_14400");
    assert_eq!(j["payload"]["value"]["coding"], "Mr");
    assert_eq!(j["payload"]["value"]["octets"], "00a208");
}
