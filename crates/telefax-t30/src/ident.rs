//! Identity fields (TSI, CSI, CIG) and the numeric-string fields of the same form (SUB,
//! SID, PWD, SEP), T.30 §5.3.6.2.4–§5.3.6.2.7.
//!
//! The field is 20 characters from T.50 (digits, "+" and space). T.30 sends the **last**
//! character first: the octet order in the frame is the reverse of the reading order, and
//! short numbers are padded with spaces, which therefore arrive first. spandsp's trace
//! "CSI: 40 20 .. 20 78 61 46" is the field for "Fax".

use serde::Serialize;

/// The standard length of an identity field in octets (T.30 §5.3.6.2.4).
pub const IDENTITY_LEN: usize = 20;

/// An identity or numeric-string field, kept as the received octets (line order, which for
/// T.50 characters is their ASCII value).
///
/// ```
/// use telefax_t30::ident::Identity;
/// let id = Identity::new("+49 30 1234");
/// assert_eq!(id.as_bytes().len(), 20);
/// assert_eq!(id.as_bytes()[19], b'+'); // first character sent last
/// assert_eq!(id.to_string_lossy(), "+49 30 1234");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    raw: Vec<u8>,
}

impl Identity {
    /// Encode `text` in T.30 form: the first 20 characters, padded with spaces, reversed.
    /// Characters outside printable ASCII become spaces.
    pub fn new(text: &str) -> Identity {
        let mut chars: Vec<u8> = text
            .chars()
            .take(IDENTITY_LEN)
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c as u8
                } else {
                    b' '
                }
            })
            .collect();
        chars.resize(IDENTITY_LEN, b' ');
        chars.reverse();
        Identity { raw: chars }
    }

    /// Wrap a received field exactly (any length is tolerated).
    pub fn from_fif(fif: &[u8]) -> Identity {
        Identity { raw: fif.to_vec() }
    }

    /// The octets as sent (reversed order).
    pub fn as_bytes(&self) -> &[u8] {
        &self.raw
    }

    /// The string in reading order, leading and trailing spaces removed; octets that are
    /// not printable ASCII become '?'.
    pub fn to_string_lossy(&self) -> String {
        let s: String = self
            .raw
            .iter()
            .rev()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '?'
                }
            })
            .collect();
        s.trim().to_string()
    }
}

impl core::fmt::Display for Identity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "\"{}\"", self.to_string_lossy())
    }
}

impl Serialize for Identity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string_lossy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_csi_fax() {
        // CSI: 40 20 x17 78 61 46
        let mut fif = vec![0x20; 17];
        fif.extend_from_slice(&[0x78, 0x61, 0x46]);
        let id = Identity::from_fif(&fif);
        assert_eq!(id.to_string_lossy(), "Fax");
        assert_eq!(Identity::new("Fax"), id);
    }

    #[test]
    fn long_text_is_cut_to_twenty() {
        let id = Identity::new("123456789012345678901234");
        assert_eq!(id.to_string_lossy(), "12345678901234567890");
    }
}
