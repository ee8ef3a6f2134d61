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
//!   next row does not fit, repeating the table header), then the writer emits the PDF objects,
//!   because every footer says "Page i of n".
//! - `pdf-writer` writes the file format (objects, cross-reference table, trailer, string
//!   escaping). Content streams stay uncompressed: no deflate dependency, a page is a few KB.

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str, TextStr};

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
// Geometry (PDF points, origin bottom left).

/// A4 portrait.
const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const LEFT: f32 = MARGIN;
const RIGHT: f32 = PAGE_W - MARGIN;
const TOP: f32 = PAGE_H - MARGIN;
/// Nothing but the footer goes below this.
const BOTTOM: f32 = 64.0;
const FOOTER_Y: f32 = 34.0;

/// Table text.
const TABLE_SIZE: f32 = 9.0;
const TABLE_LINE_H: f32 = 11.5;
/// Space above the first and below the last text line of a row.
const ROW_PAD: f32 = 4.0;
/// Baseline below the top of a text line of `TABLE_SIZE`.
const TABLE_ASCENT: f32 = 8.5;
const HEADER_H: f32 = 18.0;
/// Inset of the table's text from the band's edges.
const INSET: f32 = 4.0;
const COL_GAP: f32 = 10.0;

const NET_W: f32 = 72.0;
const DISC_W: f32 = 52.0;
const UNIT_W: f32 = 70.0;
const QTY_W: f32 = 48.0;
/// Right edges of the number columns (text is right-aligned on them).
const NET_R: f32 = RIGHT - INSET;
const DISC_R: f32 = NET_R - NET_W - COL_GAP;
const UNIT_R: f32 = DISC_R - DISC_W - COL_GAP;
const QTY_R: f32 = UNIT_R - UNIT_W - COL_GAP;
const DESC_X: f32 = LEFT + INSET;
const DESC_W: f32 = QTY_R - QTY_W - COL_GAP - 2.0 - DESC_X;

/// Taxes and totals: labels start here, amounts end on the Net column's edge.
const TOTALS_X: f32 = 300.0;

/// Header blocks of the first page.
const RECIPIENT_W: f32 = 260.0;
const FACT_LABEL_X: f32 = 345.0;
const FACT_LABEL_W: f32 = 68.0;
const FACT_VALUE_X: f32 = 420.0;
const FACT_VALUE_W: f32 = RIGHT - FACT_VALUE_X;
/// Text lines at most in the recipient block and in the facts block.
const BLOCK_LINES: usize = 12;
/// Text lines at most for one fact's value.
const FACT_LINES: usize = 3;

const NOTE_SIZE: f32 = 9.0;
const NOTE_LINE_H: f32 = 12.0;

/// Grays (0 black, 1 white).
const MUTED: f32 = 0.35;
const HAIRLINE: f32 = 0.82;
const BAND: f32 = 0.93;

/// `…` in WinAnsi: marks truncated text.
const ELLIPSIS: u8 = 0x85;

// ---------------------------------------------------------------------------------------------
// Layout: what goes where, page by page.

/// One drawing operation on a page.
enum Op {
    /// `text` (WinAnsi bytes) with its baseline starting at (`x`, `y`).
    Text {
        x: f32,
        y: f32,
        bold: bool,
        size: f32,
        gray: f32,
        text: Vec<u8>,
    },
    /// A horizontal rule.
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
        gray: f32,
    },
    /// A filled rectangle with its bottom left corner at (`x`, `y`).
    Band {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: f32,
    },
}

struct Layout<'a> {
    doc: &'a Document,
    /// "Title number", encoded: the running header of later pages and the footer.
    heading: Vec<u8>,
    issuer: Vec<u8>,
    pages: Vec<Vec<Op>>,
    /// The top of the free space on the current page.
    y: f32,
}

