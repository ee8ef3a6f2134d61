//! Invoices made from sales orders.
//!
//! [`from_order`] makes a draft invoice (billing's `invoices::create`) of an order's lines
//! that are left to invoice: up to the ordered quantity, or up to the delivered one, as the
//! tenant's invoicing policy says (`service::settings`), less what posted invoices billed.
//! Each invoice line names the order line it bills (`sales_invoice_line`). When the invoice
//! posts, [`posted`] counts it on the order's lines in the posting's transaction, each by
//! one statement that refuses to pass the cap (`BUSINESS_RULE sales.over_invoiced`), so
//! two invoices of the same lines posted at once cannot bill more than the cap together;
//! the order is `INVOICED` once every line is invoiced in full.
//!
//! A posted credit note of such an invoice gives back, in [`credited`], what it returns: each
//! of its lines that names a line the invoice billed from the order (by its product, or, for
//! a line without one, by the same description) takes its quantity off that order line's
//! invoiced quantity, so it can be invoiced again; its total comes off the order's invoiced
//! amount. It never gives back more than the invoice billed less what its earlier credit
//! notes gave back (`BUSINESS_RULE sales.over_credited`). Other lines (a price correction
//! written as free text) credit money only. The order leaves `INVOICED` when a line is no
//! longer invoiced in full.

use chrono::NaiveDate;
use entities::billing::invoice::InvoiceStatus;
use entities::billing::{invoice, invoice_line};
use entities::sales::sales_invoice_line;
use entities::sales::sales_order::{self, OrderStatus};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::error::AppError;
use crate::kit::{Write, write};
use crate::modules::billing::service::invoices::{self, NewInvoice};
use crate::modules::billing::service::lines::micros;
use crate::modules::sales::service::orders::{add_to_line, line_of, lines_of, wrong_status};
use crate::modules::sales::service::{rule, settings};

/// `createInvoiceFromOrder`'s content.
#[derive(Clone, Debug, Default)]
pub struct FromOrder {
    /// The order.
    pub order_id: Uuid,
    /// The invoice date.
    pub date: NaiveDate,
    /// When it falls due (none: the customer's payment term).
    pub due_date: Option<NaiveDate>,
    /// `(order line, quantity)` to bill (none: everything left to invoice).
    pub lines: Option<Vec<(Uuid, String)>>,
    /// A note printed on the invoice.
    pub memo: Option<String>,
}

fn over_invoiced(message: impl Into<String>) -> AppError {
    rule("sales.over_invoiced", message)
}

/// The column an order line is invoiced up to under `policy`.
fn cap_column(policy: &str) -> &'static str {
    if policy == settings::DELIVERED {
        "delivered_micros"
    } else {
        "quantity_micros"
    }
}

