//! The PDF file of a business document (invoice, credit note, quotation): [`render`] turns a
//! [`Document`], whose every value the caller has already formatted for a reader, into bytes.
//! Pure and synchronous: no I/O, no clock, no state; the same document gives the same bytes.
//!
//! Why this design:
//! - Only the standard Type 1 fonts Helvetica and Helvetica-Bold, which every PDF reader
//!   carries: nothing to embed, no font file or shaping dependency, files of a few KB. The
//!   price is the character set: those fonts are addressed through `/WinAnsiEncoding`
//!   (Windows-1252), so [`encode`] maps text to cp1252 bytes, control characters to spaces and
//!   anything else to `?`. Whatever the text holds (NUL, newlines, CJK, 10,000 characters),
//!   the output stays a valid PDF.
//! - A standard font carries no metrics inside the file, yet amounts must be right-aligned and
//!   descriptions wrapped: the fonts' public AFM advance widths for codes 32..=255 are tables
//!   here ([`width`]).
//! - Two passes: the layout places every text run and rule on pages (breaking pages where the
//!   next row does not fit, repeating the table header; `layout.rs`), then the writer here
//!   emits the PDF objects, because every footer says "Page i of n". Encoding, metrics and
//!   wrapping are `text.rs`.
//! - `pdf-writer` writes the file format (objects, cross-reference table, trailer, string
//!   escaping). Content streams stay uncompressed: no deflate dependency, a page is a few KB.

mod layout;
mod text;

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str, TextStr};

use layout::{FOOTER_Y, HAIRLINE, LEFT, Layout, MUTED, Op, PAGE_H, PAGE_W, RIGHT};
use text::{fit, width};

/// A document ready to print: every value already formatted for a reader.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    /// "Invoice", "Credit note", "Quotation".
    pub title: String,
    /// The legal number, or "Draft" when it has none.
    pub number: String,
    /// Who issues it: the tenant's company name.
    pub issuer: String,
    /// Who it is for: name first, then address lines if any.
    pub recipient: Vec<String>,
    /// Label/value facts printed in a block at the top right: ("Date", "2026-12-07"),
    /// ("Due date", ...), ("Currency", "EUR"), ("Status", "Posted").
    pub facts: Vec<(String, String)>,
    /// The document's lines, in print order.
    pub lines: Vec<Line>,
    /// One row per tax: ("VAT 20 % on 100.00", "20.00").
    pub taxes: Vec<(String, String)>,
    /// The totals block, in order: ("Subtotal", "100.00"), ("Tax", "20.00"), ("Rounding",
    /// "0.00"), ("Total", "EUR 120.00"), ("Amount due", ...).
    pub totals: Vec<(String, String)>,
    /// Index into `totals` of the row printed bold (the total), if any.
    pub emphasis: Option<usize>,
    /// Free text printed after the totals (memo, terms), may be long: it is wrapped.
    pub note: Option<String>,
}

/// One row of the document's table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// What is sold; wrapped over as many text lines as it needs.
    pub description: String,
    /// The quantity, with its unit if any.
    pub quantity: String,
    /// The price of one unit.
    pub unit_price: String,
    /// The discount, e.g. "10 %", or empty.
    pub discount: String,
    /// The line's net amount.
    pub net: String,
}

/// The PDF file of `doc`.
pub fn render(doc: &Document) -> Vec<u8> {
    let mut layout = Layout::new(doc);
    layout.first_page();
    for line in &doc.lines {
        layout.line_row(line);
    }
    layout.close_table();
    layout.totals();
    layout.note();
    write(doc, layout.pages, &layout.heading)
}

// ---------------------------------------------------------------------------------------------
// Writing the file.

const F1: Name<'static> = Name(b"F1");
const F2: Name<'static> = Name(b"F2");

/// The reference of object `n` (1-based; object numbers stay far below `i32::MAX`).
fn obj(n: usize) -> Ref {
    Ref::new(i32::try_from(n).unwrap_or(i32::MAX).max(1))
}

