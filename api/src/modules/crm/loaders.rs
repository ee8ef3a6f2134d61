//! DataLoaders of the CRM, built per request (see `crate::graphql::loaders`): the one-to-many
//! relations. Rows by id (leads, opportunities, stages) come from the kit's generic loader
//! (`crate::kit::read`).

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entities::crm::{activity, opportunity};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::loaders::{LoadError, spawner};

/// The request's CRM loaders.
pub struct CrmLoaders {
    /// The activities of an opportunity (unscoped; resolvers apply the caller's scope).
    pub activities_by_opportunity_id: DataLoader<ActivitiesByOpportunityIdLoader, HashMapCache>,
    /// The opportunities of a customer (unscoped; resolvers apply the caller's scope).
    pub opportunities_by_customer_id: DataLoader<OpportunitiesByCustomerIdLoader, HashMapCache>,
}

impl CrmLoaders {
    /// Loaders on `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            activities_by_opportunity_id: DataLoader::with_cache(
                ActivitiesByOpportunityIdLoader(db.clone()),
                spawner(),
                HashMapCache::default(),
            ),
            opportunities_by_customer_id: DataLoader::with_cache(
                OpportunitiesByCustomerIdLoader(db),
                spawner(),
                HashMapCache::default(),
            ),
        }
    }
}

/// Opportunity id → its activities, oldest first.
pub struct ActivitiesByOpportunityIdLoader(DatabaseConnection);

impl Loader<Uuid> for ActivitiesByOpportunityIdLoader {
    type Value = Vec<activity::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut out: HashMap<Uuid, Vec<activity::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        let rows = activity::Entity::find()
            .filter(activity::Column::OpportunityId.is_in(keys.iter().copied()))
            .order_by_asc(activity::Column::Id)
            .all(&self.0)
            .await
            .map_err(AppError::from)?;
        for row in rows {
            if let Some(list) = row.opportunity_id.and_then(|id| out.get_mut(&id)) {
                list.push(row);
            }
        }
        Ok(out)
    }
}

/// Customer id → its opportunities, oldest first.
pub struct OpportunitiesByCustomerIdLoader(DatabaseConnection);

impl Loader<Uuid> for OpportunitiesByCustomerIdLoader {
    type Value = Vec<opportunity::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut out: HashMap<Uuid, Vec<opportunity::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        let rows = opportunity::Entity::find()
            .filter(opportunity::Column::CustomerId.is_in(keys.iter().copied()))
            .order_by_asc(opportunity::Column::Id)
            .all(&self.0)
            .await
            .map_err(AppError::from)?;
        for row in rows {
            if let Some(list) = out.get_mut(&row.customer_id) {
                list.push(row);
            }
        }
        Ok(out)
    }
}