/// `createInvoiceFromOrder`: a draft invoice of order lines left to invoice (see the
/// module header). Repeating it with the same `id` and content returns the same draft.
pub async fn from_order(
    w: &Write<'_>,
    id: Option<Uuid>,
    input: FromOrder,
) -> Result<invoice::Model, AppError> {
    let order =
        write::reference_row::<sales_order::Entity>(w, input.order_id, "input.orderId").await?;
    if !matches!(
        order.status,
        OrderStatus::Confirmed | OrderStatus::PartiallyDelivered | OrderStatus::Delivered
    ) {
        return Err(wrong_status(&order, "invoiced"));
    }
    let policy = settings::current(w.tx().await?).await?.invoice_policy;
    let lines = lines_of(w.tx().await?, order.id).await?;
    let open = |l: &entities::sales::sales_order_line::Model| {
        let cap = if policy == settings::DELIVERED {
            l.delivered_micros
        } else {
            l.quantity_micros
        };
        cap - l.invoiced_micros
    };
    let mut billed = Vec::new();
    match &input.lines {
        Some(wanted) => {
            if wanted.is_empty() {
                return Err(AppError::validation(
                    "input.lines",
                    "give one line or more, or leave them out",
                ));
            }
            for (i, (line_id, quantity)) in wanted.iter().enumerate() {
                let field = format!("input.lines[{i}].quantity");
                let q = micros(quantity, &field)?;
                if q <= 0 {
                    return Err(AppError::validation(
                        field,
                        "a quantity is greater than zero",
                    ));
                }
                let line = lines.iter().find(|l| l.id == *line_id).ok_or_else(|| {
                    AppError::validation(
                        format!("input.lines[{i}].orderLineId"),
                        "no such line of this order",
                    )
                })?;
                if q > open(line) {
                    return Err(over_invoiced(format!(
                        "line {} has {} left to invoice ({} policy)",
                        line.line_no,
                        crate::money::format_trimmed(open(line), crate::money::MICRO_SCALE),
                        policy
                    )));
                }
                billed.push((line, q));
            }
        }
        None => billed.extend(lines.iter().filter(|l| open(l) > 0).map(|l| (l, open(l)))),
    }
    if billed.is_empty() {
        return Err(rule(
            "sales.nothing_to_invoice",
            format!("nothing of the order is left to invoice ({policy} policy)"),
        ));
    }
    let content = NewInvoice {
        customer_id: order.customer_id,
        date: input.date,
        due_date: input.due_date,
        currency: Some(order.currency.clone()),
        rate: None,
        discount: None,
        memo: input.memo,
        lines: billed.iter().map(|(l, q)| line_of(l).typed(*q)).collect(),
    };
    let draft = invoices::create(w, id, content).await?;
    let invoice_lines = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.eq(draft.id))
        .order_by_asc(invoice_line::Column::LineNo)
        .all(w.tx().await?)
        .await?;
    sales_invoice_line::Entity::insert_many(invoice_lines.iter().zip(&billed).map(
        |(il, (ol, _))| sales_invoice_line::ActiveModel {
            invoice_line_id: Set(il.id),
            invoice_id: Set(draft.id),
            order_line_id: Set(ol.id),
        },
    ))
    .on_conflict(
        OnConflict::column(sales_invoice_line::Column::InvoiceLineId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(w.tx().await?)
    .await?;
    Ok(draft)
}

/// The invoices (any status) that bill any of order lines `lines`.
pub async fn invoices_of(
    w: &Write<'_>,
    lines: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<Uuid>, AppError> {
    let mut ids: Vec<Uuid> = sales_invoice_line::Entity::find()
        .filter(sales_invoice_line::Column::OrderLineId.is_in(lines))
        .all(w.tx().await?)
        .await?
        .into_iter()
        .map(|l| l.invoice_id)
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Counts posted invoice `doc` on the order it was made from, if any (see the module
/// header); called by billing's posting inside its transaction.
pub async fn posted(w: &Write<'_>, doc: &invoice::Model) -> Result<(), AppError> {
    let links = sales_invoice_line::Entity::find()
        .filter(sales_invoice_line::Column::InvoiceId.eq(doc.id))
        .all(w.tx().await?)
        .await?;
    if links.is_empty() {
        return Ok(());
    }
    let billed = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.eq(doc.id))
        .all(w.tx().await?)
        .await?;
    let policy = settings::current(w.tx().await?).await?.invoice_policy;
    for link in &links {
        let quantity = billed
            .iter()
            .find(|l| l.id == link.invoice_line_id)
            .map_or(0, |l| l.quantity_micros);
        let added = add_to_line(
            w,
            link.order_line_id,
            "invoiced_micros",
            quantity,
            cap_column(&policy),
        )
        .await?;
        if !added {
            return Err(over_invoiced(format!(
                "the invoice bills more of an order line than is left to invoice ({policy} policy)"
            )));
        }
    }
    // The order is read after its lines were counted: a posting of the same order that
    // waited for this one reads the order as this one left it.
    let order_line = entities::sales::sales_order_line::Entity::find_by_id(links[0].order_line_id)
        .one(w.tx().await?)
        .await?
        .ok_or(AppError::NotFound {
            entity: "sales_order_line",
        })?;
    let before = sales_order::Entity::find_by_id(order_line.order_id)
        .one(w.tx().await?)
        .await?
        .ok_or(AppError::NotFound {
            entity: "sales_order",
        })?;
    if !matches!(
        before.status,
        OrderStatus::Confirmed | OrderStatus::PartiallyDelivered | OrderStatus::Delivered
    ) {
        return Err(wrong_status(&before, "invoiced"));
    }
    let lines = lines_of(w.tx().await?, before.id).await?;
    let status = if lines.iter().all(|l| l.invoiced_micros == l.quantity_micros) {
        OrderStatus::Invoiced
    } else {
        before.status
    };
    let row = sales_order::ActiveModel {
        invoiced_minor: Set(before.invoiced_minor + doc.total_minor),
        status: Set(status),
        ..Default::default()
    };
    write::update::<sales_order::Entity>(w, &before, row, before.version, "invoice").await?;
    Ok(())
}

/// Gives back on the order what posted credit note `note` returns (see the module header);
/// called by billing's posting inside its transaction.
pub async fn credited(w: &Write<'_>, note: &invoice::Model) -> Result<(), AppError> {
    let Some(original) = note.credited_invoice_id else {
        return Ok(());
    };
    let earlier: Vec<Uuid> = invoice::Entity::find()
        .filter(invoice::Column::CreditedInvoiceId.eq(original))
        .filter(invoice::Column::Id.ne(note.id))
        .filter(invoice::Column::Status.ne(InvoiceStatus::Draft))
        .all(w.tx().await?)
        .await?
        .into_iter()
        .map(|n| n.id)
        .collect();
    let documents: Vec<Uuid> = [original, note.id].into_iter().chain(earlier).collect();
    let links = sales_invoice_line::Entity::find()
        .filter(sales_invoice_line::Column::InvoiceId.is_in(documents.clone()))
        .all(w.tx().await?)
        .await?;
    if !links.iter().any(|k| k.invoice_id == original) {
        return Ok(());
    }
    let lines = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.is_in(documents))
        .order_by_asc(invoice_line::Column::LineNo)
        .all(w.tx().await?)
        .await?;
    let order_line_of = |line: &invoice_line::Model| {
        links
            .iter()
            .find(|k| k.invoice_line_id == line.id)
            .map(|k| k.order_line_id)
    };
    // Per line the invoice billed from the order: the order line and what is left to give
    // back, in the invoice's line order.
    let mut open: Vec<(&invoice_line::Model, Uuid, i64)> = lines
        .iter()
        .filter(|l| l.invoice_id == original)
        .filter_map(|l| order_line_of(l).map(|o| (l, o, l.quantity_micros)))
        .collect();
    for given in lines
        .iter()
        .filter(|l| l.invoice_id != original && l.invoice_id != note.id)
    {
        let Some(order_line) = order_line_of(given) else {
            continue;
        };
        let mut left = given.quantity_micros;
        for o in open.iter_mut().filter(|o| o.1 == order_line) {
            let taken = left.min(o.2);
            o.2 -= taken;
            left -= taken;
        }
    }
    let names = |billed: &invoice_line::Model, line: &invoice_line::Model| match line.product_id {
        Some(product) => billed.product_id == Some(product),
        None => billed.product_id.is_none() && billed.description == line.description,
    };
    let mut returned: Vec<(&invoice_line::Model, Uuid)> = Vec::new();
    for line in lines.iter().filter(|l| l.invoice_id == note.id) {
        if !open.iter().any(|o| names(o.0, line)) {
            continue;
        }
        let Some(o) = open
            .iter_mut()
            .find(|o| names(o.0, line) && o.2 >= line.quantity_micros)
        else {
            return Err(rule(
                "sales.over_credited",
                format!(
                    "line {} gives back more than the invoice billed of its order line, less \
                     what earlier credit notes gave back",
                    line.line_no
                ),
            ));
        };
        o.2 -= line.quantity_micros;
        returned.push((line, o.1));
    }
    if returned.is_empty() {
        return Ok(());
    }
    sales_invoice_line::Entity::insert_many(returned.iter().map(|(line, order_line)| {
        sales_invoice_line::ActiveModel {
            invoice_line_id: Set(line.id),
            invoice_id: Set(note.id),
            order_line_id: Set(*order_line),
        }
    }))
    .exec_without_returning(w.tx().await?)
    .await?;
    for (line, order_line) in &returned {
        let taken = add_to_line(
            w,
            *order_line,
            "invoiced_micros",
            -line.quantity_micros,
            "quantity_micros",
        )
        .await?;
        if !taken {
            return Err(rule(
                "sales.over_credited",
                format!(
                    "line {} gives back more than its order line has invoiced",
                    line.line_no
                ),
            ));
        }
    }
    let order_line = entities::sales::sales_order_line::Entity::find_by_id(returned[0].1)
        .one(w.tx().await?)
        .await?
        .ok_or(AppError::NotFound {
            entity: "sales_order_line",
        })?;
    let before = sales_order::Entity::find_by_id(order_line.order_id)
        .one(w.tx().await?)
        .await?
        .ok_or(AppError::NotFound {
            entity: "sales_order",
        })?;
    let lines = lines_of(w.tx().await?, before.id).await?;
    let status = if matches!(before.status, OrderStatus::Closed | OrderStatus::Cancelled)
        || lines.iter().all(|l| l.invoiced_micros == l.quantity_micros)
    {
        before.status
    } else if lines
        .iter()
        .all(|l| l.delivered_micros == l.quantity_micros)
    {
        OrderStatus::Delivered
    } else if lines.iter().any(|l| l.delivered_micros > 0) {
        OrderStatus::PartiallyDelivered
    } else {
        OrderStatus::Confirmed
    };
    let given_back: i64 = returned.iter().map(|(l, _)| l.total_minor).sum();
    let row = sales_order::ActiveModel {
        invoiced_minor: Set((before.invoiced_minor - given_back).max(0)),
        status: Set(status),
        ..Default::default()
    };
    write::update::<sales_order::Entity>(w, &before, row, before.version, "credit").await?;
    Ok(())
}
