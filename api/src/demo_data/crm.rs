//! The demo data set's CRM part: leads through their lifecycle, opportunities won, lost and
//! open, activities on them (see the parent module for the whole set).

use super::*;

impl Ctx<'_> {
    /// 300 leads spread over the sellers: new, contacted, qualified, disqualified, and 20
    /// converted (each from a different company).
    pub(super) async fn leads(
        &mut self,
        sellers: &[Uuid; 4],
        product_names: &[String],
        stage_ids: &[Uuid],
    ) -> Result<(), AppError> {
        let companies = LEAD_PREFIXES.len() * TRADES.len();
        let order = self.rng.permutation(companies);
        for i in 0..LEADS {
            let pair = order[i % companies];
            let company = format!(
                "{} {}",
                LEAD_PREFIXES[pair / TRADES.len()],
                TRADES[pair % TRADES.len()]
            );
            let first = *self.rng.pick(FIRST_NAMES);
            let last = *self.rng.pick(LAST_NAMES);
            let topic = *self.rng.pick(LEAD_TOPICS);
            let product = self.rng.pick(product_names).clone();
            let has_company = self.rng.chance(90);
            let input = LeadPatch {
                title: Some(format!("{topic}: {product}")),
                company_name: Some(has_company.then(|| company.clone())),
                contact_name: Some(format!("{first} {last}")),
                email: Some(Some(format!(
                    "{}.{}@{}.example",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    domain(&company)
                ))),
                phone: Some(Some(format!(
                    "+1 555 03{:02} {:04}",
                    self.rng.range(0, 99),
                    self.rng.range(0, 9999)
                ))),
                tax_id: Some(None),
                source: Some(Some((*self.rng.pick(LEAD_SOURCES)).to_owned())),
                owner_id: Some(Some(*self.rng.pick(sellers))),
            };
            let w = self.write().await?;
            let lead = leads::create(&w, None, input).await?;
            w.commit().await?;
            self.counts.leads += 1;
            // 20 conversions, all within the first pass over the companies (distinct ones).
            if i < companies && i % 9 == 4 {
                self.advance(lead.id, Action::Contact, None).await?;
                self.advance(lead.id, Action::Qualify, None).await?;
                let amount = money(self.rng.range(10, 400) * 10_000);
                let stage = *self.rng.pick(&stage_ids[..stage_ids.len().min(2)]);
                let w = self.write().await?;
                conversion::convert(
                    &w,
                    lead.id,
                    ConvertInput {
                        amount: Some(amount),
                        stage_id: Some(stage),
                        ..Default::default()
                    },
                )
                .await?;
                w.commit().await?;
                self.counts.converted_leads += 1;
                self.counts.customers += 1;
                self.counts.contacts += 1;
                self.counts.opportunities += 1;
                continue;
            }
            let roll = self.rng.below(100);
            if roll < 30 {
                // Stays new.
            } else if roll < 60 {
                self.advance(lead.id, Action::Contact, None).await?;
            } else if roll < 85 {
                if self.rng.chance(70) {
                    self.advance(lead.id, Action::Contact, None).await?;
                }
                self.advance(lead.id, Action::Qualify, None).await?;
            } else {
                if self.rng.chance(50) {
                    self.advance(lead.id, Action::Contact, None).await?;
                }
                let reason = (*self.rng.pick(DISQUALIFY_REASONS)).to_owned();
                self.advance(lead.id, Action::Disqualify, Some(reason))
                    .await?;
            }
        }
        Ok(())
    }

    async fn advance(
        &self,
        id: Uuid,
        action: Action,
        reason: Option<String>,
    ) -> Result<(), AppError> {
        let w = self.write().await?;
        leads::advance(&w, id, action, reason).await?;
        w.commit().await
    }

    /// 150 opportunities, each with 1-4 activities; 15 won and 15 lost.
    pub(super) async fn opportunities(
        &mut self,
        customers: &[Customer],
        product_names: &[String],
        stage_ids: &[Uuid],
    ) -> Result<(), AppError> {
        let first_close = NaiveDate::from_ymd_opt(2026, 12, 1).ok_or_else(|| internal("date"))?;
        let first_due = first_close
            .and_hms_opt(9, 0, 0)
            .ok_or_else(|| internal("time"))?
            .and_utc();
        for i in 0..OPPORTUNITIES {
            let customer = self.rng.pick(customers);
            let (customer_id, currency, owner) = (customer.id, customer.currency, customer.owner);
            let product = self.rng.pick(product_names).clone();
            let kind = *self.rng.pick(DEAL_KINDS);
            // 500.00 to 120,000.00 in steps of 50.00.
            let amount = money(self.rng.range(10, 2_400) * 5_000);
            let stage = *self.rng.pick(stage_ids);
            let close_in = u64::try_from(self.rng.range(0, 180)).unwrap_or(0);
            let w = self.write().await?;
            let opportunity = opportunities::create(
                &w,
                None,
                OpportunityPatch {
                    title: Some(format!("{product} {kind}")),
                    customer_id: Some(customer_id),
                    amount: Some(Money {
                        amount,
                        currency: currency.to_owned(),
                    }),
                    stage_id: Some(stage),
                    owner_id: Some(Some(owner)),
                    expected_close_date: Some(first_close.checked_add_days(Days::new(close_in))),
                },
                None,
            )
            .await?;
            w.commit().await?;
            self.counts.opportunities += 1;
            let outcome = match i % 10 {
                3 => Some(true),
                8 => Some(false),
                _ => None,
            };
            self.activities(opportunity.id, owner, first_due, outcome.is_some())
                .await?;
            if let Some(won) = outcome {
                let reason = (!won).then(|| (*self.rng.pick(LOST_REASONS)).to_owned());
                let w = self.write().await?;
                if won {
                    opportunities::win(&w, opportunity.id).await?;
                } else {
                    opportunities::lose(&w, opportunity.id, reason).await?;
                }
                w.commit().await?;
                if won {
                    self.counts.won += 1;
                } else {
                    self.counts.lost += 1;
                }
            }
        }
        Ok(())
    }

    /// 1-4 activities on `opportunity`, assigned to `owner`; all done when it is `closed`,
    /// otherwise about a third.
    async fn activities(
        &mut self,
        opportunity: Uuid,
        owner: Uuid,
        first_due: DateTime<Utc>,
        closed: bool,
    ) -> Result<(), AppError> {
        for _ in 0..1 + self.rng.below(4) {
            let (kind, subjects) = *self.rng.pick(ACTIVITIES);
            let subject = (*self.rng.pick(subjects)).to_owned();
            let notes = self
                .rng
                .chance(40)
                .then(|| (*self.rng.pick(ACTIVITY_NOTES)).to_owned());
            let due_at = TimeDelta::try_hours(self.rng.range(-30 * 24, 60 * 24))
                .and_then(|d| first_due.checked_add_signed(d));
            let w = self.write().await?;
            let activity = activities::create(
                &w,
                ActivityInput {
                    kind,
                    subject,
                    notes,
                    due_at,
                    assignee_id: Some(owner),
                    opportunity_id: Some(opportunity),
                    lead_id: None,
                    customer_id: None,
                },
            )
            .await?;
            w.commit().await?;
            self.counts.activities += 1;
            if closed || self.rng.chance(35) {
                let w = self.write().await?;
                activities::complete(&w, activity.id).await?;
                w.commit().await?;
                self.counts.completed_activities += 1;
            }
        }
        Ok(())
    }
}
