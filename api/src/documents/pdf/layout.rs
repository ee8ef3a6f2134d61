//! Where everything of a document goes, page by page: the geometry (PDF points, origin bottom
//! left) and [`Layout`], which places text runs, rules and bands and breaks pages where the
//! next row does not fit, repeating the running header and the table header.

use super::text::{ellipsize, encode, fit, width, wrap};
use super::{Document, Line};

// ---------------------------------------------------------------------------------------------
// Geometry (PDF points, origin bottom left).

/// A4 portrait.
pub(super) const PAGE_W: f32 = 595.0;
pub(super) const PAGE_H: f32 = 842.0;
pub(super) const MARGIN: f32 = 50.0;
pub(super) const LEFT: f32 = MARGIN;
pub(super) const RIGHT: f32 = PAGE_W - MARGIN;
pub(super) const TOP: f32 = PAGE_H - MARGIN;
/// Nothing but the footer goes below this.
pub(super) const BOTTOM: f32 = 64.0;
pub(super) const FOOTER_Y: f32 = 34.0;

/// Table text.
pub(super) const TABLE_SIZE: f32 = 9.0;
pub(super) const TABLE_LINE_H: f32 = 11.5;
/// Space above the first and below the last text line of a row.
pub(super) const ROW_PAD: f32 = 4.0;
/// Baseline below the top of a text line of `TABLE_SIZE`.
pub(super) const TABLE_ASCENT: f32 = 8.5;
pub(super) const HEADER_H: f32 = 18.0;
/// Inset of the table's text from the band's edges.
pub(super) const INSET: f32 = 4.0;
pub(super) const COL_GAP: f32 = 10.0;

pub(super) const NET_W: f32 = 72.0;
pub(super) const DISC_W: f32 = 52.0;
pub(super) const UNIT_W: f32 = 70.0;
pub(super) const QTY_W: f32 = 48.0;
/// Right edges of the number columns (text is right-aligned on them).
pub(super) const NET_R: f32 = RIGHT - INSET;
pub(super) const DISC_R: f32 = NET_R - NET_W - COL_GAP;
pub(super) const UNIT_R: f32 = DISC_R - DISC_W - COL_GAP;
pub(super) const QTY_R: f32 = UNIT_R - UNIT_W - COL_GAP;
pub(super) const DESC_X: f32 = LEFT + INSET;
pub(super) const DESC_W: f32 = QTY_R - QTY_W - COL_GAP - 2.0 - DESC_X;

/// Taxes and totals: labels start here, amounts end on the Net column's edge.
pub(super) const TOTALS_X: f32 = 300.0;

/// Header blocks of the first page.
pub(super) const RECIPIENT_W: f32 = 260.0;
pub(super) const FACT_LABEL_X: f32 = 345.0;
pub(super) const FACT_LABEL_W: f32 = 68.0;
pub(super) const FACT_VALUE_X: f32 = 420.0;
pub(super) const FACT_VALUE_W: f32 = RIGHT - FACT_VALUE_X;
/// Text lines at most in the recipient block and in the facts block.
pub(super) const BLOCK_LINES: usize = 12;
/// Text lines at most for one fact's value.
pub(super) const FACT_LINES: usize = 3;

pub(super) const NOTE_SIZE: f32 = 9.0;
pub(super) const NOTE_LINE_H: f32 = 12.0;

/// Grays (0 black, 1 white).
pub(super) const MUTED: f32 = 0.35;
pub(super) const HAIRLINE: f32 = 0.82;
pub(super) const BAND: f32 = 0.93;

// ---------------------------------------------------------------------------------------------
// Layout: what goes where, page by page.

/// One drawing operation on a page.
pub(super) enum Op {
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

pub(super) struct Layout<'a> {
    doc: &'a Document,
    /// "Title number", encoded: the running header of later pages and the footer.
    pub(super) heading: Vec<u8>,
    issuer: Vec<u8>,
    pub(super) pages: Vec<Vec<Op>>,
    /// The top of the free space on the current page.
    y: f32,
}

impl<'a> Layout<'a> {
    pub(super) fn new(doc: &'a Document) -> Self {
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
    pub(super) fn first_page(&mut self) {
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
    pub(super) fn line_row(&mut self, line: &Line) {
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
    pub(super) fn close_table(&mut self) {
        self.rule(LEFT, RIGHT, self.y, 0.6, MUTED);
    }

    /// Taxes, then totals, right-aligned under the table; kept together when they fit a page.
    pub(super) fn totals(&mut self) {
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
    pub(super) fn note(&mut self) {
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
