//! GraphQL face of the CRM, merged into [`CrmQuery`], [`CrmMutation`] and
//! [`changes::CrmSubscription`].

pub mod activities;
pub mod changes;
pub mod leads;
pub mod opportunities;
pub mod pipeline;
pub mod types;

use async_graphql::MergedObject;

/// Queries of the CRM.
#[derive(MergedObject, Default)]
pub struct CrmQuery(
    pipeline::PipelineQuery,
    leads::LeadsQuery,
    opportunities::OpportunitiesQuery,
    activities::ActivitiesQuery,
);

/// Mutations of the CRM.
#[derive(MergedObject, Default)]
pub struct CrmMutation(
    pipeline::PipelineMutation,
    leads::LeadsMutation,
    leads::LeadConversionMutation,
    opportunities::OpportunitiesMutation,
    activities::ActivitiesMutation,
);
