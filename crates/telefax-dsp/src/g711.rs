//! ITU-T G.711 A-law and µ-law companding (G.711 §2 / Tables 1a, 1b, 2a, 2b).
//!
//! Linear samples are 16-bit; A-law works on the top 13 bits and µ-law on the top 14 bits,
//! as in G.711. Encoded octets include the even-bit inversion (A-law, G.711 §3) and the
//! all-bit inversion (µ-law) that travel on the line.

/// Encode a linear sample to an A-law octet (G.711 Table 1a).
///
/// ```
/// use telefax_dsp::g711::{alaw_decode, alaw_encode};
/// assert_eq!(alaw_decode(alaw_encode(1000)), 1008);
/// ```
pub fn alaw_encode(pcm: i16) -> u8 {
    let mut v = (pcm as i32) >> 3; // 13-bit
    let mask: u8 = if v >= 0 {
        0xD5
    } else {
        v = -v - 1;
        0x55
    };
    // Segment end points for 13-bit magnitudes.
    const SEG_END: [i32; 8] = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];
    let seg = SEG_END.iter().position(|&e| v <= e).unwrap_or(8);
    if seg >= 8 {
        return 0x7F ^ mask;
    }
    let mant = if seg < 2 {
        (v >> 1) & 0x0F
    } else {
        (v >> seg) & 0x0F
    };
    (((seg as i32) << 4) | mant) as u8 ^ mask
}

/// Decode an A-law octet to a linear sample (the decision value of G.711 Table 1a, scaled
/// to 16 bits).
pub fn alaw_decode(code: u8) -> i16 {
    let a = code ^ 0x55;
    let mut t = ((a & 0x0F) as i32) << 4;
    let seg = ((a & 0x70) >> 4) as i32;
    match seg {
        0 => t += 8,
        1 => t += 0x108,
        _ => {
            t += 0x108;
            t <<= seg - 1;
        }
    }
    (if a & 0x80 != 0 { t } else { -t }) as i16
}

const ULAW_BIAS: i32 = 0x84;
const ULAW_CLIP: i32 = 8159;

/// Encode a linear sample to a µ-law octet (G.711 Table 2a).
///
/// ```
/// use telefax_dsp::g711::{ulaw_decode, ulaw_encode};
/// assert_eq!(ulaw_encode(0), 0xFF);
/// assert_eq!(ulaw_decode(ulaw_encode(-1000)), -988);
/// ```
pub fn ulaw_encode(pcm: i16) -> u8 {
    let mut v = (pcm as i32) >> 2; // 14-bit
    let mask: u8 = if v < 0 {
        v = -v;
        0x7F
    } else {
        0xFF
    };
    if v > ULAW_CLIP {
        v = ULAW_CLIP;
    }
    v += ULAW_BIAS >> 2;
    const SEG_END: [i32; 8] = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF];
    let seg = SEG_END.iter().position(|&e| v <= e).unwrap_or(8);
    if seg >= 8 {
        return 0x7F ^ mask;
    }
    ((((seg as i32) << 4) | ((v >> (seg + 1)) & 0x0F)) as u8) ^ mask
}

/// Decode a µ-law octet to a linear sample (G.711 Table 2a, scaled to 16 bits).
pub fn ulaw_decode(code: u8) -> i16 {
    let u = !code;
    let mut t = (((u & 0x0F) as i32) << 3) + ULAW_BIAS;
    t <<= (u & 0x70) >> 4;
    (if u & 0x80 != 0 {
        ULAW_BIAS - t
    } else {
        t - ULAW_BIAS
    }) as i16
}

/// A linear sample passed through A-law encoding and decoding.
#[inline]
pub fn alaw_round_trip(pcm: i16) -> i16 {
    alaw_decode(alaw_encode(pcm))
}

/// A linear sample passed through µ-law encoding and decoding.
#[inline]
pub fn ulaw_round_trip(pcm: i16) -> i16 {
    ulaw_decode(ulaw_encode(pcm))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_a_fixed_point() {
        for c in 0..=255u8 {
            let a = alaw_decode(c);
            assert_eq!(alaw_decode(alaw_encode(a)), a, "A-law code {c:#x}");
            let u = ulaw_decode(c);
            assert_eq!(ulaw_decode(ulaw_encode(u)), u, "µ-law code {c:#x}");
        }
    }

    #[test]
    fn known_values() {
        // Table 1a: the largest A-law magnitude is 4032 (13-bit) = 32256 (16-bit).
        assert_eq!(alaw_decode(0xAA), 32256);
        assert_eq!(alaw_decode(0x2A), -32256);
        assert_eq!(alaw_decode(0xD5), 8);
        assert_eq!(alaw_encode(0), 0xD5);
        // Table 2a: the largest µ-law magnitude is 8031 (14-bit) = 32124 (16-bit).
        assert_eq!(ulaw_decode(0x80), 32124);
        assert_eq!(ulaw_decode(0x00), -32124);
        assert_eq!(ulaw_decode(0xFF), 0);
    }

    #[test]
    fn quantisation_error_is_relative() {
        for x in (-32000i32..32000).step_by(7) {
            let x = x as i16;
            for y in [alaw_round_trip(x), ulaw_round_trip(x)] {
                let err = (y as i32 - x as i32).abs();
                assert!(err <= 16 + (x as i32).abs() / 16, "x={x} y={y}");
            }
        }
    }

    #[test]
    fn monotonic() {
        let mut last_a = i16::MIN;
        let mut last_u = i16::MIN;
        for x in i16::MIN..=i16::MAX {
            let a = alaw_round_trip(x);
            let u = ulaw_round_trip(x);
            assert!(a >= last_a && u >= last_u, "x={x}");
            last_a = a;
            last_u = u;
        }
    }

    #[test]
    fn known_expansions() {
        // Extremes and the codes for (near) zero.
        assert_eq!(ulaw_decode(0xFF), 0);
        assert_eq!(ulaw_decode(0x7F), 0);
        assert_eq!(ulaw_decode(0x80), 32124);
        assert_eq!(ulaw_decode(0x00), -32124);
        assert_eq!(alaw_decode(0xD5), 8);
        assert_eq!(alaw_decode(0x55), -8);
        assert_eq!(alaw_decode(0xAA), 32256);
        assert_eq!(alaw_decode(0x2A), -32256);
    }

    #[test]
    fn ulaw_expansion_is_monotonic_in_magnitude() {
        // µ-law codes 0xFF down to 0x80 are the positive values in rising order.
        let mut last = -1;
        for c in 0u8..128 {
            let v = i32::from(ulaw_decode(0xFF - c));
            assert!(v > last || c == 0, "code {c}: {v} <= {last}");
            last = v;
        }
    }
}
