//! `leads`, `lead`, `createLead`, `updateLead`, `contactLead`, `qualifyLead`,
//! `disqualifyLead`, `convertLead`.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entities::crm::{lead, opportunity};
use entities::master::customer;

use crate::authz::Require;
use crate::authz::catalog::{LEAD_READ, LEAD_WRITE};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::edit::{edit_inputs, filter_input};
use crate::graphql::loaders::{load_failed, selects_on_nodes};
use crate::graphql::resolve::{by_id, list, mutations, queries, write};
use crate::graphql::scalars::MoneyInput;
use crate::graphql::{parse_id, parse_opt_id};
use crate::kit::read::{feed, prefetch};
use crate::modules::crm::graphql::types::{Lead, LeadStatus, Opportunity};
use crate::modules::crm::service::conversion::{self, ConvertInput};
use crate::modules::crm::service::leads::{self, Action, LeadFilter, LeadPatch};
use crate::modules::master::graphql::types::{Contact, Customer};

/// Lead queries.
#[derive(Default)]
pub struct LeadsQuery;

queries! { LeadsQuery, guard = "Require(LEAD_READ)";
    /// Leads you may see (a sales rep: their own), oldest first.
    list leads(
        #[graphql(desc = "Which leads.")] filter: Option<LeadFilterInput>,
    ) -> Lead |ctx, args| {
        let req = ctx.request()?;
        let filter = LeadFilterInput::service(filter).gql()?;
        let query = leads::visible(req.access().gql()?, &filter);
        let page = list(ctx, query, args, Lead).await?;
        let rows = || page.edges.iter().map(|e| &e.node.0);
        feed::<lead::Entity>(ctx, rows()).await;
        if selects_on_nodes(ctx, "customer") {
            prefetch::<customer::Entity>(ctx, rows().filter_map(|l| l.customer_id)).await?;
        }
        if selects_on_nodes(ctx, "opportunity") {
            prefetch::<opportunity::Entity>(ctx, rows().filter_map(|l| l.opportunity_id)).await?;
        }
        if selects_on_nodes(ctx, "owner") {
            let loaders = req.loaders().await.gql()?;
            let owners = rows().filter_map(|l| l.owner_id);
            crate::graphql::loaders::load_now(&loaders.identity.user_by_id, owners)
.await
                .map_err(load_failed)?;
        }
        Ok(page)
    }

    /// One lead, or `null` when it does not exist or you may not see it.
    field lead(
        #[graphql(desc = "The lead's id.")] id: ID,
    ) -> Option<Lead> |ctx| {
        Ok(by_id::<lead::Entity>(ctx, &id).await?.map(Lead))
    }
}

/// Lead mutations.
#[derive(Default)]
pub struct LeadsMutation;

mutations! { LeadsMutation => Lead, guard = "Require(LEAD_WRITE)", id = "The lead's id.";
    /// Creates a lead. Repeating it with the same `id` and content returns the same lead.
    create create_lead(CreateLeadInput) |w, id, content| leads::create(w, id, content);
    /// Changes the fields you give of an open lead (omitted: unchanged, `null`: cleared). A
    /// stale `expectedVersion` is a `CONFLICT`; a converted or disqualified lead is a
    /// `BUSINESS_RULE` error.
    update update_lead(UpdateLeadInput) |w, id, patch, version| leads::update(w, id, patch, version);
    /// Records a first contact with a new lead.
    by_id contact_lead() |w, id| leads::advance(w, id, Action::Contact, None);
    /// Judges a lead worth pursuing.
    by_id qualify_lead() |w, id| leads::advance(w, id, Action::Qualify, None);
    /// Judges a lead not worth pursuing.
    by_id disqualify_lead(#[graphql(desc = "Why.")] reason: Option<String>) |w, id| leads::advance(w, id, Action::Disqualify, reason);
}

/// Lead conversion (a field of its own: it returns more than the lead).
#[derive(Default)]
pub struct LeadConversionMutation;

#[Object]
impl LeadConversionMutation {
    /// Turns a lead into a customer (new, or the one given), a contact and an opportunity, in
    /// one transaction. Customers with the lead's email or tax id come back as possible
    /// duplicates.
    #[graphql(guard = "Require(LEAD_WRITE)")]
    async fn convert_lead(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The lead's id.")] id: ID,
        #[graphql(default)] input: ConvertLeadInput,
    ) -> Result<ConvertLeadPayload> {
        let id = parse_id(&id, "id").gql()?;
        let convert = ConvertInput {
            customer_id: parse_opt_id(input.customer_id.as_ref(), "input.customerId").gql()?,
            currency: input.amount.as_ref().map(|m| m.currency.clone()),
            amount: input.amount.as_ref().map(|m| m.amount.as_str().to_owned()),
            stage_id: parse_opt_id(input.stage_id.as_ref(), "input.stageId").gql()?,
        };
        let done = write(ctx, |w| Box::pin(conversion::convert(w, id, convert))).await?;
        Ok(ConvertLeadPayload {
            lead: Lead(done.lead),
            customer: Customer(done.customer),
            contact: Contact(done.contact),
            opportunity: Opportunity(done.opportunity),
            possible_duplicates: done.possible_duplicates.into_iter().map(Customer).collect(),
        })
    }
}

filter_input! {
    /// Which leads `leads` lists.
    LeadFilterInput => LeadFilter;
    /// Only these statuses.
    any status: LeadStatus;
    /// Part of the title, company, contact or email.
    one search: String;
    /// One owner's leads.
    one owner_id: ID;
}

edit_inputs! {
    /// Input of `createLead`.
    create CreateLeadInput,
    /// A lead's details.
    fields LeadFields,
    /// Input of `updateLead`: the fields to change (omitted: unchanged, `null`: cleared) and the
    /// version you last read.
    update UpdateLeadInput => LeadPatch;
    /// What the lead is about.
    required title: String => title;
    /// Company.
    optional company_name: String => company_name;
    /// Person.
    required contact_name: String => contact_name;
    /// Email.
    optional email: String => email;
    /// Phone.
    optional phone: String => phone;
    /// Tax id of the company.
    optional tax_id: String => tax_id;
    /// Where the lead came from.
    optional source: String => source;
    /// Owner (omitted on create, or `null`: you; a sales rep can only own their leads).
    optional owner_id: ID => owner_id;
}

/// Input of `convertLead`.
#[derive(InputObject, Default)]
pub struct ConvertLeadInput {
    /// Link this existing customer instead of creating one.
    pub customer_id: Option<ID>,
    /// Amount of the opportunity (default 0 in the base currency).
    pub amount: Option<MoneyInput>,
    /// Stage of the opportunity (default: the first).
    pub stage_id: Option<ID>,
}

/// What `convertLead` made.
pub struct ConvertLeadPayload {
    lead: Lead,
    customer: Customer,
    contact: Contact,
    opportunity: Opportunity,
    possible_duplicates: Vec<Customer>,
}

/// What `convertLead` made.
#[Object]
impl ConvertLeadPayload {
    /// The converted lead.
    async fn lead(&self) -> &Lead {
        &self.lead
    }
    /// The customer created or linked.
    async fn customer(&self) -> &Customer {
        &self.customer
    }
    /// The contact added to the customer.
    async fn contact(&self) -> &Contact {
        &self.contact
    }
    /// The opportunity opened.
    async fn opportunity(&self) -> &Opportunity {
        &self.opportunity
    }
    /// Existing customers with the lead's email or tax id: possible duplicates to review.
    async fn possible_duplicates(&self) -> &[Customer] {
        &self.possible_duplicates
    }
}
