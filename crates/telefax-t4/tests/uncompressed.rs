//! The T.4 uncompressed-mode extension (T.4 §4.1.3 / Table 4/T.4
//! extension codes, Table 6/T.4 code words), decoded from hand-built bits.

use telefax_t4::*;

/// Pack a string of '0'/'1' (spaces ignored) MSB-first, zero-padded.
fn bits(s: &str) -> Vec<u8> {
    let v: Vec<bool> = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c == '1')
        .collect();
    v.chunks(8)
        .map(|c| {
            c.iter()
                .enumerate()
                .fold(0u8, |b, (i, &x)| b | (u8::from(x) << (7 - i)))
        })
        .collect()
}

#[test]
fn one_dimensional_uncompressed_mode() {
    // EOL; entry 000000001111; "1" = B; "01" = W B; "000001" = 5 W;
    // exit "00000001 0" = 1 W then next run white; white 3 "1000";
    // black 4 "011". Row: B W B W W W W W W W W W B B B B.
    let data = bits("000000000001 000000001111 1 01 000001 00000001 0 1000 011 000000000001");
    let (page, stats) = decode_page(&data, &DecodeOptions::new(Coding::Mh, 16)).unwrap();
    assert_eq!(stats.bad_rows, 0);
    assert_eq!(page.height, 1);
    assert_eq!(page.row(0), &[0b1010_0000, 0b0000_1111]);
}

#[test]
fn one_dimensional_uncompressed_to_row_end() {
    // Whole row of 8 in uncompressed mode: B W B W W W W W, exit with
    // 0 whites ("0000001" + T).
    let data = bits("000000000001 000000001111 1 01 000001 0000001 0");
    let (page, stats) = decode_page(&data, &DecodeOptions::new(Coding::Mh, 8)).unwrap();
    assert_eq!(stats.bad_rows, 0);
    assert_eq!(page.row(0), &[0b1010_0000]);
}

#[test]
fn two_dimensional_uncompressed_mode() {
    // MR: EOL + tag 0 (2-D against the white imaginary line); entry
    // 0000001111; "1" = B; exit "0000001 1" (0 W, next colour black);
    // horizontal "001" black 2 "11" white 13 "000011". Row: BBB then white.
    let data = bits("000000000001 0 0000001111 1 0000001 1 001 11 000011");
    let (page, stats) = decode_page(&data, &DecodeOptions::new(Coding::Mr { k: 2 }, 16)).unwrap();
    assert_eq!(stats.bad_rows, 0);
    assert_eq!(page.height, 1);
    assert_eq!(page.row(0), &[0b1110_0000, 0]);
    // Same in MMR (no EOL).
    let data = bits("0000001111 1 0000001 1 001 11 000011");
    let (page, stats) = decode_page(&data, &DecodeOptions::new(Coding::Mmr, 16)).unwrap();
    assert_eq!(stats.end, PageEnd::EndOfData);
    assert_eq!(page.row(0), &[0b1110_0000, 0]);
}

#[test]
fn uncompressed_overrunning_the_row_is_a_bad_row() {
    // 16 pixels wide, then 3 x "000001" (15 W) and "1" (B) = 16, then one more "1".
    let data = bits("000000000001 000000001111 000001 000001 000001 01 1 000000000001 1000 011 1000 011 000000000001");
    let (page, stats) = decode_page(&data, &DecodeOptions::new(Coding::Mh, 8)).unwrap();
    assert!(stats.bad_rows >= 1);
    assert_eq!(page.height, stats.rows);
}
