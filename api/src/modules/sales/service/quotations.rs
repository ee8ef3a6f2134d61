//! Quotations: drafts with their lines (edited with their version), sending (the number),
//! acceptance (the order), rejection, deletion of drafts and expiry (the job).

use chrono::{Duration, NaiveDate, Utc};
use entities::crm::opportunity;
use entities::sales::quotation::{self, QuotationStatus};
use entities::sales::{quotation_line, sales_order};
use sea_orm::{
    ActiveEnum, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set,
};
use uuid::Uuid;

use crate::authz::Access;
use crate::error::AppError;
use crate::kit::resource::visible as scoped;
use crate::kit::{Write, write};
use crate::modules::billing::service::lines::NewLine;
use crate::modules::common::optional_text;
use crate::modules::finance::service::numbering;
use crate::modules::sales::service::orders::{self, NewOrder};
use crate::modules::sales::service::{DocLine, DraftChanges, prepare, reprepare, rule, settings};
use crate::money::{MICRO_SCALE, format_trimmed};

/// The series of quotation numbers (`SQ-2026-000012`, by calendar year).
pub const SERIES: &str = "SQ";

/// A quotation as typed.
#[derive(Clone, Debug, Default)]
pub struct NewQuotation {
    /// The customer (none: the opportunity's).
    pub customer_id: Option<Uuid>,
    /// The opportunity it is made for.
    pub opportunity_id: Option<Uuid>,
    /// Its date.
    pub date: NaiveDate,
    /// Valid until (none: the date plus the settings' validity).
    pub valid_until: Option<NaiveDate>,
    /// The currency (none: the customer's).
    pub currency: Option<String>,
    /// Company currency per unit of a foreign currency (none: master data's on the date).
    pub rate: Option<String>,
    /// A note printed on it.
    pub memo: Option<String>,
    /// One line or more.
    pub lines: Vec<NewLine>,
}