fn write(doc: &Document, pages: Vec<Vec<Op>>, heading: &[u8]) -> Vec<u8> {
    let (catalog, tree, info, helvetica, helvetica_bold) = (obj(1), obj(2), obj(3), obj(4), obj(5));
    let page_ref = |i: usize| obj(6 + 2 * i);
    let content_ref = |i: usize| obj(7 + 2 * i);
    let count = pages.len();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..count).map(page_ref))
        .count(i32::try_from(count).unwrap_or(i32::MAX));
    for (id, name) in [(helvetica, "Helvetica"), (helvetica_bold, "Helvetica-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let footer = fit(heading, false, 8.0, RIGHT - LEFT - 100.0);
    for (i, ops) in pages.into_iter().enumerate() {
        let mut content = Content::new();
        for op in ops {
            draw(&mut content, op);
        }
        draw(
            &mut content,
            Op::Rule {
                x1: LEFT,
                x2: RIGHT,
                y: FOOTER_Y + 11.0,
                width: 0.4,
                gray: HAIRLINE,
            },
        );
        draw(
            &mut content,
            Op::Text {
                x: LEFT,
                y: FOOTER_Y,
                bold: false,
                size: 8.0,
                gray: MUTED,
                text: footer.clone(),
            },
        );
        let folio = format!("Page {} of {count}", i + 1).into_bytes();
        draw(
            &mut content,
            Op::Text {
                x: RIGHT - width(&folio, false, 8.0),
                y: FOOTER_Y,
                bold: false,
                size: 8.0,
                gray: MUTED,
                text: folio,
            },
        );
        pdf.stream(content_ref(i), &content.finish());

        let mut page = pdf.page(page_ref(i));
        page.parent(tree)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(content_ref(i));
        page.resources()
            .fonts()
            .pair(F1, helvetica)
            .pair(F2, helvetica_bold);
    }
    let title: String = format!("{} {}", doc.title, doc.number)
        .trim()
        .chars()
        .take(500)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    pdf.document_info(info)
        .title(TextStr(&title))
        .producer(TextStr("erp"));
    pdf.finish()
}

fn draw(content: &mut Content, op: Op) {
    match op {
        Op::Text {
            x,
            y,
            bold,
            size,
            gray,
            text,
        } => {
            content
                .set_fill_gray(gray)
                .begin_text()
                .set_font(if bold { F2 } else { F1 }, size)
                .next_line(x, y)
                .show(Str(&text))
                .end_text();
        }
        Op::Rule {
            x1,
            x2,
            y,
            width,
            gray,
        } => {
            content
                .set_stroke_gray(gray)
                .set_line_width(width)
                .move_to(x1, y)
                .line_to(x2, y)
                .stroke();
        }
        Op::Band { x, y, w, h, gray } => {
            content.set_fill_gray(gray).rect(x, y, w, h).fill_nonzero();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(i: usize) -> Line {
        Line {
            description: format!("Consulting services, item {i}"),
            quantity: "2.5 h".to_owned(),
            unit_price: "80.00".to_owned(),
            discount: if i.is_multiple_of(3) {
                "10 %".to_owned()
            } else {
                String::new()
            },
            net: "200.00".to_owned(),
        }
    }

    fn document(lines: usize) -> Document {
        Document {
            title: "Invoice".to_owned(),
            number: "INV-2026-000123".to_owned(),
            issuer: "Acme Consulting SARL".to_owned(),
            recipient: vec![
                "Société Générale d’Équipement".to_owned(),
                "12 rue de la Paix".to_owned(),
                "75002 Paris".to_owned(),
                "France".to_owned(),
            ],
            facts: vec![
                ("Date".to_owned(), "2026-12-07".to_owned()),
                ("Due date".to_owned(), "2027-01-06".to_owned()),
                ("Currency".to_owned(), "EUR".to_owned()),
                (
                    "Status".to_owned(),
                    "Draft (not valid as an invoice)".to_owned(),
                ),
            ],
            lines: (1..=lines).map(line).collect(),
            taxes: vec![("VAT 20 % on 100.00".to_owned(), "20.00".to_owned())],
            totals: vec![
                ("Subtotal".to_owned(), "100.00".to_owned()),
                ("Tax".to_owned(), "20.00".to_owned()),
                ("Rounding".to_owned(), "0.00".to_owned()),
                ("Total".to_owned(), "EUR 120.00".to_owned()),
                ("Amount due".to_owned(), "EUR 120.00".to_owned()),
            ],
            emphasis: Some(3),
            note: Some("Payment within 30 days by bank transfer. ".repeat(12)),
        }
    }

    /// Pages of `pdf`: `/Type /Page` not followed by `s` (that is the page tree).
    fn pages(pdf: &[u8]) -> usize {
        let needle = b"/Type /Page";
        pdf.windows(needle.len() + 1)
            .filter(|w| w.starts_with(needle) && w[needle.len()] != b's')
            .count()
    }

    fn is_pdf(pdf: &[u8]) -> bool {
        pdf.starts_with(b"%PDF-") && pdf.trim_ascii_end().ends_with(b"%%EOF")
    }

    /// Whether poppler renders `pdf` cleanly, or `None` without `/usr/bin/pdftoppm`.
    fn poppler_renders(pdf: &[u8]) -> Option<bool> {
        let pdftoppm = std::path::Path::new("/usr/bin/pdftoppm");
        if !pdftoppm.exists() {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("doc.pdf");
        std::fs::write(&file, pdf).unwrap();
        let output = std::process::Command::new(pdftoppm)
            .args(["-png", "-r", "50"])
            .arg(&file)
            .arg(dir.path().join("page"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let png = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .any(|entry| entry.path().extension().is_some_and(|ext| ext == "png"));
        Some(output.status.success() && png && !stderr.contains("Error"))
    }

    #[test]
    fn output_is_a_pdf_file() {
        let pdf = render(&document(3));
        assert!(is_pdf(&pdf));
        assert!(pdf.windows(9).any(|w| w == b"/Producer"));
        assert!(pdf.windows(22).any(|w| w == b"(Invoice INV-2026-0001"));
        assert!(pdf.windows(16).any(|w| w == b"/WinAnsiEncoding"));
        assert!(pdf.windows(14).any(|w| w == b"Helvetica-Bold"));
        assert!(pdf.windows(12).any(|w| w == b"(Page 1 of 1"));
    }

    #[test]
    fn many_lines_break_into_more_pages() {
        let short = pages(&render(&document(3)));
        let long = render(&document(300));
        assert_eq!(short, 1);
        assert!(pages(&long) > short, "{} pages", pages(&long));
        let last = format!("(Page {n} of {n})", n = pages(&long));
        assert!(long.windows(last.len()).any(|w| w == last.as_bytes()));
    }

    #[test]
    fn hostile_input_renders() {
        let mut doc = document(0);
        doc.recipient = Vec::new();
        let junk = "\0\u{1}\u{1b}[31m\t\r\n)(\\ 中文 🎉 ";
        doc.title = format!("{junk}{}", "T".repeat(10_000));
        doc.number = "(unbalanced \\".to_owned();
        doc.issuer = "x".repeat(10_000);
        doc.facts.push((junk.repeat(50), junk.repeat(500)));
        doc.taxes.push((junk.to_owned(), "9".repeat(10_000)));
        doc.emphasis = Some(99);
        doc.note = Some(format!(
            "{}\n\n\n\n{}",
            junk.repeat(300),
            "\n".repeat(10_000)
        ));
        let empty = render(&doc);
        assert!(is_pdf(&empty));

        doc.lines = vec![Line {
            description: format!("{junk}{}", "W".repeat(10_000)),
            quantity: "\0".repeat(10_000),
            unit_price: junk.to_owned(),
            discount: String::new(),
            net: "1".repeat(10_000),
        }];
        doc.recipient = vec![String::new(), junk.repeat(400)];
        let hostile = render(&doc);
        assert!(is_pdf(&hostile));
        assert!(pages(&hostile) > 1);
        for pdf in [&empty, &hostile] {
            assert_ne!(poppler_renders(pdf), Some(false));
        }
        let all_empty = render(&Document::default());
        assert!(is_pdf(&all_empty));
        assert_eq!(pages(&all_empty), 1);
    }

    #[test]
    fn poppler_renders_forty_lines() {
        let rendered = poppler_renders(&render(&document(40)));
        assert_ne!(rendered, Some(false));
    }
}
