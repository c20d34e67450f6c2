//! A row's values written as JSON text straight into its line: what a
//! backup does 20 million times for a big exam, so without a `String` per
//! value. Text comes out as serde_json writes it (the same escapes), a
//! BLOB as `{"hex": "..."}`.

/// Bytes a JSON string cannot hold as they are: control characters, `"` and `\`.
const ESCAPED: [bool; 256] = {
    let mut escaped = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        escaped[byte] = true;
        byte += 1;
    }
    escaped[b'"' as usize] = true;
    escaped[b'\\' as usize] = true;
    escaped
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Where each byte of `word` that is a control character, `"` or `\` is:
/// the high bit of its byte is set. The lowest set bit is exact (a byte
/// above a match may be marked too, which the caller never relies on).
#[inline]
fn escapes_in(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const SPACES: u64 = 0x2020_2020_2020_2020;
    const QUOTES: u64 = 0x2222_2222_2222_2222;
    const BACKSLASHES: u64 = 0x5c5c_5c5c_5c5c_5c5c;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    let below_space = word.wrapping_sub(SPACES) & !word;
    (below_space | zero(word ^ QUOTES) | zero(word ^ BACKSLASHES)) & HIGH
}

/// Appends `text` as a JSON string, invalid UTF-8 (SQLite does not check
/// what TEXT holds) with U+FFFD in place of each bad sequence.
pub fn push_text(out: &mut Vec<u8>, text: &[u8]) {
    match std::str::from_utf8(text) {
        Ok(valid) => push_str(out, valid),
        Err(_) => push_str(out, &String::from_utf8_lossy(text)),
    }
}

/// Appends `text` as a JSON string. Eight bytes at a time are copied out
/// whole, then cut back to the first that needs escaping: code and JSON
/// in JSON have a quote every few bytes, so runs are short.
pub fn push_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut at = 0;
    while let Some(Ok(word)) = bytes.get(at..at + 8).map(<[u8; 8]>::try_from) {
        out.extend_from_slice(&word);
        let escapes = escapes_in(u64::from_le_bytes(word));
        if escapes == 0 {
            at += 8;
            continue;
        }
        let first = (escapes.trailing_zeros() / 8) as usize;
        out.truncate(out.len() - 8 + first);
        push_escape(out, word[first]);
        at += first + 1;
    }
    for &byte in &bytes[at..] {
        if ESCAPED[usize::from(byte)] {
            push_escape(out, byte);
        } else {
            out.push(byte);
        }
    }
    out.push(b'"');
}

/// The escape serde_json writes for `byte`.
fn push_escape(out: &mut Vec<u8>, byte: u8) {
    let short = match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        0x08 => b'b',
        0x0c => b'f',
        _ => {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0x0f)]);
            return;
        }
    };
    out.push(b'\\');
    out.push(short);
}

/// Appends a BLOB as `{"hex":"..."}`.
pub fn push_blob(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() * 2 + 10);
    out.extend_from_slice(b"{\"hex\":\"");
    for byte in bytes {
        out.push(HEX[usize::from(byte >> 4)]);
        out.push(HEX[usize::from(byte & 0x0f)]);
    }
    out.extend_from_slice(b"\"}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> String {
        let mut out = Vec::new();
        push_str(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_is_written_as_serde_json_writes_it() {
        let every_ascii: String = (0u8..128).map(char::from).collect();
        let mut cases = vec![
            String::new(),
            "plain".to_owned(),
            "exactly8".to_owned(),
            "print(\"hi\")\n\tx = 'a\\b'\r\n".to_owned(),
            "ünïcödé ✓ 🎓 and \u{7f}".to_owned(),
            every_ascii.clone(),
        ];
        // Each byte that needs escaping at every position of an 8-byte word, and beside a multibyte character.
        for special in ['"', '\\', '\n', '\u{1}', '\u{1f}', ' ', '!', '#', '[', ']', '\u{7f}', 'é'] {
            for at in 0..17 {
                let mut text: String = "abcdefghijklmnopq".chars().take(at).collect();
                text.push(special);
                text.push_str("é-tail");
                cases.push(text);
            }
        }
        for case in cases {
            assert_eq!(written(&case), serde_json::to_string(&case).unwrap(), "{case:?}");
        }
    }

    #[test]
    fn invalid_utf8_is_written_as_lossy_text_and_blobs_as_hex() {
        let mut out = Vec::new();
        push_text(&mut out, b"ok \xff\xfe end");
        assert_eq!(out, serde_json::to_vec("ok \u{fffd}\u{fffd} end").unwrap());
        let mut out = Vec::new();
        push_blob(&mut out, &[0x00, 0x7f, 0xff, 0x10]);
        assert_eq!(out, b"{\"hex\":\"007fff10\"}");
    }
}
