//! `contacts`, `createContact`, `updateContact`: people at customers and suppliers.

use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::authz::catalog::{CUSTOMER_READ, CUSTOMER_WRITE};
use crate::authz::{Require, SignedIn};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::edit::edit_inputs;
use crate::graphql::resolve::{list, queries, write};
use crate::graphql::{parse_id, parse_opt_id};
use crate::modules::master::graphql::types::Contact;
use crate::modules::master::service::contacts::{self, ContactPatch};

/// Contact queries.
#[derive(Default)]
pub struct ContactsQuery;

queries! { ContactsQuery, guard = "Require(CUSTOMER_READ)";
    /// Contacts of customers (or of one supplier), oldest first.
    list contacts(
        #[graphql(desc = "Only this customer's contacts.")] customer_id: Option<ID>,
        #[graphql(desc = "This supplier's contacts (needs `master.supplier.read`) instead.")]
        supplier_id: Option<ID>,
    ) -> Contact |ctx, args| {
        let req = ctx.request()?;
        let customer_id = parse_opt_id(customer_id.as_ref(), "customerId").gql()?;
        let supplier_id = parse_opt_id(supplier_id.as_ref(), "supplierId").gql()?;
        let query = contacts::visible(req.access().gql()?, customer_id, supplier_id);
        list(ctx, query, args, Contact).await
    }
}

/// Contact mutations.
#[derive(Default)]
pub struct ContactsMutation;

#[Object]
impl ContactsMutation {
    /// Adds a contact to a customer or a supplier (give exactly one of the two).
    #[graphql(guard = "SignedIn")]
    async fn create_contact(
        &self,
        ctx: &Context<'_>,
        input: CreateContactInput,
    ) -> Result<Contact> {
        let req = ctx.request()?;
        let customer_id = parse_opt_id(input.customer_id.as_ref(), "input.customerId").gql()?;
        let supplier_id = parse_opt_id(input.supplier_id.as_ref(), "input.supplierId").gql()?;
        let w = req.write().await.gql()?;
        let content = input.content.into_service().gql()?;
        let row = match (customer_id, supplier_id) {
            (Some(c), None) => contacts::create_contact(&w, c, content).await,
            (None, Some(s)) => contacts::create_supplier_contact(&w, s, content).await,
            _ => Err(crate::error::AppError::validation(
                "input",
                "give exactly one of customerId and supplierId",
            )),
        }
        .gql()?;
        w.commit().await.gql()?;
        Ok(Contact(row))
    }

    /// Changes the fields you give of a contact (omitted: unchanged, `null`: cleared). A stale
    /// `expectedVersion` is a `CONFLICT`.
    #[graphql(guard = "Require(CUSTOMER_WRITE)")]
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contact's id.")] id: ID,
        input: UpdateContactInput,
    ) -> Result<Contact> {
        let id = parse_id(&id, "id").gql()?;
        let expected_version = input.expected_version;
        let patch = input.into_service().gql()?;
        let row = write(ctx, |w| {
            Box::pin(contacts::update_contact(w, id, patch, expected_version))
        })
        .await?;
        Ok(Contact(row))
    }
}

edit_inputs! {
    /// A contact's details.
    fields ContactFields,
    /// Input of `updateContact`: the fields to change (omitted: unchanged, `null`: cleared) and
    /// the version you last read.
    update UpdateContactInput => ContactPatch;
    /// Name.
    required name: String => name;
    /// Email.
    optional email: String => email;
    /// Phone.
    optional phone: String => phone;
    /// Job title.
    optional job_title: String => job_title;
}

/// Input of `createContact`.
#[derive(InputObject)]
pub struct CreateContactInput {
    /// The customer the contact works at.
    pub customer_id: Option<ID>,
    /// Or the supplier the contact works at.
    pub supplier_id: Option<ID>,
    /// The details.
    #[graphql(flatten)]
    pub content: ContactFields,
}
