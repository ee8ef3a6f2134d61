//! DataLoaders of master data, built per request (see `crate::graphql::loaders`). Rows by id
//! (suppliers, products, tax rates, payment terms, categories) go through the kit's generic
//! loader (`crate::kit::read`), which applies the resources' read rules.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entities::master::{contact, currency};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::loaders::{LoadError, spawner};

/// The request's master-data loaders.
pub struct MasterLoaders {
    /// The contacts of a customer.
    pub contacts_by_customer_id: DataLoader<ContactsByCustomerIdLoader, HashMapCache>,
    /// A currency by code (for minor digits).
    pub currency_by_code: DataLoader<CurrencyByCodeLoader, HashMapCache>,
}

impl MasterLoaders {
    /// Loaders on `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            contacts_by_customer_id: DataLoader::with_cache(
                ContactsByCustomerIdLoader(db.clone()),
                spawner(),
                HashMapCache::default(),
            ),
            currency_by_code: DataLoader::with_cache(
                CurrencyByCodeLoader(db),
                spawner(),
                HashMapCache::default(),
            ),
        }
    }
}

/// Customer id → its contacts, by name.
pub struct ContactsByCustomerIdLoader(DatabaseConnection);

impl Loader<Uuid> for ContactsByCustomerIdLoader {
    type Value = Vec<contact::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut out: HashMap<Uuid, Vec<contact::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        let rows = contact::Entity::find()
            .filter(contact::Column::CustomerId.is_in(keys.iter().copied()))
            .order_by_asc(contact::Column::Name)
            .all(&self.0)
            .await
            .map_err(AppError::from)?;
        for row in rows {
            if let Some(list) = row.customer_id.and_then(|id| out.get_mut(&id)) {
                list.push(row);
            }
        }
        Ok(out)
    }
}

/// Currency code → currency.
pub struct CurrencyByCodeLoader(DatabaseConnection);

impl Loader<String> for CurrencyByCodeLoader {
    type Value = currency::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        Ok(currency::Entity::find()
            .filter(currency::Column::Code.is_in(keys.iter().cloned()))
            .all(&self.0)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|c| (c.code.clone(), c))
            .collect())
    }
}
