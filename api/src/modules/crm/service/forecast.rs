//! The weighted pipeline forecast: open opportunities the caller may see, converted into the
//! base currency at the rate valid on the forecast date, weighted by their stage's
//! probability, per stage and per owner.
//!
//! Exactness: each amount is converted once (half up, to base minor units); weighting keeps
//! micro precision and each total is rounded once at the end (half up). So the forecast equals
//! a hand computation done the same way.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entities::crm::{opportunity, pipeline_stage};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::authz::Access;
use crate::error::AppError;
use crate::modules::crm::service::opportunities::{self, OpportunityFilter};
use crate::modules::master::service::reference::{base_currency, currency_digits_on, rate_on};
use crate::money::{MICRO_SCALE, convert_minor, round_half_up};

/// A group of the forecast.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    /// Opportunities in it.
    pub count: u64,
    /// Σ amount, base minor units.
    pub amount_minor: i128,
    /// Σ amount × probability, base minor units (rounded once).
    pub weighted_minor: i128,
}

/// The forecast.
#[derive(Debug, Clone)]
pub struct Forecast {
    /// Base currency.
    pub currency: String,
    /// Its minor digits.
    pub digits: u32,
    /// All open opportunities.
    pub total: Line,
    /// Per stage, in pipeline order.
    pub by_stage: Vec<(pipeline_stage::Model, Line)>,
    /// Per owner (`None`: unowned).
    pub by_owner: Vec<(Option<Uuid>, Line)>,
}

#[derive(Default)]
struct Acc {
    count: u64,
    amount: i128,
    /// Σ amount × probability, at scale digits + 6.
    weighted: i128,
}

impl Acc {
    fn add(&mut self, amount: i128, probability: i64) {
        self.count += 1;
        self.amount += amount;
        self.weighted += amount * i128::from(probability);
    }

    /// Totals in `i128`: amounts are bounded by `money::MAX_SCALED`, so no tenant can hold
    /// enough opportunities to overflow them.
    fn line(&self) -> Line {
        Line {
            count: self.count,
            amount_minor: self.amount,
            weighted_minor: round_half_up(self.weighted, MICRO_SCALE, 0),
        }
    }
}

/// The forecast on `as_of` for what `access` may see.
pub async fn forecast<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    as_of: NaiveDate,
) -> Result<Forecast, AppError> {
    let filter = OpportunityFilter {
        status: vec![opportunity::OpportunityStatus::Open],
        ..Default::default()
    };
    let rows = opportunities::visible(access, &filter)?.all(db).await?;
    let stages = pipeline_stage::Entity::find().all(db).await?;
    let base = base_currency(db).await?;
    let (base, digits) = currency_digits_on(db, &base, "baseCurrency").await?;
    let mut rates: BTreeMap<String, (i64, u32)> = BTreeMap::new();
    let (mut total, mut by_stage, mut by_owner) = (
        Acc::default(),
        BTreeMap::<Uuid, Acc>::new(),
        BTreeMap::<Option<Uuid>, Acc>::new(),
    );
    for o in rows {
        let amount = if o.currency == base {
            i128::from(o.amount_minor)
        } else {
            if !rates.contains_key(&o.currency) {
                let rate = rate_on(db, &o.currency, as_of).await?.ok_or_else(|| {
                    AppError::BusinessRule {
                        rule: "crm.forecast_missing_rate",
                        message: format!(
                            "no {} rate on or before {as_of}; set one with setExchangeRate",
                            o.currency
                        ),
                    }
                })?;
                let (_, from_digits) = currency_digits_on(db, &o.currency, "currency").await?;
                rates.insert(o.currency.clone(), (rate, from_digits));
            }
            let (rate, from_digits) = rates[&o.currency];
            convert_minor(o.amount_minor, from_digits, digits, rate)
        };
        let probability = stages
            .iter()
            .find(|s| s.id == o.stage_id)
            .map_or(0, |s| s.probability_micros);
        total.add(amount, probability);
        by_stage
            .entry(o.stage_id)
            .or_default()
            .add(amount, probability);
        by_owner
            .entry(o.owner_id)
            .or_default()
            .add(amount, probability);
    }
    let mut stage_lines = Vec::new();
    let mut ordered = stages.clone();
    ordered.sort_by_key(|s| (s.position, s.id));
    for stage in ordered {
        if let Some(acc) = by_stage.get(&stage.id) {
            stage_lines.push((stage, acc.line()));
        }
    }
    let owner_lines = by_owner
        .iter()
        .map(|(owner, acc)| (*owner, acc.line()))
        .collect();
    Ok(Forecast {
        currency: base,
        digits,
        total: total.line(),
        by_stage: stage_lines,
        by_owner: owner_lines,
    })
}
