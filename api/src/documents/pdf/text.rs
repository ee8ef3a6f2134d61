//! Text for the standard Helvetica fonts: WinAnsi (cp1252) encoding, advance widths from the
//! fonts' public AFM metrics, wrapping and cutting to a width.

/// `…` in WinAnsi: marks truncated text.
pub(super) const ELLIPSIS: u8 = 0x85;
// ---------------------------------------------------------------------------------------------
// Text: encoding, measuring, wrapping.

/// `text` in WinAnsi (cp1252) bytes: ASCII and Latin-1 as they are, cp1252's extra
/// punctuation and letters at their codes, control characters (NUL, tab, newline, …) as a
/// space, non-breaking Unicode spaces as 0xA0 and other Unicode spaces as a space, anything
/// else as `?`.
pub(super) fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            c if c.is_control() => b' ',
            ' '..='~' | '\u{A0}'..='\u{FF}' => u8::try_from(u32::from(c)).unwrap_or(b'?'),
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            '\u{2007}' | '\u{202F}' => 0xA0,
            c if c.is_whitespace() => b' ',
            _ => b'?',
        })
        .collect()
}

/// The advance width, in points, of WinAnsi `bytes` set in Helvetica (or Helvetica-Bold when
/// `bold`) at `size` points. Bytes below 32 (never produced by [`encode`]) count as a space.
pub(super) fn width(bytes: &[u8], bold: bool, size: f32) -> f32 {
    let table = if bold { &HELVETICA_BOLD } else { &HELVETICA };
    let units: u32 = bytes
        .iter()
        .map(|&b| u32::from(table[usize::from(b.saturating_sub(32))]))
        .sum();
    units as f32 * size / 1000.0
}

/// `text` broken into lines no wider than `max`: at spaces, and inside a word that is wider
/// than `max` by itself. Always at least one (maybe empty) line.
pub(super) fn wrap(text: &[u8], bold: bool, size: f32, max: f32) -> Vec<Vec<u8>> {
    let space = width(b" ", bold, size);
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut line_w = 0.0;
    for word in text.split(|&b| b == b' ').filter(|word| !word.is_empty()) {
        let word_w = width(word, bold, size);
        if !line.is_empty() && line_w + space + word_w <= max {
            line.push(b' ');
            line.extend_from_slice(word);
            line_w += space + word_w;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        line_w = 0.0;
        for &b in word {
            let b_w = width(&[b], bold, size);
            // At least one byte a line, so that progress is made even when `max` is tiny.
            if !line.is_empty() && line_w + b_w > max {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            line.push(b);
            line_w += b_w;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text` as it is when it is no wider than `max`, else cut and ended with `…`.
pub(super) fn fit(text: &[u8], bold: bool, size: f32, max: f32) -> Vec<u8> {
    if width(text, bold, size) <= max {
        text.to_vec()
    } else {
        ellipsize(text, bold, size, max)
    }
}

/// The longest start of `text` that, ended with `…`, is no wider than `max`.
pub(super) fn ellipsize(text: &[u8], bold: bool, size: f32, max: f32) -> Vec<u8> {
    let room = max - width(&[ELLIPSIS], bold, size);
    let mut out = Vec::new();
    let mut used = 0.0;
    for &b in text {
        let b_w = width(&[b], bold, size);
        if used + b_w > room {
            break;
        }
        out.push(b);
        used += b_w;
    }
    while out.last() == Some(&b' ') {
        out.pop();
    }
    out.push(ELLIPSIS);
    out
}

/// Advance widths of Helvetica for WinAnsi codes 32..=255, in 1/1000 em (Adobe's AFM; the
/// codes WinAnsi leaves undefined get the bullet's width, as the PDF reference prints them).
#[rustfmt::skip]
pub(super) const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 350,
    556, 350, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
    350, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 350, 500, 667,
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

/// Advance widths of Helvetica-Bold for WinAnsi codes 32..=255, as [`HELVETICA`].
#[rustfmt::skip]
pub(super) const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 350,
    556, 350, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
    350, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 350, 500, 667,
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_maps_to_win_ansi() {
        assert_eq!(
            encode("€ é NUL\0 tab\t 中"),
            b"\x80 \xE9 NUL  tab  ?".to_vec()
        );
        assert_eq!(
            encode("“Œuvre” – 5 ‰ Ÿ\n"),
            b"\x93\x8Cuvre\x94 \x96 5 \x89 \x9F ".to_vec()
        );
        assert_eq!(
            encode("1\u{202F}234\u{2003}x\u{7F}"),
            b"1\xA0234 x ".to_vec()
        );
    }

    #[test]
    fn width_uses_helvetica_metrics() {
        assert!((width(b"1.00", false, 10.0) - 19.46).abs() < 1e-4);
        assert!(width(b"W", true, 10.0) > width(b"i", true, 10.0));
        assert!((width(&[0x80], false, 10.0) - 5.56).abs() < 1e-4);
    }

    #[test]
    fn wrap_breaks_at_spaces_and_inside_long_words() {
        let lines = wrap(b"aaa bbb ccc", false, 10.0, width(b"aaa bbb", false, 10.0));
        assert_eq!(lines, vec![b"aaa bbb".to_vec(), b"ccc".to_vec()]);
        let long = vec![b'x'; 500];
        let lines = wrap(&long, false, 10.0, 100.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| width(l, false, 10.0) <= 100.0));
        assert_eq!(lines.concat(), long);
        assert_eq!(wrap(b"", false, 10.0, 100.0), vec![Vec::<u8>::new()]);
        let cut = fit(&long, false, 10.0, 100.0);
        assert!(width(&cut, false, 10.0) <= 100.0 && cut.ends_with(&[ELLIPSIS]));
    }
}
