//! Lead conversion: creates (or links) the customer, adds the contact and opens an
//! opportunity, all in one transaction: a failure anywhere leaves no customer, no opportunity
//! and the lead unconverted. Customers with the lead's email or tax id are reported as
//! possible duplicates. The lead's change is a versioned update audited as `convert`.

use chrono::Utc;
use entities::crm::lead;
use entities::master::{contact, customer};
use sea_orm::{ColumnTrait, Condition, QueryFilter, Set};
use uuid::Uuid;

use crate::error::AppError;
use crate::kit::edit;
use crate::kit::{self, Write, write};
use crate::modules::crm::service::leads::{Action, LeadLifecycle};
use crate::modules::crm::service::opportunities::{self, OpportunityPatch};
use crate::modules::master::service::contacts::{self, ContactPatch};
use crate::modules::master::service::customers::CustomerPatch;
use crate::modules::master::service::party::PartyPatch;
use crate::modules::master::service::reference::base_currency;
use crate::money::Money;

/// What conversion asks for beyond the lead itself.
#[derive(Debug, Default)]
pub struct ConvertInput {
    /// Link this existing customer instead of creating one.
    pub customer_id: Option<Uuid>,
    /// Currency of a new customer and of the opportunity (default: the base currency).
    pub currency: Option<String>,
    /// Opportunity amount (default 0).
    pub amount: Option<String>,
    /// Opportunity stage (default: the first).
    pub stage_id: Option<Uuid>,
}

/// The result of a conversion.
pub struct Converted {
    /// The converted lead.
    pub lead: lead::Model,
    /// The customer created or linked.
    pub customer: customer::Model,
    /// The contact added.
    pub contact: contact::Model,
    /// The opportunity opened.
    pub opportunity: entities::crm::opportunity::Model,
    /// Existing customers with the lead's email or tax id (other than the one linked).
    pub possible_duplicates: Vec<customer::Model>,
}

/// Converts a lead in one transaction.
pub async fn convert(w: &Write<'_>, id: Uuid, input: ConvertInput) -> Result<Converted, AppError> {
    let txn = w.tx().await?;
    let lead = write::find_for_write::<lead::Entity>(w, id).await?;
    let converted = lead.status.after(Action::Convert)?;

    let mut duplicates = Condition::any();
    if let Some(email) = &lead.email {
        duplicates = duplicates.add(customer::Column::Email.eq(email.as_str()));
    }
    if let Some(tax_id) = &lead.tax_id {
        duplicates = duplicates.add(customer::Column::TaxId.eq(tax_id.as_str()));
    }
    let mut possible_duplicates = if lead.email.is_some() || lead.tax_id.is_some() {
        // Only customers the caller may see: a duplicate must not reveal another rep's.
        kit::resource::visible::<customer::Entity>(w.access())?
            .filter(duplicates)
            .all(txn)
            .await?
    } else {
        Vec::new()
    };
    let currency = match input.currency {
        Some(c) => c,
        None => base_currency(txn).await?,
    };
    let customer = match input.customer_id {
        Some(cid) => write::reference_row::<customer::Entity>(w, cid, "input.customerId").await?,
        None => {
            edit::create::<customer::Entity>(
                w,
                None,
                CustomerPatch {
                    party: PartyPatch {
                        name: Some(
                            lead.company_name
                                .clone()
                                .unwrap_or_else(|| lead.contact_name.clone()),
                        ),
                        tax_id: Some(lead.tax_id.clone()),
                        email: Some(lead.email.clone()),
                        phone: Some(lead.phone.clone()),
                        owner_id: Some(lead.owner_id),
                        payment_term_id: None,
                    },
                    currency: Some(currency.clone()),
                    ..Default::default()
                },
            )
            .await?
        }
    };
    possible_duplicates.retain(|d| d.id != customer.id);
    let contact = contacts::create_contact(
        w,
        customer.id,
        ContactPatch {
            name: Some(lead.contact_name.clone()),
            email: Some(lead.email.clone()),
            phone: Some(lead.phone.clone()),
            job_title: None,
        },
    )
    .await?;
    let opportunity = opportunities::create(
        w,
        None,
        OpportunityPatch {
            title: Some(lead.title.clone()),
            customer_id: Some(customer.id),
            amount: Some(Money {
                amount: input.amount.unwrap_or_else(|| "0".into()),
                currency,
            }),
            stage_id: input.stage_id,
            owner_id: Some(lead.owner_id),
            expected_close_date: None,
        },
        Some(lead.id),
    )
    .await?;
    let row = lead::ActiveModel {
        status: Set(converted),
        customer_id: Set(Some(customer.id)),
        opportunity_id: Set(Some(opportunity.id)),
        converted_at: Set(Some(Utc::now())),
        ..Default::default()
    };
    let lead =
        write::update::<lead::Entity>(w, &lead, row, lead.version, Action::Convert.name()).await?;
    Ok(Converted {
        lead,
        customer,
        contact,
        opportunity,
        possible_duplicates,
    })
}
