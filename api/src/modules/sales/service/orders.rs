//! Sales orders: drafts with their lines (edited with their version), confirmation (the number and the credit check of
//! `service::credit`), deliveries, cancelling and closing.

use chrono::{NaiveDate, Utc};
use entities::sales::sales_order::{self, OrderStatus};
use entities::sales::sales_order_line;
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    Select, Set, Statement,
};
use uuid::Uuid;

use crate::authz::Access;
use crate::authz::catalog::ORDER_APPROVE_OVER_LIMIT;
use crate::error::AppError;
use crate::kit::resource::visible as scoped;
use crate::kit::{Write, write};
use crate::modules::billing::service::lines::{NewLine, micros};
use crate::modules::common::optional_text;
use crate::modules::finance::service::numbering;
use crate::modules::sales::service::{
    DocLine, DraftChanges, credit, invoicing, prepare, reprepare, rule,
};

/// The series of order numbers (`SO-2026-000042`, by calendar year).
pub const SERIES: &str = "SO";

/// The statuses in which an order counts against its customer's credit limit.
pub const OPEN: [OrderStatus; 3] = [
    OrderStatus::Confirmed,
    OrderStatus::PartiallyDelivered,
    OrderStatus::Delivered,
];

/// An order as typed.
#[derive(Clone, Debug, Default)]
pub struct NewOrder {
    /// The customer.
    pub customer_id: Uuid,
    /// The order date.
    pub date: NaiveDate,
    /// The currency (none: the customer's).
    pub currency: Option<String>,
    /// Company currency per unit of a foreign currency (none: master data's on the date).
    pub rate: Option<String>,
    /// A note printed on it.
    pub memo: Option<String>,
    /// One line or more.
    pub lines: Vec<NewLine>,
}

pub(crate) fn line_of(l: &sales_order_line::Model) -> DocLine {
    DocLine {
        product_id: l.product_id,
        description: l.description.clone(),
        quantity_micros: l.quantity_micros,
        unit_price_micros: l.unit_price_micros,
        discount_micros: l.discount_micros,
        tax_rate_ids: l.tax_rate_ids.clone(),
        net_minor: l.net_minor,
        tax_minor: l.tax_minor,
        total_minor: l.total_minor,
    }
}

/// The lines of order `id`, in order.
pub(crate) async fn lines_of<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Vec<sales_order_line::Model>, AppError> {
    Ok(sales_order_line::Entity::find()
        .filter(sales_order_line::Column::OrderId.eq(id))
        .order_by_asc(sales_order_line::Column::LineNo)
        .all(db)
        .await?)
}

