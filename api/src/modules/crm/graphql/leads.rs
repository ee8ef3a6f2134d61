//! `leads`, `lead`, `createLead`, `updateLead`, `contactLead`, `qualifyLead`,
//! `disqualifyLead`, `convertLead`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use entities::crm::{lead, opportunity};
use entities::master::customer;

use crate::authz::Require;
use crate::authz::catalog::{LEAD_READ, LEAD_WRITE};
use crate::error::GqlResult;
use crate::graphql::connection::{Page, PageArgs};
use crate::graphql::context::ContextExt;
use crate::graphql::loaders::{load_failed, selects_on_nodes};
use crate::graphql::pagination::list_complexity;
use crate::graphql::resolve::{by_id, list, write};
use crate::graphql::scalars::MoneyInput;
use crate::graphql::{parse_id, patch, patch_id};
use crate::kit::read::{feed, prefetch};
use crate::modules::crm::graphql::types::{Lead, LeadStatus, Opportunity};
use crate::modules::crm::service::conversion::{self, ConvertInput};
use crate::modules::crm::service::leads::{self, Action, LeadFilter, LeadInput, LeadPatch};
use crate::modules::master::graphql::types::{Contact, Customer};

/// Lead queries.
#[derive(Default)]
pub struct LeadsQuery;

#[Object]
impl LeadsQuery {
    /// Leads you may see (a sales rep: their own), oldest first.
    #[graphql(
        guard = "Require(LEAD_READ)",
        complexity = "list_complexity(child_complexity, first, last)"
    )]
    async fn leads(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
        #[graphql(desc = "Which leads.")] filter: Option<LeadFilterInput>,
    ) -> Result<Page<Lead>> {
        let req = ctx.request()?;
        let filter = match filter {
            None => LeadFilter::default(),
            Some(f) => LeadFilter {
                status: f.status.iter().map(|s| (*s).into()).collect(),
                search: f.search,
                owner_id: f
                    .owner_id
                    .as_ref()
                    .map(|id| parse_id(id, "filter.ownerId"))
                    .transpose()
                    .gql()?,
            },
        };
        let query = leads::visible(req.access().gql()?, &filter);
        let args = PageArgs::new(ctx, first, after, last, before);
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
            loaders
                .identity
                .user_by_id
                .load_many(owners)
                .await
                .map_err(load_failed)?;
        }
        Ok(page)
    }

    /// One lead, or `null` when it does not exist or you may not see it.
    #[graphql(guard = "Require(LEAD_READ)")]
    async fn lead(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The lead's id.")] id: ID,
    ) -> Result<Option<Lead>> {
        Ok(by_id::<lead::Entity>(ctx, &id).await?.map(Lead))
    }
}

/// Lead mutations.
#[derive(Default)]
pub struct LeadsMutation;

#[Object]
impl LeadsMutation {
    /// Creates a lead. Repeating it with the same `id` and content returns the same lead.
    #[graphql(guard = "Require(LEAD_WRITE)")]
    async fn create_lead(&self, ctx: &Context<'_>, input: CreateLeadInput) -> Result<Lead> {
        let id = input
            .id
            .as_ref()
            .map(|id| parse_id(id, "input.id"))
            .transpose()
            .gql()?;
        let owner_id = input
            .owner_id
            .as_ref()
            .map(|id| parse_id(id, "input.ownerId"))
            .transpose()
            .gql()?;
        let content = LeadInput {
            title: input.title,
            company_name: input.company_name,
            contact_name: input.contact_name,
            email: input.email,
            phone: input.phone,
            tax_id: input.tax_id,
            source: input.source,
            owner_id,
        };
        let row = write(ctx, |w| Box::pin(leads::create(w, id, content))).await?;
        Ok(Lead(row))
    }

    /// Changes the fields you give of an open lead (omitted: unchanged, `null`: cleared). A
    /// stale `expectedVersion` is a `CONFLICT`; a converted or disqualified lead is a
    /// `BUSINESS_RULE` error.
    #[graphql(guard = "Require(LEAD_WRITE)")]
    async fn update_lead(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The lead's id.")] id: ID,
        input: UpdateLeadInput,
    ) -> Result<Lead> {
        let id = parse_id(&id, "id").gql()?;
        let expected_version = input.expected_version;
        let patch = input.into_service().gql()?;
        let row = write(ctx, |w| {
            Box::pin(leads::update(w, id, patch, expected_version))
        })
        .await?;
        Ok(Lead(row))
    }