impl<'a> Layout<'a> {
    fn new(doc: &'a Document) -> Self {
        let mut heading = encode(&doc.title);
        if !doc.number.is_empty() {
            heading.push(b' ');
            heading.extend(encode(&doc.number));
        }
        Self {
            doc,
            heading,
            issuer: encode(&doc.issuer),
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn text(&mut self, x: f32, y: f32, bold: bool, size: f32, gray: f32, text: Vec<u8>) {
        if !text.is_empty() {
            self.push(Op::Text {
                x,
                y,
                bold,
                size,
                gray,
                text,
            });
        }
    }

    /// `text` ending at `right`.
    fn text_right(&mut self, right: f32, y: f32, bold: bool, size: f32, gray: f32, text: Vec<u8>) {
        let x = right - width(&text, bold, size);
        self.text(x, y, bold, size, gray, text);
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32, width: f32, gray: f32) {
        self.push(Op::Rule {
            x1,
            x2,
            y,
            width,
            gray,
        });
    }

    /// Starts a new page with the running header, and the table header when `table`.
    fn new_page(&mut self, table: bool) {
        self.pages.push(Vec::new());
        let issuer = fit(&self.issuer, true, 10.0, RIGHT - LEFT - 200.0);
        self.text(LEFT, TOP - 10.0, true, 10.0, 0.0, issuer);
        let heading = fit(&self.heading, false, 10.0, 190.0);
        self.text_right(RIGHT, TOP - 10.0, false, 10.0, MUTED, heading);
        self.rule(LEFT, RIGHT, TOP - 17.0, 0.5, HAIRLINE);
        self.y = TOP - 30.0;
        if table {
            self.table_header();
        }
    }

    /// Room for `height` more points on this page, else a new page.
    fn need(&mut self, height: f32, table: bool) {
        if self.y - height < BOTTOM {
            self.new_page(table);
        }
    }

    /// Issuer, title and number, recipient and facts, then the table header.
    fn first_page(&mut self) {
        let issuer = fit(&self.issuer, true, 18.0, RIGHT - LEFT);
        self.text(LEFT, TOP - 14.0, true, 18.0, 0.0, issuer);

        let title = fit(&encode(&self.doc.title), true, 13.0, RIGHT - LEFT);
        let title_w = width(&title, true, 13.0);
        self.text(LEFT, TOP - 38.0, true, 13.0, 0.0, title);
        let room = RIGHT - LEFT - title_w - width(b" ", false, 13.0);
        if room > 20.0 {
            let number = fit(&encode(&self.doc.number), false, 13.0, room);
            let x = LEFT + title_w + width(b" ", false, 13.0);
            self.text(x, TOP - 38.0, false, 13.0, MUTED, number);
        }
        self.rule(LEFT, RIGHT, TOP - 52.0, 0.5, HAIRLINE);

        let blocks_top = TOP - 76.0;
        let recipient_end = self.recipient(blocks_top);
        let facts_end = self.facts(blocks_top);
        self.y = recipient_end.min(facts_end) - 22.0;
        self.table_header();
    }

    /// The recipient block from baseline `y`; returns where it ends.
    fn recipient(&mut self, mut y: f32) -> f32 {
        let mut rows: Vec<(bool, f32, Vec<u8>)> = Vec::new();
        let mut truncated = false;
        for (i, part) in self.doc.recipient.iter().enumerate() {
            let (bold, size) = if i == 0 { (true, 11.0) } else { (false, 10.0) };
            for text in wrap(&encode(part), bold, size, RECIPIENT_W) {
                rows.push((bold, size, text));
            }
            if rows.len() > BLOCK_LINES {
                truncated = true;
                break;
            }
        }
        if truncated {
            rows.truncate(BLOCK_LINES);
            if let Some((bold, size, text)) = rows.last_mut() {
                *text = ellipsize(text, *bold, *size, RECIPIENT_W);
            }
        }
        for (bold, size, text) in rows {
            self.text(LEFT, y, bold, size, 0.0, text);
            y -= 13.5;
        }
        y
    }

    /// The facts block from baseline `y`; returns where it ends.
    fn facts(&mut self, mut y: f32) -> f32 {
        let mut used = 0;
        for (label, value) in &self.doc.facts {
            if used >= BLOCK_LINES {
                break;
            }
            let label = fit(&encode(label), false, TABLE_SIZE, FACT_LABEL_W);
            let mut values = wrap(&encode(value), false, TABLE_SIZE, FACT_VALUE_W);
            let most = FACT_LINES.min(BLOCK_LINES - used);
            if values.len() > most {
                values.truncate(most);
                if let Some(last) = values.last_mut() {
                    *last = ellipsize(last, false, TABLE_SIZE, FACT_VALUE_W);
                }
            }
            self.text(FACT_LABEL_X, y, false, TABLE_SIZE, MUTED, label);
            for text in values {
                self.text(FACT_VALUE_X, y, false, TABLE_SIZE, 0.0, text);
                y -= 13.0;
                used += 1;
            }
        }
        y
    }

    /// The shaded header row of the table, with its rule.
    fn table_header(&mut self) {
        let top = self.y;
        self.push(Op::Band {
            x: LEFT,
            y: top - HEADER_H,
            w: RIGHT - LEFT,
            h: HEADER_H,
            gray: BAND,
        });
        let baseline = top - 12.5;
        self.text(
            DESC_X,
            baseline,
            true,
            TABLE_SIZE,
            0.0,
            b"Description".to_vec(),
        );
        for (right, label) in [
            (QTY_R, "Qty"),
            (UNIT_R, "Unit price"),
            (DISC_R, "Discount"),
            (NET_R, "Net"),
        ] {
            self.text_right(
                right,
                baseline,
                true,
                TABLE_SIZE,
                0.0,
                label.as_bytes().to_vec(),
            );
        }
        self.rule(LEFT, RIGHT, top - HEADER_H, 0.6, MUTED);
        self.y = top - HEADER_H;
    }

    /// One line of the document: its description wrapped, its numbers on the first text
    /// line. A row moves whole to the next page when it does not fit here but fits a page;
    /// a longer one is split over pages.
    fn line_row(&mut self, line: &Line) {
        let description = wrap(&encode(&line.description), false, TABLE_SIZE, DESC_W);
        let cells = [
            (QTY_R, QTY_W, &line.quantity),
            (UNIT_R, UNIT_W, &line.unit_price),
            (DISC_R, DISC_W, &line.discount),
            (NET_R, NET_W, &line.net),
        ]
        .map(|(right, w, text)| (right, fit(&encode(text), false, TABLE_SIZE, w)));

        let height = 2.0 * ROW_PAD + TABLE_LINE_H * description.len() as f32;
        let page_room = TOP - 30.0 - HEADER_H - BOTTOM;
        if self.y - height < BOTTOM && height <= page_room {
            self.new_page(true);
        }
        let mut rest = &description[..];
        let mut numbers = Some(cells);
        while !rest.is_empty() {
            let fits = ((self.y - BOTTOM - 2.0 * ROW_PAD) / TABLE_LINE_H).floor();
            let fits = if fits >= 1.0 { fits as usize } else { 0 };
            if fits == 0 {
                self.new_page(true);
                continue;
            }
            let (here, later) = rest.split_at(fits.min(rest.len()));
            let first = self.y - ROW_PAD - TABLE_ASCENT;
            if let Some(cells) = numbers.take() {
                for (right, text) in cells {
                    self.text_right(right, first, false, TABLE_SIZE, 0.0, text);
                }
            }
            let mut baseline = first;
            for text in here {
                self.text(DESC_X, baseline, false, TABLE_SIZE, 0.0, text.clone());
                baseline -= TABLE_LINE_H;
            }
            self.y -= 2.0 * ROW_PAD + TABLE_LINE_H * here.len() as f32;
            rest = later;
            if rest.is_empty() {
                self.rule(LEFT, RIGHT, self.y, 0.4, HAIRLINE);
            } else {
                self.new_page(true);
            }
        }
    }

    /// The rule under the last line.
    fn close_table(&mut self) {
        self.rule(LEFT, RIGHT, self.y, 0.6, MUTED);
    }

    /// Taxes, then totals, right-aligned under the table; kept together when they fit a page.
    fn totals(&mut self) {
        struct Row {
            label: Vec<u8>,
            value: Vec<u8>,
            bold: bool,
            size: f32,
            gray: f32,
            height: f32,
            /// A rule above the row, of this width.
            rule: Option<f32>,
        }
        let doc = self.doc;
        let mut rows = Vec::new();
        for (label, value) in &doc.taxes {
            let (label, value) = (encode(label), encode(value));
            rows.push(Row {
                label,
                value,
                bold: false,
                size: TABLE_SIZE,
                gray: MUTED,
                height: 14.0,
                rule: None,
            });
        }
        for (i, (label, value)) in doc.totals.iter().enumerate() {
            let (label, value) = (encode(label), encode(value));
            let first = i == 0 && !doc.taxes.is_empty();
            if doc.emphasis == Some(i) {
                rows.push(Row {
                    label,
                    value,
                    bold: true,
                    size: 11.0,
                    gray: 0.0,
                    height: 20.0,
                    rule: Some(0.8),
                });
            } else {
                let rule = first.then_some(0.4);
                rows.push(Row {
                    label,
                    value,
                    bold: false,
                    size: 10.0,
                    gray: 0.0,
                    height: 15.0,
                    rule,
                });
            }
        }
        if rows.is_empty() {
            return;
        }
        const GAP: f32 = 8.0;
        let height = GAP + rows.iter().map(|row| row.height).sum::<f32>();
        if self.y - height < BOTTOM && height <= TOP - 30.0 - HEADER_H - BOTTOM {
            self.new_page(true);
        }
        self.y -= GAP;
        for row in rows {
            self.need(row.height, true);
            if let Some(width) = row.rule {
                let gray = if row.bold { 0.0 } else { 0.6 };
                self.rule(TOTALS_X, RIGHT, self.y - 1.0, width, gray);
            }
            let baseline = self.y - row.height + 5.0;
            let value = fit(&row.value, row.bold, row.size, NET_R - TOTALS_X - 60.0);
            let value_w = width(&value, row.bold, row.size);
            let label = fit(
                &row.label,
                row.bold,
                row.size,
                NET_R - value_w - 12.0 - TOTALS_X,
            );
            self.text(
                TOTALS_X + INSET,
                baseline,
                row.bold,
                row.size,
                row.gray,
                label,
            );
            self.text_right(NET_R, baseline, row.bold, row.size, 0.0, value);
            self.y -= row.height;
        }
    }

    /// The note, wrapped across the page; its line breaks start new lines.
    fn note(&mut self) {
        let Some(note) = &self.doc.note else { return };
        let mut lines = Vec::new();
        let mut blank = true;
        for paragraph in note.lines() {
            let text = encode(paragraph);
            if text.iter().all(|&b| b == b' ') {
                // Runs of blank lines print as one.
                if !blank {
                    lines.push(Vec::new());
                }
                blank = true;
                continue;
            }
            blank = false;
            lines.extend(wrap(&text, false, NOTE_SIZE, RIGHT - LEFT));
        }
        while lines.last().is_some_and(Vec::is_empty) {
            lines.pop();
        }
        if lines.is_empty() {
            return;
        }
        self.y -= 22.0;
        for text in lines {
            self.need(NOTE_LINE_H, false);
            self.y -= NOTE_LINE_H;
            self.text(LEFT, self.y + 3.0, false, NOTE_SIZE, 0.15, text);
        }
    }
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

// ---------------------------------------------------------------------------------------------
// Text: encoding, measuring, wrapping.

/// `text` in WinAnsi (cp1252) bytes: ASCII and Latin-1 as they are, cp1252's extra
/// punctuation and letters at their codes, control characters (NUL, tab, newline, …) as a
/// space, non-breaking Unicode spaces as 0xA0 and other Unicode spaces as a space, anything
/// else as `?`.
fn encode(text: &str) -> Vec<u8> {
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
fn width(bytes: &[u8], bold: bool, size: f32) -> f32 {
    let table = if bold { &HELVETICA_BOLD } else { &HELVETICA };
    let units: u32 = bytes
        .iter()
        .map(|&b| u32::from(table[usize::from(b.saturating_sub(32))]))
        .sum();
    units as f32 * size / 1000.0
}

/// `text` broken into lines no wider than `max`: at spaces, and inside a word that is wider
/// than `max` by itself. Always at least one (maybe empty) line.
fn wrap(text: &[u8], bold: bool, size: f32, max: f32) -> Vec<Vec<u8>> {
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
fn fit(text: &[u8], bold: bool, size: f32, max: f32) -> Vec<u8> {
    if width(text, bold, size) <= max {
        text.to_vec()
    } else {
        ellipsize(text, bold, size, max)
    }
}

/// The longest start of `text` that, ended with `…`, is no wider than `max`.
fn ellipsize(text: &[u8], bold: bool, size: f32, max: f32) -> Vec<u8> {
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
const HELVETICA: [u16; 224] = [
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
const HELVETICA_BOLD: [u16; 224] = [
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