/// `createSalesOrder` (and an accepted quotation): a draft. Repeating it with the same `id`
/// and content returns it.
pub async fn create(
    w: &Write<'_>,
    id: Option<Uuid>,
    input: NewOrder,
) -> Result<sales_order::Model, AppError> {
    let doc = prepare::<sales_order::Entity>(
        w,
        input.customer_id,
        input.currency.as_deref(),
        input.rate.as_deref(),
        input.date,
        &input.lines,
    )
    .await?;
    let order_id = id.unwrap_or_else(Uuid::now_v7);
    let now = Utc::now();
    let t = &doc.totals;
    let row = sales_order::ActiveModel {
        id: Set(order_id),
        number: Set(None),
        customer_id: Set(doc.customer.id),
        owner_id: Set(doc.owner_id),
        status: Set(OrderStatus::Draft),
        order_date: Set(input.date),
        currency: Set(doc.currency.clone()),
        rate_micros: Set(doc.rate_micros),
        subtotal_minor: Set(t.net_minor),
        tax_minor: Set(t.tax_minor),
        rounding_minor: Set(t.rounding_minor),
        total_minor: Set(t.total_minor),
        invoiced_minor: Set(0),
        over_limit_approved_by: Set(None),
        memo: Set(optional_text(input.memo.as_deref(), "input.memo", 2000)?),
        confirmed_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let stored = write::insert::<sales_order::Entity>(w, row, id.is_some()).await?;
    if id.is_some() {
        let before: Vec<DocLine> = lines_of(w.tx().await?, stored.id)
            .await?
            .iter()
            .map(line_of)
            .collect();
        if !before.is_empty() {
            if before != doc.lines {
                return Err(AppError::Conflict(
                    "an order with this id exists with other lines".into(),
                ));
            }
            return Ok(stored);
        }
    }
    insert_lines(w, order_id, &doc.lines).await?;
    Ok(stored)
}

/// Stores `lines` as the lines of order `id`, numbered from 1, nothing delivered or invoiced.
async fn insert_lines(w: &Write<'_>, id: Uuid, lines: &[DocLine]) -> Result<(), AppError> {
    sales_order_line::Entity::insert_many(lines.iter().enumerate().map(|(i, l)| {
        sales_order_line::ActiveModel {
            id: Set(Uuid::now_v7()),
            order_id: Set(id),
            line_no: Set(i32::try_from(i + 1).unwrap_or(i32::MAX)),
            product_id: Set(l.product_id),
            description: Set(l.description.clone()),
            quantity_micros: Set(l.quantity_micros),
            unit_price_micros: Set(l.unit_price_micros),
            discount_micros: Set(l.discount_micros),
            tax_rate_ids: Set(l.tax_rate_ids.clone()),
            net_minor: Set(l.net_minor),
            tax_minor: Set(l.tax_minor),
            total_minor: Set(l.total_minor),
            delivered_micros: Set(0),
            invoiced_micros: Set(0),
        }
    }))
    .exec_without_returning(w.tx().await?)
    .await?;
    Ok(())
}

/// `updateSalesOrder`: changes a draft (its date, rate, memo or all of its lines), computed
/// again; the version must be the one read (`CONFLICT` otherwise). A confirmed order is not
/// edited (`BUSINESS_RULE sales.order_status`).
pub async fn update(
    w: &Write<'_>,
    id: Uuid,
    changes: DraftChanges,
) -> Result<sales_order::Model, AppError> {
    let before = write::find_for_write::<sales_order::Entity>(w, id).await?;
    if before.status != OrderStatus::Draft {
        return Err(wrong_status(&before, "edited"));
    }
    let date = changes.date.unwrap_or(before.order_date);
    let version = changes.expected_version;
    let stored = lines_of(w.tx().await?, id)
        .await?
        .iter()
        .map(line_of)
        .collect();
    let (doc, memo) = reprepare::<sales_order::Entity>(
        w,
        (
            before.customer_id,
            &before.currency,
            before.rate_micros,
            before.order_date,
        ),
        stored,
        changes,
        before.memo.clone(),
    )
    .await?;
    let t = &doc.totals;
    let row = sales_order::ActiveModel {
        order_date: Set(date),
        rate_micros: Set(doc.rate_micros),
        subtotal_minor: Set(t.net_minor),
        tax_minor: Set(t.tax_minor),
        rounding_minor: Set(t.rounding_minor),
        total_minor: Set(t.total_minor),
        memo: Set(memo),
        ..Default::default()
    };
    let after = write::update::<sales_order::Entity>(w, &before, row, version, "update").await?;
    sales_order_line::Entity::delete_many()
        .filter(sales_order_line::Column::OrderId.eq(id))
        .exec(w.tx().await?)
        .await?;
    insert_lines(w, id, &doc.lines).await?;
    Ok(after)
}

pub(crate) fn wrong_status(o: &sales_order::Model, doing: &str) -> AppError {
    rule(
        "sales.order_status",
        format!("the order is {}: it cannot be {doing}", o.status.to_value()),
    )
}

/// `confirmSalesOrder`: numbers a draft (`SO-2026-000042`) after the credit check; over
/// the limit it needs `sales.order.approve_over_limit` (`BUSINESS_RULE
/// sales.credit_limit_exceeded` without it) and records who approved. Confirming a
/// confirmed order returns it unchanged.
pub async fn confirm(w: &Write<'_>, id: Uuid) -> Result<sales_order::Model, AppError> {
    let before = write::find_for_write::<sales_order::Entity>(w, id).await?;
    match before.status {
        OrderStatus::Draft => {}
        OrderStatus::Cancelled => return Err(wrong_status(&before, "confirmed")),
        _ => return Ok(before),
    }
    let figures = credit::exposure(w, &before).await?;
    let mut approved_by = None;
    if figures.over() {
        let approver = w
            .access()
            .user_id()
            .filter(|_| w.access().scope(ORDER_APPROVE_OVER_LIMIT).is_some());
        let Some(approver) = approver else {
            return Err(rule(
                "sales.credit_limit_exceeded",
                format!(
                    "the customer's credit limit is {} (company currency, minor units); \
                     owed {}, other open orders {}, this order {}: confirming needs {}",
                    figures.limit.unwrap_or_default(),
                    figures.receivable,
                    figures.orders,
                    figures.this_order,
                    ORDER_APPROVE_OVER_LIMIT
                ),
            ));
        };
        approved_by = Some(approver);
    }
    let year = chrono::Datelike::year(&before.order_date);
    let n = numbering::next(w.tx().await?, SERIES, year).await?;
    let row = sales_order::ActiveModel {
        number: Set(Some(numbering::format(SERIES, year, n))),
        status: Set(OrderStatus::Confirmed),
        over_limit_approved_by: Set(approved_by),
        confirmed_at: Set(Some(Utc::now())),
        ..Default::default()
    };
    write::update::<sales_order::Entity>(w, &before, row, before.version, "confirm").await
}

/// `deliverSalesOrder`: records deliveries of a confirmed order's lines (`(line id,
/// quantity)`), each within what is left to deliver (`BUSINESS_RULE sales.over_delivered`).
///
/// The inventory seam: this is where the deliveries will become issue moves against the
/// order's reservation, in this transaction, once inventory exists. Until then no stock is
/// counted anywhere.
pub async fn deliver(
    w: &Write<'_>,
    id: Uuid,
    deliveries: Vec<(Uuid, String)>,
) -> Result<sales_order::Model, AppError> {
    let before = write::find_for_write::<sales_order::Entity>(w, id).await?;
    if !matches!(
        before.status,
        OrderStatus::Confirmed
            | OrderStatus::PartiallyDelivered
            | OrderStatus::Delivered
            | OrderStatus::Invoiced
    ) {
        return Err(wrong_status(&before, "delivered"));
    }
    if deliveries.is_empty() || deliveries.len() > 500 {
        return Err(AppError::validation(
            "input.lines",
            "a delivery has 1 to 500 lines",
        ));
    }
    let lines = lines_of(w.tx().await?, before.id).await?;
    let mut quantities = Vec::with_capacity(deliveries.len());
    for (i, (line, quantity)) in deliveries.iter().enumerate() {
        let field = format!("input.lines[{i}].quantity");
        let q = micros(quantity, &field)?;
        if q <= 0 {
            return Err(AppError::validation(
                field,
                "a quantity is greater than zero",
            ));
        }
        if !lines.iter().any(|l| l.id == *line) {
            return Err(AppError::validation(
                format!("input.lines[{i}].lineId"),
                "no such line of this order",
            ));
        }
        quantities.push((*line, q));
    }
    for (line, q) in quantities {
        let done = add_to_line(w, line, "delivered_micros", q, "quantity_micros").await?;
        if !done {
            return Err(rule(
                "sales.over_delivered",
                "a line would be delivered beyond its quantity",
            ));
        }
    }
    let after = lines_of(w.tx().await?, before.id).await?;
    let status = if before.status == OrderStatus::Invoiced {
        OrderStatus::Invoiced
    } else if after
        .iter()
        .all(|l| l.delivered_micros == l.quantity_micros)
    {
        OrderStatus::Delivered
    } else {
        OrderStatus::PartiallyDelivered
    };
    let row = sales_order::ActiveModel {
        status: Set(status),
        ..Default::default()
    };
    write::update::<sales_order::Entity>(w, &before, row, before.version, "deliver").await
}

/// Adds `amount` (negative: takes it off) to `column` of order line `line` when the sum
/// stays within zero and `cap` (a column): one statement, so concurrent additions never pass
/// the cap together. Whether it was added.
pub(crate) async fn add_to_line(
    w: &Write<'_>,
    line: Uuid,
    column: &'static str,
    amount: i64,
    cap: &'static str,
) -> Result<bool, AppError> {
    let tx = w.tx().await?;
    let backend = tx.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "UPDATE sales_order_line SET {column} = {column} + $1 \
             WHERE id = $2 AND {column} + $1 <= {cap} AND {column} + $1 >= 0"
        ),
        _ => format!(
            "UPDATE sales_order_line SET {column} = {column} + ?1 \
             WHERE id = ?2 AND {column} + ?1 <= {cap} AND {column} + ?1 >= 0"
        ),
    };
    let done = tx
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [amount.into(), line.into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// `cancelSalesOrder`: calls off a draft or confirmed order nothing of which was delivered
/// or invoiced (`BUSINESS_RULE sales.order_in_progress` otherwise: close it instead).
pub async fn cancel(w: &Write<'_>, id: Uuid) -> Result<sales_order::Model, AppError> {
    let before = write::find_for_write::<sales_order::Entity>(w, id).await?;
    match before.status {
        OrderStatus::Draft | OrderStatus::Confirmed => {}
        OrderStatus::Cancelled => return Ok(before),
        _ => return Err(wrong_status(&before, "cancelled")),
    }
    let lines = lines_of(w.tx().await?, before.id).await?;
    let linked = invoicing::invoices_of(w, lines.iter().map(|l| l.id)).await?;
    if before.invoiced_minor > 0
        || !linked.is_empty()
        || lines
            .iter()
            .any(|l| l.delivered_micros > 0 || l.invoiced_micros > 0)
    {
        return Err(rule(
            "sales.order_in_progress",
            "part of the order is delivered or invoiced: close it instead",
        ));
    }
    let row = sales_order::ActiveModel {
        status: Set(OrderStatus::Cancelled),
        ..Default::default()
    };
    write::update::<sales_order::Entity>(w, &before, row, before.version, "cancel").await
}

/// `closeSalesOrder`: ends a confirmed order: nothing more is delivered or invoiced, and
/// what is left of it no longer counts against the customer's credit.
pub async fn close(w: &Write<'_>, id: Uuid) -> Result<sales_order::Model, AppError> {
    let before = write::find_for_write::<sales_order::Entity>(w, id).await?;
    match before.status {
        OrderStatus::Closed => return Ok(before),
        OrderStatus::Draft | OrderStatus::Cancelled => {
            return Err(wrong_status(&before, "closed"));
        }
        _ => {}
    }
    let row = sales_order::ActiveModel {
        status: Set(OrderStatus::Closed),
        ..Default::default()
    };
    write::update::<sales_order::Entity>(w, &before, row, before.version, "close").await
}

/// Filter of the order list.
#[derive(Debug, Default)]
pub struct OrderFilter {
    /// These statuses only.
    pub status: Vec<OrderStatus>,
    /// One customer.
    pub customer_id: Option<Uuid>,
    /// Dated on or after.
    pub date_from: Option<NaiveDate>,
    /// Dated on or before.
    pub date_to: Option<NaiveDate>,
}

/// Orders `access` may see (scope applied), filtered.
pub fn visible(
    access: &Access,
    filter: &OrderFilter,
) -> Result<Select<sales_order::Entity>, AppError> {
    let mut query = scoped::<sales_order::Entity>(access)?;
    if !filter.status.is_empty() {
        query = query.filter(sales_order::Column::Status.is_in(filter.status.iter().copied()));
    }
    if let Some(id) = filter.customer_id {
        query = query.filter(sales_order::Column::CustomerId.eq(id));
    }
    if let Some(date) = filter.date_from {
        query = query.filter(sales_order::Column::OrderDate.gte(date));
    }
    if let Some(date) = filter.date_to {
        query = query.filter(sales_order::Column::OrderDate.lte(date));
    }
    Ok(query)
}