fn line_of(l: &quotation_line::Model) -> DocLine {
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

/// The stored lines of quotation `id`, in order.
pub(crate) async fn stored_lines(w: &Write<'_>, id: Uuid) -> Result<Vec<DocLine>, AppError> {
    Ok(quotation_line::Entity::find()
        .filter(quotation_line::Column::QuotationId.eq(id))
        .order_by_asc(quotation_line::Column::LineNo)
        .all(w.tx().await?)
        .await?
        .iter()
        .map(line_of)
        .collect())
}

/// `createQuotation`: a draft. Repeating it with the same `id` and content returns it.
pub async fn create(
    w: &Write<'_>,
    id: Option<Uuid>,
    input: NewQuotation,
) -> Result<quotation::Model, AppError> {
    let opportunity = match input.opportunity_id {
        Some(o) => {
            Some(write::reference_row::<opportunity::Entity>(w, o, "input.opportunityId").await?)
        }
        None => None,
    };
    let customer_id = match (input.customer_id, &opportunity) {
        (Some(c), Some(o)) if c != o.customer_id => {
            return Err(AppError::validation(
                "input.customerId",
                "the opportunity is another customer's",
            ));
        }
        (Some(c), _) => c,
        (None, Some(o)) => o.customer_id,
        (None, None) => {
            return Err(AppError::validation(
                "input.customerId",
                "give a customer or an opportunity",
            ));
        }
    };
    let valid_until = match input.valid_until {
        Some(v) if v < input.date => {
            return Err(AppError::validation(
                "input.validUntil",
                "a quotation is valid until its date or later",
            ));
        }
        Some(v) => v,
        None => {
            let days = settings::current(w.tx().await?)
                .await?
                .quotation_validity_days;
            input.date + Duration::days(i64::from(days))
        }
    };
    let doc = prepare::<quotation::Entity>(
        w,
        customer_id,
        input.currency.as_deref(),
        input.rate.as_deref(),
        input.date,
        &input.lines,
    )
    .await?;
    let quotation_id = id.unwrap_or_else(Uuid::now_v7);
    let now = Utc::now();
    let t = &doc.totals;
    let row = quotation::ActiveModel {
        id: Set(quotation_id),
        number: Set(None),
        customer_id: Set(doc.customer.id),
        owner_id: Set(doc.owner_id),
        opportunity_id: Set(input.opportunity_id),
        status: Set(QuotationStatus::Draft),
        quotation_date: Set(input.date),
        valid_until: Set(valid_until),
        currency: Set(doc.currency.clone()),
        rate_micros: Set(doc.rate_micros),
        subtotal_minor: Set(t.net_minor),
        tax_minor: Set(t.tax_minor),
        rounding_minor: Set(t.rounding_minor),
        total_minor: Set(t.total_minor),
        sales_order_id: Set(None),
        memo: Set(optional_text(input.memo.as_deref(), "input.memo", 2000)?),
        sent_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let stored = write::insert::<quotation::Entity>(w, row, id.is_some()).await?;
    if id.is_some() {
        let before = stored_lines(w, stored.id).await?;
        if !before.is_empty() {
            if before != doc.lines {
                return Err(AppError::Conflict(
                    "a quotation with this id exists with other lines".into(),
                ));
            }
            return Ok(stored);
        }
    }
    insert_lines(w, quotation_id, &doc.lines).await?;
    Ok(stored)
}

/// Stores `lines` as the lines of quotation `id`, numbered from 1.
async fn insert_lines(w: &Write<'_>, id: Uuid, lines: &[DocLine]) -> Result<(), AppError> {
    quotation_line::Entity::insert_many(lines.iter().enumerate().map(|(i, l)| {
        quotation_line::ActiveModel {
            id: Set(Uuid::now_v7()),
            quotation_id: Set(id),
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
        }
    }))
    .exec_without_returning(w.tx().await?)
    .await?;
    Ok(())
}

/// `updateQuotation`: changes a draft (its date, validity, rate, memo or all of its lines),
/// computed again; the version must be the one read (`CONFLICT` otherwise). Any other
/// status is `BUSINESS_RULE sales.quotation_status`.
pub async fn update(
    w: &Write<'_>,
    id: Uuid,
    changes: DraftChanges,
    valid_until: Option<NaiveDate>,
) -> Result<quotation::Model, AppError> {
    let before = write::find_for_write::<quotation::Entity>(w, id).await?;
    if before.status != QuotationStatus::Draft {
        return Err(wrong_status(&before, "edited"));
    }
    let date = changes.date.unwrap_or(before.quotation_date);
    let valid_until = valid_until.unwrap_or(before.valid_until);
    if valid_until < date {
        return Err(AppError::validation(
            "input.validUntil",
            "a quotation is valid until its date or later",
        ));
    }
    let version = changes.expected_version;
    let stored = stored_lines(w, id).await?;
    let (doc, memo) = reprepare::<quotation::Entity>(
        w,
        (
            before.customer_id,
            &before.currency,
            before.rate_micros,
            before.quotation_date,
        ),
        stored,
        changes,
        before.memo.clone(),
    )
    .await?;
    let t = &doc.totals;
    let row = quotation::ActiveModel {
        quotation_date: Set(date),
        valid_until: Set(valid_until),
        rate_micros: Set(doc.rate_micros),
        subtotal_minor: Set(t.net_minor),
        tax_minor: Set(t.tax_minor),
        rounding_minor: Set(t.rounding_minor),
        total_minor: Set(t.total_minor),
        memo: Set(memo),
        ..Default::default()
    };
    let after = write::update::<quotation::Entity>(w, &before, row, version, "update").await?;
    quotation_line::Entity::delete_many()
        .filter(quotation_line::Column::QuotationId.eq(id))
        .exec(w.tx().await?)
        .await?;
    insert_lines(w, id, &doc.lines).await?;
    Ok(after)
}

fn expired(q: &quotation::Model, today: NaiveDate) -> Result<(), AppError> {
    if q.valid_until < today {
        return Err(rule(
            "sales.quotation_expired",
            format!("the quotation was valid until {}", q.valid_until),
        ));
    }
    Ok(())
}

fn wrong_status(q: &quotation::Model, doing: &str) -> AppError {
    rule(
        "sales.quotation_status",
        format!(
            "the quotation is {}: it cannot be {doing}",
            q.status.to_value()
        ),
    )
}

/// `sendQuotation`: numbers a draft (`SQ-2026-000012`) and marks it sent. Sending a sent
/// quotation returns it unchanged.
pub async fn send(w: &Write<'_>, id: Uuid) -> Result<quotation::Model, AppError> {
    let before = write::find_for_write::<quotation::Entity>(w, id).await?;
    match before.status {
        QuotationStatus::Draft => {}
        QuotationStatus::Sent => return Ok(before),
        _ => return Err(wrong_status(&before, "sent")),
    }
    expired(&before, Utc::now().date_naive())?;
    let year = chrono::Datelike::year(&before.quotation_date);
    let n = numbering::next(w.tx().await?, SERIES, year).await?;
    let row = quotation::ActiveModel {
        number: Set(Some(numbering::format(SERIES, year, n))),
        status: Set(QuotationStatus::Sent),
        sent_at: Set(Some(Utc::now())),
        ..Default::default()
    };
    write::update::<quotation::Entity>(w, &before, row, before.version, "send").await
}

/// `acceptQuotation`: the customer accepts a sent quotation still valid today; its sales
/// order is made as a draft (its lines, prices and rate) on `date`. Accepting an accepted
/// quotation returns its order. Making the order needs `sales.order.write` as well.
pub async fn accept(
    w: &Write<'_>,
    id: Uuid,
    date: Option<NaiveDate>,
) -> Result<sales_order::Model, AppError> {
    let before = write::find_for_write::<quotation::Entity>(w, id).await?;
    match (before.status, before.sales_order_id) {
        (QuotationStatus::Sent, _) => {}
        (QuotationStatus::Accepted, Some(order)) => {
            return sales_order::Entity::find_by_id(order)
                .one(w.tx().await?)
                .await?
                .ok_or(AppError::NotFound {
                    entity: "sales_order",
                });
        }
        _ => return Err(wrong_status(&before, "accepted")),
    }
    let today = Utc::now().date_naive();
    expired(&before, today)?;
    let lines = stored_lines(w, before.id).await?;
    let order = orders::create(
        w,
        None,
        NewOrder {
            customer_id: before.customer_id,
            date: date.unwrap_or(today).max(before.quotation_date),
            currency: Some(before.currency.clone()),
            rate: Some(format_trimmed(before.rate_micros, MICRO_SCALE)),
            memo: before.memo.clone(),
            lines: lines.iter().map(|l| l.typed(l.quantity_micros)).collect(),
        },
    )
    .await?;
    let row = quotation::ActiveModel {
        status: Set(QuotationStatus::Accepted),
        sales_order_id: Set(Some(order.id)),
        ..Default::default()
    };
    write::update::<quotation::Entity>(w, &before, row, before.version, "accept").await?;
    Ok(order)
}

/// `rejectQuotation`: the customer turned a sent quotation down.
pub async fn reject(w: &Write<'_>, id: Uuid) -> Result<quotation::Model, AppError> {
    let before = write::find_for_write::<quotation::Entity>(w, id).await?;
    match before.status {
        QuotationStatus::Sent => {}
        QuotationStatus::Rejected => return Ok(before),
        _ => return Err(wrong_status(&before, "rejected")),
    }
    let row = quotation::ActiveModel {
        status: Set(QuotationStatus::Rejected),
        ..Default::default()
    };
    write::update::<quotation::Entity>(w, &before, row, before.version, "reject").await
}

/// `deleteQuotation`: removes a draft with its lines.
pub async fn delete_draft(w: &Write<'_>, id: Uuid) -> Result<quotation::Model, AppError> {
    let before = write::find_for_write::<quotation::Entity>(w, id).await?;
    if before.status != QuotationStatus::Draft {
        return Err(wrong_status(&before, "deleted"));
    }
    write::delete::<quotation::Entity>(w, &before).await?;
    Ok(before)
}

/// Most quotations one expiry run marks; the rest wait for the next run.
pub const EXPIRY_BATCH: u64 = 500;

/// Marks `EXPIRED` the sent quotations valid until before `today` (at most
/// [`EXPIRY_BATCH`]); returns how many.
pub async fn expire(w: &Write<'_>, today: NaiveDate) -> Result<usize, AppError> {
    let due = quotation::Entity::find()
        .filter(quotation::Column::Status.eq(QuotationStatus::Sent))
        .filter(quotation::Column::ValidUntil.lt(today))
        .order_by_asc(quotation::Column::ValidUntil)
        .limit(EXPIRY_BATCH)
        .all(w.tx().await?)
        .await?;
    for q in &due {
        let row = quotation::ActiveModel {
            status: Set(QuotationStatus::Expired),
            ..Default::default()
        };
        write::update::<quotation::Entity>(w, q, row, q.version, "expire").await?;
    }
    Ok(due.len())
}

/// Filter of the quotation list.
#[derive(Debug, Default)]
pub struct QuotationFilter {
    /// These statuses only.
    pub status: Vec<QuotationStatus>,
    /// One customer.
    pub customer_id: Option<Uuid>,
    /// One opportunity.
    pub opportunity_id: Option<Uuid>,
    /// Dated on or after.
    pub date_from: Option<NaiveDate>,
    /// Dated on or before.
    pub date_to: Option<NaiveDate>,
}

/// Quotations `access` may see (scope applied), filtered.
pub fn visible(
    access: &Access,
    filter: &QuotationFilter,
) -> Result<Select<quotation::Entity>, AppError> {
    let mut query = scoped::<quotation::Entity>(access)?;
    if !filter.status.is_empty() {
        query = query.filter(quotation::Column::Status.is_in(filter.status.iter().copied()));
    }
    if let Some(id) = filter.customer_id {
        query = query.filter(quotation::Column::CustomerId.eq(id));
    }
    if let Some(id) = filter.opportunity_id {
        query = query.filter(quotation::Column::OpportunityId.eq(id));
    }
    if let Some(date) = filter.date_from {
        query = query.filter(quotation::Column::QuotationDate.gte(date));
    }
    if let Some(date) = filter.date_to {
        query = query.filter(quotation::Column::QuotationDate.lte(date));
    }
    Ok(query)
}
