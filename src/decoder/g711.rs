//! G.711 expansion (A-law and µ-law to 16-bit linear), for headerless recordings of G.711
//! audio (ITU-T G.711 Tables 1 and 2).

/// Expand one A-law octet (G.711 Table 1; even bits inverted on the line) to linear PCM.
pub fn alaw_to_linear(octet: u8) -> i16 {
    let a = octet ^ 0x55;
    let seg = (a >> 4) & 0x07;
    let mant = i32::from(a & 0x0F);
    let mag = if seg == 0 {
        (mant << 4) + 8
    } else {
        ((mant << 4) + 0x108) << (seg - 1)
    };
    // Sign bit set means positive in A-law.
    if a & 0x80 != 0 {
        mag as i16
    } else {
        -mag as i16
    }
}

/// Expand one µ-law octet (G.711 Table 2; all bits inverted on the line) to linear PCM.
pub fn ulaw_to_linear(octet: u8) -> i16 {
    let u = !octet;
    let seg = (u >> 4) & 0x07;
    let mant = i32::from(u & 0x0F);
    let mag = (((mant << 3) + 0x84) << seg) - 0x84;
    if u & 0x80 != 0 {
        -mag as i16
    } else {
        mag as i16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Extremes and the codes for (near) zero.
        assert_eq!(ulaw_to_linear(0xFF), 0);
        assert_eq!(ulaw_to_linear(0x7F), 0);
        assert_eq!(ulaw_to_linear(0x80), 32124);
        assert_eq!(ulaw_to_linear(0x00), -32124);
        assert_eq!(alaw_to_linear(0xD5), 8);
        assert_eq!(alaw_to_linear(0x55), -8);
        assert_eq!(alaw_to_linear(0xAA), 32256);
        assert_eq!(alaw_to_linear(0x2A), -32256);
    }

    #[test]
    fn monotonic_in_magnitude() {
        // µ-law codes 0xFF down to 0x80 are the positive values in rising order.
        let mut last = -1;
        for c in 0u8..128 {
            let v = i32::from(ulaw_to_linear(0xFF - c));
            assert!(v > last || c == 0, "code {c}: {v} <= {last}");
            last = v;
        }
    }
}