    /// Records a first contact with a new lead.
    #[graphql(guard = "Require(LEAD_WRITE)")]
    async fn contact_lead(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The lead's id.")] id: ID,
    ) -> Result<Lead> {
        advance(ctx, &id, Action::Contact, None).await
    }

    /// Judges a lead worth pursuing.
    #[graphql(guard = "Require(LEAD_WRITE)")]
    async fn qualify_lead(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The lead's id.")] id: ID,
    ) -> Result<Lead> {
        advance(ctx, &id, Action::Qualify, None).await
    }

    /// Judges a lead not worth pursuing.
    #[graphql(guard = "Require(LEAD_WRITE)")]
    async fn disqualify_lead(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The lead's id.")] id: ID,
        #[graphql(desc = "Why.")] reason: Option<String>,
    ) -> Result<Lead> {
        advance(ctx, &id, Action::Disqualify, reason).await
    }

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
            customer_id: input
                .customer_id
                .as_ref()
                .map(|id| parse_id(id, "input.customerId"))
                .transpose()
                .gql()?,
            currency: input.amount.as_ref().map(|m| m.currency.clone()),
            amount: input.amount.as_ref().map(|m| m.amount.as_str().to_owned()),
            stage_id: input
                .stage_id
                .as_ref()
                .map(|id| parse_id(id, "input.stageId"))
                .transpose()
                .gql()?,
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

async fn advance(
    ctx: &Context<'_>,
    id: &ID,
    action: Action,
    reason: Option<String>,
) -> Result<Lead> {
    let id = parse_id(id, "id").gql()?;
    let row = write(ctx, |w| Box::pin(leads::advance(w, id, action, reason))).await?;
    Ok(Lead(row))
}

/// Which leads `leads` lists.
#[derive(InputObject)]
pub struct LeadFilterInput {
    /// Only these statuses.
    #[graphql(default)]
    pub status: Vec<LeadStatus>,
    /// Part of the title, company, contact or email.
    pub search: Option<String>,
    /// One owner's leads.
    pub owner_id: Option<ID>,
}

/// Input of `createLead`.
#[derive(InputObject)]
pub struct CreateLeadInput {
    /// Optional client-generated id (UUID) making the create idempotent.
    pub id: Option<ID>,
    /// What the lead is about.
    pub title: String,
    /// Company.
    pub company_name: Option<String>,
    /// Person.
    pub contact_name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Tax id of the company.
    pub tax_id: Option<String>,
    /// Where the lead came from.
    pub source: Option<String>,
    /// Owner (default: you; a sales rep can only own their leads).
    pub owner_id: Option<ID>,
}

/// Input of `updateLead`: the fields to change (omitted: unchanged, `null`: cleared) and the
/// version you last read.
#[derive(InputObject)]
pub struct UpdateLeadInput {
    /// What the lead is about.
    pub title: Option<String>,
    /// Company.
    pub company_name: MaybeUndefined<String>,
    /// Person.
    pub contact_name: Option<String>,
    /// Email.
    pub email: MaybeUndefined<String>,
    /// Phone.
    pub phone: MaybeUndefined<String>,
    /// Tax id of the company.
    pub tax_id: MaybeUndefined<String>,
    /// Where the lead came from.
    pub source: MaybeUndefined<String>,
    /// Owner (`null`: you; a sales rep can only own their leads).
    pub owner_id: MaybeUndefined<ID>,
    /// The `version` you last read.
    pub expected_version: i32,
}

impl UpdateLeadInput {
    fn into_service(self) -> Result<LeadPatch, crate::error::AppError> {
        Ok(LeadPatch {
            title: self.title,
            company_name: patch(self.company_name),
            contact_name: self.contact_name,
            email: patch(self.email),
            phone: patch(self.phone),
            tax_id: patch(self.tax_id),
            source: patch(self.source),
            owner_id: patch_id(self.owner_id, "input.ownerId")?,
        })
    }
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
